"""Intervals, quantiles and the log scale of the neural forecasters (a mixin of neural.py;
the public ``predict_quantiles`` stays on the class, where the contract wraps it)."""

from __future__ import annotations

import warnings

import numpy as np

from . import _conformal
from ._data import _name


class PredictMixin:
    """Quantile and conformal interval forecasts; ``log(y)`` of positive series."""

    def _quantile_index(self, q) -> int | None:
        """Position of the trained quantile level ``q`` (up to rounding), else None."""
        levels = getattr(self, "quantiles_", None) or ()
        return next((i for i, t in enumerate(levels) if abs(t - q) < 1e-9), None)

    def _quantile_forecast(self, panel, horizon, future, positions):
        """Forecasts ``(n_series, horizon, n_targets, len(positions))`` of trained quantiles."""
        if horizon > self.horizon_:
            raise ValueError(f"quantiles are trained up to horizon={self.horizon_}; asked "
                             f"for horizon={horizon}.")
        windows, loc, scale = self._last_windows(panel)
        if future is not None:
            future = (future - self.cov_mean_[self._future_idx()]) / \
                self.cov_scale_[self._future_idx()]
        pred, _ = self._forecast(windows, future, horizon, quantiles=True)
        pred = pred[..., positions]
        return self._untransform(pred * scale[:, None, :, None] + loc[:, None, :, None])

    def _predict_interval(self, panel, horizon, future, coverage):
        # a pinball model trained on both bounds' quantiles uses them; else conformal
        positions = [self._quantile_index((1 - coverage) / 2),
                     self._quantile_index((1 + coverage) / 2)]
        if None not in positions:
            pred = self._quantile_forecast(panel, horizon, future, positions)
            return pred[..., 0], pred[..., 1]
        if self.residuals_ is None:
            raise ValueError("no windows to calibrate intervals on: the series must hold "
                             "window + horizon points.")
        few = (len(self.residuals_) + 1) * coverage > len(self.residuals_)  # warned there
        if getattr(self, "calibration_note_", None) and not few:
            warnings.warn(f"{self.calibration_note_} (give longer series, or a shorter "
                          "horizon).", stacklevel=3)
        if horizon > self.horizon_:
            raise ValueError(f"intervals are calibrated up to horizon={self.horizon_}.")
        windows, loc, scale = self._last_windows(panel)
        if future is not None:
            future = (future - self.cov_mean_[self._future_idx()]) / \
                self.cov_scale_[self._future_idx()]
        pred, wscale = self._forecast(windows, future, horizon)
        rows = _conformal.series_rows(self.train_panel_.ids, panel.ids)  # -1: new series
        width = _conformal.widths_for(*_conformal.conformal_widths(
            self.residuals_, getattr(self, "residual_series_", None), coverage,
            getattr(self, "interval_calibration", "pooled")), rows)[:, :horizon] * \
            wscale[:, None]  # (n_series, horizon, n_targets)
        return (self._untransform((pred - width) * scale[:, None] + loc[:, None]),
                self._untransform((pred + width) * scale[:, None] + loc[:, None]))

    def _targets(self, panel) -> np.ndarray:
        """The target values the network models: ``log(y)`` under ``log_``, else ``y``."""
        owner = np.repeat(np.arange(len(panel.lengths)), panel.lengths)
        return self._log(panel.values, panel.ids, owner)

    def _log(self, values: np.ndarray, ids, owner: np.ndarray) -> np.ndarray:
        """``log(values)`` under ``log_`` (else ``values``); ``owner[i]`` is the series of
        ``values[i]``, named in the error when a value is not positive."""
        if not self.log_:
            return values
        bad = (values <= 0).reshape(len(values), -1).any(axis=1)
        if bad.any():
            first = int(np.argmax(bad))
            raise ValueError(
                f"the model works on log scale (log_scale={self.log_scale!r}: the training "
                f"targets were all positive), but {_name(ids[owner[first]])} has the value "
                f"{float(values[first].min())!r}; refit with log_scale=False.")
        return np.log(values)

    def _untransform(self, values: np.ndarray) -> np.ndarray:
        return np.exp(np.minimum(values, np.log(np.finfo(np.float64).max))) if self.log_ \
            else values

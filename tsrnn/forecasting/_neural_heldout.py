"""Held-out windows of the neural forecasters: the residual's weight over the base, the
conformal calibration, and the left padding of short series (a mixin of neural.py)."""

from __future__ import annotations

import warnings

import numpy as np

from ..nn import MedianEnsemble
from ..windowing import gather_windows, window_starts
from ._neural_sizes import MIN_OBSERVED

# validation_fraction=0 (the default) on at most this many training windows: a first network
# trained without the last horizon of every series fits the residual's gain and calibrates
# the intervals on those held-out windows, then the model is trained on everything
AUTO_HOLDOUT_WINDOWS = 60_000
HELD_WINDOWS = 200  # held-out windows the gain is fitted on, where the series allow
GAINS = np.linspace(0.0, 1.0, 11)  # the residual gains tried on the held-out windows
# (fitting the weight of the level base's trend too, from 0 to 2, took the M3 dev GRU from
# sMAPE 13.952 to 14.137 monthly and 4.021 to 4.185 other: Theta's trend is kept)
# the network is kept only where it beats its base by 1% on the held-out windows: on
# simulated daily closes (random walks) a weight of 0.4 was fitted for a 0.25% gain, luck
MIN_SKILL = 0.01


class HeldOutMixin:
    """Fits ``residual_gain_`` and ``residuals_`` on held-out windows; pads short series."""

    def _holdout(self, train_starts, valid) -> bool:
        """Whether this fit first trains without the last horizon of every series."""
        return valid is None and self.validation_fraction == 0 and self.base_ is not None \
            and not self.warm_start and self.strategy != "recursive" and \
            len(train_starts) <= AUTO_HOLDOUT_WINDOWS

    def _set_gain(self, gain: float) -> None:
        members = self.module_.members if isinstance(self.module_, MedianEnsemble) \
            else [self.module_]
        for member in members:
            if hasattr(member, "gain"):
                member.gain = float(gain)

    def _fit_gain(self, values: np.ndarray, held: np.ndarray) -> None:
        """``residual_gain_``: the weight of the network's residual over its base (0 to 1)
        of least absolute error on the held-out windows ``held``; ``validation_skill_``:
        1 - that error over the base's (0: the base alone, the network adds nothing)."""
        if not len(held) or self.base_ is None or self.quantiles_:
            return
        windows = gather_windows(values, held, self.window_)
        n_t = len(self.targets_)
        actual = gather_windows(values, held + self.window_, self.horizon_)[:, :, :n_t]
        future = None
        if self.future_covariates_:
            future = gather_windows(values, held + self.window_, self.horizon_)[
                :, :, self._future_cols()]
        self._set_gain(0.0)
        base, _ = self._forecast(windows, future, self.horizon_)
        self._set_gain(1.0)
        full, _ = self._forecast(windows, future, self.horizon_)
        errors = [np.abs(actual - base - g * (full - base)).mean() for g in GAINS]  # linear
        best = int(np.argmin(errors))
        if errors[best] > (1 - MIN_SKILL) * errors[0]:  # not clearly better than the base
            best = 0
        if self.base_ != "level":  # the seasonal base keeps its network whole: on one noisy
            best = len(GAINS) - 1  # hourly series the weight fell to 0 (seasonal naive)
        self.residual_gain_ = float(GAINS[best])
        self.validation_skill_ = float(1 - errors[best] / errors[0]) if errors[0] > 0 else 0.0
        self._set_gain(self.residual_gain_)
        naive = np.abs(actual - windows[:, -1:, :n_t]).mean()  # the last value, continued
        if errors[best] > naive:
            warnings.warn(
                f"{type(self).__name__} forecast the held-out windows worse than naive (mean "
                f"absolute error {errors[best]:.4g} against {naive:.4g}, in the model's scaled "
                "space): the series may be a random walk with nothing to learn. Compare it "
                "with NaiveForecaster (tsrnn.model_selection.compare) or let AutoForecaster "
                "choose per series.", UserWarning, stacklevel=4)

    def _padding(self) -> int:
        """Steps prepended to every training series (0 without the mask channel)."""
        return self.window_ - MIN_OBSERVED if getattr(self, "masked_", False) else 0

    def _pad(self, values: np.ndarray, lengths: np.ndarray):
        """Training values with every series left-padded by ``_padding()`` copies of its
        first point, and the mask channel appended (1 observed, 0 padding); and the padded
        lengths. Every window of the padded series reads at least ``MIN_OBSERVED`` observed
        steps and forecasts observed ones only."""
        if not self.masked_:
            return values, lengths
        pad = self._padding()
        padded = lengths + pad
        pos = np.arange(int(padded.sum())) - np.repeat(np.cumsum(padded) - padded, padded)
        src = np.repeat(np.cumsum(lengths) - lengths, padded) + np.maximum(pos - pad, 0)
        mask = (pos >= pad).astype(values.dtype)[:, None]
        return np.concatenate([values[src], mask], axis=1), padded

    def _calibrate(self, values: np.ndarray, lengths, held=None) -> None:
        """Normalised absolute errors on the held-out windows, for conformal intervals.

        Without held-out windows (``validation_fraction=0``), the last ``horizon`` windows of
        every series are used in-sample (``interval_calibration_ = "in-sample"``, with a
        warning at ``predict_interval``: such intervals tend to be too narrow).
        ``residual_series_`` is the training series of each window (``interval_calibration``).
        """
        _, valid = self._split_starts(lengths)
        complete = window_starts(lengths, self.window_, self.horizon_)
        valid = valid[np.isin(valid, complete)] if held is None else held
        self.interval_calibration_ = "held-out"
        if not len(valid):
            self.interval_calibration_ = "in-sample"
            series = np.searchsorted(np.cumsum(lengths), complete, side="right")
            last = np.searchsorted(series, series, side="right") - 1  # series' last window
            from_end = last - np.arange(len(complete))
            valid = complete[from_end < self.horizon_]
        self.residuals_ = None
        self.residual_series_ = np.searchsorted(np.cumsum(lengths), valid, side="right")
        if not len(valid):
            return
        windows = gather_windows(values, valid, self.window_)
        n_t = len(self.targets_)
        actual = gather_windows(values, valid + self.window_, self.horizon_)
        future = actual[:, :, self._future_cols()] if self.future_covariates_ else None
        pred, scale = self._forecast(windows, future, self.horizon_)
        self.residuals_ = np.abs(actual[:, :, :n_t] - pred) / scale[:, None, :]

"""Target transforms inverted on output: forecast ``log(y)`` (or Box-Cox, or any
scikit-learn transformer), get forecasts of ``y``.

A wrapper rather than a parameter of every forecaster: one class holds the transform
logic, any forecaster (neural or classical) gains it, and ``GridSearchCV`` searches over
``transform`` and the wrapped forecaster's parameters (``forecaster__<name>``) alike.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import special, stats
from sklearn.base import clone

from .._validation import HasMethods, StrOptions
from .base import BaseForecaster
from .baselines import NaiveForecaster

__all__ = ["TransformedTargetForecaster"]

_NAMED = ("log", "log1p", "boxcox", "identity")


class _Named:
    """A named transform of one series (Box-Cox fits its lambda)."""

    def __init__(self, name: str):
        self.name = name

    def fit(self, x):
        if self.name in ("log", "boxcox") and np.any(x <= 0):
            raise ValueError(f"transform={self.name!r} needs positive values, got a minimum "
                             f"of {np.min(x):.6g}; use 'log1p' for data with zeros.")
        if self.name == "log1p" and np.any(x <= -1):
            raise ValueError(f"transform='log1p' needs values > -1, got {np.min(x):.6g}.")
        if self.name == "boxcox":
            self.lmbda_ = float(stats.boxcox(x)[1]) if np.ptp(x) > 0 else 1.0
        return self

    def transform(self, x):
        if self.name == "log":
            return np.log(x)
        if self.name == "log1p":
            return np.log1p(x)
        if self.name == "boxcox":
            return special.boxcox(x, self.lmbda_)
        return np.asarray(x, dtype=float)

    def inverse_transform(self, z):
        if self.name == "log":
            return np.exp(z)
        if self.name == "log1p":
            return np.expm1(z)
        if self.name == "boxcox":
            return _inv_boxcox(z, self.lmbda_)
        return z


def _inv_boxcox(z, lmbda: float) -> np.ndarray:
    """The Box-Cox inverse, extended past its domain by its limits: a bound below
    ``-1 / lmbda`` (``lmbda > 0``) is 0, one above it (``lmbda < 0``) the largest float,
    never NaN (a normal interval on the transformed scale can leave the domain)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = special.inv_boxcox(z, lmbda)
    outside = 1 + lmbda * z <= 0 if lmbda != 0 else np.zeros(z.shape, dtype=bool)
    out = np.where(outside, 0.0 if lmbda > 0 else np.inf, out)
    return np.minimum(out, np.finfo(np.float64).max)


class TransformedTargetForecaster(BaseForecaster):
    """Forecast a transformed target and invert the transform on every output.

    Each series (and each target column) gets its own fitted transform; the wrapped
    forecaster is fitted on the transformed targets (covariates unchanged), and its point
    forecasts and interval bounds are mapped back. Point forecasts of ``log`` are then
    medians, not means, of the original scale (no bias adjustment). Intervals assume a
    monotone transform (the bounds are reordered after inversion).

    Parameters
    ----------
    forecaster : BaseForecaster or None, default=None
        The forecaster of the transformed target (cloned; default
        :class:`NaiveForecaster`). Its ``horizon``, ``freq``, ``target``, ``id_col`` and
        ``time_col`` are replaced by this wrapper's.
    transform : {"log", "log1p", "boxcox", "identity"} or transformer, default="log"
        ``"boxcox"`` fits its lambda per series (scipy); a scikit-learn transformer (with
        ``fit``, ``transform`` and ``inverse_transform`` on ``(n, 1)`` arrays) is cloned
        and fitted per series.
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s).
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Attributes
    ----------
    forecaster_ : BaseForecaster
        The fitted wrapped forecaster (on the transformed scale).
    transforms_ : dict
        The fitted transforms by series id, one per target column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsrnn.forecasting import DriftForecaster
    >>> y = pd.Series(np.exp(np.arange(10.0)))
    >>> model = TransformedTargetForecaster(DriftForecaster(), "log", horizon=2).fit(y)
    >>> np.round(np.log(model.predict().to_numpy()), 6).tolist()
    [10.0, 11.0]
    """

    _parameter_constraints = {
        **BaseForecaster._parameter_constraints,
        "forecaster": [HasMethods(["fit", "predict"]), None],
        "transform": [StrOptions(set(_NAMED)),
                      HasMethods(["fit", "transform", "inverse_transform"])],
    }

    def __init__(self, forecaster=None, transform="log", *, horizon=1, freq=None,
                 target=None, id_col="unique_id", time_col="ds"):
        self.forecaster = forecaster
        self.transform = transform
        self.horizon = horizon
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"transform": "log1p"}]

    def capabilities(self) -> dict:
        """Those of the wrapped forecaster."""
        return self._inner().capabilities()

    def _inner(self):
        base = NaiveForecaster() if self.forecaster is None else self.forecaster
        if not isinstance(base, BaseForecaster):
            raise TypeError(f"forecaster must be a tsrnn forecaster, got {type(base).__name__}.")
        return clone(base).set_params(horizon=self.horizon, freq=self.freq, target=self.target,
                                      id_col=self.id_col, time_col=self.time_col)

    def _min_length(self):
        return self._inner()._min_length()

    def _min_history(self):
        return self._inner()._min_history()

    def _context_length(self):
        return self.forecaster_._context_length()

    def _future_names(self):
        return self.forecaster_._future_names()

    def _new_transform(self):
        if isinstance(self.transform, str):
            return _Named(self.transform)
        return clone(self.transform)

    def _fitted_for(self, sid, x):
        """The fitted transforms of series ``sid`` (fitted on ``x`` if it is new)."""
        if sid in self.transforms_:
            return self.transforms_[sid]
        if len(self.transforms_) == 1 and isinstance(self.transform, str) and \
                self.transform != "boxcox":
            return next(iter(self.transforms_.values()))
        return self._fit_series(sid, x)

    def _fit_series(self, sid, x):
        out = []
        for j in range(x.shape[1]):
            try:
                out.append(self._new_transform().fit(x[:, j:j + 1] if not isinstance(
                    self.transform, str) else x[:, j]))
            except ValueError as exc:
                name = "the series" if sid is None else f"series {sid!r}"
                raise ValueError(f"TransformedTargetForecaster on {name}: {exc}") from None
        return out

    def _apply(self, panel, fitted_list):
        values = np.empty_like(panel.values, dtype=float)
        for i, fitted in enumerate(fitted_list):
            rows = slice(panel.offsets[i], panel.offsets[i] + panel.lengths[i])
            for j, tf in enumerate(fitted):
                col = panel.values[rows, j]
                values[rows, j] = np.ravel(tf.transform(col if isinstance(tf, _Named)
                                                        else col[:, None]))
        if not np.all(np.isfinite(values)):
            raise ValueError("the transformed target is not finite (NaN or infinity): check "
                             "that the data lies in the transform's domain.")
        return dataclasses.replace(panel, values=values)

    def _fit(self, panel):
        self.transforms_ = {sid: self._fit_series(sid, panel.series(i))
                            for i, sid in enumerate(panel.ids)}
        inner = self._inner()
        inner._validate_params()
        for name in ("horizon_", "freq_", "targets_", "covariates_", "n_series_", "schema_"):
            if hasattr(self, name):
                setattr(inner, name, getattr(self, name))
        moved = self._apply(panel, [self.transforms_[sid] for sid in panel.ids])
        inner._fit(moved)
        inner.train_panel_ = moved
        self.forecaster_ = inner

    def _transformed(self, panel):
        if panel is getattr(self, "train_panel_", None):
            return self.forecaster_.train_panel_, [self.transforms_[s] for s in panel.ids]
        fitted = [self._fitted_for(sid, panel.series(i)) for i, sid in enumerate(panel.ids)]
        return self._apply(panel, fitted), fitted

    def _invert(self, values, fitted):
        out = np.empty_like(values, dtype=float)
        for i, per_target in enumerate(fitted):
            for j, tf in enumerate(per_target):
                z = values[i, :, j]
                out[i, :, j] = np.ravel(tf.inverse_transform(z if isinstance(tf, _Named)
                                                             else z[:, None]))
        return out

    def _predict(self, panel, horizon, future):
        moved, fitted = self._transformed(panel)
        return self._invert(self.forecaster_._predict(moved, horizon, future), fitted)

    def _predict_interval(self, panel, horizon, future, coverage):
        moved, fitted = self._transformed(panel)
        lower, upper = self.forecaster_._predict_interval(moved, horizon, future, coverage)
        a, b = self._invert(lower, fitted), self._invert(upper, fitted)
        return np.minimum(a, b), np.maximum(a, b)

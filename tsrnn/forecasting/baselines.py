"""Simple baselines in the forecaster contract: naive, seasonal naive, drift, mean, Naive2.

Every baseline forecasts each series (and each target column) from its own history, so it
forecasts any new history without refitting. Prediction intervals assume normal errors:
``point +- z * sigma * spread(h)``, where ``sigma`` is the root mean square of the method's
in-sample one-step residuals on the history being forecast and ``spread(h)`` the method's
textbook growth factor (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
2nd ed., section 3.5).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm

from .._validation import Integral, Interval, StrOptions
from ..metrics import naive2_forecast
from .base import BaseForecaster
from .seasonality import resolve_season_length, season_helps

__all__ = ["DriftForecaster", "MeanForecaster", "Naive2Forecaster", "NaiveForecaster",
           "SeasonalNaiveForecaster"]


class _Baseline(BaseForecaster):
    """Per-series closed-form forecasts; subclasses define ``_point`` and ``_errors``.

    ``_point(x, horizon)`` maps a history ``(n, n_targets)`` to forecasts
    ``(horizon, n_targets)``; ``_errors(x, horizon)`` returns the in-sample one-step
    residuals ``(r, n_targets)`` and the growth factor of the forecast standard deviation,
    broadcastable to ``(horizon, n_targets)``.
    """

    _capabilities = {"intervals": True}  # normal intervals from in-sample residuals

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds"):
        self.horizon = horizon
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{}]

    def _fit(self, panel):
        """Nothing to learn: every forecast depends only on the history it is made from."""
        if panel.covariate_names:
            warnings.warn(f"{type(self).__name__} ignores the covariates "
                          f"{list(panel.covariate_names)}; it forecasts from the target "
                          "alone.", UserWarning, stacklevel=4)

    def _each(self, panel, method, *args) -> np.ndarray:
        """``method(series, *args)`` stacked over the series; errors name the series."""
        out = []
        for i, sid in enumerate(panel.ids):
            try:
                out.append(method(panel.series(i), *args))
            except ValueError as exc:
                name = "the series" if sid is None else f"series {sid!r}"
                raise ValueError(f"{type(self).__name__} on {name}: {exc}") from None
        return np.stack(out)

    def _predict(self, panel, horizon, future):
        return self._each(panel, self._point, horizon)  # (series, horizon, targets)

    def _predict_interval(self, panel, horizon, future, coverage):
        z = norm.ppf(0.5 + coverage / 2)
        point = self._predict(panel, horizon, future)
        sd = self._each(panel, self._sd, horizon)
        return point - z * sd, point + z * sd

    def _sd(self, x, horizon):
        """Standard deviation of the h-step forecast errors, ``(horizon, n_targets)``."""
        residuals, spread = self._errors(x, horizon)
        if len(residuals) == 0:
            raise ValueError(f"{len(x)} observation(s) are too few for prediction intervals, "
                             "which need in-sample residuals.")
        sigma = np.sqrt(np.mean(residuals**2, axis=0))  # (targets,)
        return sigma * np.broadcast_to(spread, (horizon, x.shape[1]))


def _steps(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=np.float64)[:, None]  # (horizon, 1)


class NaiveForecaster(_Baseline):
    """Repeat the last observed value of each series.

    Intervals: ``sigma * sqrt(h)`` (random walk), ``sigma`` from the one-step differences.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format. Each target column is forecast separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="D"))
    >>> NaiveForecaster(horizon=2).fit(y).predict().tolist()
    [3.0, 3.0]
    """

    def _context_length(self):
        return 2

    def _point(self, x, horizon):
        return np.repeat(x[-1:], horizon, axis=0)

    def _errors(self, x, horizon):
        return np.diff(x, axis=0), np.sqrt(_steps(horizon))


_SEASON_CONSTRAINT = [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")]


class _Seasonal(_Baseline):
    """A baseline with a season length, resolved from the frequency at fit."""

    _parameter_constraints = {**getattr(_Baseline, "_parameter_constraints", {}),
                              "season_length": _SEASON_CONSTRAINT}

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds", season_length="auto"):
        super().__init__(horizon=horizon, freq=freq, target=target, id_col=id_col,
                         time_col=time_col)
        self.season_length = season_length

    def _fit(self, panel):
        super()._fit(panel)
        self.season_length_ = resolve_season_length(self.season_length, self.freq_)

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"season_length": 7}]

    def _explicit_season(self):
        """The season length given as an integer (validated), or None for ``"auto"``."""
        if isinstance(self.season_length, str) and self.season_length == "auto":
            return None
        return resolve_season_length(self.season_length, None)


class SeasonalNaiveForecaster(_Seasonal):
    """Repeat the last observed season: ``y[T + h] = y[T + h - m * (1 + (h - 1) // m)]``.

    Intervals: ``sigma * sqrt(1 + (h - 1) // m)``, ``sigma`` from the lag-``m`` differences.
    With ``season_length="auto"``, each series (or new history) is forecast with the season
    of its frequency only where that season helps: where repeating it forecasts the
    series' own history better than repeating the last value, over the fitted ``horizon``
    (:func:`~tsrnn.forecasting.seasonality.season_helps`; not for a yearly-less weekly
    stock, not for a history shorter than two seasons); elsewhere naively (``m = 1``). The
    choice depends on the history only, not on a ``horizon`` asked at predict, so
    ``predict(horizon=2)`` is the first two steps of ``predict()``. An
    explicit ``season_length`` is always used and needs a full season.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format. Each target column is forecast separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : int or "auto", default="auto"
        Season length ``m`` in steps; ``"auto"`` takes the main season of the data's
        frequency (24 hourly, 7 daily, 5 business daily, 52 weekly, 12 monthly, 4
        quarterly, 1 yearly or on an integer index: see
        :mod:`tsrnn.forecasting.seasonality`); 1 is the naive method.

    Attributes
    ----------
    season_length_ : int
        The season length used.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 5.0, 2.0, 6.0])
    >>> SeasonalNaiveForecaster(horizon=3, season_length=2).fit(y).predict().tolist()
    [2.0, 6.0, 2.0]
    >>> hourly = pd.Series(range(48), index=pd.date_range("2024-01-01", periods=48, freq="h"))
    >>> SeasonalNaiveForecaster(horizon=2).fit(hourly).season_length_
    24
    """

    def _min_length(self):
        return self._explicit_season() or 1

    def _min_length_reason(self):
        m = self._explicit_season()
        return None if m is None else f"season_length={m} needs one full season"

    def _context_length(self):
        m = getattr(self, "season_length_", None) or self._min_length()
        if self._explicit_season() is None:  # what season_helps reads, so that score and
            return 10 * m + self.horizon_  # backtest forecast as predict() does
        return m

    def _m(self, x) -> int:
        """The season used for history ``x``: under ``"auto"``, 1 where the season does not
        help over the fitted horizon (see ``season_helps``), and for a history shorter
        than two seasons. The history alone decides, never the horizon asked at predict:
        a shorter forecast is a prefix of a longer one."""
        m = self.season_length_
        if self._explicit_season() is None:
            return m if season_helps(x, m, self.horizon_) else 1
        return m if len(x) >= m else 1

    def _point(self, x, horizon):
        m = self._m(x)
        return x[len(x) - m + np.arange(horizon) % m]

    def _errors(self, x, horizon):
        m = self._m(x)
        return x[m:] - x[:-m], np.sqrt(1 + (_steps(horizon) - 1) // m)


class DriftForecaster(_Baseline):
    """Extend the line from the first to the last observation of each series.

    ``y[T + h] = y[T] + h * (y[T] - y[1]) / (T - 1)``. Intervals:
    ``sigma * sqrt(h * (1 + h / T))``, ``sigma`` from the one-step differences minus the drift.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format. Each target column is forecast separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Examples
    --------
    >>> import pandas as pd
    >>> DriftForecaster(horizon=2).fit(pd.Series([1.0, 3.0, 4.0])).predict().tolist()
    [5.5, 7.0]
    """

    def _min_length(self):
        return 2

    def _slope(self, x):
        return (x[-1] - x[0]) / (len(x) - 1)

    def _point(self, x, horizon):
        return x[-1] + _steps(horizon) * self._slope(x)

    def _errors(self, x, horizon):
        h = _steps(horizon)
        return np.diff(x, axis=0) - self._slope(x), np.sqrt(h * (1 + h / len(x)))


class MeanForecaster(_Baseline):
    """Forecast the mean of each series' history.

    Intervals: ``sigma * sqrt(1 + 1 / T)`` at every step (they do not widen with ``h``),
    ``sigma`` from the deviations from the mean.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format. Each target column is forecast separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Examples
    --------
    >>> import pandas as pd
    >>> MeanForecaster(horizon=2).fit(pd.Series([1.0, 2.0, 6.0])).predict().tolist()
    [3.0, 3.0]
    """

    def _point(self, x, horizon):
        return np.repeat(x.mean(axis=0, keepdims=True), horizon, axis=0)

    def _errors(self, x, horizon):
        return x - x.mean(axis=0), np.sqrt(1 + 1 / len(x))


class Naive2Forecaster(_Seasonal):
    """M4 Naive2: naive forecast of the seasonally adjusted series, reseasonalised.

    A series is adjusted by classical multiplicative decomposition when it tests seasonal
    (lag-``m`` autocorrelation beyond the 90 % limit, at least ``3 * m`` observations),
    otherwise it is forecast naively; see :func:`tsrnn.metrics.naive2_forecast`. Intervals
    are those of the naive method on the adjusted series, reseasonalised:
    ``sigma_adj * sqrt(h) * s(h)``, with ``s(h)`` the seasonal index of step ``h`` relative
    to the last observation's.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format. Each target column is forecast separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : int or "auto", default="auto"
        Season length ``m`` (M4: 1 weekly, 4 quarterly, 12 monthly, 24 hourly);
        ``"auto"`` takes the main season of the data's frequency (see
        :mod:`tsrnn.forecasting.seasonality`; 52 for weekly data, where M4 used 1). A
        series shorter than three seasons is forecast naively; so is, with a warning, a
        seasonal series with non-positive values under ``"auto"`` (an explicit season
        raises a ValueError instead).

    Attributes
    ----------
    season_length_ : int
        The season length used.

    Examples
    --------
    >>> import pandas as pd
    >>> Naive2Forecaster(horizon=2).fit(pd.Series([3.0, 5.0, 4.0])).predict().tolist()
    [4.0, 4.0]
    """

    def _min_length(self):
        self._explicit_season()  # validated before any fit
        return 1

    def _ratios(self, x, length):
        """Seasonal index of steps ``1..length`` after the end over the last one's, per target.

        Naive2 forecasts ``x[-1] * ratio``; for a non-seasonal series every ratio is 1.
        """
        m = self.season_length_
        try:
            future = np.stack([naive2_forecast(x[:, j], length, m)
                               for j in range(x.shape[1])], axis=1)
        except ValueError:  # the only one left after validation: seasonal, not positive
            if self._explicit_season() is not None:
                raise ValueError(f"it tests seasonal with season_length={m} but has "
                                 "non-positive values; the multiplicative decomposition of "
                                 "Naive2 needs positive data.") from None
            warnings.warn(f"{type(self).__name__}: a series tests seasonal with season {m} "
                          "but has non-positive values, which the multiplicative "
                          "decomposition of Naive2 cannot take; it is forecast naively.",
                          UserWarning, stacklevel=6)
            return np.ones((length, x.shape[1]))
        last = np.broadcast_to(x[-1], future.shape)
        return np.divide(future, last, out=np.ones_like(future), where=last != 0)

    def _point(self, x, horizon):
        return x[-1] * self._ratios(x, horizon)

    def _errors(self, x, horizon):
        m = self.season_length_
        ratios = self._ratios(x, max(horizon, m))  # ratios[m - 1] is the last one's: 1
        adjusted = x / ratios[(np.arange(len(x)) - len(x)) % m]  # on the scale of x[-1]
        return np.diff(adjusted, axis=0), np.sqrt(_steps(horizon)) * ratios[:horizon]

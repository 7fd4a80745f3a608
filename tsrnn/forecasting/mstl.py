"""Several seasonalities at once: MSTL decomposition plus a model of the adjusted series."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from .._validation import Integral, Interval, StrOptions
from .seasonality import resolve_season_length, season_helps, season_lengths
from .statistical import ARIMAForecaster, ETSForecaster, _StatsmodelsForecaster

__all__ = ["MSTLForecaster"]


def _decompose(y, periods):
    """``(adjusted, seasonal)``: ``y`` minus its MSTL seasonal components, and the
    components ``(n, len(periods))`` (no columns when there is no period)."""
    if not periods:
        return y, np.zeros((len(y), 0))
    from statsmodels.tsa.seasonal import MSTL

    seasonal = np.asarray(MSTL(y, periods=list(periods)).fit().seasonal, dtype=float)
    seasonal = seasonal.reshape(len(y), -1)
    return y - seasonal.sum(axis=1), seasonal


def _continue(seasonal, periods, horizon: int) -> np.ndarray:
    """Every seasonal component continued by repeating its last cycle, summed."""
    n, steps = len(seasonal), np.arange(horizon)
    return sum((seasonal[n - p + steps % p, k] for k, p in enumerate(periods)),
               np.zeros(horizon))


class MSTLForecaster(_StatsmodelsForecaster):
    """Multiple seasonalities: MSTL decomposition, then ETS or ARIMA on the adjusted series.

    Each series is decomposed by statsmodels ``MSTL`` (STL applied for each season in
    turn) into a trend, one seasonal component per season and a remainder. The seasonally
    adjusted series (trend plus remainder) is forecast by an automatic non-seasonal model
    (:class:`ETSForecaster` or :class:`ARIMAForecaster`), and each seasonal component is
    continued by repeating its last cycle. Built for sub-daily data with a daily and a
    weekly cycle (half-hourly load: 48 and 336), where one seasonal model cannot hold both.

    Explicit seasons are all used, and every series must span two full cycles of the
    longest (a ``ValueError`` says so). Under ``season_length="auto"``, a season is used
    only for series spanning two full cycles of it (others drop it; a series too short for
    every season is modelled without one), and only where it helps (repeating it
    forecasts the series' own history better than repeating the last value, over a season
    or the horizon: :func:`~tsrnn.forecasting.seasonality.season_helps`). Prediction
    intervals are those of the adjusted series' model around the seasonal forecast,
    widened by the variance of each seasonal component's change from one cycle to the
    next. A new history is decomposed again and forecast with the fitted model's
    parameters.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); each is modelled separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : "auto", int, list of int or None, default="auto"
        Seasons in steps; ``"auto"`` takes every conventional season of the frequency
        (:func:`~tsrnn.forecasting.seasonality.season_lengths`: 48 and 336 half-hourly,
        24 and 168 hourly, 7 and 365 daily...). None or 1: no season.
    trend_model : {"ets", "arima"}, default="ets"
        Model of the seasonally adjusted series (non-seasonal, chosen automatically).
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    seasons_ : tuple of int
        The seasons decomposed (shortest first).
    season_length_ : int
        The shortest season (the seasonal naive reference of the fit check).
    states_ : list of list of dict or None
        Per series and target: ``periods`` used and the adjusted series' model state.
    fallback_, holdout_ratio_
        As in :class:`ETSForecaster`.

    Examples
    --------
    >>> from tsrnn.datasets import make_seasonal_series
    >>> y = make_seasonal_series(n=24 * 7 * 3, freq="h", random_state=0)
    >>> model = MSTLForecaster(horizon=24).fit(y)
    >>> model.seasons_
    (24, 168)
    >>> model.predict().shape
    (24,)
    """

    _parameter_constraints = {
        **_StatsmodelsForecaster._parameter_constraints,
        "season_length": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"),
                          list, tuple, None],
        "trend_model": [StrOptions({"ets", "arima"})],
    }

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds", season_length="auto", trend_model="ets", n_jobs=None,
                 verbose=False):
        super().__init__(horizon=horizon, freq=freq, target=target, id_col=id_col,
                         time_col=time_col, season_length=season_length, n_jobs=n_jobs,
                         verbose=verbose)
        self.trend_model = trend_model

    def _requested(self, freq) -> list:
        value = self.season_length
        if value is None:
            return [1]
        if isinstance(value, str) and value == "auto":
            return season_lengths(freq)
        values = value if isinstance(value, (list, tuple)) else [value]
        return [resolve_season_length(v, None) for v in values]

    def _explicit_season(self):
        return None  # several seasons: see _explicit_seasons

    def _explicit_seasons(self) -> list:
        """The seasons (> 1) given explicitly, validated; [] under "auto" or None."""
        if self.season_length is None or isinstance(self.season_length, str):
            return []
        return [p for p in self._requested(None) if p > 1]

    def _min_length(self):
        # explicit seasons are all used, never dropped: two cycles of the longest one
        return max(3, 2 * max(self._explicit_seasons(), default=1))

    def _min_length_reason(self):
        longest = max(self._explicit_seasons(), default=None)
        return None if longest is None else (
            f"season_length={self.season_length!r} needs two full cycles of its longest "
            f"season, {longest}; shorten season_length or use season_length='auto'")

    def _resolve(self, panel):
        self.seasons_ = tuple(sorted({p for p in self._requested(self.freq_) if p > 1})) or (1,)
        self.season_length_ = self.seasons_[0]
        self._warn_ignored(panel)

    def _periods(self):
        return self.seasons_

    def _context_length(self):
        return max(200, 10 * max(getattr(self, "seasons_", (1,))))

    def _inner(self):
        return ARIMAForecaster() if self.trend_model == "arima" else ETSForecaster()

    def _estimate(self, y, m, exog=None):
        periods = [p for p in m if p > 1]
        if isinstance(self.season_length, str):  # "auto": only the seasons that help
            periods = [p for p in periods if season_helps(y, p, max(int(self.horizon), p))]
        adjusted, _ = _decompose(y, periods)
        return {"periods": periods, "model": self._inner()._estimate(adjusted, 1)}

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        periods = [p for p in state["periods"] if len(y) >= 2 * p]
        adjusted, seasonal = _decompose(y, periods)
        mean, lower, upper = self._inner()._forecast(state["model"], adjusted, 1, horizon,
                                                     coverage, new)
        ahead = _continue(seasonal, periods, horizon)
        mean = np.asarray(mean) + ahead
        if coverage is None:
            return mean, None, None
        # the seasonal components move from cycle to cycle: add that variance
        moves = sum((np.var(seasonal[p:, k] - seasonal[:-p, k])
                     for k, p in enumerate(periods)), 0.0)
        half = np.sqrt(((np.asarray(upper) - np.asarray(lower)) / 2) ** 2
                       + norm.ppf(0.5 + coverage / 2) ** 2 * moves)
        return mean, mean - half, mean + half

"""Classical statistical forecasters on statsmodels: automatic ARIMA, automatic ETS, Theta.

Each series (and each target column) gets its own model, fitted in parallel with
``n_jobs`` (joblib). ``season_length="auto"`` (the default) takes the main season of the
data's frequency (:mod:`tsrnn.forecasting.seasonality`; the value used is
``season_length_``); under ``"auto"`` a series shorter than two full seasons is modelled
without a season, while an explicit ``season_length`` is always used and needs two full
seasons of every series (a ``ValueError`` naming it and the length needed otherwise).
A series on which statsmodels fails (an exception or a non-finite forecast) falls back to
the seasonal naive method (naive when the season is 1) with a warning naming the series;
statsmodels' own warnings (convergence and the like) are silenced. After fitting, each
model forecasts the last ``max(horizon, m)`` steps of its own training series (with the
fitted parameters; ``m`` the main season of the frequency); where that is more than ``3``
times worse (mean absolute error) than the seasonal naive forecast, a warning names the
series (``holdout_ratio_`` keeps the ratios).

Only :class:`ARIMAForecaster` uses covariates (as SARIMAX regressors, the ones named in
``future_covariates``); the other models warn that they ignore them. Forecasting a new
history (``predict(X=...)``, ``score``) reuses the fitted
parameters of the series with the same id (of the only series, when one was fitted):

- ARIMA applies them to the new data (Kalman filter, no re-estimation);
- ETS keeps the smoothing and damping parameters and re-estimates only the initial states;
- Theta re-estimates its two parameters (a regression slope and a one-parameter SES), which
  is cheap.

A new series id in a multi-series model is fitted from scratch. Requires statsmodels
(``pip install tsrnn[stats]``).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._validation import Integral, Interval, StrOptions
from ._arima_search import auto_arima_state
from .base import BaseForecaster
from .baselines import SeasonalNaiveForecaster
from .seasonality import resolve_season_length, season_lengths

__all__ = ["ARIMAForecaster", "ETSForecaster", "ThetaForecaster"]

_ESTIMATE = "estimate"  # state placeholder: fit the series at predict time


def _require_statsmodels():
    """Import statsmodels, whose warning filters must be set before any fit silences them."""
    try:
        import statsmodels.tools.sm_exceptions  # noqa: F401
    except ImportError as exc:
        raise ImportError("the statistical forecasters need statsmodels: "
                          "pip install tsrnn[stats]") from exc


@lru_cache(maxsize=1)
def _threadpools():
    """One controller per process: multithreaded BLAS slows small statsmodels fits ~50x."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _usable(m, n: int):
    """The season(s) of ``m`` that a series of ``n`` observations spans twice (else 1)."""
    if isinstance(m, tuple):
        return tuple(p for p in m if n >= 2 * p) or (1,)
    return m if n >= 2 * m else 1


def _job(model, y, m, horizon, coverage, state, new, exog=None, future=None, ref=1):
    """Fit (``horizon`` None) or forecast one series; returns ``(result, error or None)``.

    A fit returns ``(state, holdout ratio against seasonal naive with season ref)``.
    Runs in a joblib worker, where warnings would be lost: failures come back as messages.
    """
    _require_statsmodels()
    m = _usable(m, len(y))
    # statsmodels sees every series in units of its mean absolute level at fit (kept in the
    # state, reused for new histories), so that scaling a series by any factor scales its
    # forecasts by that factor: its optimisers, tolerances and checks are not scale-free
    unit = state.get("unit") if isinstance(state, dict) else None
    if unit is None:
        unit = float(np.mean(np.abs(y)))
        unit = unit if np.isfinite(unit) and unit > 0 else 1.0
    y = y / unit
    try:
        with warnings.catch_warnings(), _threadpools().limit(limits=1):
            warnings.simplefilter("ignore")
            if horizon is None:
                state = {**model._estimate(y, m, exog), "unit": unit}
                return (state, _holdout_ratio(model, state, y, m, ref, exog)), None
            if isinstance(state, str):  # _ESTIMATE
                state, new = model._estimate(y, m, exog), False
            out = model._forecast(state, y, m, horizon, coverage, new, exog, future)
    except Exception as exc:  # noqa: BLE001 - any statsmodels failure means fallback
        return None, f"{type(exc).__name__}: {exc}"
    if not all(np.all(np.isfinite(a)) for a in out if a is not None):
        return None, "non-finite forecast"
    low, high = np.min(y), np.max(y)
    span = max(high - low, 1e-8 + 1e-3 * abs(high))
    checked = out[0][:int(model.horizon)]  # the fitted horizon: the same verdict whatever
    if np.any(checked < low - _EXPLODE * span) or np.any(checked > high + _EXPLODE * span):
        return None, (f"explosive forecast (leaves the history's range by more than "
                      f"{_EXPLODE} times its width)")
    return tuple(None if a is None else np.asarray(a) * unit for a in out), None


# A point forecast this many history-ranges outside the history is treated as a failed fit
# (an explosive ARIMA on M4 Weekly produced a MASE in the tens of thousands).
_EXPLODE = 10
# The fitted model is reported when its forecast of the last `horizon` training steps is
# this many times worse than seasonal naive (non-seasonal ETS on half-hourly load: 36x).
_FAR_WORSE = 3.0


def _main(m) -> int:
    return m[0] if isinstance(m, tuple) else m


def _holdout_ratio(model, state, y, m, ref, exog=None) -> float:
    """MAE of the fitted model over seasonal naive's (season ``ref``), forecasting the last
    ``max(horizon, ref)`` training steps from the steps before (NaN when too short)."""
    season = ref
    h = max(int(model.horizon), season)  # at least a season: one short window is noise
    if len(y) < h + max(2 * season, 4):
        return np.nan
    past, truth = y[:-h], y[-h:]
    snaive = past[len(past) - season + np.arange(h) % season]
    base = np.mean(np.abs(truth - snaive))
    ex, fut = (None, None) if exog is None else (exog[:-h], exog[-h:])
    try:
        pred = model._forecast(state, past, m, h, None, False, ex, fut)[0]
    except Exception:  # noqa: BLE001 - a diagnostic only
        return np.nan
    return float(np.mean(np.abs(truth - np.asarray(pred))) / base) if base > 0 else np.nan


def _fallback(y, m, horizon, coverage):
    """Seasonal naive forecast (and interval) of one series."""
    m = _main(m)
    m = m if len(y) > m else 1
    model = SeasonalNaiveForecaster(horizon=horizon, season_length=m).fit(pd.Series(y))
    if coverage is None:
        return model.predict().to_numpy(), None, None
    bounds = model.predict_interval(coverage=coverage).to_numpy()
    return bounds.mean(axis=1), bounds[:, 0], bounds[:, 1]


def _store(out, i, j, result):
    for k, values in enumerate(result):
        if values is not None:
            out[k, i, :, j] = values


class _StatsmodelsForecaster(BaseForecaster):
    """Adapter: subclasses implement ``_estimate`` and ``_forecast`` on one 1D series.

    ``_estimate(y, m, exog)`` returns a small picklable state (the chosen model and its
    parameters) or raises; ``_forecast(state, y, m, horizon, coverage, new, exog, future)``
    returns ``(mean, lower, upper)`` arrays of length ``horizon`` (bounds None when
    ``coverage`` is None) for the history ``y``; ``new`` is False when ``y`` is the series
    ``state`` was fitted on. ``exog`` and ``future`` are the regressors over the history and
    the forecast period (None unless the model uses covariates).
    """

    _capabilities = {"intervals": True}

    _parameter_constraints = {
        **getattr(BaseForecaster, "_parameter_constraints", {}),
        "season_length": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"),
                          None],
        # joblib's convention: 1, 2, ... workers; -1 all CPUs, -2 all but one, ...
        "n_jobs": [Interval(Integral, 1, None, closed="left"),
                   Interval(Integral, None, -1, closed="right"), None],
        "verbose": ["boolean", Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds", season_length="auto", n_jobs=None, verbose=False):
        self.horizon = horizon
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col
        self.season_length = season_length
        self.n_jobs = n_jobs
        self.verbose = verbose

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{}]

    def _explicit_season(self):
        """The season length given as an integer (validated); None for ``"auto"``."""
        if isinstance(self.season_length, str) and self.season_length == "auto":
            return None
        return 1 if self.season_length is None else \
            resolve_season_length(self.season_length, None)

    def _season(self) -> int:
        """The main season length (resolved at fit)."""
        if hasattr(self, "season_length_"):
            return self.season_length_
        return self._explicit_season() or 1

    def _periods(self):
        """What the workers get as ``m``: the season length (a tuple for several)."""
        return self._season()

    def _min_length(self):
        # an explicit season is used, never dropped: it needs two full seasons of data
        return max(3, 2 * (self._explicit_season() or 1))

    def _min_length_reason(self):
        m = self._explicit_season() or 1
        return None if m == 1 else (f"season_length={m} needs two full seasons; shorten "
                                    "season_length or use season_length='auto'")

    def _context_length(self):
        return max(200, 10 * self._season())

    def _exog_names(self) -> list:
        """Covariates used as regressors (none by default: they are ignored)."""
        return []

    def _exog(self, panel, i):
        """Regressors over the history of series ``i`` of ``panel`` (None if unused)."""
        names = self._exog_names()
        if not names:
            return None
        cols = [panel.covariate_names.index(c) for c in names]
        rows = slice(panel.offsets[i], panel.offsets[i] + panel.lengths[i])
        return panel.covariates[rows][:, cols]

    def _map(self, jobs: list, what: str) -> list:
        from joblib import Parallel, delayed

        model = clone(self)  # parameters only: cheap to send to the workers
        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_job)(model, *job) for job in jobs)
        if self.verbose:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(jobs), desc=f"{type(self).__name__} {what}")
        return list(results)

    def _name(self, sid, target) -> str:
        name = "the series" if sid is None else f"series {sid!r}"
        return name + (f", target {target!r}" if len(self.targets_) > 1 else "")

    def _warn(self, failures: list, stacklevel: int, worse: list = ()) -> None:
        """One warning for a whole fit (or predict): the series statsmodels failed on
        (``(id, target, error)``) and those fitted far worse than seasonal naive
        (``(id, target, ratio)``), the first five of each named."""
        parts = []
        if failures:
            method = "naive" if self._season() == 1 else "seasonal naive"
            named = "; ".join(f"{self._name(s, t)} ({e})" for s, t, e in failures[:5])
            more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
            parts.append(f"statsmodels failed on {named}{more}; using the {method} forecast "
                         f"for {'it' if len(failures) == 1 else 'them'} instead.")
        if worse:
            m = season_lengths(self.freq_)[0]
            named = ", ".join(f"{self._name(s, t)} {r:.1f} times" for s, t, r in worse[:5])
            more = f" and {len(worse) - 5} more" if len(worse) > 5 else ""
            parts.append(f"on {named}{more} worse: the fitted model forecasts the last "
                         f"{max(self.horizon_, m)} training steps that many times worse (mean "
                         f"absolute error) than the seasonal naive method (season {m}); check "
                         "season_length, or try MSTLForecaster or SeasonalNaiveForecaster.")
        if parts:
            warnings.warn(f"{type(self).__name__}: " + " And ".join(parts), UserWarning,
                          stacklevel=stacklevel)

    def _check_params(self) -> None:
        """Validate model-specific parameters before any fit (workers would hide errors)."""

    def _resolve(self, panel):
        """Set the fitted season; say which covariates are ignored."""
        self.season_length_ = 1 if self.season_length is None else \
            resolve_season_length(self.season_length, self.freq_)
        self._warn_ignored(panel)

    def _warn_ignored(self, panel):
        ignored = [c for c in (panel.covariate_names or []) if c not in self._exog_names()]
        if ignored:
            warnings.warn(f"{type(self).__name__} ignores the covariates {ignored}"
                          + (" (only those in future_covariates are regressors)."
                             if hasattr(self, "future_covariates") else
                             "; it forecasts from the target alone."),
                          UserWarning, stacklevel=5)

    def _fit(self, panel):
        _require_statsmodels()
        self._check_params()
        self._resolve(panel)
        m, n_targets = self._periods(), len(panel.targets)
        keys = [(i, j) for i in range(len(panel.ids)) for j in range(n_targets)]
        ref = season_lengths(self.freq_)[0]  # the frequency's main season, whatever is fitted
        out = self._map([(panel.series(i)[:, j], m, None, None, None, None,
                          self._exog(panel, i), None, ref) for i, j in keys], "fit")
        self.states_ = [[None] * n_targets for _ in panel.ids]
        self.holdout_ratio_ = np.full((len(panel.ids), n_targets), np.nan)
        self.fallback_ = []
        failures, worse = [], []  # one warning for the whole fit, never one per series
        for (i, j), (result, error) in zip(keys, out):
            if error is not None:
                self.fallback_.append((panel.ids[i], panel.targets[j]))
                failures.append((panel.ids[i], panel.targets[j], error))
                continue
            self.states_[i][j], self.holdout_ratio_[i, j] = result
            if self.holdout_ratio_[i, j] > _FAR_WORSE:
                worse.append((panel.ids[i], panel.targets[j], self.holdout_ratio_[i, j]))
        self._warn(failures, 5, worse)

    def _sources(self, panel):
        """Fitted states (per target) to forecast each series of ``panel``, and ``new``."""
        if panel is self.train_panel_:
            return [(row, False) for row in self.states_]
        where = {sid: i for i, sid in enumerate(self.train_panel_.ids)}
        unknown = [_ESTIMATE] * len(self.targets_)
        return [(self.states_[where[sid]] if sid in where else
                 self.states_[0] if len(self.states_) == 1 else unknown, True)
                for sid in panel.ids]

    def _run(self, panel, horizon, coverage, future=None):
        """Mean, lower and upper forecasts, each ``(n_series, horizon, n_targets)``.

        At least the fitted horizon is forecast (and cut after): whether a series falls
        back to seasonal naive is decided on the same steps whatever ``horizon`` is asked,
        so a shorter forecast is a prefix of a longer one.
        """
        m, n_targets = self._periods(), len(self.targets_)
        asked = horizon
        if future is None:  # no future covariates to cover: at least the fitted horizon
            horizon = max(horizon, self.horizon_)
        out = np.full((3, len(panel.ids), horizon, n_targets), np.nan)
        jobs, keys = [], []
        for i, (states, new) in enumerate(self._sources(panel)):
            exog = self._exog(panel, i)
            ahead = None if exog is None else future[i]
            for j, state in enumerate(states):
                y = panel.series(i)[:, j]
                if state is None:  # failed at fit (warned there)
                    _store(out, i, j, _fallback(y, m, horizon, coverage))
                else:
                    jobs.append((y, m, horizon, coverage, state, new, exog, ahead))
                    keys.append((i, j))
        failures = []
        for (i, j), job, (result, error) in zip(keys, jobs, self._map(jobs, "predict")):
            if error is not None:
                failures.append((panel.ids[i], self.targets_[j], error))
                result = _fallback(job[0], m, horizon, coverage)
            _store(out, i, j, result)
        self._warn(failures, 5)
        return out[:, :, :asked]

    def _predict(self, panel, horizon, future):
        return self._run(panel, horizon, None, future)[0]

    def _predict_interval(self, panel, horizon, future, coverage):
        _, lower, upper = self._run(panel, horizon, coverage, future)
        return lower, upper


# ------------------------------------------------------------------------------ ARIMA
class ARIMAForecaster(_StatsmodelsForecaster):
    """Automatic (seasonal) ARIMA per series, as ``auto.arima`` of R's forecast package.

    The seasonal differencing ``D`` (0 or 1) comes from the STL seasonal strength (> 0.64),
    the differencing ``d`` from repeated KPSS tests at 5 %; then a stepwise search over
    ``(p, q)``, ``(P, Q)`` (at most 1) and a constant (when ``d + D <= 1``) minimises the
    AIC of statsmodels ``SARIMAX`` fits (at most 40 per series). New histories are
    forecast with the fitted parameters, without re-estimation.

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
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    max_p, max_d, max_q : int, default=3, 2, 3
        Largest AR order, number of differences and MA order searched.
    future_covariates : list of str or None, default=None
        Covariate columns used as exogenous regressors (SARIMAX ``exog``): their values
        must be known for the forecast period, so ``predict`` needs them in ``X``. Other
        covariates are ignored, with a warning.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: ``order``, ``seasonal_order``, ``trend`` and
        ``params`` of the chosen model; None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=60)))
    >>> model = ARIMAForecaster(horizon=3).fit(y)
    >>> model.states_[0][0]["order"]
    (1, 1, 0)
    >>> model.predict().shape
    (3,)
    """

    _capabilities = {"future_covariates": True}  # regressors (future_covariates)

    _parameter_constraints = {
        **_StatsmodelsForecaster._parameter_constraints,
        "max_p": [Interval(Integral, 0, None, closed="left")],
        "max_d": [Interval(Integral, 0, None, closed="left")],
        "max_q": [Interval(Integral, 0, None, closed="left")],
        "future_covariates": [list, tuple, None],
    }

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds", season_length="auto", max_p=3, max_d=2, max_q=3,
                 future_covariates=None, n_jobs=None, verbose=False):
        super().__init__(horizon=horizon, freq=freq, target=target, id_col=id_col,
                         time_col=time_col, season_length=season_length, n_jobs=n_jobs,
                         verbose=verbose)
        self.max_p = max_p
        self.max_d = max_d
        self.max_q = max_q
        self.future_covariates = future_covariates

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"max_p": 1, "max_q": 1}]

    def _check_params(self):  # max_p, max_d, max_q: _parameter_constraints
        names = [self.future_covariates] if isinstance(self.future_covariates, str) else \
            list(self.future_covariates or [])
        unknown = [c for c in names if c not in self.covariates_]
        if unknown:
            raise ValueError(f"future_covariates {unknown} are not covariate columns of the "
                             f"data (its covariates: {self.covariates_}).")
        self.future_covariates_ = names

    def _exog_names(self):
        return list(getattr(self, "future_covariates_", []))

    def _future_names(self):
        return self._exog_names()

    def _estimate(self, y, m, exog=None):
        return auto_arima_state(y, m, self.max_p, self.max_d, self.max_q, exog)

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        spec = {k: v for k, v in state.items() if k not in ("params", "unit")}
        forecast = SARIMAX(y, exog=exog, **spec).filter(state["params"]) \
            .get_forecast(horizon, exog=future)
        if coverage is None:
            return forecast.predicted_mean, None, None
        bounds = forecast.conf_int(alpha=1 - coverage)
        return forecast.predicted_mean, bounds[:, 0], bounds[:, 1]


# -------------------------------------------------------------------------- ETS, Theta
def _ets_specs(n, m) -> list:
    trends = [(None, False), ("add", False), ("add", True)] if n >= 4 else [(None, False)]
    seasons = [None, "add"] if m > 1 and n >= 2 * m else [None]
    return [{"trend": t, "damped_trend": damped, "seasonal": s,
             "seasonal_periods": m if s else None} for t, damped in trends for s in seasons]


class ETSForecaster(_StatsmodelsForecaster):
    """Automatic exponential smoothing (ETS) per series, on statsmodels ``ETSModel``.

    Fits every additive-error model with no, additive or damped additive trend and no or
    additive seasonality (when ``season_length > 1`` and the series spans two seasons) and
    keeps the lowest AIC (which decides whether the season is used: a seasonal-naive-style
    check, as seasonal naive and MSTL make, cost 10% on ETTh1). Seasonal fits with long
    seasons (52 weekly) are slow: about 2 s per series. On a new history the smoothing and
    damping parameters are kept
    and only the initial states are re-estimated.

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
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: the model ``spec``, its ``params`` and their
        ``names``; None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 15.0, 14.0, 16.0])
    >>> ETSForecaster(horizon=2).fit(y).predict().shape
    (2,)
    """

    def _estimate(self, y, m, exog=None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        best, best_aic = None, np.inf
        for spec in _ets_specs(len(y), m):
            try:
                res = ETSModel(pd.Series(y), error="add", **spec).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(res.aic) and res.aic < best_aic:
                best_aic = res.aic
                best = {"spec": spec, "params": res.params, "names": res.param_names}
        if best is None:
            raise ValueError("no ETS model could be fitted")
        return best

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        model = ETSModel(pd.Series(y), error="add", **state["spec"])
        if new:
            fixed = {name: value for name, value in zip(state["names"], state["params"])
                     if not name.startswith("initial")}
            with model.fix_params(fixed):
                res = model.fit(disp=False)
        else:
            res = model.smooth(state["params"])
        if coverage is None:
            return np.asarray(res.forecast(horizon)), None, None
        frame = res.get_prediction(start=len(y), end=len(y) + horizon - 1) \
            .summary_frame(alpha=1 - coverage)
        return frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), \
            frame["pi_upper"].to_numpy()


class ThetaForecaster(_StatsmodelsForecaster):
    """The Theta method (Assimakopoulos & Nikolopoulos) per series, on statsmodels.

    statsmodels ``ThetaModel``: the series is seasonally adjusted (multiplicatively) when
    ``season_length > 1`` and it tests seasonal, then forecast by simple exponential
    smoothing plus half the slope of its linear trend. Its two parameters are re-estimated
    on every history forecast (cheap: a regression and a one-parameter SES).

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
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: the fitted ``b0`` (drift) and ``alpha`` (SES);
        None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 15.0, 14.0, 16.0])
    >>> ThetaForecaster(horizon=2).fit(y).predict().shape
    (2,)
    """

    def _estimate(self, y, m, exog=None):
        params = self._theta(y, m).params
        return {"b0": float(params["b0"]), "alpha": float(params["alpha"])}

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"season_length": 7}]

    def _theta(self, y, m):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        return ThetaModel(y, period=m, deseasonalize=m > 1).fit()

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        res = self._theta(y, m)
        mean = np.asarray(res.forecast(horizon))
        if coverage is None:
            return mean, None, None
        bounds = np.asarray(res.prediction_intervals(horizon, alpha=1 - coverage))
        return mean, bounds[:, 0], bounds[:, 1]

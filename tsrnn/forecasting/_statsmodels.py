"""What the statsmodels forecasters share: one model per series fitted in parallel (joblib
jobs, each series in units of its mean absolute level), the fallback to (seasonal) naive
where statsmodels fails or explodes, and their base class. ARIMA, ETS and Theta are in
:mod:`tsrnn.forecasting.statistical`, MSTL in :mod:`tsrnn.forecasting.mstl`.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._validation import Integral, Interval, StrOptions
from .base import BaseForecaster
from .baselines import SeasonalNaiveForecaster
from .seasonality import resolve_season_length, season_lengths

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

"""An automatic forecaster: chooses (or combines) its candidates per series by backtest.

:class:`AutoForecaster` runs, inside ``fit``, a rolling-origin validation of its candidate
forecasters over the last ``n_origins`` horizons of every series, scores each candidate on
each series by MASE (on the one scale of every score of tsrnn,
:func:`tsrnn.metrics.mase_scale`, with the main season of the frequency), then per series
either selects the best candidate or combines the good ones with inverse-MASE weights, and
refits what it uses on the full data. The naive method is always a candidate, and a
combination only takes candidates that validate at least as well as naive, so on the
validation origins the forecast of every series is never worse than naive's.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from .._validation import Interval, StrOptions
from ..metrics import mase_scale
from ._candidates import (
    _MIN_VALIDATION,
    _by_name,
    _default_candidates,
    _final_job,
    _nanmean,
    _short_name,
    _subpanel,
    _unit_mase,
    _validation_job,
    candidate_weights,
)
from .base import BaseForecaster
from .seasonality import season_lengths

__all__ = ["AutoForecaster", "candidate_weights"]

_METHODS = ("select", "combine", "auto")
_LAYOUT = ("horizon", "freq", "target", "id_col", "time_col")


class AutoForecaster(BaseForecaster):
    """Choose or combine candidate forecasters per series by a backtest inside ``fit``.

    ``fit`` runs a rolling-origin validation: for each of the last ``n_origins`` horizons of
    every series (the origins step back ``horizon`` observations each), every candidate is
    fitted on the history before the origin and forecasts ``horizon`` steps, scored by MASE
    on the one scale of every score of tsrnn (:func:`tsrnn.metrics.mase_scale`, with the
    frequency's main season). Per series or for the whole panel (``per_series``), the
    candidates are then selected or combined (``method``); under ``"auto"`` the variant is
    itself chosen by backtest: chosen on the older origins, scored on the latest. The
    candidates in use are refitted on the full data. The naive method is always a candidate,
    and a combination takes only candidates that validate no worse than naive: on the
    validation origins, the forecast is at least as good as naive's (per series when chosen
    per series, on average when panel-wide).

    Series too short for a validation origin (fewer than 3 observations before it), and
    series new at predict time, get the panel-wide choice (``global_weights_``); if no
    series could be validated at all, the equal-weight mean of the candidates. A
    candidate that cannot forecast a series (too short a history for it) leaves its
    weight to the others there. A candidate that raises on the data is left out, with one
    warning naming it and the error. Candidates' own warnings during the validation fits
    are silenced (those of the final fits are not).

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast (and the length of each validation window).
    candidates : list or None, default=None
        Forecasters, ``(name, forecaster)`` pairs, or the short names of forecasters with
        their defaults (those of the command line: ``"naive"``, ``"seasonal_naive"`` or
        ``"snaive"``, ``"drift"``, ``"mean"``, ``"naive2"``, ``"theta"``, ``"ets"``,
        ``"arima"``, ``"mstl"``, ``"gru"``, ``"lstm"``, ``"rnn"``);
        forecasters are cloned, and their ``horizon``, ``freq``, ``target``, ``id_col`` and
        ``time_col`` replaced by this model's. None:
        ``GRUForecaster`` with its defaults, ``ThetaForecaster``, ``ETSForecaster``
        (``MSTLForecaster`` instead for sub-daily data), ``NaiveForecaster`` and
        ``SeasonalNaiveForecaster``; the statistical ones need statsmodels and are left
        out without it. A naive candidate is added when none is given.
    method : {"auto", "select", "combine"}, default="auto"
        ``"select"``: the best candidate; ``"combine"``: the weighted mean of the ``n_best``
        best candidates no worse than naive, weights ``1 / MASE``; ``"auto"``: with two or
        more origins, whichever does better on the latest origin when chosen from the
        earlier ones (mean MASE over the series; ``method_scores_`` holds the figures,
        ``method_`` the choice); ``"combine"`` with one origin.
    n_origins : int, default=2
        Validation origins per series (each refits every candidate).
    n_best : int, default=3
        Candidates combined at most under ``"combine"``.
    per_series : bool or "auto", default="auto"
        True: choose (or weigh) per series, from its own validation scores; False: one
        panel-wide choice (``global_weights_``, from the mean scores) for all series;
        ``"auto"``: whichever does better on the latest origin, measured as for
        ``method`` (``per_series_`` says which; per series with one origin).
    random_state : int or None, default=None
        Seed given to candidates that take one and were given none.
    n_jobs : int or None, default=None
        Candidate fits run in parallel (joblib; -1 every core). Warnings from worker
        processes are not shown.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long
        format.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Attributes
    ----------
    validation_scores_ : DataFrame
        Mean validation MASE per series (index) and candidate (columns); NaN where a
        candidate was not scored on every validation origin of the series. With several
        target columns each gets its own row and choice: the index holds the target names
        (one series) or ``(series id, target)`` pairs; the same in the attributes below.
    chosen_scores_ : Series
        Validation MASE of the forecast actually used per series (the selected candidate's
        or the combination's). Per series, never above the naive column of
        ``validation_scores_``; panel-wide, not above it on average.
    weights_ : DataFrame
        Weight of each candidate per series (one 1 per row under ``"select"``).
    choice_ : Series
        Per series, the candidate with the largest weight.
    global_weights_ : Series
        The panel-wide weights, for short and new series (and all of them with
        ``per_series=False``).
    method_ : str
        ``"select"`` or ``"combine"``: the method used.
    per_series_ : bool
        Whether the choice was made per series.
    method_scores_ : dict
        Under ``"auto"`` with two or more origins: the mean MASE on the latest origin of
        each variant (``"select"``, ``"combine"``, ``"select_global"``,
        ``"combine_global"``) chosen from the earlier origins.
    candidates_ : dict
        The candidates in use, refitted on the full data, by name (naive always).
    failed_ : dict
        Candidates left out, by name: the error.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsrnn.forecasting import NaiveForecaster, SeasonalNaiveForecaster
    >>> t = np.arange(48)
    >>> y = pd.Series(10 + np.sin(2 * np.pi * t / 12),
    ...               index=pd.date_range("2020-01", periods=48, freq="MS"))
    >>> model = AutoForecaster(horizon=12, method="select", candidates=[
    ...     NaiveForecaster(), SeasonalNaiveForecaster()]).fit(y)
    >>> model.choice_.tolist()
    ['seasonal_naive']
    >>> model.predict().shape
    (12,)
    """

    _parameter_constraints = {
        "candidates": [list, tuple, None],
        "method": [StrOptions(set(_METHODS))],
        "n_origins": [Interval(Integral, 1, None, closed="left")],
        "n_best": [Interval(Integral, 1, None, closed="left")],
        "per_series": ["boolean", StrOptions({"auto"})],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
        "n_jobs": [Interval(Integral, 1, None, closed="left"),
                   Interval(Integral, None, -1, closed="right"), None],
    }
    _capabilities = {"intervals": True}

    def __init__(self, horizon=1, candidates=None, method="auto", n_origins=2, n_best=3,
                 per_series="auto", random_state=None, n_jobs=None, freq=None, target=None,
                 id_col="unique_id", time_col="ds"):
        self.horizon = horizon
        self.candidates = candidates
        self.method = method
        self.n_origins = n_origins
        self.n_best = n_best
        self.per_series = per_series
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col

    # -- candidates --------------------------------------------------------------------
    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"n_origins": 1, "candidates": ["naive", "seasonal_naive", "drift"]}]

    def _named(self, freq=None) -> list:
        """``[(name, configured unfitted clone)]``, naive included; checks the list."""
        items = _default_candidates(freq, self.random_state) if self.candidates is None \
            else list(self.candidates)
        if not items:
            raise ValueError("candidates is empty: give at least one forecaster (naive is "
                             "always added), or None for the default set.")
        named = []
        for k, item in enumerate(items):
            name, model = item if isinstance(item, tuple) and len(item) == 2 else \
                _by_name(item, k, self.random_state) if isinstance(item, str) else (None, item)
            if not isinstance(model, BaseForecaster) or isinstance(model, AutoForecaster):
                raise TypeError(f"candidates[{k}] must be a tsrnn forecaster, a (name, "
                                f"forecaster) pair or a name (not an AutoForecaster), got "
                                f"{type(model).__name__}.")
            if name is not None and not isinstance(name, str):
                raise TypeError(f"candidates[{k}]: the name must be a str, got "
                                f"{type(name).__name__}.")
            named.append((name, model))
        taken = [n for n, _ in named if n is not None]
        dupes = sorted({n for n in taken if taken.count(n) > 1})
        if dupes:
            raise ValueError(f"candidates: the names {dupes} are given more than once.")
        out, used = [], set(taken)
        for name, model in named:
            if name is None:
                base, name, i = _short_name(model), _short_name(model), 2
                while name in used:
                    name, i = f"{base}_{i}", i + 1
                used.add(name)
            out.append((name, self._configure(model)))
        if not any(type(m).__name__ == "NaiveForecaster" for _, m in out):
            from .baselines import NaiveForecaster

            name = "naive" if "naive" not in used else "naive_auto"
            out.append((name, self._configure(NaiveForecaster())))
        return out

    def _configure(self, model):
        model = clone(model).set_params(**{k: getattr(self, k) for k in _LAYOUT})
        params = model.get_params(deep=False)
        if "random_state" in params and params["random_state"] is None:
            model.set_params(random_state=self.random_state)
        return model

    def capabilities(self) -> dict:
        """Intervals when every candidate gives them; no covariates (see the guide)."""
        if hasattr(self, "candidates_"):
            models = list(self.candidates_.values())
        else:
            try:
                models = [m for _, m in self._named()]
            except (TypeError, ValueError):
                models = []
        intervals = all(m.capabilities()["intervals"] for m in models)
        return {"intervals": intervals, "covariates": False, "future_covariates": False}

    def _min_length(self):
        return 1

    def _context_length(self):
        if not hasattr(self, "candidates_"):
            return None
        lengths = [m._context_length() for m in self.candidates_.values()]
        return None if any(n is None for n in lengths) else max(lengths)

    # -- fit ---------------------------------------------------------------------------
    def _map(self, jobs):
        if self.n_jobs is None or self.n_jobs == 1 or len(jobs) < 2:
            return [fn(*args) for fn, *args in jobs]
        from joblib import Parallel, delayed

        return Parallel(n_jobs=self.n_jobs)(delayed(fn)(*args) for fn, *args in jobs)

    def _fit(self, panel):
        named = self._named(self.freq_)
        for _, model in named:  # a bad parameter is the user's error, not a failure
            model._validate_params()
        names = [n for n, _ in named]
        naive = next(k for k, (_, m) in enumerate(named) if type(m).__name__ == "NaiveForecaster")
        fitted = {k: getattr(self, k) for k in ("horizon_", "freq_", "targets_", "covariates_",
                                                "schema_")}
        if panel.covariate_names:
            warnings.warn(f"AutoForecaster passes the covariates {list(panel.covariate_names)} "
                          "to its candidates as they are; those that do not use covariates "
                          "ignore them.", UserWarning, stacklevel=4)
        h, lengths, n_series = self.horizon_, panel.lengths, len(panel.ids)
        m = int(season_lengths(self.freq_)[0])
        errors: dict = {}
        # validation: every (origin, candidate) fit is one job
        jobs, keys = [], []
        for k in range(1, self.n_origins + 1):
            keep = lengths - k * h
            for c, (_, model) in enumerate(named):
                rows = np.flatnonzero(keep >= max(_MIN_VALIDATION, model._min_length()))
                if len(rows):
                    jobs.append((_validation_job, clone(model),
                                 _subpanel(panel, rows, keep[rows]), fitted, h))
                    keys.append((k, c, rows))
        n_t = len(panel.targets)
        preds = np.full((self.n_origins, len(named), n_series, h, n_t), np.nan)
        for (k, c, rows), (pred, error) in zip(keys, self._map(jobs)):
            if error is not None:
                errors.setdefault(names[c], error)
            else:
                preds[k - 1, c, rows] = pred
        # every (series, target) pair is a unit that gets its own choice: u = i * n_t + j
        n_units = n_series * n_t
        preds = preds.transpose(0, 1, 2, 4, 3).reshape(self.n_origins, len(named), n_units, h)
        scores = np.full((self.n_origins, len(named), n_units), np.nan)  # per origin
        actual = np.full((self.n_origins, n_units, h), np.nan)
        for k in range(1, self.n_origins + 1):
            for i in np.flatnonzero(lengths - k * h >= _MIN_VALIDATION):
                cut = lengths[i] - k * h
                for j in range(n_t):
                    u, x = i * n_t + j, panel.series(i)[:, j]
                    actual[k - 1, u] = x[cut:cut + h]
                    scale = mase_scale(x[:cut], m)  # one scale for every candidate
                    errors_u = np.abs(preds[k - 1, :, u] - x[cut:cut + h]).mean(axis=1)
                    scores[k - 1, :, u] = errors_u / scale  # NaN where no forecast
        # a candidate is eligible for a unit when scored at every origin naive was
        scored = np.isfinite(scores[:, naive])  # (origins, series)
        complete = np.all(np.isfinite(scores) | ~scored[:, None], axis=0) & scored.any(0)
        mean = np.where(complete, _nanmean(np.where(scored[:, None], scores, np.nan), 0),
                        np.nan).T  # (units, candidates)
        self.method_scores_ = self._measure(scores, preds, actual, panel, naive, m)
        method, per_series = self._decide(self.method_scores_)
        self.method_, self.per_series_ = method, per_series
        # refit what is used (naive always) on the full data; a candidate failing there is
        # left out and the weights are recomputed without it
        self.candidates_, self.fitted_series_ = {}, {}
        while True:
            weights, global_w = self._weights(mean, naive, method, per_series)
            used = [c for c in range(len(named)) if names[c] not in self.candidates_ and
                    (c == naive or weights[:, c].any())]
            jobs, keys = [], []
            for c in used:
                rows = np.flatnonzero(lengths >= named[c][1]._min_length())
                if len(rows):
                    jobs.append((_final_job, clone(named[c][1]),
                                 _subpanel(panel, rows, lengths[rows]), fitted))
                    keys.append((c, rows))
            failed = False
            for (c, rows), (model, error) in zip(keys, self._map(jobs)):
                if error is None:
                    self.candidates_[names[c]] = model
                    self.fitted_series_[names[c]] = rows
                    continue
                if c == naive:
                    raise ValueError(f"AutoForecaster: the naive candidate failed ({error}).")
                errors.setdefault(names[c], error)
                mean[:, c], failed = np.nan, True
            if not failed:
                break
        for name, error in errors.items():
            where = " where it failed" if name in self.candidates_ else ""
            warnings.warn(f"AutoForecaster: candidate {name!r} failed on the data ({error}); "
                          f"it is left out{where}.", UserWarning, stacklevel=4)
        self.failed_ = dict(errors)
        ids = self._unit_index(panel)
        self.validation_scores_ = pd.DataFrame(mean, index=ids, columns=names)
        self.weights_ = pd.DataFrame(weights, index=ids, columns=names)
        self.global_weights_ = pd.Series(global_w, index=names)
        self.choice_ = pd.Series([names[c] for c in np.argmax(weights, axis=1)], index=ids,
                                 name="choice")
        self.chosen_scores_ = pd.Series(self._chosen_scores(weights, scores, preds, actual,
                                                            panel, naive, m),
                                        index=ids, name="mase")

    def _weights(self, mean, naive, method, per_series):
        """Per-series and global weights from the mean validation scores."""
        n_best = int(self.n_best)
        full = np.isfinite(mean).all(axis=1)
        overall = _nanmean(mean[full] if full.any() else mean, 0)
        global_w = candidate_weights(overall[None], naive, method, n_best)[0]
        if not global_w.any():  # nothing validated: the equal-weight mean
            global_w = np.full(mean.shape[1], 1.0 / mean.shape[1])
        weights = candidate_weights(mean, naive, method, n_best) if per_series else \
            np.zeros_like(mean)
        weights[~weights.any(axis=1)] = global_w  # short series (or all): the global choice
        return weights, global_w

    def _variants(self) -> list:
        """The ``(method, per_series)`` pairs that ``method`` and ``per_series`` allow."""
        methods = ("select", "combine") if self.method == "auto" else (self.method,)
        scopes = (True, False) if isinstance(self.per_series, str) else (bool(self.per_series),)
        return [(m, p) for m in methods for p in scopes]

    def _measure(self, scores, preds, actual, panel, naive, m) -> dict:
        """Mean MASE on the latest origin of each variant chosen from the older origins,
        over the series every variant forecasts there (empty with one origin)."""
        variants = self._variants()
        if self.n_origins < 2 or len(variants) < 2:
            return {}
        older = scores[1:]
        scored = np.isfinite(older[:, naive])
        complete = np.all(np.isfinite(older) | ~scored[:, None], axis=0) & scored.any(0)
        mean = np.where(complete, _nanmean(np.where(scored[:, None], older, np.nan), 0),
                        np.nan).T
        rows = np.flatnonzero(np.isfinite(scores[0, naive]) & complete.any(axis=0))
        table = np.full((len(variants), len(rows)), np.nan)
        for v, (method, per_series) in enumerate(variants):
            w, _ = self._weights(mean.copy(), naive, method, per_series)
            table[v] = [self._combined_mase(w[i], preds[0, :, i], actual[0, i], panel, i, 1, m)
                        for i in rows]
        ok = np.isfinite(table).all(axis=0)
        if not ok.any():
            return {}
        return {f"{method}{'' if per_series else '_global'}": float(np.mean(table[v, ok]))
                for v, (method, per_series) in enumerate(variants)}

    def _decide(self, measured: dict) -> tuple:
        """The variant with the lowest measured MASE; without a measurement, ``"combine"``
        (under ``"auto"``) per series (under ``"auto"``)."""
        variants = self._variants()
        if measured:
            best = min(measured, key=measured.get)  # first on ties: select, per series
            return variants[list(measured).index(best)]
        methods = {m for m, _ in variants}
        scopes = {p for _, p in variants}
        return ("combine" if "combine" in methods else methods.pop(),
                True if True in scopes else scopes.pop())

    def _unit_index(self, panel) -> pd.Index:
        """Labels of the units: the series ids (with one target), the target names (one
        series without an id), else ``(series id, target)`` pairs."""
        n_t = len(panel.targets)
        if n_t == 1:
            return pd.Index(panel.ids, tupleize_cols=False)
        if len(panel.ids) == 1 and panel.ids[0] is None:
            return pd.Index(panel.targets)
        return pd.MultiIndex.from_tuples([(sid, t) for sid in panel.ids for t in panel.targets],
                                         names=[self.id_col, "target"])

    def _combined_mase(self, w, preds, actual, panel, u, k, m):
        """MASE of the ``w``-weighted forecast of series ``i`` at origin ``k``; a candidate
        with no forecast there gives its weight up, as at predict time."""
        use = (w > 0) & np.isfinite(preds).all(axis=1)
        if not use.any():
            return np.nan
        forecast = np.tensordot(w[use] / w[use].sum(), preds[use], axes=1)
        n_t = len(panel.targets)
        x = panel.series(u // n_t)[:, u % n_t]
        return _unit_mase(actual, forecast, x[:len(x) - k * self.horizon_], m)

    def _chosen_scores(self, weights, scores, preds, actual, panel, naive, m):
        out = np.full(len(weights), np.nan)
        w_all = weights
        for i in range(len(weights)):
            per_origin = [self._combined_mase(w_all[i], preds[k, :, i], actual[k, i], panel, i,
                                              k + 1, m)
                          for k in range(self.n_origins) if np.isfinite(scores[k, naive, i])]
            if per_origin:
                out[i] = np.mean(per_origin)
        return out

    # -- predict -----------------------------------------------------------------------
    def _weights_for(self, panel) -> np.ndarray:
        """``(n_series, n_targets, n_candidates)`` weights (over ``weights_.columns``)."""
        names = list(self.weights_.columns)
        n_t, n_c = len(self.targets_), len(names)
        table = self.weights_.to_numpy().reshape(-1, n_t, n_c)
        glob = self.global_weights_.to_numpy()
        if panel is self.train_panel_:
            out = table.copy()
        else:
            where = {sid: i for i, sid in enumerate(self.train_panel_.ids)}
            out = np.stack([table[where[s]] if s in where else np.tile(glob, (n_t, 1))
                            for s in panel.ids]) if len(panel.ids) else np.zeros((0, n_t, n_c))
        out[~out.any(axis=2)] = glob
        # a candidate not in use, or one that cannot forecast a series, gives its weight up
        for c, name in enumerate(names):
            model = self.candidates_.get(name)
            if model is None:
                out[:, :, c] = 0.0
            else:
                out[panel.lengths < model._min_history(), :, c] = 0.0
        naive = names.index(next(n for n, mdl in self.candidates_.items()
                                 if type(mdl).__name__ == "NaiveForecaster"))
        total = out.sum(axis=2)
        out[:, :, naive] = np.where(total == 0, 1.0, out[:, :, naive])
        return out / np.where(total == 0, 1.0, total)[:, :, None]

    def _candidate_panel(self, name, panel):
        """The panel to give candidate ``name`` and the rows of ``panel`` it holds."""
        model = self.candidates_[name]
        if panel is self.train_panel_:
            return model.train_panel_, self.fitted_series_[name]
        rows = np.flatnonzero(panel.lengths >= model._min_history())
        return _subpanel(panel, rows, panel.lengths[rows]), rows

    def _combine(self, panel, horizon, run):
        check_is_fitted(self, "candidates_")
        weights = self._weights_for(panel)
        names = list(self.weights_.columns)
        outs = None
        for c in np.flatnonzero(weights.any(axis=(0, 1))):
            sub, rows = self._candidate_panel(names[c], panel)
            results = run(self.candidates_[names[c]], sub)
            if outs is None:
                outs = [np.zeros((len(panel.ids), horizon, len(self.targets_)))
                        for _ in results]
            for out, res in zip(outs, results):
                out[rows] += weights[rows, :, c][:, None, :] * np.asarray(res)[:, :horizon]
        return outs

    def _predict(self, panel, horizon, future):
        return self._combine(panel, horizon,
                             lambda model, sub: [model._predict(sub, horizon, None)])[0]

    def _predict_interval(self, panel, horizon, future, coverage):
        def run(model, sub):
            if not model.capabilities()["intervals"]:
                raise ValueError(f"AutoForecaster: candidate {type(model).__name__} gives no "
                                 "prediction intervals.")
            return model._predict_interval(sub, horizon, None, coverage)

        lower, upper = self._combine(panel, horizon, run)
        return np.minimum(lower, upper), np.maximum(lower, upper)

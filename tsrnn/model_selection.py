"""Time-series cross-validation, backtesting and model comparison.

- :class:`ExpandingWindowSplit`, :class:`SlidingWindowSplit`: scikit-learn cv objects for
  one time-indexed series or a long-format panel (all series cut at the same timestamps,
  or, with ``align="end"``, each series at its own last timestamps).
- :func:`backtest`: rolling-origin forecasts of one forecaster, with errors per fold,
  series and horizon step, and a per-fold summary; covariates are taken from the data for
  each origin (known future ones for the forecast period), and prediction intervals are
  scored when ``coverage`` is given.
- :func:`compare`: a leaderboard of several forecasters on the same folds
  (``forecasters="auto"``: seasonal baselines chosen from the frequency).

The MASE scale uses ``season_length="auto"`` by default: the main season of the data's
frequency (:mod:`tsrnn.forecasting.seasonality`); a series whose training part does not
exceed one season is scaled by its one-step naive error instead.
"""

from __future__ import annotations

import time
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._registry import SHORT_NAMES
from ._validation import (
    Integral,
    Interval,
    StrOptions,
    ValidatedParams,
    check_positive_int,
    positive_int,
    validate_params,
)
from .forecasting._data import infer_freq, long_target
from .forecasting.seasonality import resolve_season_length

__all__ = ["BacktestResult", "ExpandingWindowSplit", "SlidingWindowSplit", "backtest",
           "compare", "default_forecasters"]

METRICS = ("mae", "rmse", "smape", "mase")
INTERVAL_METRICS = ("coverage", "width", "msis")


def _end_ranks(ids, times) -> np.ndarray:
    """Per row, ``(longest series length - 1) - steps before the end of its own series``:
    the last row of every series gets the same rank (rows in time order per series)."""
    codes = pd.factorize(ids)[0]
    order = np.lexsort((np.asarray(pd.factorize(times, sort=True)[0]), codes))
    counts = np.bincount(codes)
    pos = np.empty(len(codes), dtype=np.int64)
    pos[order] = np.arange(len(codes)) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos + (counts.max() - counts)[codes]


def _timeline(X, id_col: str, time_col: str, align: str = "time") -> np.ndarray:
    """Rank of each row's timestamp among the distinct sorted timestamps of ``X``.

    Long format (an ``id_col`` column, or an (id, time) MultiIndex) ranks the timestamps
    (``align="time"``), or each row's distance from the end of its own series
    (``align="end"``: series ending on different dates are cut at their own last steps);
    anything else is one series whose rows are in time order.
    """
    ids = None
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        times, ids = X.index.get_level_values(-1), X.index.get_level_values(0)
    elif isinstance(X, pd.DataFrame) and id_col in X.columns:
        if time_col not in X.columns:
            raise ValueError(f"long-format data needs the time column {time_col!r}; got "
                             f"{list(X.columns)} (set time_col).")
        times, ids = pd.Index(X[time_col]), X[id_col].to_numpy()
    else:
        n = len(X)
        index = getattr(X, "index", None)
        if index is not None and not (index.is_monotonic_increasing and index.is_unique):
            raise ValueError("the time index must be sorted and unique; sort the data by time.")
        return np.arange(n)
    if times.hasnans:
        raise ValueError(f"the time column {time_col!r} contains missing values.")
    if align == "end":
        return _end_ranks(ids, times)
    return pd.factorize(times, sort=True)[0]


class _WindowSplit(ValidatedParams):
    """Shared logic: folds are windows of distinct timestamps; rows are yielded by position."""

    # checked at the start of split(), like an estimator's parameters at fit
    _parameter_constraints = {
        "n_splits": [positive_int()],
        "test_size": [positive_int()],
        "gap": [Interval(Integral, 0, None, closed="left")],
        "min_train_size": [positive_int(), None],
        "train_size": [positive_int()],
        "id_col": [str, Integral],
        "time_col": [str, Integral],
        "align": [StrOptions({"time", "end"})],
    }

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` arrays of row positions, one pair per fold, oldest first.

        Parameters
        ----------
        X : Series, DataFrame or array-like
            One series in time order, or a long-format panel.
        y, groups : ignored
            For scikit-learn compatibility.
        """
        validate_params(self)
        align = getattr(self, "align", "time")
        codes = _timeline(X, self.id_col, self.time_col, align)
        if len(codes) == 0:
            raise ValueError("cannot split empty data.")
        for lo, hi, start, stop in self._windows(int(codes.max()) + 1):
            yield (np.flatnonzero((codes >= lo) & (codes < hi)),
                   np.flatnonzero((codes >= start) & (codes < stop)))

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Number of folds."""
        return check_positive_int(self.n_splits, "n_splits")

    def _test_starts(self, n_times: int, train_size: int):
        n_splits = self.get_n_splits()
        test_size = check_positive_int(self.test_size, "test_size")
        gap = check_positive_int(self.gap, "gap", minimum=0)
        first = n_times - n_splits * test_size
        if first - gap < train_size:
            raise ValueError(f"{n_times} distinct timestamps are too few for n_splits="
                             f"{n_splits}, test_size={test_size}, gap={gap} and a training "
                             f"window of {train_size}: {n_splits * test_size + gap + train_size}"
                             " are needed.")
        return [first + k * test_size for k in range(n_splits)], test_size, gap

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class ExpandingWindowSplit(_WindowSplit):
    """Folds whose training window grows: all timestamps before each test window.

    The last ``n_splits * test_size`` distinct timestamps form ``n_splits`` consecutive
    test windows; fold ``k`` trains on every timestamp before its window minus ``gap``.

    Parameters
    ----------
    n_splits : int, default=3
        Number of folds.
    test_size : int, default=1
        Distinct timestamps per test window (the forecast horizon).
    gap : int, default=0
        Timestamps left out between the training and the test window.
    min_train_size : int or None, default=None
        Fewest training timestamps of the first fold (default 1); fewer raise a ValueError.
    id_col, time_col : str, default="unique_id", "ds"
        Columns of long-format panels.
    align : {"time", "end"}, default="time"
        Panels: cut every series at the same timestamps (``"time"``: a series that ends
        early has no test rows in the last folds), or each series at its own last steps
        (``"end"``: every series is in every fold; what :func:`backtest` uses).

    Examples
    --------
    >>> import numpy as np
    >>> cv = ExpandingWindowSplit(n_splits=2, test_size=2)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros(6))]
    [([0, 1], [2, 3]), ([0, 1, 2, 3], [4, 5])]
    """

    def __init__(self, n_splits=3, test_size=1, gap=0, min_train_size=None,
                 id_col="unique_id", time_col="ds", align="time"):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.min_train_size = min_train_size
        self.id_col = id_col
        self.time_col = time_col
        self.align = align

    def _windows(self, n_times: int):
        minimum = 1 if self.min_train_size is None else \
            check_positive_int(self.min_train_size, "min_train_size")
        starts, test_size, gap = self._test_starts(n_times, minimum)
        return [(0, s - gap, s, s + test_size) for s in starts]


class SlidingWindowSplit(_WindowSplit):
    """Folds with a training window of fixed length ``train_size`` before each test window.

    Parameters
    ----------
    n_splits : int, default=3
        Number of folds.
    train_size : int, default=10
        Distinct timestamps per training window.
    test_size : int, default=1
        Distinct timestamps per test window.
    gap : int, default=0
        Timestamps left out between the training and the test window.
    id_col, time_col : str, default="unique_id", "ds"
        Columns of long-format panels.
    align : {"time", "end"}, default="time"
        As in :class:`ExpandingWindowSplit`.

    Examples
    --------
    >>> import numpy as np
    >>> cv = SlidingWindowSplit(n_splits=2, train_size=2, test_size=1, gap=1)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros(6))]
    [([1, 2], [4]), ([2, 3], [5])]
    """

    def __init__(self, n_splits=3, train_size=10, test_size=1, gap=0, id_col="unique_id",
                 time_col="ds", align="time"):
        self.n_splits = n_splits
        self.train_size = train_size
        self.test_size = test_size
        self.gap = gap
        self.id_col = id_col
        self.time_col = time_col
        self.align = align

    def _windows(self, n_times: int):
        size = check_positive_int(self.train_size, "train_size")
        starts, test_size, gap = self._test_starts(n_times, size)
        return [(s - gap - size, s - gap, s, s + test_size) for s in starts]


# ---------------------------------------------------------------------------- backtest
class BacktestResult(NamedTuple):
    """Output of :func:`backtest`.

    ``forecasts`` has one row per fold, series and test timestamp (columns ``fold``,
    ``<id_col>``, ``<time_col>``, ``step``, ``y``, ``y_pred``, ``error``, ``abs_error``,
    ``scaled_error``, and with ``coverage`` also ``y_lower``, ``y_upper``); ``summary`` one
    row per fold (``cutoff``, ``n_series``, ``mae``, ``rmse``, ``smape``, ``mase``, with
    ``coverage`` also ``coverage``, ``width`` and ``msis``, then ``fit_time``,
    ``predict_time``).
    """

    forecasts: pd.DataFrame
    summary: pd.DataFrame


def _drop_short(train, test, id_col: str, min_length: int):
    """Leave out (with a warning) the series with too short a training part."""
    if not isinstance(train, pd.DataFrame) or id_col not in train.columns:
        return train, test
    every = pd.concat([train[id_col], test[id_col]]).unique()
    counts = train[id_col].value_counts().reindex(every, fill_value=0)
    short = counts.index[counts < min_length].tolist()
    if short:
        warnings.warn(f"series {short} have fewer than {min_length} training observations "
                      "in this fold and are left out of it.", UserWarning, stacklevel=3)
        train, test = train[~train[id_col].isin(short)], test[~test[id_col].isin(short)]
    return train, test


def _scales(train: pd.DataFrame, id_col: str, m: int) -> pd.Series:
    """The MASE scale of each series' training part (:func:`tsrnn.metrics.mase_scale`:
    the in-sample seasonal naive MAE at lag ``m``, lag 1 for a series of at most ``m``
    values, the level for a flat one), the same as ``score`` computes."""
    from .metrics import segment_scales

    codes, uniques = pd.factorize(train[id_col], sort=False)
    order = np.argsort(codes, kind="stable")  # rows of each series, in time order
    counts = np.bincount(codes, minlength=len(uniques))
    ends = np.cumsum(counts)
    values = train["value"].to_numpy(dtype=np.float64)[order]
    return pd.Series(segment_scales(values, ends - counts, ends, m), index=uniques,
                     name="scale")


def _fold_rows(pred, test, train, target, keys, m, bounds=None,
               coverage=None) -> pd.DataFrame:
    pred = long_target(pred, target, *keys).rename(columns={"value": "y_pred"})
    pred["step"] = pred.groupby(keys[0], sort=False).cumcount() + 1
    columns = []
    if coverage is not None:  # NaN bounds for a forecaster without intervals
        for side in ("lower", "upper"):
            pred[f"y_{side}"] = np.nan if bounds is None else \
                long_target(bounds, f"{target}_{side}", *keys)["value"].to_numpy()
            columns.append(f"y_{side}")
    truth = long_target(test, target, *keys).rename(columns={"value": "y"})
    rows = truth.merge(pred, on=list(keys), how="inner")
    rows = rows.merge(_scales(long_target(train, target, *keys), keys[0], m), left_on=keys[0],
                      right_index=True, how="left")
    rows["error"] = rows["y"] - rows["y_pred"]
    rows["abs_error"] = rows["error"].abs()
    rows["scaled_error"] = rows["abs_error"] / rows["scale"]
    if coverage is not None:  # M4's interval score, scaled like MASE
        alpha = 1 - coverage
        lo, hi, y = rows["y_lower"], rows["y_upper"], rows["y"]
        score = (hi - lo) + 2 / alpha * ((lo - y).clip(lower=0) + (y - hi).clip(lower=0))
        rows["scaled_interval_score"] = score / rows["scale"]
        columns.append("scaled_interval_score")
    return rows[[*keys, "step", "y", "y_pred", "error", "abs_error", "scaled_error",
                 *columns]]


def _summary(rows: pd.DataFrame, id_col: str) -> pd.Series:
    """Metrics of one fold: per-series values averaged over series (M4 convention)."""
    denom = rows["y"].abs() + rows["y_pred"].abs()
    ratio = np.where(denom > 0, 200 * rows["abs_error"] / denom.where(denom > 0, 1), 0.0)
    extra = {}
    if "y_lower" in rows.columns:
        extra = {"coverage": ("inside", "mean"), "width": ("width", "mean"),
                     "msis": ("scaled_interval_score", "mean")}
        inside = (rows["y"] >= rows["y_lower"]) & (rows["y"] <= rows["y_upper"])
        rows = rows.assign(inside=inside.where(rows["y_lower"].notna()).astype(float),
                           width=rows["y_upper"] - rows["y_lower"])
    per = rows.assign(sq=rows["error"] ** 2, sm=ratio).groupby(id_col, sort=False).agg(
        mae=("abs_error", "mean"), mse=("sq", "mean"), smape=("sm", "mean"),
        mase=("scaled_error", "mean"), **extra)
    out = {"n_series": len(per), "mae": per["mae"].mean(), "rmse": np.sqrt(per["mse"]).mean(),
           "smape": per["smape"].mean(), "mase": per["mase"].mean()}
    return pd.Series({**out, **{k: per[k].mean() for k in extra}})


def _with_covariates(model, train, test):
    """``(X, y)`` for ``predict``: the covariates over the fold's training and test rows
    (known future ones are read for the forecast period) and the training target."""
    frame = pd.concat([train, test])
    keys = [c for c in (model.id_col, model.time_col) if c in train.columns]
    y = train[[*keys, *model.targets_]]
    return frame[[*keys, *model.covariates_]], y


def _forecast_fold(forecaster, model, train, horizon: int, refit: bool, test=None,
                   coverage=None):
    """Fit (a clone, unless reusing ``model``) and forecast one fold; returns timings too.

    The forecast (and, with ``coverage``, the interval, None for a model without) comes
    from the end of ``train``; covariates are taken from ``train`` and ``test``.
    """
    start = time.perf_counter()
    fresh = refit or model is None  # fitted on this fold's ``train``: forecast its end
    if fresh:
        model = clone(forecaster).fit(train)
    fitted = time.perf_counter()
    if len(model.targets_) != 1:
        raise ValueError(f"backtest scores one target; the data has {model.targets_}: "
                         "set the forecaster's target.")
    if getattr(model, "covariates_", None):
        X, y = _with_covariates(model, train, train.iloc[:0] if test is None else test)
        args = {"X": X, "y": y, "horizon": horizon}
    else:
        args = {"horizon": horizon} if fresh else {"X": train, "horizon": horizon}
    pred = model.predict(**args)
    bounds = None
    if coverage is not None:
        try:
            bounds = model.predict_interval(**args, coverage=coverage)
        except (NotImplementedError, ValueError) as exc:  # no intervals: NaN scores
            warnings.warn(f"{type(model).__name__} gives no prediction intervals here, so "
                          f"they are not scored: {exc}", UserWarning, stacklevel=2)
    timing = pd.Series({"fit_time": fitted - start,
                        "predict_time": time.perf_counter() - fitted})
    return model, (pred, bounds), timing


def _recording(func, *args):
    """``func(*args)`` and the warnings it raised, as ``(category, message)`` pairs (a
    fold's warnings, re-emitted once for all folds by ``_warn_once``)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args)
    return result, [(w.category, str(w.message)) for w in caught]


def _warn_once(per_fold: list) -> None:
    """Each distinct warning of the folds once, saying in how many folds it arose: one
    warning per problem, never one per origin."""
    counts: dict = {}
    for caught in per_fold:
        for key in dict.fromkeys(caught):
            counts[key] = counts.get(key, 0) + 1
    for (category, message), count in counts.items():
        where = f" (in {count} of {len(per_fold)} folds)" if len(per_fold) > 1 else ""
        warnings.warn(message + where, category, stacklevel=3)


def _warn_unscored(data, test, fold, id_col: str) -> None:
    """Say loudly which series a fold does not score (a cv cutting panels at common times)."""
    if not isinstance(data, pd.DataFrame) or id_col not in data.columns:
        return
    missing = sorted(set(data[id_col].unique()) - set(test[id_col].unique()), key=str)
    if missing:
        warnings.warn(f"fold {fold} scores no forecast for series {missing[:10]}"
                      f"{' and more' if len(missing) > 10 else ''}: they have no test rows "
                      "in it (they end before it). The default cv (align='end') scores "
                      "every series at its own last steps.", UserWarning, stacklevel=3)


class _IndexPairs:
    """An iterable of ``(train, test)`` row positions (what scikit-learn's ``cv`` also
    takes) as a splitter; each part is checked, sorted and deduplicated when split."""

    def __init__(self, pairs: list) -> None:
        self.pairs = pairs

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return len(self.pairs)

    def split(self, X, y=None, groups=None):
        for fold, (train, test) in enumerate(self.pairs):
            yield (_positions(train, len(X), fold, "train"),
                   _positions(test, len(X), fold, "test"))


def _positions(part, n_rows: int, fold: int, what: str) -> np.ndarray:
    """Row positions (or a boolean mask) of one part of a fold, as sorted positions."""
    arr = np.asarray(part)
    if arr.dtype == bool and arr.shape == (n_rows,):
        return np.flatnonzero(arr)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"fold {fold} of cv: its {what} part must be a 1D array of row "
                        f"positions (integers), got dtype {arr.dtype} and shape {arr.shape}.")
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= n_rows)
    if bad.any():
        raise ValueError(f"fold {fold} of cv: row position {arr[bad][0]} of its {what} part "
                         f"is out of range for data of {n_rows} rows.")
    return np.unique(arr)


def check_backtest_cv(cv, forecaster, n_origins: int = 3):
    """What :func:`backtest` takes as ``cv``, as a splitter: None (``n_origins`` folds) or
    an int (that many folds) give ``ExpandingWindowSplit(test_size=horizon, align="end")``;
    an object with ``split`` is used as it is; an iterable of ``(train, test)`` row
    positions (as scikit-learn accepts) is checked fold by fold."""
    if cv is None or isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        n_splits = n_origins if cv is None else cv
        return ExpandingWindowSplit(
            n_splits=check_positive_int(n_splits, "n_origins" if cv is None else "cv"),
            test_size=check_positive_int(forecaster.horizon, "horizon"),
            id_col=getattr(forecaster, "id_col", "unique_id"),
            time_col=getattr(forecaster, "time_col", "ds"), align="end")
    if hasattr(cv, "split") and not isinstance(cv, (str, bytes)):
        return cv
    if isinstance(cv, (str, bytes, bool)) or not hasattr(cv, "__iter__"):
        raise TypeError(f"cv must be None, an int (folds), a splitter with split(X) or an "
                        f"iterable of (train, test) row positions; got {cv!r}.")
    pairs = list(cv)
    for fold, pair in enumerate(pairs):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"fold {fold} of cv must be a (train, test) pair of row "
                             f"positions; got {str(pair)[:80]}.")
    if not pairs:
        raise ValueError("cv holds no (train, test) pairs.")
    return _IndexPairs(pairs)


def backtest(forecaster, data, cv=None, n_origins: int = 3, refit: bool = True,
             season_length="auto", n_jobs=None, coverage=None) -> BacktestResult:
    """Rolling-origin evaluation of a forecaster.

    Parameters
    ----------
    forecaster : BaseForecaster
        An unfitted forecaster (it is cloned, never changed).
    data : Series or DataFrame
        One time-indexed series or a long-format panel, with one target.
    cv : int, cv object, iterable of (train, test) pairs or None, default=None
        Splitter yielding ``(train, test)`` row positions with test after train, or (as
        scikit-learn accepts) a list of such pairs of row positions, or an int (that many
        folds of the default splitter); default
        ``ExpandingWindowSplit(n_origins, test_size=forecaster.horizon, align="end")``:
        every series of a panel is scored at its own last steps, even where series end on
        different dates. Each fold is forecast from the end of its training data up to its
        last test timestamp. A fold in which some series have no test rows says so in a
        warning naming them.
    n_origins : int, default=3
        Number of folds of the default ``cv``.
    refit : bool, default=True
        Fit a fresh clone on every fold's training data. If False, fit once on the first
        fold's training data and forecast each later fold from its training data as new
        history (``predict(X=history)``, all series in one call). Covariates (columns
        beside the target) are given to every forecast: their values over the fold's
        training rows, and over its test rows for the known future ones, with or
        without refitting.
    season_length : int or "auto", default="auto"
        Seasonal period ``m`` of the MASE scale (in-sample seasonal naive error);
        ``"auto"``: the main season of the data's frequency (24 hourly, 7 daily...).
    n_jobs : int or None, default=None
        Folds fitted in parallel when ``refit`` (joblib, one job per fold): under
        ``joblib.parallel_config(backend="dask")`` they run on a Dask cluster.
    coverage : float or None, default=None
        If given, also score the forecaster's prediction intervals of this nominal
        coverage: empirical ``coverage``, mean ``width`` and ``msis`` (M4's mean scaled
        interval score: width plus ``2 / (1 - coverage)`` times the miss, over the MASE
        scale; lower is better). NaN for a forecaster without intervals.

    Returns
    -------
    BacktestResult
        ``(forecasts, summary)`` data frames; series whose training part is shorter than
        the forecaster needs are left out of that fold, with a warning.

    Examples
    --------
    >>> from tsrnn.datasets import make_sine
    >>> from tsrnn.forecasting import NaiveForecaster
    >>> result = backtest(NaiveForecaster(horizon=2), make_sine(n=30), n_origins=3)
    >>> result.forecasts.shape[0], list(result.summary.index)
    (6, [0, 1, 2])
    """
    keys = (getattr(forecaster, "id_col", "unique_id"), getattr(forecaster, "time_col", "ds"))
    if not (isinstance(season_length, str) and season_length == "auto"):
        resolve_season_length(season_length, None)  # checked before any fit
    if coverage is not None and not (isinstance(coverage, float) and 0 < coverage < 1):
        raise ValueError(f"coverage must be a float in (0, 1) or None, got {coverage!r}.")
    cv = check_backtest_cv(cv, forecaster, n_origins)
    codes = _timeline(data, *keys, getattr(cv, "align", "time"))
    folds = []
    for fold, (tr, te) in enumerate(cv.split(data)):
        if len(tr) == 0 or len(te) == 0 or codes[te].min() <= codes[tr].max():
            raise ValueError(f"fold {fold} of cv must have test timestamps after every "
                             "training timestamp (and neither part empty).")
        _warn_unscored(data, data.iloc[te], fold, keys[0])
        train, test = _drop_short(data.iloc[tr], data.iloc[te], keys[0],
                                  forecaster._min_length())
        folds.append((train, test, int(codes[te].max() - codes[tr].max())))
    if refit:  # independent folds: one joblib job each (a Dask cluster under parallel_config)
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=n_jobs)(
            delayed(_recording)(_forecast_fold, forecaster, None, train, horizon, True, test,
                                coverage)
            for train, test, horizon in folds)
    else:
        fitted, model = [], None
        for train, test, horizon in folds:
            (model, pred, timing), caught = _recording(
                _forecast_fold, forecaster, model, train, horizon, False, test, coverage)
            fitted.append(((model, pred, timing), caught))
    fitted, caught = [f for f, _ in fitted], [c for _, c in fitted]
    _warn_once(caught)
    rows, summaries = [], []
    for fold, ((train, test, _), (model, (pred, bounds), timing)) in enumerate(
            zip(folds, fitted)):
        m = resolve_season_length(season_length, model.freq_)
        fold_rows = _fold_rows(pred, test, train, model.targets_[0], keys, m, bounds, coverage)
        rows.append(fold_rows.assign(fold=fold))
        cutoff = pd.Series({"cutoff": long_target(train, model.targets_[0], *keys)[keys[1]].max()})
        summaries.append(pd.concat([cutoff, _summary(fold_rows, keys[0]), timing]))
    forecasts = pd.concat(rows, ignore_index=True)
    forecasts = forecasts[["fold", *forecasts.columns[:-1]]]
    summary = pd.DataFrame(summaries).rename_axis("fold").infer_objects()
    return BacktestResult(forecasts, summary.astype({"n_series": int}))


# ----------------------------------------------------------------------------- compare
def default_forecasters(freq, horizon: int, **layout) -> dict:
    """Zero-configuration baselines for data of frequency ``freq``, by name.

    ``naive``, ``seasonal_naive``, ``theta`` and ``ets`` (every season from the
    frequency, ``season_length="auto"``); for sub-daily data (several seasons: a day and a
    week) ``mstl`` replaces ``ets``, whose single season cannot hold both (and whose fits
    with 48 or more seasonal states are slow). Theta, ETS and MSTL need statsmodels and
    are left out without it.

    Parameters
    ----------
    freq : str, pandas offset, int or None
        The data's frequency (as ``freq_`` of a fitted forecaster).
    horizon : int
        Steps to forecast.
    **layout
        ``target``, ``id_col``, ``time_col`` and ``freq`` given to every forecaster.

    Examples
    --------
    >>> list(default_forecasters("30min", horizon=48))
    ['naive', 'seasonal_naive', 'theta', 'mstl']
    >>> list(default_forecasters("MS", horizon=12))
    ['naive', 'seasonal_naive', 'theta', 'ets']
    """
    import importlib.util

    from . import forecasting

    offset = None if freq is None or isinstance(freq, int) else \
        pd.tseries.frequencies.to_offset(freq)
    sub_daily = isinstance(offset, pd.offsets.Tick) and pd.Timedelta(offset) < pd.Timedelta("1D")
    names = ["naive", "seasonal_naive"]
    if importlib.util.find_spec("statsmodels") is not None:
        names += ["theta", "mstl" if sub_daily else "ets"]
    return {name: getattr(forecasting, SHORT_NAMES[name])(horizon=horizon, **layout)
            for name in names}


def _auto_forecasters(data, cv, horizon, layout: dict) -> dict:
    """``default_forecasters`` for the frequency of ``data``."""
    if horizon is None:
        horizon = getattr(cv, "test_size", None)
        if horizon is None:
            raise ValueError("forecasters='auto' needs horizon= (or a cv with test_size).")
    layout = dict(layout)
    given = layout.pop("freq", None)  # compare's freq=: set on the forecasters after
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        freq = infer_freq(data, **layout, freq=given)
    return default_forecasters(freq, check_positive_int(horizon, "horizon"), **layout)


def compare(forecasters, data, cv=None, n_origins: int = 3, refit: bool = True,
            metrics=METRICS, season_length="auto", plot=None,
            n_plot_series: int = 3, n_jobs=None, coverage=None, horizon=None,
            target=None, id_col="unique_id", time_col="ds", freq=None) -> pd.DataFrame:
    """Backtest several forecasters on the same folds and rank them by MASE.

    Parameters
    ----------
    forecasters : dict of str to BaseForecaster, or "auto"
        Unfitted forecasters by name; ``"auto"``: :func:`default_forecasters` for the
        data's frequency (seasonal naive, Theta, ETS, or MSTL for sub-daily data), built
        with ``horizon``, ``target``, ``id_col`` and ``time_col``.
    data, cv, n_origins, refit, season_length, n_jobs, coverage
        As in :func:`backtest`; the default ``cv`` uses the first forecaster's horizon.
        With ``coverage``, the leaderboard also has ``coverage``, ``width`` and ``msis``.
    metrics : sequence of str, default=("mae", "rmse", "smape", "mase")
        Columns of the leaderboard; MASE is always included.
    plot : str, path or None, default=None
        If given, save there a figure of every fold's forecasts (and intervals, with
        ``coverage``) against the truth, one panel per series for the first
        ``n_plot_series`` series (needs matplotlib).
    n_plot_series : int, default=3
        Series shown in the figure.
    horizon : int or None, default=None
        Steps to forecast, for ``forecasters="auto"``.
    target, id_col, time_col : default=None, "unique_id", "ds"
        Layout of ``data``, for ``forecasters="auto"``.
    freq : str, pandas offset or None, default=None
        Frequency of ``data`` (a pandas alias, an offset such as a ``CustomBusinessDay``,
        or an exchange's name such as ``"XNYS"`` for its trading days), given to every
        forecaster whose own ``freq`` is None (and to the naive reference); None: each
        infers it.

    Returns
    -------
    DataFrame
        One row per forecaster (index ``model``), sorted by MASE: the mean of each metric
        over folds, ``skill`` (``1 - mase / mase_naive``, the naive method backtested on
        the same folds), and the total ``fit_time`` and ``predict_time`` in seconds.

    Examples
    --------
    >>> from tsrnn.datasets import make_sine
    >>> from tsrnn.forecasting import NaiveForecaster
    >>> from tsrnn.forecasting.baselines import SeasonalNaiveForecaster
    >>> board = compare({"naive": NaiveForecaster(horizon=3),
    ...                  "snaive": SeasonalNaiveForecaster(horizon=3, season_length=12)},
    ...                 make_sine(n=60, period=12))
    >>> board.index.tolist()
    ['snaive', 'naive']
    """
    from .forecasting.baselines import NaiveForecaster

    if isinstance(forecasters, str) and forecasters == "auto":
        forecasters = _auto_forecasters(data, cv, horizon, {
            "target": target, "id_col": id_col, "time_col": time_col, "freq": freq})
    if not isinstance(forecasters, dict) or not forecasters:
        raise ValueError("forecasters must be 'auto' or a non-empty dict of name -> "
                         "forecaster.")
    if freq is not None:  # the data's calendar, for every forecaster without its own
        forecasters = {name: f if getattr(f, "freq", None) is not None else
                       clone(f).set_params(freq=freq) for name, f in forecasters.items()}
    names = list(dict.fromkeys([*([metrics] if isinstance(metrics, str) else metrics), "mase"]))
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {list(METRICS)}.")
    names += list(INTERVAL_METRICS) if coverage is not None else []
    first = next(iter(forecasters.values()))
    cv = check_backtest_cv(cv, first, n_origins)  # once: a generator of pairs serves all
    naive = NaiveForecaster(**{k: first.get_params()[k] for k in
                               ("horizon", "freq", "target", "id_col", "time_col")})
    with warnings.catch_warnings():  # the reference: its own warnings repeat the others'
        warnings.simplefilter("ignore", UserWarning)
        reference = backtest(naive, data, cv=cv, refit=refit, season_length=season_length,
                             n_jobs=n_jobs)
    results = {}
    for name, f in forecasters.items():  # each model's warnings once, with its name
        results[name], caught = _recording(
            backtest, f, data, cv, n_origins, refit, season_length, n_jobs, coverage)
        for category, message in dict.fromkeys(caught):
            warnings.warn(f"{name}: {message}", category, stacklevel=2)
    board = pd.DataFrame.from_dict(
        {name: {**r.summary.reindex(columns=names).mean(),
                "fit_time": r.summary["fit_time"].sum(),
                "predict_time": r.summary["predict_time"].sum()}
         for name, r in results.items()}, orient="index")
    board.insert(len(names) - (len(INTERVAL_METRICS) if coverage is not None else 0),
                 "skill", 1 - board["mase"] / reference.summary["mase"].mean())
    board = board.rename_axis("model").sort_values("mase")
    if plot is not None:
        from ._plots import plot_backtests

        plot_backtests(plot, data, {name: r.forecasts for name, r in results.items()},
                       first, check_positive_int(n_plot_series, "n_plot_series"), coverage)
    return board

"""Time-series cross-validation, backtesting and model comparison.

- :class:`ExpandingWindowSplit`, :class:`SlidingWindowSplit`: scikit-learn cv objects for
  one time-indexed series or a long-format panel (all series cut at the same timestamps).
- :func:`backtest`: rolling-origin forecasts of one forecaster, with errors per fold,
  series and horizon step, and a per-fold summary.
- :func:`compare`: a leaderboard of several forecasters on the same folds.
"""

from __future__ import annotations

import time
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._validation import check_positive_int

__all__ = ["BacktestResult", "ExpandingWindowSplit", "SlidingWindowSplit", "backtest",
           "compare"]

METRICS = ("mae", "rmse", "smape", "mase")


def _timeline(X, id_col: str, time_col: str) -> np.ndarray:
    """Rank of each row's timestamp among the distinct sorted timestamps of ``X``.

    Long format (an ``id_col`` column, or an (id, time) MultiIndex) ranks the timestamps;
    anything else is one series whose rows are in time order.
    """
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        times = X.index.get_level_values(-1)
    elif isinstance(X, pd.DataFrame) and id_col in X.columns:
        if time_col not in X.columns:
            raise ValueError(f"long-format data needs the time column {time_col!r}; got "
                             f"{list(X.columns)} (set time_col).")
        times = pd.Index(X[time_col])
    else:
        n = len(X)
        index = getattr(X, "index", None)
        if index is not None and not (index.is_monotonic_increasing and index.is_unique):
            raise ValueError("the time index must be sorted and unique; sort the data by time.")
        return np.arange(n)
    if times.hasnans:
        raise ValueError(f"the time column {time_col!r} contains missing values.")
    return pd.factorize(times, sort=True)[0]


class _WindowSplit:
    """Shared logic: folds are windows of distinct timestamps; rows are yielded by position."""

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` arrays of row positions, one pair per fold, oldest first.

        Parameters
        ----------
        X : Series, DataFrame or array-like
            One series in time order, or a long-format panel.
        y, groups : ignored
            For scikit-learn compatibility.
        """
        codes = _timeline(X, self.id_col, self.time_col)
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

    Examples
    --------
    >>> import numpy as np
    >>> cv = ExpandingWindowSplit(n_splits=2, test_size=2)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros(6))]
    [([0, 1], [2, 3]), ([0, 1, 2, 3], [4, 5])]
    """

    def __init__(self, n_splits=3, test_size=1, gap=0, min_train_size=None,
                 id_col="unique_id", time_col="ds"):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.min_train_size = min_train_size
        self.id_col = id_col
        self.time_col = time_col

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

    Examples
    --------
    >>> import numpy as np
    >>> cv = SlidingWindowSplit(n_splits=2, train_size=2, test_size=1, gap=1)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros(6))]
    [([1, 2], [4]), ([2, 3], [5])]
    """

    def __init__(self, n_splits=3, train_size=10, test_size=1, gap=0, id_col="unique_id",
                 time_col="ds"):
        self.n_splits = n_splits
        self.train_size = train_size
        self.test_size = test_size
        self.gap = gap
        self.id_col = id_col
        self.time_col = time_col

    def _windows(self, n_times: int):
        size = check_positive_int(self.train_size, "train_size")
        starts, test_size, gap = self._test_starts(n_times, size)
        return [(s - gap - size, s - gap, s, s + test_size) for s in starts]


# ---------------------------------------------------------------------------- backtest
class BacktestResult(NamedTuple):
    """Output of :func:`backtest`.

    ``forecasts`` has one row per fold, series and test timestamp (columns ``fold``,
    ``<id_col>``, ``<time_col>``, ``step``, ``y``, ``y_pred``, ``error``, ``abs_error``,
    ``scaled_error``); ``summary`` one row per fold (``cutoff``, ``n_series``, ``mae``,
    ``rmse``, ``smape``, ``mase``, ``fit_time``, ``predict_time``).
    """

    forecasts: pd.DataFrame
    summary: pd.DataFrame


def _long(obj, target: str, id_col: str, time_col: str) -> pd.DataFrame:
    """The target of any supported layout as a long frame ``(id_col, time_col, value)``."""
    if isinstance(obj, pd.Series):
        frame = pd.DataFrame({time_col: obj.index, "value": obj.to_numpy()})
        return frame.assign(**{id_col: target})[[id_col, time_col, "value"]]
    if isinstance(obj.index, pd.MultiIndex):
        obj = obj.reset_index(names=[id_col, time_col])
    if id_col in obj.columns:
        return obj[[id_col, time_col, target]].rename(columns={target: "value"})
    return _long(obj[target], target, id_col, time_col)


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
    """In-sample seasonal naive MAE per series (NaN where undefined), the MASE scale."""
    def scale(values):
        x = values.to_numpy()
        s = np.mean(np.abs(x[m:] - x[:-m])) if len(x) > m else np.nan
        return s if s > 0 else np.nan

    return train.groupby(id_col, sort=False)["value"].agg(scale).rename("scale")


def _fold_rows(pred, test, train, target, keys, m) -> pd.DataFrame:
    pred = _long(pred, target, *keys).rename(columns={"value": "y_pred"})
    pred["step"] = pred.groupby(keys[0], sort=False).cumcount() + 1
    truth = _long(test, target, *keys).rename(columns={"value": "y"})
    rows = truth.merge(pred, on=list(keys), how="inner")
    rows = rows.merge(_scales(_long(train, target, *keys), keys[0], m), left_on=keys[0],
                      right_index=True, how="left")
    rows["error"] = rows["y"] - rows["y_pred"]
    rows["abs_error"] = rows["error"].abs()
    rows["scaled_error"] = rows["abs_error"] / rows.pop("scale")
    return rows[[*keys, "step", "y", "y_pred", "error", "abs_error", "scaled_error"]]


def _summary(rows: pd.DataFrame, id_col: str) -> pd.Series:
    """Metrics of one fold: per-series values averaged over series (M4 convention)."""
    denom = rows["y"].abs() + rows["y_pred"].abs()
    ratio = np.where(denom > 0, 200 * rows["abs_error"] / denom.where(denom > 0, 1), 0.0)
    per = rows.assign(sq=rows["error"] ** 2, sm=ratio).groupby(id_col, sort=False).agg(
        mae=("abs_error", "mean"), mse=("sq", "mean"), smape=("sm", "mean"),
        mase=("scaled_error", "mean"))
    return pd.Series({"n_series": len(per), "mae": per["mae"].mean(),
                      "rmse": np.sqrt(per["mse"]).mean(), "smape": per["smape"].mean(),
                      "mase": per["mase"].mean()})


def _forecast_fold(forecaster, model, train, horizon: int, refit: bool):
    """Fit (a clone, unless reusing ``model``) and forecast one fold; returns timings too."""
    start = time.perf_counter()
    if refit or model is None:
        model = clone(forecaster).fit(train)
    fitted = time.perf_counter()
    if len(model.targets_) != 1:
        raise ValueError(f"backtest scores one target; the data has {model.targets_}: "
                         "set the forecaster's target.")
    pred = model.predict(horizon=horizon) if refit else model.predict(X=train, horizon=horizon)
    timing = pd.Series({"fit_time": fitted - start,
                        "predict_time": time.perf_counter() - fitted})
    return model, pred, timing


def backtest(forecaster, data, cv=None, n_origins: int = 3, refit: bool = True,
             season_length: int = 1, n_jobs=None) -> BacktestResult:
    """Rolling-origin evaluation of a forecaster.

    Parameters
    ----------
    forecaster : BaseForecaster
        An unfitted forecaster (it is cloned, never changed).
    data : Series or DataFrame
        One time-indexed series or a long-format panel, with one target.
    cv : cv object or None, default=None
        Splitter yielding ``(train, test)`` row positions with test after train; default
        ``ExpandingWindowSplit(n_origins, test_size=forecaster.horizon)``. Each fold is
        forecast from the end of its training data up to its last test timestamp.
    n_origins : int, default=3
        Number of folds of the default ``cv``.
    refit : bool, default=True
        Fit a fresh clone on every fold's training data. If False, fit once on the first
        fold's training data and forecast each later fold from its training data as new
        history (``predict(X=history)``, all series in one call).
    season_length : int, default=1
        Seasonal period ``m`` of the MASE scale (in-sample seasonal naive error).
    n_jobs : int or None, default=None
        Folds fitted in parallel when ``refit`` (joblib, one job per fold): under
        ``joblib.parallel_config(backend="dask")`` they run on a Dask cluster.

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
    m = check_positive_int(season_length, "season_length")
    if cv is None:
        horizon = check_positive_int(forecaster.horizon, "horizon")
        cv = ExpandingWindowSplit(n_splits=check_positive_int(n_origins, "n_origins"),
                                  test_size=horizon, id_col=keys[0], time_col=keys[1])
    codes = _timeline(data, *keys)
    folds = []
    for fold, (tr, te) in enumerate(cv.split(data)):
        if len(tr) == 0 or len(te) == 0 or codes[te].min() <= codes[tr].max():
            raise ValueError(f"fold {fold} of cv must have test timestamps after every "
                             "training timestamp (and neither part empty).")
        train, test = _drop_short(data.iloc[tr], data.iloc[te], keys[0],
                                  forecaster._min_length())
        folds.append((train, test, int(codes[te].max() - codes[tr].max())))
    if refit:  # independent folds: one joblib job each (a Dask cluster under parallel_config)
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=n_jobs)(
            delayed(_forecast_fold)(forecaster, None, train, horizon, True)
            for train, _, horizon in folds)
    else:
        fitted, model = [], None
        for train, _, horizon in folds:
            model, pred, timing = _forecast_fold(forecaster, model, train, horizon, False)
            fitted.append((model, pred, timing))
    rows, summaries = [], []
    for fold, ((train, test, _), (model, pred, timing)) in enumerate(zip(folds, fitted)):
        fold_rows = _fold_rows(pred, test, train, model.targets_[0], keys, m)
        rows.append(fold_rows.assign(fold=fold))
        cutoff = pd.Series({"cutoff": _long(train, model.targets_[0], *keys)[keys[1]].max()})
        summaries.append(pd.concat([cutoff, _summary(fold_rows, keys[0]), timing]))
    forecasts = pd.concat(rows, ignore_index=True)
    forecasts = forecasts[["fold", *forecasts.columns[:-1]]]
    summary = pd.DataFrame(summaries).rename_axis("fold").infer_objects()
    return BacktestResult(forecasts, summary.astype({"n_series": int}))


# ----------------------------------------------------------------------------- compare
def compare(forecasters: dict, data, cv=None, n_origins: int = 3, refit: bool = True,
            metrics=METRICS, season_length: int = 1, plot=None,
            n_plot_series: int = 3, n_jobs=None) -> pd.DataFrame:
    """Backtest several forecasters on the same folds and rank them by MASE.

    Parameters
    ----------
    forecasters : dict of str to BaseForecaster
        Unfitted forecasters by name.
    data, cv, n_origins, refit, season_length, n_jobs
        As in :func:`backtest`; the default ``cv`` uses the first forecaster's horizon.
    metrics : sequence of str, default=("mae", "rmse", "smape", "mase")
        Columns of the leaderboard; MASE is always included.
    plot : str, path or None, default=None
        If given, save there a figure of the last fold's forecasts against the truth for
        the first ``n_plot_series`` series (needs matplotlib).
    n_plot_series : int, default=3
        Series shown in the figure.

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

    if not isinstance(forecasters, dict) or not forecasters:
        raise ValueError("forecasters must be a non-empty dict of name -> forecaster.")
    names = list(dict.fromkeys([*([metrics] if isinstance(metrics, str) else metrics), "mase"]))
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {list(METRICS)}.")
    first = next(iter(forecasters.values()))
    if cv is None:
        cv = ExpandingWindowSplit(n_splits=check_positive_int(n_origins, "n_origins"),
                                  test_size=check_positive_int(first.horizon, "horizon"),
                                  id_col=first.id_col, time_col=first.time_col)
    naive = NaiveForecaster(**{k: first.get_params()[k] for k in
                               ("horizon", "freq", "target", "id_col", "time_col")})
    reference = backtest(naive, data, cv=cv, refit=refit, season_length=season_length,
                         n_jobs=n_jobs)
    results = {name: backtest(f, data, cv=cv, refit=refit, season_length=season_length,
                              n_jobs=n_jobs)
               for name, f in forecasters.items()}
    board = pd.DataFrame.from_dict(
        {name: {**r.summary[names].mean(), "fit_time": r.summary["fit_time"].sum(),
                "predict_time": r.summary["predict_time"].sum()}
         for name, r in results.items()}, orient="index")
    board.insert(len(names), "skill", 1 - board["mase"] / reference.summary["mase"].mean())
    board = board.rename_axis("model").sort_values("mase")
    if plot is not None:
        _plot(plot, {name: r.forecasts for name, r in results.items()}, first.id_col,
              first.time_col, check_positive_int(n_plot_series, "n_plot_series"))
    return board


def _plot(path, forecasts: dict, id_col: str, time_col: str, n_series: int) -> None:
    """Truth over all folds and every model's forecasts of the last fold, per series."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plot= needs matplotlib: pip install tsrnn[plot]") from exc
    any_rows = next(iter(forecasts.values()))
    last_fold = any_rows["fold"].max()
    ids = any_rows.loc[any_rows["fold"] == last_fold, id_col].drop_duplicates()[:n_series]
    fig = Figure(figsize=(9, 2.6 * len(ids)), layout="constrained")  # Agg, no pyplot state
    for ax, sid in zip(fig.subplots(len(ids), 1, squeeze=False)[:, 0], ids):
        truth = any_rows[any_rows[id_col] == sid].drop_duplicates(time_col)
        ax.plot(truth[time_col], truth["y"], color="black", label="truth")
        for name, rows in forecasts.items():
            last = rows[(rows[id_col] == sid) & (rows["fold"] == last_fold)]
            ax.plot(last[time_col], last["y_pred"], marker=".", label=name)
        ax.set_title(str(sid))
        ax.tick_params(axis="x", labelrotation=30)
    fig.axes[0].legend(loc="best", fontsize="small")
    fig.savefig(path)

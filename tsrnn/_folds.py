"""The folds of a backtest: the time line of a panel that the splitters cut, the forecast of
one fold (refit, or from the fold's history), its rows (errors per series and step, scaled
by the MASE scale of the fold's training part), the per-fold summary, and the checks of the
``(train, test)`` pairs a ``cv`` may give. Used by :mod:`tsrnn.model_selection`.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone

from .forecasting._data import long_target


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

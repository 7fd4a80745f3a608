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

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._folds import (
    _drop_short,
    _fold_rows,
    _forecast_fold,
    _IndexPairs,
    _recording,
    _summary,
    _timeline,
    _warn_once,
    _warn_unscored,
)
from ._folds import _end_ranks as _end_ranks
from ._folds import _positions as _positions
from ._folds import _scales as _scales
from ._folds import _with_covariates as _with_covariates
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

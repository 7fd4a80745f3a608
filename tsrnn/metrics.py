"""Forecast accuracy metrics (M4 definitions) and the M4 Naive2 benchmark.

Every metric takes ``(y_true, y_pred, ...)`` as array-likes, pandas Series or
DataFrames of shape ``(horizon,)`` for one series or ``(n_series, horizon)``
for many (one row per series). For 2D input the result is the mean over
series of the per-series metric, as in the M4 competition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import make_scorer

__all__ = [
    "evaluate",
    "interval_coverage",
    "interval_coverage_by_series",
    "mae",
    "mae_scorer",
    "mase_scorer",
    "mape",
    "mase",
    "mase_scale",
    "mean_interval_width",
    "mse",
    "naive2_forecast",
    "owa",
    "pinball_loss",
    "rmse",
    "rmse_scorer",
    "scaled_pinball_loss",
    "smape",
    "smape_scorer",
]


# ----------------------------------------------------------------- validation
def _as_float_array(x: ArrayLike, name: str) -> np.ndarray:
    """Return a float64 copy of ``x``; pandas objects give their values."""
    if isinstance(x, (pd.Series, pd.DataFrame)):
        x = x.to_numpy(na_value=np.nan)
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{name} could not be read as an array: {exc}") from None
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} has complex values; metrics need real numbers.")
    _check_numeric(arr, name)
    try:
        return arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric: {exc}") from None


def _check_numeric(arr: np.ndarray, name: str) -> None:
    """Numbers only: text (even ``"1.5"``), dates and durations are refused, not cast."""
    if arr.dtype.kind in "USaMm":
        raise TypeError(f"{name} must be numeric, got values of dtype {arr.dtype}.")
    if arr.dtype.kind == "O":
        text = next((v for v in arr.ravel() if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise TypeError(f"{name} must be numeric; it holds text such as {text!r}.")


def _labels(axis: pd.Index, other: pd.Index, name: str, other_name: str, what: str):
    """How ``axis`` (of ``name``) maps onto ``other``: None if equal, else the reordering;
    a ValueError naming the labels when they differ."""
    if axis.equals(other):
        return None
    same = len(axis) == len(other) and axis.is_unique and other.is_unique and \
        axis.isin(other).all() and other.isin(axis).all()
    if same:
        return other
    only = [f"{len(d)} only in {w} ({', '.join(map(str, d[:3]))}{', ...' if len(d) > 3 else ''})"
            for w, d in ((other_name, other.difference(axis)), (name, axis.difference(other)))
            if len(d)]
    duplicated = [w for w, ix in ((name, axis), (other_name, other)) if ix.has_duplicates]
    detail = "; ".join(only) or f"duplicated labels in {' and '.join(duplicated)}"
    raise ValueError(f"{name} and {other_name} have different {what} labels: {detail}. "
                     "Metrics compare pandas inputs by label; align them first, or pass "
                     "arrays to compare by position.")


def _align(named: dict) -> dict:
    """Pandas inputs of the same kind aligned by label on the first of them (same labels in
    another order are reordered; other labels are an error)."""
    kinds = {type(x) for x in named.values() if isinstance(x, (pd.Series, pd.DataFrame))}
    if len(kinds) != 1 or sum(isinstance(x, tuple(kinds)) for x in named.values()) < 2:
        return named
    ref_name, ref = next((n, x) for n, x in named.items() if isinstance(x, tuple(kinds)))
    out = dict(named)
    for name, x in named.items():
        if name == ref_name or not isinstance(x, tuple(kinds)):
            continue
        rows = _labels(x.index, ref.index, name, ref_name, "index")
        if rows is not None:
            x = x.reindex(rows)
        if isinstance(x, pd.DataFrame):
            columns = _labels(x.columns, ref.columns, name, ref_name, "column")
            if columns is not None:
                x = x[columns]
        out[name] = x
    return out


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {first}).")


def _check_arrays(**named: ArrayLike) -> list[np.ndarray]:
    """Validate same-shape, non-empty, finite 1D/2D arrays given by name (pandas inputs
    aligned by label first)."""
    arrays = {name: _as_float_array(x, name) for name, x in _align(named).items()}
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"inputs must have the same shape, got {shapes}.")
    for name, arr in arrays.items():
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1D (horizon,) or 2D (n_series, horizon), "
                f"got {arr.ndim}D."
            )
        _check_finite(arr, name)
    return list(arrays.values())


def _check_positive_int(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _row_means(values: np.ndarray) -> np.ndarray:
    """Per-series means, shape ``(n_series,)``; a 1D input is one series."""
    return np.atleast_2d(values).mean(axis=1)


def _as_histories(
    history: ArrayLike | Sequence[ArrayLike], name: str
) -> tuple[list[np.ndarray], bool]:
    """Split one 1D series, or a list/2D array of 1D series (ragged allowed).

    Returns the validated series and whether the input was a single 1D series.
    """
    single = False
    if isinstance(history, (list, tuple)) and any(np.ndim(h) > 0 for h in history):
        series = [_as_float_array(h, f"{name}[{i}]") for i, h in enumerate(history)]
    else:
        arr = _as_float_array(history, name)
        if arr.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1D, 2D or a list of 1D arrays, got {arr.ndim}D.")
        single = arr.ndim == 1
        series = [arr] if single else list(arr)
    if not series:
        raise ValueError(f"{name} is empty.")
    for i, s in enumerate(series):
        if s.ndim != 1:
            raise ValueError(f"{name}[{i}] must be 1D, got {s.ndim}D.")
        _check_finite(s, f"{name}[{i}]")
    return series, single


# -------------------------------------------------------------- point metrics
def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error.

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(_row_means(np.abs(yt - yp))))


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error.

    Examples
    --------
    >>> mse([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.6666666666666667
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(_row_means((yt - yp) ** 2)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error (per series, then averaged over series).

    Examples
    --------
    >>> rmse([[0.0, 0.0], [0.0, 0.0]], [[3.0, 3.0], [1.0, 1.0]])
    2.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(np.sqrt(_row_means((yt - yp) ** 2))))


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute percentage error, in percent: ``100 * mean|y - f| / |y|``.

    Raises a ValueError when ``y_true`` contains zeros (the metric is undefined).

    Examples
    --------
    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    if np.any(yt == 0):
        first = tuple(int(i) for i in np.argwhere(yt == 0)[0])
        raise ValueError(
            f"mape is undefined when y_true contains zeros (first at index {first}); "
            "use smape or mase instead."
        )
    return float(np.mean(_row_means(100.0 * np.abs(yt - yp) / np.abs(yt))))


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE as in M4: ``mean(200 * |y - f| / (|y| + |f|))``, 0/0 counted as 0.

    Examples
    --------
    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    denom = np.abs(yt) + np.abs(yp)
    ratio = np.divide(
        200.0 * np.abs(yt - yp), denom, out=np.zeros_like(denom), where=denom > 0
    )
    return float(np.mean(_row_means(ratio)))


def _naive_scale(history: np.ndarray, m: int, index: int, metric: str = "MASE") -> float:
    if len(history) < m + 1:
        raise ValueError(
            f"y_train series {index} has {len(history)} values; {metric} with m={m} "
            f"needs at least {m + 1}."
        )
    if np.array_equal(history[m:], history[:-m]):
        raise ValueError(
            f"{metric} is undefined for series {index}: its in-sample seasonal naive "
            f"error is zero (the history is constant or repeats exactly with m={m})."
        )
    return float(segment_scales(history, [0], [len(history)], m)[0])


def segment_scales(values: np.ndarray, starts, ends, m: int) -> np.ndarray:
    """The MASE scale of every segment ``values[start:end]`` of series stored back to back.

    The one computation of the scale behind every score of tsrnn (``score``, the scorers,
    ``backtest``, ``compare``, the command line and the tuning): the in-sample mean
    absolute difference at lag ``m`` (the season), ``mean|x_t - x_{t-m}|``, over the
    segment; at lag 1 where the segment holds no more than ``m`` values (or ``m = 1``). A
    zero (or relatively zero, flat) scale is replaced by the segment's mean absolute level
    (1 when that is 0 too), so that finite data always gives a finite score and the floor
    scales with the data. Several columns (targets) share one scale: the mean over them.

    Parameters
    ----------
    values : ndarray of shape (n_rows,) or (n_rows, n_columns)
        Every series, back to back.
    starts, ends : array-like of int
        Rows ``[start, end)`` of each segment.
    m : int
        Seasonal lag (>= 1).

    Returns
    -------
    ndarray of shape (n_segments,)

    Examples
    --------
    >>> x = np.array([1.0, 3.0, 2.0, 6.0, 5.0, 5.0])
    >>> segment_scales(x, [0, 4], [4, 6], m=2)  # lag 2 over the first, lag 1 (flat) after
    array([2., 5.])
    """
    from .forecasting._scaling import safe_scale

    x = np.asarray(values, dtype=np.float64)
    x = x.reshape(len(x), -1)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    n_rows, k = x.shape

    def prefix(lag):  # prefix[t] = sum over rows r < t of |x_r - x_{r-lag}| (0 for r < lag)
        out = np.zeros(n_rows + 1)
        if n_rows > lag:
            out[lag + 1:] = np.cumsum(np.abs(x[lag:] - x[:-lag]).sum(axis=1))
        return out

    length = ends - starts
    lag = np.where((m > 1) & (length > m), m, 1)
    total = np.zeros(len(starts))
    for value in np.unique(lag):
        sums = prefix(int(value))
        pick = lag == value
        lo = np.minimum(starts[pick] + value, ends[pick])
        total[pick] = sums[ends[pick]] - sums[lo]
    counts = np.maximum(length - lag, 0) * k
    levels = np.concatenate([[0.0], np.cumsum(np.abs(x).sum(axis=1))])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, total / np.maximum(counts, 1), 0.0)
        level = np.where(length > 0, (levels[ends] - levels[starts]) / np.maximum(length * k, 1),
                         0.0)
    return safe_scale(mean, level)


def mase_scale(history: ArrayLike | Sequence[ArrayLike], m: int = 1) -> float | np.ndarray:
    """The MASE scale of a history, as every score of tsrnn computes it.

    ``mean|x_t - x_{t-m}|`` over the history (lag 1 where it holds no more than ``m``
    values); a flat history is scaled by its mean absolute level instead (see
    :func:`segment_scales`). ``score``, ``backtest``, ``compare`` and the command line use
    it with ``m`` the main season of the data's frequency
    (:func:`tsrnn.forecasting.seasonality.season_lengths`).

    Parameters
    ----------
    history : array-like or sequence of array-like
        One 1D series, or one 1D array per series (lengths may differ).
    m : int, default=1
        Seasonal lag.

    Returns
    -------
    float or ndarray of shape (n_series,)

    Examples
    --------
    >>> mase_scale([1.0, 3.0, 2.0, 6.0], m=2)
    2.0
    >>> mase_scale([1.0, 3.0], m=2)  # too short for the season: lag 1
    2.0
    """
    _check_positive_int(m, "m")
    series, single = _as_histories(history, "history")
    lengths = np.array([len(s) for s in series])
    ends = np.cumsum(lengths)
    scales = segment_scales(np.concatenate(series), ends - lengths, ends, m)
    return float(scales[0]) if single else scales


def _auto_season(m, y_train) -> int:
    """``m``, or for ``"auto"`` the main season of ``y_train``'s time index."""
    if not (isinstance(m, str) and m == "auto"):
        return m
    index = getattr(y_train, "index", None)
    freq = getattr(index, "freq", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if not isinstance(y_train, pd.Series) or freq is None:
        raise ValueError("m='auto' needs y_train as a pandas Series on a time index with a "
                         "frequency (DatetimeIndex or PeriodIndex); pass m as an integer.")
    from ._seasons import season_lengths

    return season_lengths(freq)[0]


def mase(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_train: ArrayLike | Sequence[ArrayLike],
    m: int = 1,
) -> float:
    """Mean absolute scaled error (M4 definition).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n_series, horizon)
        Actual and forecast values.
    y_train : array-like or sequence of array-like
        In-sample history: one 1D array for 1D ``y_true``, or one 1D array per
        series (lengths may differ) for 2D ``y_true``.
    m : int or "auto", default=1
        Seasonal period; the scale is ``mean|x_t - x_{t-m}|`` over the history.
        ``"auto"`` reads it from the time index of ``y_train`` (a pandas Series with a
        DatetimeIndex or PeriodIndex): the main season of its frequency, as in
        :func:`tsrnn.forecasting.seasonality.season_lengths` (24 hourly, 7 daily...).
        This is the scale of every score of tsrnn (:func:`mase_scale`), which also
        falls back to lag 1 for a history of at most ``m`` values and scales a flat
        history by its level; here both are errors, as the metric is undefined there.

    Returns
    -------
    float
        Mean over series of ``mean|y - f| / scale``.

    Examples
    --------
    >>> mase([5.0, 6.0], [4.0, 4.0], y_train=[1.0, 2.0, 4.0])
    1.0
    >>> history = pd.Series([1.0, 2.0, 1.5, 2.5, 2.0, 3.0],
    ...                     index=pd.date_range("2024-01-01", periods=6, freq="12h"))
    >>> mase([2.5, 3.5], [2.0, 3.0], y_train=history, m="auto")  # two steps a day: m = 2
    1.0
    """
    m = _auto_season(m, y_train)
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    _check_positive_int(m, "m")
    histories, _ = _as_histories(y_train, "y_train")
    n_series = 1 if yt.ndim == 1 else yt.shape[0]
    if len(histories) != n_series:
        raise ValueError(
            f"y_train holds {len(histories)} series but y_true holds {n_series}."
        )
    scales = np.array([_naive_scale(h, m, i) for i, h in enumerate(histories)])
    return float(np.mean(_row_means(np.abs(yt - yp)) / scales))


def owa(
    smape_model: ArrayLike, mase_model: ArrayLike, smape_naive2: ArrayLike,
    mase_naive2: ArrayLike
) -> float | np.ndarray | pd.Series:
    """Overall weighted average relative to Naive2: ``0.5 * (s/s2 + m/m2)``.

    Scalars give a float; arrays (one value per series, broadcast together) give the OWA
    of every series, as a Series when the inputs are Series (aligned by label). sMAPE
    must lie in [0, 200] and MASE be non-negative; the Naive2 values must be positive.

    Examples
    --------
    >>> owa(8.0, 3.0, 10.0, 2.0)
    1.15
    >>> owa([8.0, 10.0], [3.0, 2.0], 10.0, 2.0)
    array([1.15, 1.  ])
    """
    named = {"smape_model": smape_model, "mase_model": mase_model,
             "smape_naive2": smape_naive2, "mase_naive2": mase_naive2}
    named = _align(named)
    labels = next((v.index for v in named.values() if isinstance(v, pd.Series)), None)
    values = {n: _as_float_array(v, n) for n, v in named.items()}
    try:
        s, m, s2, m2 = np.broadcast_arrays(*values.values())
    except ValueError:
        shapes = {n: v.shape for n, v in values.items()}
        raise ValueError(f"owa's inputs must be scalars or arrays of one shape, got {shapes}.") \
            from None
    for name, v in zip(named, (s, m, s2, m2)):
        if v.size == 0 or not np.isfinite(v).all():
            raise ValueError(f"owa needs finite inputs; {name} is "
                             f"{'empty' if v.size == 0 else v.tolist()}.")
        low, high = (0.0, 200.0) if name.startswith("smape") else (0.0, np.inf)
        positive = name.endswith("naive2")
        bad = (v <= low if positive else v < low) | (v > high)
        if bad.any():
            first = v[bad].ravel()[0]
            what = "sMAPE in [0, 200]" if high < np.inf else "MASE >= 0"
            need = "positive Naive2 sMAPE and MASE" if positive else f"{what} for the model"
            raise ValueError(f"owa needs {need}; {name} is {first:g}.")
    result = 0.5 * (s / s2 + m / m2)
    if result.ndim == 0:
        return float(result)
    if labels is not None and result.shape == (len(labels),):
        return pd.Series(result, index=labels, name="owa")
    return result


# -------------------------------------------------------- probabilistic metrics
def pinball_loss(y_true: ArrayLike, y_quantile_pred: ArrayLike, quantile: float) -> float:
    """Pinball (quantile) loss: ``mean(max(q * (y - f), (q - 1) * (y - f)))``.

    Examples
    --------
    >>> pinball_loss([10.0, 10.0], [8.0, 12.0], quantile=0.9)
    1.0
    """
    yt, yq = _check_arrays(y_true=y_true, y_quantile_pred=y_quantile_pred)
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {quantile!r}.")
    diff = yt - yq
    return float(np.mean(_row_means(np.maximum(quantile * diff, (quantile - 1) * diff))))


def _check_levels(quantiles: float | Sequence[float]) -> np.ndarray:
    levels = np.atleast_1d(_as_float_array(quantiles, "quantiles"))
    if levels.ndim != 1 or not levels.size or not np.all((levels > 0) & (levels < 1)):
        raise ValueError(f"quantiles must be levels strictly between 0 and 1, got {quantiles!r}.")
    return levels


def scaled_pinball_loss(
    y_true: ArrayLike,
    y_quantiles: ArrayLike,
    quantiles: float | Sequence[float],
    y_train: ArrayLike | Sequence[ArrayLike],
    m: int = 1,
) -> float:
    """Scaled pinball loss (SPL) of quantile forecasts, as in the M5 uncertainty competition.

    For each series, the pinball loss ``max(q * (y - f), (q - 1) * (y - f))`` is averaged
    over the steps and the levels, and divided by the series' in-sample mean absolute
    seasonal difference ``mean|x_t - x_{t-m}|`` (the MASE scale); the result is the mean
    over series. This is M5's SPL averaged over its levels with equal series weights (M5
    weights series by their sales, and with ``m=1`` as there, computes the scale from the
    first non-zero sale on; here it is the whole history, as in :func:`mase`). A point
    forecast given as the level 0.5 alone scores half its MASE.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_quantiles : array-like of shape (horizon, n_levels) or (n_series, horizon, n_levels)
        Quantile forecasts, the last axis in the order of ``quantiles``; with one level
        given as a float, the shape of ``y_true`` is accepted too.
    quantiles : float or sequence of float
        The levels in (0, 1) of the forecasts.
    y_train : array-like or sequence of array-like
        In-sample history: one 1D array for 1D ``y_true``, or one 1D array per series
        (lengths may differ) for 2D ``y_true``.
    m : int or "auto", default=1
        Seasonal lag of the scale, as in :func:`mase`.

    Returns
    -------
    float
        Mean over series of the scaled mean pinball loss; lower is better.

    Examples
    --------
    >>> y_quantiles = [[8.0, 10.0, 13.0], [9.0, 12.0, 14.0]]  # 2 steps x 3 levels
    >>> scaled_pinball_loss([10.0, 11.0], y_quantiles, [0.1, 0.5, 0.9],
    ...                     y_train=[1.0, 2.0, 3.0])  # scale 1: the mean pinball loss
    0.25
    """
    m = _auto_season(m, y_train)
    levels = _check_levels(quantiles)
    yt = _check_arrays(y_true=y_true)[0]
    yq = _as_float_array(y_quantiles, "y_quantiles")
    if np.ndim(quantiles) == 0 and yq.shape == yt.shape:
        yq = yq[..., None]
    if yq.shape != yt.shape + (len(levels),):
        raise ValueError(
            f"y_quantiles must have the shape of y_true plus one axis of the {len(levels)} "
            f"quantiles, {yt.shape + (len(levels),)}; got {yq.shape}."
        )
    _check_finite(yq, "y_quantiles")
    _check_positive_int(m, "m")
    histories, _ = _as_histories(y_train, "y_train")
    n_series = 1 if yt.ndim == 1 else yt.shape[0]
    if len(histories) != n_series:
        raise ValueError(f"y_train holds {len(histories)} series but y_true holds {n_series}.")
    scales = np.array([_naive_scale(h, m, i, "the scaled pinball loss")
                       for i, h in enumerate(histories)])
    diff = yt[..., None] - yq
    loss = np.maximum(levels * diff, (levels - 1) * diff)  # (..., horizon, n_levels)
    return float(np.mean(np.atleast_1d(loss.mean(axis=(-2, -1))) / scales))


def _check_bounds(lower: np.ndarray, upper: np.ndarray) -> None:
    if np.any(lower > upper):
        first = tuple(int(i) for i in np.argwhere(lower > upper)[0])
        raise ValueError(f"lower exceeds upper (first at index {first}).")


def interval_coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Fraction of ``y_true`` inside ``[lower, upper]`` (bounds inclusive).

    Examples
    --------
    >>> interval_coverage([1.0, 2.0, 3.0, 9.0], [0.0, 2.0, 0.0, 0.0], [1.0, 4.0, 2.0, 5.0])
    0.5
    """
    yt, lo, up = _check_arrays(y_true=y_true, lower=lower, upper=upper)
    _check_bounds(lo, up)
    return float(np.mean(_row_means((yt >= lo) & (yt <= up))))


def interval_coverage_by_series(
    y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> np.ndarray:
    """Coverage of every series: the fraction of its ``y_true`` inside ``[lower, upper]``.

    ``interval_coverage`` is the mean of these; a low percentile of them shows the series
    whose intervals are too narrow, which the mean hides.

    Examples
    --------
    >>> interval_coverage_by_series([[1.0, 2.0], [3.0, 9.0]], [[0.0, 0.0], [0.0, 0.0]],
    ...                             [[2.0, 2.0], [5.0, 5.0]])
    array([1. , 0.5])
    """
    yt, lo, up = _check_arrays(y_true=y_true, lower=lower, upper=upper)
    _check_bounds(lo, up)
    return np.atleast_2d((yt >= lo) & (yt <= up)).mean(axis=1)


def mean_interval_width(lower: ArrayLike, upper: ArrayLike) -> float:
    """Mean width ``upper - lower`` of prediction intervals.

    Examples
    --------
    >>> mean_interval_width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    lo, up = _check_arrays(lower=lower, upper=upper)
    _check_bounds(lo, up)
    return float(np.mean(_row_means(up - lo)))


# ---------------------------------------------------------------------- Naive2
def _is_seasonal(x: np.ndarray, m: int) -> bool:
    """M4 test: |acf_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} acf_k^2) / n)."""
    n = len(x)
    if m == 1 or n < 3 * m:
        return False
    dev = x - x.mean()
    denom = dev @ dev
    if denom == 0:
        return False
    acf = np.array([dev[k:] @ dev[:-k] for k in range(1, m + 1)]) / denom
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def _seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative indices (centred MA of order m), mean 1."""
    weights = np.full(m, 1.0 / m) if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m
    half = len(weights) // 2
    ratio = np.full(-(-len(x) // m) * m, np.nan)  # padded to whole cycles
    ratio[half : len(x) - half] = x[half:-half] / np.convolve(x, weights, mode="valid")
    indices = np.nanmean(ratio.reshape(-1, m), axis=0)
    return indices / indices.mean()


def _naive2_one(x: np.ndarray, horizon: int, m: int, index: int) -> np.ndarray:
    if not _is_seasonal(x, m):
        return np.full(horizon, x[-1])
    if np.any(x <= 0):
        raise ValueError(
            f"history series {index} tests seasonal but has non-positive values; "
            "the multiplicative decomposition of Naive2 needs positive data."
        )
    indices = _seasonal_indices(x, m)
    level = x[-1] / indices[(len(x) - 1) % m]
    return level * indices[np.arange(len(x), len(x) + horizon) % m]


def naive2_forecast(
    history: ArrayLike | Sequence[ArrayLike], horizon: int, m: int = 1
) -> np.ndarray:
    """M4 Naive2 benchmark forecast.

    If ``m > 1``, the series has at least ``3 * m`` values and its lag-``m``
    autocorrelation exceeds the 90% limit, the series is seasonally adjusted by
    a classical multiplicative decomposition, forecast naively and
    reseasonalised; otherwise the last value is repeated (plain naive).

    Parameters
    ----------
    history : array-like or sequence of array-like
        One 1D series, or one 1D array per series (lengths may differ).
    horizon : int
        Number of steps to forecast.
    m : int, default=1
        Seasonal period (1 weekly, 4 quarterly, 12 monthly, 24 hourly in M4).

    Returns
    -------
    ndarray of shape (horizon,) or (n_series, horizon)

    Examples
    --------
    >>> naive2_forecast([3.0, 5.0, 4.0], horizon=2)
    array([4., 4.])
    """
    _check_positive_int(horizon, "horizon")
    _check_positive_int(m, "m")
    series, single = _as_histories(history, "history")
    forecasts = np.array([_naive2_one(x, horizon, m, i) for i, x in enumerate(series)])
    return forecasts[0] if single else forecasts


# ------------------------------------------------------------ sklearn scorers
mae_scorer = make_scorer(mae, greater_is_better=False)


def mase_scorer(estimator, X, y=None) -> float:
    """Scorer of the forecasters: the negative MASE of ``estimator.score(X, y)``.

    The one MASE of tsrnn (:func:`mase_scale`), for ``scoring=`` in scikit-learn's
    searches and ``cross_val_score`` (which use a forecaster's ``score`` by default).
    """
    # isinstance(estimator, BaseForecaster), read from the class hierarchy: metrics sits
    # below the forecasting package and does not import it (tests/test_layering.py)
    if not any(c.__module__ == "tsrnn.forecasting.base" and c.__name__ == "BaseForecaster"
               for c in type(estimator).__mro__):
        raise TypeError(f"mase_scorer scores tsrnn forecasters, got {type(estimator).__name__}; "
                        "use mae_scorer or a scikit-learn scorer for other estimators.")
    return float(estimator.score(X, y))


rmse_scorer = make_scorer(rmse, greater_is_better=False)
smape_scorer = make_scorer(smape, greater_is_better=False)


# ------------------------------------------------------------------ reporting
_POINT_METRICS = {"mae": mae, "rmse": rmse, "mse": mse, "mape": mape, "smape": smape}


def evaluate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_train: ArrayLike | Sequence[ArrayLike] | None = None,
    m: int = 1,
    metrics: Sequence[str] = ("mae", "rmse", "smape", "mase"),
) -> dict[str, float]:
    """Compute several metrics at once, as ``{name: value}``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n_series, horizon)
    y_train : array-like or sequence of array-like, default=None
        In-sample history, required when ``"mase"`` is requested.
    m : int, default=1
        Seasonal period for MASE.
    metrics : sequence of str, default=("mae", "rmse", "smape", "mase")
        Names among ``"mae", "rmse", "mse", "mape", "smape", "mase"``.

    Examples
    --------
    >>> evaluate([1.0, 3.0], [2.0, 2.0], y_train=[0.0, 1.0], metrics=("mae", "mase"))
    {'mae': 1.0, 'mase': 1.0}
    """
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [n for n in names if n not in _POINT_METRICS and n != "mase"]
    if unknown:
        raise ValueError(
            f"unknown metrics {unknown}; choose from {sorted([*_POINT_METRICS, 'mase'])}."
        )
    if "mase" in names and y_train is None:
        raise ValueError("metric 'mase' needs y_train; pass it or drop 'mase' from metrics.")
    return {
        n: mase(y_true, y_pred, y_train, m=m) if n == "mase" else _POINT_METRICS[n](y_true, y_pred)
        for n in names
    }

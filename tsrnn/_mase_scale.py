"""The MASE scale, computed in one place for every score of tsrnn: the in-sample mean
absolute difference at the season (lag 1 for short histories), with a relative floor.
Re-exported by :mod:`tsrnn.metrics` (``segment_scales``, ``mase_scale``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._metric_inputs import _as_histories, _check_positive_int


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

"""Window indexing shared by every part of tsrnn that cuts series into windows.

Windows are never materialised as copies of the data up front: a window is a start offset
into one contiguous array, and a batch of windows is gathered with
``values[starts[:, None] + arange(length)]`` (numpy or torch alike) or viewed with
:func:`numpy.lib.stride_tricks.sliding_window_view`.
"""

from __future__ import annotations

import numpy as np


def window_starts(lengths, window: int, horizon: int = 0, stride: int = 1,
                  last_only: bool = False) -> np.ndarray:
    """Start offsets of every complete window in series stored back to back.

    Parameters
    ----------
    lengths : sequence of int
        Length of each series; series ``i`` occupies ``[sum(lengths[:i]), sum(lengths[:i+1]))``.
    window, horizon : int
        A window spans ``window + horizon`` consecutive points of one series.
    stride : int, default=1
        Distance between consecutive starts, counted back from the last window so that the
        most recent data is always used.
    last_only : bool, default=False
        Keep only the latest window of each series.

    Returns
    -------
    ndarray of int64, shape (n_windows,)

    Examples
    --------
    >>> window_starts([5, 4], window=3, horizon=1)
    array([0, 1, 5])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    span = window + horizon
    counts = np.maximum(lengths - span, -1) // stride + 1  # windows per series
    if last_only:
        counts = np.minimum(counts, 1)
    last = offsets + lengths - span  # start of each series' latest window
    series = np.repeat(np.arange(len(lengths)), counts)
    rank = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    back = (np.repeat(counts, counts) - 1 - rank) * stride
    return (last[series] - back).astype(np.int64)


def gather_windows(values, starts, length: int):
    """Gather windows ``values[s : s + length]`` for every start ``s`` in one indexing call.

    Works on numpy arrays and torch tensors; the result has shape
    ``(len(starts), length) + values.shape[1:]``.

    Examples
    --------
    >>> gather_windows(np.arange(6.0), np.array([0, 2]), 3)
    array([[0., 1., 2.],
           [2., 3., 4.]])
    """
    if isinstance(values, np.ndarray):
        return values[starts[:, None] + np.arange(length)]
    import torch

    return values[starts[:, None] + torch.arange(length, device=values.device)]


def window_range(length: int, window: int, horizon: int = 0, stride: int = 1) -> range:
    """Start offsets of the windows of one series, as a ``range`` (nothing materialised).

    Equal to ``window_starts([length], window, horizon, stride)``, at O(1) cost and memory
    however long the series: the form :func:`view_windows` turns into a view.

    Examples
    --------
    >>> window_range(10, window=3, horizon=1, stride=3)
    range(0, 7, 3)
    >>> window_starts([10], window=3, horizon=1, stride=3)
    array([0, 3, 6])
    """
    last = length - window - horizon  # start of the latest window
    count = max(last, -1) // stride + 1
    return range(last - (count - 1) * stride, last + 1, stride)


def view_windows(values: np.ndarray, starts, length: int) -> np.ndarray:
    """Windows ``values[s : s + length]`` as a read-only view when the starts are evenly spaced.

    Same result as :func:`gather_windows` (shape ``(len(starts), length) + values.shape[1:]``)
    but, for a ``range`` of starts (:func:`window_range`) or an evenly spaced array of them,
    without copying: the windows are a strided
    :func:`~numpy.lib.stride_tricks.sliding_window_view` of ``values``. Other starts fall
    back to :func:`gather_windows` (a copy).

    Examples
    --------
    >>> values = np.arange(6.0)
    >>> windows = view_windows(values, range(0, 3, 2), 3)
    >>> windows
    array([[0., 1., 2.],
           [2., 3., 4.]])
    >>> np.shares_memory(windows, values)
    True
    """
    if not isinstance(starts, range):
        starts = np.asarray(starts, dtype=np.int64)
        steps = np.diff(starts)
        if len(starts) == 0 or np.any(steps != steps[:1]):
            return gather_windows(values, starts, length)
        starts = range(int(starts[0]), int(starts[-1]) + 1, int(steps[0]) if len(steps) else 1)
    if len(starts) == 0 or starts.step < 1 or starts[0] < 0 or starts[-1] + length > len(values):
        return gather_windows(values, np.asarray(starts, dtype=np.int64), length)
    view = np.lib.stride_tricks.sliding_window_view(values, length, axis=0)
    view = np.moveaxis(view, -1, 1)  # (n_possible_starts, length, *channels)
    return view[starts.start:starts.stop:starts.step]

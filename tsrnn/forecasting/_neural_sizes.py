"""The neural forecasters' sizes from the data, as pure functions: the default windows,
the tail of every series (left-padded when shorter than the window)."""

from __future__ import annotations

import numpy as np

MIN_OBSERVED = 2  # observed steps a (left-padded) training window reads at least
LEVEL_LOOKBACK = 7  # low-frequency windows: this many horizons (N-BEATS: 2 to 7)


def auto_window(horizon: int, seasons: list, lengths=None, longer: bool = True) -> int:
    """The default window: ``max(2 * horizon, 8)`` rounded up to whole seasons, at least three
    main seasons and the longest season up to seven main seasons (a week of hourly or
    half-hourly data), when the shortest series still holds one window plus the horizon.
    With ``longer``, two of that longer season (two weeks of hourly data, for the seasonal
    base to choose between the day and the week) when the shortest series holds them.

    >>> auto_window(48, [24, 168], [800]), auto_window(13, [52], [80]), auto_window(6, [1])
    (336, 52, 12)
    >>> auto_window(48, [24, 168], [800], longer=False), auto_window(48, [24, 168], [380])
    (168, 168)
    """
    m = seasons[0]
    window = max(2 * horizon, 8)
    if m > 1:
        room = np.inf if lengths is None or not len(lengths) else int(np.min(lengths)) - horizon
        window = -(-window // m) * m
        fitting = [s for s in (3 * m, *seasons) if s <= 7 * m and s <= room]
        if longer:
            fitting += [2 * s for s in seasons[1:] if s <= 7 * m and 2 * s <= room]
        window = max([window, *fitting])
        window = min(window, max(room, 8))  # shorten it for short series
    return int(window)


def level_window(horizon: int, season: int, lengths=None) -> int:
    """The default window of the level base: ``LEVEL_LOOKBACK`` (7) horizons, at least
    three seasons and 8 steps, and no longer than the longest series less the horizon
    (shorter series are left-padded).

    >>> level_window(18, 12, [48, 126]), level_window(6, 1, [14, 41]), level_window(8, 4)
    (108, 35, 56)
    >>> level_window(1, 12, [30])
    29
    """
    window = max(LEVEL_LOOKBACK * horizon, 3 * season, 8)
    if lengths is not None and len(lengths):
        window = min(window, max(int(np.max(lengths)) - horizon, MIN_OBSERVED))
    return int(window)


def tail_index(offsets, lengths, window: int):
    """Positions of the last ``window`` points of every series stored back to back, a series
    shorter than the window left-padded by repeating its first point; and the mask of
    observed steps. Two arrays ``(n_series, window)``.

    >>> src, observed = tail_index(np.array([0, 2]), np.array([2, 4]), 3)
    >>> src.tolist(), observed.astype(int).tolist()
    ([[0, 0, 1], [3, 4, 5]], [[0, 1, 1], [1, 1, 1]])
    """
    lengths = np.asarray(lengths)
    take = np.minimum(lengths, window)[:, None]
    step = np.arange(window)[None, :]
    observed = step >= window - take
    src = (np.asarray(offsets) + lengths)[:, None] - take + np.maximum(step - (window - take), 0)
    return src, observed


def _group_starts(series: np.ndarray) -> np.ndarray:
    """Positions where a new series begins in the sorted array ``series``."""
    return np.flatnonzero(np.r_[True, series[1:] != series[:-1]])


def _pad(block: np.ndarray, steps: int) -> np.ndarray:
    """Pad ``(n, k, c)`` to ``(n, steps, c)`` by repeating the last row."""
    if block.shape[1] == steps:
        return block
    return np.concatenate([block, np.repeat(block[:, -1:], steps - block.shape[1], 1)], 1)

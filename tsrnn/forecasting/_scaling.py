"""Per-series scaling for the neural forecasters (inverted on output).

``standard`` and ``robust`` compute one location/scale per series and target from the
history given (the training series at fit, the new history at predict); ``window``
normalises every input window by its own mean and standard deviation (instance
normalisation, the deviation floored at 1% of the window's mean absolute level), which
lets one global model serve series of any level; ``none`` leaves
the data as it is. A zero scale (constant series or window) is replaced by 1.
"""

from __future__ import annotations

import numpy as np

SCALERS = ("standard", "robust", "window", "none")
# Floors are relative to the data, never absolute, so that scaling a series by any factor
# scales its forecasts by the same factor: a scale at most RELATIVE_ZERO times the series'
# mean absolute level counts as zero (a constant series) and is replaced by that level
# (by 1 when the series is all zeros).
RELATIVE_ZERO = 1e-10
# A nearly flat window (a price that did not move for weeks) would blow its next values up
# to thousands of standard deviations: the window scale is floored at 1% of its level.
REL_FLOOR = 0.01


def series_stats(values: np.ndarray, lengths, method: str):
    """Location and scale per series: two arrays ``(n_series, n_columns)``."""
    if method in ("none", "window"):
        n = len(lengths)
        return np.zeros((n, values.shape[1])), np.ones((n, values.shape[1]))
    if method == "standard":  # one pass over all series
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        counts = np.asarray(lengths)[:, None]
        loc = np.add.reduceat(values, starts, axis=0) / counts
        centred = values - np.repeat(loc, lengths, axis=0)
        scale = np.sqrt(np.add.reduceat(centred**2, starts, axis=0) / counts)
    else:
        parts = np.split(values, np.cumsum(lengths)[:-1])
        loc = np.stack([np.median(p, axis=0) for p in parts])
        q75, q25 = zip(*(np.percentile(p, [75, 25], axis=0) for p in parts))
        scale = (np.stack(q75) - np.stack(q25)) / 1.349
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    level = np.add.reduceat(np.abs(values), starts, axis=0) / np.asarray(lengths)[:, None]
    return loc, safe_scale(scale, level)


def safe_scale(scale: np.ndarray, level: np.ndarray) -> np.ndarray:
    """``scale`` with (relatively) zero entries replaced by ``level``, or 1 where that is 0."""
    return np.where(scale > RELATIVE_ZERO * level, scale, np.where(level > 0, level, 1.0))


def _floor(level, log: bool):
    """The window scale floor: 1% of the level; on log values, 0.01 (also 1% of the level,
    and unchanged when the series is multiplied by a constant)."""
    return REL_FLOOR * (level * 0 + 1.0 if log else level)


def window_stats(windows: np.ndarray, log: bool = False):
    """Mean and floored std over time of windows ``(n, time, k)``: arrays ``(n, k)``.

    ``log``: the windows hold log values (floor 0.01 instead of 1% of the level)."""
    loc = windows.mean(axis=1)
    scale = np.maximum(windows.std(axis=1), _floor(np.abs(windows).mean(axis=1), log))
    return loc, np.where(scale > 0, scale, 1.0)  # 0 only for an all-zero window


def normalise_batch(x, y, n_targets: int, log: bool = False):
    """Instance-normalise the target channels of a torch batch by each window's statistics.

    The same statistics as :func:`window_stats`, computed on the device.
    """
    import torch

    past = x[:, :, :n_targets]  # (batch, window, n_targets)
    loc = past.mean(dim=1, keepdim=True)
    scale = torch.maximum(past.std(dim=1, unbiased=False, keepdim=True),
                          _floor(past.abs().mean(dim=1, keepdim=True), log))
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))  # an all-zero window
    x = torch.cat([(past - loc) / scale, x[:, :, n_targets:]], dim=2)
    return x, None if y is None else (y - loc) / scale

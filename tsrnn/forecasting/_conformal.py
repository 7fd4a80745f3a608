"""Split-conformal interval widths of the neural forecasters, pooled or per series.

The forecasters store the absolute errors of their calibration windows, each divided by
its window's scale (``residuals_``, shape ``(n_windows, horizon, n_targets)``), and the
training series of every window (``residual_series_``). The functions here turn them into
interval half-widths in the same normalised units; the forecaster multiplies them by the
scale of the window it forecasts from.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validation import check_probability

MODES = ("pooled", "series")
# prior weight of the pooled scale, in calibration windows: a series with n windows gets
# the weight n / (n + SHRINK_WINDOWS) on its own scale (48 in-sample windows of M4 Hourly:
# 0.92; one held-out window: 0.2). Measured on the M4 Hourly dev half (default GRU): the
# log of a series' out-of-sample error regresses on the log of its in-sample scale with a
# slope of 1.0 (correlation 0.94), so with many windows the own scale needs little
# shrinking; a weight of 0.5 (SHRINK_WINDOWS = 48) raised the 90% coverage from 81.4% to
# 82.9% but the scaled pinball loss from 0.261 to 0.287.
SHRINK_WINDOWS = 4
# a series' scale is at most MAX_RATIO times the pooled one (the 99th percentile of the
# ratio on M4 Hourly and Weekly is 4.1-4.2): past it, the calibration windows hold a level
# break, whose errors the next window's scale (spread over the break) would count again;
# uncapped, one such M4 Weekly series (12x) took the scaled pinball loss from 0.63 to 7.7
MAX_RATIO = 4.0
_FLOOR = 1e-3  # and at least this fraction of it


def _level(n: int, coverage: float) -> float:
    """The finite-sample conformal level ``ceil((n + 1) c) / n``, capped at 1."""
    return min(1.0, np.ceil((n + 1) * coverage) / n)


def series_scales(residuals: np.ndarray, series: np.ndarray,
                  shrink: float = SHRINK_WINDOWS) -> tuple[np.ndarray, np.ndarray]:
    """Each series' residual scale, shrunk toward the pooled one.

    The scale of series ``s`` is the mean of its normalised residuals over its windows and
    steps; the pooled scale is the mean of the series' scales (every series counts once).
    The own scale is capped at ``MAX_RATIO`` times the pooled one, and the shrunk scale is
    the geometric blend ``pooled**(1 - w) * own**w`` with ``w = n_s / (n_s + shrink)``,
    ``n_s`` the series' number of calibration windows.

    Returns the shrunk scales ``(n_series, n_targets)`` (``n_series = series.max() + 1``;
    a series without a window gets the pooled scale) and the pooled scale ``(n_targets,)``.

    >>> r = np.array([1.0, 1.0, 3.0, 3.0]).reshape(4, 1, 1)
    >>> scales, pooled = series_scales(r, np.array([0, 0, 1, 1]), shrink=0)
    >>> scales.ravel().round(6).tolist(), pooled.tolist()
    ([1.0, 3.0], [2.0])
    """
    n_series = int(series.max()) + 1
    counts = np.bincount(series, minlength=n_series)
    sums = np.zeros((n_series, residuals.shape[2]))
    np.add.at(sums, series, residuals.mean(axis=1))
    seen = counts > 0
    own = sums[seen] / counts[seen, None]
    pooled = own.mean(axis=0)
    own = np.clip(own, _FLOOR * pooled, MAX_RATIO * pooled)
    weight = (counts[seen] / (counts[seen] + shrink))[:, None]
    scales = np.tile(pooled, (n_series, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        scales[seen] = np.exp((1 - weight) * np.log(pooled) + weight * np.log(own))
    return np.nan_to_num(scales), pooled


def pooled_widths(residuals: np.ndarray, coverage: float) -> np.ndarray:
    """The ``ceil((n + 1) c) / n`` quantile of every step's residuals ``(horizon, n_targets)``.

    >>> pooled_widths(np.arange(1.0, 11.0).reshape(10, 1, 1), 0.8).ravel().tolist()  # 0.9
    [9.1]
    """
    return np.quantile(residuals, _level(len(residuals), coverage), axis=0)


def conformal_widths(residuals: np.ndarray, series: np.ndarray | None, coverage: float,
                     mode: str = "pooled") -> tuple[np.ndarray, np.ndarray]:
    """Interval half-widths per training series and step, and the pooled ones.

    Parameters
    ----------
    residuals : ndarray of shape (n_windows, horizon, n_targets)
        Absolute calibration errors, each divided by its window's scale.
    series : ndarray of shape (n_windows,) or None
        The training series (0, 1, ...) of each window; None: one pooled width.
    coverage : float
        Nominal coverage in (0, 1).
    mode : {"pooled", "series"}, default="pooled"
        ``"pooled"``: every series gets the per-step ``ceil((n + 1) c) / n`` quantile of all
        windows' residuals (split conformal; the coverage holds on average over the
        windows, not for each series). ``"series"``: normalised (scale-adaptive) conformal
        with one difficulty scale per series: each residual is divided by its series'
        scale (:func:`series_scales`: the series' mean residual, shrunk toward the pooled
        one when the series has few windows), the per-step pooled quantile of these
        standardised residuals is taken, and multiplied back by each series' scale. The
        residuals are already relative to each window's spread; this corrects how hard a
        series is to forecast *relative* to its spread, which the window scale cannot see
        (a noisy series next to a smooth seasonal one of the same spread). A per-series
        quantile (Mondrian conformal) would need many windows per series; in-sample
        calibration gives ``horizon`` overlapping windows, held-out calibration often one,
        so only a scale is estimated per series and the shape of the error distribution
        (and its growth over the steps) stays pooled. The scales come from the same
        residuals, so the finite-sample guarantee is approximate; the shrinkage limits
        the optimism for series with few windows.

    Returns
    -------
    widths : ndarray of shape (n_series, horizon, n_targets)
        One row per training series (``series.max() + 1`` rows; one row when ``series`` is
        None or the mode is ``"pooled"``).
    pooled : ndarray of shape (horizon, n_targets)
        The pooled widths: for series not seen in calibration (new ids at predict).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> r = np.abs(rng.normal(size=(400, 1, 1))) * np.repeat([1.0, 5.0], 200)[:, None, None]
    >>> widths, pooled = conformal_widths(r, np.repeat([0, 1], 200), 0.9, mode="series")
    >>> bool(widths[0, 0, 0] < pooled[0, 0] < widths[1, 0, 0])
    True
    """
    if mode not in MODES:
        raise ValueError(f"interval_calibration must be one of {MODES}, got {mode!r}.")
    coverage = check_probability(coverage, "coverage")
    _warn_too_few(len(residuals), coverage)
    pooled = pooled_widths(residuals, coverage)
    if mode == "pooled" or series is None:
        return pooled[None], pooled
    scales, _ = series_scales(residuals, series)  # (n_series, n_targets)
    own = scales[series][:, None, :]  # (n_windows, 1, n_targets)
    with np.errstate(divide="ignore", invalid="ignore"):
        standard = np.where(own > 0, residuals / own, 0.0)
    return pooled_widths(standard, coverage)[None] * scales[:, None, :], pooled


def _warn_too_few(n: int, coverage: float) -> None:
    """Warn when ``n`` windows cannot calibrate ``coverage``: past ``n / (n + 1)`` split
    conformal would need an infinite width, and the width is capped at the largest error,
    so every coverage above that level gets the same interval."""
    if (n + 1) * coverage <= n:
        return
    needed = int(np.ceil(coverage / (1 - coverage) - 1e-9))
    warnings.warn(f"only {n} calibration window(s): a {coverage:g} interval needs at least "
                  f"{needed} (split conformal), so it is the widest calibration error, the "
                  f"same as for any coverage above {n / (n + 1):.3g}; calibrate on more "
                  "windows (more or longer series, validation_fraction) for wider "
                  "coverages.", UserWarning, stacklevel=3)


def widths_for(widths: np.ndarray, pooled: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Widths ``(len(rows), horizon, n_targets)`` of the series at ``rows`` of ``widths``;
    a row of -1 (a series not in calibration) or a single pooled row gives ``pooled``.

    >>> w = np.array([[[1.0]], [[3.0]]])
    >>> widths_for(w, np.array([[2.0]]), np.array([1, -1, 0])).ravel().tolist()
    [3.0, 2.0, 1.0]
    """
    if len(widths) == 1:
        return np.broadcast_to(pooled, (len(rows),) + pooled.shape)
    known = (rows >= 0) & (rows < len(widths))
    return np.where(known[:, None, None], widths[np.where(known, rows, 0)], pooled[None])


def series_rows(train_ids, ids) -> np.ndarray:
    """Position of every id of ``ids`` among ``train_ids`` (-1 for a new id).

    >>> series_rows(["a", "b", "c"], ["c", "z", "a"]).tolist()
    [2, -1, 0]
    """
    return pd.Index(list(train_ids)).get_indexer(list(ids))

"""The rolling-origin scorer of :meth:`BaseForecaster.score`: the histories and actuals of
origins every ``horizon`` steps over new data (joined to the training series it continues),
their MASE scales, and the future covariates at each origin. Whole-array operations, no
Python loop over series or origins.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..metrics import segment_scales
from ._data import IndexSlices, Panel, _shift
from .seasonality import season_lengths

if TYPE_CHECKING:  # annotations only
    from .base import BaseForecaster


def _warn_overlap(train: Panel, test: Panel) -> None:
    """Warn when a scored series starts within its own training data (in-sample scores)."""
    where = {sid: i for i, sid in enumerate(train.ids)}
    j = np.array([where.get(sid, -1) for sid in test.ids], dtype=np.int64)
    known = np.flatnonzero(j >= 0)
    if not len(known):
        return
    firsts = test.all_times()[test.offsets[known]]
    lasts = train.all_times()[train.offsets[j[known]] + train.lengths[j[known]] - 1]
    try:
        inside = np.asarray(firsts <= lasts, dtype=bool)
    except TypeError:  # timestamps that do not compare: nothing to say
        return
    if inside.any():
        k = int(np.argmax(inside))
        sid = test.ids[known[k]]
        name = "the series" if sid is None else f"series {sid!r}"
        warnings.warn(f"score(): {name} starts at {firsts[k]}, within the training data (which "
                      f"ends at {lasts[k]}), so part of the score is in-sample; score data "
                      "that follows the training period (a time-series split).", UserWarning,
                      stacklevel=3)


def _ranges(starts, counts) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a loop."""
    counts = np.asarray(counts, dtype=np.int64)
    if not counts.sum():
        return np.zeros(0, dtype=np.int64)
    begin = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return np.arange(counts.sum()) + np.repeat(np.asarray(starts, np.int64) - begin, counts)


def _continues(model: BaseForecaster, train: Panel, j: np.ndarray, test: Panel) -> np.ndarray:
    """Per test series: does it start right after the end of its training series?"""
    known = j >= 0
    if not known.any() or (test.covariates is None) != (train.covariates is None) or (
            test.covariates is not None and test.covariates.shape[1] != train.covariates.shape[1]):
        return np.zeros(len(j), dtype=bool)
    lasts = train.all_times()[train.offsets[j[known]] + train.lengths[j[known]] - 1]
    firsts = test.all_times()[test.offsets[known]]
    out = np.zeros(len(j), dtype=bool)
    try:
        out[known] = np.asarray(_shift(lasts, model.freq_) == firsts, dtype=bool)
    except (TypeError, ValueError):  # another kind of index (or time zone): a new series
        pass
    return out


def _rolling_origins(model: BaseForecaster, test: Panel):
    """Histories (as one Panel) and actuals for origins every ``horizon`` steps of ``test``.

    A test series that continues its training series (it starts one step after it) is
    joined to it: the origins then start at the training end and the histories include
    the training data. Whole-array operations: no Python loop over series or origins.
    """
    train = model.train_panel_
    where = {sid: i for i, sid in enumerate(train.ids)}
    h, ctx = model.horizon_, model._context_length()
    j = np.array([where.get(sid, -1) for sid in test.ids], dtype=np.int64)
    cont = _continues(model, train, j, test)
    n_train = len(train.values)
    train_len = np.where(cont, train.lengths[np.maximum(j, 0)], 0)
    total = train_len + test.lengths
    # rows of every joined series in `pool` (training rows, then test rows), back to back
    pool = np.concatenate([train.values, test.values]) if cont.any() else test.values
    starts = np.stack([np.where(cont, train.offsets[np.maximum(j, 0)], 0),
                       (n_train if cont.any() else 0) + test.offsets], 1).ravel()
    rows = _ranges(starts, np.stack([train_len, test.lengths], 1).ravel())
    joined_off = np.concatenate([[0], np.cumsum(total)[:-1]])
    # origins: from the end of training (or the first full history) every h steps
    first = np.maximum(train_len, model._min_history())
    n_orig = np.where(first < total, -(-(total - first) // h), 0)
    if not n_orig.sum():
        raise ValueError("no forecast origin in the data to score: it must hold at least one "
                         f"observation after {model._min_history()} of history.")
    series = np.repeat(np.arange(len(total)), n_orig)
    origin = np.repeat(first, n_orig) + h * _ranges(np.zeros(len(n_orig)), n_orig)
    vals = pool[rows]
    # the MASE scale of each origin: its whole history before the origin (training data
    # included), at the season of the data's frequency (metrics.segment_scales)
    scale = segment_scales(vals, joined_off[series], joined_off[series] + origin,
                           score_season(model))
    lo = np.zeros_like(origin) if ctx is None else np.maximum(0, origin - ctx)
    base = joined_off[series]
    hist_rows = rows[_ranges(base + lo, origin - lo)]
    ahead = base[:, None] + origin[:, None] + np.arange(h)  # (n_origins, h) joined positions
    inside = origin[:, None] + np.arange(h) < total[series][:, None]
    act = np.full((len(origin), h, vals.shape[1]), np.nan)
    act[inside] = vals[ahead[inside]]
    covs = act_cov = None
    if test.covariates is not None:
        cov_pool = np.concatenate([train.covariates, test.covariates]) if cont.any() \
            else test.covariates
        covs = cov_pool[hist_rows]
        last = (base + total[series] - 1)[:, None]
        act_cov = cov_pool[rows[np.minimum(ahead, last)]]  # the last row repeated past the end
    lengths = origin - lo
    positions = pd.RangeIndex(int(lengths.max()))  # each history's index: 0, 1, ...
    panel = Panel(ids=[test.ids[s] for s in series],
                  index=IndexSlices(positions, np.zeros_like(lengths), lengths),
                  values=pool[hist_rows], targets=test.targets, covariates=covs,
                  covariate_names=test.covariate_names)
    return panel, {"values": act, "covariates": act_cov, "series": series,
                   "step": origin - train_len[series], "inside": inside}, scale


def score_season(model: BaseForecaster) -> int:
    """The season of the MASE scale of ``model``'s scores: the main season of its data's
    frequency (``seasonality.season_lengths``; 1 without one), the same for every model
    on the same data so that scores compare across models and parameter grids."""
    return season_lengths(model.freq_)[0]


def _origin_future(model: BaseForecaster, hist: Panel, actual: dict):
    names = model._future_names()
    if not names:
        return None
    cols = [hist.covariate_names.index(n) for n in names]
    return actual["covariates"][:, :, cols]

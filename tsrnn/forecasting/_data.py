"""From the user's pandas objects to one validated :class:`Panel`, and back.

Every forecaster (neural and classical) goes through :func:`to_panel` in ``fit``,
``predict`` and ``score``, so every one of them validates identically and returns its
forecasts in the same layout as its input.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_finite


@dataclass
class Panel:
    """One or many series stored back to back.

    ``values`` holds the targets ``(points, n_targets)`` and ``covariates`` the other
    numeric columns ``(points, n_covariates)`` of all series concatenated; series ``i``
    occupies ``offsets[i] : offsets[i] + lengths[i]`` with time index ``index[i]``.
    """

    ids: list
    index: list
    values: np.ndarray
    targets: list
    covariates: np.ndarray | None = None
    covariate_names: list = field(default_factory=list)
    layout: str = "series"  # "series" | "frame" | "long" | "multiindex"

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(ix) for ix in self.index], dtype=np.int64)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)

    def series(self, i: int) -> np.ndarray:
        start = self.offsets[i]
        return self.values[start:start + len(self.index[i])]


@dataclass
class Spec:
    """How the user's data is laid out; fixed at fit and reused at predict."""

    target: list | None
    id_col: str
    time_col: str
    freq: object = None  # pandas offset, or the integer step of an integer index


def _split_long(frame: pd.DataFrame, spec: Spec):
    """Yield ``(id, time-indexed frame)`` per series of a long or MultiIndex frame."""
    if isinstance(frame.index, pd.MultiIndex):
        if frame.index.nlevels != 2:
            raise ValueError("a MultiIndex must have two levels: (series id, time).")
        for sid, part in frame.groupby(level=0, sort=False):
            yield sid, part.droplevel(0)
        return
    missing = [c for c in (spec.id_col, spec.time_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"long-format data needs the columns {missing}; got "
                         f"{list(frame.columns)} (set id_col / time_col).")
    for sid, part in frame.groupby(spec.id_col, sort=False):
        yield sid, part.drop(columns=[spec.id_col]).set_index(spec.time_col)


def _layout(data) -> str:
    if isinstance(data, pd.Series):
        return "series"
    if not isinstance(data, pd.DataFrame):
        raise TypeError("forecasters take a pandas Series or DataFrame (time-indexed, long "
                        f"format or (id, time) MultiIndex), got {type(data).__name__}.")
    if isinstance(data.index, pd.MultiIndex):
        return "multiindex"
    return "frame"


def _pieces(data, spec: Spec, layout: str):
    if layout == "series":
        return [(None, data.to_frame(data.name if data.name is not None else "y"))]
    if layout == "multiindex":
        return list(_split_long(data, spec))
    if spec.id_col in data.columns:
        return list(_split_long(data, spec))
    if spec.time_col in data.columns and not isinstance(
            data.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return [(None, data.set_index(spec.time_col))]
    return [(None, data)]


def _name(sid) -> str:
    return "the series" if sid is None else f"series {sid!r}"


def _check_index(index: pd.Index, sid) -> pd.Index:
    if isinstance(index, pd.DatetimeIndex) or isinstance(index, pd.PeriodIndex):
        pass
    elif pd.api.types.is_integer_dtype(index.dtype):
        pass
    elif pd.api.types.is_object_dtype(index.dtype) or pd.api.types.is_string_dtype(index.dtype):
        try:
            index = pd.DatetimeIndex(pd.to_datetime(index))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"the time index of {_name(sid)} cannot be parsed as dates "
                             f"({exc}).") from None
    else:
        raise TypeError(f"the time index of {_name(sid)} must be datetime, period or "
                        f"integer, got {index.dtype}.")
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ValueError(f"{_name(sid)} has duplicate timestamps (first: {dup}); "
                         "aggregate them first.")
    if not index.is_monotonic_increasing:
        pos = int(np.argmax(np.diff(index.asi8 if hasattr(index, "asi8") else
                                    np.asarray(index)) < 0)) + 1
        raise ValueError(f"the timestamps of {_name(sid)} are not sorted (first out of "
                         f"order: {index[pos]} at position {pos}); sort the data by time.")
    return index


def infer_step(indexes: list, freq=None):
    """The frequency (pandas offset) or integer step shared by all series."""
    first = indexes[0]
    if freq is not None:
        return freq if isinstance(first, (pd.RangeIndex, pd.Index)) and \
            pd.api.types.is_integer_dtype(first.dtype) else pd.tseries.frequencies.to_offset(freq)
    if isinstance(first, pd.PeriodIndex):
        return first.freq
    if not isinstance(first, pd.DatetimeIndex):
        diffs = np.concatenate([np.diff(np.asarray(ix)) for ix in indexes])
        return int(diffs.min()) if len(diffs) else 1
    for ix in sorted(indexes, key=len, reverse=True):
        if ix.freq is not None:
            return ix.freq
        utc = ix.tz_convert("UTC") if ix.tz is not None else ix
        if len(ix) >= 3:
            inferred = (_infer(ix) or _infer(utc) or _infer(ix[-min(len(ix), 50):])
                        or _infer(utc[-min(len(utc), 50):]))
            if inferred is not None:
                return pd.tseries.frequencies.to_offset(inferred)
    raise ValueError("cannot infer the frequency of the time index"
                     f"{_irregularity(max(indexes, key=len))}; pass freq= "
                     "(e.g. 'h', 'D', 'W-SUN') or fill the gaps first.")


def _infer(index: pd.DatetimeIndex):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3 announces an offset return type
            return pd.infer_freq(index)
    except (TypeError, ValueError):
        return None


def _irregularity(index: pd.Index) -> str:
    """Where the spacing of ``index`` departs from its most common step."""
    if len(index) < 3:
        return f" (only {len(index)} timestamps)"
    steps = pd.Series(index[1:] - index[:-1])
    usual = steps.mode().iloc[0]
    pos = int(np.argmax((steps != usual).to_numpy())) + 1
    return (f" (irregular spacing: {index[pos - 1]} is followed by {index[pos]}, while the "
            f"usual step is {usual}; first missing timestamp: {index[pos - 1] + usual})")


def future_index(last, step, horizon: int, like: pd.Index) -> pd.Index:
    """The ``horizon`` timestamps after ``last``, in the type (and time zone) of ``like``."""
    if isinstance(like, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=horizon, freq=like.freq)
    if isinstance(like, pd.DatetimeIndex):
        if like.tz is not None and isinstance(step, pd.offsets.Tick):  # fixed steps: UTC
            utc = pd.date_range(last.tz_convert("UTC"), periods=horizon + 1, freq=step)[1:]
            return utc.tz_convert(like.tz)
        return pd.date_range(last, periods=horizon + 1, freq=step)[1:]
    return pd.Index(last + step * np.arange(1, horizon + 1), dtype=like.dtype)


def _check_regular(index: pd.Index, step, sid) -> None:
    if len(index) < 2:
        return
    expected = future_index(index[0], step, len(index) - 1, index)
    if not expected.equals(index[1:]):
        missing = expected[~expected.isin(index)]
        where = f"first missing: {missing[0]}" if len(missing) else "irregular spacing"
        raise ValueError(f"{_name(sid)} has gaps or irregular timestamps for frequency "
                         f"{step!r} ({where}); fill or resample the gaps first, or pass the right freq=.")


def _numeric(frame: pd.DataFrame, sid) -> pd.DataFrame:
    bad = [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c])
                                            and not pd.api.types.is_bool_dtype(frame[c]))]
    if bad:
        raise TypeError(f"non-numeric column(s) {bad} in {_name(sid)}: encode or drop them.")
    if any(pd.api.types.is_complex_dtype(frame[c]) for c in frame.columns):
        raise ValueError("complex values are not supported.")
    return frame


def to_panel(data, spec: Spec, fitted_targets=None, min_length: int = 1) -> Panel:
    """Validate ``data`` and convert it to a :class:`Panel`.

    Targets are ``spec.target`` (default: every numeric column of a time-indexed frame,
    ``"y"`` in long format); the remaining numeric columns become covariates.
    """
    layout = _layout(data)
    pieces = _pieces(data, spec, layout)
    if layout == "frame" and spec.id_col in data.columns:
        layout = "long"
    if not pieces or all(len(p) == 0 for _, p in pieces):
        raise ValueError("the data is empty: at least one series with observations is needed.")
    targets = fitted_targets or spec.target or (
        ["y"] if layout in ("long", "multiindex") else list(pieces[0][1].columns))
    ids, indexes, values, covs = [], [], [], []
    for sid, frame in pieces:
        missing = [t for t in targets if t not in frame.columns]
        if missing:
            raise ValueError(f"target column(s) {missing} not found in {_name(sid)}; "
                             f"columns are {list(frame.columns)}.")
        frame = _numeric(frame, sid)
        index = _check_index(frame.index, sid)
        if len(index) < min_length:
            raise ValueError(f"{_name(sid)} has {len(index)} observations; at least "
                             f"{min_length} are needed.")
        block = frame[targets].to_numpy(dtype=np.float64)
        check_finite(block, f"the target of {_name(sid)}", (index, targets))
        cov_names = [c for c in frame.columns if c not in targets]
        cov_block = frame[cov_names].to_numpy(dtype=np.float64)
        check_finite(cov_block, f"the covariates of {_name(sid)}", (index, cov_names))
        ids.append(sid)
        indexes.append(index)
        values.append(block)
        covs.append(cov_block)
    return Panel(ids=ids, index=indexes, values=np.concatenate(values), targets=list(targets),
                 covariates=np.concatenate(covs) if cov_names else None,
                 covariate_names=cov_names, layout=layout)


def check_regular(panel: Panel, freq=None):
    """Infer (or check) the shared frequency and that no series has gaps; returns it."""
    step = infer_step(panel.index, freq)
    for sid, index in zip(panel.ids, panel.index):
        _check_regular(index, step, sid)
    return step


def from_forecasts(values: np.ndarray, panel: Panel, step, horizon: int,
                   columns: list | None = None, spec: Spec | None = None):
    """Lay out forecasts ``(n_series, horizon, n_columns)`` like the input data."""
    columns = columns or panel.targets
    futures = [future_index(ix[-1], step, horizon, ix) for ix in panel.index]
    if panel.layout in ("series", "frame"):
        frame = pd.DataFrame(values[0], index=futures[0], columns=columns)
        frame.index.name = panel.index[0].name
        if panel.layout == "series" and len(columns) == 1:
            return frame.iloc[:, 0]
        return frame
    flat = values.reshape(-1, values.shape[2])
    ids = np.repeat(np.array(panel.ids, dtype=object), horizon)
    times = futures[0].append(futures[1:]) if len(futures) > 1 else futures[0]
    if panel.layout == "multiindex":
        index = pd.MultiIndex.from_arrays([ids, times])
        return pd.DataFrame(flat, index=index, columns=columns)
    frame = pd.DataFrame(flat, columns=columns)
    frame.insert(0, spec.time_col, times)
    frame.insert(0, spec.id_col, ids)
    return frame

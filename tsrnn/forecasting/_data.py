"""From the user's pandas objects to one validated :class:`Panel`, and back.

Every forecaster (neural and classical) goes through :func:`to_panel` in ``fit``,
``predict`` and ``score``, so every one of them validates identically and returns its
forecasts in the same layout as its input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_finite, check_unique_columns
from ._panel import IndexSlices as IndexSlices
from ._panel import Panel, Spec, _name, _non_numeric, _plain, sliced_panel
from ._panel import Schema as Schema
from ._panel import index_kind as index_kind
from ._time import _evenly_spaced as _evenly_spaced
from ._time import _infer as _infer
from ._time import _irregularity as _irregularity
from ._time import _months_apart as _months_apart
from ._time import _shift as _shift
from ._time import _to_offset as _to_offset
from ._time import check_regular, future_index, future_indexes
from ._time import infer_step as infer_step
from ._time import monthly_on_day as monthly_on_day


def _holds_times(values) -> bool:
    """Are ``values`` (an index level or a column) timestamps or periods?"""
    dtype = getattr(values, "dtype", None)
    return isinstance(dtype, pd.PeriodDtype) or getattr(dtype, "kind", None) == "M"


def _check_id_time(ids, times, layout: str, spec: Spec) -> None:
    """Refuse series ids that are timestamps beside times that are not: the two levels (or
    columns) swapped, which would otherwise forecast one "series" per date."""
    if not _holds_times(ids) or _holds_times(times):
        return
    if layout == "multiindex":
        raise ValueError("the MultiIndex has timestamps in its first level and not in its "
                         "second: tsrnn reads (series id, time); put the series ids first, "
                         "e.g. data.swaplevel().sort_index().")
    raise ValueError(f"the id column {spec.id_col!r} holds timestamps and the time column "
                     f"{spec.time_col!r} does not: are id_col and time_col swapped?")


def _split_long(frame: pd.DataFrame, spec: Spec):
    """Yield ``(id, time-indexed frame)`` per series of a long or MultiIndex frame."""
    if isinstance(frame.index, pd.MultiIndex):
        if frame.index.nlevels != 2:
            raise ValueError("a MultiIndex must have two levels: (series id, time).")
        _check_id_time(frame.index.get_level_values(0), frame.index.get_level_values(1),
                       "multiindex", spec)
        for sid, part in frame.groupby(level=0, sort=False):
            yield sid, part.droplevel(0)
        return
    missing = [c for c in (spec.id_col, spec.time_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"long-format data needs the columns {missing}; got "
                         f"{list(frame.columns)} (set id_col / time_col).")
    _check_id_time(frame[spec.id_col], frame[spec.time_col], "long", spec)
    for sid, part in frame.groupby(spec.id_col, sort=False):
        yield sid, part.drop(columns=[spec.id_col]).set_index(spec.time_col)


def _layout(data) -> str:
    if isinstance(data, pd.Series):
        if isinstance(data.index, pd.MultiIndex):
            raise ValueError("a Series on a MultiIndex: give a panel as a DataFrame, on an "
                             "(id, time) MultiIndex (series.to_frame()) or in long format.")
        return "series"
    if not isinstance(data, pd.DataFrame):
        hint = "" if not isinstance(data, np.ndarray) else (
            " A scikit-learn transformer before a forecaster in a Pipeline hands it an "
            "array without timestamps: to transform the target, wrap the forecaster in "
            "tsrnn.forecasting.TransformedTargetForecaster(forecaster, transform="
            "StandardScaler()), which fits the transformer per series and inverts it on "
            "the forecasts.")
        raise TypeError("forecasters take a pandas Series or DataFrame (time-indexed, long "
                        f"format or (id, time) MultiIndex), got {type(data).__name__}.{hint}")
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


def _check_no_nat(times: pd.Index, ids, time_name) -> None:
    """A missing timestamp (NaT) of a long panel, named with its series and row (before
    any sorting would move it)."""
    missing = np.asarray(pd.isna(times))
    if missing.any():
        row = int(np.argmax(missing))
        raise ValueError(f"the time column {time_name!r} has a missing timestamp (NaT) in "
                         f"{_name(np.asarray(ids, dtype=object)[row])} at row {row}; drop "
                         "or fill that row first.")


def _check_index(index: pd.Index, sid, unique: bool = True) -> pd.Index:
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
    if index.hasnans:
        raise ValueError(f"the time index of {_name(sid)} has a missing timestamp (NaT) at "
                         f"position {int(np.argmax(np.asarray(pd.isna(index))))}; drop or "
                         "fill that row first.")
    if not unique:
        return index
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


def _check_dtypes(dtypes: dict, sid) -> None:
    """Numeric (not boolean, not complex) columns only; ``dtypes`` maps column -> dtype."""
    bad = _non_numeric(dtypes)
    if bad:
        raise TypeError(f"non-numeric column(s) {bad} in {_name(sid)}: encode or drop them.")
    if any(pd.api.types.is_complex_dtype(d) for d in dtypes.values()):
        raise ValueError("complex values are not supported.")


def _numeric(frame: pd.DataFrame, sid) -> pd.DataFrame:
    _check_dtypes({c: frame[c].dtype for c in frame.columns}, sid)
    return frame


def _check_finite_long(block, what: str, codes, uniques, times, columns) -> None:
    """check_finite on a long panel, naming the series of the first bad value."""
    bad = ~np.isfinite(block).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(codes == codes[int(np.argmax(bad))])
        check_finite(block[rows], f"{what} of {_name(uniques[codes[rows[0]]])}",
                     (times[rows], columns))


def _long_parts(data, spec: Spec, layout: str):
    """Series ids, timestamps and value columns of a long or (id, time) MultiIndex frame."""
    if layout == "multiindex":
        if data.index.nlevels != 2:
            raise ValueError("a MultiIndex must have two levels: (series id, time).")
        ids, times = data.index.get_level_values(0), data.index.get_level_values(1)
        _check_id_time(ids, times, layout, spec)
        return ids, times, list(data.columns)
    missing = [c for c in (spec.id_col, spec.time_col) if c not in data.columns]
    if missing:
        raise ValueError(f"long-format data needs the columns {missing}; got "
                         f"{list(data.columns)} (set id_col / time_col).")
    _check_id_time(data[spec.id_col], data[spec.time_col], layout, spec)
    columns = [c for c in data.columns if c not in (spec.id_col, spec.time_col)]
    return data[spec.id_col], pd.Index(data[spec.time_col]), columns


def _ordinal(times: pd.Index) -> np.ndarray:
    return times.asi8 if hasattr(times, "asi8") else np.asarray(times, dtype=np.int64)


def _needed(min_length: int, why: str | None) -> str:
    """"at least 10 are needed (why)": the end of a too-short message."""
    return f"at least {min_length} are needed" + (f" ({why})" if why else "")


def _long_to_panel(data, spec: Spec, layout: str, targets, min_length: int,
                   why: str | None = None) -> Panel:
    """Validate a long panel with whole-column operations (no Python loop over series)."""
    ids, times, columns = _long_parts(data, spec, layout)
    _check_no_nat(times, ids, times.name if layout == "multiindex" else spec.time_col)
    codes, uniques = pd.factorize(pd.Index(ids, tupleize_cols=False), sort=False)
    if (codes < 0).any():
        raise ValueError("the series id column contains missing values.")
    order = np.argsort(codes, kind="stable")  # group by series, keep the time order given
    grouped = bool(np.all(order == np.arange(len(order))))  # already series after series
    codes = codes if grouped else codes[order]
    times = _check_index(times if grouped else times.take(order), None, unique=False)
    diffs, same = np.diff(_ordinal(times)), codes[1:] == codes[:-1]
    for bad, what in ((same & (diffs == 0), "duplicate timestamps (first: {t}); aggregate "
                       "them first"), (same & (diffs < 0), "timestamps that are not sorted "
                                       "(first out of order: {t}); sort the data by time")):
        if bad.any():
            i = int(np.argmax(bad)) + 1
            raise ValueError(f"{_name(uniques[codes[i]])} has " + what.format(t=times[i]) + ".")
    lengths = np.bincount(codes, minlength=len(uniques))
    short = np.flatnonzero(lengths < min_length)
    if len(short):
        names = ", ".join(f"{_plain(uniques[i])!r} ({lengths[i]})" for i in short[:5])
        raise ValueError(f"{len(short)} series have fewer than {min_length} observations, "
                         f"the minimum{f' ({why})' if why else ''}: {names}"
                         f"{' ...' if len(short) > 5 else ''}.")
    missing = [t for t in targets if t not in columns]
    if missing:
        raise ValueError(f"target column(s) {missing} not found; columns are {columns}.")
    _check_dtypes({c: data[c].dtype for c in columns}, None)

    def block(names):  # float64 (rows, len(names)), series after series
        out = np.column_stack([data[c].to_numpy(dtype=np.float64) for c in names])
        return out if grouped else out[order]

    values = block(targets)
    _check_finite_long(values, "the target", codes, uniques, times, targets)
    cov_names = [c for c in columns if c not in targets]
    covs = block(cov_names) if cov_names else None
    if covs is not None:
        _check_finite_long(covs, "the covariates", codes, uniques, times, cov_names)
    return sliced_panel(times, lengths, ids=list(uniques), values=values,
                        targets=list(targets), covariates=covs, covariate_names=cov_names,
                        layout=layout, id_index=uniques,  # typed ids: reused by forecasts
                        dtypes={c: data[c].dtype for c in columns})


def _series_to_panel(data: pd.Series, spec: Spec, fitted_targets, min_length: int,
                     why: str | None = None):
    """A plain numeric Series straight to a Panel (the common single-series predict).

    The same checks as the general path, without building frames; returns None when the
    Series needs the general path (another dtype or a target name that does not match),
    which then raises its own error.
    """
    name = data.name if data.name is not None else "y"
    targets = fitted_targets or spec.target or [name]
    dtype = data.dtype
    if list(targets) != [name] or not isinstance(dtype, np.dtype) or dtype.kind not in "iuf":
        return None
    index = _check_index(data.index, None)
    if len(index) < min_length:
        raise ValueError(f"the series has {len(index)} observations; "
                         f"{_needed(min_length, why)}.")
    values = data.to_numpy(dtype=np.float64).reshape(-1, 1)
    check_finite(values, "the target of the series", (index, targets))
    return Panel(ids=[None], index=[index], values=values, targets=list(targets),
                 layout="series", times=index, dtypes={name: dtype})


def to_panel(data, spec: Spec, fitted_targets=None, min_length: int = 1,
             why: str | None = None) -> Panel:
    """Validate ``data`` and convert it to a :class:`Panel`.

    Targets are ``spec.target`` (default: every numeric column of a time-indexed frame,
    ``"y"`` in long format); the remaining numeric columns become covariates. A series
    shorter than ``min_length`` is refused, the message ending with ``why`` (the model's
    reason for that minimum) when given.
    """
    if isinstance(data, pd.Series) and isinstance(data.index, pd.MultiIndex):
        data = data.to_frame(data.name if data.name is not None else "y")  # an (id, time) panel
    layout = _layout(data)
    if layout != "series":
        check_unique_columns(data.columns)
    if layout == "frame" and spec.id_col in data.columns:
        layout = "long"
    if len(data) == 0:
        raise ValueError("the data is empty: at least one series with observations is needed.")
    if layout in ("long", "multiindex"):
        targets = fitted_targets or spec.target or ["y"]
        return _long_to_panel(data, spec, layout, targets, min_length, why)
    if layout == "series":
        fast = _series_to_panel(data, spec, fitted_targets, min_length, why)
        if fast is not None:
            return fast
    pieces = _pieces(data, spec, layout)
    targets = fitted_targets or spec.target or list(pieces[0][1].columns)
    ids, indexes, values, covs = [], [], [], []
    for sid, frame in pieces:
        missing = [t for t in targets if t not in frame.columns]
        if missing:
            raise ValueError(f"target column(s) {missing} not found in {_name(sid)}; "
                             f"columns are {list(frame.columns)}.")
        frame = _numeric(frame, sid)
        index = _check_index(frame.index, sid)
        if len(index) < min_length:
            raise ValueError(f"{_name(sid)} has {len(index)} observations; "
                             f"{_needed(min_length, why)}.")
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
                 covariate_names=cov_names, layout=layout,
                 dtypes={c: pieces[0][1][c].dtype for c in pieces[0][1].columns})


_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def _cached(panel: Panel, key):
    return panel.future_cache.get(key)


def _cache(panel: Panel, key, value) -> None:
    """Keep the layout of a forecast frame on the panel, only under copy-on-write (always
    on from pandas 3): there a frame made from a shallow copy cannot write into it."""
    if _PANDAS_3 or pd.options.mode.copy_on_write is True:
        panel.future_cache[key] = value


def from_forecasts(values: np.ndarray, panel: Panel, step, horizon: int,
                   columns: list | None = None, spec: Spec | None = None):
    """Lay out forecasts ``(n_series, horizon, n_columns)`` like the input data."""
    columns = columns or panel.targets
    if panel.layout in ("series", "frame"):
        future = future_index(panel.index[0][-1], step, horizon, panel.index[0])
        future.name = panel.index[0].name
        if panel.layout == "series" and len(columns) == 1:
            return pd.Series(values[0, :, 0], index=future, name=columns[0])
        return pd.DataFrame(values[0], index=future, columns=columns)
    flat = values.reshape(-1, values.shape[2])
    key = ("frame", horizon, step, tuple(columns), spec.id_col, spec.time_col)
    template = _cached(panel, key)
    if template is not None:  # the same rows as last time: swap in the new values
        out = template.copy(deep=False)
        for j in range(len(columns)):
            out.isetitem(out.shape[1] - len(columns) + j, flat[:, j])
        return out
    ids = panel.id_index  # a long panel keeps its typed ids
    ids = (pd.Index(panel.ids, tupleize_cols=False) if ids is None else ids).repeat(horizon)
    times = future_indexes(panel, step, horizon)
    if panel.layout == "multiindex":
        index = pd.MultiIndex.from_arrays([ids, times])
        out = pd.DataFrame(flat, index=index, columns=columns)
    else:
        body = {spec.id_col: ids, spec.time_col: times}  # one constructor, no inserts
        body.update({c: flat[:, j] for j, c in enumerate(columns)})
        out = pd.DataFrame(body, copy=False)
    _cache(panel, key, out.copy(deep=False))
    return out


def long_target(obj, target: str, id_col: str, time_col: str) -> pd.DataFrame:
    """The target of any supported layout as a long frame ``(id_col, time_col, value)``.

    The one long-format view of data and forecasts outside the forecasters (backtest rows,
    figures); a Series becomes one series named ``target``.
    """
    if isinstance(obj, pd.Series):
        frame = pd.DataFrame({time_col: obj.index, "value": obj.to_numpy()})
        return frame.assign(**{id_col: target})[[id_col, time_col, "value"]]
    if isinstance(obj.index, pd.MultiIndex):
        obj = obj.reset_index(names=[id_col, time_col])
    if id_col in obj.columns:
        return obj[[id_col, time_col, target]].rename(columns={target: "value"})
    return long_target(obj[target], target, id_col, time_col)


def infer_freq(data, target=None, id_col: str = "unique_id", time_col: str = "ds",
               freq=None):
    """The frequency of ``data`` (a pandas offset, or the step of an integer index): the
    ``freq_`` a forecaster with this layout would get from ``fit(data)``, validated the
    same way (the same errors), without fitting anything."""
    targets = None if target is None else \
        list(target) if isinstance(target, (list, tuple)) else [target]
    spec = Spec(target=targets, id_col=id_col, time_col=time_col)
    return check_regular(to_panel(data, spec), freq)

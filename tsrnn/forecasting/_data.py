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

from .._validation import check_finite, check_unique_columns


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
    times: pd.Index | None = None  # all time indexes back to back (built when missing)
    id_index: pd.Index | None = None  # the typed series ids of a long panel, reused as is
    dtypes: dict = field(default_factory=dict)  # column -> dtype as given (for the schema)
    # derived and cached (never set from outside): the series lengths, the forecast layout
    _lengths: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _offsets: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    future_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def all_times(self) -> pd.Index:
        if self.times is None:
            self.times = self.index[0].append(self.index[1:]) if len(self.index) > 1 \
                else self.index[0]
        return self.times

    @property
    def lengths(self) -> np.ndarray:
        if self._lengths is None:  # computed once: the index never changes
            self._lengths = self.index.lengths if isinstance(self.index, IndexSlices) else \
                np.array([len(ix) for ix in self.index], dtype=np.int64)
        return self._lengths

    @property
    def offsets(self) -> np.ndarray:
        if self._offsets is None:  # cached like lengths: per-series loops stay linear
            self._offsets = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        return self._offsets

    def series(self, i: int) -> np.ndarray:
        start = self.offsets[i]
        return self.values[start:start + self.lengths[i]]

    def own(self) -> None:
        """Copy any array that may share memory with the caller's data, then protect it."""
        for name in ("values", "covariates"):
            block = getattr(self, name)
            if block is not None and not block.flags.owndata:
                setattr(self, name, block.copy())
        self.protect()

    def sort_covariates(self) -> None:
        """Put the covariate columns in the order of their names (as text)."""
        order = sorted(range(len(self.covariate_names)), key=lambda j: str(self.covariate_names[j]))
        if order != list(range(len(order))):
            self.covariates = self.covariates[:, order]
            self.covariate_names = [self.covariate_names[j] for j in order]

    def protect(self) -> None:
        """Make the arrays read-only: no model may write into the data it is given."""
        for block in (self.values, self.covariates):
            if block is not None:
                block.setflags(write=False)


def index_kind(index: pd.Index) -> str:
    """"datetime", "period" or "integer": the kinds of time index a forecaster takes."""
    if isinstance(index, pd.DatetimeIndex):
        return "datetime"
    if isinstance(index, pd.PeriodIndex):
        return "period"
    return "integer"


@dataclass(frozen=True)
class Schema:
    """What ``fit`` saw: every later call checks its data against it before anything else."""

    layout: str
    index_kind: str
    tz: object
    freq: object
    targets: tuple
    covariates: tuple
    targets_apart: bool  # fit(X, y): target y apart from covariates X
    dtypes: tuple = ()  # (column, dtype name) of every target and covariate, as given

    @classmethod
    def of(cls, panel: Panel, freq, targets_apart: bool) -> Schema:
        first = panel.index[0]
        return cls(layout=panel.layout, index_kind=index_kind(first),
                   tz=getattr(first, "tz", None), freq=freq, targets=tuple(panel.targets),
                   covariates=tuple(panel.covariate_names), targets_apart=targets_apart,
                   dtypes=tuple((c, str(d)) for c, d in panel.dtypes.items()))

    def check_future(self, X: pd.DataFrame, spec: Spec, what: str = "X") -> None:
        """Check the covariates given for the forecast period (any column order): every
        column one the model was fitted with, numeric as ``fit`` requires (a column ``fit``
        refuses, such as a boolean one, is refused here too)."""
        columns = [c for c in X.columns if c not in (spec.id_col, spec.time_col)]
        extra = [c for c in columns if c not in self.covariates and c not in self.targets]
        if extra:
            fitted = (f"fitted with the covariates {list(self.covariates)}" if self.covariates
                      else "fitted without covariates")
            raise ValueError(f"{what} has the column(s) {extra} that the model was not "
                             f"fitted with (it was {fitted}); drop them.")
        bad = _non_numeric({c: X[c].dtype for c in columns})
        if bad:
            fitted = dict(getattr(self, "dtypes", ()))
            was = ", ".join(f"{c!r}: {X[c].dtype} (fitted: {fitted.get(c, 'numeric')})"
                            for c in bad)
            raise TypeError(f"{what} has non-numeric column(s) {bad} ({was}); covariates "
                            "must be numbers at predict as at fit: encode them as floats.")

    def _fitted_on(self) -> str:
        tz = f" in time zone {self.tz}" if self.tz is not None else ""
        article = "an" if self.index_kind == "integer" else "a"
        return f"{article} {self.index_kind} index (frequency {self.freq!r}){tz}"

    def check(self, panel: Panel, what: str) -> None:
        """Raise a ValueError naming what differs from the fitted data."""
        first = panel.index[0]
        kind = index_kind(first)
        if kind != self.index_kind:
            raise ValueError(f"{what} has {'an' if kind == 'integer' else 'a'} {kind} time "
                             f"index, but the model was fitted on "
                             f"{self._fitted_on()}; give timestamps of the same kind.")
        tz = getattr(first, "tz", None)
        if (tz is None) != (self.tz is None):
            raise ValueError(f"{what} has {'no time zone' if tz is None else f'time zone {tz}'}"
                             f", but the model was fitted on {self._fitted_on()}; localise or "
                             "convert the timestamps first.")
        if kind == "period" and first.freq != self.freq:
            raise ValueError(f"{what} has periods of frequency {first.freqstr!r}, but the "
                             f"model was fitted on {self._fitted_on()}.")
        names = list(panel.covariate_names)
        missing = [c for c in self.covariates if c not in names]
        extra = [c for c in names if c not in self.covariates]
        if missing:
            raise ValueError(f"{what} lacks the covariate column(s) {missing} the model was "
                             f"fitted with (covariates are matched by name; fitted: "
                             f"{list(self.covariates)}).")
        if extra:
            fitted = (f"fitted with the covariates {list(self.covariates)}" if self.covariates
                      else "fitted without covariates")
            raise ValueError(f"{what} has the column(s) {extra} that the model was not "
                             f"fitted with (it was {fitted}); drop them.")


class IndexSlices:
    """The time index of each series as a slice of one concatenated index, cut when read.

    A long panel of thousands of series then costs no pandas object per series until a
    series' own index is needed.
    """

    def __init__(self, times: pd.Index, starts, lengths) -> None:
        self.times, self.starts = times, np.asarray(starts, dtype=np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        start = int(self.starts[i])
        return self.times[start:start + int(self.lengths[i])]

    def __iter__(self):
        return (self[k] for k in range(len(self)))


def sliced_panel(times: pd.Index, lengths, **fields) -> Panel:
    """A Panel whose series indexes are consecutive slices of ``times`` (all of them)."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return Panel(index=IndexSlices(times, starts, lengths), times=times, **fields)


@dataclass
class Spec:
    """How the user's data is laid out; fixed at fit and reused at predict."""

    target: list | None
    id_col: str
    time_col: str
    freq: object = None  # pandas offset, or the integer step of an integer index


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


def _plain(sid):
    """A series id as the user wrote it (``10``, not ``np.int64(10)``)."""
    return sid.item() if isinstance(sid, np.generic) else sid


def _name(sid) -> str:
    return "the series" if sid is None else f"series {_plain(sid)!r}"


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


def infer_step(indexes: list, freq=None):
    """The frequency (pandas offset) or integer step shared by all series."""
    first = indexes[0]
    if freq is not None:
        return freq if isinstance(first, (pd.RangeIndex, pd.Index)) and \
            pd.api.types.is_integer_dtype(first.dtype) else _to_offset(freq)
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
            if (monthly := monthly_on_day(ix)) is not None:
                return monthly
    raise ValueError("cannot infer the frequency of the time index"
                     f"{_irregularity(max(indexes, key=len))}; pass freq= "
                     "(e.g. 'h', 'D', 'W-SUN') or fill the gaps first.")


def monthly_on_day(index: pd.DatetimeIndex):
    """``pd.DateOffset(months=k)`` for timestamps a whole number of months apart on one
    day of the month and time of day (monthly data stamped on the 15th), which pandas
    cannot infer; None otherwise. Gaps are then named by the regularity check."""
    if len(index) < 3 or index.day[0] > 28 or (index.day != index.day[0]).any():
        return None
    clock = index - index.normalize()
    if (clock != clock[0]).any():
        return None
    steps = np.diff(np.asarray(index.year * 12 + index.month))
    k = int(steps.min())
    return pd.DateOffset(months=k) if k in (1, 2, 3, 4, 6, 12) and \
        (steps % k == 0).all() else None


def _to_offset(freq):
    """``freq`` as a pandas offset, or a ValueError naming it."""
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        from ._calendars import exchange_offset, is_exchange

        if is_exchange(freq):  # an exchange's trading days: freq="XNYS"
            return exchange_offset(freq)
        raise ValueError(f"freq={freq!r} is not a frequency pandas knows; use an alias such as "
                         "'h', 'D', 'B', 'W-SUN', 'MS' or 'ME', a pandas offset, or an "
                         "exchange's name for its trading days ('XNYS', 'XLON'...).") from None


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
    if isinstance(index, pd.DatetimeIndex) and (months := _months_apart(index)):
        return (f" (the timestamps are {months} month(s) apart on varying days of the month, "
                f"such as {index[0]:%Y-%m-%d} and {index[1]:%Y-%m-%d}; put them on one day, "
                "e.g. data.index = data.index.to_period('M').to_timestamp() for month "
                "starts, then freq='MS' is inferred)")
    if isinstance(index, pd.DatetimeIndex) and usual == pd.Timedelta(days=1) and \
            (index.day_of_week < 5).all():  # weekdays only: business days, not a weekend gap
        expected = index[:-1] + pd.offsets.BDay()
        pos = int(np.argmax(np.asarray(expected != index[1:]))) + 1
        return (f" (business days with a gap: {index[pos - 1]} is followed by {index[pos]}; "
                f"first missing business day: {expected[pos - 1]}; pass freq='B', or for "
                "exchange holidays the exchange's name, freq='XNYS' (command line: "
                "--calendar XNYS), or freq=pd.offsets.CustomBusinessDay(holidays=[...]))")
    pos = int(np.argmax((steps != usual).to_numpy())) + 1
    return (f" (irregular spacing: {index[pos - 1]} is followed by {index[pos]}, while the "
            f"usual step is {usual}; first missing timestamp: {index[pos - 1] + usual})")


def _months_apart(index: pd.DatetimeIndex) -> int:
    """k when consecutive timestamps are always k calendar months apart (k in 1, 3, 12),
    else 0."""
    months = np.diff(np.asarray(index.year * 12 + index.month))
    return int(months[0]) if len(months) and months[0] in (1, 3, 12) and \
        (months == months[0]).all() else 0


def future_index(last, step, horizon: int, like: pd.Index) -> pd.Index:
    """The ``horizon`` timestamps after ``last``, in the type (and time zone) of ``like``."""
    if isinstance(like, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=horizon, freq=like.freq)
    if isinstance(like, pd.DatetimeIndex):
        if like.tz is not None and isinstance(step, pd.offsets.Tick):  # fixed steps: UTC
            utc = pd.date_range(last.tz_convert("UTC"), periods=horizon + 1, freq=step)[1:]
            return utc.tz_convert(like.tz)
        return pd.date_range(last, periods=horizon + 1, freq=step)[1:]
    if like.dtype == np.int64:  # a range: no array to build or check
        return pd.RangeIndex(last + step, last + step * (horizon + 1), step)
    return pd.Index(last + step * np.arange(1, horizon + 1), dtype=like.dtype)


def _non_numeric(dtypes: dict) -> list:
    """The columns of ``dtypes`` (column -> dtype) that are not numbers (booleans are not)."""
    return [c for c, d in dtypes.items() if not (pd.api.types.is_numeric_dtype(d)
                                                 and not pd.api.types.is_bool_dtype(d))]


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


def _shift(index: pd.Index, step, k: int = 1) -> pd.Index:
    """``index`` moved ``k`` steps forward (calendar offsets in local time, ticks in UTC)."""
    if isinstance(index, pd.PeriodIndex):
        return index + k
    if isinstance(index, pd.DatetimeIndex):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return index + k * step
    return index + k * step


def _evenly_spaced(times: pd.Index, lengths, step) -> bool:
    """True when every series advances by exactly ``step`` (fixed steps only, in numpy).

    False means "not shown": calendar offsets (months, weeks), multiples of a period and
    any gap go through the general check, which also words the error.
    """
    if isinstance(times, pd.RangeIndex) and isinstance(step, (int, np.integer)):
        return times.step == step or len(times) < 2  # one series on a range index
    if isinstance(times, pd.PeriodIndex):
        if getattr(step, "n", None) != 1:
            return False
        diffs, unit = np.diff(times.asi8), 1
    elif isinstance(times, pd.DatetimeIndex):
        if not isinstance(step, pd.offsets.Tick):
            return False
        unit = np.timedelta64(pd.Timedelta(step)).astype(f"timedelta64[{times.unit}]")
        diffs, unit = np.diff(times.asi8), int(unit.astype(np.int64))  # UTC, index unit
    elif isinstance(step, (int, np.integer)) and pd.api.types.is_integer_dtype(times.dtype):
        diffs, unit = np.diff(np.asarray(times)), step
    else:
        return False
    within = np.ones(len(diffs), dtype=bool)
    within[np.cumsum(lengths)[:-1] - 1] = False  # the step from one series to the next
    return bool(np.all((diffs == unit) | ~within))


def check_regular(panel: Panel, freq=None):
    """Infer (or check) the shared frequency and that no series has gaps; returns it."""
    step = infer_step(panel.index, freq)
    times = panel.all_times()
    if _evenly_spaced(times, panel.lengths, step):
        return step
    codes = np.repeat(np.arange(len(panel.index)), panel.lengths)
    expected = _shift(times[:-1], step)
    bad = (codes[1:] == codes[:-1]) & np.asarray(expected != times[1:])
    if bad.any():
        i = int(np.argmax(bad))
        sid = panel.ids[codes[i]]
        from ._calendars import gap_hint  # the fix that fits the calendar (weekends, holidays)

        raise ValueError(f"{_name(sid)} has gaps or irregular timestamps for frequency "
                         f"{step!r} (first missing: {expected[i]}, the data jumps to "
                         f"{times[i + 1]}); " + gap_hint(panel.index[codes[i]], step))
    return step


def future_indexes(panel: Panel, step, horizon: int) -> pd.Index:
    """The ``horizon`` timestamps after each series' end, series after series."""
    lasts = panel.all_times()[panel.offsets + panel.lengths - 1]
    if not isinstance(lasts, (pd.DatetimeIndex, pd.PeriodIndex)):  # integer steps: one op
        grid = lasts.to_numpy()[:, None] + step * np.arange(1, horizon + 1)
        return pd.Index(grid.ravel(), dtype=lasts.dtype, name=lasts.name)
    steps = [_shift(lasts, step, k) for k in range(1, horizon + 1)]  # each (n_series,)
    flat = steps[0].append(steps[1:]) if horizon > 1 else steps[0]
    n = len(lasts)
    return flat.take((np.arange(horizon)[None, :] * n + np.arange(n)[:, None]).ravel())


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

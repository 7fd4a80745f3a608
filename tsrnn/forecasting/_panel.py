"""The data structures of a validated panel: :class:`Panel` (every series back to back),
:class:`IndexSlices`, :class:`Spec` (the user's layout) and :class:`Schema` (what ``fit``
recorded and every later call checks). Built and read by :mod:`tsrnn.forecasting._data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


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


def _non_numeric(dtypes: dict) -> list:
    """The columns of ``dtypes`` (column -> dtype) that are not numbers (booleans are not)."""
    return [c for c, d in dtypes.items() if not (pd.api.types.is_numeric_dtype(d)
                                                 and not pd.api.types.is_bool_dtype(d))]


def _plain(sid):
    """A series id as the user wrote it (``10``, not ``np.int64(10)``)."""
    return sid.item() if isinstance(sid, np.generic) else sid


def _name(sid) -> str:
    return "the series" if sid is None else f"series {_plain(sid)!r}"

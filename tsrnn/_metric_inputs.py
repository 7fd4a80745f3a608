"""Input checks of :mod:`tsrnn.metrics`: arrays of numbers (pandas inputs aligned by label,
text and dates refused), finite values, matching shapes, histories per series.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


# ----------------------------------------------------------------- validation
def _as_float_array(x: ArrayLike, name: str) -> np.ndarray:
    """Return a float64 copy of ``x``; pandas objects give their values."""
    if isinstance(x, (pd.Series, pd.DataFrame)):
        x = x.to_numpy(na_value=np.nan)
    try:
        arr = np.asarray(x)
    except ValueError as exc:
        raise ValueError(f"{name} could not be read as an array: {exc}") from None
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} has complex values; metrics need real numbers.")
    _check_numeric(arr, name)
    try:
        return arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric: {exc}") from None


def _check_numeric(arr: np.ndarray, name: str) -> None:
    """Numbers only: text (even ``"1.5"``), dates and durations are refused, not cast."""
    if arr.dtype.kind in "USaMm":
        raise TypeError(f"{name} must be numeric, got values of dtype {arr.dtype}.")
    if arr.dtype.kind == "O":
        text = next((v for v in arr.ravel() if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise TypeError(f"{name} must be numeric; it holds text such as {text!r}.")


def _labels(axis: pd.Index, other: pd.Index, name: str, other_name: str, what: str):
    """How ``axis`` (of ``name``) maps onto ``other``: None if equal, else the reordering;
    a ValueError naming the labels when they differ."""
    if axis.equals(other):
        return None
    same = len(axis) == len(other) and axis.is_unique and other.is_unique and \
        axis.isin(other).all() and other.isin(axis).all()
    if same:
        return other
    only = [f"{len(d)} only in {w} ({', '.join(map(str, d[:3]))}{', ...' if len(d) > 3 else ''})"
            for w, d in ((other_name, other.difference(axis)), (name, axis.difference(other)))
            if len(d)]
    duplicated = [w for w, ix in ((name, axis), (other_name, other)) if ix.has_duplicates]
    detail = "; ".join(only) or f"duplicated labels in {' and '.join(duplicated)}"
    raise ValueError(f"{name} and {other_name} have different {what} labels: {detail}. "
                     "Metrics compare pandas inputs by label; align them first, or pass "
                     "arrays to compare by position.")


def _align(named: dict) -> dict:
    """Pandas inputs of the same kind aligned by label on the first of them (same labels in
    another order are reordered; other labels are an error)."""
    kinds = {type(x) for x in named.values() if isinstance(x, (pd.Series, pd.DataFrame))}
    if len(kinds) != 1 or sum(isinstance(x, tuple(kinds)) for x in named.values()) < 2:
        return named
    ref_name, ref = next((n, x) for n, x in named.items() if isinstance(x, tuple(kinds)))
    out = dict(named)
    for name, x in named.items():
        if name == ref_name or not isinstance(x, tuple(kinds)):
            continue
        rows = _labels(x.index, ref.index, name, ref_name, "index")
        if rows is not None:
            x = x.reindex(rows)
        if isinstance(x, pd.DataFrame):
            columns = _labels(x.columns, ref.columns, name, ref_name, "column")
            if columns is not None:
                x = x[columns]
        out[name] = x
    return out


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {first}).")


def _check_arrays(**named: ArrayLike) -> list[np.ndarray]:
    """Validate same-shape, non-empty, finite 1D/2D arrays given by name (pandas inputs
    aligned by label first)."""
    arrays = {name: _as_float_array(x, name) for name, x in _align(named).items()}
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"inputs must have the same shape, got {shapes}.")
    for name, arr in arrays.items():
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1D (horizon,) or 2D (n_series, horizon), "
                f"got {arr.ndim}D."
            )
        _check_finite(arr, name)
    return list(arrays.values())


def _check_positive_int(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _row_means(values: np.ndarray) -> np.ndarray:
    """Per-series means, shape ``(n_series,)``; a 1D input is one series."""
    return np.atleast_2d(values).mean(axis=1)


def _as_histories(
    history: ArrayLike | Sequence[ArrayLike], name: str
) -> tuple[list[np.ndarray], bool]:
    """Split one 1D series, or a list/2D array of 1D series (ragged allowed).

    Returns the validated series and whether the input was a single 1D series.
    """
    single = False
    if isinstance(history, (list, tuple)) and any(np.ndim(h) > 0 for h in history):
        series = [_as_float_array(h, f"{name}[{i}]") for i, h in enumerate(history)]
    else:
        arr = _as_float_array(history, name)
        if arr.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1D, 2D or a list of 1D arrays, got {arr.ndim}D.")
        single = arr.ndim == 1
        series = [arr] if single else list(arr)
    if not series:
        raise ValueError(f"{name} is empty.")
    for i, s in enumerate(series):
        if s.ndim != 1:
            raise ValueError(f"{name}[{i}] must be 1D, got {s.ndim}D.")
        _check_finite(s, f"{name}[{i}]")
    return series, single

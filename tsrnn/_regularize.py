"""The explicit missing-data policy: put series on their regular time grid and fill gaps.

tsrnn's forecasters are strict: a missing timestamp or a NaN is an error naming the first
one, because every silent fix (carry the last value, interpolate, zero for counts) is a
modelling choice. :func:`regularize` makes that choice explicit and visible, in one call
before ``fit`` (and in the command line's ``--fill``).
"""

from __future__ import annotations

import pandas as pd

FILLS = ("ffill", "interpolate", "zero")


def _grid(index: pd.Index, freq, where: str) -> pd.Index:
    """Every timestamp from the first to the last of ``index`` at ``freq``."""
    if index.hasnans:
        raise ValueError(f"{where} has a missing timestamp (NaT) at position "
                         f"{int(pd.isna(index).argmax())}; drop or fix it first.")
    if index.has_duplicates:
        raise ValueError(f"{where} has duplicated timestamps (first: "
                         f"{index[index.duplicated()][0]}); aggregate them first (e.g. "
                         "data.groupby(level=0).mean()), then regularize.")
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[0], index[-1], freq=index.freq)
    if not isinstance(index, pd.DatetimeIndex):  # integers: the smallest step
        step = freq if isinstance(freq, int) else int(pd.Series(index).diff().min() or 1)
        return pd.Index(range(int(index[0]), int(index[-1]) + 1, step), name=index.name)
    if freq is None:
        freq = pd.infer_freq(index[:3]) if len(index) >= 3 else None
        steps = pd.Series(index[1:] - index[:-1])
        freq = freq or (pd.tseries.frequencies.to_offset(steps.min()) if len(steps) else None)
        if freq is None:
            raise ValueError(f"regularize cannot tell the frequency of {where}; pass freq=.")
    grid = pd.date_range(index[0], index[-1], freq=freq, name=index.name)
    off = index.difference(grid)
    if len(off):
        raise ValueError(f"{where} has timestamps off the {freq!r} grid (first: {off[0]}); "
                         "resample it first (e.g. data.resample(freq).mean()).")
    return grid


def _fill(frame, fill):
    if fill == "ffill":
        return frame.ffill().bfill()  # a leading gap takes the first value
    if fill == "interpolate":
        return frame.interpolate(method="linear", limit_direction="both")
    if fill == "zero":
        return frame.fillna(0.0)
    return frame


def regularize(data, freq=None, fill="ffill", id_col="unique_id", time_col="ds"):
    """Reindex every series on its regular time grid and fill the missing values.

    Parameters
    ----------
    data : Series or DataFrame
        One series (time index), a frame of columns on a time index, or a long-format
        frame (``id_col``, ``time_col`` and value columns; each series keeps its own span).
    freq : str, pandas offset or None, default=None
        The grid: ``"h"``, ``"D"``, ``"B"``, ``CustomBusinessDay(holidays=...)``...;
        inferred from the smallest step when None.
    fill : {"ffill", "interpolate", "zero"} or None, default="ffill"
        Missing values (new timestamps and NaN already there): carry the last value
        forward (a leading gap takes the first value), interpolate linearly in time order,
        or put zero (counts); None leaves NaN (the forecasters then name the first).

    Returns
    -------
    Series or DataFrame
        A copy in the same layout; timestamps not on the grid raise a ValueError.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 4.0],
    ...               index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04"]))
    >>> regularize(y, fill="interpolate").tolist()
    [1.0, 2.0, 3.0, 4.0]
    >>> regularize(y, freq="D", fill="zero").tolist()
    [1.0, 2.0, 0.0, 4.0]
    """
    if fill is not None and fill not in FILLS:
        raise ValueError(f"fill must be one of {list(FILLS)} or None, got {fill!r}.")
    if isinstance(data, pd.DataFrame) and id_col in data.columns:
        if time_col not in data.columns:
            raise ValueError(f"long-format data needs the time column {time_col!r}.")
        parts = []
        for sid, part in data.groupby(id_col, sort=False):
            wide = part.drop(columns=[id_col]).set_index(time_col).sort_index()
            wide = _fill(wide.reindex(_grid(wide.index, freq, f"series {sid!r}")), fill)
            parts.append(wide.rename_axis(time_col).reset_index().assign(**{id_col: sid}))
        out = pd.concat(parts, ignore_index=True)
        return out[list(data.columns)]
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        raise TypeError(f"regularize takes a pandas Series or DataFrame, got "
                        f"{type(data).__name__}.")
    data = data.sort_index()
    return _fill(data.reindex(_grid(data.index, freq, "the series")), fill)

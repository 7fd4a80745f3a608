"""Reading the command line's CSV files: ids as text, the time column parsed explicitly
(integers, YYYYMMDD, Excel serial numbers, ISO or inferred dates), covariates, the rows of
the forecast period (future covariates) and the ``--fill`` policy."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

# Excel stores a date as days since 1899-12-30 (its serial number). A float time column
# entirely within 10,000 to 109,575 (1927-05-18 to 2200-01-01) is read so; other whole
# numbers are steps or years; any other number is refused.
EXCEL_ORIGIN = "1899-12-30"
EXCEL_RANGE = (10_000.0, 109_575.0)


def _missing_times(missing, name: str) -> None:
    if missing.any():
        raise ValueError(f"the time column {name!r} has empty or missing dates (first at "
                         f"row {int(np.argmax(missing))}).")


def _numeric_times(column: pd.Series, name: str) -> pd.Index:
    """A float time column: Excel serial dates, whole numbers (steps, years), or an error."""
    values = column.to_numpy(dtype=np.float64)
    _missing_times(np.isnan(values), name)
    low, high = EXCEL_RANGE
    if ((values >= low) & (values <= high)).all():
        times = pd.to_datetime(values, unit="D", origin=EXCEL_ORIGIN).round("ms")
        return pd.DatetimeIndex(times, name=name)
    if np.isfinite(values).all() and (values == np.round(values)).all():
        return pd.Index(values.astype(np.int64), name=name)
    bad = values[~(((values >= low) & (values <= high)) | (values == np.round(values)))]
    raise ValueError(f"the time column {name!r} holds numbers (such as {bad[0]:g}) that are "
                     f"neither whole numbers (steps, years) nor Excel serial dates (days "
                     f"since {EXCEL_ORIGIN}, {low:.0f} to {high:.0f}: 1927 to 2200); write "
                     "it as dates (2024-01-31) or integers, or choose another column with "
                     "--time-col.")


def _compact_dates(column: pd.Series, name: str) -> pd.Index:
    """An integer time column: dates written YYYYMMDD (20240131) when every value is one,
    else integer steps or years, kept as they came."""
    values = column.to_numpy()
    if len(values) and ((values >= 19_000_101) & (values <= 22_001_231)).all():
        dates = pd.to_datetime(column.astype(str), format="%Y%m%d", errors="coerce")
        if not dates.isna().any():
            return pd.DatetimeIndex(dates, name=name)
    return pd.Index(values, name=name)


def _iso_dates(column: pd.Series, name: str):
    """ISO 8601 dates; several UTC offsets (a clock that changes for daylight saving
    time) are read as UTC, with a warning."""
    try:
        return pd.to_datetime(column, format="ISO8601")
    except ValueError as exc:
        if "mixed timezones" not in str(exc).lower():
            raise
    times = pd.to_datetime(column, format="ISO8601", utc=True)
    warnings.warn(f"the time column {name!r} has several UTC offsets (daylight saving "
                  "time): its times are read, and forecast, in UTC.", stacklevel=2)
    return times


def _parse_times(column: pd.Series, name: str):
    """The time column, parsed explicitly: integers as they are (or YYYYMMDD dates),
    Excel serial dates, ISO 8601 dates, else dates in the one format pandas infers from the
    first value."""
    if pd.api.types.is_bool_dtype(column.dtype):
        raise ValueError(f"the time column {name!r} holds true/false values, not times; "
                         "choose it with --time-col.")
    if pd.api.types.is_integer_dtype(column.dtype):
        return _compact_dates(column, name)
    if pd.api.types.is_float_dtype(column.dtype):
        return _numeric_times(column, name)
    _missing_times(column.isna().to_numpy(), name)
    try:
        times = _iso_dates(column, name)
    except (ValueError, TypeError, OverflowError):
        try:
            with warnings.catch_warnings():  # "could not infer format": parsing goes on
                warnings.simplefilter("ignore", UserWarning)
                times = pd.to_datetime(column)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"cannot parse the time column {name!r} as dates ({exc}); "
                             "choose it with --time-col.") from None
    times = pd.DatetimeIndex(times, name=name)
    _missing_times(np.asarray(times.isna()), name)
    return times


def _names(text) -> list:
    """A comma-separated list of column names (empty for None)."""
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _read(path: Path, id_col=None) -> pd.DataFrame:
    """The CSV, its series ids read as strings (``001`` stays ``001``)."""
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    try:
        return pd.read_csv(path, dtype=None if id_col is None else {id_col: str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path.name} as CSV: {exc}") from None


def _load(args):
    """``(history, layout, future)``: the CSV as a Series (one series, no covariates) or a
    frame (covariates; long format with ``--id-col``), its layout, and the rows after the
    last target value (future covariates; None when there are none)."""
    path = Path(args.data)
    frame = _read(path, args.id_col)
    time_col = args.time_col or ("ds" if "ds" in frame.columns else frame.columns[0])
    covs = list(dict.fromkeys(_names(getattr(args, "covariates", None))
                              + _names(getattr(args, "future_covariates", None))))
    wanted = [c for c in (time_col, args.target, args.id_col, *covs) if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in {path.name}; its columns are "
                         f"{list(frame.columns)}.")
    times = _parse_times(frame[time_col], time_col)
    layout = {"target": args.target, "time_col": time_col, "id_col": args.id_col or "unique_id"}
    if getattr(args, "freq", None):
        layout["freq"] = args.freq
    if getattr(args, "calendar", None) is not None:  # an exchange's trading days
        if getattr(args, "freq", None):
            raise ValueError("give --freq or --calendar, not both: --calendar is the "
                             "frequency of trading-day data.")
        layout["freq"] = args.calendar
    if args.id_col is None and not covs:
        data = pd.Series(frame[args.target].to_numpy(), index=times, name=args.target)
    elif args.id_col is None:
        data = frame[[args.target, *covs]].set_axis(times, axis=0)
    else:
        data = frame[[args.id_col, args.target, *covs]].assign(**{time_col: times})
        data = data[[args.id_col, time_col, args.target, *covs]]
    history, future = _split_future(data, layout) if covs else (data, None)
    return _fill(args, history, layout), layout, future


def _split_future(data: pd.DataFrame, layout: dict):
    """Rows up to each series' last target value, and the rows after it (or None)."""
    target, sid = layout["target"], layout["id_col"]
    known = data[target].notna().to_numpy()
    if sid in data.columns:
        pos = data.groupby(sid, sort=False).cumcount().to_numpy()
        last = pd.Series(np.where(known, pos, -1)).groupby(data[sid].to_numpy()) \
            .transform("max").to_numpy()
        after = pos > last
    else:
        after = np.arange(len(data)) > (np.flatnonzero(known)[-1] if known.any() else -1)
    if not after.any():
        return data, None
    return data[~after], data[after].drop(columns=[target])


def _fill(args, data, layout: dict):
    """``--fill``: put the data on its regular time grid and fill gaps and NaN."""
    fill = getattr(args, "fill", "none")
    if fill == "none":
        return data
    from .preprocessing import regularize

    return regularize(data, freq=layout.get("freq"), fill=fill, id_col=layout["id_col"],
                      time_col=layout["time_col"])

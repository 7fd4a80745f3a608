"""Reading the command line's CSV files: the time column as it came, covariates, the rows
of the forecast period (future covariates) and the ``--fill`` policy."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def _parse_times(column: pd.Series, name: str):
    if pd.api.types.is_integer_dtype(column.dtype):
        return pd.Index(column.to_numpy(), name=name)
    try:
        with warnings.catch_warnings():  # "could not infer format": parsing goes on
            warnings.simplefilter("ignore", UserWarning)
            times = pd.DatetimeIndex(pd.to_datetime(column), name=name)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"cannot parse the time column {name!r} as dates ({exc}); "
                         "choose it with --time-col.") from None
    if times.hasnans:
        raise ValueError(f"the time column {name!r} has empty or missing dates "
                         f"(first at row {int(times.isna().argmax())}).")
    return times


def _names(text) -> list:
    """A comma-separated list of column names (empty for None)."""
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path.name} as CSV: {exc}") from None


def _load(args):
    """``(history, layout, future)``: the CSV as a Series (one series, no covariates) or a
    frame (covariates; long format with ``--id-col``), its layout, and the rows after the
    last target value (future covariates; None when there are none)."""
    path = Path(args.data)
    frame = _read(path)
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

"""The time axis of a panel: the step (frequency) of its indexes, inferred or checked for
regularity with the error that names the first gap, and the timestamps that follow it.
Used by :mod:`tsrnn.forecasting._data` and the forecasters through it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._panel import Panel, _name


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

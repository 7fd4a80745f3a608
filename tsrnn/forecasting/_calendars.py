"""What to do about gaps in daily data: the fix named in the gap error of ``check_regular``.

Daily stock prices have no weekends and no exchange holidays. With ``freq="D"`` every
weekend is a gap (the fix: ``freq="B"``); with ``freq="B"`` every holiday is one (the fix:
``freq=pd.offsets.CustomBusinessDay(holidays=[...])``, the exchange calendar). Other gaps
are missing data: fill them explicitly with :func:`tsrnn.preprocessing.regularize`.
"""

from __future__ import annotations

import pandas as pd

_GENERIC = ("fill or resample the gaps first (tsrnn.preprocessing.regularize(data, freq, "
            "fill='ffill'|'interpolate'|'zero')), or pass the right freq=.")


def _holidays(missing: pd.DatetimeIndex) -> str:
    days = [d.strftime("%Y-%m-%d") for d in missing[:4]]
    more = ", ..." if len(missing) > 4 else ""
    return f"[{', '.join(repr(d) for d in days)}{more}]"


def gap_hint(index, step) -> str:
    """The fix for the gaps of one series ``index`` at frequency ``step`` (a sentence)."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 2 or index.tz is not None:
        return _GENERIC
    kind = type(step).__name__
    if kind not in ("Day", "BusinessDay", "CustomBusinessDay") or getattr(step, "n", 1) != 1:
        return _GENERIC
    days = index.normalize()
    if kind == "Day":
        missing = pd.date_range(days[0], days[-1], freq="D").difference(days)
    else:
        missing = pd.date_range(days[0], days[-1], freq=step).difference(days)
    weekdays = missing[missing.day_of_week < 5]
    if kind == "Day" and len(missing) and not len(weekdays):
        return ("the gaps fall on weekends: for trading days pass freq='B' (business days), "
                "or " + _GENERIC)
    if len(weekdays) and (kind != "Day" or (days.day_of_week < 5).all()):
        return ("weekdays are missing (exchange holidays?): pass freq=pd.offsets."
                f"CustomBusinessDay(holidays={_holidays(weekdays)}) with every holiday of the "
                "calendar (e.g. from pandas' or an exchange's holiday calendar), or "
                + _GENERIC)
    return _GENERIC

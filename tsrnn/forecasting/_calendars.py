"""What to do about gaps in daily data: the fix named in the gap error of ``check_regular``.

Daily stock prices have no weekends and no exchange holidays. With ``freq="D"`` every
weekend is a gap (the fix: ``freq="B"``); with ``freq="B"`` every holiday is one (the fix:
the exchange's name as ``freq``, e.g. ``freq="XNYS"``, read from the maintained
``exchange_calendars`` package, the ``calendars`` extra, or
``freq=pd.offsets.CustomBusinessDay(holidays=[...])``). Other gaps are missing data: fill
them explicitly with :func:`tsrnn.preprocessing.regularize`.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

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
        return ("weekdays are missing (exchange holidays?): pass the exchange's name as freq "
                "(freq='XNYS' New York, 'XLON' London...: its trading days, with "
                f"{_EXTRA}), or freq=pd.offsets.CustomBusinessDay(holidays="
                f"{_holidays(weekdays)}) with every holiday of the calendar, or " + _GENERIC)
    return _GENERIC


# ------------------------------------------------------------------ exchange calendars
_EXTRA = "pip install tsrnn[calendars] (the exchange_calendars package)"


def _exchange_names() -> set | None:
    """The names exchange_calendars knows (codes such as XNYS and aliases such as NYSE),
    or None without the package."""
    try:
        import exchange_calendars
    except ImportError:
        return None
    return set(exchange_calendars.get_calendar_names(include_aliases=True))


def is_exchange(name) -> bool:
    """Does ``name`` name an exchange calendar (an ISO 10383 code such as ``"XNYS"``, or an
    alias exchange_calendars knows such as ``"NYSE"``)? Without the package, any code of
    the ISO shape (X and three capitals) counts, so that the error can name the extra."""
    if not isinstance(name, str):
        return False
    names = _exchange_names()
    if names is None:
        return len(name) == 4 and name.isupper() and name.isalpha() and name[0] == "X"
    return name in names


@lru_cache(maxsize=32)
def exchange_offset(name: str) -> pd.offsets.CustomBusinessDay:
    """The trading days of exchange ``name`` as a pandas ``CustomBusinessDay`` (its weekmask
    and every holiday from 1990 on), the ``freq`` of its daily data.

    Parameters
    ----------
    name : str
        An exchange's code (``"XNYS"`` New York, ``"XLON"`` London, ``"XTKS"`` Tokyo...) or
        an alias exchange_calendars knows (``"NYSE"``).

    Returns
    -------
    pandas.offsets.CustomBusinessDay

    Examples
    --------
    >>> day = exchange_offset("XNYS")  # doctest: +SKIP
    >>> pd.Timestamp("2024-07-03") + day  # doctest: +SKIP
    Timestamp('2024-07-05 00:00:00')
    """
    try:
        import exchange_calendars
    except ImportError:
        raise ImportError(f"freq={name!r} names an exchange calendar, which needs the "
                          f"exchange_calendars package: {_EXTRA}.") from None
    if name not in exchange_calendars.get_calendar_names(include_aliases=True):
        raise ValueError(f"{name!r} is not an exchange calendar exchange_calendars knows "
                         "(e.g. 'XNYS', 'XLON', 'XTKS'; see "
                         "exchange_calendars.get_calendar_names()).")
    with warnings.catch_warnings():  # the package's own deprecation notices, not the user's
        warnings.simplefilter("ignore")
        return exchange_calendars.get_calendar(name, start="1990-01-01").day

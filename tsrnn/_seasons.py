"""The season table: a frequency to its conventional season lengths (main season first).

The lowest layer of tsrnn's seasons, importable from anywhere (``metrics`` included)
without the forecasting package; :mod:`tsrnn.forecasting.seasonality` re-exports it with
the rest of ``season_length="auto"`` (the table is written out there).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["season_lengths"]

_SECONDS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400}
_PERIODS_SECONDS = (86400, 7 * 86400)  # one day, one week
_FIXED = {"BusinessDay": [5], "CustomBusinessDay": [5], "Week": [52],
          "MonthEnd": [12], "MonthBegin": [12], "BusinessMonthEnd": [12],
          "BusinessMonthBegin": [12], "SemiMonthEnd": [24], "SemiMonthBegin": [24],
          "QuarterEnd": [4], "QuarterBegin": [4], "BusinessQuarterEnd": [4],
          "BusinessQuarterBegin": [4]}


def season_lengths(freq) -> list[int]:
    """All conventional season lengths of ``freq``, main season first (``[1]`` if none).

    Parameters
    ----------
    freq : str, pandas offset, int or None
        A pandas frequency (``"h"``, ``"30min"``, ``"W-SUN"``, ``pd.offsets.BDay()``...),
        or an integer step / None for data without calendar (no season).

    Returns
    -------
    list of int

    Examples
    --------
    >>> season_lengths("h")
    [24, 168]
    >>> season_lengths("30min")
    [48, 336]
    >>> season_lengths("D"), season_lengths("B"), season_lengths("W-SUN")
    ([7, 365], [5], [52])
    >>> season_lengths("MS"), season_lengths("QE"), season_lengths("YE"), season_lengths(1)
    ([12], [4], [1], [1])
    """
    if freq is None or isinstance(freq, (int,)) or not isinstance(
            freq, (str, pd.offsets.BaseOffset)) and not hasattr(freq, "freqstr"):
        return [1]
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        return [1]
    name, n = type(offset).__name__, max(int(getattr(offset, "n", 1) or 1), 1)
    if name == "DateOffset" and set(offset.kwds) == {"months"}:  # monthly on the 15th...
        months = n * int(offset.kwds["months"])
        return [12 // months] if 0 < months < 12 and 12 % months == 0 else [1]
    if name in _SECONDS:
        step = _SECONDS[name] * n
        if name == "Day":
            return [7, 365] if n == 1 else ([7 // n] if 7 % n == 0 else [1])
        out = [p // step for p in _PERIODS_SECONDS if p % step == 0 and p // step > 1]
        return out or [1]
    if name in ("Milli", "Micro", "Nano"):
        return [1]  # no conventional season at sub-second steps
    fixed = _FIXED.get(name)
    if fixed is None:
        return [1]
    return [fixed[0] // n] if fixed[0] % n == 0 and fixed[0] // n > 1 else [1]

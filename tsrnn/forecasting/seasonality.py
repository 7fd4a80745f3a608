"""Season lengths from the frequency: the one place where ``season_length="auto"`` resolves.

The conventional periods (one table, used by every model, metric and the command line):

=====================  ==============================  =================
frequency              seasons (main first)            ``season_length``
=====================  ==============================  =================
sub-hourly (k min/s)   per day, per week               steps per day
hourly (``h``)         24, 168                         24
k-hourly               per day, per week               24 / k
daily (``D``)          7 (weekly), 365                 7
business daily         5 (weekly)                      5
weekly (``W-*``)       52                              52
monthly (``M``/``MS``) 12                              12
quarterly              4                               4
yearly, unknown        1 (no season)                   1
integer index          1 (no season)                   1
=====================  ==============================  =================

Multiples of a frequency divide the period (2-hourly: 12 per day); periods that do not
divide evenly are dropped. Where the data is too short for a season (fewer than two full
periods), the models that need them fall back as documented on each model.

A conventional season is not always in the data: weekly financial series have no yearly
cycle, and there the year-ago value is a poor forecast. :func:`season_helps` is the check
that seasonal naive and MSTL apply under ``"auto"`` (per series): keep a season only where
repeating it forecasts the series' own history better than repeating its last value.
"""

from __future__ import annotations

import numpy as np

from .._seasons import season_lengths  # the table itself, importable from any layer

__all__ = ["resolve_season_length", "season_helps", "season_lengths"]


def resolve_season_length(season_length, freq, name: str = "season_length") -> int:
    """The main season length: ``season_length`` itself, or the first of
    :func:`season_lengths` for ``"auto"``.

    Examples
    --------
    >>> resolve_season_length("auto", "h"), resolve_season_length(12, "h")
    (24, 12)
    """
    if isinstance(season_length, str) and season_length == "auto":
        return season_lengths(freq)[0]
    if isinstance(season_length, bool) or not isinstance(season_length, int) or \
            season_length < 1:
        raise ValueError(f"{name} must be 'auto' or an integer >= 1, got {season_length!r}.")
    return int(season_length)


def season_helps(x, m: int, horizon: int) -> bool:
    """Whether season ``m`` beats no season on the history ``x`` at this ``horizon``.

    Compares, in-sample and averaged over the steps ``k = 1..horizon``, the mean absolute
    error of the seasonal naive forecast (the value ``m * ceil(k / m)`` steps before) with
    the naive one (the value ``k`` steps before), over the last ten seasons at most.
    False for ``m = 1`` and for histories shorter than two seasons.

    Examples
    --------
    >>> t = np.arange(96)
    >>> season_helps(np.sin(2 * np.pi * t / 24), 24, horizon=24)
    True
    >>> season_helps(np.cumsum(np.random.default_rng(0).normal(size=300)), 52, 13)
    False
    """
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(len(x), -1)[-(10 * m + horizon):]
    n = len(x)
    if m <= 1 or n < 2 * m:
        return False
    steps = np.arange(1, max(int(horizon), 1) + 1)
    lags = m * -(-steps // m)
    keep = lags < n - 1
    if not keep.any():
        return False

    def error(lag):
        return float(np.mean(np.abs(x[lag:] - x[:-lag])))

    seasonal = np.mean([error(lag) for lag in lags[keep]])
    naive = np.mean([error(k) for k in steps[keep]])
    return bool(seasonal < naive)

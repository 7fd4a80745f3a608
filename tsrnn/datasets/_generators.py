"""Seeded generators of synthetic time series for examples and tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import (
    check_freq,
    check_non_negative,
    check_positive_int,
    check_real,
    check_strictly_positive,
)

RandomState = int | np.random.Generator | None


def _ids(n_series: int) -> list[str]:
    """Return zero-padded ids ``S0..``, so that sorting keeps creation order."""
    width = len(str(n_series - 1))
    return [f"S{i:0{width}d}" for i in range(n_series)]


def make_sine(
    n: int = 200, period: float = 12.0, noise: float = 0.0, random_state: RandomState = None
) -> pd.Series:
    """Make a sine wave with optional Gaussian noise, for quick tests.

    Parameters
    ----------
    n : int, default=200
        Number of points.
    period : float, default=12.0
        Period of the wave in steps.
    noise : float, default=0.0
        Standard deviation of the added Gaussian noise.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the noise.

    Returns
    -------
    pandas.Series
        ``sin(2 * pi * t / period) + noise`` named ``"y"`` on a ``RangeIndex``.

    Examples
    --------
    >>> from tsrnn.datasets import make_sine
    >>> y = make_sine(n=4, period=4)
    >>> y.round(3).tolist()
    [0.0, 1.0, 0.0, -1.0]
    """
    n = check_positive_int(n, "n")
    period = check_strictly_positive(period, "period")
    noise = check_non_negative(noise, "noise")
    rng = np.random.default_rng(random_state)
    t = np.arange(n)
    y = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)
    return pd.Series(y, index=pd.RangeIndex(n), name="y")


def make_seasonal_series(
    n: int = 24 * 7 * 8,
    freq: str = "h",
    seasonalities: Sequence[float] = (24, 168),
    trend: float = 0.0,
    noise: float = 0.1,
    level: float = 10.0,
    start: str = "2020-01-01",
    random_state: RandomState = None,
) -> pd.Series:
    """Make a series with a level, a linear trend, several seasonalities and noise.

    ``y_t = level + trend * t + sum_k sin(2 pi t / p_k + phi_k) + noise * e_t``
    with one unit-amplitude sine per period ``p_k``, random phases ``phi_k`` and
    standard normal ``e_t``.

    Parameters
    ----------
    n : int, default=1344
        Number of points (8 weeks of hours).
    freq : str, default="h"
        pandas frequency alias of the index.
    seasonalities : sequence of float, default=(24, 168)
        Seasonal periods in steps (daily and weekly for hourly data).
    trend : float, default=0.0
        Slope per step.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise.
    level : float, default=10.0
        Value at ``t = 0`` before seasonality and noise.
    start : str, default="2020-01-01"
        First timestamp.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the phases and the noise.

    Returns
    -------
    pandas.Series
        Float series named ``"y"`` on a ``DatetimeIndex`` with ``freq`` set.

    Examples
    --------
    >>> from tsrnn.datasets import make_seasonal_series
    >>> y = make_seasonal_series(n=48, seasonalities=(24,), random_state=0)
    >>> len(y), y.index.freqstr, str(y.index[0])
    (48, 'h', '2020-01-01 00:00:00')
    """
    n = check_positive_int(n, "n")
    freq = check_freq(freq)
    periods = [check_strictly_positive(p, "each seasonality") for p in seasonalities]
    trend, level = check_real(trend, "trend"), check_real(level, "level")
    noise = check_non_negative(noise, "noise")
    rng = np.random.default_rng(random_state)
    t = np.arange(n)
    y = level + trend * t
    for period, phase in zip(periods, rng.uniform(0, 2 * np.pi, len(periods))):
        y = y + np.sin(2 * np.pi * t / period + phase)
    y = y + noise * rng.standard_normal(n)
    return pd.Series(y, index=pd.date_range(start, periods=n, freq=freq), name="y")


def make_random_walk_prices(
    n: int = 252,
    n_series: int = 1,
    drift: float = 0.0003,
    volatility: float = 0.01,
    start_price: float = 100.0,
    freq: str = "B",
    start: str = "2020-01-01",
    random_state: RandomState = None,
) -> pd.Series | pd.DataFrame:
    """Make stock-like prices following geometric Brownian motion.

    Log returns are i.i.d. normal with mean ``drift - volatility**2 / 2`` and
    standard deviation ``volatility``, so the expected price grows by
    ``exp(drift)`` per step. The first price of every series is ``start_price``.

    Parameters
    ----------
    n : int, default=252
        Number of prices per series (one business year by default).
    n_series : int, default=1
        Number of independent series.
    drift : float, default=0.0003
        Expected log growth per step.
    volatility : float, default=0.01
        Standard deviation of the log return per step.
    start_price : float, default=100.0
        First price; must be > 0.
    freq : str, default="B"
        pandas frequency alias of the dates (business days by default).
    start : str, default="2020-01-01"
        First date (rolled forward to the first date on ``freq``).
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the returns.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        With ``n_series=1``, a positive series named ``"y"`` on a
        ``DatetimeIndex`` with ``freq`` set; otherwise a long-format frame with
        columns ``unique_id`` (``"S0"``, ...), ``ds`` and ``y``.

    Examples
    --------
    >>> from tsrnn.datasets import make_random_walk_prices
    >>> y = make_random_walk_prices(n=5, random_state=0)
    >>> float(y.iloc[0]), y.index.freqstr
    (100.0, 'B')
    >>> make_random_walk_prices(n=5, n_series=3, random_state=0).shape
    (15, 3)
    """
    n, n_series = check_positive_int(n, "n"), check_positive_int(n_series, "n_series")
    freq = check_freq(freq)
    drift = check_real(drift, "drift")
    volatility = check_non_negative(volatility, "volatility")
    start_price = check_strictly_positive(start_price, "start_price")
    rng = np.random.default_rng(random_state)
    steps = rng.normal(drift - volatility**2 / 2, volatility, size=(n_series, n - 1))
    log_paths = np.concatenate([np.zeros((n_series, 1)), np.cumsum(steps, axis=1)], axis=1)
    prices = start_price * np.exp(log_paths)  # (n_series, n)
    dates = pd.date_range(start, periods=n, freq=freq)
    if n_series == 1:
        return pd.Series(prices[0], index=dates, name="y")
    ids = np.repeat(_ids(n_series), n)
    return pd.DataFrame({"unique_id": ids, "ds": np.tile(dates, n_series), "y": prices.ravel()})


def _panel_series(rng: np.random.Generator, length: int, period: float) -> np.ndarray:
    """One positive series: random level, seasonal amplitude, trend and noise."""
    t = np.arange(length)
    level = 10 ** rng.uniform(1, 3)  # 10 to 1000
    seasonal = rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    trend = rng.uniform(-0.5, 0.5) * t / length  # at most +-50 % over the series
    return level * np.exp(seasonal + trend + 0.05 * rng.standard_normal(length))


def make_panel(
    n_series: int = 10,
    min_length: int = 50,
    max_length: int = 200,
    freq: str = "D",
    period: float = 7.0,
    start: str = "2020-01-01",
    random_state: RandomState = None,
) -> pd.DataFrame:
    """Make a ragged panel of positive seasonal series, for global models.

    Every series has its own length (uniform in ``[min_length, max_length]``),
    start date (``start`` plus 0 to ``max_length - 1`` periods), level (10 to
    1000), seasonal amplitude (5 % to 30 %), trend (up to +-50 % over the series)
    and 5 % multiplicative noise.

    Parameters
    ----------
    n_series : int, default=10
        Number of series.
    min_length, max_length : int, default=50, 200
        Bounds (inclusive) of the series lengths.
    freq : str, default="D"
        pandas frequency alias of the dates.
    period : float, default=7.0
        Seasonal period in steps (weekly for daily data).
    start : str, default="2020-01-01"
        Earliest possible start date.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of everything random.

    Returns
    -------
    pandas.DataFrame
        Long format with columns ``unique_id`` (``"S0"``, ...), ``ds`` and
        ``y``, sorted by ``unique_id`` then ``ds``.

    Examples
    --------
    >>> from tsrnn.datasets import make_panel
    >>> df = make_panel(n_series=3, min_length=20, max_length=40, random_state=0)
    >>> df["unique_id"].unique().tolist()
    ['S0', 'S1', 'S2']
    >>> bool((df["y"] > 0).all())
    True
    """
    n_series = check_positive_int(n_series, "n_series")
    min_length = check_positive_int(min_length, "min_length")
    max_length = check_positive_int(max_length, "max_length")
    if min_length > max_length:
        raise ValueError(f"min_length ({min_length}) must be <= max_length ({max_length})")
    freq = check_freq(freq)
    period = check_strictly_positive(period, "period")
    rng = np.random.default_rng(random_state)
    origin = pd.date_range(start, periods=max_length, freq=freq)
    frames = []
    for uid in _ids(n_series):
        length = int(rng.integers(min_length, max_length + 1))
        ds = pd.date_range(origin[rng.integers(max_length)], periods=length, freq=freq)
        y = _panel_series(rng, length, period)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)

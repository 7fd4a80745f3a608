"""M4's Naive2 forecast: naive on the series deseasonalised by classical multiplicative
decomposition where M4's autocorrelation test (90%) finds the season. Re-exported by
:mod:`tsrnn.metrics` (``naive2_forecast``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._metric_inputs import _as_histories, _check_positive_int


# ---------------------------------------------------------------------- Naive2
def _is_seasonal(x: np.ndarray, m: int) -> bool:
    """M4 test: |acf_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} acf_k^2) / n)."""
    n = len(x)
    if m == 1 or n < 3 * m:
        return False
    dev = x - x.mean()
    denom = dev @ dev
    if denom == 0:
        return False
    acf = np.array([dev[k:] @ dev[:-k] for k in range(1, m + 1)]) / denom
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def _seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative indices (centred MA of order m), mean 1."""
    weights = np.full(m, 1.0 / m) if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m
    half = len(weights) // 2
    ratio = np.full(-(-len(x) // m) * m, np.nan)  # padded to whole cycles
    ratio[half : len(x) - half] = x[half:-half] / np.convolve(x, weights, mode="valid")
    indices = np.nanmean(ratio.reshape(-1, m), axis=0)
    return indices / indices.mean()


def _naive2_one(x: np.ndarray, horizon: int, m: int, index: int) -> np.ndarray:
    if not _is_seasonal(x, m):
        return np.full(horizon, x[-1])
    if np.any(x <= 0):
        raise ValueError(
            f"history series {index} tests seasonal but has non-positive values; "
            "the multiplicative decomposition of Naive2 needs positive data."
        )
    indices = _seasonal_indices(x, m)
    level = x[-1] / indices[(len(x) - 1) % m]
    return level * indices[np.arange(len(x), len(x) + horizon) % m]


def naive2_forecast(
    history: ArrayLike | Sequence[ArrayLike], horizon: int, m: int = 1
) -> np.ndarray:
    """M4 Naive2 benchmark forecast.

    If ``m > 1``, the series has at least ``3 * m`` values and its lag-``m``
    autocorrelation exceeds the 90% limit, the series is seasonally adjusted by
    a classical multiplicative decomposition, forecast naively and
    reseasonalised; otherwise the last value is repeated (plain naive).

    Parameters
    ----------
    history : array-like or sequence of array-like
        One 1D series, or one 1D array per series (lengths may differ).
    horizon : int
        Number of steps to forecast.
    m : int, default=1
        Seasonal period (1 weekly, 4 quarterly, 12 monthly, 24 hourly in M4).

    Returns
    -------
    ndarray of shape (horizon,) or (n_series, horizon)

    Examples
    --------
    >>> naive2_forecast([3.0, 5.0, 4.0], horizon=2)
    array([4., 4.])
    """
    _check_positive_int(horizon, "horizon")
    _check_positive_int(m, "m")
    series, single = _as_histories(history, "history")
    forecasts = np.array([_naive2_one(x, horizon, m, i) for i, x in enumerate(series)])
    return forecasts[0] if single else forecasts

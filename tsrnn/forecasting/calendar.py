"""Calendar features generated from timestamps, to use as known future covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd

# name -> (attribute of the DatetimeIndex, period)
_FEATURES = {"hour": ("hour", 24), "dayofweek": ("day_of_week", 7),
             "dayofmonth": ("day", 31), "month": ("month", 12), "weekofyear": (None, 52.18),
             "dayofyear": ("day_of_year", 365.25)}


def calendar_features(index, features=("hour", "dayofweek", "month")) -> pd.DataFrame:
    """Sine/cosine encodings of calendar positions of ``index``.

    Every feature becomes two columns, ``<name>_sin`` and ``<name>_cos``, so that the
    end of a cycle sits next to its start (23h next to 0h). Because they depend only on the
    timestamps, they are known for the future: pass them as ``future_covariates``.

    Parameters
    ----------
    index : DatetimeIndex or PeriodIndex
        Timestamps (of the history, or of the forecast period).
    features : sequence of str, default=("hour", "dayofweek", "month")
        Any of "hour", "dayofweek", "dayofmonth", "month", "weekofyear", "dayofyear".

    Returns
    -------
    DataFrame
        Indexed by ``index``.

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=3, freq="6h")
    >>> calendar_features(idx, ["hour"]).round(3).to_numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0], [0.0, -1.0]]
    """
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"calendar features need a DatetimeIndex or PeriodIndex, got "
                        f"{type(index).__name__}.")
    unknown = [f for f in features if f not in _FEATURES]
    if unknown:
        raise ValueError(f"unknown calendar feature(s) {unknown}; choose from "
                         f"{list(_FEATURES)}.")
    columns = {}
    for name in features:
        attr, period = _FEATURES[name]
        pos = index.isocalendar().week.to_numpy(float) if attr is None \
            else np.asarray(getattr(index, attr), dtype=float)
        columns[f"{name}_sin"] = np.sin(2 * np.pi * pos / period)
        columns[f"{name}_cos"] = np.cos(2 * np.pi * pos / period)
    return pd.DataFrame(columns, index=index)

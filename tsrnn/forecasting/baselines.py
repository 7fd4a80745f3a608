"""Simple baselines in the forecaster contract."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from .base import BaseForecaster


class NaiveForecaster(BaseForecaster):
    """Repeat the last observed value of each series.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); default every column of a time-indexed frame, ``"y"`` in long format.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="D"))
    >>> NaiveForecaster(horizon=2).fit(y).predict().tolist()
    [3.0, 3.0]
    """

    def __init__(self, horizon=1, freq=None, target=None, id_col="unique_id", time_col="ds"):
        self.horizon = horizon
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col

    def _context_length(self):
        return 2

    def _fit(self, panel):
        diffs = [np.diff(panel.series(i), axis=0) for i in range(len(panel.ids))]
        steps = np.concatenate([d for d in diffs if len(d)]) if any(len(d) for d in diffs) \
            else np.zeros((1, len(panel.targets)))
        self.sigma_ = np.sqrt(np.mean(steps**2, axis=0))  # one-step error scale, per target

    def _predict(self, panel, horizon, future):
        last = np.stack([panel.series(i)[-1] for i in range(len(panel.ids))])
        return np.repeat(last[:, None, :], horizon, axis=1)  # (series, horizon, targets)

    def _predict_interval(self, panel, horizon, future, coverage):
        point = self._predict(panel, horizon, future)
        z = norm.ppf(0.5 + coverage / 2)
        width = z * self.sigma_ * np.sqrt(np.arange(1, horizon + 1))[None, :, None]
        return point - width, point + width

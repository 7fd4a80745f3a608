"""Forecast accuracy metrics (M4 definitions) and the M4 Naive2 benchmark.

Every metric takes ``(y_true, y_pred, ...)`` as array-likes, pandas Series or
DataFrames of shape ``(horizon,)`` for one series or ``(n_series, horizon)``
for many (one row per series). For 2D input the result is the mean over
series of the per-series metric, as in the M4 competition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import make_scorer

from ._mase_scale import _naive_scale
from ._mase_scale import mase_scale as mase_scale
from ._mase_scale import segment_scales as segment_scales
from ._metric_inputs import (
    _align,
    _as_float_array,
    _as_histories,
    _check_arrays,
    _check_finite,
    _check_positive_int,
    _row_means,
)
from ._metric_inputs import _check_numeric as _check_numeric
from ._metric_inputs import _labels as _labels
from ._naive2 import _is_seasonal as _is_seasonal
from ._naive2 import _naive2_one as _naive2_one
from ._naive2 import _seasonal_indices as _seasonal_indices
from ._naive2 import naive2_forecast as naive2_forecast

__all__ = [
    "evaluate",
    "interval_coverage",
    "interval_coverage_by_series",
    "mae",
    "mae_scorer",
    "mase_scorer",
    "mape",
    "mase",
    "mase_scale",
    "mean_interval_width",
    "mse",
    "naive2_forecast",
    "owa",
    "pinball_loss",
    "rmse",
    "rmse_scorer",
    "scaled_pinball_loss",
    "smape",
    "smape_scorer",
]


# -------------------------------------------------------------- point metrics
def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error.

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(_row_means(np.abs(yt - yp))))


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error.

    Examples
    --------
    >>> mse([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.6666666666666667
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(_row_means((yt - yp) ** 2)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error (per series, then averaged over series).

    Examples
    --------
    >>> rmse([[0.0, 0.0], [0.0, 0.0]], [[3.0, 3.0], [1.0, 1.0]])
    2.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    return float(np.mean(np.sqrt(_row_means((yt - yp) ** 2))))


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute percentage error, in percent: ``100 * mean|y - f| / |y|``.

    Raises a ValueError when ``y_true`` contains zeros (the metric is undefined).

    Examples
    --------
    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    if np.any(yt == 0):
        first = tuple(int(i) for i in np.argwhere(yt == 0)[0])
        raise ValueError(
            f"mape is undefined when y_true contains zeros (first at index {first}); "
            "use smape or mase instead."
        )
    return float(np.mean(_row_means(100.0 * np.abs(yt - yp) / np.abs(yt))))


def smape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE as in M4: ``mean(200 * |y - f| / (|y| + |f|))``, 0/0 counted as 0.

    Examples
    --------
    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    denom = np.abs(yt) + np.abs(yp)
    ratio = np.divide(
        200.0 * np.abs(yt - yp), denom, out=np.zeros_like(denom), where=denom > 0
    )
    return float(np.mean(_row_means(ratio)))


def _auto_season(m, y_train) -> int:
    """``m``, or for ``"auto"`` the main season of ``y_train``'s time index."""
    if not (isinstance(m, str) and m == "auto"):
        return m
    index = getattr(y_train, "index", None)
    freq = getattr(index, "freq", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if not isinstance(y_train, pd.Series) or freq is None:
        raise ValueError("m='auto' needs y_train as a pandas Series on a time index with a "
                         "frequency (DatetimeIndex or PeriodIndex); pass m as an integer.")
    from ._seasons import season_lengths

    return season_lengths(freq)[0]


def mase(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_train: ArrayLike | Sequence[ArrayLike],
    m: int = 1,
) -> float:
    """Mean absolute scaled error (M4 definition).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n_series, horizon)
        Actual and forecast values.
    y_train : array-like or sequence of array-like
        In-sample history: one 1D array for 1D ``y_true``, or one 1D array per
        series (lengths may differ) for 2D ``y_true``.
    m : int or "auto", default=1
        Seasonal period; the scale is ``mean|x_t - x_{t-m}|`` over the history.
        ``"auto"`` reads it from the time index of ``y_train`` (a pandas Series with a
        DatetimeIndex or PeriodIndex): the main season of its frequency, as in
        :func:`tsrnn.forecasting.seasonality.season_lengths` (24 hourly, 7 daily...).
        This is the scale of every score of tsrnn (:func:`mase_scale`), which also
        falls back to lag 1 for a history of at most ``m`` values and scales a flat
        history by its level; here both are errors, as the metric is undefined there.

    Returns
    -------
    float
        Mean over series of ``mean|y - f| / scale``.

    Examples
    --------
    >>> mase([5.0, 6.0], [4.0, 4.0], y_train=[1.0, 2.0, 4.0])
    1.0
    >>> history = pd.Series([1.0, 2.0, 1.5, 2.5, 2.0, 3.0],
    ...                     index=pd.date_range("2024-01-01", periods=6, freq="12h"))
    >>> mase([2.5, 3.5], [2.0, 3.0], y_train=history, m="auto")  # two steps a day: m = 2
    1.0
    """
    m = _auto_season(m, y_train)
    yt, yp = _check_arrays(y_true=y_true, y_pred=y_pred)
    _check_positive_int(m, "m")
    histories, _ = _as_histories(y_train, "y_train")
    n_series = 1 if yt.ndim == 1 else yt.shape[0]
    if len(histories) != n_series:
        raise ValueError(
            f"y_train holds {len(histories)} series but y_true holds {n_series}."
        )
    scales = np.array([_naive_scale(h, m, i) for i, h in enumerate(histories)])
    return float(np.mean(_row_means(np.abs(yt - yp)) / scales))


def owa(
    smape_model: ArrayLike, mase_model: ArrayLike, smape_naive2: ArrayLike,
    mase_naive2: ArrayLike
) -> float | np.ndarray | pd.Series:
    """Overall weighted average relative to Naive2: ``0.5 * (s/s2 + m/m2)``.

    Scalars give a float; arrays (one value per series, broadcast together) give the OWA
    of every series, as a Series when the inputs are Series (aligned by label). sMAPE
    must lie in [0, 200] and MASE be non-negative; the Naive2 values must be positive.

    Examples
    --------
    >>> owa(8.0, 3.0, 10.0, 2.0)
    1.15
    >>> owa([8.0, 10.0], [3.0, 2.0], 10.0, 2.0)
    array([1.15, 1.  ])
    """
    named = {"smape_model": smape_model, "mase_model": mase_model,
             "smape_naive2": smape_naive2, "mase_naive2": mase_naive2}
    named = _align(named)
    labels = next((v.index for v in named.values() if isinstance(v, pd.Series)), None)
    values = {n: _as_float_array(v, n) for n, v in named.items()}
    try:
        s, m, s2, m2 = np.broadcast_arrays(*values.values())
    except ValueError:
        shapes = {n: v.shape for n, v in values.items()}
        raise ValueError(f"owa's inputs must be scalars or arrays of one shape, got {shapes}.") \
            from None
    for name, v in zip(named, (s, m, s2, m2)):
        if v.size == 0 or not np.isfinite(v).all():
            raise ValueError(f"owa needs finite inputs; {name} is "
                             f"{'empty' if v.size == 0 else v.tolist()}.")
        low, high = (0.0, 200.0) if name.startswith("smape") else (0.0, np.inf)
        positive = name.endswith("naive2")
        bad = (v <= low if positive else v < low) | (v > high)
        if bad.any():
            first = v[bad].ravel()[0]
            what = "sMAPE in [0, 200]" if high < np.inf else "MASE >= 0"
            need = "positive Naive2 sMAPE and MASE" if positive else f"{what} for the model"
            raise ValueError(f"owa needs {need}; {name} is {first:g}.")
    result = 0.5 * (s / s2 + m / m2)
    if result.ndim == 0:
        return float(result)
    if labels is not None and result.shape == (len(labels),):
        return pd.Series(result, index=labels, name="owa")
    return result


# -------------------------------------------------------- probabilistic metrics
def pinball_loss(y_true: ArrayLike, y_quantile_pred: ArrayLike, quantile: float) -> float:
    """Pinball (quantile) loss: ``mean(max(q * (y - f), (q - 1) * (y - f)))``.

    Examples
    --------
    >>> pinball_loss([10.0, 10.0], [8.0, 12.0], quantile=0.9)
    1.0
    """
    yt, yq = _check_arrays(y_true=y_true, y_quantile_pred=y_quantile_pred)
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {quantile!r}.")
    diff = yt - yq
    return float(np.mean(_row_means(np.maximum(quantile * diff, (quantile - 1) * diff))))


def _check_levels(quantiles: float | Sequence[float]) -> np.ndarray:
    levels = np.atleast_1d(_as_float_array(quantiles, "quantiles"))
    if levels.ndim != 1 or not levels.size or not np.all((levels > 0) & (levels < 1)):
        raise ValueError(f"quantiles must be levels strictly between 0 and 1, got {quantiles!r}.")
    return levels


def scaled_pinball_loss(
    y_true: ArrayLike,
    y_quantiles: ArrayLike,
    quantiles: float | Sequence[float],
    y_train: ArrayLike | Sequence[ArrayLike],
    m: int = 1,
) -> float:
    """Scaled pinball loss (SPL) of quantile forecasts, as in the M5 uncertainty competition.

    For each series, the pinball loss ``max(q * (y - f), (q - 1) * (y - f))`` is averaged
    over the steps and the levels, and divided by the series' in-sample mean absolute
    seasonal difference ``mean|x_t - x_{t-m}|`` (the MASE scale); the result is the mean
    over series. This is M5's SPL averaged over its levels with equal series weights (M5
    weights series by their sales, and with ``m=1`` as there, computes the scale from the
    first non-zero sale on; here it is the whole history, as in :func:`mase`). A point
    forecast given as the level 0.5 alone scores half its MASE.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_quantiles : array-like of shape (horizon, n_levels) or (n_series, horizon, n_levels)
        Quantile forecasts, the last axis in the order of ``quantiles``; with one level
        given as a float, the shape of ``y_true`` is accepted too.
    quantiles : float or sequence of float
        The levels in (0, 1) of the forecasts.
    y_train : array-like or sequence of array-like
        In-sample history: one 1D array for 1D ``y_true``, or one 1D array per series
        (lengths may differ) for 2D ``y_true``.
    m : int or "auto", default=1
        Seasonal lag of the scale, as in :func:`mase`.

    Returns
    -------
    float
        Mean over series of the scaled mean pinball loss; lower is better.

    Examples
    --------
    >>> y_quantiles = [[8.0, 10.0, 13.0], [9.0, 12.0, 14.0]]  # 2 steps x 3 levels
    >>> scaled_pinball_loss([10.0, 11.0], y_quantiles, [0.1, 0.5, 0.9],
    ...                     y_train=[1.0, 2.0, 3.0])  # scale 1: the mean pinball loss
    0.25
    """
    m = _auto_season(m, y_train)
    levels = _check_levels(quantiles)
    yt = _check_arrays(y_true=y_true)[0]
    yq = _as_float_array(y_quantiles, "y_quantiles")
    if np.ndim(quantiles) == 0 and yq.shape == yt.shape:
        yq = yq[..., None]
    if yq.shape != yt.shape + (len(levels),):
        raise ValueError(
            f"y_quantiles must have the shape of y_true plus one axis of the {len(levels)} "
            f"quantiles, {yt.shape + (len(levels),)}; got {yq.shape}."
        )
    _check_finite(yq, "y_quantiles")
    _check_positive_int(m, "m")
    histories, _ = _as_histories(y_train, "y_train")
    n_series = 1 if yt.ndim == 1 else yt.shape[0]
    if len(histories) != n_series:
        raise ValueError(f"y_train holds {len(histories)} series but y_true holds {n_series}.")
    scales = np.array([_naive_scale(h, m, i, "the scaled pinball loss")
                       for i, h in enumerate(histories)])
    diff = yt[..., None] - yq
    loss = np.maximum(levels * diff, (levels - 1) * diff)  # (..., horizon, n_levels)
    return float(np.mean(np.atleast_1d(loss.mean(axis=(-2, -1))) / scales))


def _check_bounds(lower: np.ndarray, upper: np.ndarray) -> None:
    if np.any(lower > upper):
        first = tuple(int(i) for i in np.argwhere(lower > upper)[0])
        raise ValueError(f"lower exceeds upper (first at index {first}).")


def interval_coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Fraction of ``y_true`` inside ``[lower, upper]`` (bounds inclusive).

    Examples
    --------
    >>> interval_coverage([1.0, 2.0, 3.0, 9.0], [0.0, 2.0, 0.0, 0.0], [1.0, 4.0, 2.0, 5.0])
    0.5
    """
    yt, lo, up = _check_arrays(y_true=y_true, lower=lower, upper=upper)
    _check_bounds(lo, up)
    return float(np.mean(_row_means((yt >= lo) & (yt <= up))))


def interval_coverage_by_series(
    y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> np.ndarray:
    """Coverage of every series: the fraction of its ``y_true`` inside ``[lower, upper]``.

    ``interval_coverage`` is the mean of these; a low percentile of them shows the series
    whose intervals are too narrow, which the mean hides.

    Examples
    --------
    >>> interval_coverage_by_series([[1.0, 2.0], [3.0, 9.0]], [[0.0, 0.0], [0.0, 0.0]],
    ...                             [[2.0, 2.0], [5.0, 5.0]])
    array([1. , 0.5])
    """
    yt, lo, up = _check_arrays(y_true=y_true, lower=lower, upper=upper)
    _check_bounds(lo, up)
    return np.atleast_2d((yt >= lo) & (yt <= up)).mean(axis=1)


def mean_interval_width(lower: ArrayLike, upper: ArrayLike) -> float:
    """Mean width ``upper - lower`` of prediction intervals.

    Examples
    --------
    >>> mean_interval_width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    lo, up = _check_arrays(lower=lower, upper=upper)
    _check_bounds(lo, up)
    return float(np.mean(_row_means(up - lo)))


# ------------------------------------------------------------ sklearn scorers
mae_scorer = make_scorer(mae, greater_is_better=False)


def mase_scorer(estimator, X, y=None) -> float:
    """Scorer of the forecasters: the negative MASE of ``estimator.score(X, y)``.

    The one MASE of tsrnn (:func:`mase_scale`), for ``scoring=`` in scikit-learn's
    searches and ``cross_val_score`` (which use a forecaster's ``score`` by default).
    """
    # isinstance(estimator, BaseForecaster), read from the class hierarchy: metrics sits
    # below the forecasting package and does not import it (tests/test_layering.py)
    if not any(c.__module__ == "tsrnn.forecasting.base" and c.__name__ == "BaseForecaster"
               for c in type(estimator).__mro__):
        raise TypeError(f"mase_scorer scores tsrnn forecasters, got {type(estimator).__name__}; "
                        "use mae_scorer or a scikit-learn scorer for other estimators.")
    return float(estimator.score(X, y))


rmse_scorer = make_scorer(rmse, greater_is_better=False)
smape_scorer = make_scorer(smape, greater_is_better=False)


# ------------------------------------------------------------------ reporting
_POINT_METRICS = {"mae": mae, "rmse": rmse, "mse": mse, "mape": mape, "smape": smape}


def evaluate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_train: ArrayLike | Sequence[ArrayLike] | None = None,
    m: int = 1,
    metrics: Sequence[str] = ("mae", "rmse", "smape", "mase"),
) -> dict[str, float]:
    """Compute several metrics at once, as ``{name: value}``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n_series, horizon)
    y_train : array-like or sequence of array-like, default=None
        In-sample history, required when ``"mase"`` is requested.
    m : int, default=1
        Seasonal period for MASE.
    metrics : sequence of str, default=("mae", "rmse", "smape", "mase")
        Names among ``"mae", "rmse", "mse", "mape", "smape", "mase"``.

    Examples
    --------
    >>> evaluate([1.0, 3.0], [2.0, 2.0], y_train=[0.0, 1.0], metrics=("mae", "mase"))
    {'mae': 1.0, 'mase': 1.0}
    """
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [n for n in names if n not in _POINT_METRICS and n != "mase"]
    if unknown:
        raise ValueError(
            f"unknown metrics {unknown}; choose from {sorted([*_POINT_METRICS, 'mase'])}."
        )
    if "mase" in names and y_train is None:
        raise ValueError("metric 'mase' needs y_train; pass it or drop 'mase' from metrics.")
    return {
        n: mase(y_true, y_pred, y_train, m=m) if n == "mase" else _POINT_METRICS[n](y_true, y_pred)
        for n in names
    }

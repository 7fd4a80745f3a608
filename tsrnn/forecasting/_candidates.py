"""The candidates of :class:`~tsrnn.forecasting.auto.AutoForecaster`: the default ones for a
frequency, candidates by name, their fits on the panels cut at each validation origin (one
joblib job each), the unit-free MASE of their validation forecasts, and the selection or
combination weights those scores give (:func:`candidate_weights`).
"""

from __future__ import annotations

import importlib.util
import warnings
from numbers import Integral

import numpy as np
import pandas as pd

from .._registry import SHORT_NAMES, load
from ..metrics import mase_scale
from ._data import Panel
from .base import BaseForecaster

_MIN_VALIDATION = 3  # fewest observations before a validation origin (MASE needs 2)


def _subpanel(panel: Panel, rows, keep) -> Panel:
    """Series ``rows`` of ``panel``, each cut to its first ``keep`` observations."""
    rows = np.asarray(rows, dtype=np.int64)
    keep = np.broadcast_to(np.asarray(keep, dtype=np.int64), rows.shape)
    if len(rows) == len(panel.ids) and np.array_equal(rows, np.arange(len(rows))) and \
            np.array_equal(keep, panel.lengths):
        return panel
    spans = [slice(int(o), int(o) + int(k)) for o, k in zip(panel.offsets[rows], keep)]
    covs = None if panel.covariates is None else \
        np.concatenate([panel.covariates[s] for s in spans])
    sub = Panel(ids=[panel.ids[i] for i in rows],
                index=[panel.index[int(i)][:int(k)] for i, k in zip(rows, keep)],
                values=np.concatenate([panel.values[s] for s in spans]),
                targets=list(panel.targets), covariates=covs,
                covariate_names=list(panel.covariate_names), layout=panel.layout)
    sub.protect()
    return sub


def _fit_on(model: BaseForecaster, panel: Panel, fitted: dict) -> BaseForecaster:
    """Fit ``model`` (a configured clone) on a validated panel, as ``fit`` would."""
    for name, value in fitted.items():
        setattr(model, name, value)
    model.n_series_ = len(panel.ids)
    model._check_magnitude(panel)
    model._fit(panel)
    model.train_panel_ = panel
    return model


def _validation_job(model, panel, fitted, horizon):
    """Fit on the history before an origin and forecast ``horizon`` steps (quietly)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _fit_on(model, panel, fitted)
            return model._predict(panel, horizon, None), None
    except Exception as exc:  # noqa: BLE001 - a failing candidate is left out, with a warning
        return None, f"{type(exc).__name__}: {exc}"


def _final_job(model, panel, fitted):
    try:
        return _fit_on(model, panel, fitted), None
    except Exception as exc:  # noqa: BLE001 - as above
        return None, f"{type(exc).__name__}: {exc}"


def _nanmean(values, axis):
    """``np.nanmean`` without the warning for all-NaN slices (they give NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def _unit_mase(actual: np.ndarray, pred: np.ndarray, history: np.ndarray, m: int) -> float:
    """MASE of one target of one series, on the one scale of every score of tsrnn
    (:func:`tsrnn.metrics.mase_scale`: lag ``m``, lag 1 for a history of at most ``m``
    values, the mean absolute level for a flat history)."""
    return float(np.mean(np.abs(actual - pred))) / mase_scale(history, m)


def candidate_weights(scores, naive: int = 0, method: str = "select",
                      n_best: int = 3) -> np.ndarray:
    """Per-row weights of the candidates from their validation scores (lower is better).

    Parameters
    ----------
    scores : array-like of shape (n_series, n_candidates)
        Validation MASE; NaN where a candidate is not eligible for a series.
    naive : int, default=0
        Column of the naive method: a combination only takes candidates that score at
        least as well as it, and ties under ``"select"`` go to it.
    method : {"select", "combine"}, default="select"
        ``"select"``: weight 1 on the best candidate; ``"combine"``: weights proportional to
        ``1 / MASE`` over the ``n_best`` best candidates that are no worse than naive (only
        the perfect ones where some score 0).
    n_best : int, default=3
        Candidates combined at most.

    Returns
    -------
    ndarray of shape (n_series, n_candidates)
        Rows sum to 1; a row with no score at all is zero.

    Examples
    --------
    >>> candidate_weights([[2.0, 1.0, 4.0]], method="select").tolist()
    [[0.0, 1.0, 0.0]]
    >>> candidate_weights([[2.0, 1.0, 4.0]], method="combine").round(3).tolist()
    [[0.333, 0.667, 0.0]]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    out = np.zeros_like(scores)
    for i, row in enumerate(scores):
        ok = np.isfinite(row)
        if not ok.any():
            continue
        best = np.nanmin(row)
        if method == "select":
            k = naive if ok[naive] and row[naive] <= best else int(np.nanargmin(row))
            out[i, k] = 1.0
            continue
        if ok[naive]:
            ok &= row <= row[naive]
        order = [k for k in np.argsort(np.where(ok, row, np.inf), kind="stable") if ok[k]]
        chosen = np.array(order[:n_best])
        if row[chosen].min() <= 0:
            chosen = chosen[row[chosen] <= 0]
            out[i, chosen] = 1.0 / len(chosen)
        else:
            inverse = row[chosen].min() / row[chosen]  # in (0, 1]: no overflow
            out[i, chosen] = inverse / inverse.sum()
    return out


def _by_name(name: str, k: int, random_state):
    """A candidate given by its short name (tsrnn._registry), with its defaults."""
    if name not in SHORT_NAMES or SHORT_NAMES[name] == "AutoForecaster":
        names = sorted(n for n, c in SHORT_NAMES.items() if c != "AutoForecaster")
        raise ValueError(f"candidates[{k}]: unknown forecaster name {name!r}; choose from "
                         f"{names}, or pass a forecaster.")
    model = load(name)()
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=random_state)
    return name, model


def _default_candidates(freq, random_state) -> list:
    from . import baselines

    out = []
    if importlib.util.find_spec("torch") is not None:
        from .neural import GRUForecaster

        out.append(("gru", GRUForecaster(random_state=random_state)))
    if importlib.util.find_spec("statsmodels") is not None:
        from .statistical import ETSForecaster, ThetaForecaster

        out.append(("theta", ThetaForecaster()))
        offset = None if freq is None or isinstance(freq, Integral) else \
            pd.tseries.frequencies.to_offset(freq)
        if isinstance(offset, pd.offsets.Tick) and pd.Timedelta(offset) < pd.Timedelta("1D"):
            from .mstl import MSTLForecaster  # a day and a week: more than ETS' one season

            out.append(("mstl", MSTLForecaster()))
        else:
            out.append(("ets", ETSForecaster()))
    out += [("naive", baselines.NaiveForecaster()),
            ("seasonal_naive", baselines.SeasonalNaiveForecaster())]
    return out


def _short_name(model) -> str:
    name = type(model).__name__
    name = name[:-len("Forecaster")] if name.endswith("Forecaster") and \
        name != "Forecaster" else name
    return {"SeasonalNaive": "seasonal_naive"}.get(name, name.lower())

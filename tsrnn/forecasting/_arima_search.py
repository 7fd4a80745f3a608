"""Automatic ARIMA order selection (Hyndman & Khandakar's stepwise search) on statsmodels.

:func:`auto_arima_state` picks the differencing orders by tests and the ARMA orders by a
stepwise AIC search, and returns the chosen ``SARIMAX`` specification and parameters.
"""

from __future__ import annotations

import numpy as np


def _seasonal_diffs(y, m) -> int:
    """Seasonal differences (0 or 1): 1 when the STL seasonal strength exceeds 0.64."""
    from statsmodels.tsa.seasonal import STL

    if m < 2 or len(y) < 2 * m + 1:
        return 0
    parts = STL(y, period=m).fit()
    total = np.var(parts.seasonal + parts.resid)
    return int(total > 0 and 1 - np.var(parts.resid) / total > 0.64)


def _diffs(y, max_d) -> int:
    """Differences until the KPSS test (level stationarity, 5 %) no longer rejects."""
    from statsmodels.tsa.stattools import kpss

    d = 0
    while d < max_d:
        x = np.diff(y, n=d)
        if len(x) < 4 or np.ptp(x) == 0 or kpss(x, regression="c", nlags="auto")[1] >= 0.05:
            break
        d += 1
    return d


def _arima_spec(key, d, D, m) -> dict:
    p, q, P, Q, constant = key
    return {"order": (p, d, q), "seasonal_order": (P, D, Q, m) if m > 1 else (0, 0, 0, 0),
            "trend": "c" if constant else None}


def _arima_aic(y, spec, exog=None) -> tuple:
    """``(aic, params)`` of one SARIMAX fit; ``(inf, None)`` when it fails."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    try:
        res = SARIMAX(y, exog=exog, **spec).fit(disp=False)
    except (ValueError, np.linalg.LinAlgError):
        return np.inf, None
    return (res.aic if np.isfinite(res.aic) else np.inf), res.params


def _neighbours(key, max_p, max_q, max_seasonal, allow_constant):
    p, q, P, Q, c = key
    moves = [(1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 1, 1)]
    out = [(p + s * a, q + s * b, P + s * e, Q + s * f, c)
           for a, b, e, f in moves for s in (1, -1)]
    out += [(p, q, P, Q, not c)] if allow_constant else []
    return [k for k in out if 0 <= k[0] <= max_p and 0 <= k[1] <= max_q
            and 0 <= k[2] <= max_seasonal and 0 <= k[3] <= max_seasonal]


def _stepwise(y, d, D, m, max_p, max_q, max_models=40, exog=None) -> dict:
    """Hyndman-Khandakar stepwise search of ``(p, q, P, Q, constant)`` by AIC."""
    allow_constant, max_seasonal = d + D <= 1, int(m > 1)
    fits = {}

    def aic(key):
        if key not in fits and len(fits) < max_models:
            fits[key] = _arima_aic(y, _arima_spec(key, d, D, m), exog)
        return fits.get(key, (np.inf,))[0]

    starts = {(min(p, max_p), min(q, max_q), min(P, max_seasonal), min(Q, max_seasonal),
               allow_constant) for p, q, P, Q in [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0),
                                                  (0, 1, 0, 1)]}
    best = min(starts, key=aic)
    while True:
        better = [k for k in _neighbours(best, max_p, max_q, max_seasonal, allow_constant)
                  if aic(k) < aic(best)]
        if not better:
            break
        best = min(better, key=aic)
    if not np.isfinite(aic(best)):
        raise ValueError("no ARIMA model could be fitted")
    return {**_arima_spec(best, d, D, m), "params": fits[best][1]}


def auto_arima_state(y, m: int, max_p: int, max_d: int, max_q: int, exog=None) -> dict:
    """Chosen ``order``, ``seasonal_order``, ``trend`` and fitted ``params`` for ``y``.

    ``exog`` (``(n, k)`` or None) are regressors (a regression with ARIMA errors); the
    differencing tests look at ``y`` itself. Raises a ValueError when no candidate model
    can be fitted.
    """
    D = _seasonal_diffs(y, m)
    d = _diffs(y[m:] - y[:-m] if D else y, max_d)
    return _stepwise(y, d, D, m, max_p, max_q, exog=exog)

"""Classical statistical forecasters on statsmodels: automatic ARIMA, automatic ETS, Theta.

Each series (and each target column) gets its own model, fitted in parallel with
``n_jobs`` (joblib). ``season_length="auto"`` (the default) takes the main season of the
data's frequency (:mod:`tsrnn.forecasting.seasonality`; the value used is
``season_length_``); under ``"auto"`` a series shorter than two full seasons is modelled
without a season, while an explicit ``season_length`` is always used and needs two full
seasons of every series (a ``ValueError`` naming it and the length needed otherwise).
A series on which statsmodels fails (an exception or a non-finite forecast) falls back to
the seasonal naive method (naive when the season is 1) with a warning naming the series;
statsmodels' own warnings (convergence and the like) are silenced. After fitting, each
model forecasts the last ``max(horizon, m)`` steps of its own training series (with the
fitted parameters; ``m`` the main season of the frequency); where that is more than ``3``
times worse (mean absolute error) than the seasonal naive forecast, a warning names the
series (``holdout_ratio_`` keeps the ratios).

Only :class:`ARIMAForecaster` uses covariates (as SARIMAX regressors, the ones named in
``future_covariates``); the other models warn that they ignore them. Forecasting a new
history (``predict(X=...)``, ``score``) reuses the fitted
parameters of the series with the same id (of the only series, when one was fitted):

- ARIMA applies them to the new data (Kalman filter, no re-estimation);
- ETS keeps the smoothing and damping parameters and re-estimates only the initial states;
- Theta re-estimates its two parameters (a regression slope and a one-parameter SES), which
  is cheap.

A new series id in a multi-series model is fitted from scratch. Requires statsmodels
(``pip install tsrnn[stats]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import Integral, Interval
from ._arima_search import auto_arima_state
from ._statsmodels import _ESTIMATE as _ESTIMATE
from ._statsmodels import _EXPLODE as _EXPLODE
from ._statsmodels import _FAR_WORSE as _FAR_WORSE
from ._statsmodels import _fallback as _fallback
from ._statsmodels import _holdout_ratio as _holdout_ratio
from ._statsmodels import _job as _job
from ._statsmodels import _main as _main
from ._statsmodels import _require_statsmodels as _require_statsmodels
from ._statsmodels import _StatsmodelsForecaster
from ._statsmodels import _store as _store
from ._statsmodels import _threadpools as _threadpools
from ._statsmodels import _usable as _usable

__all__ = ["ARIMAForecaster", "ETSForecaster", "ThetaForecaster"]


# ------------------------------------------------------------------------------ ARIMA
class ARIMAForecaster(_StatsmodelsForecaster):
    """Automatic (seasonal) ARIMA per series, as ``auto.arima`` of R's forecast package.

    The seasonal differencing ``D`` (0 or 1) comes from the STL seasonal strength (> 0.64),
    the differencing ``d`` from repeated KPSS tests at 5 %; then a stepwise search over
    ``(p, q)``, ``(P, Q)`` (at most 1) and a constant (when ``d + D <= 1``) minimises the
    AIC of statsmodels ``SARIMAX`` fits (at most 40 per series). New histories are
    forecast with the fitted parameters, without re-estimation.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); each is modelled separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    max_p, max_d, max_q : int, default=3, 2, 3
        Largest AR order, number of differences and MA order searched.
    future_covariates : list of str or None, default=None
        Covariate columns used as exogenous regressors (SARIMAX ``exog``): their values
        must be known for the forecast period, so ``predict`` needs them in ``X``. Other
        covariates are ignored, with a warning.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: ``order``, ``seasonal_order``, ``trend`` and
        ``params`` of the chosen model; None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=60)))
    >>> model = ARIMAForecaster(horizon=3).fit(y)
    >>> model.states_[0][0]["order"]
    (1, 1, 0)
    >>> model.predict().shape
    (3,)
    """

    _capabilities = {"future_covariates": True}  # regressors (future_covariates)

    _parameter_constraints = {
        **_StatsmodelsForecaster._parameter_constraints,
        "max_p": [Interval(Integral, 0, None, closed="left")],
        "max_d": [Interval(Integral, 0, None, closed="left")],
        "max_q": [Interval(Integral, 0, None, closed="left")],
        "future_covariates": [list, tuple, None],
    }

    def __init__(self, horizon=1, *, freq=None, target=None, id_col="unique_id",
                 time_col="ds", season_length="auto", max_p=3, max_d=2, max_q=3,
                 future_covariates=None, n_jobs=None, verbose=False):
        super().__init__(horizon=horizon, freq=freq, target=target, id_col=id_col,
                         time_col=time_col, season_length=season_length, n_jobs=n_jobs,
                         verbose=verbose)
        self.max_p = max_p
        self.max_d = max_d
        self.max_q = max_q
        self.future_covariates = future_covariates

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"max_p": 1, "max_q": 1}]

    def _check_params(self):  # max_p, max_d, max_q: _parameter_constraints
        names = [self.future_covariates] if isinstance(self.future_covariates, str) else \
            list(self.future_covariates or [])
        unknown = [c for c in names if c not in self.covariates_]
        if unknown:
            raise ValueError(f"future_covariates {unknown} are not covariate columns of the "
                             f"data (its covariates: {self.covariates_}).")
        self.future_covariates_ = names

    def _exog_names(self):
        return list(getattr(self, "future_covariates_", []))

    def _future_names(self):
        return self._exog_names()

    def _estimate(self, y, m, exog=None):
        return auto_arima_state(y, m, self.max_p, self.max_d, self.max_q, exog)

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        spec = {k: v for k, v in state.items() if k not in ("params", "unit")}
        forecast = SARIMAX(y, exog=exog, **spec).filter(state["params"]) \
            .get_forecast(horizon, exog=future)
        if coverage is None:
            return forecast.predicted_mean, None, None
        bounds = forecast.conf_int(alpha=1 - coverage)
        return forecast.predicted_mean, bounds[:, 0], bounds[:, 1]


# -------------------------------------------------------------------------- ETS, Theta
def _ets_specs(n, m) -> list:
    trends = [(None, False), ("add", False), ("add", True)] if n >= 4 else [(None, False)]
    seasons = [None, "add"] if m > 1 and n >= 2 * m else [None]
    return [{"trend": t, "damped_trend": damped, "seasonal": s,
             "seasonal_periods": m if s else None} for t, damped in trends for s in seasons]


class ETSForecaster(_StatsmodelsForecaster):
    """Automatic exponential smoothing (ETS) per series, on statsmodels ``ETSModel``.

    Fits every additive-error model with no, additive or damped additive trend and no or
    additive seasonality (when ``season_length > 1`` and the series spans two seasons) and
    keeps the lowest AIC (which decides whether the season is used: a seasonal-naive-style
    check, as seasonal naive and MSTL make, cost 10% on ETTh1). Seasonal fits with long
    seasons (52 weekly) are slow: about 2 s per series. On a new history the smoothing and
    damping parameters are kept
    and only the initial states are re-estimated.

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); each is modelled separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: the model ``spec``, its ``params`` and their
        ``names``; None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 15.0, 14.0, 16.0])
    >>> ETSForecaster(horizon=2).fit(y).predict().shape
    (2,)
    """

    def _estimate(self, y, m, exog=None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        best, best_aic = None, np.inf
        for spec in _ets_specs(len(y), m):
            try:
                res = ETSModel(pd.Series(y), error="add", **spec).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(res.aic) and res.aic < best_aic:
                best_aic = res.aic
                best = {"spec": spec, "params": res.params, "names": res.param_names}
        if best is None:
            raise ValueError("no ETS model could be fitted")
        return best

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        model = ETSModel(pd.Series(y), error="add", **state["spec"])
        if new:
            fixed = {name: value for name, value in zip(state["names"], state["params"])
                     if not name.startswith("initial")}
            with model.fix_params(fixed):
                res = model.fit(disp=False)
        else:
            res = model.smooth(state["params"])
        if coverage is None:
            return np.asarray(res.forecast(horizon)), None, None
        frame = res.get_prediction(start=len(y), end=len(y) + horizon - 1) \
            .summary_frame(alpha=1 - coverage)
        return frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), \
            frame["pi_upper"].to_numpy()


class ThetaForecaster(_StatsmodelsForecaster):
    """The Theta method (Assimakopoulos & Nikolopoulos) per series, on statsmodels.

    statsmodels ``ThetaModel``: the series is seasonally adjusted (multiplicatively) when
    ``season_length > 1`` and it tests seasonal, then forecast by simple exponential
    smoothing plus half the slope of its linear trend. Its two parameters are re-estimated
    on every history forecast (cheap: a regression and a one-parameter SES).

    Parameters
    ----------
    horizon : int, default=1
        Steps to forecast.
    freq : str or None, default=None
        Frequency of the time index; inferred when None.
    target : str, list of str or None, default=None
        Target column(s); each is modelled separately.
    id_col, time_col : str, default="unique_id", "ds"
        Column names of long-format data.
    season_length : int, "auto" or None, default="auto"
        Season length ``m``; ``"auto"`` from the frequency (``season_length_``); None or 1
        fits non-seasonal models.
    n_jobs : int or None, default=None
        Series fitted in parallel (joblib; -1 uses every core).
    verbose : bool or int, default=False
        Show a progress bar over the series (when true or >= 1, as in scikit-learn).

    Attributes
    ----------
    states_ : list of list of dict or None
        Per training series and target: the fitted ``b0`` (drift) and ``alpha`` (SES);
        None where statsmodels failed.
    fallback_ : list of tuple
        ``(series id, target)`` of the series that fell back to (seasonal) naive at fit.
    season_length_ : int
        The season length used.
    holdout_ratio_ : ndarray of shape (n_series, n_targets)
        MAE of each fitted model over the last ``max(horizon, m)`` training steps over
        seasonal naive's (NaN where too short); above 3 is warned about.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 15.0, 14.0, 16.0])
    >>> ThetaForecaster(horizon=2).fit(y).predict().shape
    (2,)
    """

    def _estimate(self, y, m, exog=None):
        params = self._theta(y, m).params
        return {"b0": float(params["b0"]), "alpha": float(params["alpha"])}

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them)."""
        return [{"season_length": 7}]

    def _theta(self, y, m):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        return ThetaModel(y, period=m, deseasonalize=m > 1).fit()

    def _forecast(self, state, y, m, horizon, coverage, new, exog=None, future=None):
        res = self._theta(y, m)
        mean = np.asarray(res.forecast(horizon))
        if coverage is None:
            return mean, None, None
        bounds = np.asarray(res.prediction_intervals(horizon, alpha=1 - coverage))
        return mean, bounds[:, 0], bounds[:, 1]

"""season_length="auto" everywhere: the resolved seasons per frequency, short series,
multiple seasonalities (MSTL) and the warning when a fitted model is far worse than
seasonal naive."""

import warnings

import numpy as np
import pandas as pd
import pytest

from tsrnn.datasets import make_seasonal_series
from tsrnn.forecasting import (
    ETSForecaster,
    MSTLForecaster,
    Naive2Forecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.forecasting.seasonality import resolve_season_length, season_lengths
from tsrnn.forecasting.statistical import ARIMAForecaster

# frequency -> (all seasons, main season)
FREQS = {
    "30min": ([48, 336], 48),
    "h": ([24, 168], 24),
    "D": ([7, 365], 7),
    "B": ([5], 5),
    "W-SUN": ([52], 52),
    "MS": ([12], 12),
    "QE": ([4], 4),
    "YE": ([1], 1),
}


def _series(freq, n):
    if freq is None:
        return pd.Series(np.arange(n, dtype=float) % 5)
    return pd.Series(np.arange(n, dtype=float) % 5,
                     index=pd.date_range("2020-01-01", periods=n, freq=freq))


@pytest.mark.parametrize("freq", list(FREQS))
def test_season_lengths_per_frequency(freq):
    seasons, main = FREQS[freq]
    assert season_lengths(freq) == seasons
    assert resolve_season_length("auto", freq) == main


@pytest.mark.parametrize("freq", [*FREQS, None], ids=lambda f: str(f))
@pytest.mark.parametrize("cls", [SeasonalNaiveForecaster, Naive2Forecaster, ThetaForecaster])
def test_models_resolve_the_season_from_the_data(cls, freq):
    main = FREQS[freq][1] if freq else 1  # None: an integer index, no season
    model = cls(horizon=2).fit(_series(freq, 120))
    assert model.season_length_ == main
    assert model.season_length == "auto"  # the parameter is left as given


def test_custom_business_day_resolves_to_a_trading_week():
    days = pd.offsets.CustomBusinessDay(holidays=["2024-01-15"])
    y = pd.Series(np.arange(30.0), index=pd.date_range("2024-01-02", periods=30, freq=days))
    assert SeasonalNaiveForecaster(horizon=2, freq=days).fit(y).season_length_ == 5


def test_too_short_for_the_season_falls_back_to_naive():
    y = _series("h", 10)  # 10 hours: less than one day
    model = SeasonalNaiveForecaster(horizon=3).fit(y)
    assert model.season_length_ == 24
    assert model.predict().tolist() == [y.iloc[-1]] * 3
    assert len(model.predict_interval()) == 3
    theta = ThetaForecaster(horizon=3).fit(y)  # modelled without a season
    assert np.isfinite(theta.predict()).all()


def test_explicit_season_still_needs_a_full_season():
    with pytest.raises(ValueError, match="at least 24"):
        SeasonalNaiveForecaster(season_length=24).fit(_series("h", 10))


def _backtest_mae(model, y, horizon, n_origins):
    errors = []
    for k in range(n_origins, 0, -1):
        train, test = y.iloc[:-k * horizon], y.iloc[len(y) - k * horizon:][:horizon]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = model.set_params(horizon=horizon).fit(train).predict()
        errors.append(np.mean(np.abs(pred.to_numpy() - test.to_numpy())))
    return float(np.mean(errors))


def test_auto_season_ets_beats_season_one_ets_on_seasonal_data():
    y = make_seasonal_series(n=12 * 12, freq="MS", seasonalities=(12,), noise=0.1,
                             trend=0.02, random_state=1)
    auto = _backtest_mae(ETSForecaster(), y, 12, 2)
    plain = _backtest_mae(ETSForecaster(season_length=1), y, 12, 2)
    assert auto < 0.5 * plain


@pytest.mark.slow
def test_mstl_beats_seasonal_naive_on_two_seasons():
    y = make_seasonal_series(n=24 * 7 * 6, freq="h", noise=0.1, random_state=3)
    mstl = _backtest_mae(MSTLForecaster(), y, 24, 4)
    snaive = _backtest_mae(SeasonalNaiveForecaster(), y, 24, 4)
    assert mstl < 0.7 * snaive


def test_mstl_seasons_and_short_series():
    y = make_seasonal_series(n=24 * 7 * 3, freq="h", random_state=0)
    model = MSTLForecaster(horizon=5).fit(y)
    assert model.seasons_ == (24, 168) and model.season_length_ == 24
    assert model.states_[0][0]["periods"] == [24, 168]
    short = MSTLForecaster(horizon=5).fit(y.iloc[:100])  # under two days: no season
    assert short.states_[0][0]["periods"] == [24] or short.states_[0][0]["periods"] == []
    explicit = MSTLForecaster(horizon=5, season_length=[12, 24], trend_model="arima").fit(y)
    assert explicit.seasons_ == (12, 24)
    lower, upper = explicit.predict_interval().to_numpy().T
    assert np.all(lower < upper)


def test_far_worse_than_seasonal_naive_is_warned_naming_the_series():
    y = make_seasonal_series(n=48 * 14, freq="30min", seasonalities=(48,), noise=0.05,
                             random_state=0)
    data = pd.DataFrame({"unique_id": "load", "ds": y.index, "y": y.to_numpy()})
    with pytest.warns(UserWarning, match=r"series 'load'.* times worse .* seasonal naive"):
        model = ETSForecaster(horizon=48, season_length=1).fit(data)
    assert model.holdout_ratio_[0, 0] > 3


def test_statistical_models_say_they_ignore_covariates():
    y = make_seasonal_series(n=60, freq="D", seasonalities=(7,), random_state=0)
    data = pd.DataFrame({"y": y, "x": np.arange(60.0)})
    with pytest.warns(UserWarning, match=r"ThetaForecaster ignores the covariates \['x'\]"):
        ThetaForecaster(horizon=2, target="y").fit(data)


def test_arima_uses_future_covariates_as_regressors():
    rng = np.random.default_rng(0)
    idx = pd.date_range("2024-01-01", periods=130, freq="D")
    x = rng.normal(size=130)
    data = pd.DataFrame({"y": 5 * x + 0.1 * rng.normal(size=130), "x": x}, index=idx)
    train, test = data.iloc[:120], data.iloc[120:]
    model = ARIMAForecaster(horizon=10, target="y", future_covariates=["x"], season_length=1,
                            max_p=1, max_q=1).fit(train)
    pred = model.predict(X=test[["x"]])
    assert np.mean(np.abs(pred.to_numpy().ravel() - test["y"].to_numpy())) < 0.5
    with pytest.raises(ValueError, match="future covariates"):
        model.predict()
    with pytest.raises(ValueError, match=r"future_covariates \['z'\]"):
        ARIMAForecaster(target="y", future_covariates=["z"]).fit(train)


def test_auto_season_is_dropped_where_it_does_not_help():
    """A weekly random walk: the year-ago value is a poor forecast, so "auto" is naive."""
    walk = pd.Series(100 + np.cumsum(np.random.default_rng(0).normal(size=300)),
                     index=pd.date_range("2015-01-04", periods=300, freq="W-SUN"))
    snaive = SeasonalNaiveForecaster(horizon=13).fit(walk)
    assert snaive.season_length_ == 52
    assert snaive.predict().tolist() == [walk.iloc[-1]] * 13  # naive: the season did not help
    explicit = SeasonalNaiveForecaster(horizon=13, season_length=52).fit(walk)
    assert explicit.predict().iloc[0] == walk.iloc[-52]  # an explicit season is obeyed
    assert MSTLForecaster(horizon=13).fit(walk).states_[0][0]["periods"] == []

"""TransformedTargetForecaster: transforms fitted per series, inverted on every output,
searchable by GridSearchCV."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from tsrnn.forecasting import (
    DriftForecaster,
    ETSForecaster,
    NaiveForecaster,
    TransformedTargetForecaster,
)


def _exp_panel():
    idx = pd.date_range("2024-01-01", periods=30, freq="D")
    return pd.concat([pd.DataFrame({"unique_id": sid, "ds": idx,
                                    "y": scale * np.exp(0.1 * np.arange(30))})
                      for sid, scale in (("a", 1.0), ("b", 50.0))], ignore_index=True)


def test_log_drift_follows_exponential_growth_per_series():
    data = _exp_panel()
    model = TransformedTargetForecaster(DriftForecaster(), "log", horizon=3).fit(data)
    pred = model.predict().set_index("unique_id")["y"]
    expected = np.exp(0.1 * np.arange(30, 33))
    np.testing.assert_allclose(pred.loc["a"], expected, rtol=1e-9)
    np.testing.assert_allclose(pred.loc["b"], 50 * expected, rtol=1e-9)
    plain = DriftForecaster(horizon=3).fit(data).predict().set_index("unique_id")["y"]
    assert np.all(plain.loc["a"].to_numpy() < expected)  # a straight line falls behind


@pytest.mark.parametrize("transform", ["boxcox", "log1p", "identity",
                                       FunctionTransformer(np.log, np.exp),
                                       StandardScaler()])
def test_every_transform_round_trips_on_the_original_scale(transform):
    data = _exp_panel()
    model = TransformedTargetForecaster(NaiveForecaster(), transform, horizon=2).fit(data)
    pred = model.predict().set_index("unique_id")["y"]
    last = data.groupby("unique_id")["y"].last()
    np.testing.assert_allclose(pred.loc["a"], last["a"], rtol=1e-6)  # naive: the last value
    np.testing.assert_allclose(pred.loc["b"], last["b"], rtol=1e-6)
    bounds = model.predict_interval(coverage=0.8)
    assert (bounds["y_lower"] < bounds["y_upper"]).all()


def test_log_intervals_stay_positive_and_new_histories_work():
    y = pd.Series(np.exp(np.random.default_rng(0).normal(size=60).cumsum() * 0.3),
                  index=pd.date_range("2024-01-01", periods=60, freq="D"))
    model = TransformedTargetForecaster(NaiveForecaster(), "log", horizon=5).fit(y)
    assert (model.predict_interval(coverage=0.95)["y_lower"] > 0).all()
    assert model.predict(X=y.iloc[:40]).iloc[0] == pytest.approx(y.iloc[39])


def test_bad_domain_names_the_series():
    data = _exp_panel()
    data.loc[data["unique_id"] == "b", "y"] -= 100
    with pytest.raises(ValueError, match=r"series 'b': transform='log' needs positive"):
        TransformedTargetForecaster(NaiveForecaster(), "log").fit(data)


def test_grid_search_over_the_transform_and_the_wrapped_parameters():
    y = pd.Series(np.exp(0.05 * np.arange(80)) * (1 + 0.1 * np.sin(np.arange(80))),
                  index=pd.date_range("2024-01-01", periods=80, freq="D"))
    search = GridSearchCV(
        TransformedTargetForecaster(ETSForecaster(season_length=1), horizon=4),
        {"transform": ["identity", "log"], "forecaster__season_length": [1, 7]},
        cv=TimeSeriesSplit(n_splits=2, test_size=8)).fit(y)
    assert set(search.best_params_) == {"transform", "forecaster__season_length"}
    assert np.isfinite(search.best_score_)

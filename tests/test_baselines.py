"""Tests for the simple baselines and the statsmodels forecasters."""

import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from tsrnn.forecasting.baselines import (
    DriftForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from tsrnn.forecasting.statistical import ARIMAForecaster, ETSForecaster, ThetaForecaster
from tsrnn.metrics import naive2_forecast

SEASONAL = np.tile([5.0, 15.0, 10.0, 10.0], 4) * np.linspace(1.0, 1.3, 16)  # m = 4, positive


def _series(values, start="2024-01-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"),
                     name="y")


def _long(**series):
    frames = [pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2024-01-01",
                                                                  periods=len(v), freq="D"),
                            "y": v}) for sid, v in series.items()]
    return pd.concat(frames, ignore_index=True)


def _walk(n, seed, level=10.0):
    return level + np.cumsum(np.random.default_rng(seed).normal(size=n))


# ----------------------------------------------------------------- point forecasts
@pytest.mark.parametrize("model, values, expected", [
    (NaiveForecaster(horizon=2), [1.0, 2.0, 3.0], [3.0, 3.0]),
    (SeasonalNaiveForecaster(horizon=4, season_length=3), [1, 2, 3, 4, 5, 6.0],
     [4.0, 5.0, 6.0, 4.0]),
    (DriftForecaster(horizon=2), [1.0, 3.0, 4.0], [5.5, 7.0]),
    (MeanForecaster(horizon=2), [1.0, 2.0, 6.0], [3.0, 3.0]),
    (Naive2Forecaster(horizon=2, season_length=1), [3.0, 5.0, 4.0], [4.0, 4.0]),
])
def test_point_forecasts_on_hand_series(model, values, expected):
    pred = model.fit(_series(values)).predict()
    assert pred.tolist() == pytest.approx(expected)
    assert pred.index[0] == pd.Timestamp("2024-01-01") + pd.Timedelta(days=len(values))


def test_naive2_matches_metrics_and_reseasonalises():
    pred = Naive2Forecaster(horizon=6, season_length=4).fit(_series(SEASONAL)).predict()
    np.testing.assert_allclose(pred, naive2_forecast(SEASONAL, 6, 4))
    assert not np.allclose(pred, SEASONAL[-1])  # seasonal, so not plain naive
    assert np.argmax(pred.to_numpy()[:4]) == 1  # the peak stays in the second season slot


def test_each_target_column_is_forecast_separately():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 60.0]},
                         index=pd.date_range("2024-01-01", periods=3, freq="D"))
    pred = DriftForecaster(horizon=1).fit(frame).predict()
    assert pred.loc[:, "a"].tolist() == [4.0] and pred.loc[:, "b"].tolist() == [85.0]


def test_forecasts_come_from_the_new_history_without_refit():
    model = SeasonalNaiveForecaster(horizon=2, season_length=2).fit(_series([1.0, 2, 3, 4]))
    pred = model.predict(X=_series([7.0, 8.0, 9.0], start="2024-02-01"))
    assert pred.tolist() == [8.0, 9.0]
    assert pred.index[0] == pd.Timestamp("2024-02-04")


def test_panel_forecasts_per_series():
    panel = _long(A=[1.0, 2.0, 3.0], B=[10.0, 10.0, 4.0, 7.0])
    pred = MeanForecaster(horizon=2).fit(panel).predict()
    assert pred["unique_id"].tolist() == ["A", "A", "B", "B"]
    assert pred["y"].tolist() == pytest.approx([2.0, 2.0, 7.75, 7.75])


# ------------------------------------------------------------------------ intervals
def test_naive_interval_is_random_walk_formula():
    lower_upper = NaiveForecaster(horizon=3).fit(_series([0.0, 1.0, 0.0, 1.0])) \
        .predict_interval(coverage=0.9)
    half = norm.ppf(0.95) * np.sqrt([1.0, 2.0, 3.0])  # one-step RMS error is 1
    np.testing.assert_allclose(lower_upper["y_upper"], 1.0 + half)
    np.testing.assert_allclose(lower_upper["y_lower"], 1.0 - half)


@pytest.mark.parametrize("model", [
    NaiveForecaster(horizon=8), SeasonalNaiveForecaster(horizon=8, season_length=4),
    DriftForecaster(horizon=8), Naive2Forecaster(horizon=8, season_length=4),
    ARIMAForecaster(horizon=8, max_p=1, max_q=1), ETSForecaster(horizon=8),
    ThetaForecaster(horizon=8),
])
def test_intervals_contain_the_forecast_and_widen_with_horizon(model):
    y = _series(SEASONAL + np.random.default_rng(0).normal(scale=0.5, size=16))
    model.fit(y)
    bounds = model.predict_interval(coverage=0.8)
    pred = model.predict()
    width = (bounds["y_upper"] - bounds["y_lower"]).to_numpy()
    assert np.all(bounds["y_lower"] <= pred) and np.all(pred <= bounds["y_upper"])
    assert width[-1] > width[0] and np.all(np.diff(width[::4]) > 0)
    wider = model.predict_interval(coverage=0.95)
    assert np.all(wider["y_upper"] - wider["y_lower"] > width - 1e-9)


def test_mean_interval_is_constant():
    bounds = MeanForecaster(horizon=3).fit(_series([1.0, 2.0, 6.0])).predict_interval()
    width = bounds["y_upper"] - bounds["y_lower"]
    assert np.allclose(width, width.iloc[0]) and width.iloc[0] > 0


def test_interval_on_too_short_history_names_the_series():
    model = NaiveForecaster(horizon=2, freq="D").fit(_long(A=[1.0, 2.0], B=[3.0]))
    assert model.predict()["y"].tolist() == [2.0, 2.0, 3.0, 3.0]
    with pytest.raises(ValueError, match="on series 'B': 1 observation.* too few"):
        model.predict_interval()


def test_naive2_on_seasonal_data_with_zeros_names_the_series():
    panel = _long(ok=SEASONAL, bad=SEASONAL - SEASONAL.min())
    with pytest.raises(ValueError, match="series 'bad': it tests seasonal .* positive data"):
        Naive2Forecaster(horizon=2, season_length=4).fit(panel).predict()


# ---------------------------------------------------------------------- bad params
@pytest.mark.parametrize("cls", [SeasonalNaiveForecaster, Naive2Forecaster])
def test_bad_season_length(cls):
    with pytest.raises(ValueError, match="season_length"):
        cls(season_length=0).fit(_series([1.0, 2.0, 3.0]))


def test_bad_arima_order_bound_is_reported_before_fitting():
    with pytest.raises(ValueError, match="max_q"):
        ARIMAForecaster(max_q=-1).fit(_series(_walk(10, 0)))


def test_seasonal_naive_needs_a_full_season():
    with pytest.raises(ValueError, match="has 3 observations; at least 4 are needed"):
        SeasonalNaiveForecaster(season_length=4).fit(_series([1.0, 2.0, 3.0]))


# ------------------------------------------------------------------- statsmodels models
def test_arima_reapplies_fitted_parameters_to_new_history(monkeypatch):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = ARIMAForecaster(horizon=3, max_p=1, max_q=1).fit(_series(_walk(40, 1)))
    state = model.states_[0][0]
    assert set(state) == {"order", "seasonal_order", "trend", "params", "unit"}

    def no_refit(*args):
        raise AssertionError("re-estimated")

    monkeypatch.setattr(ARIMAForecaster, "_estimate", no_refit)
    new = _series(_walk(30, 2, level=50.0), start="2024-03-01")
    pred = model.predict(X=new)
    spec = {k: v for k, v in state.items() if k not in ("params", "unit")}
    unit = state["unit"]  # statsmodels works in units of the training series' mean level
    expected = SARIMAX(new.to_numpy() / unit, **spec).filter(state["params"]).forecast(3) * unit
    np.testing.assert_allclose(pred, expected)
    assert pred.index[0] == pd.Timestamp("2024-03-31")
    assert not np.allclose(pred, model.predict())


def test_seasonal_arima_differences_the_season():
    y = np.tile(SEASONAL[-4:], 6) + np.random.default_rng(0).normal(scale=0.3, size=24)
    model = ARIMAForecaster(horizon=4, season_length=4, max_p=1, max_q=1).fit(_series(y))
    _, D, _, m = model.states_[0][0]["seasonal_order"]
    assert (D, m) == (1, 4)  # strong seasonality: one seasonal difference
    np.testing.assert_allclose(model.predict(), y[-4:], atol=1.5)


def test_ets_follows_a_trend_and_pickles():
    y = _series(2.0 * np.arange(30) + np.random.default_rng(0).normal(scale=0.1, size=30))
    model = ETSForecaster(horizon=3).fit(y)
    assert model.states_[0][0]["spec"]["trend"] == "add"
    np.testing.assert_allclose(model.predict(), [60.0, 62.0, 64.0], atol=1.0)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(model)).predict(), model.predict())
    following = _series(2.0 * np.arange(30, 40), start="2024-01-31")
    assert model.score(following) > -0.5  # rolling origins on new data, no refit


def test_unknown_series_of_a_panel_model_is_fitted_at_predict():
    model = ThetaForecaster(horizon=2).fit(_long(a=_walk(20, 1), b=_walk(20, 2)))
    new = _long(c=_walk(20, 3))
    expected = ThetaForecaster(horizon=2).fit(new).predict()["y"]
    np.testing.assert_allclose(model.predict(X=new)["y"], expected)


def test_statsmodels_failure_falls_back_with_a_warning_naming_the_series(monkeypatch):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    fit = SARIMAX.fit

    def failing_fit(self, *args, **kwargs):
        if len(self.endog) >= 40:  # only series "big" (statsmodels sees scaled values)
            raise np.linalg.LinAlgError("singular matrix")
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(SARIMAX, "fit", failing_fit)
    panel = _long(small=_walk(30, 3), big=_walk(40, 4, level=500.0))
    with pytest.warns(UserWarning, match=r"failed on series 'big' .*naive forecast"):
        model = ARIMAForecaster(horizon=2, max_p=1, max_q=1, season_length=1).fit(panel)
    assert model.fallback_ == [("big", "y")]
    pred = model.predict().set_index("unique_id")["y"]
    assert pred.loc["big"].tolist() == [panel["y"].iloc[-1]] * 2  # naive


def test_non_finite_forecast_falls_back(monkeypatch):
    model = ThetaForecaster(horizon=2).fit(_long(a=_walk(20, 5), b=_walk(20, 6)))
    monkeypatch.setattr(ThetaForecaster, "_forecast",
                        lambda self, *args: (np.full(2, np.nan), None, None))
    with pytest.warns(UserWarning, match="non-finite forecast") as record:
        pred = model.predict()
    assert len(record) == 1  # one warning per predict, naming every series that fell back
    assert "series 'a'" in str(record[0].message) and "series 'b'" in str(record[0].message)
    assert np.isfinite(pred["y"]).all()


def test_explosive_forecast_falls_back(monkeypatch):
    model = ThetaForecaster(horizon=2).fit(_long(a=_walk(20, 5)))
    monkeypatch.setattr(ThetaForecaster, "_forecast",
                        lambda self, *args: (np.full(2, 1e9), None, None))
    with pytest.warns(UserWarning, match="explosive forecast"):
        pred = model.predict()
    assert pred["y"].abs().max() < 1e3


@pytest.mark.slow
def test_seasonal_models_and_parallel_fit_agree():
    panel = _long(**{f"s{i}": SEASONAL + np.random.default_rng(i).normal(size=16)
                     for i in range(3)})
    serial = ThetaForecaster(horizon=4, season_length=4).fit(panel)
    parallel = ThetaForecaster(horizon=4, season_length=4, n_jobs=2).fit(panel)
    np.testing.assert_allclose(parallel.predict()["y"], serial.predict()["y"])
    assert serial.predict()["y"].iloc[1] > serial.predict()["y"].iloc[0]  # seasonal peak


def test_verbose_shows_a_progress_bar(capsys):
    ThetaForecaster(horizon=1, verbose=True).fit(_series(_walk(15, 7)))
    assert "ThetaForecaster fit" in capsys.readouterr().err


def test_missing_statsmodels_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsmodels.tools.sm_exceptions", None)
    with pytest.raises(ImportError, match=r"pip install tsrnn\[stats\]"):
        ETSForecaster().fit(_series(_walk(10, 8)))

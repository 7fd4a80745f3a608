"""One MASE for the whole package: score, the scorers, backtest, compare and the command
line compute the same number on the same forecasts (metrics.mase_scale), and scikit-learn's
own scorers work with the forecasters."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from test_forecaster_contract import FORECASTERS

from tsrnn.datasets import make_seasonal_series
from tsrnn.forecasting import NaiveForecaster, SeasonalNaiveForecaster
from tsrnn.metrics import mase, mase_scale, mase_scorer
from tsrnn.model_selection import backtest, compare


def _half_hourly(n_days=21, seed=0):
    return make_seasonal_series(n=48 * n_days, freq="30min", seasonalities=(48, 336),
                                random_state=seed)


def test_the_same_mase_through_score_scorer_backtest_and_compare():
    y, h, k = _half_hourly(), 48, 3
    train, test = y[:-h * k], y[-h * k:]
    boards = compare({"naive": NaiveForecaster(horizon=h),
                      "snaive": SeasonalNaiveForecaster(horizon=h)}, y, n_origins=k,
                     refit=False)
    for name, cls in (("naive", NaiveForecaster), ("snaive", SeasonalNaiveForecaster)):
        model = cls(horizon=h).fit(train)
        by_score = -model.score(test)
        by_scorer = -mase_scorer(model, test)
        by_backtest = backtest(cls(horizon=h), y, n_origins=k, refit=False).summary["mase"]
        assert by_score == pytest.approx(by_scorer, rel=1e-12)
        assert by_score == pytest.approx(by_backtest.mean(), rel=1e-12)
        assert by_score == pytest.approx(boards.loc[name, "mase"], rel=1e-12)
    # one origin: exactly the metric on predict(), at the season of the frequency (48)
    model = SeasonalNaiveForecaster(horizon=h).fit(y[:-h])
    expected = mase(y[-h:], model.predict(), y[:-h], m=48)
    assert -model.score(y[-h:]) == pytest.approx(expected, rel=1e-12)


def test_seasonal_naive_scores_better_than_naive_on_a_seasonal_series():
    """The bug of issue 20: score forecast seasonal naive from too short a history, so it
    scored exactly as naive."""
    y = _half_hourly()
    train, test = y[:-96], y[-96:]
    naive = NaiveForecaster(horizon=48).fit(train).score(test)
    seasonal = SeasonalNaiveForecaster(horizon=48).fit(train).score(test)
    assert seasonal != naive
    assert seasonal > naive  # greater is better


def test_mase_scale_falls_back_to_lag_one_and_floors_flat_histories():
    assert mase_scale([1.0, 3.0, 2.0, 6.0], m=2) == pytest.approx(2.0)
    assert mase_scale([1.0, 3.0], m=2) == pytest.approx(2.0)  # too short: lag 1
    assert mase_scale([5.0, 5.0, 5.0], m=1) == pytest.approx(5.0)  # flat: its level
    assert mase_scale([0.0, 0.0], m=1) == pytest.approx(1.0)
    scales = mase_scale([np.arange(5.0), np.array([2.0, 4.0])], m=1)
    np.testing.assert_allclose(scales, [1.0, 2.0])


@pytest.mark.parametrize("cls", list(FORECASTERS), ids=lambda c: c.__name__)
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(n=st.integers(40, 70), seed=st.integers(0, 10_000), level=st.floats(10.0, 1e4))
def test_score_is_minus_the_mase_of_predict(cls, n, seed, level):
    """For every forecaster: with a test part of one horizon, ``score`` is exactly minus
    the MASE (at the season of the frequency, 7 for daily data) of ``predict()``."""
    horizon = 3
    y = make_seasonal_series(n=n + horizon, freq="D", seasonalities=(7,), noise=0.3,
                             level=level, random_state=seed)
    train, test = y[:-horizon], y[-horizon:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(**{"horizon": horizon, **FORECASTERS[cls]}).fit(train)
        forecast = model.predict()
        score = model.score(test)
    expected = np.mean(np.abs(test.to_numpy() - forecast.to_numpy())) / \
        mase_scale(train.to_numpy(), m=7)
    # statsmodels refilters a new history with the fitted parameters: 1e-6 apart at most
    assert score == pytest.approx(-expected, rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("scoring", ["neg_mean_absolute_error", "neg_mean_squared_error",
                                     "neg_root_mean_squared_error", "r2"])
def test_scikit_learn_scorers_give_numbers(scoring):
    """cross_val_score(forecaster, y, y, scoring=...): predict on the test fold returns the
    rolling-origin forecasts aligned with it, which the scorer compares with y_test."""
    y = _half_hourly(n_days=14)
    cv = TimeSeriesSplit(3, test_size=96)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even one warning
        scores = cross_val_score(NaiveForecaster(horizon=24), y, y, cv=cv, scoring=scoring,
                                 error_score="raise")
    assert np.isfinite(scores).all()
    if scoring == "neg_mean_absolute_error":  # by hand: naive from every 24th origin
        train, test = y.iloc[:-96], y.iloc[-96:]
        joined = np.concatenate([train.to_numpy(), test.to_numpy()])
        origins = len(train) + np.arange(0, 96, 24)
        pred = np.repeat(joined[origins - 1], 24)
        assert scores[-1] == pytest.approx(-np.mean(np.abs(test.to_numpy() - pred)))


def test_predict_on_a_test_fold_is_aligned_and_other_predicts_are_unchanged():
    y = _half_hourly(n_days=7)
    train, test = y.iloc[:-60], y.iloc[-60:]
    model = NaiveForecaster(horizon=24).fit(train)
    fold = model.predict(test)
    assert fold.index.equals(test.index) and fold.name == test.name
    assert (fold.iloc[:24] == train.iloc[-1]).all() and (fold.iloc[24:48] == test.iloc[23]).all()
    # the whole history (overlapping the training data): the future, as before
    future = model.predict(y)
    assert len(future) == 24 and future.index[0] > y.index[-1]
    assert len(model.predict(test, horizon=24)) == 24  # an explicit horizon: the future


def test_grid_search_with_a_standard_scorer_prefers_the_season():
    y = _half_hourly(n_days=14)
    grid = GridSearchCV(SeasonalNaiveForecaster(horizon=48), {"season_length": [1, 48]},
                        cv=TimeSeriesSplit(3, test_size=96),
                        scoring="neg_mean_absolute_error").fit(y, y)
    assert grid.best_params_ == {"season_length": 48}
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_mase_scorer_refuses_other_estimators():
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="forecasters"):
        mase_scorer(LinearRegression(), np.zeros((2, 1)), np.zeros(2))


def test_a_panel_test_fold_is_aligned_in_long_format():
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"unique_id": sid, "ds": np.arange(30),
                            "y": rng.normal(size=30).cumsum()}) for sid in ("a", "b")]
    data = pd.concat(frames, ignore_index=True)
    train, test = data[data["ds"] < 24], data[data["ds"] >= 24]
    fold = NaiveForecaster(horizon=3).fit(train).predict(test)
    assert list(fold.columns) == ["unique_id", "ds", "y"] and len(fold) == len(test)
    last = train.groupby("unique_id")["y"].last()
    first = fold[fold["ds"] < 27].groupby("unique_id")["y"]
    assert (first.min() == last).all() and (first.max() == last).all()

"""Behaviour of the neural forecasters: they learn, generalise over panels, use covariates,
give calibrated intervals, repeat exactly, and work inside scikit-learn's model selection.

Tiny models (hidden_size 8-16, a few hundred points, at most 30 epochs) on one thread.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tsrnn.datasets import make_panel, make_seasonal_series, make_sine
from tsrnn.forecasting import GRUForecaster, LSTMForecaster, NaiveForecaster
from tsrnn.forecasting.baselines import SeasonalNaiveForecaster

SMALL = dict(hidden_size=8, batch_size=32, lr=0.02, random_state=0)


def _hourly(columns: dict, n: int) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.date_range("2021-01-01", periods=n, freq="h"))


def _promo_frame(n=300, lagged=False) -> pd.DataFrame:
    """``y = sine + 2 * promo`` (of the same hour, or of the hour before when ``lagged``)."""
    t = np.arange(n)
    promo = np.random.default_rng(0).integers(0, 2, n).astype(float)
    effect = np.r_[0.0, promo[:-1]] if lagged else promo
    return _hourly({"y": np.sin(2 * np.pi * t / 12) + 2 * effect, "promo": promo}, n)


def test_lstm_beats_seasonal_naive_on_a_noisy_multi_seasonal_series():
    y = make_seasonal_series(n=720, freq="h", seasonalities=(12, 30), noise=0.15,
                             random_state=1)
    train, test = y.iloc[:600], y.iloc[600:]
    lstm = LSTMForecaster(horizon=6, window=36, hidden_size=16, max_epochs=30, lr=0.01,
                          batch_size=64, random_state=0).fit(train)
    seasonal = max(SeasonalNaiveForecaster(horizon=6, season_length=m).fit(train).score(test)
                   for m in (12, 30))
    assert lstm.score(test) > 0.5 * seasonal  # MASE less than half the best seasonal naive's


def test_one_model_forecasts_a_ragged_panel():
    panel = make_panel(n_series=5, min_length=60, max_length=100, random_state=0)
    held_out = panel.groupby("unique_id").tail(7)
    train = panel.drop(held_out.index)
    model = LSTMForecaster(horizon=7, window=14, hidden_size=16, max_epochs=20, lr=0.01,
                           batch_size=32, random_state=0).fit(train)
    pred = model.predict()
    assert model.n_series_ == 5
    assert list(pred["unique_id"].unique()) == list(panel["unique_id"].unique())
    np.testing.assert_array_equal(pred["ds"].to_numpy(), held_out["ds"].to_numpy())
    ape = np.abs(pred["y"].to_numpy() / held_out["y"].to_numpy() - 1).reshape(5, 7)
    assert (ape.mean(axis=1) < 0.2).all()  # each series at its own level (10 to 1000)
    assert model.score(held_out) > NaiveForecaster(horizon=7).fit(train).score(held_out)


def test_multivariate_targets_are_forecast_jointly():
    t = np.arange(300)
    frame = _hourly({"a": np.sin(2 * np.pi * t / 12), "b": 10 + 3 * np.cos(2 * np.pi * t / 8)},
                    300)
    model = LSTMForecaster(horizon=4, window=24, hidden_size=16, max_epochs=20, lr=0.01,
                           batch_size=32, random_state=0).fit(frame.iloc[:260])
    pred = model.predict()
    assert model.targets_ == ["a", "b"]
    truth = frame.iloc[260:264]
    pd.testing.assert_index_equal(pred.index, truth.index, check_freq=False)
    assert (np.abs(pred - truth).max() < [0.3, 0.9]).all()  # amplitudes 1 and 3


def test_future_covariates_change_the_forecast_and_are_required():
    frame = _promo_frame()
    model = LSTMForecaster(horizon=4, window=24, target="y", future_covariates=["promo"],
                           hidden_size=16, max_epochs=20, lr=0.01, batch_size=32,
                           random_state=0).fit(frame.iloc[:260])
    future = frame.index[260:264]
    on = model.predict(pd.DataFrame({"promo": 1.0}, index=future))["y"]
    off = model.predict(pd.DataFrame({"promo": 0.0}, index=future))["y"]
    assert ((on - off) > 1.0).all()  # the true effect is 2
    with pytest.raises(ValueError, match=r"known future covariates \['promo'\]"):
        model.predict()


def test_past_covariates_change_the_forecast():
    frame = _promo_frame(lagged=True)  # y depends on the promo of the hour before
    model = LSTMForecaster(horizon=2, window=24, target="y", hidden_size=16, max_epochs=20,
                           lr=0.01, batch_size=32, random_state=0).fit(frame.iloc[:260])
    history = frame.iloc[:260].copy()
    history.iloc[-1, 1] = 1.0
    on = model.predict(history[["promo"]], history["y"]).iloc[0]  # a Series in, a Series out
    history.iloc[-1, 1] = 0.0
    off = model.predict(history[["promo"]], history["y"]).iloc[0]
    assert on - off > 1.0


def test_fit_with_covariates_and_target_takes_y_as_the_only_target():
    frame = _promo_frame()
    model = LSTMForecaster(horizon=4, window=24, future_covariates=["promo"], max_epochs=1,
                           **SMALL)
    model.fit(frame[["promo"]], frame["y"])
    assert model.targets_ == ["y"]
    assert model.covariates_ == ["promo"]


def test_recursive_strategy_rejects_past_only_covariates():
    model = LSTMForecaster(horizon=2, window=24, strategy="recursive", target="y", max_epochs=1)
    with pytest.raises(ValueError, match=r"strategy='recursive' cannot forecast the past-only "
                                         r"covariates \['promo'\]"):
        model.fit(_promo_frame())


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_strategies_learn_and_longer_horizons_warn(strategy):
    y = make_sine(n=200, period=12, noise=0.05, random_state=0)
    train, test = y.iloc[:160], y.iloc[160:]
    model = LSTMForecaster(horizon=4, window=16, strategy=strategy, max_epochs=15,
                           **SMALL).fit(train)
    naive = NaiveForecaster(horizon=4).fit(train).score(test)
    assert model.score(test) > 0.3 * naive  # MASE under 0.3 times the naive method's
    full = model.predict()
    pd.testing.assert_series_equal(model.predict(horizon=2), full.iloc[:2])
    if strategy == "recursive":  # one-step model: any horizon is the same recursion
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            longer = model.predict(horizon=8)
    else:
        with pytest.warns(UserWarning, match=r"horizon=8 exceeds the trained horizon 4: the "
                                             r"forecast is continued recursively"):
            longer = model.predict(horizon=8)
    assert len(longer) == 8 and np.isfinite(longer).all()
    pd.testing.assert_series_equal(longer.iloc[:4], full)


@pytest.mark.parametrize("scaler", ["window", "standard", "robust", "none"])
def test_every_scaler_handles_a_constant_series(scaler):
    y = pd.Series(np.full(60, 5.0), index=pd.date_range("2020-01-01", periods=60))
    model = LSTMForecaster(horizon=3, window=8, scaler=scaler, max_epochs=20, **SMALL).fit(y)
    pred, bounds = model.predict(), model.predict_interval()
    assert np.isfinite(pred).all() and np.isfinite(bounds.to_numpy()).all()
    if scaler != "none":  # a zero scale is replaced by 1, so the level is exact
        np.testing.assert_allclose(pred, 5.0, atol=0.1)


def test_prediction_intervals_cover_as_promised_on_held_out_data():
    y = make_sine(n=640, period=12, noise=0.3, random_state=0)
    horizon, window = 4, 24
    model = LSTMForecaster(horizon=horizon, window=window, hidden_size=8, max_epochs=15,
                           lr=0.01, batch_size=64, validation_fraction=0.25,
                           random_state=0).fit(y.iloc[:400])
    origins = range(400, len(y) - horizon + 1)  # 237 held-out origins, one history each
    histories = pd.concat({o: y.iloc[o - window:o] for o in origins}).to_frame("y")
    actual = np.stack([y.iloc[o:o + horizon].to_numpy() for o in origins])
    widths = {}
    for coverage, (low, high) in {0.9: (0.75, 1.0), 0.5: (0.3, 0.7)}.items():
        bounds = model.predict_interval(histories, coverage=coverage)
        lower = bounds["y_lower"].to_numpy().reshape(-1, horizon)
        upper = bounds["y_upper"].to_numpy().reshape(-1, horizon)
        assert low <= np.mean((lower <= actual) & (actual <= upper)) <= high
        widths[coverage] = np.mean(upper - lower)
    assert widths[0.5] < widths[0.9] < 2.0  # ~ 2 * 1.645 * 0.3 for the noise alone


def test_random_state_makes_fit_bit_for_bit_repeatable():
    y = make_sine(n=120, period=12, noise=0.1, random_state=0)
    params = dict(horizon=3, window=12, hidden_size=4, num_layers=2, dropout=0.2,
                  max_epochs=3, batch_size=16)
    first, second = (GRUForecaster(random_state=7, **params).fit(y) for _ in range(2))
    for (name, a), b in zip(first.module_.state_dict().items(),
                            second.module_.state_dict().values()):
        assert torch.equal(a, b), name
    assert [h["train_loss"] for h in first.history_] == \
        [h["train_loss"] for h in second.history_]
    pd.testing.assert_series_equal(first.predict(), second.predict(), check_exact=True)
    other = GRUForecaster(random_state=8, **params).fit(y)  # another seed, another network
    assert not all(torch.equal(a, b) for a, b in zip(first.module_.state_dict().values(),
                                                      other.module_.state_dict().values()))


def test_warm_start_continues_training():
    y = make_sine(n=120, period=12, noise=0.1, random_state=0)
    model = LSTMForecaster(horizon=3, window=12, max_epochs=3, warm_start=True,
                           **SMALL).fit(y)
    module, first_loss = model.module_, model.history_[0]["train_loss"]
    model.fit(y)
    assert model.module_ is module
    assert len(model.history_) == model.n_epochs_ == 6
    assert model.history_[-1]["train_loss"] < first_loss
    model.set_params(warm_start=False).fit(y)
    assert len(model.history_) == 3 and model.module_ is not module


class _RecordingLSTM(LSTMForecaster):
    """Logs the time span of the data every fit and score sees (shared by all clones)."""

    log = []

    def fit(self, X, y=None):
        self.log.append(("fit", X.index.min(), X.index.max()))
        return super().fit(X, y)

    def score(self, X, y=None):
        self.log.append(("score", X.index.min(), X.index.max()))
        return super().score(X, y)


def test_grid_search_picks_parameters_without_look_ahead():
    y = make_sine(n=200, period=12, noise=0.05, random_state=0)
    _RecordingLSTM.log.clear()
    search = GridSearchCV(
        _RecordingLSTM(horizon=4, window=16, hidden_size=8, max_epochs=10, batch_size=32,
                       random_state=0),
        {"lr": [1e-4, 0.03]}, cv=TimeSeriesSplit(3), error_score="raise").fit(y)
    assert search.best_params_ == {"lr": 0.03}
    log = _RecordingLSTM.log
    assert len(log) == 3 * 2 * 2 + 1  # fit + score per fold and candidate, then the refit
    for (kind_fit, _, fit_end), (kind_score, score_start, _) in zip(log[:-1:2], log[1::2]):
        assert (kind_fit, kind_score) == ("fit", "score")
        assert score_start == fit_end + 1  # scored strictly after (and right after) fit data
    assert log[-1] == ("fit", 0, 199)


def test_pipeline_scaling_covariates_before_the_forecaster():
    frame = _promo_frame()
    covariates = frame[["promo"]].assign(temperature=20 + 5 * np.sin(np.arange(300) / 24))
    X, y = covariates.iloc[:260], frame["y"].iloc[:260]
    X_copy, y_copy = copy.deepcopy(X), copy.deepcopy(y)
    pipe = make_pipeline(StandardScaler().set_output(transform="pandas"),
                         LSTMForecaster(horizon=4, window=24, target="y",
                                        future_covariates=["promo", "temperature"],
                                        max_epochs=5, **SMALL))
    pipe.fit(X, y)
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)
    scaler, model = pipe[0], pipe[-1]
    assert model.covariates_ == ["promo", "temperature"]
    np.testing.assert_allclose(model.cov_mean_, 0.0, atol=1e-9)  # it saw scaled covariates
    future = covariates.iloc[260:264]
    pred = pipe.predict(future)
    pd.testing.assert_series_equal(pred, model.predict(scaler.transform(future)))
    pd.testing.assert_index_equal(pred.index, future.index, check_freq=False)


def test_calendar_features_as_future_covariates_learn_a_weekly_pattern():
    from tsrnn.forecasting import LSTMForecaster, calendar_features

    idx = pd.date_range("2024-01-01", periods=24 * 7 * 6, freq="h")
    rng = np.random.default_rng(0)
    y = pd.Series(np.where(idx.day_of_week >= 5, 5.0, 0.0) + rng.normal(0, 0.1, len(idx)),
                  index=idx, name="y")
    cal = calendar_features(idx, ["dayofweek"])
    future = calendar_features(pd.date_range(idx[-1], periods=25, freq="h")[1:],
                               ["dayofweek"])
    model = LSTMForecaster(horizon=24, window=24, hidden_size=16, max_epochs=20, lr=0.01,
                           scaler="standard", future_covariates=list(cal.columns),
                           random_state=0).fit(cal, y)
    pred = model.predict(future)
    # the last day of the data is a Sunday (weekend, level 5); the next is a Monday (0)
    assert pred.index[0].day_of_week == 0
    assert abs(pred.mean()) < 1.0
    with pytest.raises(ValueError, match="unknown calendar feature"):
        calendar_features(idx, ["fortnight"])


@pytest.mark.parametrize("scaler", ["standard", "window"])
def test_score_uses_the_same_forecasts_as_predict(scaler):
    y = make_seasonal_series(n=300, freq="h", seasonalities=(24,), random_state=0)
    train, test = y.iloc[:260], y.iloc[260:]
    model = GRUForecaster(horizon=10, window=24, hidden_size=8, max_epochs=2, scaler=scaler,
                          random_state=0).fit(train)
    errors = []
    for origin in range(0, len(test), 10):
        history = pd.concat([train, test.iloc[:origin]])
        pred = model.predict(history).to_numpy()
        actual = test.iloc[origin:origin + 10].to_numpy()
        # the one MASE scale: the history before the origin at the hourly season, 24
        scale = np.abs(history.to_numpy()[24:] - history.to_numpy()[:-24]).mean()
        errors.append(np.abs(pred[:len(actual)] - actual).mean() / scale)
    assert model.score(test) == pytest.approx(-np.mean(errors), rel=1e-5)


def test_forecasts_are_independent_of_each_other_and_of_the_model():
    """predict() reuses the layout of its last forecast: editing a returned frame in place
    must change neither the model nor the next forecast."""
    from tsrnn.datasets import make_sine

    y = make_sine(n=80, period=8)
    panel = pd.concat([pd.DataFrame({"unique_id": sid, "ds": np.arange(80), "y": y.to_numpy()
                                     + shift}) for sid, shift in (("a", 0.0), ("b", 3.0))],
                      ignore_index=True)
    model = LSTMForecaster(horizon=4, window=8, hidden_size=4, max_epochs=1,
                           random_state=0).fit(panel)
    first = model.predict()
    expected = first.copy()
    first.loc[0, "unique_id"] = "zz"
    first.loc[1, "ds"] = -1
    first["y"] = 0.0
    pd.testing.assert_frame_equal(model.predict(), expected)
    by_interval = model.predict_interval()
    assert list(by_interval.columns) == ["unique_id", "ds", "y_lower", "y_upper"]
    assert (by_interval["y_lower"] <= expected["y"]).all()
    assert (by_interval["y_upper"] >= expected["y"]).all()

"""Quantile forecasts of the neural forecasters: ``loss="pinball"``, ``predict_quantiles``,
intervals from the trained quantiles.

Tiny models on one thread (the file runs in seconds); accuracy and coverage on real data
live in benchmarks/ (bench_zero_config.py).
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from tsrnn import engine
from tsrnn.forecasting import GRUForecaster, LSTMForecaster
from tsrnn.forecasting.neural import DEFAULT_QUANTILES
from tsrnn.nn import RecurrentNet, SeasonalResidual

H = 24
TINY = dict(hidden_size=8, batch_size=64, lr=0.01, n_threads=1, random_state=0)


def _panel(seed=0, n=400, k=4):
    """``k`` noisy hourly series with a daily season (sd 1.5 around an amplitude of 5)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frame = pd.concat([pd.DataFrame({
        "unique_id": f"s{i}", "ds": pd.date_range("2020-01-01", periods=n, freq="h"),
        "y": 20 + 5 * np.sin(2 * np.pi * t / 24 + i) + rng.normal(0, 1.5, n)})
        for i in range(k)], ignore_index=True)
    by_id = frame.groupby("unique_id")
    return by_id.head(n - H), by_id.tail(H)


@pytest.fixture(scope="module")
def data():
    return _panel()


@pytest.fixture(scope="module")
def model(data):
    train, _ = data
    return GRUForecaster(horizon=H, window=72, max_epochs=8, loss="pinball",
                         quantiles=(0.9, 0.1, 0.5), **TINY).fit(train)


def test_quantiles_are_ordered_and_the_median_is_the_point_forecast(model):
    assert model.quantiles_ == (0.1, 0.5, 0.9) and model.seasonal_
    q = model.predict_quantiles()
    assert list(q.columns) == ["unique_id", "ds", "y_q0.1", "y_q0.5", "y_q0.9"]
    values = q[["y_q0.1", "y_q0.5", "y_q0.9"]].to_numpy()
    assert np.all(np.diff(values, axis=1) >= 0)
    assert np.all(values[:, 2] - values[:, 0] > 0)  # the quantiles spread out in training
    point = model.predict()
    np.testing.assert_allclose(q["y_q0.5"].to_numpy(), point["y"].to_numpy())
    pd.testing.assert_frame_equal(q[["unique_id", "ds"]], point[["unique_id", "ds"]])
    one = model.predict_quantiles(quantiles=0.9, horizon=6)
    assert list(one.columns) == ["unique_id", "ds", "y_q0.9"] and len(one) == 4 * 6
    np.testing.assert_allclose(one["y_q0.9"], q.groupby("unique_id").head(6)["y_q0.9"])


def test_pinball_coverage_is_roughly_right_on_held_out_points(model, data):
    _, test = data
    q = model.predict_quantiles()
    y = test["y"].to_numpy()
    inside = (y >= q["y_q0.1"].to_numpy()) & (y <= q["y_q0.9"].to_numpy())
    assert 0.6 <= inside.mean() <= 0.95, inside.mean()


def test_intervals_come_from_the_trained_quantiles_else_conformal(model):
    q = model.predict_quantiles()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no in-sample calibration warning: quantiles used
        bounds = model.predict_interval(coverage=0.8)
    np.testing.assert_allclose(bounds["y_lower"], q["y_q0.1"])
    np.testing.assert_allclose(bounds["y_upper"], q["y_q0.9"])
    assert model.interval_calibration_ == "held-out"  # 0.25 and 0.75 were not trained:
    with warnings.catch_warnings():  # conformal, on the windows held out at fit, silently
        warnings.simplefilter("error")
        conformal = model.predict_interval(coverage=0.5)
    assert np.all(conformal["y_lower"] <= q["y_q0.5"] + 1e-9)
    assert np.all(conformal["y_upper"] >= q["y_q0.5"] - 1e-9)


def test_pickling_round_trips(model):
    loaded = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(loaded.predict_quantiles(), model.predict_quantiles())
    assert loaded.quantiles_ == model.quantiles_


def test_new_history_and_horizon_limits(model, data):
    train, _ = data
    last = train.groupby("unique_id").tail(100)
    q = model.predict_quantiles(last)
    np.testing.assert_allclose(q["y_q0.5"], model.predict(last)["y"])
    with pytest.raises(ValueError, match="quantiles are trained up to horizon=24"):
        model.predict_quantiles(horizon=30)


def test_asking_for_an_untrained_quantile_lists_the_trained_ones(model):
    with pytest.raises(ValueError, match=r"\[0\.25\] were not trained.*\(0\.1, 0\.5, 0\.9\)"):
        model.predict_quantiles(quantiles=[0.1, 0.25])


def test_predict_quantiles_needs_a_pinball_model(data):
    train, _ = data
    plain = GRUForecaster(horizon=H, window=72, max_epochs=1, **TINY).fit(train)
    assert plain.quantiles_ is None
    with pytest.raises(ValueError, match="loss='pinball'"):
        plain.predict_quantiles()


@pytest.mark.parametrize("quantiles, match", [
    ((0.1, 0.9), "must include the median 0.5"),
    ((0.0, 0.5), r"numbers in \(0, 1\)"),
    ((0.5, 1.2), r"numbers in \(0, 1\)"),
    ((0.5, "0.9"), r"numbers in \(0, 1\)"),
    ((0.5, 0.5), "distinct"),
    ((), r"numbers in \(0, 1\)"),
])
def test_bad_quantiles_are_refused_naming_the_parameter(data, quantiles, match):
    model = GRUForecaster(horizon=H, window=72, loss="pinball", quantiles=quantiles, **TINY)
    with pytest.raises(ValueError, match=f"quantiles.*{match}"):
        model.fit(data[0])


@pytest.mark.parametrize("params, match", [
    (dict(quantiles=0.5, loss="pinball"), "The 'quantiles' parameter"),
    (dict(quantiles=(0.1, 0.5, 0.9)), r"only apply with loss='pinball' \(loss='mae'\)"),
    (dict(loss="pinball", strategy="recursive"), "strategy='direct' or 'seq2seq'"),
    (dict(loss="quantile"), "The 'loss' parameter"),
])
def test_inconsistent_settings_are_refused(data, params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        GRUForecaster(horizon=H, window=72, **TINY, **params).fit(data[0])


def test_default_quantiles_seq2seq_multi_target_and_seed_ensembles():
    rng = np.random.default_rng(1)
    index = pd.date_range("2021-01-01", periods=160, freq="D")
    frame = pd.DataFrame({"a": rng.normal(0, 1, 160).cumsum(), "b": rng.normal(0, 1, 160)},
                         index=index)  # values <= 0: no log scale; window 16: no season
    for params in (dict(strategy="seq2seq"), dict(n_models=2)):
        model = LSTMForecaster(horizon=4, window=16, max_epochs=2, loss="pinball",
                               **TINY, **params).fit(frame)
        assert model.quantiles_ == DEFAULT_QUANTILES and not model.seasonal_
        q = model.predict_quantiles()
        names = [f"{t}_q{level:g}" for level in DEFAULT_QUANTILES for t in ("a", "b")]
        assert list(q.columns) == names and q.index.equals(model.predict().index)
        for t in ("a", "b"):
            cols = q[[f"{t}_q{level:g}" for level in DEFAULT_QUANTILES]].to_numpy()
            assert np.all(np.diff(cols, axis=1) >= 0)
            np.testing.assert_allclose(q[f"{t}_q0.5"], model.predict()[t])
        bounds = model.predict_interval(coverage=0.9)
        np.testing.assert_allclose(bounds["b_upper"], q["b_q0.95"])


def test_pinball_loss_is_the_quantile_loss_in_fp32():
    out = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.bfloat16)
    y = torch.tensor([1.0])
    levels = torch.tensor([0.1, 0.5, 0.9])
    loss = engine.pinball_loss(out, y, levels)
    assert loss.dtype == torch.float32
    # (0.1 * 1 + 0 + 0.1 * 1) / 3: under the truth costs q, above it costs 1 - q
    assert loss.item() == pytest.approx(0.2 / 3)
    fn = engine._loss_fn("pinball", quantiles=(0.1, 0.5, 0.9))
    assert fn(out.float(), y).item() == pytest.approx(0.2 / 3)
    with pytest.raises(ValueError, match="quantile levels"):
        engine._loss_fn("pinball")


def test_the_seasonal_wrapper_adds_its_base_to_every_quantile():
    net = SeasonalResidual(RecurrentNet(1, 6 * 3, cell="gru", hidden_size=4), 3, 6, 1,
                           n_quantiles=3)
    x = torch.tensor([0.0, 1, 2] * 8).reshape(1, 24, 1)
    out = net(x).reshape(1, 6, 1, 3)  # zero head: every quantile is the season continued
    expected = torch.tensor([0.0, 1, 2, 0, 1, 2])[None, :, None, None].expand(1, 6, 1, 3)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)

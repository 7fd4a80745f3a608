"""Attention over the encoder states in the seq2seq strategy (``attention=True``).

Tiny models on one thread (the file runs in seconds); the accuracy on M4 Hourly lives in
benchmarks/README.md ("Attention (seq2seq)").
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from tsrnn.forecasting import GRUForecaster, LSTMForecaster
from tsrnn.nn import SeasonalResidual, Seq2Seq

H = 12
TINY = dict(hidden_size=8, batch_size=64, lr=0.01, n_threads=1, random_state=0)


def _series(n=360, seed=0):
    """One hourly series: a daily season of amplitude 5 around 20, noise sd 0.5."""
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(0, 0.5, n)
    index = pd.date_range("2020-01-01", periods=n, freq="h")
    return pd.Series(20 + 5 * np.sin(2 * np.pi * t / 24) + noise, index=index)


@pytest.fixture(scope="module")
def series():
    return _series()


@pytest.fixture(scope="module")
def model(series):
    # no seasonal wrapper: the network itself must learn the season
    return GRUForecaster(horizon=H, window=48, strategy="seq2seq", attention=True,
                         seasonal=None, max_epochs=12, **{**TINY, "batch_size": 32,
                                                          "lr": 0.02}).fit(series[:-H])


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("n_future", [0, 2])
def test_shapes_and_the_head_reads_decoder_state_and_context(cell, n_future):
    net = Seq2Seq(3, 2, horizon=5, n_future=n_future, cell=cell, hidden_size=8,
                  attention=True)
    x = torch.randn(4, 10, 3)
    extra = torch.randn(4, 5 * n_future) if n_future else None
    assert isinstance(net.head, torch.nn.Linear) and net.head.in_features == 16
    assert net(x, extra).shape == (4, 10)  # (batch, horizon * n_targets)
    assert net.attention_weights(x, extra).shape == (4, 5, 10)  # (batch, horizon, time)
    assert Seq2Seq(3, 2, horizon=5, hidden_size=8).head.in_features == 8


def test_attention_weights_sum_to_one_and_depend_on_the_window():
    torch.manual_seed(0)
    net = Seq2Seq(1, 1, horizon=6, cell="gru", hidden_size=8, attention=True)
    x = torch.randn(3, 20, 1)
    weights = net.attention_weights(x)
    torch.testing.assert_close(weights.sum(dim=2), torch.ones(3, 6))
    assert (weights >= 0).all()
    assert not torch.allclose(weights[0], weights[1])  # not uniform: the scores read x
    with pytest.raises(ValueError, match="attention=True"):
        Seq2Seq(1, 1, horizon=6, hidden_size=8).attention_weights(x)


def test_the_context_reaches_the_output_and_the_score_is_trained():
    torch.manual_seed(0)
    net = Seq2Seq(1, 1, horizon=4, cell="lstm", hidden_size=8, attention=True)
    x = torch.randn(5, 16, 1)
    (net(x) ** 2).sum().backward()
    assert net.score.weight.grad.abs().sum() > 0
    with torch.no_grad():
        before = net(x)
        net.head.weight[:, 8:] = 0  # the context's half of the head only
        assert not torch.allclose(before, net(x))


def test_zero_head_under_seasonal_residual_is_exactly_seasonal_naive():
    torch.manual_seed(0)
    season = torch.tensor([3.0, -1.0, 4.0, 1.0])
    x = season.repeat(6).reshape(1, 24, 1) + 0.01 * torch.randn(1, 24, 1)
    net = SeasonalResidual(Seq2Seq(1, 1, horizon=6, cell="gru", hidden_size=8,
                                   attention=True), season=4, horizon=6, n_targets=1)
    assert not net.net.score.weight.eq(0).all()  # only the head starts at zero
    expected = x[0, -4:, 0].repeat(2)[:6]  # the last season, continued
    assert torch.equal(net(x)[0], expected)


def test_seq2seq_attention_learns_a_season(series, model):
    assert isinstance(model.module_, Seq2Seq) and model.module_.attention  # seasonal=None
    assert model.fit_shape_["attention"] is True
    actual = series[-H:].to_numpy()
    error = np.abs(model.predict().to_numpy() - actual).mean()
    naive = np.abs(series.iloc[-H - 1] - actual).mean()
    mean = np.abs(series[:-H].mean() - actual).mean()
    assert error < 0.5 * min(naive, mean), (error, naive, mean)


def test_pickle_round_trip_predicts_the_same(model):
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_series_equal(again.predict(), model.predict())


def test_modules_pickled_before_attention_load_and_run():
    net = Seq2Seq(1, 1, horizon=3, hidden_size=4)
    del net.attention  # as a module saved before the attribute existed
    loaded = pickle.loads(pickle.dumps(net))
    assert "attention" not in loaded.__dict__ and not loaded.attention
    assert loaded(torch.zeros(2, 8, 1)).shape == (2, 3)


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_attention_without_seq2seq_is_refused_naming_both(series, strategy):
    model = LSTMForecaster(horizon=H, strategy=strategy, attention=True, **TINY)
    with pytest.raises(ValueError, match=rf"attention=True .* strategy='seq2seq' "
                                         rf"\(strategy='{strategy}'\)"):
        model.fit(series)
    assert not hasattr(model, "module_")


def test_warm_start_refuses_switching_attention(series):
    params = dict(horizon=H, window=48, strategy="seq2seq", max_epochs=1, **TINY)
    model = GRUForecaster(attention=True, warm_start=True, **params).fit(series)
    model.fit(series)  # same architecture: continues
    model.set_params(attention=False)
    with pytest.raises(ValueError, match="attention: True -> False"):
        model.fit(series)

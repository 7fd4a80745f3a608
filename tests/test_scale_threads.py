"""Torch threads are chosen per fit/predict by model size (or ``n_threads``), and the
caller's thread count is restored afterwards, even on an error: never a lasting change."""

import numpy as np
import pytest
import torch

from tsrnn import GRURegressor, engine
from tsrnn.datasets import make_sine
from tsrnn.forecasting import LSTMForecaster
from tsrnn.nn import RecurrentNet


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 1))
    return X, X[:, -1, 0]


class Spy:
    """A callback recording torch's thread count at every epoch."""

    def __init__(self, fail_at=None):
        self.seen, self.fail_at = [], fail_at

    def __call__(self, epoch, record):
        self.seen.append(torch.get_num_threads())
        if epoch == self.fail_at:
            raise RuntimeError("stop here")


def test_small_network_trains_on_one_thread_and_restores_two(two_threads):
    spy = Spy()
    GRURegressor(hidden_size=8, max_epochs=2, callbacks=[spy], random_state=0).fit(*_data())
    assert spy.seen == [1, 1] and torch.get_num_threads() == 2


def test_n_threads_overrides_and_is_restored_after_an_error(two_threads):
    spy = Spy()
    GRURegressor(hidden_size=8, max_epochs=2, n_threads=2, callbacks=[spy]).fit(*_data())
    assert spy.seen == [2, 2]
    torch.set_num_threads(1)
    spy = Spy(fail_at=1)
    with pytest.raises(RuntimeError, match="stop here"):
        GRURegressor(hidden_size=8, max_epochs=3, n_threads=2, callbacks=[spy]).fit(*_data())
    assert spy.seen == [2] and torch.get_num_threads() == 1


def test_predict_runs_in_the_scope_too(two_threads, monkeypatch):
    model = LSTMForecaster(horizon=3, window=12, hidden_size=4, max_epochs=1,
                           random_state=0).fit(make_sine(n=80, period=12))
    seen, forward = [], engine._forward

    def spying_forward(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return forward(*args, **kwargs)

    monkeypatch.setattr(engine, "_forward", spying_forward)
    model.predict()
    assert seen and set(seen) == {1} and torch.get_num_threads() == 2


def test_choose_threads_by_model_size():
    cpu = torch.device("cpu")
    small = RecurrentNet(1, 1, cell="gru", hidden_size=16)
    large = RecurrentNet(1, 1, cell="gru", hidden_size=512)
    assert engine.choose_threads(None, small, 64, cpu) == 1
    assert engine.choose_threads(None, large, 512, cpu) is None  # torch's own setting
    assert engine.choose_threads(3, small, 64, cpu) == 3
    assert engine.choose_threads(None, small, 64, torch.device("meta")) is None  # not CPU


def test_thread_scope_none_changes_nothing(two_threads):
    with engine.thread_scope(None):
        assert torch.get_num_threads() == 2
    with engine.thread_scope(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, "two"])
def test_bad_n_threads(bad):
    with pytest.raises((ValueError, TypeError), match="n_threads"):
        GRURegressor(n_threads=bad, max_epochs=1).fit(*_data())

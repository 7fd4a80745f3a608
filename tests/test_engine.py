"""Unit tests of the training engine and the torch modules: shapes per cell, gradient flow,
NaN paths, early stopping, device and precision resolution."""

import numpy as np
import pytest
import torch

from tsrnn import TrainingDivergedError, engine
from tsrnn.nn import CELLS, POOLINGS, RecurrentNet, Seq2Seq


# pooling="last" of a bidirectional net reads the forward direction at the last step and the
# backward direction at the first (each after the whole sequence): every weight learns.
@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("pooling, bidirectional",
                         [(p, b) for p in sorted(POOLINGS) for b in (False, True)])
def test_recurrent_net_shapes_and_gradients_reach_every_parameter(cell, pooling, bidirectional):
    net = RecurrentNet(3, 5, cell=cell, hidden_size=4, num_layers=2, pooling=pooling,
                       bidirectional=bidirectional, n_head_extra=2)
    x = torch.randn(6, 7, 3)  # (batch, time, features)
    out = net(x, torch.randn(6, 2))
    assert out.shape == (6, 5)
    out.square().sum().backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, f"no gradient reaches {name}"


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("n_future", [0, 2])
def test_seq2seq_shapes_and_gradients(cell, n_future):
    net = Seq2Seq(2, 3, horizon=4, n_future=n_future, cell=cell, hidden_size=4)
    extra = torch.randn(5, 4 * n_future) if n_future else None
    out = net(torch.randn(5, 9, 2), extra)
    assert out.shape[0] == 5 and out.numel() == 5 * 4 * 3
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def _samples(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 5, 1, generator=g)
    return engine.Samples(x, x[:, -1, :] * 2)


def _train(config, valid=None, seed=0):
    torch.manual_seed(seed)
    net = RecurrentNet(1, 1, cell="gru", hidden_size=4)
    gen = torch.Generator().manual_seed(seed)
    return net, engine.train(net, _samples(), valid, config, torch.device("cpu"), gen)


def test_train_records_one_history_entry_per_epoch():
    _, history = _train(engine.TrainConfig(max_epochs=3, batch_size=16, lr=1e-2))
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert all(np.isfinite(r["train_loss"]) for r in history)


def test_a_nan_input_raises_training_diverged_with_the_epoch_and_step():
    data = _samples()
    data.x[3, 2, 0] = float("nan")
    net = RecurrentNet(1, 1, hidden_size=4)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    with pytest.raises(TrainingDivergedError, match=r"at epoch 1, step \d+"):
        engine.train(net, data, None, engine.TrainConfig(max_epochs=2, batch_size=8),
                     torch.device("cpu"), torch.Generator().manual_seed(0))
    for k, v in net.state_dict().items():  # the last good weights (here: the initial ones)
        assert torch.equal(v, before[k]), k


def test_patience_stops_and_restores_the_best_epoch(monkeypatch):
    losses = iter([1.0, 0.5, 0.9, 0.8, 0.7, 0.6])
    monkeypatch.setattr(engine, "_evaluate", lambda *a, **k: next(losses))
    _, history = _train(engine.TrainConfig(max_epochs=6, batch_size=16, patience=2),
                        valid=_samples(16, seed=1))
    assert len(history) == 4  # best at epoch 2, then two epochs without improvement


def test_a_nan_validation_loss_after_good_epochs_stops_with_the_best_weights(monkeypatch):
    losses = iter([1.0, 0.5, float("nan")])
    monkeypatch.setattr(engine, "_evaluate", lambda *a, **k: next(losses))
    with pytest.warns(UserWarning, match=r"validation loss became nan at epoch 3.*epoch 2"):
        _, history = _train(engine.TrainConfig(max_epochs=5, batch_size=16, patience=None),
                            valid=_samples(16, seed=1))
    assert len(history) == 3


def test_a_nan_validation_loss_at_the_first_epoch_is_training_diverged(monkeypatch):
    monkeypatch.setattr(engine, "_evaluate", lambda *a, **k: float("nan"))
    with pytest.raises(TrainingDivergedError, match="validation loss became nan at epoch 1"):
        _train(engine.TrainConfig(max_epochs=3, batch_size=16, patience=1),
               valid=_samples(16, seed=1))


def test_zero_gradient_clip_is_not_a_parameter_but_none_turns_clipping_off():
    _, history = _train(engine.TrainConfig(max_epochs=1, batch_size=16, grad_clip=None))
    assert np.isfinite(history[0]["train_loss"])


@pytest.mark.parametrize("precision, expected", [(32, "32"), ("fp32", "32"), ("bf16-mixed", None),
                                                 (16, "32")])
def test_precision_names_resolve_on_cpu(precision, expected):
    with pytest.warns(UserWarning) if expected == "32" and precision == 16 else \
            _no_warning():
        got = engine.resolve_precision(precision, torch.device("cpu"))
    assert got == (expected or ("bf16" if engine._cpu_bf16_works() else "32"))


def test_unknown_precision_and_missing_cuda_are_value_errors(monkeypatch):
    with pytest.raises(ValueError, match="precision=8 is not one of"):
        engine.resolve_precision(8, torch.device("cpu"))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        engine.resolve_device("cuda:1")
    assert engine.resolve_device("auto") == torch.device("cpu")


class _no_warning:
    def __enter__(self):
        import warnings
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def test_a_device_this_machine_lacks_is_a_value_error(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='mps' was asked for"):
        engine.resolve_device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"device='cuda:3' .* 1 CUDA device\(s\)"):
        engine.resolve_device("cuda:3")


def test_training_says_why_it_ended_and_the_bar_is_quiet_off_a_terminal(capsys):
    from tsrnn import GRUForecaster
    from tsrnn.datasets import make_sine

    y = make_sine(n=200, period=12, noise=0.1, random_state=0)
    tiny = dict(horizon=6, hidden_size=8, random_state=0, verbose=True)
    early = GRUForecaster(max_epochs=30, validation_fraction="auto", patience=2, **tiny).fit(y)
    assert early.stop_reason_.startswith(f"early stopping at epoch {early.n_epochs_}")
    assert "best epoch" in early.stop_reason_
    assert early.history_[-1]["stopped"] == early.stop_reason_
    budget = GRUForecaster(max_epochs=2, **tiny).fit(y)
    assert budget.stop_reason_ == "epoch budget reached (max_epochs=2)"
    assert "training" not in capsys.readouterr().err  # no progress bar in a captured log

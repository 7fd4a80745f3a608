"""Behaviour of the window regressors/classifiers and of the shared training engine."""

import pickle

import cloudpickle
import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tsrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNRegressor,
    TrainingDivergedError,
)
from tsrnn.augment import Augmenter

TINY = dict(hidden_size=8, max_epochs=15, lr=0.02, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 12, 2))
    y = X[:, -1, 0] + 0.5 * X[:, -3, 1]
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    return LSTMRegressor(**TINY).fit(*data)


def test_learns_a_simple_signal(fitted, data):
    assert fitted.score(*data) > 0.9
    assert fitted.predict(data[0]).shape == (200,)


def test_multi_output_targets(data):
    X, y = data
    Y = np.stack([y, -y, 2 * y], axis=1)
    reg = GRURegressor(**TINY).fit(X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.8


@pytest.mark.parametrize("dumps,loads", [(pickle.dumps, pickle.loads),
                                         (cloudpickle.dumps, pickle.loads)])
def test_pickle_round_trip_predicts_the_same(fitted, data, dumps, loads):
    clone = loads(dumps(fitted))
    np.testing.assert_array_equal(clone.predict(data[0]), fitted.predict(data[0]))


def test_joblib_round_trip(fitted, data, tmp_path):
    joblib.dump(fitted, tmp_path / "model.joblib")
    clone = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(clone.predict(data[0]), fitted.predict(data[0]))


def test_model_saved_for_cuda_loads_on_a_cpu_machine(fitted, data, monkeypatch):
    # A model trained with device="cuda": the pickle stores CPU tensors and no device index,
    # and loading where CUDA is absent resolves the device to the CPU.
    fitted = pickle.loads(pickle.dumps(fitted))
    fitted.device = "cuda"
    payload = pickle.dumps(fitted)
    assert b"cuda:" not in payload
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(payload)
    assert loaded.device_ == torch.device("cpu")
    np.testing.assert_array_equal(loaded.predict(data[0]), fitted.predict(data[0]))


def test_random_state_makes_training_repeatable(data):
    a = RNNRegressor(**TINY).fit(*data).predict(data[0])
    b = RNNRegressor(**TINY).fit(*data).predict(data[0])
    c = RNNRegressor(**{**TINY, "random_state": 1}).fit(*data).predict(data[0])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_warm_start_continues_training(data):
    reg = GRURegressor(**{**TINY, "max_epochs": 3}, warm_start=True).fit(*data)
    first = reg.module_
    reg.fit(*data)
    assert reg.module_ is first and len(reg.history_) == 6
    cold = GRURegressor(**{**TINY, "max_epochs": 3}).fit(*data)
    cold.fit(*data)
    assert len(cold.history_) == 3


def test_history_records_losses_lr_and_time(data):
    reg = GRURegressor(**TINY, validation_fraction=0.2).fit(*data)
    assert len(reg.history_) == TINY["max_epochs"]
    assert {"epoch", "train_loss", "valid_loss", "lr", "time"} <= set(reg.history_[0])
    assert reg.history_[-1]["train_loss"] < reg.history_[0]["train_loss"]


def test_early_stopping_restores_the_best_weights(data):
    X, y = data
    noise = np.random.default_rng(1).normal(size=len(y))  # pure noise: validation worsens
    reg = GRURegressor(**{**TINY, "max_epochs": 60, "hidden_size": 32},
                       validation_fraction=0.3, patience=3).fit(X, noise)
    losses = [h["valid_loss"] for h in reg.history_]
    assert len(losses) < 60
    best = int(np.argmin(losses))
    assert len(losses) == best + 1 + 3
    n_valid = int(len(X) * 0.3)
    pred = (reg.predict(X[-n_valid:]) - reg.y_mean_) / reg.y_scale_
    target = (noise[-n_valid:] - reg.y_mean_) / reg.y_scale_
    assert np.mean((pred - target) ** 2) == pytest.approx(losses[best], rel=1e-4)


def test_callbacks_see_every_epoch_and_can_stop_training(data):
    seen = []
    reg = GRURegressor(**TINY, callbacks=[lambda epoch, rec: seen.append((epoch, rec))])
    reg.fit(*data)
    assert [e for e, _ in seen] == list(range(1, TINY["max_epochs"] + 1))

    def stop(epoch, record):
        if epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        GRURegressor(**TINY, callbacks=[stop]).fit(*data)


def test_diverging_training_raises_with_epoch_and_step(data):
    reg = RNNRegressor(hidden_size=8, max_epochs=5, optimizer="sgd", lr=1e12, grad_clip=None,
                       random_state=0)
    with pytest.raises(TrainingDivergedError, match=r"epoch \d+, step \d+"):
        reg.fit(*data)


def test_l1_and_weight_decay_shrink_weights(data):
    plain = GRURegressor(**TINY).fit(*data)
    l1 = GRURegressor(**TINY, l1=1e-2).fit(*data)
    norm = lambda m: sum(p.abs().sum().item() for p in m.module_.parameters())  # noqa: E731
    assert norm(l1) < norm(plain)


@pytest.mark.parametrize("kwargs", [dict(bidirectional=True), dict(num_layers=2, dropout=0.2),
                                    dict(pooling="mean"), dict(loss="huber"),
                                    dict(optimizer="adamw", lr_schedule="cosine")])
def test_options_train(data, kwargs):
    reg = LSTMRegressor(**TINY, **kwargs).fit(*data)
    assert reg.history_[-1]["train_loss"] < 0.9 * reg.history_[0]["train_loss"]
    assert np.isfinite(reg.predict(data[0])).all()


def test_relu_only_for_simple_rnn(data):
    RNNRegressor(**TINY, nonlinearity="relu").fit(*data)
    with pytest.raises(ValueError, match="only applies to the simple RNN"):
        LSTMRegressor(**TINY, nonlinearity="relu").fit(*data)


def test_classifier_with_string_labels(data):
    X, y = data
    labels = np.where(y > 0, "up", "down")
    clf = GRUClassifier(**TINY).fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(clf.predict(X)) <= {"up", "down"}
    assert clf.score(X, labels) > 0.85


def test_bad_inputs_get_clear_errors(fitted, data):
    X, y = data
    bad = X.copy()
    bad[3, 5, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN at position \(3, 5, 1\)"):
        LSTMRegressor(**TINY).fit(bad, y)
    with pytest.raises(ValueError, match=r"NaN at position \(3, 5, 1\)"):
        fitted.predict(bad)
    with pytest.raises(ValueError, match="3 features per time step, but LSTMRegressor was "
                                         "fitted with 2"):
        fitted.predict(np.zeros((4, 12, 3)))
    with pytest.raises(ValueError, match="2D .* or 3D"):
        LSTMRegressor(**TINY).fit(np.zeros((4, 3, 2, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="n_samples=1"):
        LSTMRegressor(**TINY).fit(X[:1], y[:1])
    with pytest.raises(NotFittedError):
        LSTMRegressor().predict(X)
    with pytest.raises(ValueError, match="CUDA is not available"):
        LSTMRegressor(device="cuda:0").fit(X, y) if not torch.cuda.is_available() \
            else pytest.skip("a GPU is present")


def test_input_is_not_mutated(data):
    X, y = data
    X0, y0 = X.copy(), y.copy()
    LSTMRegressor(**{**TINY, "max_epochs": 1}).fit(X, y).predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_fp16_on_cpu_falls_back_with_a_warning(data):
    with pytest.warns(UserWarning, match="fp16 mixed precision needs a CUDA device"):
        reg = GRURegressor(**{**TINY, "max_epochs": 1}, precision=16, device="cpu").fit(*data)
    assert reg.precision_ == "32"
    bf = GRURegressor(**{**TINY, "max_epochs": 2}, precision="bf16", device="cpu").fit(*data)
    assert bf.precision_ == "bf16" and np.isfinite(bf.predict(data[0])).all()


def test_sklearn_model_selection_tools(data):
    X, y = data
    cv = TimeSeriesSplit(n_splits=3)
    scores = cross_val_score(GRURegressor(**TINY), X, y, cv=cv)
    assert scores.shape == (3,) and np.all(scores > 0.3)
    X2 = X[:, :, 0]  # 2D windows: a Pipeline with a scaler in front
    pipe = make_pipeline(StandardScaler(), GRURegressor(**{**TINY, "max_epochs": 5}))
    search = GridSearchCV(pipe, {"gruregressor__hidden_size": [4, 8]}, cv=cv).fit(X2, y)
    assert search.best_params_["gruregressor__hidden_size"] in (4, 8)
    assert search.predict(X2).shape == (200,)


def test_lstm_classifier_on_windows_of_two_sine_frequencies():
    t = np.arange(30)
    rng = np.random.default_rng(0)
    freqs = rng.choice([0.1, 0.3], size=120)
    labels = np.where(freqs > 0.2, "fast", "slow")
    X = np.sin(2 * np.pi * freqs[:, None] * t + rng.uniform(0, 6, size=(120, 1)))
    clf = LSTMClassifier(**TINY).fit(X, labels)
    assert clf.score(X, labels) > 0.9


class _Recorder(Augmenter):
    """An augmenter that records the batches it sees and changes nothing."""

    seen: list = []

    def check_task(self, task, n_targets, n_features):
        pass

    def __call__(self, x, y, *, generator, n_targets=None):
        self.seen.append(x.detach().clone())
        return x, y


def test_augmentation_only_sees_training_batches(data):
    X, y = data
    recorder = _Recorder()
    recorder.seen = []
    reg = GRURegressor(**{**TINY, "max_epochs": 2}, validation_fraction=0.25,
                       augment=recorder).fit(X, y)
    n_train = len(X) - int(len(X) * 0.25)
    assert sum(len(b) for b in recorder.seen) == 2 * n_train  # two epochs of training rows
    seen = torch.cat(recorder.seen).numpy()
    train_rows = (X[:n_train] - reg.x_mean_) / reg.x_scale_
    # every augmented row is a training row (never a validation row)
    valid_rows = (X[n_train:] - reg.x_mean_) / reg.x_scale_
    as_set = lambda a: {r.tobytes() for r in a.astype(np.float32)}  # noqa: E731
    assert as_set(seen) == as_set(train_rows)
    assert not as_set(seen) & as_set(valid_rows)
    calls = len(recorder.seen)
    reg.predict(X)
    assert len(recorder.seen) == calls  # prediction is never augmented

"""Recurrent regressors and classifiers on windowed arrays, with the scikit-learn API.

``X`` is ``(n_samples, n_timesteps, n_features)``, or ``(n_samples, n_timesteps)`` read as
univariate windows, or a DataFrame of the latter. The six public classes differ only by
their recurrent cell (``_cell``) and task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import engine
from ._neural import NEURAL_CONSTRAINTS, NEURAL_PARAMS_DOC, NeuralMixin
from ._validation import StrOptions, check_finite, check_float32_range, unchanged_on_error
from .forecasting._scaling import safe_scale
from .nn import POOLINGS, RecurrentNet

_MAX_MAGNITUDE = 1e18  # float32 training: squares of the data must stay finite


def _not_a_number(v) -> bool:
    if isinstance(v, (str, bytes)) or v is None:
        return True
    try:
        float(v)
    except (TypeError, ValueError):
        return True
    return False


def _check_numbers(y) -> None:
    """A regression target holds numbers only (not ``"3.5"``, not None)."""
    if np.asarray(y).dtype.kind in "biufc":  # numeric arrays: the usual checks follow
        return
    items = np.asarray(y, dtype=object).ravel()  # text or objects: look at each item
    bad = np.fromiter(map(_not_a_number, items), dtype=bool, count=len(items))
    if bad.any():
        i = int(np.argmax(bad))
        value = items[i]
        raise ValueError(f"y must hold numbers for a regressor; its item {i} (flattened) is "
                         f"{value!r} ({type(value).__name__}). Convert the target to "
                         "floats, or use a classifier for class labels.")


def _check_labels(y) -> None:
    """Every sample of a classifier has a label: no None, NaN or NA among them."""
    if isinstance(y, np.ndarray) and y.dtype.kind in "biuUS":  # nothing can be missing
        return
    labels = np.asarray(y, dtype=object).ravel()  # a list keeps its items as given
    missing = pd.isna(labels)
    if missing.any():
        i = int(np.argmax(missing))
        value = labels[i]
        raise ValueError(f"y holds a missing class label ({value!r}) at position {i}; "
                         "every window needs a label: drop those samples or give them a "
                         "class.")


def _robust_scale(values: np.ndarray, axis) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std, a (relatively) zero std replaced by the mean absolute level."""
    mean = values.mean(axis=axis)
    return mean, safe_scale(values.std(axis=axis), np.abs(values).mean(axis=axis))


class _WindowEstimator(NeuralMixin, BaseEstimator):
    """Base of the window regressors and classifiers (not public)."""

    _parameter_constraints = {
        **NEURAL_CONSTRAINTS,
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
    }

    def __init__(self, *, hidden_size=64, num_layers=1, dropout=0.0, bidirectional=False,
                 nonlinearity="tanh", pooling="last", loss="mse", optimizer="adam", lr=1e-3,
                 weight_decay=0.0, l1=0.0, batch_size=64, max_epochs=50, grad_clip=1.0,
                 lr_schedule=None, validation_fraction=0.0, patience=None, augment=None,
                 device="auto", precision=32, random_state=None, warm_start=False,
                 n_threads=None, verbose=False, callbacks=None):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.nonlinearity = nonlinearity
        self.pooling = pooling
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.l1 = l1
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.grad_clip = grad_clip
        self.lr_schedule = lr_schedule
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.augment = augment
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.warm_start = warm_start
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of small instances for the tests: enough training (30 epochs) for
        scikit-learn's estimator checks, which expect the data to be learnt."""
        return [{"hidden_size": 8, "max_epochs": 30, "lr": 0.03, "batch_size": 32,
                 "random_state": 0}]

    def _validate_X(self, X, y=None, reset=True):
        shape = np.shape(X) if hasattr(X, "shape") or isinstance(X, list) else ()
        if len(shape) >= 2 and shape[1] == 0:  # worded as scikit-learn's checks expect
            raise ValueError(f"X has windows of 0 time steps: 0 feature(s) (shape={shape}) "
                             "while a minimum of 1 is required; X is (n_samples, "
                             "n_timesteps[, n_features]).")
        kwargs = dict(allow_nd=True, ensure_all_finite=False, dtype=[np.float64, np.float32])
        if reset:
            X, y = validate_data(self, X, y, multi_output=True,
                                 y_numeric=self._task == "regression", **kwargs)
        else:
            X = validate_data(self, X, reset=False, **kwargs)
        if X.ndim > 3:
            raise ValueError(f"X must be 2D (samples, time) or 3D (samples, time, features); "
                             f"got {X.ndim} dimensions.")
        check_finite(X, "X")
        check_float32_range(X, "X", _MAX_MAGNITUDE)
        X = X[:, :, None] if X.ndim == 2 else X  # (samples, time, channels)
        if reset:
            self.n_channels_ = X.shape[2]
        elif X.shape[2] != self.n_channels_:
            raise ValueError(f"X has {X.shape[2]} features per time step, but "
                             f"{type(self).__name__} was fitted with {self.n_channels_}.")
        return X, y

    def _scale_X(self, X: np.ndarray) -> np.ndarray:
        return (X - self.x_mean_) / self.x_scale_

    def fit(self, X, y):
        """Fit the network on windows ``X`` and targets ``y``; returns ``self``."""
        with unchanged_on_error(self):  # a failed fit leaves the model as it was
            return self._fit_validated(X, y)

    def _fit_validated(self, X, y):
        self._validate_params()
        self._check_neural_params()
        if y is not None:  # before scikit-learn's checks, whose errors name no item
            self._check_y(y)
        X, y = self._validate_X(X, y, reset=True)
        if self._task == "regression":
            check_finite(np.asarray(y, dtype=float), "y")
            check_float32_range(np.asarray(y, dtype=float), "y", _MAX_MAGNITUDE)
        if len(X) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples, got "
                             f"n_samples={len(X)}.")
        self._resolve_runtime()
        if not self._reuse_module():
            self.x_mean_, self.x_scale_ = _robust_scale(X, axis=(0, 1))
        targets, n_outputs = self._encode_y(y)
        self._check_warm_start(n_features=X.shape[2], n_outputs=n_outputs,
                               **self._y_shape())
        Xt = self._to_device(self._scale_X(X))
        n_valid = int(len(X) * self.validation_fraction)
        n_train = len(X) - n_valid
        train = engine.Samples(Xt[:n_train], targets[:n_train])
        valid = engine.Samples(Xt[n_train:], targets[n_train:]) if n_valid else None
        config = self._train_config(self._loss_name(), self._task, n_features=X.shape[2])
        self._run_training(lambda: RecurrentNet(
            X.shape[2], n_outputs, bidirectional=self.bidirectional, pooling=self.pooling,
            **self._module_kwargs()), train, valid, config)
        return self

    def _raw_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "module_")
        X, _ = self._validate_X(X, reset=False)
        return self._predict_tensor(engine.Samples(self._to_device(self._scale_X(X))))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class _RecurrentRegressor(RegressorMixin, _WindowEstimator):
    _task = "regression"

    def _loss_name(self) -> str:
        return self.loss

    def _check_y(self, y) -> None:
        _check_numbers(y)

    def _y_shape(self) -> dict:
        return {"y_ndim": self.y_ndim_}

    def _encode_y(self, y):
        y = np.asarray(y, dtype=np.float64)
        if self._reuse_module() and (y.ndim != self.y_ndim_ or y.reshape(len(y), -1).shape[1]
                                     != self.n_outputs_):
            raise ValueError("warm_start=True continues the fitted network, but y changed "
                             f"shape: {self.n_outputs_} output(s) (ndim {self.y_ndim_}) -> "
                             f"{y.reshape(len(y), -1).shape[1]} (ndim {y.ndim}); fit with "
                             "warm_start=False to start over.")
        self.y_ndim_ = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        y2 = y.reshape(len(y), -1)
        if not self._reuse_module():
            self.y_mean_, self.y_scale_ = _robust_scale(y2, axis=0)
        return self._to_device((y2 - self.y_mean_) / self.y_scale_), self.n_outputs_

    def predict(self, X) -> np.ndarray:
        """Predict targets for windows ``X``: shape ``(n,)`` or ``(n, n_outputs)`` as fitted."""
        out = self._raw_predict(X) * self.y_scale_ + self.y_mean_
        return out.ravel() if self.y_ndim_ == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class _RecurrentClassifier(ClassifierMixin, _WindowEstimator):
    _task = "classification"

    def _loss_name(self) -> str:
        return "cross_entropy"

    def _check_y(self, y) -> None:
        _check_labels(y)

    def _y_shape(self) -> dict:
        return {"classes": self.classes_.tolist()}

    def _encode_y(self, y):
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        if self._reuse_module():
            new = np.setdiff1d(np.unique(y), self.classes_).tolist()
            if new:
                raise ValueError("warm_start=True continues the fitted network, but y has "
                                 f"class label(s) {new[:5]} it was not fitted with (classes: "
                                 f"{self.classes_.tolist()}); fit with warm_start=False to "
                                 "start over.")
            codes = np.searchsorted(self.classes_, y)
        else:
            encoder = LabelEncoder().fit(y)
            self.classes_ = encoder.classes_
            codes = encoder.transform(y)
        if len(self.classes_) < 2:
            raise ValueError("a classifier needs samples of at least 2 classes; y has only "
                             f"class {self.classes_[0]!r}.")
        import torch

        return torch.as_tensor(codes, dtype=torch.long, device=self.device_), len(self.classes_)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in ``classes_`` order."""
        logits = self._raw_predict(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Most probable class label for each window."""
        logits = self._raw_predict(X)
        return self.classes_[np.argmax(logits, axis=1)]


def _doc(kind: str, cell: str, task: str, example: str) -> str:
    return f"""{kind} of windows with a {cell} network.

    {"Predicts one or several targets (a direct multi-step target is several)" if task == "r"
     else "Predicts class labels and probabilities"} from each window of ``X``:
    ``(n_samples, n_timesteps, n_features)``, or ``(n_samples, n_timesteps)`` read as
    univariate windows. Inputs{" and targets" if task == "r" else ""} are standardised
    internally; predictions come back in the original units.

    Parameters
    ----------
    bidirectional : bool, default=False
        Read each window in both directions.
    pooling : {{"last", "mean", "max"}}, default="last"
        Summary of the hidden states fed to the head.
{NEURAL_PARAMS_DOC}
    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network.
    history_ : list of dict
        Per-epoch ``train_loss``, ``valid_loss`` (with validation data), ``lr``, ``time``.
    device_, precision_ : resolved device and precision.
    n_features_in_ : int
        Time steps per window (columns of a 2D ``X``).

    Examples
    --------
{example}
    """


_REG_EXAMPLE = """    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10, 2))
    >>> y = X[:, -1, 0] + X[:, -2, 1]
    >>> reg = {name}(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)"""

_CLF_EXAMPLE = """    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10))
    >>> y = np.where(X.mean(axis=1) > 0, "up", "down")
    >>> clf = {name}(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)"""


def _regressor_doc(name: str, cell: str) -> str:
    return _doc("Regressor", cell, "r", _REG_EXAMPLE.format(name=name))


def _classifier_doc(name: str, cell: str) -> str:
    return _doc("Classifier", cell, "c", _CLF_EXAMPLE.format(name=name))


class RNNRegressor(_RecurrentRegressor):
    __doc__ = _regressor_doc("RNNRegressor", "simple RNN")
    _cell = "rnn"


class LSTMRegressor(_RecurrentRegressor):
    __doc__ = _regressor_doc("LSTMRegressor", "LSTM")
    _cell = "lstm"


class GRURegressor(_RecurrentRegressor):
    __doc__ = _regressor_doc("GRURegressor", "GRU")
    _cell = "gru"


class RNNClassifier(_RecurrentClassifier):
    __doc__ = _classifier_doc("RNNClassifier", "simple RNN")
    _cell = "rnn"


class LSTMClassifier(_RecurrentClassifier):
    __doc__ = _classifier_doc("LSTMClassifier", "LSTM")
    _cell = "lstm"


class GRUClassifier(_RecurrentClassifier):
    __doc__ = _classifier_doc("GRUClassifier", "GRU")
    _cell = "gru"

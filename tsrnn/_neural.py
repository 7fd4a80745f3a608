"""What every neural estimator shares: turning parameters into a training run of the
engine, seeding, warm starts, the device, and CPU-safe pickling.

Used by the window estimators (:mod:`tsrnn.estimators`) and the neural forecasters
(:mod:`tsrnn.forecasting.neural`).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import torch

from . import engine
from ._validation import check_option, check_positive_int
from .augment import as_augmenter
from .nn import CELLS, POOLINGS

NEURAL_PARAMS_DOC = """
    hidden_size : int, default=64
        Units per recurrent layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the simple RNN cell; other cells accept only "tanh".
    loss : {"mse", "mae", "huber"}, default="mse"
        Training loss (classifiers always use cross-entropy).
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "adagrad"}, default="adam"
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty (through the optimizer).
    l1 : float, default=0.0
        L1 penalty on all weights, added to the loss.
    batch_size : int, default=64
    max_epochs : int, default=50
    grad_clip : float or None, default=1.0
        Maximum gradient norm; None turns clipping off.
    lr_schedule : {None, "cosine", "plateau", "step"}, default=None
    validation_fraction : float, default=0.0
        Last part of the training data (in time order, never shuffled) held out to monitor
        the validation loss.
    patience : int or None, default=None
        Early stopping: stop after this many epochs without improvement of the validation
        loss (or of the training loss without validation data) and restore the best weights.
    augment : augmenter, list of augmenters or None, default=None
        Applied per training batch on the device (see :mod:`tsrnn.augment`), never to
        validation data or at prediction.
    device : str, default="auto"
        "auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N". Resolved into
        ``device_`` at fit time and again when a pickled model is loaded.
    precision : {32, "bf16", 16}, default=32
        Mixed-precision training (autocast, with a gradient scaler for fp16); falls back to
        fp32 with a warning where the hardware cannot. Resolved into ``precision_``.
    random_state : int or None, default=None
        Seeds weight init, shuffling, dropout and augmentation; with an int, CPU training is
        bit-for-bit repeatable.
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit`` instead of starting over.
    verbose : bool, default=False
        Show a progress bar (tqdm).
    callbacks : list of callables or None, default=None
        Each is called as ``callback(epoch, record)`` after every epoch, ``record`` being the
        history entry (``train_loss``, ``valid_loss``, ``lr``, ``time``); raising stops training.
"""

NEURAL_DEFAULTS = dict(
    hidden_size=64, num_layers=1, dropout=0.0, nonlinearity="tanh", loss="mse",
    optimizer="adam", lr=1e-3, weight_decay=0.0, l1=0.0, batch_size=64, max_epochs=50,
    grad_clip=1.0, lr_schedule=None, validation_fraction=0.0, patience=None, augment=None,
    device="auto", precision=32, random_state=None, warm_start=False, verbose=False,
    callbacks=None,
)


class NeuralMixin:
    """Shared machinery of the neural estimators; subclasses set ``_cell``."""

    _cell = "lstm"

    def _check_neural_params(self) -> None:
        check_option(self._cell, "cell", CELLS)
        check_option(self.nonlinearity, "nonlinearity", ("tanh", "relu"))
        if self._cell != "rnn" and self.nonlinearity != "tanh":
            raise ValueError(f"nonlinearity={self.nonlinearity!r} only applies to the simple "
                             f"RNN cell; the {self._cell.upper()} cell uses tanh.")
        check_positive_int(self.hidden_size, "hidden_size")
        check_positive_int(self.num_layers, "num_layers")
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.max_epochs, "max_epochs")
        check_option(self.optimizer, "optimizer", engine.OPTIMIZERS)
        check_option(self.lr_schedule, "lr_schedule", engine.SCHEDULES)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}.")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in [0, 1), "
                             f"got {self.validation_fraction!r}.")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}.")

    def _module_kwargs(self) -> dict:
        return dict(cell=self._cell, hidden_size=self.hidden_size, num_layers=self.num_layers,
                    dropout=self.dropout, nonlinearity=self.nonlinearity)

    def _resolve_runtime(self) -> None:
        """Set ``device_`` and ``precision_``."""
        self.device_ = engine.resolve_device(self.device)
        self.precision_ = engine.resolve_precision(self.precision, self.device_)

    def _train_config(self, loss: str, task: str, n_targets=None, n_features=None):
        augment = as_augmenter(self.augment)
        if augment is not None:
            augment.check_task(task, n_targets, n_features)
        return engine.TrainConfig(
            loss=loss, optimizer=self.optimizer, lr=self.lr, weight_decay=self.weight_decay,
            l1=self.l1, batch_size=self.batch_size, max_epochs=self.max_epochs,
            grad_clip=self.grad_clip, lr_schedule=self.lr_schedule, patience=self.patience,
            precision=self.precision_, verbose=self.verbose, callbacks=list(self.callbacks or []),
            augment=augment, n_targets=n_targets)

    def _reuse_module(self) -> bool:
        return bool(self.warm_start) and hasattr(self, "module_")

    def _run_training(self, build_module, train_data, valid_data, config) -> None:
        """Build (or reuse, with warm_start) the module and train it with the engine."""
        seed = self.random_state
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        elif isinstance(seed, np.random.RandomState):
            seed = int(seed.randint(0, 2**31 - 1))
        with torch.random.fork_rng(devices=[self.device_] if self.device_.type == "cuda" else []):
            torch.manual_seed(seed)
            if self._reuse_module():
                module, history = self.module_.to(self.device_), self.history_
            else:
                module, history = build_module().to(self.device_), []
            generator = torch.Generator(device=self.device_).manual_seed(seed)
            self.history_ = engine.train(module, train_data, valid_data, config, self.device_,
                                         generator, history)
        self.module_ = module
        self.n_epochs_ = len(self.history_)

    def _predict_tensor(self, samples, out_shape=None) -> np.ndarray:
        out = engine.predict(self.module_, samples, self.device_, self.precision_,
                             out_shape=out_shape)
        return out.cpu().numpy().astype(np.float64)

    def _to_device(self, array) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(array), dtype=torch.float32,
                               device=self.device_)

    # -- pickling: weights travel as CPU tensors, the device is resolved again at load --
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_windows_cache", None)  # derived data: rebuilt on the first predict
        if "module_" in state:
            state["module_"] = copy.deepcopy(state["module_"]).to("cpu")
            state.pop("device_", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "module_" in state:
            try:
                self.device_ = engine.resolve_device(self.device)
            except ValueError:  # saved with device="cuda", loaded where there is none
                self.device_ = torch.device("cpu")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.precision_ = engine.resolve_precision(self.precision, self.device_)
            self.module_.to(self.device_)
            for mod in self.module_.modules():
                if isinstance(mod, torch.nn.RNNBase):
                    mod.flatten_parameters()

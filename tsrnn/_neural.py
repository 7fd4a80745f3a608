"""What every neural estimator shares: turning parameters into a training run of the
engine, seeding, warm starts, the device, and CPU-safe pickling.

Used by the window estimators (:mod:`tsrnn.estimators`) and the neural forecasters
(:mod:`tsrnn.forecasting.neural`).
"""

from __future__ import annotations

import copy
import dataclasses
import warnings

import numpy as np
import torch

from . import engine
from ._validation import (
    DeviceName,
    Integral,
    Interval,
    Options,
    Real,
    StrOptions,
    ValidatedParams,
    check_option,
    positive_int,
    with_new_params,
)
from .augment import Augmenter, as_augmenter
from .nn import CELLS

# The one table of the neural hyperparameters: name -> (default, constraints, doc).
# It gives the constraints checked by ``fit`` (``NEURAL_CONSTRAINTS``), the defaults
# (``NEURAL_DEFAULTS``, checked against every signature by the tests) and the parameter
# documentation shared by every neural estimator (``NEURAL_PARAMS_DOC``).
# Forecasters hold out validation data by default: their ``validation_fraction`` is 0.1.
NEURAL_PARAMS = {
    "hidden_size": (64, [positive_int()], "int", "Units per recurrent layer."),
    "num_layers": (1, [positive_int()], "int", "Stacked recurrent layers."),
    "dropout": (0.0, [Interval(Real, 0, 1, closed="left")], "float",
                "Dropout between stacked layers and before the head."),
    "nonlinearity": ("tanh", [StrOptions({"tanh", "relu"})], '{"tanh", "relu"}',
                     'Activation of the simple RNN cell; other cells accept only "tanh".'),
    "loss": ("mse", [StrOptions({"mse", "mae", "huber"})], '{"mse", "mae", "huber"}',
             "Training loss (classifiers always use cross-entropy)."),
    "optimizer": ("adam", [StrOptions(set(engine.OPTIMIZERS))],
                  '{"adam", "adamw", "sgd", "rmsprop", "adagrad"}', ""),
    "lr": (1e-3, [Interval(Real, 0, None, closed="neither")], "float", "Learning rate."),
    "weight_decay": (0.0, [Interval(Real, 0, None, closed="left")], "float",
                     "L2 penalty (through the optimizer)."),
    "l1": (0.0, [Interval(Real, 0, None, closed="left")], "float",
           "L1 penalty on all weights, added to the loss."),
    "batch_size": (64, [positive_int()], "int", ""),
    "max_epochs": (50, [positive_int()], "int", ""),
    "grad_clip": (1.0, [Interval(Real, 0, None, closed="neither"), None], "float or None",
                  "Maximum gradient norm; None turns clipping off."),
    "lr_schedule": (None, [StrOptions({"cosine", "plateau", "step"}), None],
                    '{None, "cosine", "plateau", "step"}', ""),
    "validation_fraction": (0.0, [Interval(Real, 0, 1, closed="left")], "float",
                            "Last part of the training data (in time order, never shuffled) "
                            "held out to monitor\n        the validation loss."),
    "patience": (None, [Interval(Integral, 0, None, closed="left"), None], "int or None",
                 "Early stopping: stop after this many epochs without improvement of the "
                 "validation\n        loss (or of the training loss without validation data) "
                 "and restore the best weights."),
    "augment": (None, [Augmenter, list, tuple, None],
                "augmenter, list of augmenters or None",
                "Applied per training batch on the device (see :mod:`tsrnn.augment`), never "
                "to\n        validation data or at prediction."),
    "device": ("auto", [DeviceName(), None], "str",
               '"auto" (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N". Resolved '
               "into\n        ``device_`` at fit time and again when a pickled model is "
               "loaded."),
    "precision": (32, [Options(Integral, {32, 16}), StrOptions(set(engine.PRECISION_NAMES))],
                  '{32, "bf16", 16}',
                  "Mixed-precision training (autocast, with a gradient scaler for fp16); "
                  "falls back to\n        fp32 with a warning where the hardware cannot. "
                  "Resolved into ``precision_``."),
    "random_state": (None, [Interval(Integral, 0, 2**32 - 1, closed="both"),
                            np.random.RandomState, None], "int or None",
                     "Seeds weight init, shuffling, dropout and augmentation; with an int, "
                     "CPU training is\n        bit-for-bit repeatable."),
    "warm_start": (False, ["boolean"], "bool",
                   "Continue training the fitted network on the next ``fit`` instead of "
                   "starting over;\n        the data must keep the fitted shape (features, "
                   "targets, classes, horizon)."),
    "n_threads": (None, [Interval(Integral, 1, None, closed="left"), None], "int or None",
                  "Torch threads during ``fit`` and ``predict`` only (the caller's count is "
                  "restored after).\n        None: one thread for a small network on CPU "
                  "(batch x recurrent weights\n        <= 2**24: torch's threads cost more than "
                  "they save there, many times more on a\n        busy machine), torch's own "
                  "setting otherwise and on GPUs."),
    "verbose": (False, ["boolean", Interval(Integral, 0, None, closed="left")], "bool or int",
                "As in scikit-learn: 0 (or False) is silent, 1 (or True) shows a progress bar "
                "(tqdm),\n        2 or more also prints one line per epoch."),
    "callbacks": (None, [list, tuple, None], "list of callables or None",
                  "Each is called as ``callback(epoch, record)`` after every epoch, "
                  "``record`` being the\n        history entry (``train_loss``, "
                  "``valid_loss``, ``lr``, ``time``); raising stops training."),
}

NEURAL_CONSTRAINTS = {name: spec[1] for name, spec in NEURAL_PARAMS.items()}
# parameters the engine gets resolved or converted, not as given
_RESOLVED = ("loss", "precision", "callbacks", "augment")
NEURAL_DEFAULTS = {name: spec[0] for name, spec in NEURAL_PARAMS.items()}


def _param_doc(name: str) -> str:
    default, _, kind, doc = NEURAL_PARAMS[name]
    line = f"    {name} : {kind}, default={default!r}".replace("'", '"')
    return line + (f"\n        {doc}" if doc else "")


NEURAL_PARAMS_DOC = "\n" + "\n".join(_param_doc(n) for n in NEURAL_PARAMS) + "\n"


class NeuralMixin(ValidatedParams):
    """Shared machinery of the neural estimators; subclasses set ``_cell``."""

    _cell = "lstm"

    _parameter_constraints = dict(NEURAL_CONSTRAINTS)

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Parameters of tiny, fast instances for the tests (``horizon`` is set by them):
        four hidden units, two epochs, and a window of six steps for the forecasters."""
        params = {"hidden_size": 4, "max_epochs": 2, "batch_size": 16, "random_state": 0}
        if "window" in cls._get_param_names():
            params["window"] = 6
        return [params]

    def _check_neural_params(self) -> None:
        """The checks that involve several parameters (each alone is checked by
        ``_validate_params`` at the start of ``fit``)."""
        check_option(self._cell, "cell", CELLS)
        if self._cell != "rnn" and self.nonlinearity != "tanh":
            raise ValueError(f"nonlinearity={self.nonlinearity!r} only applies to the simple "
                             f"RNN cell; the {self._cell.upper()} cell uses tanh.")
        if self.patience is not None and not isinstance(self.patience, str) and \
                self.validation_fraction == 0:
            warnings.warn(f"patience={self.patience} has no validation data to watch "
                          "(validation_fraction=0), so early stopping follows the training "
                          "loss, which rarely stops improving: every epoch runs. Set "
                          "validation_fraction (e.g. 0.1, or 'auto' for the forecasters: the "
                          "last horizon) to stop on held-out data.", UserWarning, stacklevel=3)

    def _check_warm_start(self, **shape) -> None:
        """Record the data's shape; under ``warm_start``, refuse a change of it.

        ``shape`` maps what the module depends on (features, targets, classes, horizon...)
        to its value in this fit. Without ``warm_start`` (or on a first fit) it is stored.
        """
        if self._reuse_module():
            before = getattr(self, "fit_shape_", {})
            changed = [f"{k}: {before[k]!r} -> {v!r}" for k, v in shape.items()
                       if k in before and not _same(before[k], v)]
            if changed:
                raise ValueError("warm_start=True continues the fitted network, but the data "
                                 "changed what it was built for (" + "; ".join(changed) +
                                 "); fit with warm_start=False to start over.")
        self.fit_shape_ = dict(shape)

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
        # every knob of the engine named like a parameter of the table comes from it
        knobs = {f.name: getattr(self, f.name) for f in dataclasses.fields(engine.TrainConfig)
                 if f.name in NEURAL_PARAMS and f.name not in _RESOLVED}
        return engine.TrainConfig(**knobs, loss=loss, precision=self.precision_,
                                  callbacks=list(self.callbacks or []), augment=augment,
                                  n_targets=n_targets)

    def _reuse_module(self) -> bool:
        return bool(self.warm_start) and hasattr(self, "module_")

    def _run_training(self, build_module, train_data, valid_data, config, seed=None) -> None:
        """Build (or reuse, with warm_start) the module and train it with the engine."""
        seed = self.random_state if seed is None else seed
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
        self.stop_reason_ = self.history_[-1].get("stopped") if self.history_ else None

    def _predict_tensor(self, samples, out_shape=None) -> np.ndarray:
        out = engine.predict(self.module_, samples, self.device_, self.precision_,
                             out_shape=out_shape, n_threads=getattr(self, "n_threads", None))
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
        self.__dict__.update(with_new_params(type(self), state))
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


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b

"""The one training engine shared by every neural estimator of tsrnn.

The estimators turn user data into a :class:`Samples` object (tensors already on the
device, batches gathered by index) and call :func:`train`; prediction goes through
:func:`predict`. Nothing here knows about pandas or scikit-learn.
"""

from __future__ import annotations

import copy
import functools
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from . import distributed as _dist
from ._threads import SMALL_STEP_WORK as SMALL_STEP_WORK
from ._threads import choose_threads, thread_scope
from .exceptions import TrainingDivergedError

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}
LOSSES = ("mse", "mae", "huber", "pinball", "cross_entropy")
SCHEDULES = (None, "cosine", "plateau", "step")
PRECISIONS = {"32": None, "bf16": torch.bfloat16, "16": torch.float16}
PRECISION_NAMES = {"32": "32", "fp32": "32", "bf16": "bf16", "bf16-mixed": "bf16", "16": "16",
                   "fp16": "16", "16-mixed": "16"}


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"auto"``/None: CUDA when present, else CPU; otherwise the device named."""
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was asked for, but this machine has no Apple GPU (MPS); "
                         "use device='auto' or 'cpu'.")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was asked for, but CUDA is not available; "
                         "use device='auto' or 'cpu'.")
    if device.type == "cuda" and device.index is not None and \
            device.index >= torch.cuda.device_count():
        raise ValueError(f"device={str(device)!r} was asked for, but this machine has "
                         f"{torch.cuda.device_count()} CUDA device(s): cuda:0 to "
                         f"cuda:{torch.cuda.device_count() - 1}.")
    return device


def resolve_precision(precision, device: torch.device) -> str:
    """Normalise ``precision`` (32, "bf16", 16, ...) and fall back where unsupported."""
    name = PRECISION_NAMES.get(str(precision))
    if name is None:
        raise ValueError(f"precision={precision!r} is not one of 32, 'bf16', 16.")
    if name == "16" and device.type != "cuda":
        warnings.warn("fp16 mixed precision needs a CUDA device; training in fp32.", stacklevel=3)
        return "32"
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        warnings.warn("this GPU does not support bf16; training in fp32.", stacklevel=3)
        return "32"
    if name == "bf16" and device.type == "cpu" and not _cpu_bf16_works():
        warnings.warn("this CPU's torch build cannot run recurrent layers in bf16 (oneDNN "
                      "lacks it); training in fp32.", stacklevel=3)
        return "32"
    return name


_CPU_BF16 = []


def _cpu_bf16_works() -> bool:
    """Can this CPU run (and backpropagate through) every recurrent cell under bf16 autocast?

    Probed once per process on a tiny input: some oneDNN builds lack bf16 LSTM kernels.
    """
    if not _CPU_BF16:
        try:
            with torch.random.fork_rng(devices=[]):
                for cell in (nn.LSTM, nn.GRU, nn.RNN):
                    layer = cell(2, 2, batch_first=True)
                    with torch.autocast("cpu", dtype=torch.bfloat16):
                        out = layer(torch.zeros(1, 2, 2))[0]
                    out.float().sum().backward()
            _CPU_BF16.append(True)
        except (RuntimeError, NotImplementedError):
            _CPU_BF16.append(False)
    return _CPU_BF16[0]


@dataclass
class Samples:
    """Training samples kept on the device and gathered by index.

    Either ``x`` holds ready windows ``(n, time, features)``, or ``x`` is one contiguous
    series array ``(points, channels)`` and ``starts`` holds window start offsets; then a
    sample is ``x[s : s + window]`` and its target ``x[s + window : s + window + horizon,
    :n_targets]`` (``y`` stays None) and its known future inputs the same rows of
    ``future_cols`` (flattened into ``extra``). ``transform(x, y) -> (x, y)`` is applied to
    every batch after any augmentation (per-window normalisation, for instance).
    """

    x: torch.Tensor
    y: torch.Tensor | None = None
    starts: torch.Tensor | None = None
    window: int = 0
    horizon: int = 0
    n_targets: int = 0
    input_cols: torch.Tensor | None = None
    future_cols: torch.Tensor | None = None
    extra: torch.Tensor | None = None
    transform: Callable | None = None

    def __len__(self) -> int:
        return len(self.starts) if self.starts is not None else len(self.x)

    def batch(self, idx: torch.Tensor):
        """Return ``(x, y, extra)`` for the samples ``idx``."""
        if self.starts is None:
            x, y = self.x[idx], (None if self.y is None else self.y[idx])
            return x, y, None if self.extra is None else self.extra[idx]
        span = self.window + self.horizon
        block = self.x[self.starts[idx, None] + torch.arange(span, device=self.x.device)]
        x = block[:, : self.window]  # (batch, window, channels)
        if self.input_cols is not None:
            x = x[:, :, self.input_cols]
        y = block[:, self.window:, : self.n_targets]  # (batch, horizon, n_targets)
        extra = None
        if self.future_cols is not None:
            extra = block[:, self.window:, self.future_cols].flatten(1)  # (batch, horizon*k)
        return x, y, extra

    def get(self, idx: torch.Tensor, augment=None, generator=None, n_targets=None):
        """A batch as the network sees it: augmented (training only), then transformed.

        Augmenting comes first, so that the transform (per-window normalisation) makes
        augmented windows look like the windows seen at prediction.
        """
        x, y, extra = self.batch(idx)
        if augment is not None:
            x, y = augment(x, y, generator=generator, n_targets=n_targets)
        if self.transform is not None:
            x, y = self.transform(x, y)
        return x, y, extra


@dataclass
class TrainConfig:
    """Every knob of :func:`train`; built by the estimators from their parameters."""

    loss: str = "mse"
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    l1: float = 0.0
    batch_size: int = 64
    max_epochs: int = 50
    grad_clip: float | None = 1.0
    lr_schedule: str | None = None
    patience: int | None = None
    precision: str = "32"
    verbose: bool | int = False
    callbacks: list = field(default_factory=list)
    augment: Callable | None = None
    n_targets: int | None = None
    sync_every: int = 50
    n_threads: int | None = None
    quantiles: tuple | None = None  # loss="pinball": the quantile levels of the last axis


class EarlyStopping:
    """Keep the best weights seen and say when ``patience`` epochs brought no improvement.

    ``update(epoch, loss, module)`` returns True when training should stop. A non-finite
    monitored loss stops training at once: the best weights are kept when there are some,
    else :class:`TrainingDivergedError` is raised. ``restore(module)`` loads the best weights
    (only with a ``patience``, as documented).
    """

    def __init__(self, patience: int | None):
        self.patience = patience
        self.best_loss = float("inf")
        self.best_epoch = None
        self.best_state = None
        self.reason = None  # why training stopped early (None: the epoch budget ran out)

    def update(self, epoch: int, loss: float, module: nn.Module, what: str = "loss") -> bool:
        if not math.isfinite(loss):
            if self.best_state is None:
                raise TrainingDivergedError(
                    f"training diverged: the {what} became {loss} at epoch {epoch + 1} with "
                    "no earlier finite value to go back to. Lower lr, keep grad_clip on, "
                    "scale the data, or check the input for extreme values.")
            warnings.warn(f"the {what} became {loss} at epoch {epoch + 1}: training stopped "
                          f"and the weights of epoch {self.best_epoch + 1} (the best) were "
                          "restored.", stacklevel=3)
            module.load_state_dict(self.best_state)
            self.reason = (f"stopped at epoch {epoch + 1}: the {what} became {loss}; best "
                           f"epoch {self.best_epoch + 1} restored")
            return True
        if loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, epoch
            self.best_state = copy.deepcopy(module.state_dict())
            return False
        if self.patience is not None and epoch - self.best_epoch >= self.patience:
            self.reason = (f"early stopping at epoch {epoch + 1}: no better {what} for "
                           f"{self.patience} epochs; best epoch {self.best_epoch + 1} restored")
            return True
        return False

    def restore(self, module: nn.Module) -> None:
        if self.patience is not None and self.best_state is not None:
            module.load_state_dict(self.best_state)


def pinball_loss(out: torch.Tensor, y: torch.Tensor, quantiles: torch.Tensor) -> torch.Tensor:
    """Mean quantile (pinball) loss of ``out`` ``(..., n_quantiles)`` against ``y`` ``(...)``.

    ``quantiles`` holds the levels of the last axis; computed in fp32 (also under autocast).

    >>> pinball_loss(torch.tensor([[0.0, 1.0]]), torch.tensor([1.0]), torch.tensor([0.1, 0.9]))
    tensor(0.0500)
    """
    diff = y.float().unsqueeze(-1) - out.float()  # > 0 where the quantile is too low
    q = quantiles.to(device=diff.device, dtype=torch.float32)
    return torch.maximum(q * diff, (q - 1) * diff).mean()


def _loss_fn(name: str, huber_delta: float = 1.0, quantiles=None):
    if name == "pinball":
        if not quantiles:
            raise ValueError("loss='pinball' needs the quantile levels (quantiles).")
        levels = {"cpu": torch.tensor([float(q) for q in quantiles])}

        def loss(out, y):  # the levels copied to the output's device once
            key = str(out.device)
            if key not in levels:
                levels[key] = levels["cpu"].to(out.device)
            return pinball_loss(out, y, levels[key])

        return loss
    if name == "mse":
        return nn.functional.mse_loss
    if name == "mae":
        return nn.functional.l1_loss
    if name == "huber":
        return lambda out, y: nn.functional.huber_loss(out, y, delta=huber_delta)
    if name == "cross_entropy":
        return nn.functional.cross_entropy
    raise ValueError(f"loss={name!r} is not one of {LOSSES}.")


def _schedule(name, optimizer, max_epochs):
    if name is None:
        return None
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_epochs)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, max_epochs // 3),
                                               gamma=0.3)
    raise ValueError(f"lr_schedule={name!r} is not one of {SCHEDULES}.")


def _out_shape(y: torch.Tensor, quantiles=None):
    """The shape the network's output is read in: that of the targets, with a trailing
    quantile axis under the pinball loss (None for 1-d targets: class logits)."""
    if y.dim() <= 1:
        return None
    return tuple(y.shape) + ((len(quantiles),) if quantiles else ())


def _forward(module, x, extra, shape):
    out = module(x) if extra is None else module(x, extra)
    return out.float().reshape(shape) if shape is not None else out.float()


def _autocast(device: torch.device, precision: str):
    dtype = PRECISIONS[precision]
    return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)


def _evaluate(module, samples: Samples, loss_fn, device, precision, batch_size,
              quantiles=None) -> float:
    module.eval()
    total = torch.zeros((), device=device)
    with torch.inference_mode(), _autocast(device, precision):
        for idx in _dist.local_range(len(samples), device).split(batch_size):
            x, y, extra = samples.get(idx)
            total += loss_fn(_forward(module, x, extra, _out_shape(y, quantiles)), y) * len(idx)
    return _dist.all_reduce_sum(total).item() / len(samples)  # the same on every rank


def _scoped_train(train_fn):
    """Run ``train`` on the torch threads its config asks for (:func:`choose_threads`),
    the caller's thread count restored afterwards; in a process group, a dead or stuck
    peer raises :class:`tsrnn.distributed.PeerFailureError`."""
    @functools.wraps(train_fn)
    def scoped(module, train_data, valid_data, config, device, generator, history=None):
        n_threads = choose_threads(config.n_threads, module, config.batch_size, device)
        with thread_scope(n_threads), _dist.peer_failures():
            return train_fn(module, train_data, valid_data, config, device, generator, history)

    return scoped


@_scoped_train
def train(module: nn.Module, train_data: Samples, valid_data: Samples | None,
          config: TrainConfig, device: torch.device, generator: torch.Generator,
          history: list | None = None) -> list:
    """Train ``module`` in place and return the per-epoch history (a list of dicts).

    One host synchronisation every ``config.sync_every`` steps (to catch a diverging loss
    early) and one per epoch; batches are gathered by index on the device. With
    ``config.patience`` and validation data, training stops when the validation loss has not
    improved for ``patience`` epochs and the best weights are restored.

    Raises
    ------
    TrainingDivergedError
        When the loss becomes NaN or infinite; the weights of the last good epoch are restored.

    Inside a ``torch.distributed`` process group (:mod:`tsrnn.distributed`), training is
    data-parallel: the module is wrapped in ``DistributedDataParallel``, every rank draws
    the same order of samples and takes its share of each global batch of ``batch_size``,
    and the losses are summed over the ranks, so that every decision (early stopping,
    schedules, callbacks, divergence) is the same on every rank. Torch runs on
    ``config.n_threads`` threads (:func:`choose_threads`), restored on return.
    """
    history = [] if history is None else history
    net = _dist.wrap(module, device)  # the module itself outside a process group
    _dist.sync_generator(generator)
    augment_generator = _dist.rank_generator(generator)  # rank's own draws, shuffles shared
    loss_fn = _loss_fn(config.loss, quantiles=config.quantiles)
    optim = OPTIMIZERS[config.optimizer](module.parameters(), lr=config.lr,
                                         weight_decay=config.weight_decay)
    scheduler = _schedule(config.lr_schedule, optim, config.max_epochs)
    scaler = torch.amp.GradScaler(device.type, enabled=config.precision == "16")
    stopping = EarlyStopping(config.patience)
    epochs = range(len(history), len(history) + config.max_epochs)
    if config.verbose:
        from tqdm.auto import tqdm

        # quiet where stderr is not a terminal (logs, CI): disable=None
        epochs = tqdm(epochs, desc="training", unit="epoch", disable=None)
    for epoch in epochs:
        start = time.perf_counter()
        good_state = copy.deepcopy(module.state_dict())
        train_loss = _train_epoch(module, train_data, loss_fn, optim, scaler, config, device,
                                  generator, epoch, good_state, net, augment_generator)
        record = {"epoch": epoch + 1, "train_loss": train_loss,
                  "lr": optim.param_groups[0]["lr"]}
        if valid_data is not None and len(valid_data):
            record["valid_loss"] = _evaluate(module, valid_data, loss_fn, device,
                                             config.precision, 4 * config.batch_size,
                                             config.quantiles)
        record["time"] = time.perf_counter() - start
        history.append(record)
        if config.verbose:
            epochs.set_postfix({k: f"{v:.4g}" for k, v in record.items() if "loss" in k})
            if config.verbose >= 2:  # scikit-learn's / Keras' 2: one line per epoch too
                epochs.write(f"epoch {epoch + 1}: " + ", ".join(
                    f"{k} {v:.4g}" for k, v in record.items() if k != "epoch"))
        _step_schedule(scheduler, record)
        for callback in config.callbacks:
            callback(epoch + 1, record)
        what = "validation loss" if "valid_loss" in record else "training loss"
        if stopping.update(epoch, record.get("valid_loss", train_loss), module, what):
            break
    stopping.restore(module)
    if history:  # say why training ended, in the history and on the progress bar
        history[-1]["stopped"] = stopping.reason or (
            f"epoch budget reached (max_epochs={config.max_epochs})")
        if config.verbose:
            epochs.set_description(history[-1]["stopped"])
            epochs.close()
    module.eval()
    return history


def _step_schedule(scheduler, record):
    if scheduler is None:
        return
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(record.get("valid_loss", record["train_loss"]))
    else:
        scheduler.step()


def _train_epoch(module, data, loss_fn, optim, scaler, config, device, generator, epoch,
                 good_state, net=None, augment_generator=None) -> float:
    """One pass over ``data`` in shuffled batches; ``net`` is the module or its
    ``DistributedDataParallel`` wrapper (then each rank trains on its share of every batch,
    its loss weighted so that the averaged gradient is that of the whole batch)."""
    net = module if net is None else net
    augment_generator = generator if augment_generator is None else augment_generator
    net.train()
    n = len(data)
    order = torch.randperm(n, device=device, generator=generator)
    total = torch.zeros((), device=device)
    bad_step = torch.full((), -1, device=device, dtype=torch.long)
    params = [p for p in module.parameters() if p.requires_grad]
    for step, batch in enumerate(order.split(config.batch_size)):
        idx, n_local, weight = _dist.shard(batch)
        x, y, extra = data.get(idx, config.augment, augment_generator, config.n_targets)
        with _autocast(device, config.precision):
            out = _forward(net, x, extra, _out_shape(y, config.quantiles))
            loss = loss_fn(out, y)
        if config.l1:
            loss = loss + config.l1 * sum(p.abs().sum() for p in params)
        optim.zero_grad(set_to_none=True)
        scaler.scale(loss * weight if weight != 1.0 else loss).backward()
        if config.grad_clip:
            scaler.unscale_(optim)
            nn.utils.clip_grad_norm_(params, config.grad_clip)
        scaler.step(optim)
        scaler.update()
        detached = loss.detach()
        total += detached * n_local
        bad_step = torch.where((bad_step < 0) & ~torch.isfinite(detached), step, bad_step)
        if (step + 1) % config.sync_every == 0:
            _check_finite(bad_step, module, good_state, epoch, optim)
    _check_finite(bad_step, module, good_state, epoch, optim)
    return _dist.all_reduce_sum(total).item() / n  # the same on every rank


def _check_finite(bad_step, module, good_state, epoch, optim):
    step = int(_dist.all_reduce_max(bad_step).item())  # diverged on any rank: on all
    if step >= 0:
        module.load_state_dict(good_state)
        raise TrainingDivergedError(
            f"training diverged: the loss became NaN or infinite at epoch {epoch + 1}, "
            f"step {step + 1} (lr={optim.param_groups[0]['lr']:.3g}). The weights of the "
            "last good epoch were restored. Lower lr, keep grad_clip on, scale the data, "
            "or check the input for extreme values.")


def predict(module: nn.Module, samples: Samples, device: torch.device, precision: str = "32",
            batch_size: int = 4096, out_shape: tuple | None = None,
            n_threads: int | None = None) -> torch.Tensor:
    """Run ``module`` over all samples in large batches; returns a float32 tensor on the device.

    Torch runs on ``n_threads`` threads (:func:`choose_threads`), restored on return.
    """
    if module.training:  # eval() walks every submodule: only when needed
        module.eval()
    outs = []
    threads = choose_threads(n_threads, module, min(len(samples), batch_size), device)
    with thread_scope(threads), torch.inference_mode(), _autocast(device, precision):
        if samples.starts is None and samples.transform is None and len(samples) <= batch_size:
            shape = None if out_shape is None else (len(samples),) + tuple(out_shape)
            return _forward(module, samples.x, samples.extra, shape)  # one batch: no gather
        for idx in torch.arange(len(samples), device=device).split(batch_size):
            x, _, extra = samples.get(idx)
            shape = None if out_shape is None else (len(idx),) + tuple(out_shape)
            outs.append(_forward(module, x, extra, shape))
    return torch.cat(outs) if outs else torch.empty(0, device=device)

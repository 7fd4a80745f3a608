"""The augmenter contract: :class:`Augmenter` (a transform of a training batch that keeps
its shapes, dtypes and device, applied to a share ``p`` of the samples, refusing the tasks
it does not suit) and the checks of its parameters and batches. The augmenters themselves
are in :mod:`tsrnn.augment`, which re-exports this class.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator

from ._validation import Interval, ValidatedParams

TASKS = ("forecasting", "regression", "classification")


def _select(apply: torch.Tensor, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    """Per sample: ``new`` where ``apply`` (shape (batch,)) is True, else ``old``."""
    return torch.where(apply.view(-1, *([1] * (new.ndim - 1))), new, old)


def _check_number(name, value, low, high, *, integer=False, closed=True):
    kind = Integral if integer else Real
    valid = isinstance(value, kind) and not isinstance(value, bool)
    if not valid or not (low <= value <= high if closed else low < value < high):
        bounds = f"[{low}, {high}]" if closed else f"({low}, {high})"
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'} "
                         f"in {bounds}, got {value!r}.")


def _check_batch(x, y, generator, n_targets) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor of shape (batch, time, "
                        f"features), got {type(x).__name__} {getattr(x, 'shape', '')}.")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}.")
    gen = generator.device
    if gen.type != x.device.type or (gen.index or 0) != (x.device.index or 0):
        raise ValueError(f"generator is on {gen} but x is on {x.device}; create it with "
                         "torch.Generator(device=x.device).")
    if y is None:
        return
    if not isinstance(y, torch.Tensor) or y.device != x.device or len(y) != len(x):
        raise ValueError(f"y must be a torch.Tensor on {x.device} with {len(x)} samples "
                         f"like x, got {type(y).__name__} {getattr(y, 'shape', '')}.")
    if n_targets is not None and (y.ndim != 3 or y.shape[2] != n_targets
                                  or not y.is_floating_point()):
        raise ValueError("for forecasting y must be a float tensor of shape (batch, horizon, "
                         f"n_targets={n_targets}), got {y.dtype} {tuple(y.shape)}.")
    if n_targets is None and y.ndim not in (1, 2):
        raise ValueError(f"y must have shape (batch,) or (batch, n_outputs), got {tuple(y.shape)}.")


class Augmenter(ValidatedParams, BaseEstimator):
    """Base class: parameters only in ``__init__``; subclasses implement ``_augment``.

    ``__call__(x, y, *, generator, n_targets=None)`` validates the batch, draws
    which samples to augment (probability ``p``) and returns new ``(x, y)`` with
    the same shapes, dtypes and device; inputs are never modified.
    ``check_task(task, n_targets, n_features)`` raises ValueError for parameters
    or tasks that make no sense.
    """

    def __call__(self, x: torch.Tensor, y: torch.Tensor | None, *,
                 generator: torch.Generator, n_targets: int | None = None,
                 ) -> tuple[torch.Tensor, torch.Tensor | None]:
        _check_batch(x, y, generator, n_targets)
        if n_targets is not None:
            self.check_task("forecasting", n_targets, x.shape[2])
        else:
            self._check_params()
        apply = torch.rand(len(x), device=x.device, generator=generator) < self.p
        return self._augment(x, y, apply, generator, n_targets)

    def check_task(self, task: str, n_targets: int | None, n_features: int) -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}.")
        _check_number("n_features", n_features, 1, np.inf, integer=True)
        if task == "forecasting":
            _check_number("n_targets", n_targets, 1, n_features, integer=True)
        elif n_targets is not None:
            raise ValueError(f"n_targets must be None for task {task!r}, got {n_targets!r}.")
        self._check_params()
        self._check_task(task, n_targets, n_features)

    _parameter_constraints = {"p": [Interval(Real, 0, 1, closed="both")],
                              "label_invariant": ["boolean"]}

    def _check_params(self) -> None:
        """Every parameter against ``_parameter_constraints`` (merged along the classes)."""
        self._validate_params()

    def _check_task(self, task, n_targets, n_features) -> None:
        """Refuse tasks that make no sense; every task is allowed by default."""

    def _augment(self, x, y, apply, generator, n_targets):
        raise NotImplementedError

    def _refuse_regression(self, task, why: str) -> None:
        if task == "regression" and not self.label_invariant:
            raise ValueError(f"{type(self).__name__} {why}, which may change a regression "
                             "label; pass label_invariant=True if it does not.")

"""Time-series data augmentation, applied per batch on the device.

Every augmenter is called as ``aug(x, y, generator=g, n_targets=k)`` on a batch
``x`` of shape (batch, time, features) and returns new tensors ``(x, y)``. Each
sample is augmented with probability ``p``; all randomness comes from ``g``, so
a fixed seed repeats the same augmentations. ``n_targets`` is given for
forecasting only: ``y`` is then (batch, horizon, n_targets), the continuation of
``x[..., :n_targets]``. For regression and classification ``y`` is (batch,) or
(batch, n_outputs) and not aligned in time with ``x``. ``__call__`` cannot tell
regression from classification, so call ``check_task`` first (the training
engine and :func:`augment_dataset` do).
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch.nn import functional as F

from ._augmenter import TASKS as TASKS
from ._augmenter import Augmenter, _check_number, _select
from ._augmenter import _check_batch as _check_batch
from ._validation import Interval, StrOptions

__all__ = [
    "Augmenter", "TimeReversal", "TimeShift", "GaussianNoise", "MagnitudeScaling",
    "WindowSlicing", "Mixup", "Compose", "as_augmenter", "augment_dataset",
]

_MIN_SCALE = 1e-2  # lower clamp of MagnitudeScaling factors: keeps them > 0


class TimeReversal(Augmenter):
    """Reverse the series in time.

    Forecasting: the joint sequence ``cat(x[..., :n_targets], y)`` is reversed
    in time and split again: the new ``x`` is its first ``time`` steps, the new
    ``y`` the rest, so ``y`` still continues ``x``. Refused when ``x`` has
    covariate channels beyond the targets (they have no future to reverse).
    Classification: ``x`` is reversed, the label is kept (assumed invariant).
    Regression: as classification, refused unless ``label_invariant=True``.

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    label_invariant : bool, default=False
        Whether a regression label is unchanged by time reversal.

    Examples
    --------
    >>> import torch
    >>> x, y = torch.arange(3.).view(1, 3, 1), torch.arange(3., 5.).view(1, 2, 1)
    >>> g = torch.Generator().manual_seed(0)
    >>> xr, yr = TimeReversal(p=1.0)(x, y, generator=g, n_targets=1)
    >>> xr.flatten().tolist(), yr.flatten().tolist()
    ([4.0, 3.0, 2.0], [1.0, 0.0])
    """

    def __init__(self, p: float = 0.5, label_invariant: bool = False):
        self.p = p
        self.label_invariant = label_invariant

    def _check_task(self, task, n_targets, n_features):
        if task == "forecasting" and n_features > n_targets:
            raise ValueError(
                f"TimeReversal cannot reverse forecasting windows with covariates: x has "
                f"{n_features} features but only {n_targets} target(s), and the covariates "
                "have no future values in y to reverse with them.")
        self._refuse_regression(task, "reverses time")

    def _augment(self, x, y, apply, generator, n_targets):
        if n_targets is None or y is None:
            return _select(apply, x.flip(1), x), y
        joint = torch.cat([x, y], dim=1).flip(1)  # (batch, time + horizon, n_targets)
        steps = x.shape[1]
        return _select(apply, joint[:, :steps], x), _select(apply, joint[:, steps:], y)


class TimeShift(Augmenter):
    """Shift ``x`` in time by a random non-zero number of steps (at most ``max_shift``).

    ``mode="circular"`` rolls the series (steps pushed off one end re-enter at the
    other); ``mode="pad"`` crops it at a random offset and repeats the edge value
    to keep the length. Only ``x`` changes; the label is kept (classification:
    assumed invariant; regression: refused unless ``label_invariant=True``).
    Forecasting is refused in both modes: any shift moves the last step of ``x``
    away from ``y[0]`` (a circular one also wraps the end to the start), so ``y``
    would no longer continue ``x``. Random window offsets, drawn by the training
    engine, are the continuity-preserving form of a time shift.

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    max_shift : int, default=5
        Largest shift in steps; must be smaller than the number of time steps.
    mode : {"circular", "pad"}, default="circular"
        Roll the series, or crop it and pad with the edge value.
    label_invariant : bool, default=False
        Whether a regression label is unchanged by the shift.

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(4.).view(1, 4, 1)
    >>> g = torch.Generator().manual_seed(0)
    >>> xs, _ = TimeShift(p=1.0, max_shift=1, mode="pad")(x, None, generator=g)
    >>> xs.flatten().tolist() in ([0.0, 0.0, 1.0, 2.0], [1.0, 2.0, 3.0, 3.0])
    True
    """

    _parameter_constraints = {"max_shift": [Interval(Integral, 1, None, closed="left")],
                              "mode": [StrOptions({"circular", "pad"})]}

    def __init__(self, p: float = 0.5, max_shift: int = 5, mode: str = "circular",
                 label_invariant: bool = False):
        self.p = p
        self.max_shift = max_shift
        self.mode = mode
        self.label_invariant = label_invariant

    def _check_task(self, task, n_targets, n_features):
        if task == "forecasting":
            raise ValueError(
                "TimeShift cannot be used for forecasting: shifting x moves its last step "
                "away from y[0] (a circular shift also wraps the window end to its start), "
                "so y would no longer continue x; random window offsets already shift time.")
        self._refuse_regression(task, "shifts time")

    def _augment(self, x, y, apply, generator, n_targets):
        batch, steps, n_feat = x.shape
        if self.max_shift >= steps:
            raise ValueError(f"max_shift={self.max_shift} must be smaller than the number "
                             f"of time steps ({steps}).")
        size, kw = (batch,), {"device": x.device, "generator": generator}
        shift = torch.randint(1, self.max_shift + 1, size, **kw)
        shift = shift * (2 * torch.randint(0, 2, size, **kw) - 1)  # random sign
        source = torch.arange(steps, device=x.device) - shift[:, None]  # (batch, time)
        source = source % steps if self.mode == "circular" else source.clamp(0, steps - 1)
        shifted = x.gather(1, source[..., None].expand(-1, -1, n_feat))
        return _select(apply, shifted, x), y


class GaussianNoise(Augmenter):
    """Add Gaussian noise to ``x``, scaled per sample and channel to the std of ``x`` over time.

    The noise has standard deviation ``sigma * std(x)`` (std over time, per
    sample and channel), so a constant channel is left unchanged. Targets ``y``
    are never touched: the model learns to predict clean targets from noisy
    inputs. Allowed for every task.

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    sigma : float, default=0.05
        Noise level relative to the series' standard deviation.

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(8, 20, 2, generator=torch.Generator().manual_seed(1))
    >>> xn, _ = GaussianNoise(p=1.0)(x, None, generator=torch.Generator().manual_seed(0))
    >>> bool((xn - x).abs().max() < 1)
    True
    """

    _parameter_constraints = {"sigma": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, p: float = 0.5, sigma: float = 0.05):
        self.p = p
        self.sigma = sigma

    def _augment(self, x, y, apply, generator, n_targets):
        std = x.std(dim=1, keepdim=True, correction=0)  # (batch, 1, features)
        noise = torch.randn(x.shape, device=x.device, dtype=x.dtype, generator=generator)
        return _select(apply, x + self.sigma * std * noise, x), y


class MagnitudeScaling(Augmenter):
    """Multiply each sample by a random factor drawn from N(1, sigma), clamped to >= 0.01.

    Forecasting: the target channels of ``x`` and ``y`` are scaled by the same
    factor, so ``y`` still continues ``x``; covariate channels are unchanged.
    Regression: all of ``x``, and ``y`` as well when ``scale_target=True``.
    Classification: all of ``x``; the label is kept (``scale_target`` refused).

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    sigma : float, default=0.1
        Standard deviation of the factor.
    scale_target : bool, default=False
        Regression only: scale ``y`` by the same factor as ``x``.

    Examples
    --------
    >>> import torch
    >>> x, y = torch.ones(4, 5, 1), torch.ones(4, 2, 1)
    >>> xs, ys = MagnitudeScaling(p=1.0)(x, y, generator=torch.Generator(), n_targets=1)
    >>> bool(torch.equal(xs[:, :2], ys))
    True
    """

    _parameter_constraints = {"sigma": [Interval(Real, 0, None, closed="left")],
                              "scale_target": ["boolean"]}

    def __init__(self, p: float = 0.5, sigma: float = 0.1, scale_target: bool = False):
        self.p = p
        self.sigma = sigma
        self.scale_target = scale_target

    def _check_task(self, task, n_targets, n_features):
        if task == "classification" and self.scale_target:
            raise ValueError("MagnitudeScaling cannot scale classification labels; "
                             "use scale_target=False.")

    def _augment(self, x, y, apply, generator, n_targets):
        noise = torch.randn(len(x), device=x.device, dtype=x.dtype, generator=generator)
        factor = (1 + self.sigma * noise).clamp_min(_MIN_SCALE)
        factor = torch.where(apply, factor, 1)  # (batch,); exactly 1 where not applied
        x_factor = factor.view(-1, 1, 1)
        if n_targets is not None:  # covariate channels keep a factor of 1
            targets = torch.arange(x.shape[2], device=x.device) < n_targets
            x_factor = torch.where(targets, x_factor, 1)  # (batch, 1, features)
        if y is not None and (n_targets is not None or self.scale_target):
            if not y.is_floating_point():
                raise ValueError(f"MagnitudeScaling needs a floating-point y, got {y.dtype}.")
            y = y * factor.view(-1, *([1] * (y.ndim - 1))).to(y.dtype)
        return x * x_factor, y


class WindowSlicing(Augmenter):
    """Take a random contiguous slice of ``ratio * time`` steps of ``x``, stretched back to
    ``time``.

    The stretch is linear interpolation (:func:`torch.nn.functional.interpolate`
    with ``align_corners=True``, so the slice's end points are kept). Only ``x``
    changes. Classification: the label is kept (assumed invariant). Regression:
    refused unless ``label_invariant=True``. Forecasting: refused, since the
    stretch changes the time scale of ``x`` relative to ``y``.

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    ratio : float, default=0.9
        Fraction of the time steps kept, in (0, 1); at least 2 steps are kept.
    label_invariant : bool, default=False
        Whether a regression label is unchanged by slicing.

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(10.).view(1, 10, 1)
    >>> xs, _ = WindowSlicing(p=1.0)(x, None, generator=torch.Generator())
    >>> tuple(xs.shape), bool(xs[0, -1, 0] - xs[0, 0, 0] == 8)
    ((1, 10, 1), True)
    """

    _parameter_constraints = {"ratio": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, p: float = 0.5, ratio: float = 0.9, label_invariant: bool = False):
        self.p = p
        self.ratio = ratio
        self.label_invariant = label_invariant

    def _check_task(self, task, n_targets, n_features):
        if task == "forecasting":
            raise ValueError("WindowSlicing cannot be used for forecasting: stretching x "
                             "changes its time scale relative to y.")
        self._refuse_regression(task, "stretches time")

    def _augment(self, x, y, apply, generator, n_targets):
        batch, steps, n_feat = x.shape
        length = max(2, int(self.ratio * steps))
        if length >= steps:
            raise ValueError(f"WindowSlicing needs at least 3 time steps, got {steps}.")
        start = torch.randint(0, steps - length + 1, (batch,), device=x.device,
                              generator=generator)
        index = start[:, None] + torch.arange(length, device=x.device)  # (batch, length)
        window = x.gather(1, index[..., None].expand(-1, -1, n_feat))  # (batch, length, feat)
        stretched = F.interpolate(window.transpose(1, 2), size=steps, mode="linear",
                                  align_corners=True).transpose(1, 2)  # (batch, time, feat)
        return _select(apply, stretched, x), y


class Mixup(Augmenter):
    """Replace a sample by a convex combination with another sample of the batch.

    The partner comes from a random cyclic permutation of the batch (never the
    sample itself, unless the batch has one sample) and the weight
    ``lam`` from Beta(alpha, alpha), one per sample:
    ``x = lam * x + (1 - lam) * x[perm]`` and the same ``lam`` for ``y``.
    Forecasting and regression: ``x`` and ``y`` are mixed. Classification: ``y``
    must be one-hot (or soft) float labels of shape (batch, n_classes); integer
    labels are refused when called, since ``check_task`` does not see ``y``.

    Parameters
    ----------
    p : float, default=0.5
        Probability that a sample is augmented.
    alpha : float, default=0.2
        Beta concentration; small values keep ``lam`` near 0 or 1.

    Examples
    --------
    >>> import torch
    >>> x, y = torch.arange(4.).view(4, 1, 1).expand(4, 3, 1), torch.arange(4.)
    >>> xm, ym = Mixup(p=1.0)(x, y, generator=torch.Generator().manual_seed(0))
    >>> bool(torch.allclose(xm[:, 0, 0], ym))
    True
    """

    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, p: float = 0.5, alpha: float = 0.2):
        self.p = p
        self.alpha = alpha

    def _augment(self, x, y, apply, generator, n_targets):
        if y is not None and not y.is_floating_point():
            raise ValueError("Mixup needs a floating-point y (one-hot labels for "
                             f"classification); integer labels are refused, got {y.dtype}.")
        order = torch.randperm(len(x), device=x.device, generator=generator)
        perm = torch.empty_like(order)
        perm[order] = order.roll(-1)  # a random cycle: no sample is paired with itself
        conc = torch.full((len(x), 2), float(self.alpha), device=x.device)
        # Beta(a, a) is the first coordinate of Dirichlet(a, a); torch.distributions
        # cannot take a generator, so this calls its sampler directly.
        lam = torch._sample_dirichlet(conc, generator=generator)[:, 0]  # (batch,)
        x_new = _select(apply, torch.lerp(x[perm], x, lam.to(x.dtype).view(-1, 1, 1)), x)
        if y is not None:
            lam_y = lam.to(y.dtype).view(-1, *([1] * (y.ndim - 1)))
            y = _select(apply, torch.lerp(y[perm], y, lam_y), y)
        return x_new, y


class Compose(Augmenter):
    """Apply several augmenters in order, sharing one generator.

    Each step draws its own samples to augment with its own ``p``. ``check_task``
    checks every step. An empty list is the identity (inputs returned as given).

    Parameters
    ----------
    augmenters : list of Augmenter
        The steps, applied first to last.

    Examples
    --------
    >>> import torch
    >>> aug = Compose([GaussianNoise(p=1.0), MagnitudeScaling(p=1.0)])
    >>> x, _ = aug(torch.randn(2, 6, 1), None, generator=torch.Generator())
    >>> tuple(x.shape)
    (2, 6, 1)
    """

    _parameter_constraints = {"augmenters": [list, tuple]}

    def __init__(self, augmenters: list[Augmenter]):
        self.augmenters = augmenters

    def __call__(self, x, y, *, generator, n_targets=None):
        self._check_params()
        for step in self.augmenters:
            x, y = step(x, y, generator=generator, n_targets=n_targets)
        return x, y

    def _check_params(self):
        self._validate_params()
        if not isinstance(self.augmenters, (list, tuple)) or not all(
                isinstance(step, Augmenter) for step in self.augmenters):
            raise TypeError("Compose needs a list of Augmenter instances, got "
                            f"{self.augmenters!r}.")

    def _check_task(self, task, n_targets, n_features):
        for step in self.augmenters:
            step.check_task(task, n_targets, n_features)


def as_augmenter(obj: Augmenter | list | tuple | None) -> Augmenter | None:
    """Turn an ``augment=`` argument into an :class:`Augmenter`.

    ``None`` gives None, a list or tuple gives :class:`Compose`, an augmenter is
    returned as is; anything else raises TypeError.

    Examples
    --------
    >>> as_augmenter([GaussianNoise()])
    Compose(augmenters=[GaussianNoise()])
    """
    if obj is None or isinstance(obj, Augmenter):
        return obj
    if isinstance(obj, (list, tuple)):
        return Compose(list(obj))
    raise TypeError("augment must be None, an Augmenter or a list of Augmenters, got "
                    f"{type(obj).__name__}.")


def _as_numeric(name: str, values) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {array.dtype}; encode labels "
                        "as integers or one-hot floats first.")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or inf.")
    return array


def augment_dataset(X, y=None, *, augmenters, n_copies: int = 1,
                    task: str = "classification", n_targets: int | None = None,
                    random_state=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the dataset followed by ``n_copies`` augmented copies of it.

    Parameters
    ----------
    X : array-like of shape (n_samples, time, features)
        Input windows; integer input is converted to float64.
    y : array-like or None, default=None
        Forecasting: (n_samples, horizon, n_targets), the continuation of
        ``X[..., :n_targets]``. Otherwise (n_samples,) or (n_samples, n_outputs).
    augmenters : Augmenter or list of Augmenter
        Applied with their own ``p``, so a copy may leave some samples unchanged.
    n_copies : int, default=1
        Number of augmented copies appended after the originals.
    task : {"classification", "regression", "forecasting"}, default="classification"
        Checked with ``check_task`` before augmenting.
    n_targets : int or None, default=None
        Number of target channels; required for forecasting, None otherwise.
    random_state : int, RandomState or None, default=None
        Seed; the same int gives the same copies.

    Returns
    -------
    X_aug : ndarray of shape ((n_copies + 1) * n_samples, time, features)
    y_aug : ndarray or None
        ``y`` stacked the same way.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.random.rand(10, 24, 1), np.arange(10) % 2
    >>> X_aug, y_aug = augment_dataset(X, y, augmenters=[TimeReversal()], n_copies=2,
    ...                                random_state=0)
    >>> X_aug.shape, y_aug.shape
    ((30, 24, 1), (30,))
    """
    aug = as_augmenter(augmenters)
    if aug is None:
        raise TypeError("augmenters must be an Augmenter or a list of Augmenters, got None.")
    X = _as_numeric("X", X)
    X = X if X.dtype.kind == "f" else X.astype(np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_samples, time, features), got {X.shape}; "
                         "add a channel axis with X[..., None].")
    _check_number("n_copies", n_copies, 0, np.inf, integer=True)
    aug.check_task(task, n_targets, X.shape[2])
    seed = int(check_random_state(random_state).randint(2**31 - 1))
    generator = torch.Generator().manual_seed(seed)
    x_t = torch.tensor(X)
    y_t = None if y is None else torch.tensor(_as_numeric("y", y))
    xs, ys = [x_t], [y_t]
    for _ in range(n_copies):
        x_new, y_new = aug(x_t, y_t, generator=generator, n_targets=n_targets)
        xs.append(x_new)
        ys.append(y_new)
    y_out = None if y is None else torch.cat(ys).numpy()
    return torch.cat(xs).numpy(), y_out

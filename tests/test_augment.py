import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tsrnn.augment import (
    Augmenter,
    Compose,
    GaussianNoise,
    MagnitudeScaling,
    Mixup,
    TimeReversal,
    TimeShift,
    WindowSlicing,
    as_augmenter,
    augment_dataset,
)

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
BATCH, STEPS, HORIZON = 16, 12, 4


def make_batch(task, n_features=3, n_targets=1, dtype=torch.float32, device="cpu", seed=0):
    """Random batch for a task: (x, y, n_targets) as the training engine passes them."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, STEPS, n_features, generator=g, dtype=dtype)
    if task == "forecasting":
        y = torch.randn(BATCH, HORIZON, n_targets, generator=g, dtype=dtype)
    elif task == "regression":
        y, n_targets = torch.randn(BATCH, 2, generator=g, dtype=dtype), None
    else:
        y, n_targets = torch.randint(0, 3, (BATCH,), generator=g), None
    return x.to(device), y.to(device), n_targets


def one_hot(y, dtype=torch.float32):
    return torch.nn.functional.one_hot(y, 3).to(dtype)


# (factory taking p, task, number of features) for every augmenter and a task it supports
CASES = [
    (lambda p: TimeReversal(p=p), "forecasting", 1),
    (lambda p: TimeReversal(p=p), "classification", 3),
    (lambda p: TimeShift(p=p, max_shift=3), "classification", 3),
    (lambda p: TimeShift(p=p, mode="pad", label_invariant=True), "regression", 3),
    (lambda p: GaussianNoise(p=p), "forecasting", 3),
    (lambda p: GaussianNoise(p=p), "classification", 3),
    (lambda p: MagnitudeScaling(p=p), "forecasting", 3),
    (lambda p: MagnitudeScaling(p=p, scale_target=True), "regression", 3),
    (lambda p: WindowSlicing(p=p), "classification", 3),
    (lambda p: WindowSlicing(p=p, label_invariant=True), "regression", 3),
    (lambda p: Mixup(p=p), "forecasting", 3),
    (lambda p: Mixup(p=p), "regression", 3),
    (lambda p: Mixup(p=p), "classification", 3),
    (lambda p: Compose([TimeShift(p=p), GaussianNoise(p=p)]), "classification", 3),
]
IDS = [f"{type(make(0.5)).__name__}-{task}-{n}" for make, task, n in CASES]


def run_case(make, task, n_features, p, dtype=torch.float32, device="cpu", seed=0):
    x, y, n_targets = make_batch(task, n_features, dtype=dtype, device=device)
    if task == "classification" and isinstance(make(p), (Mixup, Compose)):
        y = one_hot(y, dtype)
    aug = make(p)
    aug.check_task(task, n_targets, n_features)
    g = torch.Generator(device=device).manual_seed(seed)
    return (x, y), aug(x, y, generator=g, n_targets=n_targets)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("make, task, n_features", CASES, ids=IDS)
def test_shapes_dtypes_devices_preserved(make, task, n_features, dtype, device):
    (x, y), (x_new, y_new) = run_case(make, task, n_features, 0.5, dtype, device)
    for old, new in ((x, x_new), (y, y_new)):
        assert new.shape == old.shape and new.dtype == old.dtype
        assert new.device == old.device


@pytest.mark.parametrize("make, task, n_features", CASES, ids=IDS)
def test_p0_identical_p1_changes_every_sample(make, task, n_features):
    (x, y), (x0, y0) = run_case(make, task, n_features, 0.0)
    assert torch.equal(x0, x) and torch.equal(y0, y)
    _, (x1, _) = run_case(make, task, n_features, 1.0)
    assert (x1 != x).flatten(1).any(1).all()


@pytest.mark.parametrize("make, task, n_features", CASES, ids=IDS)
def test_inputs_not_mutated_and_new_tensors(make, task, n_features):
    x, y, n_targets = make_batch(task, n_features)
    y = one_hot(y) if task == "classification" else y
    x_copy, y_copy = x.clone(), y.clone()
    x_new, _ = make(1.0)(x, y, generator=torch.Generator(), n_targets=n_targets)
    assert torch.equal(x, x_copy) and torch.equal(y, y_copy)
    assert x_new.data_ptr() != x.data_ptr()


@pytest.mark.parametrize("make, task, n_features", CASES, ids=IDS)
def test_repeatable_with_seed(make, task, n_features):
    _, (xa, ya) = run_case(make, task, n_features, 0.5, seed=1)
    _, (xb, yb) = run_case(make, task, n_features, 0.5, seed=1)
    _, (xc, _) = run_case(make, task, n_features, 0.5, seed=2)
    assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert not torch.equal(xa, xc)


def test_p_is_a_per_sample_probability():
    x = torch.randn(400, 8, 1, generator=torch.Generator().manual_seed(0))
    x_new, _ = GaussianNoise(p=0.3)(x, None, generator=torch.Generator().manual_seed(0))
    changed = (x_new != x).flatten(1).any(1).float().mean().item()
    assert 0.2 < changed < 0.4


def test_time_reversal_of_ramp_continues_consistently():
    x = torch.arange(5.0).view(1, 5, 1)
    y = torch.arange(5.0, 8.0).view(1, 3, 1)
    x_new, y_new = TimeReversal(p=1.0)(x, y, generator=torch.Generator(), n_targets=1)
    assert x_new.flatten().tolist() == [7.0, 6.0, 5.0, 4.0, 3.0]
    assert y_new.flatten().tolist() == [2.0, 1.0, 0.0]


def test_time_reversal_classification_reverses_x_only():
    x, y, _ = make_batch("classification")
    x_new, y_new = TimeReversal(p=1.0)(x, y, generator=torch.Generator())
    assert torch.equal(x_new, x.flip(1)) and torch.equal(y_new, y)


@pytest.mark.parametrize("mode", ["circular", "pad"])
def test_time_shift_moves_x_by_nonzero_steps(mode):
    x = torch.arange(10.0).view(1, 10, 1).repeat(64, 1, 2)
    x_new, _ = TimeShift(p=1.0, max_shift=2, mode=mode)(x, None, generator=torch.Generator())
    t = torch.arange(10.0)
    candidates = [t.roll(s) if mode == "circular" else (t - s).clamp(0, 9)
                  for s in (-2, -1, 1, 2)]
    seen = set()
    for sample in x_new:
        assert torch.equal(sample[:, 0], sample[:, 1])
        seen.add(next(i for i, c in enumerate(candidates) if torch.equal(sample[:, 0], c)))
    assert seen == {0, 1, 2, 3}


def test_time_shift_max_shift_too_large():
    x = torch.randn(2, 4, 1)
    with pytest.raises(ValueError, match="max_shift=4 must be smaller"):
        TimeShift(max_shift=4)(x, None, generator=torch.Generator())


def test_gaussian_noise_scaled_to_std_and_targets_untouched():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 2000, 3, generator=g) * torch.tensor([0.1, 10.0, 0.0])
    y = torch.randn(4, 5, 1, generator=g)
    x_new, y_new = GaussianNoise(p=1.0, sigma=0.1)(x, y, generator=g, n_targets=1)
    noise_std = (x_new - x).std(dim=1)  # (batch, features)
    assert torch.allclose(noise_std[:, :2], torch.tensor([0.01, 1.0]).expand(4, 2), rtol=0.1)
    assert torch.equal(x_new[..., 2], x[..., 2])
    assert torch.equal(y_new, y)


def test_magnitude_scaling_forecasting_consistent_ratio():
    x, y, n_targets = make_batch("forecasting", n_features=3, n_targets=2)
    aug = MagnitudeScaling(p=1.0, sigma=0.3)
    x_new, y_new = aug(x, y, generator=torch.Generator(), n_targets=2)
    factor = (x_new[:, :1, :1] / x[:, :1, :1])  # (batch, 1, 1)
    assert not torch.allclose(factor, torch.ones_like(factor))
    assert torch.allclose(x_new[..., :2], x[..., :2] * factor)
    assert torch.allclose(y_new, y * factor)
    assert torch.equal(x_new[..., 2:], x[..., 2:])
    assert (factor > 0).all()


@pytest.mark.parametrize("scale_target", [False, True])
def test_magnitude_scaling_regression_target(scale_target):
    x, y, _ = make_batch("regression")
    aug = MagnitudeScaling(p=1.0, sigma=0.3, scale_target=scale_target)
    x_new, y_new = aug(x, y, generator=torch.Generator())
    factor = x_new[:, 0, 0] / x[:, 0, 0]
    assert torch.allclose(x_new, x * factor[:, None, None])
    expected = y * factor[:, None] if scale_target else y
    assert torch.allclose(y_new, expected)


@pytest.mark.parametrize("task", ["forecasting", "regression"])
def test_mixup_same_lambda_for_x_and_y(task):
    value = torch.arange(32.0)  # sample i is constant i; y is an affine map of it
    x = value.view(-1, 1, 1).expand(32, 6, 1)
    y = (3 * value + 1).view(-1, 1, 1).expand(32, 2, 1) if task == "forecasting" else 3 * value + 1
    x_new, y_new = Mixup(p=1.0, alpha=1.0)(x, y, generator=torch.Generator(),
                                           n_targets=1 if task == "forecasting" else None)
    mixed = x_new[:, 0, 0]
    assert (mixed != value).all() and (mixed >= 0).all() and (mixed <= 31).all()
    assert torch.allclose(x_new, mixed.view(-1, 1, 1).expand_as(x))
    assert torch.allclose(y_new.reshape(32, -1), (3 * mixed + 1)[:, None].expand(32, y[0].numel()))


def test_mixup_never_pairs_a_sample_with_itself():
    x = torch.tensor([0.0, 1.0]).view(2, 1, 1)
    for seed in range(20):  # a plain permutation of 2 samples is the identity half the time
        g = torch.Generator().manual_seed(seed)
        x_new, _ = Mixup(p=1.0, alpha=1.0)(x, None, generator=g)
        assert (x_new != x).all()


def test_mixup_one_hot_labels_stay_distributions():
    x, y, _ = make_batch("classification")
    _, y_new = Mixup(p=1.0)(x, one_hot(y), generator=torch.Generator())
    assert torch.allclose(y_new.sum(1), torch.ones(BATCH)) and (y_new >= 0).all()


def test_mixup_refuses_integer_labels():
    x, y, _ = make_batch("classification")
    with pytest.raises(ValueError, match="integer labels are refused"):
        Mixup()(x, y, generator=torch.Generator())


def test_window_slicing_of_ramp_is_a_stretched_ramp():
    x = torch.arange(20.0).view(1, 20, 1).repeat(8, 1, 1)
    x_new, _ = WindowSlicing(p=1.0, ratio=0.5)(x, None, generator=torch.Generator())
    start = x_new[:, :1, :]  # slice of 10 steps stretched to 20: slope 9 / 19
    assert torch.allclose(x_new, start + torch.arange(20.0).view(1, 20, 1) * 9 / 19, atol=1e-5)
    assert ((start >= 0) & (start <= 10)).all() and len(start.unique()) > 1


@pytest.mark.parametrize("aug, task, n_targets, n_features, match", [
    (TimeReversal(), "forecasting", 1, 3, "with covariates"),
    (TimeReversal(), "regression", None, 3, "pass label_invariant=True"),
    (TimeShift(), "forecasting", 1, 1, "y would no longer continue x"),
    (TimeShift(), "regression", None, 1, "label_invariant=True"),
    (WindowSlicing(), "forecasting", 1, 1, "changes its time scale"),
    (WindowSlicing(), "regression", None, 1, "label_invariant=True"),
    (MagnitudeScaling(scale_target=True), "classification", None, 1, "scale_target=False"),
    (GaussianNoise(), "clustering", None, 1, "task must be one of"),
    (GaussianNoise(), "forecasting", None, 1, "n_targets must be an integer"),
    (GaussianNoise(), "forecasting", 2, 1, r"n_targets must be an integer in \[1, 1\]"),
    (GaussianNoise(), "classification", 1, 1, "n_targets must be None"),
    (GaussianNoise(p=1.5), "classification", None, 1, r"'p' parameter of GaussianNoise must be a float in the range \[0.0, 1.0\]"),
    (GaussianNoise(sigma=-1), "classification", None, 1, "'sigma' parameter of GaussianNoise must be"),
    (WindowSlicing(ratio=1.0), "classification", None, 1, r"'ratio' parameter of WindowSlicing must be a float in the range \(0.0, 1.0\)"),
    (Mixup(alpha=0), "regression", None, 1, "'alpha' parameter of Mixup must be"),
    (TimeShift(max_shift=0), "classification", None, 1, "'max_shift' parameter of TimeShift must be an int"),
    (TimeShift(mode="reflect"), "classification", None, 1, "'mode' parameter of TimeShift must be a str among"),
    (Compose([GaussianNoise(), TimeShift()]), "forecasting", 1, 1, "TimeShift cannot"),
])
def test_check_task_refusals(aug, task, n_targets, n_features, match):
    with pytest.raises(ValueError, match=match):
        aug.check_task(task, n_targets, n_features)


@pytest.mark.parametrize("aug, task", [
    (TimeReversal(label_invariant=True), "regression"),
    (TimeShift(label_invariant=True), "regression"),
    (WindowSlicing(), "classification"),
    (MagnitudeScaling(scale_target=True), "regression"),
    (Mixup(), "classification"),
])
def test_check_task_accepts(aug, task):
    aug.check_task(task, None, 2)


def test_call_checks_forecasting_and_inputs():
    x, y, _ = make_batch("forecasting", n_features=3)
    g = torch.Generator()
    with pytest.raises(ValueError, match="with covariates"):
        TimeReversal()(x, y, generator=g, n_targets=1)
    with pytest.raises(ValueError, match=r"shape \(batch, horizon, n_targets=2\)"):
        GaussianNoise()(x, y, generator=g, n_targets=2)
    with pytest.raises(TypeError, match="floating-point torch.Tensor"):
        GaussianNoise()(x[0], None, generator=g)
    with pytest.raises(TypeError, match="torch.Generator"):
        GaussianNoise()(x, None, generator=0)
    with pytest.raises(ValueError, match="16 samples"):
        GaussianNoise()(x, y[:3], generator=g, n_targets=1)
    with pytest.raises(ValueError, match="at least 3 time steps"):
        WindowSlicing()(x[:, :2], None, generator=g)


def test_as_augmenter():
    noise = GaussianNoise()
    assert as_augmenter(None) is None and as_augmenter(noise) is noise
    for steps in ([noise], (noise,)):
        aug = as_augmenter(steps)
        assert isinstance(aug, Compose) and aug.augmenters == [noise]
    with pytest.raises(TypeError, match="augment must be None, an Augmenter"):
        as_augmenter("noise")
    with pytest.raises(TypeError, match="list of Augmenter instances"):
        Compose([noise, "x"]).check_task("classification", None, 1)


@pytest.mark.parametrize("make, task, n_features", CASES, ids=IDS)
def test_clone_and_pickle(make, task, n_features):
    aug = make(0.7)
    assert isinstance(aug, Augmenter)
    cloned = clone(aug)
    assert cloned is not aug and repr(cloned) == repr(aug)
    _, (xa, _) = run_case(make, task, n_features, 0.7, seed=3)
    restored = pickle.loads(pickle.dumps(aug))
    x, y, n_targets = make_batch(task, n_features)
    y = one_hot(y) if task == "classification" else y
    xb, _ = restored(x, y, generator=torch.Generator().manual_seed(3), n_targets=n_targets)
    assert torch.equal(xa, xb)


def test_augment_dataset_shapes_and_repeatability():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 12, 2)), np.arange(10) % 3
    kw = {"augmenters": [TimeShift(p=1.0), GaussianNoise(p=1.0)], "n_copies": 2}
    X_a, y_a = augment_dataset(X, y, random_state=0, **kw)
    X_b, y_b = augment_dataset(X, y, random_state=0, **kw)
    X_c, _ = augment_dataset(X, y, random_state=1, **kw)
    assert X_a.shape == (30, 12, 2) and X_a.dtype == np.float64
    assert np.array_equal(y_a, np.tile(y, 3)) and y_a.dtype == y.dtype
    assert np.array_equal(X_a[:10], X) and not np.allclose(X_a[10:20], X)
    assert not np.allclose(X_a[10:20], X_a[20:])
    assert np.array_equal(X_a, X_b) and np.array_equal(y_a, y_b)
    assert not np.allclose(X_a, X_c)


def test_augment_dataset_forecasting_and_no_y():
    X = np.arange(24, dtype=np.float32).reshape(2, 12, 1)
    y = X[:, -3:] + 3
    X_a, y_a = augment_dataset(X, y, augmenters=TimeReversal(p=1.0), task="forecasting",
                               n_targets=1)
    assert X_a.dtype == np.float32 and y_a.shape == (4, 3, 1)
    assert X_a[2, :, 0].tolist() == list(range(14, 2, -1)) and y_a[2, :, 0].tolist() == [2, 1, 0]
    X_n, y_n = augment_dataset(X.astype(int), augmenters=[GaussianNoise()], n_copies=3)
    assert X_n.shape == (8, 12, 1) and X_n.dtype == np.float64 and y_n is None


def test_augment_dataset_bad_inputs():
    X = np.zeros((4, 5, 1))
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        augment_dataset(np.full((4, 5, 1), np.nan), augmenters=[GaussianNoise()])
    with pytest.raises(ValueError, match="X must have shape"):
        augment_dataset(X[..., 0], augmenters=[GaussianNoise()])
    with pytest.raises(ValueError, match="X is empty"):
        augment_dataset(X[:0], augmenters=[GaussianNoise()])
    with pytest.raises(TypeError, match="y must be numeric"):
        augment_dataset(X, np.array(list("abcd")), augmenters=[GaussianNoise()])
    with pytest.raises(TypeError, match="augmenters must be an Augmenter"):
        augment_dataset(X, augmenters=None)
    with pytest.raises(ValueError, match="pass label_invariant=True"):
        augment_dataset(X, np.zeros(4), augmenters=[TimeReversal()], task="regression")
    with pytest.raises(ValueError, match="n_copies must be"):
        augment_dataset(X, augmenters=[GaussianNoise()], n_copies=-1)

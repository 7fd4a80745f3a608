"""Data augmentation for small time-series datasets.

Augmenters (``tsrnn.augment``) transform training batches on the device, with fresh random
draws every epoch; validation data and predictions are never augmented. Pass them as
``augment=[...]`` to any neural estimator or forecaster, or make augmented copies of a
dataset once with ``augment_dataset``.

1. Classification with 24 training windows: an LSTM with and without augmentation (noise
   and magnitude scaling, which keep the label), mean test accuracy over 3 seeds on 400
   unseen windows. Pick augmentations that keep the label: a time shift, for example,
   adds nothing to waves of random phase.
2. ``augment_dataset``: offline copies, for any model.
3. Forecasting: only augmenters that keep the continuation of a window plausible are
   allowed (noise, magnitude scaling, mixup, time reversal); the others are refused with
   a message that says why.

Run from the repository root::

    python examples/augmentation.py          # about 30 s on 2 CPU cores
    python examples/augmentation.py --fast   # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse

import numpy as np

from tsrnn import GRUForecaster, LSTMClassifier
from tsrnn.augment import GaussianNoise, MagnitudeScaling, TimeShift, augment_dataset
from tsrnn.datasets import load_m4_finance


def waves(n: int, rng: np.random.Generator):
    """Windows of 48 steps: class 0, slow (period 16-24), or 1, fast (period 8-12), with a
    random phase, amplitude and noise."""
    labels = rng.integers(0, 2, size=n)
    period = np.where(labels == 0, rng.uniform(16, 24, n), rng.uniform(8, 12, n))
    t = np.arange(48)
    phase, amplitude = rng.uniform(0, 2 * np.pi, n), rng.uniform(0.5, 2.0, n)
    X = amplitude[:, None] * np.sin(2 * np.pi * t / period[:, None] + phase[:, None])
    return X + rng.normal(0, 0.3, X.shape), labels


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="3 epochs, one seed")
    args = parser.parse_args(argv)
    epochs, seeds = (3, 1) if args.fast else (60, 3)

    rng = np.random.default_rng(0)
    X_train, y_train = waves(24, rng)
    X_test, y_test = waves(400, rng)
    augmenters = [GaussianNoise(p=0.5, sigma=0.1), MagnitudeScaling(p=0.5, sigma=0.2)]
    for name, augment in (("no augmentation", None), ("augmented", augmenters)):
        accuracy = [LSTMClassifier(hidden_size=16, max_epochs=epochs, batch_size=8, lr=3e-3,
                                   augment=augment, random_state=seed)
                    .fit(X_train, y_train).score(X_test, y_test) for seed in range(seeds)]
        print(f"1. classifier, {name:<16} test accuracy {np.mean(accuracy):.3f} "
              f"(seeds: {np.round(accuracy, 3).tolist()})")

    X_aug, y_aug = augment_dataset(X_train[:, :, None], y_train, augmenters=augmenters,
                                   n_copies=3, random_state=0)
    print(f"2. augment_dataset: {X_train.shape[0]} windows -> {X_aug.shape[0]} "
          f"(shape {X_aug.shape}), labels {y_aug.shape}")

    m4 = load_m4_finance()
    series = m4[m4["unique_id"] == m4["unique_id"].iloc[0]].set_index("ds")["y"]
    train, test = series.iloc[-160:-13], series.iloc[-13:]
    for name, augment in (("no augmentation", None),
                          ("augmented", [MagnitudeScaling(sigma=0.1), GaussianNoise()])):
        model = GRUForecaster(horizon=13, window=26, hidden_size=16, max_epochs=epochs,
                              augment=augment, random_state=0).fit(train)
        print(f"3. forecaster, {name:<16} MASE on the last 13 weeks {-model.score(test):.3f}")
    try:
        GRUForecaster(horizon=13, augment=TimeShift(), max_epochs=1).fit(train)
    except ValueError as exc:
        print(f"   TimeShift is refused for forecasting: {exc}")


if __name__ == "__main__":
    main()

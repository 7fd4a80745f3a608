"""Argument checks shared by the dataset loaders and generators."""

from __future__ import annotations

import math
from numbers import Integral, Real

from pandas.tseries.frequencies import to_offset


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_real(value: object, name: str) -> float:
    """Return ``value`` as a finite float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def check_non_negative(value: object, name: str) -> float:
    """Return ``value`` as a finite float >= 0."""
    value = check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_strictly_positive(value: object, name: str) -> float:
    """Return ``value`` as a finite float > 0."""
    value = check_real(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_freq(freq: object) -> str:
    """Return ``freq`` if pandas knows it as a frequency alias, else raise ValueError."""
    if not isinstance(freq, str):
        raise TypeError(f"freq must be a pandas frequency string, got {type(freq).__name__}")
    try:
        to_offset(freq)
    except ValueError as exc:
        raise ValueError(
            f"unknown freq {freq!r}: use a pandas frequency alias such as 'h', 'D', 'B' or 'W-SUN'"
        ) from exc
    return freq

"""The one validation layer of tsrnn: parameter constraints and input checks.

Parameters are declared once per class in ``_parameter_constraints`` with scikit-learn's
own vocabulary (:class:`Interval`, :class:`StrOptions`, :class:`Options`, ``None``, types,
``"boolean"``, ``"random_state"``) and checked at the start of ``fit`` by
``self._validate_params()``; a bad value raises scikit-learn's ``InvalidParameterError``,
a subclass of both ``ValueError`` and ``TypeError`` whose message names the parameter, the
class, what is allowed and what was given. Classes that are not estimators (splitters)
call :func:`validate_params` the same way.

The input checks below (finite values, float32 range, unique column names) raise
``ValueError`` naming the column, row or series.
"""

from __future__ import annotations

import contextlib
import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import Interval as _SkInterval

__all__ = ["HasMethods", "Integral", "Interval", "InvalidParameterError", "Options", "Real",
           "StrOptions", "DeviceName", "ValidatedParams", "positive_int", "check_finite",
           "check_float32_range", "check_option", "check_probability",
           "check_positive_int", "check_unique_columns", "unchanged_on_error",
           "validate_params"]

FLOAT32_MAX = float(np.finfo(np.float32).max)


class Interval(_SkInterval):
    """scikit-learn's ``Interval`` that also refuses booleans (``True`` is not a size)."""

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        return super().is_satisfied_by(val)


def positive_int(minimum: int = 1) -> Interval:
    """An integer ``>= minimum`` (the most common constraint)."""
    return Interval(Integral, minimum, None, closed="left")


class DeviceName(Options):
    """A torch device: "auto", "cpu", "cuda", "cuda:N", "mps" or a ``torch.device``."""

    KINDS = ("cpu", "cuda", "mps")

    def __init__(self):
        super().__init__(object, {"auto", "cpu", "cuda", "cuda:N", "mps"})

    def is_satisfied_by(self, val):
        if val == "auto":
            return True
        try:
            import torch

            return torch.device(val).type in self.KINDS
        except (TypeError, RuntimeError, ValueError):
            return False

    def __str__(self):
        return "'auto', 'cpu', 'cuda', 'cuda:N', 'mps' or a torch.device"


class ValidatedParams:
    """Mixin for estimators: ``_validate_params()`` checks every parameter against the
    ``_parameter_constraints`` declared along the class hierarchy (a subclass adds or
    overrides entries, it never has to repeat its bases')."""

    @classmethod
    def _all_constraints(cls) -> dict:
        merged = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get("_parameter_constraints", {}))
        return merged

    def _validate_params(self) -> None:
        validate_parameter_constraints(self._all_constraints(), self.get_params(deep=False),
                                       caller_name=type(self).__name__)

    def __setstate__(self, state):
        state = with_new_params(type(self), state)
        parent = getattr(super(), "__setstate__", None)  # BaseEstimator's, where there is one
        if parent is None:
            self.__dict__.update(state)
        else:
            parent(state)


def with_new_params(cls, state: dict) -> dict:
    """``state`` (a pickled ``__dict__``) with every ``__init__`` parameter it lacks set to
    its default: a model saved before a parameter existed loads, and ``get_params``,
    ``clone`` and ``repr`` work on it, with the behaviour it was trained with."""
    missing = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()
               if name != "self" and name not in state and p.default is not p.empty}
    return {**missing, **state} if missing else state


@contextlib.contextmanager
def unchanged_on_error(estimator):
    """A failed ``fit`` leaves ``estimator`` as it was (fitted or not): its attributes are
    restored when the block raises (a refused warm start keeps the fitted model usable)."""
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise


def validate_params(obj, constraints: dict | None = None) -> None:
    """Check ``obj``'s parameters (``get_params`` or ``__dict__``) against its constraints.

    For classes that are not scikit-learn estimators (splitters); estimators call
    ``self._validate_params()``.
    """
    if constraints is None:
        constraints = obj._all_constraints() if hasattr(obj, "_all_constraints") else \
            obj._parameter_constraints
    params = obj.get_params(deep=False) if hasattr(obj, "get_params") else \
        {k: getattr(obj, k) for k in constraints if hasattr(obj, k)}
    validate_parameter_constraints(constraints, params, caller_name=type(obj).__name__)


def check_finite(values: np.ndarray, name: str = "X", labels=None) -> None:
    """Raise a ValueError naming the first NaN or infinite entry of ``values``.

    ``labels`` optionally maps each axis to names (e.g. the column names, the timestamps).

    Examples
    --------
    >>> check_finite(np.array([[1.0, np.nan]]), "X")
    Traceback (most recent call last):
    ...
    ValueError: X contains NaN at position (0, 1); NaN and infinity are not accepted: ...
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(values[where]) else "infinity"
    if labels is not None:
        where = ", ".join(f"{axis}={lab[i]!r}" if lab is not None else f"{i}"
                          for axis, lab, i in zip(("row", "column"), labels, where))
        place = where
    else:
        place = f"position {where}"
    raise ValueError(f"{name} contains {kind} at {place}; NaN and infinity are not "
                     f"accepted: fill or drop missing values first "
                     f"({int(bad.sum())} bad value(s) in all).")


def check_float32_range(values: np.ndarray, name: str = "X", limit: float = 1e30) -> None:
    """Refuse finite values too large for float32 training (``|x| > limit``).

    Neural networks train in float32 (largest value about 3.4e38); statistics such as
    squares must stay finite too, hence a margin.

    Examples
    --------
    >>> check_float32_range(np.array([1.0, 1e300]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y holds values up to 1e+300 in magnitude, beyond what float32 training ...
    """
    if not values.size:
        return
    peak = float(np.max(np.abs(values)))
    if peak > limit:
        raise ValueError(f"{name} holds values up to {peak:.3g} in magnitude, beyond what "
                         f"float32 training can hold (|x| <= {limit:.0e}); rescale the data "
                         "(e.g. divide by a constant) first.")


def check_unique_columns(columns, where: str = "the data") -> None:
    """Raise a ValueError listing duplicated column names."""
    columns = list(columns)
    if len(set(map(_key, columns))) == len(columns):
        return
    seen, dups = set(), []
    for c in columns:
        if _key(c) in seen and c not in dups:
            dups.append(c)
        seen.add(_key(c))
    raise ValueError(f"{where} has duplicate column names {dups}: every column needs a "
                     "unique name.")


def _key(c):
    try:
        hash(c)
        return c
    except TypeError:
        return repr(c)


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``, else raise ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_probability(value, name: str) -> float:
    """Return ``value`` as a float if it is a number in (0, 1): a TypeError for anything
    that is not a number (``"0.9"``, ``True``), a ValueError outside the interval.

    Examples
    --------
    >>> check_probability(0.9, "coverage")
    0.9
    >>> check_probability("0.9", "coverage")
    Traceback (most recent call last):
    ...
    TypeError: coverage must be a number in (0, 1), got '0.9' (str).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number in (0, 1), got {value!r} "
                        f"({type(value).__name__}).")
    if not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}.")
    return float(value)


def check_option(value, name: str, options) -> None:
    """Raise a ValueError when ``value`` is not one of ``options``."""
    if value not in options:
        raise ValueError(f"{name}={value!r} is not one of {list(options)}.")


"""Input checks shared by all estimators: clear messages that say what and where."""

from __future__ import annotations

import numpy as np


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


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``, else raise ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def check_option(value, name: str, options) -> None:
    """Raise a ValueError when ``value`` is not one of ``options``."""
    if value not in options:
        raise ValueError(f"{name}={value!r} is not one of {list(options)}.")

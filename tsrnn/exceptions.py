"""Exceptions raised by tsrnn."""

from sklearn.exceptions import NotFittedError


class TrainingDivergedError(RuntimeError):
    """The training loss became NaN or infinite; the message names the epoch and step."""


__all__ = ["NotFittedError", "TrainingDivergedError"]

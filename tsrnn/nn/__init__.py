"""Torch modules of tsrnn (pure PyTorch)."""

from .level import LevelResidual
from .recurrent import CELLS, POOLINGS, RecurrentNet, Seq2Seq
from .seasonal import MedianEnsemble, SeasonalResidual, seasonal_gate

__all__ = ["CELLS", "POOLINGS", "RecurrentNet", "Seq2Seq", "SeasonalResidual", "LevelResidual",
           "MedianEnsemble",
           "seasonal_gate"]

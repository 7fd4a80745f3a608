"""Torch modules of tsrnn (pure PyTorch)."""

from .recurrent import CELLS, POOLINGS, RecurrentNet, Seq2Seq
from .seasonal import MedianEnsemble, SeasonalResidual, seasonal_gate

__all__ = ["CELLS", "POOLINGS", "RecurrentNet", "Seq2Seq", "SeasonalResidual", "MedianEnsemble",
           "seasonal_gate"]

"""Torch modules of tsrnn (pure PyTorch)."""

from .recurrent import CELLS, POOLINGS, RecurrentNet, Seq2Seq

__all__ = ["CELLS", "POOLINGS", "RecurrentNet", "Seq2Seq"]

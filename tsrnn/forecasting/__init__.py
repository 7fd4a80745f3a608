"""Forecasters on pandas time series: neural and classical, one contract."""

from .base import BaseForecaster
from .baselines import NaiveForecaster
from .neural import GRUForecaster, LSTMForecaster, RNNForecaster

__all__ = ["BaseForecaster", "GRUForecaster", "LSTMForecaster", "NaiveForecaster",
           "RNNForecaster"]

"""tsrnn: recurrent neural forecasting with the scikit-learn API.

Neural estimators (LSTM, GRU, simple RNN) on windowed arrays and on pandas time series,
classical baselines in the same API, metrics, backtesting, comparison and tuning.
"""

from .estimators import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from .exceptions import NotFittedError, TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "NotFittedError",
    "RNNClassifier",
    "RNNRegressor",
    "TrainingDivergedError",
]

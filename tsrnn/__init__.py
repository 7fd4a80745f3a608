"""tsrnn: recurrent neural forecasting with the scikit-learn API.

Neural estimators (LSTM, GRU, simple RNN) on windowed arrays and on pandas time series,
classical baselines in the same API, metrics, backtesting, comparison and tuning.

Names are imported lazily, so that ``import tsrnn`` (and the command line, and joblib
workers running classical models) does not pay for importing torch until it is used.
"""

from importlib import import_module

from . import _registry

__version__ = "0.1.0"

_EXPORTS = {
    "tsrnn.estimators": list(_registry.ESTIMATORS),  # every model: the one registry
    "tsrnn.forecasting": list(_registry.FORECASTERS),
    "tsrnn.exceptions": ["NotFittedError", "TrainingDivergedError"],
    "tsrnn.model_selection": ["ExpandingWindowSplit", "SlidingWindowSplit", "backtest",
                              "compare"],
    "tsrnn.tuning": ["OptunaSearchCV"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tsrnn' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

"""The one list of tsrnn's public models: each class name, the module that defines it, and
the short names the command line, ``compare`` and ``AutoForecaster`` use.

Everything that enumerates models reads this table: the lazy exports of ``tsrnn`` and
``tsrnn.forecasting``, the command line's ``--model`` names (``cli._CLASSES``),
``model_selection.default_forecasters``, and the tests (every registered class has a
``get_test_params`` configuration and an entry in the API reference). Adding a model is
one line here (see CONTRIBUTING.md). Strings only: importing this module imports nothing.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["CLI_MODELS", "ESTIMATORS", "FORECASTERS", "NEEDS_STATSMODELS", "SHORT_NAMES", "load"]

# class name -> module defining it: the window estimators (arrays in, arrays out)
ESTIMATORS = {
    "LSTMRegressor": "tsrnn.estimators",
    "GRURegressor": "tsrnn.estimators",
    "RNNRegressor": "tsrnn.estimators",
    "LSTMClassifier": "tsrnn.estimators",
    "GRUClassifier": "tsrnn.estimators",
    "RNNClassifier": "tsrnn.estimators",
}

# class name -> module defining it: the forecasters (pandas in, pandas out)
FORECASTERS = {
    "NaiveForecaster": "tsrnn.forecasting.baselines",
    "SeasonalNaiveForecaster": "tsrnn.forecasting.baselines",
    "DriftForecaster": "tsrnn.forecasting.baselines",
    "MeanForecaster": "tsrnn.forecasting.baselines",
    "Naive2Forecaster": "tsrnn.forecasting.baselines",
    "LSTMForecaster": "tsrnn.forecasting.neural",
    "GRUForecaster": "tsrnn.forecasting.neural",
    "RNNForecaster": "tsrnn.forecasting.neural",
    "NeuralForecaster": "tsrnn.forecasting.neural",
    "ARIMAForecaster": "tsrnn.forecasting.statistical",
    "ETSForecaster": "tsrnn.forecasting.statistical",
    "ThetaForecaster": "tsrnn.forecasting.statistical",
    "MSTLForecaster": "tsrnn.forecasting.mstl",
    "TransformedTargetForecaster": "tsrnn.forecasting.transform",
    "AutoForecaster": "tsrnn.forecasting.auto",
}

# forecasters that need statsmodels (pip install tsrnn[stats])
NEEDS_STATSMODELS = ("ARIMAForecaster", "ETSForecaster", "ThetaForecaster", "MSTLForecaster")

# short name -> class name. The command line accepts CLI_MODELS (in this order);
# ``compare``'s defaults and ``AutoForecaster``'s candidates are named from the same table.
SHORT_NAMES = {
    "lstm": "LSTMForecaster",
    "gru": "GRUForecaster",
    "rnn": "RNNForecaster",
    "naive": "NaiveForecaster",
    "snaive": "SeasonalNaiveForecaster",
    "seasonal_naive": "SeasonalNaiveForecaster",
    "drift": "DriftForecaster",
    "mean": "MeanForecaster",
    "naive2": "Naive2Forecaster",
    "arima": "ARIMAForecaster",
    "ets": "ETSForecaster",
    "theta": "ThetaForecaster",
    "mstl": "MSTLForecaster",
    "auto": "AutoForecaster",
}
CLI_MODELS = ("auto", "lstm", "gru", "rnn", "naive", "snaive", "drift", "arima", "ets",
              "theta", "mstl", "naive2")


def load(name: str) -> type:
    """The class registered as ``name`` (a class name or a short name), imported now.

    Examples
    --------
    >>> load("naive").__name__, load("ETSForecaster").__module__
    ('NaiveForecaster', 'tsrnn.forecasting.statistical')
    """
    name = SHORT_NAMES.get(name, name)
    module = FORECASTERS.get(name) or ESTIMATORS.get(name)
    if module is None:
        raise KeyError(f"no model named {name!r}; registered: "
                       f"{sorted([*FORECASTERS, *ESTIMATORS, *SHORT_NAMES])}")
    return getattr(import_module(module), name)

"""Forecasters on pandas time series: neural and classical, one contract (``base.py``)."""

from importlib import import_module

_EXPORTS = {
    ".base": ["BaseForecaster"],
    ".calendar": ["calendar_features"],
    ".baselines": ["DriftForecaster", "MeanForecaster", "Naive2Forecaster", "NaiveForecaster",
                   "SeasonalNaiveForecaster"],
    ".neural": ["GRUForecaster", "LSTMForecaster", "RNNForecaster"],
    ".statistical": ["ARIMAForecaster", "ETSForecaster", "ThetaForecaster"],
    ".mstl": ["MSTLForecaster"],
    ".transform": ["TransformedTargetForecaster"],
    ".auto": ["AutoForecaster"],
    ".seasonality": ["season_lengths"],
    ".parquet": ["fit_parquet", "predict_parquet"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module 'tsrnn.forecasting' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

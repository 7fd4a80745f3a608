"""Forecasters on pandas time series: neural and classical, one contract (``base.py``)."""

from importlib import import_module

from .. import _registry

_EXPORTS = {
    ".base": ["BaseForecaster"],
    ".calendar": ["calendar_features"],
    ".seasonality": ["season_lengths"],
    ".parquet": ["fit_parquet", "predict_parquet"],
}
for _name, _module in _registry.FORECASTERS.items():  # every forecaster: the one registry
    _EXPORTS.setdefault(_module.removeprefix(__name__), []).append(_name)
del _name, _module
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module 'tsrnn.forecasting' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

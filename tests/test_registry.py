"""One registry of model names (``tsrnn/_registry.py``) feeds the exports, the command line,
``compare``'s defaults and the docs; each registered class carries its test configuration."""

import importlib.util
import inspect
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator, clone

import tsrnn
import tsrnn.forecasting
from tsrnn import _registry, cli
from tsrnn.forecasting import BaseForecaster
from tsrnn.model_selection import default_forecasters

API = Path(__file__).resolve().parents[1] / "docs" / "api"
HAS_STATSMODELS = importlib.util.find_spec("statsmodels") is not None
NAMES = [n for n in [*_registry.FORECASTERS, *_registry.ESTIMATORS]
         if HAS_STATSMODELS or n not in _registry.NEEDS_STATSMODELS]


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_class_is_where_the_registry_says(name):
    cls = _registry.load(name)
    assert cls.__name__ == name
    assert cls.__module__ == {**_registry.FORECASTERS, **_registry.ESTIMATORS}[name]
    base = BaseForecaster if name in _registry.FORECASTERS else BaseEstimator
    assert issubclass(cls, base) and not inspect.isabstract(cls)


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_class_gives_tiny_test_parameters(name):
    cls = _registry.load(name)
    configurations = cls.get_test_params()
    assert isinstance(configurations, list) and configurations
    for params in configurations:
        model = cls(**params)
        assert {k: model.get_params()[k] for k in params} == params
        assert clone(model).get_params() == model.get_params()


def test_short_names_and_the_command_line_name_registered_forecasters():
    assert set(_registry.SHORT_NAMES.values()) <= set(_registry.FORECASTERS)
    assert set(_registry.CLI_MODELS) <= set(_registry.SHORT_NAMES)
    assert cli._CLASSES == {n: _registry.SHORT_NAMES[n] for n in _registry.CLI_MODELS}
    assert cli.MODELS == _registry.CLI_MODELS


def test_the_exports_are_the_registry():
    assert set(_registry.FORECASTERS) <= set(tsrnn.__all__)
    assert set(_registry.ESTIMATORS) <= set(tsrnn.__all__)
    assert set(_registry.FORECASTERS) <= set(tsrnn.forecasting.__all__)
    for name in NAMES:
        assert getattr(tsrnn, name) is _registry.load(name)
    for name in _registry.FORECASTERS:
        if HAS_STATSMODELS or name not in _registry.NEEDS_STATSMODELS:
            assert getattr(tsrnn.forecasting, name) is _registry.load(name)


@pytest.mark.parametrize("freq", ["30min", "h", "D", "W-SUN", "MS", None])
def test_compare_defaults_are_registered_short_names(freq):
    for short, model in default_forecasters(freq, horizon=2).items():
        assert _registry.SHORT_NAMES[short] == type(model).__name__


def test_load_refuses_an_unknown_name():
    with pytest.raises(KeyError, match="no model named 'LSTM'"):
        _registry.load("LSTM")


def test_every_registered_class_is_in_the_api_reference():
    """The pages of docs/api name each class (the site build itself is a slow test)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in API.glob("*.md"))
    missing = [n for n in [*_registry.FORECASTERS, *_registry.ESTIMATORS] if n not in text]
    assert not missing, f"registered but not in docs/api: {missing}"


POSITIONAL = {"TransformedTargetForecaster": ["forecaster", "transform"]}  # like a Pipeline's
KEYWORD_ONLY_MODULES = ("tsrnn.forecasting.baselines", "tsrnn.forecasting.statistical",
                        "tsrnn.forecasting.mstl", "tsrnn.forecasting.transform",
                        "tsrnn.estimators")


@pytest.mark.parametrize("name", [n for n in NAMES if {**_registry.FORECASTERS,
                                  **_registry.ESTIMATORS}[n] in KEYWORD_ONLY_MODULES])
def test_parameters_after_the_first_are_keyword_only(name):
    """scikit-learn's convention: ``Model(horizon, *, ...)`` (estimators: ``*`` first)."""
    cls = _registry.load(name)
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    allowed = POSITIONAL.get(name, [] if name in _registry.ESTIMATORS else ["horizon"])
    positional = [p.name for p in parameters if p.kind is not p.KEYWORD_ONLY]
    assert positional == allowed

"""scikit-learn habits that must work with tsrnn (issue 20): verbose as an int, a
transformer before a forecaster in a Pipeline (an error that names the fix)."""

import importlib.util
import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tsrnn import GRUForecaster, GRURegressor, NaiveForecaster
from tsrnn.datasets import make_sine
from tsrnn.forecasting import TransformedTargetForecaster

TINY = dict(window=12, hidden_size=4, max_epochs=2, random_state=0)


@pytest.mark.parametrize("verbose", [0, 1, 2, False, True])
def test_neural_verbose_takes_ints(verbose, capsys):
    y = make_sine(n=120, period=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GRUForecaster(horizon=3, verbose=verbose, **TINY).fit(y)
    assert model.n_epochs_ == 2
    out = capsys.readouterr().out
    assert ("epoch 1:" in out) == (verbose == 2 and verbose is not True)
    X, target = np.random.default_rng(0).normal(size=(20, 5, 1)), np.zeros(20)
    GRURegressor(hidden_size=4, max_epochs=1, verbose=verbose).fit(X, target)


def test_verbose_refuses_negative_ints():
    with pytest.raises(ValueError, match="verbose"):
        GRUForecaster(verbose=-1, **TINY).fit(make_sine(n=120, period=12))


@pytest.mark.skipif(importlib.util.find_spec("statsmodels") is None, reason="statsmodels")
def test_statistical_verbose_takes_ints():
    from tsrnn.forecasting import ThetaForecaster

    ThetaForecaster(horizon=2, verbose=0).fit(make_sine(n=60, period=12))


@pytest.mark.skipif(importlib.util.find_spec("optuna") is None, reason="optuna")
def test_search_verbose_takes_ints():
    from tsrnn._validation import validate_params
    from tsrnn.tuning import OptunaSearchCV

    validate_params(OptunaSearchCV(NaiveForecaster(), verbose=0))
    validate_params(OptunaSearchCV(NaiveForecaster(), verbose=2))


def test_a_transformer_before_a_forecaster_points_to_transformed_target():
    y = make_sine(n=120, period=12).to_frame("y")
    pipe = make_pipeline(StandardScaler(), NaiveForecaster(horizon=3))
    with pytest.raises(TypeError, match="TransformedTargetForecaster"):
        pipe.fit(y)
    model = TransformedTargetForecaster(NaiveForecaster(horizon=3), transform=StandardScaler(),
                                        horizon=3).fit(y)
    np.testing.assert_allclose(model.predict().to_numpy().ravel(), y["y"].iloc[-1])

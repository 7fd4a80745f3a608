"""The validation layer: parameter constraints, the input schema, covariates matched by name,
owned data, relative scale floors, and the engine's early stopping and precision fallback.

Each test asserts what the user gets (the error type and the words that say what and where),
on the smallest data that shows it.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

import tsrnn
from tsrnn import engine
from tsrnn._neural import NEURAL_DEFAULTS, NEURAL_PARAMS, NEURAL_PARAMS_DOC
from tsrnn.augment import (
    Compose,
    GaussianNoise,
    MagnitudeScaling,
    Mixup,
    TimeReversal,
    TimeShift,
    WindowSlicing,
)
from tsrnn.estimators import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from tsrnn.forecasting import (
    DriftForecaster,
    GRUForecaster,
    LSTMForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    RNNForecaster,
    SeasonalNaiveForecaster,
)
from tsrnn.forecasting.neural import FORECASTER_DEFAULTS
from tsrnn.preprocessing import LagFeatures, SlidingWindowTransformer

TINY = dict(window=8, hidden_size=4, max_epochs=1, batch_size=16, random_state=0)
WINDOW_ESTIMATORS = [LSTMRegressor, GRURegressor, RNNRegressor, LSTMClassifier, GRUClassifier,
                     RNNClassifier]
NEURAL_FORECASTERS = [LSTMForecaster, GRUForecaster, RNNForecaster]
BASELINES = [NaiveForecaster, SeasonalNaiveForecaster, DriftForecaster, MeanForecaster,
             Naive2Forecaster]
OTHERS = [TimeReversal, TimeShift, GaussianNoise, MagnitudeScaling, WindowSlicing, Mixup,
          LagFeatures]


def _daily(n=60, seed=0, name="y") -> pd.Series:
    rng = np.random.default_rng(seed)
    values = 10 + np.sin(np.arange(n) / 3) + rng.normal(0, 0.1, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="D"), name=name)


def _covariates(n=70, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": 10 * rng.normal(size=n)},
                        index=pd.date_range("2024-01-01", periods=n, freq="D"))


# --------------------------------------------------------------- one parameter table
def _all_public_classes():
    """Every public class with parameters, found in the public modules (new ones too)."""
    import tsrnn.augment
    import tsrnn.forecasting
    import tsrnn.model_selection

    found = {SlidingWindowTransformer, LagFeatures, tsrnn.OptunaSearchCV}
    for module in (tsrnn, tsrnn.forecasting, tsrnn.augment, tsrnn.model_selection):
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if isinstance(obj, type) and not issubclass(obj, (Exception, tuple)) and \
                    not name.startswith(("Base", "Augmenter")):
                found.add(obj)
    return sorted(found, key=lambda c: c.__name__)


def _instance(cls):
    if cls is SlidingWindowTransformer:
        return cls(window=3)
    if cls is tsrnn.OptunaSearchCV:
        return cls(NaiveForecaster())
    if cls is Compose:
        return cls([])
    try:
        return cls()
    except TypeError:  # a required argument (a wrapped forecaster)
        return cls(NaiveForecaster())


def _params(obj) -> set:
    if hasattr(obj, "get_params"):
        return set(obj.get_params(deep=False))
    return set(inspect.signature(type(obj).__init__).parameters) - {"self"}


def _constraints(cls) -> set:
    return set(cls._all_constraints() if hasattr(cls, "_all_constraints")
               else cls._parameter_constraints)


@pytest.mark.parametrize("cls", _all_public_classes(), ids=lambda c: c.__name__)
def test_every_parameter_of_every_public_class_has_a_declared_constraint(cls):
    undeclared = _params(_instance(cls)) - _constraints(cls)
    assert not undeclared, f"{cls.__name__}: add {sorted(undeclared)} to _parameter_constraints"


@pytest.mark.parametrize("cls", WINDOW_ESTIMATORS + NEURAL_FORECASTERS,
                         ids=lambda c: c.__name__)
def test_neural_signatures_take_their_defaults_from_the_one_table(cls):
    signature = inspect.signature(cls.__init__).parameters
    for name, default in NEURAL_DEFAULTS.items():
        overrides = FORECASTER_DEFAULTS if cls in NEURAL_FORECASTERS else {}
        expected = overrides[name][0] if name in overrides else default
        assert signature[name].default == expected, name
        assert f"    {name} : " in NEURAL_PARAMS_DOC
    assert set(NEURAL_PARAMS) <= set(signature)


BAD_NEURAL = [("grad_clip", -1), ("l1", -1.0), ("lr", "0.1"), ("lr", 0), ("weight_decay", -1e-3),
              ("hidden_size", 0), ("hidden_size", 2.5), ("hidden_size", True),
              ("dropout", 1.0), ("batch_size", 0), ("max_epochs", 0), ("patience", -1),
              ("validation_fraction", 1.0), ("optimizer", "adamax"), ("loss", "mape"),
              ("lr_schedule", "linear"), ("device", "gpu"), ("device", "cuda0"),
              ("precision", 8), ("precision", "half"), ("random_state", "seed"),
              ("warm_start", "yes"), ("callbacks", print), ("augment", "noise")]


@pytest.mark.parametrize("name, value", BAD_NEURAL)
@pytest.mark.parametrize("cls", [LSTMForecaster, GRURegressor], ids=lambda c: c.__name__)
def test_invalid_neural_parameters_are_refused_before_training(cls, name, value):
    model = cls(**{name: value})
    X = np.random.default_rng(0).normal(size=(20, 6, 1))
    with pytest.raises((ValueError, TypeError), match=rf"The '{name}' parameter of "
                                                      rf"{cls.__name__} must be .* Got "):
        model.fit(_daily()) if cls is LSTMForecaster else model.fit(X, X[:, -1, 0])


@pytest.mark.parametrize("cls, params, name", [
    (NaiveForecaster, {"horizon": 0}, "horizon"),
    (NaiveForecaster, {"horizon": 2.0}, "horizon"),
    (NaiveForecaster, {"freq": 3.5}, "freq"),
    (LSTMForecaster, {"window": 1}, "window"),
    (LSTMForecaster, {"strategy": "dirct"}, "strategy"),
    (LSTMForecaster, {"scaler": "minmax"}, "scaler"),
    (LSTMForecaster, {"max_windows_per_series": 0}, "max_windows_per_series"),
    (LSTMForecaster, {"future_covariates": 5}, "future_covariates"),
    (SeasonalNaiveForecaster, {"season_length": 0}, "season_length"),
    (LSTMRegressor, {"pooling": "sum"}, "pooling"),
    (LSTMRegressor, {"bidirectional": "no"}, "bidirectional"),
])
def test_invalid_parameters_name_themselves(cls, params, name):
    data = _daily() if hasattr(cls, "horizon") or "horizon" in cls().get_params() else None
    model = cls(**params)
    with pytest.raises(ValueError, match=rf"'{name}' parameter of {cls.__name__} must be"):
        if data is not None:
            model.fit(data)
        else:
            X = np.random.default_rng(0).normal(size=(20, 6, 1))
            model.fit(X, X[:, -1, 0])


def test_invalid_parameter_errors_are_value_and_type_errors():
    with pytest.raises(ValueError):
        LSTMForecaster(lr="fast").fit(_daily())
    with pytest.raises(TypeError):
        LSTMForecaster(lr="fast").fit(_daily())


# ---------------------------------------------------------------- covariates by name
@pytest.fixture(scope="module")
def with_covariates():
    X, y = _covariates(), _daily()
    model = LSTMForecaster(horizon=3, future_covariates=["a", "b"], **TINY)
    return model.fit(X.iloc[:60], y), X, y


def test_reordered_covariates_give_the_identical_forecast(with_covariates):
    model, X, y = with_covariates
    pd.testing.assert_series_equal(model.predict(X=X[["b", "a"]], y=y),
                                   model.predict(X=X, y=y))
    pd.testing.assert_frame_equal(model.predict_interval(X=X[["b", "a"]], y=y),
                                  model.predict_interval(X=X, y=y))
    assert model.score(X[["b", "a"]], _daily(n=70).iloc[60:]) == \
        model.score(X, _daily(n=70).iloc[60:])


def test_missing_covariate_is_named(with_covariates):
    model, X, y = with_covariates
    with pytest.raises(ValueError, match=r"lacks the covariate column\(s\) \['b'\]"):
        model.predict(X=X[["a"]], y=y)
    with pytest.raises(ValueError, match=r"lacks the known future covariate column\(s\) \['b'\]"):
        model.predict(X=X[["a"]])


def test_extra_covariate_is_an_error_naming_it(with_covariates):
    model, X, y = with_covariates
    with pytest.raises(ValueError, match=r"the column\(s\) \['c'\] that the model was not "
                                         r"fitted with"):
        model.predict(X=X.assign(c=1.0), y=y)


def test_model_without_covariates_given_some_says_so():
    model = NaiveForecaster(horizon=2).fit(_daily())
    with pytest.raises(ValueError, match="fitted without covariates, but X was given"):
        model.predict(X=_covariates(), y=_daily())
    frame = _covariates(60).assign(y=_daily().to_numpy())
    with pytest.raises(ValueError, match=r"\['a', 'b'\] that the model was not fitted with "
                                         r"\(it was fitted without covariates\)"):
        model.predict(X=frame)


def test_past_covariates_only_in_X_is_refused_not_ignored():
    X, y = _covariates(60), _daily()
    model = LSTMForecaster(horizon=2, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="X holds no target column"):
        model.predict(X=X)


def test_predict_with_a_frame_in_the_fit_layout_forecasts_from_it():
    frame = _covariates(60).assign(target=_daily().to_numpy())
    for model in (NaiveForecaster(horizon=2, target="target"),
                  LSTMForecaster(horizon=2, target="target", **TINY)):
        model.fit(frame)
        head = frame.iloc[:40]
        from_head = model.predict(X=head)
        assert from_head.index[0] == head.index[-1] + pd.Timedelta(days=1)
        if isinstance(model, NaiveForecaster):
            assert from_head["target"].tolist() == [head["target"].iloc[-1]] * 2


def test_fit_layout_with_future_rows_carries_the_known_future_covariates():
    X = _covariates(63)
    frame = X.assign(y=np.r_[_daily().to_numpy(), [np.nan] * 3])
    model = LSTMForecaster(horizon=3, target="y", future_covariates=["a"], **TINY)
    model.fit(frame.iloc[:60])
    from_frame = model.predict(X=frame)
    expected = model.predict(X=X, y=_daily())
    pd.testing.assert_frame_equal(from_frame, expected.to_frame() if
                                  isinstance(expected, pd.Series) else expected)


# ------------------------------------------------------------------- input schema
def test_predict_with_another_index_kind_is_a_tsrnn_error():
    model = NaiveForecaster().fit(_daily())
    with pytest.raises(ValueError, match="has an integer time index, but the model was fitted "
                                         "on a datetime index"):
        model.predict(pd.Series(np.ones(5), name="y"))
    with pytest.raises(ValueError, match="has a period time index"):
        model.predict(_daily().to_period("D"))


def test_predict_with_a_time_zone_when_fitted_without_one_says_so():
    model = NaiveForecaster().fit(_daily())
    with pytest.raises(ValueError, match="time zone UTC, but the model was fitted on"):
        model.predict(_daily().tz_localize("UTC"))


def test_score_checks_the_schema_too():
    model = NaiveForecaster().fit(_daily())
    with pytest.raises(ValueError, match="the data to score has an integer time index"):
        model.score(pd.Series(np.ones(5), name="y"))


def test_duplicate_column_names_are_named():
    frame = pd.DataFrame(np.ones((10, 3)), columns=["a", "a", "b"],
                         index=pd.date_range("2024-01-01", periods=10))
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        NaiveForecaster().fit(frame)
    with pytest.raises(ValueError, match=r"covariates X has duplicate column names \['a'\]"):
        NaiveForecaster().fit(frame, _daily(10))


# -------------------------------------------------------------------- ownership
@pytest.mark.parametrize("cls", BASELINES + [LSTMForecaster], ids=lambda c: c.__name__)
def test_editing_the_input_after_fit_never_changes_a_prediction(cls):
    params = TINY if cls is LSTMForecaster else {}
    y = _daily()
    model = cls(horizon=2, **params).fit(y)
    before = model.predict().to_numpy().copy()
    y.iloc[-5:] = 999.0
    np.testing.assert_array_equal(model.predict().to_numpy(), before)


def test_the_fitted_data_is_read_only():
    model = NaiveForecaster().fit(_daily())
    assert not model.train_panel_.values.flags.writeable


def test_window_estimators_do_not_alias_their_input():
    X = np.random.default_rng(0).normal(size=(30, 6, 1))
    y = X[:, -1, 0].copy()
    model = LSTMRegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    before = model.predict(X[:3])
    X[:] = 1e6
    y[:] = 1e6
    np.testing.assert_array_equal(model.predict(np.random.default_rng(0).normal(
        size=(30, 6, 1))[:3]), before)


# ------------------------------------------------------------------------ scale
@pytest.mark.parametrize("scaler", ["window", "standard", "robust"])
def test_tiny_magnitudes_are_forecast_to_scale(scaler):
    y = _daily()
    model = LSTMForecaster(horizon=2, scaler=scaler, **TINY)
    unit = clone(model).fit(y).predict().to_numpy()
    tiny = clone(model).fit(y * 1e-9).predict().to_numpy()
    np.testing.assert_allclose(tiny, unit * 1e-9, rtol=1e-3)


def test_values_beyond_float32_training_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="beyond what float32 training can hold"):
        LSTMForecaster(**TINY).fit(_daily() * 1e30)
    with pytest.raises(ValueError, match="beyond what float32 training can hold"):
        LSTMRegressor().fit(np.full((4, 3, 1), 1e30), np.ones(4))
    with pytest.raises(ValueError, match="accepts"):
        NaiveForecaster().fit(_daily() * 1e300)


def test_score_of_a_flat_history_is_scale_free():
    flat = pd.Series(np.full(30, 5.0), index=pd.date_range("2024-01-01", periods=30), name="y")
    test = _daily(40).iloc[30:]
    model = NaiveForecaster(horizon=2)
    unit = model.fit(flat).score(test * 1.0)
    scaled = clone(model).fit(flat * 1e-6).score(test * 1e-6)
    assert np.isfinite(unit) and unit == pytest.approx(scaled, rel=1e-9)


# ---------------------------------------------------------------------- warm start
def test_warm_start_names_what_changed():
    model = LSTMForecaster(horizon=3, warm_start=True, **TINY).fit(_daily())
    with pytest.raises(ValueError, match=r"warm_start=True .* \(horizon: 3 -> 4\)"):
        model.set_params(horizon=4).fit(_daily())
    frame = pd.DataFrame({"y": _daily(), "z": _daily(seed=2)})
    with pytest.raises(ValueError, match=r"targets: \['y'\] -> \['y', 'z'\]"):
        model.set_params(horizon=3).fit(frame)
    assert model.predict().shape == (3,)  # a refused fit leaves the fitted model as it was


def test_a_failed_fit_leaves_a_window_estimator_as_it_was():
    X = np.random.default_rng(0).normal(size=(30, 5, 2))
    reg = LSTMRegressor(hidden_size=4, max_epochs=1, warm_start=True).fit(X, X[:, -1, 0])
    before = reg.predict(X[:3])
    with pytest.raises(ValueError, match="n_features: 2 -> 1"):
        reg.fit(X[:, :, :1], X[:, -1, 0])
    np.testing.assert_array_equal(reg.predict(X[:3]), before)


def test_warm_start_classifier_refuses_new_labels_and_regressor_new_outputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5, 2))
    clf = LSTMClassifier(hidden_size=4, max_epochs=1, warm_start=True).fit(X, np.arange(30) % 2)
    with pytest.raises(ValueError, match=r"class label\(s\) \[2\] it was not fitted with"):
        clf.fit(X, np.arange(30) % 3)
    reg = LSTMRegressor(hidden_size=4, max_epochs=1, warm_start=True).fit(X, X[:, -1, 0])
    with pytest.raises(ValueError, match=r"y changed shape: 1 output\(s\)"):
        reg.fit(X, X[:, -1, :])
    with pytest.raises(ValueError, match=r"changed what it was built for \(n_features: 2 -> 1\)"):
        reg.fit(X[:, :, :1], X[:, -1, 0])


# ------------------------------------------------------------------------- engine
def test_early_stopping_keeps_the_best_weights_and_stops_on_patience():
    module = torch.nn.Linear(1, 1)
    stop = engine.EarlyStopping(patience=1)
    assert not stop.update(0, 1.0, module)
    best = {k: v.clone() for k, v in module.state_dict().items()}
    with torch.no_grad():
        module.weight += 1
    assert not stop.update(1, 0.5, module)  # improved
    assert stop.update(2, 0.7, module)  # one epoch without improvement: patience reached
    stop.restore(module)
    assert not torch.equal(module.weight, best["weight"])  # the epoch-1 weights, not epoch 0


def test_nan_validation_loss_with_patience_stops_cleanly_or_raises():
    module = torch.nn.Linear(1, 1)
    stop = engine.EarlyStopping(patience=3)
    with pytest.raises(tsrnn.TrainingDivergedError, match="validation loss became nan at "
                                                          "epoch 1"):
        stop.update(0, float("nan"), module, "validation loss")
    stop.update(0, 1.0, module)
    with pytest.warns(UserWarning, match="became nan at epoch 2: training stopped"):
        assert stop.update(1, float("nan"), module, "validation loss")


def test_nan_validation_loss_in_train_is_not_an_index_error(monkeypatch):
    calls = iter([1.0, float("nan")])
    monkeypatch.setattr(engine, "_evaluate", lambda *a, **k: next(calls))
    X = np.random.default_rng(0).normal(size=(40, 5, 1))
    with pytest.warns(UserWarning, match="validation loss became nan"):
        model = LSTMRegressor(hidden_size=4, max_epochs=5, patience=2, validation_fraction=0.25,
                              random_state=0).fit(X, X[:, -1, 0])
    assert len(model.history_) == 2


def test_bf16_on_a_cpu_without_it_falls_back_to_fp32(monkeypatch):
    monkeypatch.setattr(engine, "_CPU_BF16", [False])
    with pytest.warns(UserWarning, match="cannot run recurrent layers in bf16.*fp32"):
        assert engine.resolve_precision("bf16", torch.device("cpu")) == "32"
    monkeypatch.setattr(engine, "_CPU_BF16", [True])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert engine.resolve_precision("bf16", torch.device("cpu")) == "bf16"


def test_augmenters_and_transformers_use_the_same_constraints():
    for obj, name in [(GaussianNoise(p=2), "p"), (Compose("x"), "augmenters"),
                      (LagFeatures(fill="zero"), "fill")]:
        with pytest.raises(ValueError, match=f"'{name}' parameter of {type(obj).__name__}"):
            if isinstance(obj, LagFeatures):
                obj.fit(np.arange(5.0))
            else:
                obj.check_task("classification", None, 1)


def test_a_gap_in_business_days_is_reported_at_the_missing_weekday():
    index = pd.bdate_range("2024-01-01", periods=30)
    y = pd.Series(np.arange(30.0), index=index).drop(index[10])  # Monday 2024-01-15
    with pytest.raises(ValueError, match="first missing business day: 2024-01-15 00:00:00; "
                                         "pass freq='B'"):
        NaiveForecaster().fit(y)


def test_scoring_data_inside_the_training_period_warns():
    y = _daily(60)
    model = NaiveForecaster(horizon=2).fit(y.iloc[:40])
    with pytest.warns(UserWarning, match=r"score\(\): the series starts at 2024-01-31 00:00:00, "
                                         r"within the training data \(which ends at "
                                         r"2024-02-09"):
        model.score(y.iloc[30:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.score(y.iloc[40:])  # what follows the training data: no warning


def test_an_unknown_frequency_alias_is_named():
    with pytest.raises(ValueError, match="freq='xyz' is not a frequency pandas knows"):
        NaiveForecaster(freq="xyz").fit(_daily())


def test_a_forecast_beyond_representable_timestamps_names_the_horizon():
    y = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2262-04-01", periods=3, freq="D",
                                                          unit="ns"), name="y")
    model = NaiveForecaster(horizon=30).fit(y)
    with pytest.raises(ValueError, match="a forecast of 30 steps reaches beyond the timestamps"):
        model.predict()


def test_the_engine_config_takes_its_knobs_and_defaults_from_the_table():
    import dataclasses

    shared = [f for f in dataclasses.fields(engine.TrainConfig) if f.name in NEURAL_PARAMS]
    assert {f.name for f in shared} >= {"lr", "grad_clip", "l1", "patience", "max_epochs"}
    for f in shared:
        if f.name not in ("precision", "callbacks", "loss"):  # resolved before the engine
            assert f.default == NEURAL_DEFAULTS[f.name], f.name
    model = LSTMRegressor(lr=0.02, grad_clip=None, l1=0.5, patience=3, max_epochs=7)
    model._resolve_runtime()
    config = model._train_config("mse", "regression", n_features=1)
    assert (config.lr, config.grad_clip, config.l1, config.patience, config.max_epochs) == \
        (0.02, None, 0.5, 3, 7)


def test_an_integer_cv_on_a_panel_splits_by_time_not_by_rows():
    pytest.importorskip("optuna")
    from optuna.distributions import IntDistribution

    from tsrnn.model_selection import ExpandingWindowSplit
    from tsrnn.tuning import OptunaSearchCV

    panel = pd.concat([pd.DataFrame({"unique_id": sid, "ds": pd.date_range("2024-01-01",
                                                                            periods=20),
                                     "y": np.arange(20.0) + k}) for k, sid in enumerate("ab")],
                      ignore_index=True)
    search = OptunaSearchCV(NaiveForecaster(horizon=2), {"horizon": IntDistribution(1, 2)},
                            n_trials=1, cv=3)
    cv = search._check_cv(panel)
    assert isinstance(cv, ExpandingWindowSplit)
    for train, test in cv.split(panel):
        assert panel["ds"].iloc[train].max() < panel["ds"].iloc[test].min()
        assert set(panel["unique_id"].iloc[test]) == {"a", "b"}  # every series, later times


def test_future_rows_alone_in_the_fit_layout_forecast_from_the_training_end():
    X = _covariates(63)
    frame = X.assign(y=np.r_[_daily().to_numpy(), [np.nan] * 3])
    model = LSTMForecaster(horizon=3, target="y", future_covariates=["a"], **TINY)
    model.fit(frame.iloc[:60])
    pd.testing.assert_frame_equal(model.predict(X=frame.iloc[60:]), model.predict(X=X))


def test_capabilities_are_declared_and_kept():
    from test_forecaster_contract import FORECASTERS

    y = _daily(60)
    for cls, params in FORECASTERS.items():
        model = cls(**{**params, "horizon": 2})
        caps = model.capabilities()
        assert set(caps) == {"intervals", "covariates", "future_covariates"}, cls.__name__
        if caps["intervals"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bounds = model.fit(y).predict_interval()
            assert bounds.shape == (2, 2), cls.__name__

    class NoIntervals(NaiveForecaster):
        _capabilities = {"intervals": False}

    with pytest.raises(ValueError, match="NoIntervals does not give prediction intervals"):
        NoIntervals().fit(y).predict_interval()


@pytest.mark.parametrize("cls", _all_public_classes(), ids=lambda c: c.__name__)
def test_a_model_pickled_before_a_parameter_existed_still_loads(cls):
    """Unpickling fills parameters missing from an old pickle with their defaults, so
    get_params, clone and repr work on models saved by earlier versions."""
    import pickle

    obj = _instance(cls)
    params = _params(obj)
    assert _params(pickle.loads(pickle.dumps(obj))) == params  # a plain round trip
    newest = [n for n in params if n not in ("horizon", "window", "estimator",
                                             "forecaster", "augmenters")][-1:]
    state = dict(obj.__getstate__())
    for name in newest:
        state.pop(name)  # as if pickled before the parameter was added
    restored = cls.__new__(cls)
    restored.__setstate__(state)
    assert all(hasattr(restored, name) for name in params)
    if hasattr(restored, "get_params"):
        assert restored.get_params(deep=False).keys() == params
        clone(restored)
    assert _params(pickle.loads(pickle.dumps(restored))) == params

"""Property and metamorphic tests of the forecaster contract's mechanisms (issue 21, part B).

- **Fitted state only.** ``predict``, ``predict_interval`` and ``score`` read the parameters
  of the last ``fit``: changing any parameter afterwards (one, or any subset drawn by
  hypothesis) changes none of their outputs, for every forecaster class.
- **One schema.** Covariates given at predict are checked against what ``fit`` saw: an
  extra column is refused by name, a column ``fit`` refuses (boolean) is refused at predict
  too, and the order of the columns never matters.
- **Layouts.** A MultiIndex (or long frame) with the timestamps where the ids belong is
  refused, never read as one series per date.
- **Choices from the history only.** ``predict(horizon=h)`` is a prefix of ``predict()``
  for every forecaster, on random histories.
- **Numbers.** Box-Cox intervals are finite and hold the forecast; an explicit season too
  long for the data is refused by name; too few calibration windows for a coverage warn;
  a coverage that is not a number is a TypeError naming it.
- **Errors from tsrnn.** A string in a regression target, a missing class label, windows of
  zero steps, the target in both X and y: each ends in a tsrnn error naming it.

Examples follow the profile of ``tests/conftest.py`` (derandomised under ``CI``); fits are
shared per class where a property varies only what is predicted.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_forecaster_contract import AFTER, FORECASTERS, SERIES, make

from tsrnn import GRUClassifier, LSTMClassifier, LSTMRegressor
from tsrnn.augment import GaussianNoise
from tsrnn.forecasting import (
    ARIMAForecaster,
    DriftForecaster,
    ETSForecaster,
    GRUForecaster,
    LSTMForecaster,
    MSTLForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
    TransformedTargetForecaster,
)
from tsrnn.forecasting._conformal import conformal_widths

CLASSES = list(FORECASTERS)


def ids(cls) -> str:
    return cls.__name__


NEURAL = [c for c in CLASSES if "hidden_size" in c().get_params()]
CLASSICAL = [c for c in CLASSES if c not in NEURAL]


def quiet(call, *args, **kwargs):
    """``call(*args, **kwargs)`` with warnings silenced (those are tested elsewhere)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


# ------------------------------------------------------ predictions read the fitted state
# Another valid value (or two) of every parameter of every forecaster: a new parameter
# needs a line here (test_every_parameter_has_alternatives says which).
ALTERNATIVES = {
    "horizon": [5, 1], "freq": ["h", None], "target": ["other", None],
    "id_col": ["sid"], "time_col": ["t"], "season_length": [3, "auto", 1],
    "n_jobs": [2, None], "verbose": [True, False], "max_p": [2], "max_d": [1], "max_q": [2],
    "future_covariates": [["x"], None], "trend_model": ["arima", "ets"],
    "transform": ["identity", "log"], "forecaster": [DriftForecaster(), None],
    "window": [8, None], "strategy": ["recursive", "seq2seq"], "attention": [True, False],
    "scaler": ["none", "standard"], "seasonal": [None, "auto"], "log_scale": [False, True],
    "n_models": [2, 1], "max_windows_per_series": [4, None],
    "hidden_size": [8, 4], "num_layers": [2, 1], "dropout": [0.3, 0.0],
    "nonlinearity": ["relu", "tanh"], "loss": ["mse", "pinball"],
    "quantiles": [(0.1, 0.5, 0.9), None], "interval_calibration": ["series", "pooled"],
    "optimizer": ["sgd", "adam"], "lr": [0.1, 0.001], "weight_decay": [0.1, 0.0],
    "l1": [0.1, 0.0], "batch_size": [4, 16], "max_epochs": [7, "auto"],
    "grad_clip": [None, 0.1], "lr_schedule": ["cosine", None],
    "validation_fraction": [0.3, 0.0], "patience": [1, None],
    "augment": [GaussianNoise(), None], "device": ["cpu", "auto"], "precision": ["bf16", 32],
    "random_state": [1, None], "warm_start": [True, False], "n_threads": [1, 2],
    "callbacks": [[lambda epoch, record: None], None],
    "candidates": [["naive", "mean"], None], "method": ["combine", "select"],
    "n_origins": [3, 1], "n_best": [1, 2], "per_series": [False, True],
    "module": [torch.nn.Identity, None], "module_params": [{"hidden_size": 8}, None],
}
NEW_HISTORY = SERIES.iloc[7:] + 1.0  # another history, ending where SERIES ends


def _other(name, value) -> list:
    return [v for v in ALTERNATIVES[name] if not (type(v) is type(value) and v == value)]


def _outputs(model) -> list:
    """Everything a fitted model gives without refitting."""
    out = [model.predict(), model.predict(NEW_HISTORY), model.predict(horizon=2),
           model.score(AFTER)]
    if model.capabilities()["intervals"]:
        out.append(model.predict_interval(coverage=0.8))
    return out


def _assert_same_outputs(before, after) -> None:
    for a, b in zip(before, after):
        if isinstance(a, float):
            assert a == b
        elif isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            pd.testing.assert_series_equal(a, b)


@pytest.fixture(scope="module", params=CLASSES, ids=ids)
def fitted_and_outputs(request):
    model = quiet(lambda: make(request.param).fit(SERIES))
    return model, quiet(lambda: _outputs(model))


def test_every_parameter_has_alternatives():
    names = {n for cls in CLASSES for n in cls().get_params(deep=False)}
    assert not sorted(names - set(ALTERNATIVES)), "add them to ALTERNATIVES"


def test_changing_any_parameter_after_fit_changes_no_prediction(fitted_and_outputs):
    model, before = fitted_and_outputs
    params = model.get_params(deep=False)
    try:
        for name, value in params.items():
            for other in _other(name, value):
                model.set_params(**{name: other})
                _assert_same_outputs(before, quiet(lambda: _outputs(model)))
                assert model.get_params(deep=False)[name] is other  # the user's value stays
            model.set_params(**{name: value})
    finally:
        model.set_params(**params)


@settings(max_examples=15)
@given(data=st.data())
def test_any_set_of_changed_parameters_changes_no_prediction(fitted_and_outputs, data):
    model, before = fitted_and_outputs
    params = model.get_params(deep=False)
    names = data.draw(st.sets(st.sampled_from(sorted(params)), min_size=1), label="names")
    changed = {n: data.draw(st.sampled_from(_other(n, params[n]) or [params[n]]), label=n)
               for n in sorted(names)}
    try:
        model.set_params(**changed)
        _assert_same_outputs(before, quiet(lambda: _outputs(model)))
    finally:
        model.set_params(**params)


def test_the_issue_examples_predict_with_the_fitted_parameters():
    y = SERIES
    lstm = quiet(lambda: LSTMForecaster(horizon=3, window=14, max_epochs=3,
                                        random_state=0).fit(y))
    before = lstm.predict()
    pd.testing.assert_series_equal(lstm.set_params(scaler="none").predict(), before)
    assert lstm.scaler == "none"  # and the next fit uses it
    assert quiet(lambda: lstm.fit(y)).fitted_params_["scaler"] == "none"
    snaive = SeasonalNaiveForecaster(horizon=7).fit(y)  # "auto": season 7 (daily)
    before = snaive.predict()
    pd.testing.assert_series_equal(snaive.set_params(season_length=3).predict(), before)
    assert snaive.fit(y).season_length_ == 3


def test_a_nested_parameter_changed_in_place_changes_no_prediction():
    model = TransformedTargetForecaster(SeasonalNaiveForecaster(season_length=7), "log",
                                        horizon=7).fit(SERIES)
    before = model.predict()
    model.set_params(forecaster__season_length=2)  # mutates the forecaster object held
    pd.testing.assert_series_equal(model.predict(), before)
    assert model.forecaster.season_length == 2


def test_predict_quantiles_reads_the_fitted_parameters_too():
    model = quiet(lambda: GRUForecaster(horizon=3, window=14, max_epochs=2, loss="pinball",
                                        random_state=0).fit(SERIES))
    before = model.predict_quantiles()
    model.set_params(loss="mse", quantiles=(0.2, 0.5), scaler="none")
    pd.testing.assert_frame_equal(model.predict_quantiles(), before)


# ---------------------------------------------------------------- one schema, at predict
def _with_covariates(n=63, seed=0, bool_col=False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=n, freq="D")
    frame = pd.DataFrame({"y": SERIES.to_numpy()[:n] if n <= len(SERIES) else
                          rng.normal(size=n).cumsum(), "a": rng.normal(size=n),
                          "b": np.sin(np.arange(n)), "c": 10.0 * rng.normal(size=n)},
                         index=index)
    if bool_col:
        frame["c"] = frame["c"] > 0
    return frame


FUTURE = [LSTMForecaster, GRUForecaster, ARIMAForecaster]


def _future_model(cls):
    return make(cls, target="y", future_covariates=["a", "b"])


@pytest.mark.parametrize("cls", FUTURE, ids=ids)
def test_an_extra_future_covariate_is_refused_by_name(cls):
    data = _with_covariates(70)
    model = quiet(lambda: _future_model(cls).fit(data.iloc[:63]))
    future = data.iloc[63:][["a", "b", "c"]].assign(extra=1.0)
    with pytest.raises(ValueError, match=r"\['extra'\].*not fitted with"):
        model.predict(future)
    with pytest.raises(ValueError, match=r"\['extra'\].*not fitted with"):
        model.predict_interval(future)
    quiet(lambda: model.predict(future.drop(columns="extra")))  # c: fitted, past-only


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_an_extra_column_in_a_new_history_is_refused_by_name(cls):
    data = _with_covariates()
    model = quiet(lambda: make(cls, target="y").fit(data[["y", "a"]]))
    with pytest.raises(ValueError, match=r"\['zz'\].*not fitted with"):
        quiet(lambda: model.predict(data[["y", "a"]].assign(zz=0.0)))


@pytest.mark.parametrize("cls", FUTURE, ids=ids)
def test_a_boolean_covariate_is_refused_at_predict_as_at_fit(cls):
    data = _with_covariates(70)
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['c'\]"):
        quiet(lambda: _future_model(cls).fit(_with_covariates(63, bool_col=True)))
    model = quiet(lambda: make(cls, target="y", future_covariates=["a", "c"]).fit(
        data.iloc[:63]))
    future = data.iloc[63:][["a", "c"]].assign(c=lambda f: f["c"] > 0)
    with pytest.raises(TypeError, match=r"\['c'\].*bool \(fitted: float64\)"):
        model.predict(future)
    history = data.iloc[:63].assign(c=lambda f: f["c"] > 0)
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['c'\]"):
        model.predict(history.drop(columns="b"))


@pytest.fixture(scope="module", params=FUTURE, ids=ids)
def covariate_model(request):
    data = _with_covariates(70)
    model = quiet(lambda: _future_model(request.param).fit(data.iloc[:63]))
    return model, data


@settings(max_examples=10)
@given(fit_order=st.permutations(["y", "a", "b", "c"]),
       future_order=st.permutations(["a", "b", "c"]))
def test_the_order_of_covariate_columns_never_matters(covariate_model, fit_order,
                                                      future_order):
    model, data = covariate_model
    reference = quiet(lambda: model.predict(data.iloc[63:][["a", "b"]]))
    pd.testing.assert_frame_equal(
        quiet(lambda: model.predict(data.iloc[63:][future_order])), reference)
    history = data[fit_order].assign(y=lambda f: f["y"].where(f.index < f.index[63]))
    again = quiet(lambda: model.predict(history))  # a new history in another column order
    pd.testing.assert_frame_equal(again, reference)


# ------------------------------------------------------------------------------- layouts
@settings(max_examples=20)
@given(n_series=st.integers(1, 4), id_kind=st.sampled_from(["int", "str"]),
       length=st.integers(8, 30))
def test_time_where_the_ids_belong_is_refused_never_read_as_series(n_series, id_kind, length):
    times = pd.date_range("2022-01-01", periods=length, freq="D")
    sids = [10 + i for i in range(n_series)] if id_kind == "int" else \
        [f"s{i}" for i in range(n_series)]
    long = pd.DataFrame({"ds": np.tile(times, n_series), "sid": np.repeat(sids, length),
                         "y": np.random.default_rng(0).normal(size=n_series * length)})
    wrong = long.set_index(["ds", "sid"]).sort_index()
    with pytest.raises(ValueError, match="MultiIndex has timestamps in its first level"):
        NaiveForecaster().fit(wrong)
    right = long.set_index(["sid", "ds"])
    model = NaiveForecaster(horizon=2).fit(right)
    for call in (lambda: model.predict(wrong), lambda: model.score(wrong)):
        with pytest.raises(ValueError, match="MultiIndex has timestamps in its first level"):
            call()
    swapped = long.rename(columns={"ds": "unique_id", "sid": "ds"})
    with pytest.raises(ValueError, match="'unique_id' holds timestamps.*swapped"):
        NaiveForecaster().fit(swapped)
    as_series = right["y"]  # a Series on the (id, time) MultiIndex: the same panel
    expected = NaiveForecaster(horizon=2).fit(right).predict()
    for args in ((as_series,), (None, as_series), (right[[]].assign(c=1.0), as_series)):
        pd.testing.assert_frame_equal(quiet(NaiveForecaster(horizon=2).fit, *args).predict(),
                                      expected)


# ------------------------------------------------- choices from the history, not the horizon
def _history(seed: int, n: int, season: float, trend: float, level: float) -> pd.Series:
    """A random walk with a trend and a weekly season, positive (every model takes it)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = trend * t + season * np.sin(2 * np.pi * t / 7) + rng.normal(size=n).cumsum()
    values = values - values.min() + 1.0 + level
    return pd.Series(values, index=pd.date_range("2022-01-01", periods=n, freq="D"))


histories = st.builds(_history, seed=st.integers(0, 10**6), n=st.integers(30, 90),
                      season=st.sampled_from([0.0, 0.5, 3.0]),
                      trend=st.sampled_from([0.0, 0.2, -1.0]),
                      level=st.sampled_from([0.0, 100.0, 1e4]))


@settings(max_examples=200)
@example(history=_history(0, 40, 0.5, 0.0, 0.0))
@given(history=histories)
def test_seasonal_naive_auto_is_a_prefix_whatever_the_horizon(history):
    """The issue's case: the season test looked at the horizon asked (55 of 200 series)."""
    model = SeasonalNaiveForecaster(horizon=10).fit(history)
    full = model.predict(horizon=14)
    for h in (1, 2, 5, 10):
        pd.testing.assert_series_equal(model.predict(horizon=h), full.iloc[:h],
                                       check_freq=False)
    pd.testing.assert_series_equal(model.predict(), full.iloc[:10], check_freq=False)


@pytest.fixture(scope="module", params=CLASSICAL + [LSTMForecaster], ids=ids)
def prefix_model(request):
    cls = request.param
    return quiet(lambda: make(cls, horizon=6).fit(_history(1, 80, 3.0, 0.2, 50.0)))


@settings(max_examples=8)
@given(history=histories, short=st.integers(1, 5), longer=st.integers(7, 12))
def test_a_shorter_horizon_is_a_prefix_of_a_longer_one(prefix_model, history, short, longer):
    """From any new history: horizons below, at and above the fitted one."""
    history = history.rename(prefix_model.targets_[0])
    if len(history) < prefix_model._min_history():
        return
    full = quiet(lambda: prefix_model.predict(history))
    for h in (short, longer):
        part = quiet(prefix_model.predict, history, horizon=h)
        k = min(h, len(full))
        np.testing.assert_allclose(part.to_numpy()[:k], full.to_numpy()[:k], rtol=1e-9)
    if prefix_model.capabilities()["intervals"]:
        wide = quiet(lambda: prefix_model.predict_interval(history))
        part = quiet(lambda: prefix_model.predict_interval(history, horizon=short))
        np.testing.assert_allclose(part.to_numpy(), wide.to_numpy()[:short], rtol=1e-9)


# ------------------------------------------------------------------------------- numbers
positive = st.builds(lambda seed, vol, level: pd.Series(
    level * np.exp(vol * np.random.default_rng(seed).normal(size=40).cumsum()),
    index=pd.date_range("2022-01-01", periods=40, freq="D")),
    seed=st.integers(0, 10**6), vol=st.floats(0.01, 2.0), level=st.floats(1e-3, 1e3))


@settings(max_examples=40)
@given(y=positive, inner=st.sampled_from([NaiveForecaster, DriftForecaster]),
       coverage=st.sampled_from([0.5, 0.9, 0.99]))
def test_box_cox_intervals_are_finite_and_hold_the_forecast(y, inner, coverage):
    model = TransformedTargetForecaster(inner(), "boxcox", horizon=5).fit(y)
    point = model.predict().to_numpy()
    bounds = model.predict_interval(coverage=coverage).to_numpy()
    assert np.isfinite(bounds).all() and np.isfinite(point).all()
    assert (bounds[:, 0] >= 0).all()  # Box-Cox data is positive: so is every bound
    assert (bounds[:, 0] <= point * (1 + 1e-9)).all()
    assert (point <= bounds[:, 1] * (1 + 1e-9)).all()


@pytest.mark.parametrize("cls", [ETSForecaster, ThetaForecaster, ARIMAForecaster,
                                 MSTLForecaster], ids=ids)
@settings(max_examples=4)
@given(m=st.integers(4, 30), short=st.integers(1, 8))
def test_an_explicit_season_too_long_for_the_data_is_refused_by_name(cls, m, short):
    n = max(2 * m - short, 4)
    y = pd.Series(np.sin(np.arange(n)) + 5.0, index=pd.RangeIndex(n))
    with pytest.raises(ValueError, match=rf"at least {2 * m} are needed \(season_length="
                                         rf"{m} needs two full"):
        quiet(lambda: cls(season_length=m).fit(y))


@pytest.mark.parametrize("cls", [ETSForecaster, ThetaForecaster, ARIMAForecaster,
                                 MSTLForecaster], ids=ids)
def test_an_explicit_season_is_used_when_the_data_holds_two(cls):
    y = _history(3, 28, 3.0, 0.0, 50.0)
    model = quiet(lambda: cls(season_length=7, horizon=3).fit(y))
    assert model.season_length_ == 7
    with pytest.raises(ValueError, match="season_length=7 needs two full"):
        model.predict(y.iloc[-10:])  # a new history too short for the season


@settings(max_examples=50)
@given(n=st.integers(1, 60), coverage=st.floats(0.05, 0.995))
def test_too_few_calibration_windows_for_a_coverage_warn(n, coverage):
    residuals = np.abs(np.random.default_rng(n).normal(size=(n, 2, 1)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        widths, _ = conformal_widths(residuals, None, coverage)
    warned = [w for w in caught if "calibration window" in str(w.message)]
    assert len(warned) == ((n + 1) * coverage > n)  # once, exactly when it cannot calibrate
    if warned:
        assert np.array_equal(widths[0], residuals.max(axis=0))  # the widest error


def test_one_calibration_window_warns_that_wide_intervals_are_capped():
    y = SERIES.iloc[:20]
    model = quiet(lambda: LSTMForecaster(horizon=3, window=14, max_epochs=1,
                                         validation_fraction="auto",
                                         random_state=0).fit(y))
    assert len(model.residuals_) <= 3
    with pytest.warns(UserWarning, match=r"calibration window.*0\.99 interval needs at "
                                         r"least 99"):
        wide = model.predict_interval(coverage=0.99)
    narrow = quiet(lambda: model.predict_interval(coverage=0.5))
    assert (wide.to_numpy()[:, 1] >= narrow.to_numpy()[:, 1]).all()


def test_a_coverage_that_is_not_a_number_is_a_type_error(fitted_and_outputs):
    model, _ = fitted_and_outputs
    for coverage in ("0.9", None, True, [0.9], np.array([0.9])):
        with pytest.raises(TypeError, match="coverage must be a number in"):
            model.predict_interval(coverage=coverage)
    for coverage in (0.0, 1.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"coverage must be in \(0, 1\)"):
            model.predict_interval(coverage=coverage)


# -------------------------------------------------------------------- errors from tsrnn
@settings(max_examples=20)
@given(n=st.integers(4, 30), data=st.data(), bad=st.sampled_from(["a", "1.5", None, b"x"]))
def test_a_non_number_in_a_regression_target_is_named(n, data, bad):
    position = data.draw(st.integers(0, n - 1), label="position")
    y = np.arange(n, dtype=float).astype(object)
    y[position] = bad
    X = np.random.default_rng(0).normal(size=(n, 5, 2))
    with pytest.raises(ValueError, match=rf"y must hold numbers.*item {position} .*"
                                         rf"{type(bad).__name__}"):
        LSTMRegressor(max_epochs=1).fit(X, y)


@settings(max_examples=20)
@given(n=st.integers(4, 30), data=st.data(), missing=st.sampled_from([None, np.nan]),
       labels=st.sampled_from([("a", "b"), (1, 2)]))
def test_a_missing_class_label_is_named(n, data, missing, labels):
    position = data.draw(st.integers(0, n - 1), label="position")
    y = [labels[i % 2] for i in range(n)]
    y[position] = missing
    X = np.random.default_rng(0).normal(size=(n, 5))
    with pytest.raises(ValueError, match=rf"missing class label .* at position {position}"):
        GRUClassifier(max_epochs=1).fit(X, y)


def test_windows_of_zero_steps_are_refused_by_tsrnn():
    with pytest.raises(ValueError, match="0 time steps"):
        LSTMRegressor(max_epochs=1).fit(np.zeros((6, 0, 2)), np.zeros(6))
    model = LSTMClassifier(max_epochs=1, random_state=0).fit(np.random.rand(6, 4, 2),
                                                            [0, 1] * 3)
    with pytest.raises(ValueError, match="0 time steps"):
        model.predict(np.zeros((2, 0, 2)))


@pytest.mark.parametrize("layout", ["series", "frame", "long"])
def test_the_target_in_both_x_and_y_is_refused_by_name(layout):
    y = SERIES.rename("y")
    X = pd.DataFrame({"y": y.to_numpy(), "c": 1.0}, index=y.index)
    if layout == "frame":
        y = y.to_frame()
    elif layout == "long":
        y = pd.DataFrame({"unique_id": "a", "ds": y.index, "y": y.to_numpy()})
        X = X.reset_index(names="ds").assign(unique_id="a")
    with pytest.raises(ValueError, match=r"share the column names \['y'\].*drop it from X"):
        NaiveForecaster().fit(X, y)

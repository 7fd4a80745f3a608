"""The contract every forecaster keeps, checked once for all of them.

Every forecaster of the registry (``tsrnn/_registry.py``) is covered, with the parameters
of a tiny, fast instance from its own ``get_test_params()`` (``horizon`` is set by the
tests); ``test_every_public_forecaster_is_registered_with_a_test_configuration`` fails for
a public forecaster that is not registered or has no configuration.
"""

import copy
import importlib
import importlib.util
import pickle

import cloudpickle
import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

from tsrnn import _registry
from tsrnn.datasets import make_seasonal_series, make_sine
from tsrnn.forecasting import BaseForecaster

# statsmodels' ARIMA order search: about 45 s over the contract, in the slow lane only
SLOW = {"ARIMAForecaster"}

HORIZON = 3


def _public_forecasters() -> dict:
    """``{name: class}`` of every forecaster the public forecasting modules export."""
    names = ["tsrnn.forecasting", "tsrnn.forecasting.baselines"]
    if importlib.util.find_spec("statsmodels") is not None:
        names.append("tsrnn.forecasting.statistical")
    found = {}
    for module_name in names:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a module another engineer has not written yet
            continue
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if isinstance(obj, type) and issubclass(obj, BaseForecaster) \
                    and obj is not BaseForecaster:
                found[name] = obj
    return found


def _registered() -> dict:
    """``{class: tiny parameters}`` of every registered forecaster that can be imported."""
    found = {}
    for name in sorted(_registry.FORECASTERS):
        if name in _registry.NEEDS_STATSMODELS and importlib.util.find_spec("statsmodels") \
                is None:
            continue
        cls = _registry.load(name)
        found[cls] = cls.get_test_params()[0]
    return found


FORECASTERS = _registered()


def make(cls, **params):
    return cls(**{"horizon": HORIZON, **FORECASTERS[cls], **params})


def _series(n=63, random_state=0) -> pd.Series:
    """Daily series with a weekly cycle, named ``sales`` on an index named ``date``."""
    y = make_seasonal_series(n=n, freq="D", seasonalities=(7,), noise=0.2,
                             random_state=random_state).rename("sales")
    return y.rename_axis("date")


def _panel() -> pd.DataFrame:
    """Long format, ids deliberately not sorted, different starts, lengths and levels."""
    parts = []
    for k, (sid, start, n) in enumerate([("b", "2021-03-01", 40), ("a", "2021-01-15", 33),
                                         ("c", "2021-02-10", 45)]):
        y = make_seasonal_series(n=n, freq="D", seasonalities=(7,), level=10.0 * (k + 1),
                                 start=start, noise=0.2, random_state=k)
        parts.append(pd.DataFrame({"unique_id": sid, "ds": y.index, "y": y.to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def _check_future(index, last, step_index: pd.Index) -> None:
    """``index`` holds the ``HORIZON`` timestamps after ``last`` in the type of ``step_index``."""
    if isinstance(step_index, pd.DatetimeIndex):
        expected = pd.date_range(last, periods=HORIZON + 1, freq=step_index.freq)[1:]
    elif isinstance(step_index, pd.PeriodIndex):
        expected = pd.period_range(last + 1, periods=HORIZON, freq=step_index.freq)
    else:
        step = step_index[1] - step_index[0]
        expected = pd.Index(last + step * np.arange(1, HORIZON + 1))
    pd.testing.assert_index_equal(pd.Index(index), expected, check_names=False,
                                  check_freq=False, exact="equiv")  # a RangeIndex is fine


SERIES = _series()
AFTER = _series(n=84).iloc[len(SERIES):]  # the 21 days that follow SERIES

CASES = [pytest.param(cls, marks=pytest.mark.slow) if cls.__name__ in SLOW else cls
         for cls in FORECASTERS]
parametrize = pytest.mark.parametrize("cls", CASES, ids=lambda c: c.__name__)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: c.__name__)
def fitted(request):
    """Each forecaster fitted once on ``SERIES`` (tests must not change it)."""
    return make(request.param).fit(SERIES)


def test_every_public_forecaster_is_registered_with_a_test_configuration():
    missing = sorted(set(_public_forecasters()) - set(_registry.FORECASTERS))
    assert not missing, f"add these forecasters to tsrnn/_registry.py: {missing}"
    for cls, params in FORECASTERS.items():
        assert isinstance(params, dict), cls
        assert all(isinstance(p, dict) for p in cls.get_test_params()), cls


@parametrize
def test_fit_returns_self_and_sets_fitted_attributes(cls):
    model = make(cls)
    assert model.fit(SERIES) is model
    assert model.horizon_ == HORIZON
    assert model.freq_ == pd.offsets.Day()
    assert model.targets_ == ["sales"]
    assert model.n_series_ == 1


def test_predict_series_continues_the_index(fitted):
    pred = fitted.predict()
    assert isinstance(pred, pd.Series)
    assert pred.name == "sales"
    assert pred.index.name == "date"
    assert pred.index.freq == pd.offsets.Day()
    _check_future(pred.index, SERIES.index[-1], SERIES.index)
    assert np.isfinite(pred.to_numpy()).all()


@parametrize
def test_predict_frame_keeps_every_target_column(cls):
    frame = pd.DataFrame({"a": SERIES, "b": 2 * SERIES + 5})
    pred = make(cls).fit(frame).predict()
    assert isinstance(pred, pd.DataFrame)
    assert list(pred.columns) == ["a", "b"]
    _check_future(pred.index, frame.index[-1], frame.index)
    assert np.isfinite(pred.to_numpy()).all()


@parametrize
def test_predict_long_format_in_input_id_order(cls):
    panel = _panel()
    pred = make(cls).fit(panel).predict()
    assert list(pred.columns) == ["unique_id", "ds", "y"]
    assert list(pred["unique_id"].unique()) == ["b", "a", "c"]
    for sid, part in pred.groupby("unique_id", sort=False):
        history = panel.loc[panel["unique_id"] == sid, "ds"]
        _check_future(part["ds"], history.iloc[-1], pd.DatetimeIndex(history, freq="D"))
    assert np.isfinite(pred["y"].to_numpy()).all()


@parametrize
def test_predict_multiindex_in_multiindex_out(cls):
    panel = _panel().set_index(["unique_id", "ds"])
    pred = make(cls).fit(panel).predict()
    assert isinstance(pred.index, pd.MultiIndex)
    assert list(pred.columns) == ["y"]
    assert list(pred.index.get_level_values(0).unique()) == ["b", "a", "c"]
    for sid in ["b", "a", "c"]:
        history = panel.loc[sid].index
        _check_future(pred.loc[sid].index, history[-1], pd.DatetimeIndex(history, freq="D"))


@parametrize
def test_predict_integer_index_continues_with_its_step(cls):
    y = pd.Series(SERIES.to_numpy(), index=pd.RangeIndex(100, 100 + 2 * len(SERIES), 2))
    pred = make(cls).fit(y).predict()
    _check_future(pred.index, y.index[-1], y.index)
    assert pd.api.types.is_integer_dtype(pred.index.dtype)


@parametrize
def test_predict_period_index_continues_the_periods(cls):
    y = pd.Series(SERIES.to_numpy(), index=pd.period_range("2015-01", periods=len(SERIES),
                                                           freq="M"))
    pred = make(cls).fit(y).predict()
    assert isinstance(pred.index, pd.PeriodIndex)
    _check_future(pred.index, y.index[-1], y.index)


@parametrize
def test_methods_before_fit_raise_not_fitted(cls):
    model = make(cls)
    for method in (model.predict, model.predict_interval):
        with pytest.raises(NotFittedError):
            method()
    with pytest.raises(NotFittedError):
        model.score(AFTER)


@parametrize
def test_clone_and_params_round_trip(cls):
    model = make(cls)
    params = model.get_params()
    assert clone(model).get_params() == params
    assert cls(**params).get_params() == params
    model.set_params(horizon=5)
    assert model.get_params()["horizon"] == 5
    unfitted = clone(make(cls).fit(SERIES))
    with pytest.raises(NotFittedError):
        unfitted.predict()


def _joblib_round_trip(model, tmp_path):
    joblib.dump(model, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib")


@pytest.mark.parametrize("round_trip", [
    lambda m, _: pickle.loads(pickle.dumps(m)),
    _joblib_round_trip,
    lambda m, _: cloudpickle.loads(cloudpickle.dumps(m)),
], ids=["pickle", "joblib", "cloudpickle"])
def test_serialisation_round_trip_predicts_the_same(fitted, round_trip, tmp_path):
    loaded = round_trip(fitted, tmp_path)
    pd.testing.assert_series_equal(loaded.predict(), fitted.predict())
    new = _series(n=70, random_state=3)
    pd.testing.assert_series_equal(loaded.predict(new), fitted.predict(new))


@parametrize
def test_fit_does_not_mutate_the_input(cls):
    panel, series = _panel(), SERIES.copy()
    panel_copy, series_copy = copy.deepcopy(panel), copy.deepcopy(series)
    make(cls).fit(panel)
    make(cls).fit(series)
    pd.testing.assert_frame_equal(panel, panel_copy)
    pd.testing.assert_series_equal(series, series_copy)
    assert series.index.freq == series_copy.index.freq


@parametrize
def test_second_fit_starts_over(cls):
    refitted = make(cls).fit(_panel()).fit(SERIES)
    pd.testing.assert_series_equal(refitted.predict(), make(cls).fit(SERIES).predict())
    assert refitted.n_series_ == 1


@parametrize
def test_integer_values_give_float_forecasts(cls):
    y = pd.Series(np.round(10 * SERIES.to_numpy()).astype(np.int64), index=SERIES.index)
    pred = make(cls).fit(y).predict()
    assert pred.dtype == np.float64
    assert np.isfinite(pred.to_numpy()).all()


def test_predict_from_new_history_without_refit(fitted):
    before = fitted.predict()
    new = _series(n=77, random_state=5)  # ends 14 days after SERIES, other values
    pred = fitted.predict(new)
    _check_future(pred.index, new.index[-1], new.index)
    assert np.isfinite(pred.to_numpy()).all()
    assert not np.allclose(pred.to_numpy(), before.to_numpy())
    pd.testing.assert_series_equal(fitted.predict(), before)  # the model did not change


def test_shorter_horizon_is_a_prefix_of_the_forecast(fitted):
    full = fitted.predict()
    pd.testing.assert_series_equal(fitted.predict(horizon=2), full.iloc[:2], rtol=1e-6)


def test_score_is_finite_and_at_most_zero(fitted):
    score = fitted.score(AFTER)
    assert isinstance(score, float)
    assert np.isfinite(score)
    assert score <= 0  # the negative of a mean absolute scaled error


def test_score_is_the_negative_mase_of_rolling_origins():
    """Hand-computed for the naive method: origins every horizon steps of the new data."""
    from tsrnn.forecasting import NaiveForecaster

    train = pd.Series([1.0, 3.0, 2.0, 5.0, 4.0], index=pd.RangeIndex(5))
    test = pd.Series([6.0, 3.0, 7.0, 8.0, 2.0], index=pd.RangeIndex(5, 10))
    model = NaiveForecaster(horizon=2).fit(train)
    joined = np.concatenate([train.to_numpy(), test.to_numpy()])
    # each origin's scale: the one-step naive error of the history before it (no season
    # on an integer index)
    scales = [np.mean(np.abs(np.diff(joined[:origin]))) for origin in (5, 7, 9)]
    last = [4.0, 3.0, 8.0]  # the last value before each origin (5, 7, 9)
    errors = [np.mean(np.abs([6.0, 3.0] - np.float64(last[0]))),
              np.mean(np.abs([7.0, 8.0] - np.float64(last[1]))),
              abs(2.0 - last[2])]  # the last horizon is partial
    assert model.score(test) == pytest.approx(-np.mean(np.divide(errors, scales)))


def test_score_on_a_panel_joins_only_the_series_that_continue_training():
    """Per series: one that continues its training data (origins from the training end),
    one known series that starts later, and one new series (both scored on their own)."""
    from tsrnn.forecasting import NaiveForecaster

    rng = np.random.default_rng(3)

    def part(sid, start, n):
        return pd.DataFrame({"unique_id": sid, "ds": np.arange(start, start + n),
                             "y": rng.normal(size=n).cumsum()})

    train = pd.concat([part("a", 0, 12), part("b", 0, 10)], ignore_index=True)
    test = pd.concat([part("a", 12, 7), part("b", 20, 8), part("new", 5, 9)],
                     ignore_index=True)
    model = NaiveForecaster(horizon=3).fit(train)
    per_origin = []
    for sid, piece in test.groupby("unique_id", sort=False):
        y = piece["y"].to_numpy()
        history = train.loc[train["unique_id"] == sid, "y"].to_numpy()
        joined = sid == "a"
        values = np.concatenate([history, y]) if joined else y
        start = len(history) if joined else 0
        for origin in range(max(start, 1), len(values), 3):
            actual = values[origin:origin + 3]
            history_before = values[:origin]  # the MASE scale of each origin's history
            scale = np.mean(np.abs(np.diff(history_before))) if origin > 1 else \
                abs(history_before[0])  # one value: no difference, its level
            per_origin.append(np.mean(np.abs(actual - values[origin - 1])) / scale)
    assert model.score(test) == pytest.approx(-np.mean(per_origin))


def test_score_is_greater_for_a_neural_model_that_forecasts_well():
    """On a clean sine a trained LSTM must score (negative MASE) above the naive method."""
    from tsrnn.forecasting import LSTMForecaster, NaiveForecaster

    y = make_sine(n=240, period=12)
    train, test = y.iloc[:192], y.iloc[192:]
    lstm = LSTMForecaster(horizon=6, window=24, hidden_size=16, max_epochs=40, lr=0.01,
                          batch_size=32, random_state=0).fit(train)
    naive = NaiveForecaster(horizon=6).fit(train)
    assert lstm.score(test) > naive.score(test) + 0.5


@parametrize
def test_cross_val_score_on_time_series_splits(cls):
    scores = cross_val_score(make(cls), SERIES, cv=TimeSeriesSplit(3))
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()
    assert (scores <= 0).all()


@parametrize
def test_grid_search_fits_and_refits(cls):
    search = GridSearchCV(make(cls), {"horizon": [2, 3]}, cv=TimeSeriesSplit(2))
    search.fit(SERIES)
    assert search.best_params_["horizon"] in (2, 3)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert len(search.best_estimator_.predict()) == search.best_params_["horizon"]


def test_predict_interval_brackets_the_forecast(fitted):
    try:
        wide = fitted.predict_interval(coverage=0.95)
    except NotImplementedError:
        pytest.skip(f"{type(fitted).__name__} documents no prediction intervals")
    narrow = fitted.predict_interval(coverage=0.5)
    point = fitted.predict()
    assert list(wide.columns) == ["sales_lower", "sales_upper"]
    pd.testing.assert_index_equal(wide.index, point.index)
    lower, upper = wide["sales_lower"], wide["sales_upper"]
    assert (lower <= point + 1e-9).all() and (point <= upper + 1e-9).all()
    assert (upper - lower >= narrow["sales_upper"] - narrow["sales_lower"] - 1e-9).all()
    assert ((upper - lower) > (narrow["sales_upper"] - narrow["sales_lower"])).any()
    with pytest.raises(ValueError, match=r"coverage must be in \(0, 1\)"):
        fitted.predict_interval(coverage=1.5)

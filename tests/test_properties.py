"""Property-based and metamorphic tests of the forecaster contract and the window estimators.

Hypothesis generates whole classes of input (layouts, index kinds and frequencies, dtypes,
lengths, magnitudes, covariate orders, parameter values). Every case must end in a correct
result or a tsrnn error: a ``ValueError``/``TypeError`` raised by tsrnn's own code (or
scikit-learn's parameter validation), never a foreign exception (``KeyError``,
``AttributeError``, ``IndexError``, a pandas or torch error), never NaN or infinity from
finite input, never a modified input.

Metamorphic tests check relations between runs: permuting covariate columns or the series
of a panel, shifting every timestamp, scaling by ``c`` and appending unrelated series leave
each series' forecast unchanged (or scaled by ``c``).

Examples are derandomised (the same in every run, so a failure reproduces) and few, with
tiny models: the whole file runs in about a minute on one core. ``TSRNN_EXAMPLES=500``
searches deeper (20 by default).
"""

import copy
import os
import traceback
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from test_forecaster_contract import FORECASTERS

from tsrnn import TrainingDivergedError
from tsrnn._neural import NEURAL_PARAMS
from tsrnn.estimators import GRUClassifier, LSTMRegressor, RNNRegressor
from tsrnn.forecasting import (
    DriftForecaster,
    LSTMForecaster,
    MeanForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

EXAMPLES = int(os.environ.get("TSRNN_EXAMPLES", 20))  # e.g. 500 for a deep search
FAST = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate, Phase.shrink])
FEW = settings(FAST, max_examples=max(1, EXAMPLES // 2))

TINY_NEURAL = dict(window=4, hidden_size=4, max_epochs=1, batch_size=32, random_state=0,
                   device="cpu")
HORIZON = 2


def _tiny(cls, **params):
    base = dict(FORECASTERS[cls])
    if "hidden_size" in base:
        base.update(TINY_NEURAL)
    return cls(**{"horizon": HORIZON, **base, **params})


CLASSES = sorted(FORECASTERS, key=lambda c: c.__name__)
LOCAL = [NaiveForecaster, SeasonalNaiveForecaster, DriftForecaster, MeanForecaster,
         Naive2Forecaster]
NEURAL = [c for c in CLASSES if "hidden_size" in c().get_params()]
STATISTICAL = [c for c in CLASSES if c not in LOCAL and c not in NEURAL]


# ------------------------------------------------------------------ the outcome check
def _from_tsrnn(exc: BaseException) -> bool:
    """Was ``exc`` raised by tsrnn's code (or scikit-learn's parameter validation)?"""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    where = frames[-1].filename.replace(os.sep, "/")
    return "/tsrnn/" in where or where.endswith(SKLEARN_CHECKS)


# scikit-learn's own input checks, which the window estimators call deliberately (their
# messages name the estimator and the problem)
SKLEARN_CHECKS = ("sklearn/utils/_param_validation.py", "sklearn/utils/validation.py",
                  "sklearn/utils/multiclass.py")


def _outcome(call):
    """The result of ``call()``, or None when it raised a tsrnn ValueError/TypeError.

    Any other exception fails the test, with the foreign exception attached.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except (ValueError, TypeError) as exc:
        if not _from_tsrnn(exc):
            raise AssertionError(f"a {type(exc).__name__} escaped from outside tsrnn: "
                                 f"{exc}") from exc
        assert str(exc), "an error without a message"
        return None
    except TrainingDivergedError as exc:  # documented: the message names epoch and step
        assert "epoch" in str(exc)
        return None


def _finite(result) -> None:
    values = result.select_dtypes("number").to_numpy(dtype=float) \
        if isinstance(result, pd.DataFrame) else np.asarray(result, dtype=float)
    assert np.isfinite(values).all(), f"non-finite output from finite input:\n{result}"


def _same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_freq=False)
    else:
        pd.testing.assert_series_equal(a, b, check_freq=False)


# -------------------------------------------------------------------- data generation
INDEX_KINDS = ["D", "B", "MS", "ME", "W-SUN", "h-tz", "period-M", "int", "int-step"]


def _index(kind: str, n: int, shift: int = 0) -> pd.Index:
    if kind == "h-tz":  # hourly across the spring DST change of Paris
        return pd.date_range("2024-03-30 12:00", periods=n + shift, freq="h",
                             tz="Europe/Paris")[shift:]
    if kind == "period-M":
        return pd.period_range("2020-01", periods=n + shift, freq="M")[shift:]
    if kind == "int":
        return pd.RangeIndex(shift, n + shift)
    if kind == "int-step":
        return pd.Index(np.arange(100 + 2 * shift, 100 + 2 * (n + shift), 2), dtype=np.int64)
    return pd.date_range("2024-01-01", periods=n + shift, freq=kind)[shift:]


def _values(n: int, seed: int, scale: float, level: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return scale * (level + np.sin(2 * np.pi * t / 7) + 0.3 * rng.normal(size=n))


NUMERIC = ["float64", "float32", "int64", "Int64", "Float64"]
DTYPES = NUMERIC + ["bool", "object", "category"]


def _cast(values: np.ndarray, dtype: str):
    if dtype in ("int64", "Int64"):
        return pd.array(np.round(values).astype(np.int64), dtype=dtype)
    if dtype == "bool":
        return values > np.median(values)
    if dtype == "object":
        return values.astype(object)
    if dtype == "category":
        return pd.Categorical(np.round(values))
    return pd.array(values, dtype=dtype) if dtype == "Float64" else values.astype(dtype)


def _make(layout, kind, lengths, scale, level, dtype, id_kind="str", shift=0, seed=0):
    """Data in ``layout`` with series of ``lengths`` (each ends ``shift`` steps later)."""
    ids = {"str": [f"s{i}" for i in range(len(lengths))],
           "int": [10 + i for i in range(len(lengths))],
           "category": [f"c{i}" for i in range(len(lengths))]}[id_kind]
    parts = []
    for i, (sid, n) in enumerate(zip(ids, lengths)):
        index = _index(kind, n, shift)
        values = _cast(_values(n, seed + i, scale, level + i), dtype)
        parts.append((sid, index, values))
    if layout == "series":
        _, index, values = parts[0]
        return pd.Series(values, index=index, name="y")
    if layout == "wide":
        n = min(lengths)
        return pd.DataFrame({f"y{i}": pd.Series(values[:n]) for i, (_, _, values)
                             in enumerate(parts)}).set_axis(parts[0][1][:n], axis=0)
    frame = pd.concat([pd.DataFrame({"unique_id": [sid] * len(index), "ds": index, "y": values})
                       for sid, index, values in parts], ignore_index=True)
    if id_kind == "category":
        frame["unique_id"] = frame["unique_id"].astype("category")
    if layout == "multiindex":
        return frame.set_index(["unique_id", "ds"])
    return frame


def _n_series(data) -> int:
    if isinstance(data.index, pd.MultiIndex):
        return data.index.get_level_values(0).nunique()
    return data["unique_id"].nunique() if isinstance(data, pd.DataFrame) and \
        "unique_id" in data.columns else 1


def _tail(data, k: int):
    """The last ``k`` points of every series of ``data`` (the rest, and that tail)."""
    if isinstance(data, pd.Series) or "unique_id" not in getattr(data, "columns", []) and \
            not isinstance(data.index, pd.MultiIndex):
        return data.iloc[:-k], data.iloc[-k:]
    key = data.index.get_level_values(0) if isinstance(data.index, pd.MultiIndex) \
        else data["unique_id"]
    position = data.groupby(key, sort=False, observed=True).cumcount(ascending=False)
    return data[position.to_numpy() >= k], data[position.to_numpy() < k]


layouts = st.sampled_from(["series", "wide", "long", "multiindex"])
kinds = st.sampled_from(INDEX_KINDS)
scales = st.integers(-12, 12).map(lambda k: 10.0 ** k)
levels = st.sampled_from([0.0, 3.0, -50.0, 1e3])


# ------------------------------------------------- any input: a forecast or a tsrnn error
@settings(FAST, max_examples=2 * EXAMPLES)
@given(cls=st.sampled_from(CLASSES), layout=layouts, kind=kinds,
       lengths=st.lists(st.integers(1, 60), min_size=1, max_size=3), scale=scales,
       level=levels, dtype=st.sampled_from(NUMERIC) | st.sampled_from(DTYPES),
       id_kind=st.sampled_from(["str", "int", "category"]))
def test_any_input_ends_in_a_correct_forecast_or_a_tsrnn_error(cls, layout, kind, lengths,
                                                               scale, level, dtype, id_kind):
    data = _make(layout, kind, lengths, scale, level, dtype, id_kind)
    train, test = _tail(data, 3)
    original = copy.deepcopy(train)
    model = _tiny(cls)
    fitted = _outcome(lambda: model.fit(train))
    _same(train, original)  # never modified
    event("fitted" if fitted is not None else "refused at fit")
    if fitted is None:
        return
    for call in (lambda: model.predict(), lambda: model.predict_interval(coverage=0.8),
                 lambda: model.predict(train)):
        result = _outcome(call)
        if result is not None:
            _finite(result)
            assert len(result) == HORIZON * _n_series(train)
    score = _outcome(lambda: model.score(test))
    assert score is None or np.isfinite(score)
    _same(train, original)


@FAST
@given(layout=layouts, kind=kinds, lengths=st.lists(st.integers(12, 30), min_size=1,
                                                     max_size=3))
def test_forecasts_start_one_step_after_each_series(layout, kind, lengths):
    data = _make(layout, kind, lengths, 1.0, 5.0, "float64")
    pred = NaiveForecaster(horizon=HORIZON).fit(data).predict()
    if isinstance(pred, (pd.Series, pd.DataFrame)) and layout in ("series", "wide"):
        n = lengths[0] if layout == "series" else min(lengths)
        expected = _index(kind, n + HORIZON)[-HORIZON:]
        assert list(pred.index) == list(expected)
        return
    times = pred.index.get_level_values(1) if layout == "multiindex" else pred["ds"]
    ids = pred.index.get_level_values(0) if layout == "multiindex" else pred["unique_id"]
    for i, n in enumerate(lengths):
        mine = times[np.asarray(ids == f"s{i}")]
        assert list(mine) == list(_index(kind, n + HORIZON)[-HORIZON:])


# ------------------------------------------------------------------ metamorphic relations
@FAST
@given(cls=st.sampled_from(LOCAL + NEURAL), c=scales, sign=st.sampled_from([1.0, -1.0]),
       kind=kinds)
def test_scaling_the_data_by_c_scales_the_forecasts_by_c(cls, c, sign, kind):
    """Every baseline for any c != 0; the networks for c > 0 (a trained network is not an
    odd function, and Naive2 needs positive data)."""
    if cls in NEURAL or cls is Naive2Forecaster:
        sign = 1.0
    y = _make("series", kind, [40], 1.0, 5.0, "float64")
    model = _tiny(cls)
    unit = clone(model).fit(y)
    scaled = clone(model).fit(y * (sign * c))
    rtol = 1e-9 if cls in LOCAL else 2e-3
    base = unit.predict().to_numpy()
    np.testing.assert_allclose(scaled.predict().to_numpy(), sign * c * base, rtol=rtol,
                               atol=1e-6 * c * np.abs(base).max())
    if sign > 0 and cls in LOCAL:
        np.testing.assert_allclose(scaled.predict_interval().to_numpy(),
                                   c * unit.predict_interval().to_numpy(), rtol=rtol)
    assert scaled.score(y.iloc[30:] * (sign * c)) == pytest.approx(
        unit.score(y.iloc[30:]), rel=1e-6 if cls in LOCAL else 1e-2)


# statsmodels' optimisers stop on absolute tolerances: every series is handed to them in
# units of its mean absolute level (_statsmodels._job), so that all of them scale exactly.
@pytest.mark.slow  # statsmodels on 6 scales x 3 models: about a minute
@pytest.mark.parametrize("cls", STATISTICAL, ids=lambda c: c.__name__)
@settings(FEW, max_examples=6, phases=[Phase.explicit, Phase.generate])
@given(c=st.sampled_from([1e-12, 1e-6, 1e-3, 1e3, 1e6, 1e12]))
def test_statistical_forecasts_scale_with_the_data(c, cls):
    y = _make("series", "D", [50], 1.0, 5.0, "float64")
    unit = _tiny(cls).fit(y).predict().to_numpy()
    scaled = _tiny(cls).fit(y * c).predict().to_numpy()
    np.testing.assert_allclose(scaled, c * unit, rtol=1e-2, atol=1e-3 * c * np.abs(unit).max())


@pytest.mark.slow  # every class, statistical ones included: 20 s
@FAST
@given(cls=st.sampled_from(CLASSES), shift=st.integers(1, 30), kind=kinds)
def test_shifting_every_timestamp_leaves_the_forecast_values_unchanged(cls, shift, kind):
    y = _make("series", kind, [40], 1.0, 5.0, "float64")
    moved = y.set_axis(_index(kind, 40, shift))
    a = _outcome(lambda: _tiny(cls).fit(y).predict())
    b = _outcome(lambda: _tiny(cls).fit(moved).predict())
    assert (a is None) == (b is None)
    if a is not None:
        np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-9)
        assert b.index[0] == _index(kind, 40 + HORIZON, shift)[-HORIZON]


def _per_series(pred: pd.DataFrame) -> dict:
    return {sid: part["y"].to_numpy() for sid, part in pred.groupby("unique_id", sort=False,
                                                                    observed=True)}


@pytest.mark.slow  # every class, statistical ones included: 20 s
@FEW
@given(cls=st.sampled_from(CLASSES), order=st.permutations([0, 1, 2]),
       lengths=st.lists(st.integers(15, 30), min_size=3, max_size=3))
def test_permuting_and_appending_series_leaves_each_forecast_unchanged(cls, order, lengths):
    panel = _make("long", "D", lengths, 1.0, 5.0, "float64")
    ids = [f"s{i}" for i in range(3)]
    permuted = pd.concat([panel[panel["unique_id"] == ids[i]] for i in order])
    extra = _make("long", "D", [25], 2.0, 8.0, "float64", seed=99).assign(unique_id="new")
    model = _tiny(cls)
    fitted = _outcome(lambda: model.fit(panel))
    if fitted is None:
        return
    base = _per_series(model.predict(panel))
    # a fitted model forecasts each series alone: order and company do not matter
    for other in (permuted, pd.concat([panel, extra]), pd.concat([extra, permuted])):
        got = _per_series(model.predict(other))
        for sid in ids:  # statsmodels re-filters a history: rounding of its own
            np.testing.assert_allclose(got[sid], base[sid], rtol=1e-4, err_msg=sid)
    if cls in LOCAL or cls in STATISTICAL:  # per-series models: also when fitted so
        refit = _per_series(clone(model).fit(permuted).predict())
        for sid in ids:
            np.testing.assert_allclose(refit[sid], base[sid], rtol=1e-4, err_msg=sid)
    assert list(_per_series(model.predict(permuted))) == [ids[i] for i in order]


@FEW
@given(order=st.permutations(["a", "b", "c"]), cls=st.sampled_from(NEURAL))
def test_permuting_covariate_columns_leaves_the_forecast_unchanged(order, cls):
    rng = np.random.default_rng(0)
    index = pd.date_range("2024-01-01", periods=45, freq="D")
    X = pd.DataFrame(rng.normal(size=(45, 3)) * [1.0, 10.0, 100.0], index=index,
                     columns=["a", "b", "c"])
    y = pd.Series(np.sin(np.arange(45) / 3) + X["a"].to_numpy(), index=index, name="y")
    model = _tiny(cls, future_covariates=["a"])
    model.fit(X.iloc[:40], y.iloc[:40])
    base = model.predict(X=X, y=y.iloc[:40])
    _same(model.predict(X=X[list(order)], y=y.iloc[:40]), base)
    _same(model.predict_interval(X=X[list(order)], y=y.iloc[:40]),
          model.predict_interval(X=X, y=y.iloc[:40]))
    refit = clone(model).fit(X.iloc[:40][list(order)], y.iloc[:40])
    _same(refit.predict(X=X, y=y.iloc[:40]), base)  # fitted in another order: the same model


@FEW
@given(cls=st.sampled_from(CLASSES), kind=kinds, level=st.sampled_from([3.0, 50.0]),
       low=st.sampled_from([0.5, 0.6, 0.8]), high=st.sampled_from([0.9, 0.95, 0.99]))
def test_intervals_nest_and_hold_the_point_forecast(cls, kind, level, low, high):
    y = _make("series", kind, [48], 1.0, level, "float64")
    model = _tiny(cls)
    if _outcome(lambda: model.fit(y)) is None:
        return
    point = model.predict().to_numpy()
    narrow = _outcome(lambda: model.predict_interval(coverage=low))
    wide = _outcome(lambda: model.predict_interval(coverage=high))
    if narrow is None or wide is None:
        return
    (lo1, hi1), (lo2, hi2) = narrow.to_numpy().T, wide.to_numpy().T
    tol = 1e-9 * np.abs(point).max()
    assert np.all(lo2 <= lo1 + tol) and np.all(hi1 <= hi2 + tol), "intervals do not nest"
    assert np.all(lo1 <= point + tol) and np.all(point <= hi1 + tol), "point outside"


# -------------------------------------------------------------------- ownership
@pytest.mark.slow  # every class and layout: about 10 s
@FAST
@given(cls=st.sampled_from(CLASSES), layout=layouts, dtype=st.sampled_from(
    ["float64", "float32", "int64"]))
def test_fitted_models_never_alias_the_callers_data(cls, layout, dtype):
    data = _make(layout, "D", [30, 25], 1.0, 5.0, dtype)
    model = _tiny(cls)
    if _outcome(lambda: model.fit(data)) is None:
        return
    before = model.predict()
    column = "y" if layout in ("series", "long", "multiindex") else "y0"
    if isinstance(data, pd.Series):
        data.iloc[:] = 999
    else:
        data[column] = 999
    _same(model.predict(), before)
    if isinstance(before, pd.Series):
        before.iloc[:] = -1.0  # nor the caller's copy of a forecast: the model's state
    else:
        before.loc[:, before.select_dtypes("number").columns] = -1.0
    assert not (model.predict().select_dtypes("number") == -1.0).all().all() \
        if isinstance(before, pd.DataFrame) else not (model.predict() == -1.0).all()


# ----------------------------------------------------------------- parameter values
CHEAP_PARAMS = ["dropout", "lr", "weight_decay", "l1", "grad_clip", "patience",
                "validation_fraction", "optimizer", "loss", "lr_schedule", "nonlinearity",
                "precision", "hidden_size", "num_layers", "batch_size", "device"]
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-3, 5),
                      st.floats(-2.0, 2.0) | st.sampled_from([float("nan"), float("inf")]),
                      st.sampled_from(["", "adam", "mse", "tanh", "relu", "cosine", "bf16",
                                       "cpu", "auto", "gpu", "0.1", "32"]))


@FAST
@given(name=st.sampled_from(CHEAP_PARAMS), value=ANY_VALUE)
def test_any_parameter_value_is_accepted_or_refused_by_name(name, value):
    assert name in NEURAL_PARAMS
    y = _make("series", "D", [30], 1.0, 5.0, "float64")
    model = LSTMForecaster(**{**TINY_NEURAL, "horizon": 2, name: value})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(y)
    except (ValueError, TypeError) as exc:
        assert _from_tsrnn(exc), exc
        assert name in str(exc) or "nonlinearity" in str(exc), exc
        return
    except TrainingDivergedError:
        return
    _finite(model.predict())


@pytest.mark.slow  # every class, fitted for each drawn value: about 10 s
@settings(FAST, max_examples=2 * EXAMPLES)
@given(cls=st.sampled_from(CLASSES), data=st.data())
def test_any_value_of_any_forecaster_parameter_is_accepted_or_refused_by_name(cls, data):
    model = _tiny(cls)
    name = data.draw(st.sampled_from(sorted(model.get_params(deep=False))), label="name")
    value = data.draw(ANY_VALUE, label="value")
    if name in ("max_epochs", "hidden_size", "n_models") and isinstance(value, int) \
            and value > 2:
        value = 2  # valid but slow values add nothing here
    model.set_params(**{name: value})
    y = _make("series", "D", [30], 1.0, 5.0, "float64")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(y)
            result = model.predict()
    except (ValueError, TypeError) as exc:
        assert _from_tsrnn(exc), f"{type(exc).__name__} from outside tsrnn: {exc}"
        assert name in str(exc), f"the error does not name {name!r}: {exc}"
        return
    except TrainingDivergedError:
        return
    _finite(result)


# ---------------------------------------------------------------- window estimators
@FAST
@given(cls=st.sampled_from([LSTMRegressor, RNNRegressor, GRUClassifier]),
       n=st.integers(0, 30), steps=st.integers(1, 6), features=st.integers(0, 3),
       dtype=st.sampled_from(["float64", "float32", "int64", "bool", "object"]), scale=scales,
       y_ndim=st.sampled_from([1, 2]))
def test_window_estimators_on_any_array(cls, n, steps, features, dtype, scale, y_ndim):
    rng = np.random.default_rng(0)
    shape = (n, steps) if features == 0 else (n, steps, features)
    X = (rng.normal(size=shape) * scale).astype(dtype)
    classify = cls is GRUClassifier
    y = (np.arange(n) % 2) if classify else rng.normal(size=(n,) if y_ndim == 1 else (n, 2))
    X_before, y_before = X.copy(), y.copy()
    model = cls(hidden_size=4, max_epochs=1, random_state=0)
    fitted = _outcome(lambda: model.fit(X, y))
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    if fitted is None:
        return
    pred = _outcome(lambda: model.predict(X))
    if pred is not None:
        assert len(pred) == n
        if not classify:
            _finite(pred)


@FEW
@given(c=scales, cls=st.sampled_from([LSTMRegressor, RNNRegressor]))
def test_window_regressors_are_scale_equivariant(c, cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6, 1)) + 3
    y = X[:, -1, 0] * 2
    unit = cls(hidden_size=4, max_epochs=1, random_state=0).fit(X, y).predict(X)
    scaled = cls(hidden_size=4, max_epochs=1, random_state=0).fit(X * c, y * c).predict(X * c)
    np.testing.assert_allclose(scaled, c * unit, rtol=2e-3, atol=1e-4 * c)


@FEW
@given(order=st.permutations(["a", "b", "c"]), layout=st.sampled_from(["long", "multiindex"]),
       cls=st.sampled_from(NEURAL + [NaiveForecaster]))
def test_panel_covariates_are_matched_by_name_at_predict_and_score(order, layout, cls):
    rng = np.random.default_rng(1)
    panel = _make("long", "D", [30, 26], 1.0, 5.0, "float64")
    for j, name in enumerate(["a", "b", "c"]):
        panel[name] = rng.normal(size=len(panel)) * 10.0 ** j
    if layout == "multiindex":
        panel = panel.set_index(["unique_id", "ds"])
    train, test = _tail(panel, 4)
    model = _tiny(cls, target="y")
    if _outcome(lambda: model.fit(train)) is None:
        return
    columns = (["unique_id", "ds"] if layout == "long" else []) + ["y"] + list(order)
    _same(model.predict(train[columns]), model.predict(train))
    assert model.score(test[columns]) == model.score(test)
    with pytest.raises(ValueError, match=r"lacks the covariate column\(s\) \['c'\]"):
        model.predict(train.drop(columns=["c"]))

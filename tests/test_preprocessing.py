"""Tests of tsrnn.preprocessing (and the window views of tsrnn.windowing it builds on)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from tsrnn import GRURegressor
from tsrnn.preprocessing import LagFeatures, SlidingWindowTransformer, make_windows
from tsrnn.windowing import gather_windows, view_windows, window_range, window_starts


# -- windowing: the O(1) range and the views ------------------------------------------
@pytest.mark.parametrize("length", [0, 1, 4, 5, 6, 11, 30])
@pytest.mark.parametrize("window,horizon,stride", [(1, 0, 1), (3, 1, 1), (3, 2, 3), (5, 0, 4)])
def test_window_range_equals_window_starts(length, window, horizon, stride):
    expected = window_starts([length], window, horizon, stride)
    assert list(window_range(length, window, horizon, stride)) == expected.tolist()


def test_view_windows_is_a_view_for_even_starts_and_a_copy_otherwise():
    values = np.arange(20.0).reshape(10, 2)
    even = view_windows(values, np.array([1, 4, 7]), 3)
    np.testing.assert_array_equal(even, gather_windows(values, np.array([1, 4, 7]), 3))
    assert np.shares_memory(even, values)
    uneven = view_windows(values, np.array([0, 1, 5]), 3)
    np.testing.assert_array_equal(uneven, gather_windows(values, np.array([0, 1, 5]), 3))
    assert not np.shares_memory(uneven, values)


# -- make_windows ---------------------------------------------------------------------
def test_make_windows_exact_values():
    X, y = make_windows(np.arange(10.0), window=3, horizon=2)
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)
    starts = np.arange(6)
    np.testing.assert_array_equal(X[:, :, 0], starts[:, None] + np.arange(3))
    np.testing.assert_array_equal(y, starts[:, None] + 3 + np.arange(2))


def test_make_windows_stride_counts_back_from_the_end():
    X, y = make_windows(np.arange(11.0), window=3, stride=3)
    np.testing.assert_array_equal(X[:, 0, 0], [1, 4, 7])  # the last target is the last point
    np.testing.assert_array_equal(y[:, 0], [4, 7, 10])


def test_make_windows_multichannel_targets_are_step_major():
    data = np.column_stack([np.arange(8.0), 100 + np.arange(8.0)])
    X, y = make_windows(data, window=2, horizon=2)
    assert X.shape == (5, 2, 2)
    np.testing.assert_array_equal(X[1], [[1, 101], [2, 102]])
    np.testing.assert_array_equal(y[1], [3, 103, 4, 104])  # step 1 of both, then step 2
    _, y_one = make_windows(data, window=2, horizon=2, target=1)
    np.testing.assert_array_equal(y_one[1], [103, 104])


def test_make_windows_dataframe_and_series():
    index = pd.date_range("2024-01-01", periods=6, freq="D")
    frame = pd.DataFrame({"a": np.arange(6.0), "b": 10 * np.arange(6.0)}, index=index)
    X, y = make_windows(frame, window=3, target=["b", "a"])
    np.testing.assert_array_equal(X[0], [[0, 0], [1, 10], [2, 20]])
    np.testing.assert_array_equal(y, [[30, 3], [40, 4], [50, 5]])
    Xs, ys = make_windows(frame["a"], window=3, target="a")
    np.testing.assert_array_equal(Xs[:, :, 0], X[:, :, 0])
    np.testing.assert_array_equal(ys[:, 0], [3, 4, 5])


def test_make_windows_dtypes_and_input_untouched():
    data32 = np.arange(5, dtype=np.float32)
    X, y = make_windows(data32, window=2)
    assert X.dtype == np.float32 and y.dtype == np.float32
    X, _ = make_windows(np.arange(5), window=2)
    assert X.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0, 0] = -1.0
    np.testing.assert_array_equal(data32, np.arange(5))


def test_make_windows_of_ten_million_points_is_a_view():
    data = np.random.default_rng(0).random(10_000_000)
    X, y = make_windows(data, window=48, horizon=24, stride=2)
    n_windows = (len(data) - 72) // 2 + 1
    assert X.shape == (n_windows, 48, 1) and y.shape == (n_windows, 24)
    assert np.shares_memory(X, data) and np.shares_memory(y, data)
    assert X.base is not None and not X.flags.writeable
    assert X[-1, -1, 0] == data[-25] and y[-1, -1] == data[-1]


def test_make_windows_too_short_names_the_minimum_length():
    with pytest.raises(ValueError, match=r"4 time step\(s\).*at least 5 \(window \+ horizon\)"):
        make_windows(np.arange(4.0), window=3, horizon=2)


def test_make_windows_rejects_nan_naming_where():
    index = pd.date_range("2024-01-01", periods=6, freq="h")
    frame = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0)}, index=index)
    frame.iloc[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN at row=Timestamp\('2024-01-01 02:00.*'b'"):
        make_windows(frame, window=2)
    with pytest.raises(ValueError, match=r"infinity at position \(3, 0\)"):
        make_windows(np.array([0.0, 1.0, 2.0, np.inf, 4.0]), window=2)


@pytest.mark.parametrize("data,kwargs,error,match", [
    (pd.DataFrame({"a": [1.0, 2.0, 3.0], "s": list("xyz")}), {}, TypeError,
     r"non-numeric column\(s\) \['s'\]"),
    (pd.Series([1.0, 2.0, 3.0], index=[2, 1, 3]), {}, ValueError, "sorted index"),
    (np.array(["1", "2", "3"]), {}, TypeError, "real numbers"),
    (np.zeros((4, 2, 2)), {}, ValueError, "got 3 dimensions"),
    (np.arange(5.0), {"window": 0}, ValueError, "window must be an integer >= 1"),
    (np.arange(5.0), {"horizon": 0}, ValueError, "horizon must be an integer >= 1"),
    (np.arange(5.0), {"target": 1}, ValueError, "not a column position"),
    (pd.DataFrame({"a": np.arange(5.0)}), {"target": "z"}, ValueError, r"\['z'\] not in"),
    (np.arange(5.0), {"target": []}, ValueError, "target is empty"),
])
def test_make_windows_bad_input(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(data, **{"window": 2, **kwargs})


# -- SlidingWindowTransformer and LagFeatures -------------------------------------------
def test_sliding_window_rows_end_at_each_time_step():
    X = np.column_stack([np.arange(6.0), 10 + np.arange(6.0)])
    transformer = SlidingWindowTransformer(window=3, stride=2).fit(X)
    Xt = transformer.transform(X)
    assert Xt.shape == (6, 6)
    np.testing.assert_array_equal(Xt[5], [1, 11, 3, 13, 5, 15])  # t-4, t-2, t
    np.testing.assert_array_equal(Xt[3], [np.nan, np.nan, 1, 11, 3, 13])
    windows = Xt.reshape(6, 3, 2)  # (time, window, channels), oldest first
    np.testing.assert_array_equal(windows[4, :, 1], [10, 12, 14])
    assert transformer.get_feature_names_out().tolist() == [
        "x0_lag4", "x1_lag4", "x0_lag2", "x1_lag2", "x0_lag0", "x1_lag0"]


def test_sliding_window_edge_fill_and_dataframe_names():
    frame = pd.DataFrame({"load": [5.0, 6.0, 7.0]})
    transformer = SlidingWindowTransformer(window=3, fill="edge").set_output(transform="pandas")
    out = transformer.fit_transform(frame)
    assert list(out.columns) == ["load_lag2", "load_lag1", "load_lag0"]
    np.testing.assert_array_equal(out.to_numpy(), [[5, 5, 5], [5, 5, 6], [5, 6, 7]])
    assert frame["load"].tolist() == [5.0, 6.0, 7.0]


def test_lag_features_values_and_names():
    X = np.column_stack([np.arange(4.0), -np.arange(4.0)])
    lagger = LagFeatures(lags=(2, 1)).fit(X)
    Xt = lagger.transform(X)
    np.testing.assert_array_equal(Xt[3], [3, -3, 1, -1, 2, -2])
    assert np.isnan(Xt[:2, 2:4]).all() and np.isnan(Xt[0, 4:]).all()
    assert lagger.get_feature_names_out(["u", "v"]).tolist() == [
        "u", "v", "u_lag2", "v_lag2", "u_lag1", "v_lag1"]
    with pytest.raises(ValueError, match="input_features should have length equal"):
        lagger.get_feature_names_out(["u"])


@pytest.mark.parametrize("transformer,match", [
    (LagFeatures(lags=()), "non-empty sequence"),
    (LagFeatures(lags=3), "'lags' parameter of LagFeatures must be an instance of"),
    (LagFeatures(lags=(1, 0)), "each lag must be an integer >= 1"),
    (LagFeatures(lags=(1, 1)), "distinct"),
    (SlidingWindowTransformer(window=0), r"'window' parameter of SlidingWindowTransformer must be an int in the range \[1, inf\)"),
    (SlidingWindowTransformer(window=2, stride=1.5), "'stride' parameter of SlidingWindowTransformer must be an int"),
    (SlidingWindowTransformer(window=2, fill="zero"), r"'fill' parameter of SlidingWindowTransformer must be a str among"),
])
def test_transformers_reject_bad_parameters(transformer, match):
    with pytest.raises(ValueError, match=match):
        transformer.fit(np.arange(5.0))


def test_transformers_reject_nan_naming_the_column():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, 1.0]})
    with pytest.raises(ValueError, match=r"NaN at row=0, column='b'"):
        LagFeatures().fit(frame)


def _expected_failed_checks(estimator):
    order = ("each output row reads the rows before it, so a transform depends on the order "
             "and on the other rows of the data it is given")
    one_d = "a 1D X is accepted as one series (one channel)"
    return {
        "check_methods_sample_order_invariance": order,
        "check_methods_subset_invariance": order,
        "check_fit1d": one_d,
        "check_fit2d_predict1d": one_d + "; the error then names the channel count",
    }


@parametrize_with_checks(
    [SlidingWindowTransformer(window=3), SlidingWindowTransformer(window=2, stride=2, fill="edge"),
     LagFeatures(lags=(1, 3))],
    expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- in a pipeline ---------------------------------------------------------------------
def test_pipeline_in_grid_search_with_time_series_split():
    series = np.sin(np.arange(160) * 0.3)
    X, y = series[:-1, None], series[1:]  # the series, and the next value as target
    pipeline = Pipeline([
        ("win", SlidingWindowTransformer(window=8, fill="edge")),
        ("scale", StandardScaler()),
        ("gru", GRURegressor(hidden_size=4, max_epochs=2, batch_size=32, random_state=0)),
    ])
    search = GridSearchCV(pipeline, {"gru__hidden_size": [4, 8]}, cv=TimeSeriesSplit(3))
    search.fit(X, y)
    assert search.best_params_["gru__hidden_size"] in (4, 8)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    prediction = search.predict(X[-20:])
    assert prediction.shape == (20,) and np.isfinite(prediction).all()

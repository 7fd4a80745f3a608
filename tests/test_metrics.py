"""Tests for tsrnn.metrics: hand-computed cases, bad inputs, and the M4 Weekly figures."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_score

from tsrnn.metrics import (
    evaluate,
    interval_coverage,
    mae,
    mae_scorer,
    mape,
    mase,
    mean_interval_width,
    mse,
    naive2_forecast,
    owa,
    pinball_loss,
    rmse,
    rmse_scorer,
    smape,
    smape_scorer,
)

REPO = Path(__file__).resolve().parents[1]
M4_DIR = REPO.parent / "shared" / "data" / "m4"


# ------------------------------------------------------------ hand-computed
def test_point_metrics_one_series():
    y, f = [1.0, 2.0, 4.0], [2.0, 2.0, 1.0]  # errors -1, 0, 3
    assert mae(y, f) == pytest.approx(4 / 3)
    assert mse(y, f) == pytest.approx(10 / 3)
    assert rmse(y, f) == pytest.approx(np.sqrt(10 / 3))
    assert mape(y, f) == pytest.approx(100 * (1 / 1 + 0 + 3 / 4) / 3)
    assert smape(y, f) == pytest.approx(200 * (1 / 3 + 0 + 3 / 5) / 3)


def test_2d_is_mean_over_series_of_per_series_metric():
    y = np.zeros((2, 2))
    f = np.array([[3.0, -3.0], [1.0, 1.0]])
    assert rmse(y, f) == pytest.approx((3 + 1) / 2)  # not the pooled sqrt(5)
    assert mae(y, f) == pytest.approx(2.0)
    assert mse(y, f) == pytest.approx((9 + 1) / 2)


def test_smape_counts_zero_over_zero_as_zero():
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert smape([0.0, 10.0], [0.0, 30.0]) == pytest.approx(0.5 * 200 * 20 / 40)
    assert smape([0.0], [5.0]) == pytest.approx(200.0)


def test_mape_rejects_zeros():
    with pytest.raises(ValueError, match=r"mape is undefined .* zeros .*index \(1,\)"):
        mape([1.0, 0.0], [1.0, 1.0])


def test_mase_one_series_and_seasonal_period():
    history = [1.0, 3.0, 2.0, 6.0]  # m=1 diffs 2, 1, 4 -> scale 7/3
    assert mase([5.0, 7.0], [6.0, 4.0], history) == pytest.approx(2.0 / (7 / 3))
    # m=2 diffs: 2-1, 6-3 -> scale 2
    assert mase([5.0, 7.0], [6.0, 4.0], history, m=2) == pytest.approx(1.0)


def test_mase_ragged_histories_for_2d():
    y = np.array([[2.0, 2.0], [10.0, 10.0]])
    f = np.array([[1.0, 1.0], [10.0, 14.0]])
    histories = [np.array([0.0, 1.0]), pd.Series([0.0, 2.0, 0.0])]  # scales 1 and 2
    assert mase(y, f, histories) == pytest.approx((1.0 / 1 + 2.0 / 2) / 2)


def test_mase_errors():
    with pytest.raises(ValueError, match=r"series 0 has 2 values; MASE with m=2 needs at least 3"):
        mase([1.0], [1.0], [1.0, 2.0], m=2)
    with pytest.raises(ValueError, match=r"MASE is undefined for series 1"):
        mase([[1.0], [1.0]], [[2.0], [2.0]], [[1.0, 2.0], [5.0, 5.0]])
    with pytest.raises(ValueError, match=r"y_train holds 1 series but y_true holds 2"):
        mase([[1.0], [1.0]], [[2.0], [2.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"y_train\[1\] contains NaN"):
        mase([[1.0], [1.0]], [[2.0], [2.0]], [[1.0, 2.0], [1.0, np.nan, 3.0]])
    with pytest.raises(ValueError, match=r"m must be a positive integer"):
        mase([1.0], [1.0], [1.0, 2.0], m=0)


def test_owa():
    assert owa(9.0, 2.0, 9.0, 2.0) == 1.0
    assert owa(8.0, 3.0, 10.0, 2.0) == pytest.approx(0.5 * (0.8 + 1.5))
    with pytest.raises(ValueError, match=r"positive Naive2"):
        owa(1.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"finite inputs"):
        owa(np.nan, 1.0, 1.0, 1.0)


def test_pinball_loss():
    # under-forecast by 2 costs q*2, over-forecast by 2 costs (1-q)*2
    assert pinball_loss([10.0, 10.0], [8.0, 12.0], 0.9) == pytest.approx((1.8 + 0.2) / 2)
    assert pinball_loss([10.0], [8.0], 0.1) == pytest.approx(0.2)
    assert pinball_loss([1.0, 5.0], [2.0, 3.0], 0.5) == pytest.approx(0.5 * mae([1, 5], [2, 3]))
    with pytest.raises(ValueError, match=r"quantile must lie strictly between 0 and 1"):
        pinball_loss([1.0], [1.0], 1.0)


def test_intervals():
    y = [[1.0, 5.0], [3.0, 0.0]]
    lower = [[1.0, 0.0], [0.0, 0.5]]
    upper = [[2.0, 4.0], [3.0, 1.0]]  # inside (bound), outside / inside (bound), outside
    assert interval_coverage(y, lower, upper) == pytest.approx(0.5)
    assert mean_interval_width(lower, upper) == pytest.approx((1 + 4 + 3 + 0.5) / 4)
    with pytest.raises(ValueError, match=r"lower exceeds upper \(first at index \(1,\)\)"):
        interval_coverage([1.0, 1.0], [0.0, 2.0], [2.0, 1.0])
    with pytest.raises(ValueError, match=r"lower exceeds upper"):
        mean_interval_width([3.0], [2.0])


# --------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("metric", [mae, mse, rmse, mape, smape])
def test_validation_errors(metric):
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(2,\)"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y_pred contains NaN or inf \(first at index \(1,\)\)"):
        metric([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match=r"y_true contains NaN or inf \(first at index \(0, 1\)\)"):
        metric([[1.0, np.inf]], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"y_true is empty"):
        metric([], [])
    with pytest.raises(ValueError, match=r"must be 1D \(horizon,\) or 2D"):
        metric(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match=r"y_true must be numeric"):
        metric(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"complex"):
        metric([1 + 1j], [1.0])


def test_pandas_inputs_and_no_mutation():
    y = pd.DataFrame({"h1": [1.0, 2.0], "h2": [3.0, 5.0]})
    f = np.array([[1.5, 2.0], [2.0, 4.0]])
    f_before = f.copy()
    assert smape(y, f) == pytest.approx(smape(y.to_numpy(), f))
    assert mae(y["h1"], pd.Series([2.0, 2.0])) == pytest.approx(0.5)
    np.testing.assert_array_equal(f, f_before)
    with pytest.raises(ValueError, match=r"y_true contains NaN"):
        mae(pd.Series([1.0, None], dtype="Float64"), [1.0, 1.0])


# ------------------------------------------------------- scorers / evaluate
def test_scorers_with_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = 10 + X @ [1.0, -2.0] + rng.normal(scale=0.1, size=40)
    model = LinearRegression().fit(X, y)
    assert mae_scorer(model, X, y) == pytest.approx(-mae(y, model.predict(X)))
    assert rmse_scorer(model, X, y) == pytest.approx(-rmse(y, model.predict(X)))
    scores = cross_val_score(LinearRegression(), X, y, cv=3, scoring=smape_scorer)
    assert scores.shape == (3,) and np.all(scores < 0) and np.all(scores > -5)


def test_evaluate():
    y, f, hist = [3.0, 5.0], [4.0, 4.0], [0.0, 1.0, 3.0]  # MASE scale 1.5
    result = evaluate(y, f, y_train=hist)
    assert list(result) == ["mae", "rmse", "smape", "mase"]
    assert result["mae"] == pytest.approx(1.0)
    assert result["mase"] == pytest.approx(1.0 / 1.5)
    assert evaluate(y, f, metrics="mse") == {"mse": pytest.approx(1.0)}
    with pytest.raises(ValueError, match=r"unknown metrics \['r2'\]"):
        evaluate(y, f, metrics=("mae", "r2"))
    with pytest.raises(ValueError, match=r"'mase' needs y_train"):
        evaluate(y, f)


# ------------------------------------------------------------------ Naive2
def _quarterly(n=40, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    season = np.array([0.8, 1.1, 1.3, 0.8])
    t = np.arange(n)
    return (100 + 0.5 * t) * season[t % 4] * (1 + noise * rng.standard_normal(n)), season


def test_naive2_m1_is_naive_and_shapes():
    np.testing.assert_array_equal(naive2_forecast([3.0, 5.0, 4.0], 3), [4.0, 4.0, 4.0])
    out = naive2_forecast([[1.0, 2.0], np.array([7.0, 8.0, 9.0])], 2)
    np.testing.assert_array_equal(out, [[2.0, 2.0], [9.0, 9.0]])
    with pytest.raises(ValueError, match=r"horizon must be a positive integer"):
        naive2_forecast([1.0, 2.0], 0)
    with pytest.raises(ValueError, match=r"history\[1\] contains NaN"):
        naive2_forecast([[1.0, 2.0], [1.0, np.nan, 3.0]], 2)


def test_naive2_seasonal_quarterly():
    y, season = _quarterly()
    f = naive2_forecast(y, 8, m=4)
    assert not np.allclose(f, y[-1])  # the adjusted path, not plain naive
    np.testing.assert_allclose(f[4:], f[:4])  # flat level times a 4-periodic pattern
    # n = 40, so step 1 is quarter 0 of the cycle: shape follows the true season
    np.testing.assert_allclose(f[:4] / f[:4].mean(), season, atol=0.02)


def test_naive2_matches_statsmodels_decomposition():
    seasonal_decompose = pytest.importorskip("statsmodels.tsa.seasonal").seasonal_decompose
    y, _ = _quarterly(n=42)
    seasonal = seasonal_decompose(y, model="multiplicative", period=4).seasonal
    expected = y[-1] / seasonal[-1] * np.tile(seasonal[-4:], 2)[:6]
    np.testing.assert_allclose(naive2_forecast(y, 6, m=4), expected, rtol=1e-12)


def test_naive2_non_seasonal_or_short_is_naive():
    noise = 100 + np.random.default_rng(1).standard_normal(40)
    np.testing.assert_array_equal(naive2_forecast(noise, 5, m=4), np.full(5, noise[-1]))
    short, _ = _quarterly(n=11)  # fewer than 3 * m values: no seasonality test
    np.testing.assert_array_equal(naive2_forecast(short, 5, m=4), np.full(5, short[-1]))
    with pytest.raises(ValueError, match=r"series 0 tests seasonal but has non-positive"):
        naive2_forecast(_quarterly()[0] - 100, 4, m=4)


# ----------------------------------------------------------- M4 Weekly figures
@pytest.fixture(scope="module")
def m4_weekly():
    if not (M4_DIR / "Weekly-train.csv").is_file():
        pytest.skip(f"M4 Weekly data not found at {M4_DIR} (needs ../shared beside the repo)")
    sys.path.insert(0, str(REPO / "benchmarks"))
    from m4data import load_m4, load_m4_submission

    ids, train, test, horizon = load_m4(M4_DIR)
    subs = {
        name: load_m4_submission(M4_DIR / f"submission-{name}-Weekly.csv", ids)
        for name in ("Naive2", "SES", "Naive")
    }
    return train, test, horizon, subs


def test_m4_weekly_official_figures(m4_weekly):
    train, test, horizon, subs = m4_weekly
    assert horizon == 13 and test.shape == (359, 13) and len(train) == 359
    scores = {k: (smape(test, f), mase(test, f, train, m=1)) for k, f in subs.items()}
    assert (round(scores["Naive2"][0], 3), round(scores["Naive2"][1], 3)) == (9.161, 2.777)
    assert (round(scores["SES"][0], 3), round(scores["SES"][1], 3)) == (9.012, 2.685)
    assert round(owa(*scores["SES"], *scores["Naive2"]), 3) == 0.975
    assert owa(*scores["Naive2"], *scores["Naive2"]) == 1.0


def test_m4_weekly_naive2_reproduces_submission(m4_weekly):
    train, _, horizon, subs = m4_weekly
    np.testing.assert_allclose(naive2_forecast(train, horizon, 1), subs["Naive2"], rtol=1e-12)


def test_mase_auto_reads_the_season_from_the_history_index():
    hours = pd.date_range("2024-01-01", periods=72, freq="h")
    history = pd.Series(np.sin(2 * np.pi * np.arange(72) / 24) + np.arange(72) * 0.01,
                        index=hours)
    assert mase([1.0], [0.0], history, m="auto") == pytest.approx(
        mase([1.0], [0.0], history.to_numpy(), m=24))
    with pytest.raises(ValueError, match="m='auto' needs y_train as a pandas Series"):
        mase([1.0], [0.0], history.to_numpy(), m="auto")


def test_pandas_inputs_are_compared_by_label():
    days = pd.date_range("2024-01-01", periods=3, freq="D")
    truth = pd.Series([1.0, 2.0, 3.0], index=days)
    assert mae(truth, truth.iloc[::-1]) == 0.0  # same labels, other order: aligned
    with pytest.raises(ValueError, match=r"different index labels: 1 only in y_true "
                                         r"\(2024-01-01.*1 only in y_pred \(2024-01-04"):
        mae(truth, truth.set_axis(days + pd.Timedelta(days=1)))
    with pytest.raises(ValueError, match="duplicated labels in y_pred and y_true"):
        mae(truth.set_axis(days[[0, 0, 1]]), truth.set_axis(days[[0, 1, 1]]))


def test_owa_per_series_and_impossible_values():
    np.testing.assert_allclose(owa([8.0, 9.0], [3.0, 2.0], [10.0, 9.0], [2.0, 2.0]),
                               [1.15, 1.0])
    with pytest.raises(ValueError, match="smape_model is -5"):
        owa(-5.0, 1.0, 10.0, 2.0)
    by_label = owa(pd.Series([8.0, 9.0], index=["a", "b"]),
                   pd.Series([2.0, 3.0], index=["b", "a"]), 10.0, 2.0)
    pd.testing.assert_series_equal(by_label, pd.Series([1.15, 0.95], index=["a", "b"],
                                                       name="owa"))

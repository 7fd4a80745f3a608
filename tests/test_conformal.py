"""Conformal intervals of the neural forecasters, pooled or per series
(``interval_calibration``), and the probabilistic metrics next to them
(``scaled_pinball_loss``, ``interval_coverage_by_series``).

A tiny model on one thread over a two-series panel (one quiet series, one noisy one);
coverage on real data lives in benchmarks/ (bench_zero_config.py).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from tsrnn.forecasting import GRUForecaster, _conformal, _scaling
from tsrnn.metrics import interval_coverage, interval_coverage_by_series, mase, scaled_pinball_loss

H = 12


# ------------------------------------------------------------ scaled pinball loss
def test_scaled_pinball_loss_by_hand():
    y = [[10.0, 11.0], [0.0, 4.0]]
    q = [[[8.0, 10.0, 13.0], [9.0, 12.0, 14.0]],  # pinball 0.5 + 1.0 -> mean 0.25
         [[-1.0, 1.0, 2.0], [1.0, 2.0, 3.0]]]  # 0.1 + 0.5 + 0.2, 0.3 + 1.0 + 0.9 -> 3.0 / 6
    train = [[1.0, 2.0, 3.0], [0.0, 4.0, 0.0]]  # scales 1 and 4
    expected = (0.25 / 1 + (3.0 / 6) / 4) / 2
    assert scaled_pinball_loss(y, q, [0.1, 0.5, 0.9], train) == pytest.approx(expected)
    # the median alone is half the absolute error: half the MASE
    median = np.asarray(q)[..., 1]
    assert scaled_pinball_loss(y, median, 0.5, train) == pytest.approx(
        mase(y, median, train) / 2)
    # lag m: x_t - x_{t-2} of [1, 2, 3] is 2 in both places
    assert scaled_pinball_loss(y[0], q[0], [0.1, 0.5, 0.9], train[0], m=2) == \
        pytest.approx(0.125)


def test_scaled_pinball_loss_ignores_each_series_scale():
    rng = np.random.default_rng(0)
    y, train = rng.normal(size=(3, H)), rng.normal(size=(3, 50))
    q = np.sort(rng.normal(size=(3, H, 3)), axis=2)
    levels = [0.05, 0.5, 0.95]
    base = scaled_pinball_loss(y, q, levels, train, m=4)
    c = np.array([0.01, 3.0, 1e4])  # one factor per series, on everything of the series
    scaled = scaled_pinball_loss(y * c[:, None], q * c[:, None, None], levels,
                                 train * c[:, None], m=4)
    assert scaled == pytest.approx(base, rel=1e-9)
    assert base > 0
    # a factor on the forecasts only is not an invariance: the test can see a change
    assert scaled_pinball_loss(y, q * 2, levels, train, m=4) != pytest.approx(base)


@pytest.mark.parametrize("level", [0.1, 0.5, 0.9])
def test_scaled_pinball_loss_is_minimised_by_the_true_quantile(level):
    y = np.random.default_rng(1).normal(size=20_000)
    grid = np.linspace(-2.5, 2.5, 101)
    losses = [scaled_pinball_loss(y, np.full_like(y, f), level, y_train=[0.0, 1.0])
              for f in grid]
    assert abs(grid[int(np.argmin(losses))] - norm.ppf(level)) <= 0.06


@pytest.mark.parametrize("kwargs, match", [
    (dict(y_quantiles=np.zeros((H, 2))), r"y_quantiles must have the shape of y_true plus "
                                         r"one axis of the 3 quantiles, \(12, 3\)"),
    (dict(quantiles=[0.1, 1.0, 0.9]), "quantiles must be levels strictly between 0 and 1"),
    (dict(y_train=[[1.0, 2.0], [1.0, 3.0]]), "y_train holds 2 series but y_true holds 1"),
    (dict(y_train=np.ones(10)), "scaled pinball loss is undefined for series 0"),
    (dict(y_quantiles=np.full((H, 3), np.nan)), "y_quantiles contains NaN"),
    (dict(m=0), "m must be a positive integer"),
])
def test_scaled_pinball_loss_names_the_bad_argument(kwargs, match):
    args = dict(y_true=np.zeros(H), y_quantiles=np.zeros((H, 3)), quantiles=[0.1, 0.5, 0.9],
                y_train=np.arange(10.0))
    with pytest.raises(ValueError, match=match):
        scaled_pinball_loss(**{**args, **kwargs})


def test_interval_coverage_by_series_averages_to_the_pooled_coverage():
    rng = np.random.default_rng(2)
    y, lower = np.tile(rng.normal(size=H), (4, 1)), np.full((4, H), -1.0)  # same y
    upper = np.array([[0.0], [1.0], [2.0], [9.0]]) * np.ones(H)
    per_series = interval_coverage_by_series(y, lower, upper)
    assert per_series.shape == (4,) and per_series[-1] == pytest.approx(
        np.mean(y[-1] >= -1))
    assert per_series.mean() == pytest.approx(interval_coverage(y, lower, upper))
    assert np.all(np.diff(per_series) >= 0)


# --------------------------------------------------------------- calibration logic
def test_pooled_widths_are_the_finite_sample_quantile_of_each_step():
    r = np.abs(np.random.default_rng(3).normal(size=(37, H, 2)))
    widths, pooled = _conformal.conformal_widths(r, np.arange(37) % 5, 0.9, "pooled")
    level = np.ceil(38 * 0.9) / 37  # the code before per-series calibration
    np.testing.assert_array_equal(widths[0], np.quantile(r, level, axis=0))
    np.testing.assert_array_equal(pooled, widths[0])


def test_series_scales_shrink_toward_the_pooled_scale_with_few_windows():
    r = np.concatenate([np.full((40, H, 1), 1.0), np.full((1, H, 1), 9.0)])
    series = np.r_[np.zeros(40, int), 1]
    raw, pooled = _conformal.series_scales(r, series, shrink=0)
    np.testing.assert_allclose(raw.ravel(), [1.0, 9.0])
    assert pooled.tolist() == [5.0]
    shrunk, _ = _conformal.series_scales(r, series, shrink=4)
    assert raw[0] < shrunk[0] < pooled  # 40 windows: close to its own
    assert pooled < shrunk[1] < raw[1] and shrunk[1] < 6.5  # one window: close to pooled


def test_a_series_scale_is_capped_relative_to_the_pooled_one():
    r = np.concatenate([np.full((9 * 13, H, 1), 1.0), np.full((13, H, 1), 20.0)])  # a break
    scales, pooled = _conformal.series_scales(r, np.repeat(np.arange(10), 13), shrink=0)
    assert pooled == pytest.approx(2.9)
    assert scales[-1, 0] == pytest.approx(_conformal.MAX_RATIO * 2.9)
    np.testing.assert_allclose(scales[:-1], 1.0)


# ------------------------------------------------------------------ the forecasters
def _panel(n=240):
    """A quiet (sd 0.1) and a noisy (sd 2) hourly series with the same daily season."""
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return pd.concat([pd.DataFrame({
        "unique_id": name, "ds": pd.date_range("2020-01-01", periods=n, freq="h"),
        "y": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, sd, n)})
        for name, sd in (("quiet", 0.1), ("noisy", 2.0))], ignore_index=True)


@pytest.fixture(scope="module")
def model():
    """The same network fitted with each calibration mode (predict reads fitted
    parameters only: the mode is chosen at fit)."""
    return {mode: GRUForecaster(horizon=H, window=72, hidden_size=8, batch_size=32, lr=0.02,
                                max_epochs=8, log_scale=False, n_threads=1,
                                interval_calibration=mode, random_state=0).fit(_panel())
            for mode in ("pooled", "series")}


def _bounds(model, mode, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # calibrated in-sample
        return model[mode].predict_interval(coverage=0.9, **kwargs)


def _widths(bounds) -> pd.Series:
    return (bounds["y_upper"] - bounds["y_lower"]).groupby(bounds["unique_id"]).mean()


def test_series_calibration_widens_the_noisy_series_only(model):
    # held out at fit: the same number of the last windows of each series
    counts = np.bincount(model["series"].residual_series_)
    assert len(counts) == 2 and counts[0] == counts[1] >= H
    pooled, series = _widths(_bounds(model, "pooled")), _widths(_bounds(model, "series"))
    # pooled: one normalised quantile for both (the window scales differ little)
    assert pooled["noisy"] / pooled["quiet"] < 2
    # per series: the quiet series' errors are a small part of its spread
    assert series["noisy"] / series["quiet"] > 3  # held-out errors of the quiet one: wider
    assert series["quiet"] < pooled["quiet"] / 2


@pytest.mark.parametrize("mode", ["pooled", "series"])
def test_intervals_contain_the_point_forecast(model, mode):
    bounds, point = _bounds(model, mode), model[mode].predict()["y"]
    assert np.all(bounds["y_lower"] <= point) and np.all(point <= bounds["y_upper"])
    assert np.all(bounds["y_upper"] - bounds["y_lower"] > 0)


def test_pooled_mode_reproduces_the_single_quantile(model):
    bounds, point = _bounds(model, "pooled"), model["pooled"].predict()
    residuals = model["pooled"].residuals_
    n = len(residuals)
    q = np.quantile(residuals[:, :, 0], np.ceil((n + 1) * 0.9) / n, axis=0)
    window = model["pooled"].window_
    last = _panel().groupby("unique_id", sort=False).tail(window)
    windows = last["y"].to_numpy().reshape(2, window, 1)
    _, scale = _scaling.window_stats(windows)  # the scale of the last window of each series
    expected = point["y"].to_numpy() + (q[None] * scale).ravel()
    np.testing.assert_allclose(bounds["y_upper"].to_numpy(), expected, rtol=1e-10)


def test_new_series_at_predict_get_the_pooled_width(model):
    renamed = _panel().replace({"unique_id": {"quiet": "new"}})  # "noisy" is known
    series = _bounds(model, "series", y=renamed)
    new, known = _widths(series), _widths(_bounds(model, "series"))
    assert new["new"] == pytest.approx(_widths(_bounds(model, "pooled"))["quiet"])
    assert new["noisy"] == pytest.approx(known["noisy"])


def test_a_model_fitted_before_per_series_calibration_stays_pooled(model):
    old = object.__new__(GRUForecaster)  # as unpickled: no parameter, no window series
    old.__dict__.update({k: v for k, v in model["series"].__dict__.items() if k not in
                         ("residual_series_", "interval_calibration", "fitted_params_")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(old.predict_interval(), _bounds(model, "pooled"))


def test_an_unknown_calibration_mode_is_refused():
    with pytest.raises(ValueError, match="interval_calibration"):
        GRUForecaster(interval_calibration="local").fit(_panel(100))

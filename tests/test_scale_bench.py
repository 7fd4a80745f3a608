"""The scale benchmark still runs (a tiny in-process smoke run) and its pieces are right:
M4-like lengths, the growth exponent, the capped histories of the 1M-series predict."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
bench = pytest.importorskip("bench_scale")


def test_m4_like_lengths():
    lengths = bench.m4_lengths(20_000, np.random.default_rng(0))
    assert lengths.min() >= 2 * bench.WINDOW + 2 * bench.HORIZON
    assert 150 < lengths.mean() < 450  # M4: 23.7M training points over 100k series
    assert np.median(lengths) < lengths.mean()  # a long tail (daily series)
    assert bench.m4_lengths(100, np.random.default_rng(0), cap=60).max() == 60


def test_panel_layout():
    panel = bench.make_panel(5, cap=4 * bench.WINDOW)
    assert list(panel.columns) == ["unique_id", "ds", "y"]
    ends = panel.groupby("unique_id")["ds"].max()
    assert ends.nunique() == 1 and (panel["y"] > 0).all()
    assert panel.groupby("unique_id").size().max() <= 4 * bench.WINDOW


def test_exponent_of_linear_and_quadratic_growth():
    rows = [{"n_series": n, "a": 2e-6 * n, "b": 1e-9 * n ** 2} for n in (1e3, 1e4, 1e5)]
    assert bench.exponents(rows, "a")["exponent"] == pytest.approx(1.0)
    assert bench.exponents(rows, "b")["exponent_last"] == pytest.approx(2.0)
    assert bench.exponents(rows[:1], "a") == {}


@pytest.mark.slow
def test_tiny_run_of_every_step():
    base = bench.run_fit_size(30, "baselines", stats_max=10)
    neural = bench.run_fit_size(30, "neural", stats_max=10)
    assert {"validate", "naive_predict", "backtest_naive", "baselines_peak_rss_mb"} <= set(base)
    assert "theta_fit_predict" not in base  # above stats_max
    assert {"gru_fit_epoch", "gru_predict", "backtest_gru"} <= set(neural)
    assert all(v > 0 for v in neural.values())

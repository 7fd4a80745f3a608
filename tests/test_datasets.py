"""Tests for tsrnn.datasets: shipped real data and seeded generators."""

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsrnn import datasets
from tsrnn.datasets import (
    list_datasets,
    load_ett,
    load_m4_finance,
    make_panel,
    make_random_walk_prices,
    make_seasonal_series,
    make_sine,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ETT_COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]


@pytest.fixture(scope="module")
def ett():
    return load_ett()


@pytest.fixture(scope="module")
def m4():
    return load_m4_finance()


# --- real data -------------------------------------------------------------------------------


def test_load_ett_shape_index_and_dtypes(ett):
    assert ett.shape == (17_420, 7)
    assert list(ett.columns) == ETT_COLUMNS
    assert isinstance(ett.index, pd.DatetimeIndex)
    assert ett.index.name == "date"
    assert ett.index.freqstr == "h"
    assert ett.index[0] == pd.Timestamp("2016-07-01 00:00")
    assert ett.index[-1] == pd.Timestamp("2018-06-26 19:00")
    assert (ett.dtypes == np.float64).all()
    assert np.isfinite(ett.to_numpy()).all()


def test_load_ett_n_rows_is_a_prefix(ett):
    head = load_ett(n_rows=100)
    assert head.index.freqstr == "h"
    pd.testing.assert_frame_equal(head, ett.iloc[:100])


@pytest.mark.parametrize(
    ("n_rows", "error", "match"),
    [(0, ValueError, "positive"), (17_421, ValueError, "at most 17420"), (2.5, TypeError, "integer")],
)
def test_load_ett_bad_n_rows(n_rows, error, match):
    with pytest.raises(error, match=match):
        load_ett(n_rows=n_rows)


def test_load_m4_finance_long_format(m4):
    assert list(m4.columns) == ["unique_id", "ds", "y"]
    assert pd.api.types.is_string_dtype(m4["unique_id"])
    assert pd.api.types.is_datetime64_any_dtype(m4["ds"])
    assert m4["y"].dtype == np.float64
    assert not m4.isna().any().any()
    assert (m4["y"] > 0).all()
    sizes = m4.groupby("unique_id").size()
    assert len(sizes) == 20
    assert sizes.between(300, 600).all()


def test_load_m4_finance_synthetic_weekly_dates(m4):
    assert m4.equals(m4.sort_values(["unique_id", "ds"], ignore_index=True))
    for _, ds in m4.groupby("unique_id")["ds"]:
        assert ds.iloc[-1] == pd.Timestamp("2018-12-30")
        assert (ds.diff().iloc[1:] == pd.Timedelta(weeks=1)).all()
        assert (ds.dt.day_name() == "Sunday").all()


def test_list_datasets_matches_loaders(ett, m4):
    table = list_datasets()
    assert list(table["name"]) == ["ett", "m4_finance"]
    assert table["source"].str.len().gt(0).all() and table["license"].str.len().gt(0).all()
    ett_row, m4_row = table.iloc[0], table.iloc[1]
    assert (ett_row["rows"], ett_row["series"]) == (len(ett), ett.shape[1])
    assert (m4_row["rows"], m4_row["series"]) == (len(m4), m4["unique_id"].nunique())
    assert table["loader"].map(lambda name: callable(getattr(datasets, name))).all()


def test_shipped_files_are_small():
    data_dir = Path(datasets.__file__).parent / "data"
    total = sum(path.stat().st_size for path in data_dir.glob("*.csv.gz"))
    assert 0 < total < 1_500_000


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data (raw files) not present")
def test_shipped_data_match_raw_files(ett, m4):
    raw_ett = pd.read_csv(SHARED_DATA / "ett" / "ETTh1.csv", index_col="date")
    np.testing.assert_array_equal(
        ett.to_numpy(np.float32), raw_ett[ETT_COLUMNS].to_numpy(np.float32)
    )
    test = pd.read_csv(SHARED_DATA / "m4" / "Weekly-test.csv", index_col=0)
    for uid, y in m4.groupby("unique_id")["y"]:
        np.testing.assert_allclose(y.to_numpy()[-13:], test.loc[uid].to_numpy())


# --- generators ------------------------------------------------------------------------------


def test_make_sine_is_exact_without_noise():
    y = make_sine(n=24, period=12)
    assert isinstance(y.index, pd.RangeIndex) and len(y) == 24
    np.testing.assert_allclose(y.to_numpy(), np.sin(2 * np.pi * np.arange(24) / 12))


def test_make_seasonal_series_index_and_seasonality():
    y = make_seasonal_series(n=24 * 7 * 4, seasonalities=(24,), noise=0.0, random_state=0)
    assert y.index.freqstr == "h" and len(y) == 672
    assert y.dtype == np.float64 and np.isfinite(y).all()
    np.testing.assert_allclose(y.iloc[24:].to_numpy(), y.iloc[:-24].to_numpy(), atol=1e-9)
    assert y.mean() == pytest.approx(10.0, abs=1e-9)


def test_make_seasonal_series_trend_and_freq():
    y = make_seasonal_series(n=200, freq="D", seasonalities=(), trend=0.5, noise=0.0)
    assert y.index.freqstr == "D"
    np.testing.assert_allclose(np.diff(y.to_numpy()), 0.5)


def test_make_random_walk_prices_single_series():
    y = make_random_walk_prices(n=300, random_state=1)
    assert isinstance(y, pd.Series) and y.index.freqstr == "B" and len(y) == 300
    assert y.iloc[0] == 100.0 and (y > 0).all()
    assert (y.index.day_of_week < 5).all()


def test_make_random_walk_prices_log_returns_have_requested_moments():
    df = make_random_walk_prices(n=2000, n_series=5, drift=0.001, volatility=0.02, random_state=0)
    assert list(df.columns) == ["unique_id", "ds", "y"] and len(df) == 10_000
    log_returns = df.groupby("unique_id")["y"].transform(lambda y: np.log(y).diff()).dropna()
    assert log_returns.std() == pytest.approx(0.02, rel=0.05)
    assert log_returns.mean() == pytest.approx(0.001 - 0.02**2 / 2, abs=0.001)


def test_make_panel_is_ragged():
    df = make_panel(n_series=12, min_length=30, max_length=90, random_state=3)
    assert list(df.columns) == ["unique_id", "ds", "y"]
    assert not df.isna().any().any() and (df["y"] > 0).all()
    stats = df.groupby("unique_id").agg(n=("y", "size"), first=("ds", "min"), level=("y", "mean"))
    assert len(stats) == 12 and stats["n"].between(30, 90).all()
    assert stats["n"].nunique() > 1
    assert stats["first"].nunique() > 1
    assert stats["level"].max() > 3 * stats["level"].min()
    for _, ds in df.groupby("unique_id")["ds"]:
        assert (ds.diff().iloc[1:] == pd.Timedelta(days=1)).all()


def test_make_panel_equal_bounds_give_equal_lengths():
    df = make_panel(n_series=3, min_length=25, max_length=25, freq="h", random_state=0)
    assert (df.groupby("unique_id").size() == 25).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: make_sine(n=50, noise=0.3, random_state=seed),
        lambda seed: make_seasonal_series(n=100, random_state=seed),
        lambda seed: make_random_walk_prices(n=50, n_series=3, random_state=seed),
        lambda seed: make_panel(n_series=4, random_state=seed),
    ],
    ids=["sine", "seasonal", "prices", "panel"],
)
def test_generators_are_deterministic_with_random_state(make):
    first, again, other = make(7), make(7), make(8)
    assert first.equals(again)
    assert not first.equals(other)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_sine(n=0), "n must be a positive integer"),
        (lambda: make_sine(period=0), "period must be > 0"),
        (lambda: make_sine(noise=-1), "noise must be >= 0"),
        (lambda: make_seasonal_series(n=-5), "n must be a positive integer"),
        (lambda: make_seasonal_series(freq="fortnightly"), "unknown freq 'fortnightly'"),
        (lambda: make_seasonal_series(seasonalities=(24, -1)), "each seasonality must be > 0"),
        (lambda: make_seasonal_series(trend=np.nan), "trend must be finite"),
        (lambda: make_random_walk_prices(n_series=0), "n_series must be a positive integer"),
        (lambda: make_random_walk_prices(start_price=0), "start_price must be > 0"),
        (lambda: make_random_walk_prices(volatility=-0.1), "volatility must be >= 0"),
        (lambda: make_random_walk_prices(freq="H"), "unknown freq 'H'"),
        (lambda: make_panel(min_length=10, max_length=5), r"min_length \(10\) must be <="),
        (lambda: make_panel(freq="xyz"), "unknown freq"),
    ],
)
def test_generators_reject_bad_values(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_sine(n=10.0), "n must be an integer"),
        (lambda: make_panel(n_series=True), "n_series must be an integer"),
        (lambda: make_seasonal_series(freq=24), "freq must be a pandas frequency string"),
        (lambda: make_random_walk_prices(drift="0.1"), "drift must be a real number"),
    ],
)
def test_generators_reject_bad_types(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_docstring_examples_run():
    from tsrnn.datasets import _generators, _loaders

    for module in (_generators, _loaders):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__

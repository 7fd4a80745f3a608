"""Trading calendars and gaps: business-day offsets as freq=, errors that name the fix,
and the explicit missing-data policy (regularize)."""

import numpy as np
import pandas as pd
import pytest

from tsrnn.forecasting import NaiveForecaster, SeasonalNaiveForecaster
from tsrnn.preprocessing import regularize

DAYS = pd.bdate_range("2024-01-01", periods=60)
PRICES = pd.Series(100 + np.arange(60.0), index=DAYS, name="close")
HOLIDAY = pd.Timestamp("2024-01-15")


def test_weekend_gaps_in_daily_data_name_freq_b():
    with pytest.raises(ValueError, match=r"gaps fall on weekends: .*freq='B'"):
        NaiveForecaster(freq="D").fit(PRICES)


def test_holidays_in_business_day_data_name_custom_business_day():
    with pytest.raises(ValueError, match=r"CustomBusinessDay\(holidays=\['2024-01-15'\]\)"):
        NaiveForecaster(freq="B").fit(PRICES.drop(HOLIDAY))


def test_other_gaps_name_regularize():
    hours = PRICES.set_axis(pd.date_range("2024-01-01", periods=60, freq="h")).drop(
        pd.Timestamp("2024-01-01 05:00"))
    with pytest.raises(ValueError, match=r"tsrnn.preprocessing.regularize"):
        NaiveForecaster(freq="h").fit(hours)


def test_custom_business_day_forecasts_skip_weekends_and_holidays():
    calendar = pd.offsets.CustomBusinessDay(holidays=[HOLIDAY, "2024-03-22"])
    y = PRICES.drop(HOLIDAY).iloc[:-1]  # ends Thursday 2024-03-21; Friday is a holiday
    model = SeasonalNaiveForecaster(horizon=3, freq=calendar).fit(y)
    assert model.season_length_ == 5  # a trading week
    assert list(model.predict().index) == list(pd.to_datetime(
        ["2024-03-25", "2024-03-26", "2024-03-27"]))


@pytest.mark.parametrize("fill, expected", [("ffill", 109.0), ("interpolate", 110.0),
                                            ("zero", 0.0)])
def test_regularize_fills_by_the_chosen_policy(fill, expected):
    y = PRICES.drop(HOLIDAY)
    out = regularize(y, freq="B", fill=fill)
    assert out.index.equals(DAYS) and out[HOLIDAY] == expected
    assert regularize(y, freq="B", fill=None).isna().sum() == 1  # None: NaN left to refuse


def test_regularize_long_format_keeps_each_series_span():
    long = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 2,
                         "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04",
                                               "2024-01-02", "2024-01-04"]),
                         "y": [1.0, 2.0, 4.0, 10.0, 30.0]})
    out = regularize(long, freq="D", fill="interpolate")
    assert out.groupby("unique_id").size().to_dict() == {"a": 4, "b": 3}
    assert out["y"].tolist() == [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0]
    assert list(out.columns) == ["unique_id", "ds", "y"]


def test_regularize_refuses_bad_input():
    with pytest.raises(ValueError, match="fill must be one of"):
        regularize(PRICES, fill="mean")
    with pytest.raises(ValueError, match="off the 'D' grid"):
        regularize(PRICES.set_axis(DAYS + pd.Timedelta("1h") * np.arange(60)), freq="D")
    with pytest.raises(TypeError, match="pandas Series or DataFrame"):
        regularize(np.arange(3))


# ------------------------------------------------------- exchange calendars (issue 20)
def _nyse_prices():
    xcals = pytest.importorskip("exchange_calendars")
    sessions = xcals.get_calendar("XNYS").sessions_in_range("2023-01-03", "2024-06-28")
    values = 100 + np.random.default_rng(0).normal(size=len(sessions)).cumsum()
    return pd.Series(values, index=pd.DatetimeIndex(sessions).tz_localize(None), name="close")


def test_an_exchange_name_is_a_frequency_of_trading_days():
    prices = _nyse_prices()
    with pytest.raises(ValueError, match="freq='XNYS'"):  # the gap error names the fix
        NaiveForecaster(freq="B").fit(prices)
    model = SeasonalNaiveForecaster(horizon=5, freq="XNYS").fit(prices)
    assert model.season_length_ == 5
    future = model.predict().index  # July 4th (Independence Day) is no trading day
    assert list(future.strftime("%m-%d")) == ["07-01", "07-02", "07-03", "07-05", "07-08"]
    import pickle

    assert pickle.loads(pickle.dumps(model)).predict().index.equals(future)


def test_compare_takes_freq():
    from tsrnn.model_selection import compare

    prices = _nyse_prices()
    board = compare({"naive": NaiveForecaster(horizon=5),
                     "snaive": SeasonalNaiveForecaster(horizon=5)}, prices, freq="XNYS")
    assert set(board.index) == {"naive", "snaive"} and np.isfinite(board["mase"]).all()


def test_an_unknown_exchange_and_a_missing_package_say_what_to_do(monkeypatch):
    import sys

    from tsrnn.forecasting import _calendars

    pytest.importorskip("exchange_calendars")
    with pytest.raises(ValueError, match="not a frequency pandas knows"):
        NaiveForecaster(freq="NOPE").fit(PRICES)
    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # not installed
    _calendars.exchange_offset.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"tsrnn\[calendars\]"):
            NaiveForecaster(freq="XLON").fit(PRICES)
    finally:
        _calendars.exchange_offset.cache_clear()


def test_cli_calendar(tmp_path, capsys):
    from tsrnn.cli import main

    prices = _nyse_prices()
    path = tmp_path / "prices.csv"
    prices.rename_axis("date").reset_index().to_csv(path, index=False)
    out = tmp_path / "fc.csv"
    args = ["--quiet", "forecast", str(path), "--target", "close", "--horizon", "3",
            "--model", "naive", "--no-plot", "--out", str(out)]
    assert main(args) == 2  # holidays are gaps without the calendar
    assert "XNYS" in capsys.readouterr().err  # the error names the exchange's name
    assert main(args + ["--calendar", "XNYS"]) == 0
    table = pd.read_csv(out)
    assert list(table["date"]) == ["2024-07-01", "2024-07-02", "2024-07-03"]
    assert main(args + ["--calendar", "NOWHERE"]) == 2
    assert "exchange calendar" in capsys.readouterr().err

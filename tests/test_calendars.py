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

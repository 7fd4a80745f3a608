"""Bad inputs to the forecasters: one test per input, asserting the error type and message.

Validation lives in the shared base contract, so each check runs on a baseline and on a
(tiny) neural forecaster, which must reject the input identically and before any training.
"""

import numpy as np
import pandas as pd
import pytest

from tsrnn.forecasting import LSTMForecaster, NaiveForecaster

TINY = dict(window=6, hidden_size=4, max_epochs=1, batch_size=16, random_state=0)
FORECASTERS = [NaiveForecaster, LSTMForecaster]
parametrize = pytest.mark.parametrize("cls", FORECASTERS, ids=lambda c: c.__name__)


def make(cls, **params):
    return cls(horizon=3, **(TINY if cls is LSTMForecaster else {}), **params)


def daily(n=40, start="2020-01-01", name="y") -> pd.Series:
    values = np.sin(np.arange(n) / 3.0) + 5.0
    return pd.Series(values, index=pd.date_range(start, periods=n, freq="D"), name=name)


def long_panel() -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"unique_id": sid, "ds": y.index, "y": y.to_numpy()})
                      for sid, y in [("a", daily(30)), ("b", daily(25, "2020-01-03"))]],
                     ignore_index=True)


def without_freq(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The same timestamps with no ``freq`` attribute, so the forecaster must infer it."""
    return pd.DatetimeIndex(list(index))


@parametrize
def test_nan_in_target_names_row_and_column(cls):
    y = daily()
    y.iloc[4] = np.nan
    with pytest.raises(ValueError, match=r"the target of the series contains NaN at "
                                         r"row=Timestamp\('2020-01-05 00:00:00'\), column='y'"):
        make(cls).fit(y)


@parametrize
def test_nan_in_long_format_names_the_series(cls):
    panel = long_panel()
    panel.loc[panel.index[panel["unique_id"] == "b"][2], "y"] = np.nan  # 2020-01-05
    with pytest.raises(ValueError, match=r"the target of series 'b' contains NaN at "
                                         r"row=Timestamp\('2020-01-05 00:00:00'\)"):
        make(cls).fit(panel)


@parametrize
def test_nan_in_new_history_at_predict_and_score(cls):
    model = make(cls).fit(daily())
    new = daily(50)
    new.iloc[45] = np.nan
    with pytest.raises(ValueError, match=r"contains NaN at row=Timestamp\('2020-02-15"):
        model.predict(new)
    with pytest.raises(ValueError, match=r"contains NaN at row=Timestamp\('2020-02-15"):
        model.score(new.iloc[40:])


@parametrize
def test_inf_in_target_is_rejected_like_nan(cls):
    y = daily()
    y.iloc[7] = -np.inf
    with pytest.raises(ValueError, match=r"contains infinity at "
                                         r"row=Timestamp\('2020-01-08 00:00:00'\), column='y'"):
        make(cls).fit(y)


@parametrize
def test_covariates_missing_for_target_rows(cls):
    y = daily()
    X = pd.DataFrame({"x": np.arange(40.0)}, index=y.index).drop(y.index[5])
    with pytest.raises(ValueError, match=r"covariates X are missing \(or NaN\) for target "
                                         r"rows \(first: Timestamp\('2020-01-06"):
        make(cls).fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
@parametrize
def test_non_finite_covariate_names_row_and_column(cls, bad):
    frame = pd.DataFrame({"y": daily(), "x": np.arange(40.0)})
    frame.iloc[9, 1] = bad
    with pytest.raises(ValueError, match=r"(NaN|infinity) at "
                                         r"row=Timestamp\('2020-01-10 00:00:00'\), column='x'"):
        make(cls, target="y").fit(frame)


@parametrize
def test_unsorted_timestamps(cls):
    y = daily()
    y = y.iloc[[0, 1, 2, 4, 3] + list(range(5, 40))]
    with pytest.raises(ValueError, match=r"the timestamps of the series are not sorted \(first "
                                         r"out of order: 2020-01-04 00:00:00 at position 4\)"):
        make(cls).fit(y)


@parametrize
def test_duplicate_timestamps(cls):
    panel = long_panel()
    panel = pd.concat([panel, panel.iloc[[35]]]).sort_values(["unique_id", "ds"])
    with pytest.raises(ValueError, match=r"series 'b' has duplicate timestamps \(first: "
                                         r"2020-01-08 00:00:00\); aggregate them first"):
        make(cls).fit(panel)


@parametrize
def test_gap_with_inferred_frequency_names_the_first_missing_timestamp(cls):
    y = daily(81).drop(pd.Timestamp("2020-01-11"))  # the last 50 days give the freq "D"
    y.index = without_freq(y.index)
    with pytest.raises(ValueError, match=r"the series has gaps or irregular timestamps for "
                                         r"frequency <Day> \(first missing: 2020-01-11"):
        make(cls).fit(y)


@parametrize
def test_gap_with_given_frequency_names_the_first_missing_timestamp(cls):
    y = daily().drop(pd.Timestamp("2020-01-21"))
    with pytest.raises(ValueError, match=r"gaps or irregular timestamps for frequency <Day> "
                                         r"\(first missing: 2020-01-21"):
        make(cls, freq="D").fit(y)


def test_gap_in_short_series_names_the_first_missing_timestamp():
    y = daily(31).drop(pd.Timestamp("2020-01-11"))
    y.index = without_freq(y.index)
    with pytest.raises(ValueError, match=r"2020-01-11"):
        NaiveForecaster().fit(y)


@parametrize
def test_history_of_another_frequency_at_predict(cls):
    model = make(cls).fit(daily())
    every_other_day = daily(80).iloc[::2]
    with pytest.raises(ValueError, match=r"gaps or irregular timestamps for frequency <Day>"):
        model.predict(every_other_day)


@parametrize
def test_irregular_index_has_unknown_frequency(cls):
    seconds = np.sort(np.random.default_rng(0).choice(10**6, size=40, replace=False))
    y = pd.Series(np.arange(40.0), index=pd.to_datetime(seconds, unit="s"))
    with pytest.raises(ValueError, match=r"cannot infer the frequency of the time index .*"
                                         r"pass freq="):
        make(cls).fit(y)


def test_a_series_shorter_than_a_window_is_padded_not_refused():
    panel = long_panel()
    panel = panel[(panel["unique_id"] == "a") | (panel["ds"] < "2020-01-08")]  # 'b': 5 days
    model = LSTMForecaster(horizon=3, **TINY).fit(panel)  # a window + horizon is 9
    pred = model.predict()
    assert pred.groupby("unique_id").size().to_dict() == {"a": 3, "b": 3}
    assert model.masked_ and np.isfinite(pred["y"]).all()


def test_a_new_history_shorter_than_the_window_is_forecast():
    model = LSTMForecaster(horizon=3, **TINY).fit(daily())
    pred = model.predict(daily(4))
    assert len(pred) == 3 and np.isfinite(pred).all()
    with pytest.raises(ValueError, match="no training window: the longest series has 4"):
        LSTMForecaster(horizon=3, **TINY).fit(daily(4))


@parametrize
@pytest.mark.parametrize("values", [list("abcdefghij"), [True, False] * 5],
                         ids=["strings", "booleans"])
def test_non_numeric_target_column(cls, values):
    y = pd.Series(values, index=pd.date_range("2020-01-01", periods=10), name="y")
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['y'\] in the series"):
        make(cls).fit(y)


@parametrize
def test_non_numeric_covariate_column(cls):
    frame = pd.DataFrame({"y": daily(), "colour": "red"})
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['colour'\]"):
        make(cls, target="y").fit(frame)


@parametrize
def test_complex_values(cls):
    y = pd.Series(np.arange(10.0) + 1j, index=pd.date_range("2020-01-01", periods=10))
    with pytest.raises(ValueError, match="complex values are not supported"):
        make(cls).fit(y)


@parametrize
def test_unknown_target_column(cls):
    with pytest.raises(ValueError, match=r"target column\(s\) \['sales'\] not found in the "
                                         r"series; columns are \['y'\]"):
        make(cls, target="sales").fit(daily().to_frame())


@parametrize
@pytest.mark.parametrize("empty", [
    pd.Series([], dtype=float), pd.DataFrame(),
    pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []}),
], ids=["series", "frame", "long"])
def test_empty_input(cls, empty):
    with pytest.raises(ValueError, match="the data is empty"):
        make(cls).fit(empty)


@parametrize
@pytest.mark.parametrize("data, name", [(np.arange(20.0), "ndarray"),
                                        (list(range(20)), "list")], ids=["numpy", "list"])
def test_wrong_type(cls, data, name):
    with pytest.raises(TypeError, match=rf"forecasters take a pandas Series or DataFrame .*"
                                        rf"got {name}"):
        make(cls).fit(data)


@parametrize
def test_covariates_of_the_wrong_type(cls):
    y = daily()
    with pytest.raises(TypeError, match="covariates X must be a DataFrame, got ndarray"):
        make(cls).fit(np.arange(40.0), y)


@parametrize
def test_multiindex_with_three_levels(cls):
    index = pd.MultiIndex.from_product([["a"], ["x"], pd.date_range("2020-01-01", periods=20)])
    with pytest.raises(ValueError, match=r"a MultiIndex must have two levels"):
        make(cls).fit(pd.DataFrame({"y": np.arange(20.0)}, index=index))


@parametrize
def test_unparseable_time_index(cls):
    y = pd.Series(np.arange(3.0), index=["2020-01-01", "not a date", "2020-01-03"])
    with pytest.raises(ValueError, match="the time index of the series cannot be parsed as "
                                         "dates"):
        make(cls).fit(y)


@parametrize
def test_invalid_horizon(cls):
    with pytest.raises(ValueError, match=r"'horizon' parameter of \w+ must be an int in the "
                                         r"range \[1, inf\)\. Got 0 instead"):
        cls(horizon=0).fit(daily())


def _promo_model():
    frame = pd.DataFrame({"y": daily(), "promo": np.tile([0.0, 1.0], 20)})
    return LSTMForecaster(horizon=3, target="y", future_covariates=["promo"], **TINY).fit(frame)


def test_future_covariates_required_at_predict():
    model = _promo_model()
    with pytest.raises(ValueError, match=r"the model uses known future covariates \['promo'\]: "
                                         r"pass X with their values for the 3 forecast steps"):
        model.predict()


def test_future_covariates_must_cover_the_forecast_period():
    model = _promo_model()
    short = pd.DataFrame({"promo": [1.0, 0.0]}, index=pd.date_range("2020-02-10", periods=2))
    with pytest.raises(ValueError, match=r"covariates \['promo'\] are missing for the forecast "
                                         r"period of the series: X must cover 2020-02-10 "
                                         r"00:00:00 to 2020-02-12 00:00:00"):
        model.predict(short)


def test_infinite_future_covariate_at_predict():
    model = _promo_model()
    future = pd.DataFrame({"promo": [1.0, np.inf, 0.0]},
                          index=pd.date_range("2020-02-10", periods=3))
    with pytest.raises(ValueError, match=r"promo"):
        model.predict(future)


def test_unknown_future_covariate_name():
    frame = pd.DataFrame({"y": daily(), "promo": 1.0})
    model = LSTMForecaster(horizon=3, target="y", future_covariates=["price"], **TINY)
    with pytest.raises(ValueError, match=r"future_covariates \['price'\] are not covariate "
                                         r"columns of the data \(covariates: \['promo'\]\)"):
        model.fit(frame)


BERLIN = "Europe/Berlin"
DST_CASES = {  # history end (local) -> the next three local hours
    "spring-forecast-crosses": ("2024-03-31 01:00", ["2024-03-31 03:00+02:00",
                                                     "2024-03-31 04:00+02:00",
                                                     "2024-03-31 05:00+02:00"]),
    "autumn-forecast-crosses": ("2024-10-27 01:00", ["2024-10-27 02:00+02:00",
                                                     "2024-10-27 02:00+01:00",
                                                     "2024-10-27 03:00+01:00"]),
    "spring-history-crosses": ("2024-03-31 12:00", ["2024-03-31 13:00+02:00",
                                                    "2024-03-31 14:00+02:00",
                                                    "2024-03-31 15:00+02:00"]),
}


@parametrize
@pytest.mark.parametrize("case", list(DST_CASES))
def test_tz_aware_hourly_across_dst_keeps_tz_and_hours(cls, case):
    end, expected = DST_CASES[case]
    index = pd.date_range(end=pd.Timestamp(end, tz=BERLIN), periods=48, freq="h")
    y = pd.Series(np.sin(np.arange(48) / 4.0), index=without_freq(index), name="load")
    pred = make(cls).fit(y).predict()
    assert str(pred.index.tz) == BERLIN
    want = pd.to_datetime(expected, utc=True).tz_convert(BERLIN)
    pd.testing.assert_index_equal(pred.index, want, check_names=False, check_freq=False)


def test_tz_aware_long_format_keeps_tz_per_series():
    panel = pd.concat([pd.DataFrame({"unique_id": sid, "ds": ix, "y": np.arange(24.0)})
                       for sid, ix in [
                           ("x", pd.date_range(end=pd.Timestamp("2024-10-27 01:00", tz=BERLIN),
                                               periods=24, freq="h")),
                           ("y", pd.date_range(end=pd.Timestamp("2024-10-27 04:00", tz=BERLIN),
                                               periods=24, freq="h"))]], ignore_index=True)
    pred = NaiveForecaster(horizon=2).fit(panel).predict()
    assert str(pred["ds"].dt.tz) == BERLIN
    assert [str(t) for t in pred["ds"]] == [
        "2024-10-27 02:00:00+02:00", "2024-10-27 02:00:00+01:00",
        "2024-10-27 05:00:00+01:00", "2024-10-27 06:00:00+01:00"]


def test_tz_aware_daily_across_dst_stays_at_local_midnight():
    y = pd.Series(np.arange(10.0),
                  index=pd.date_range("2024-03-25", periods=10, freq="D", tz=BERLIN))
    pred = NaiveForecaster(horizon=2).fit(y).predict()
    want = pd.date_range("2024-04-04", periods=2, freq="D", tz=BERLIN)
    pd.testing.assert_index_equal(pred.index, want, check_names=False, check_freq=False)


@pytest.mark.parametrize("kind", ["integer", "hourly-utc", "hourly-berlin", "period-daily",
                                  "weekly"])
def test_gap_is_caught_for_every_index_kind_at_predict(kind):
    """The numpy fast check of the spacing must never let a gap through."""
    n = 60
    index = {"integer": pd.RangeIndex(n),
             "hourly-utc": pd.date_range("2024-03-29", periods=n, freq="h", tz="UTC"),
             "hourly-berlin": pd.date_range("2024-03-29", periods=n, freq="h",
                                            tz="Europe/Berlin"),
             "period-daily": pd.period_range("2024-01-01", periods=n, freq="D"),
             "weekly": pd.date_range("2024-01-07", periods=n, freq="W-SUN")}[kind]
    y = pd.Series(np.sin(np.arange(n) / 3.0) + 5.0, index=index, name="y")
    model = NaiveForecaster(horizon=3).fit(y)
    assert len(model.predict(y)) == 3
    with pytest.raises(ValueError, match="gaps or irregular timestamps"):
        model.predict(y.drop(y.index[30]))


def test_series_fast_path_matches_the_frame_path():
    """predict(Series) (fast path) and predict(one-column frame) give the same forecast."""
    y = daily(60)
    model = make(LSTMForecaster).fit(y)
    from_series = model.predict(y.iloc[:50])
    assert isinstance(from_series, pd.Series) and from_series.name == "y"
    assert from_series.index.equals(pd.date_range("2020-02-20", periods=3, freq="D"))
    from_frame = model.predict(y.iloc[:50].to_frame())
    np.testing.assert_array_equal(from_series.to_numpy(), from_frame["y"].to_numpy())
    with pytest.raises(ValueError, match="contains NaN"):
        model.predict(y.iloc[:50].where(y.index[:50] != y.index[20]))
    with pytest.raises(ValueError, match=r"target column\(s\) \['y'\] not found"):
        model.predict(y.rename("other"))


@parametrize
def test_score_rejects_a_gap_in_the_test_data(cls):
    model = make(cls).fit(daily(40))
    test = daily(60).iloc[40:].drop(pd.Timestamp("2020-02-15"))
    with pytest.raises(ValueError, match="gaps or irregular timestamps"):
        model.score(test)

"""Tests for the time-series splitters, backtest and compare."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import cross_val_score

from tsrnn.datasets import make_panel
from tsrnn.forecasting.baselines import DriftForecaster, NaiveForecaster, SeasonalNaiveForecaster
from tsrnn.model_selection import (
    ExpandingWindowSplit,
    SlidingWindowSplit,
    backtest,
    compare,
)


def _series(n=30):
    return pd.Series(np.arange(n, dtype=float),
                     index=pd.date_range("2024-01-01", periods=n, freq="D"), name="y")


def _panel(n=12, ids=("A", "B")):
    ds = pd.date_range("2024-01-01", periods=n, freq="D")
    frames = [pd.DataFrame({"unique_id": sid, "ds": ds, "y": np.arange(n) * (k + 1.0) + 1})
              for k, sid in enumerate(ids)]
    return pd.concat(frames, ignore_index=True)  # sorted by id, then time


def _folds(cv, X):
    return [(tr.tolist(), te.tolist()) for tr, te in cv.split(X)]


# ---------------------------------------------------------------------------- splits
def test_expanding_split_positions_and_gap():
    X = np.zeros(10)
    assert _folds(ExpandingWindowSplit(n_splits=3, test_size=2), X) == [
        ([0, 1, 2, 3], [4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7]),
        ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])]
    assert _folds(ExpandingWindowSplit(n_splits=2, test_size=2, gap=2), X) == [
        ([0, 1, 2, 3], [6, 7]), ([0, 1, 2, 3, 4, 5], [8, 9])]
    assert ExpandingWindowSplit(n_splits=4).get_n_splits() == 4


def test_sliding_split_positions():
    folds = _folds(SlidingWindowSplit(n_splits=2, train_size=3, test_size=2, gap=1),
                   _series(10))
    assert folds == [([2, 3, 4], [6, 7]), ([4, 5, 6], [8, 9])]


@pytest.mark.parametrize("cv, match", [
    (ExpandingWindowSplit(n_splits=3, test_size=3, min_train_size=2), "11 are needed"),
    (SlidingWindowSplit(n_splits=2, train_size=5, test_size=2, gap=1), "10 are needed"),
    (ExpandingWindowSplit(n_splits=0), r"'n_splits' parameter of ExpandingWindowSplit must be an int in the range \[1, inf\)"),
    (ExpandingWindowSplit(gap=-1), r"'gap' parameter of ExpandingWindowSplit must be an int in the range \[0, inf\)"),
])
def test_too_few_timestamps_or_bad_params(cv, match):
    with pytest.raises(ValueError, match=match):
        list(cv.split(np.zeros(9)))


def test_unsorted_series_and_missing_time_column_are_rejected():
    with pytest.raises(ValueError, match="sorted and unique"):
        list(ExpandingWindowSplit().split(_series(10).iloc[::-1]))
    with pytest.raises(ValueError, match="time column 'ds'"):
        list(ExpandingWindowSplit().split(_panel().drop(columns="ds")))


def test_panel_split_cuts_every_series_at_the_same_timestamps():
    panel = _panel(n=12).sample(frac=1.0, random_state=0)  # rows in any order
    cv = ExpandingWindowSplit(n_splits=2, test_size=3, gap=1, id_col="unique_id")
    dates = pd.date_range("2024-01-01", periods=12, freq="D")
    for k, (tr, te) in enumerate(cv.split(panel)):
        train, test = panel.iloc[tr], panel.iloc[te]
        start = 6 + 3 * k
        assert sorted(test["ds"].unique()) == list(dates[start:start + 3])
        assert sorted(train["ds"].unique()) == list(dates[:start - 1])  # gap of 1
        assert len(tr) + len(te) == 2 * (start + 2)  # both series, every row once
        assert set(test["unique_id"]) == {"A", "B"}


def test_ragged_panel_has_no_test_timestamp_before_train():
    panel = make_panel(n_series=5, min_length=20, max_length=40, random_state=0)
    cv = SlidingWindowSplit(n_splits=3, train_size=15, test_size=4, gap=2)
    times = np.sort(panel["ds"].unique())
    for tr, te in cv.split(panel):
        last_train, first_test = panel["ds"].iloc[tr].max(), panel["ds"].iloc[te].min()
        assert last_train < first_test
        between = times[(times > last_train) & (times < first_test)]
        assert len(between) == 2  # the gap, in distinct timestamps


def test_splitters_work_with_cross_val_score_on_a_panel():
    scores = cross_val_score(NaiveForecaster(horizon=2), _panel(n=20),
                             cv=ExpandingWindowSplit(n_splits=3, test_size=4))
    assert scores.shape == (3,) and np.all(scores < 0)


# -------------------------------------------------------------------------- backtest
class RecordingForecaster(NaiveForecaster):
    """Naive, recording the last timestamp of every fit and of every predict history."""

    log = []

    def _fit(self, panel):
        RecordingForecaster.log.append(("fit", max(ix[-1] for ix in panel.index)))
        super()._fit(panel)

    def _predict(self, panel, horizon, future):
        RecordingForecaster.log.append(("predict", max(ix[-1] for ix in panel.index),
                                        len(panel.ids)))
        return super()._predict(panel, horizon, future)

    def predict(self, X=None, **kwargs):
        RecordingForecaster.log.append(("history given", X is not None))
        return super().predict(X, **kwargs)


@pytest.mark.parametrize("refit", [True, False])
def test_backtest_has_no_look_ahead(refit):
    RecordingForecaster.log = []
    panel = _panel(n=20, ids=("A", "B", "C"))
    result = backtest(RecordingForecaster(horizon=3), panel, n_origins=4, refit=refit)
    cutoffs = list(result.summary["cutoff"])
    assert cutoffs == list(pd.date_range("2024-01-05", periods=4, freq="3D") + pd.Timedelta("3D"))
    fits = [entry[1] for entry in RecordingForecaster.log if entry[0] == "fit"]
    predicts = [entry[1:] for entry in RecordingForecaster.log if entry[0] == "predict"]
    assert fits == (cutoffs if refit else cutoffs[:1])
    assert predicts == [(c, 3) for c in cutoffs]  # one batched call per origin
    # a model fitted on the fold forecasts its own end; a reused one gets the new history
    given = [entry[1] for entry in RecordingForecaster.log if entry[0] == "history given"]
    assert given == ([False] * 4 if refit else [False, True, True, True])
    rows = result.forecasts.merge(result.summary["cutoff"], left_on="fold", right_index=True)
    assert (rows["ds"] > rows["cutoff"]).all()


def test_backtest_shapes_values_and_metrics():
    result = backtest(NaiveForecaster(horizon=3), _series(30), n_origins=4, season_length=1)
    fc, summary = result
    assert list(fc.columns) == ["fold", "unique_id", "ds", "step", "y", "y_pred", "error",
                                "abs_error", "scaled_error"]
    assert len(fc) == 12 and fc["step"].tolist() == [1, 2, 3] * 4
    assert (fc["y_pred"] == fc.groupby("fold")["y"].transform("min") - 1).all()
    # y = t: naive errors are 1, 2, 3 and the in-sample naive MAE is 1
    assert summary["mae"].tolist() == pytest.approx([2.0] * 4)
    assert summary["mase"].tolist() == pytest.approx([2.0] * 4)
    assert summary["rmse"].tolist() == pytest.approx([np.sqrt(14 / 3)] * 4)
    assert list(summary.columns) == ["cutoff", "n_series", "mae", "rmse", "smape", "mase",
                                     "fit_time", "predict_time"]
    assert backtest(DriftForecaster(horizon=3), _series(30)).summary["mae"].max() < 1e-9
    # daily data: the MASE scale is the weekly seasonal naive error by default (7 here)
    auto = backtest(NaiveForecaster(horizon=3), _series(30), n_origins=4).summary
    assert auto["mase"].tolist() == pytest.approx([2.0 / 7] * 4)


def test_backtest_with_gap_forecasts_past_it():
    cv = ExpandingWindowSplit(n_splits=2, test_size=2, gap=3)
    fc = backtest(NaiveForecaster(), _panel(n=15), cv=cv).forecasts
    assert sorted(fc["step"].unique()) == [4, 5]
    assert len(fc) == 2 * 2 * 2  # folds x series x test steps


def test_backtest_drops_series_too_short_for_a_fold_with_a_warning():
    late = _panel(n=7, ids=("late",)).assign(ds=lambda d: d["ds"] + pd.Timedelta("14D"))
    panel = pd.concat([_panel(n=20, ids=("A",)), late])
    with pytest.warns(UserWarning, match=r"series \['late'\] have fewer than 4"):
        result = backtest(SeasonalNaiveForecaster(horizon=2, season_length=4), panel,
                          n_origins=2)
    assert result.summary["n_series"].tolist() == [1, 2]


def test_backtest_scores_every_series_of_a_ragged_panel():
    early = _panel(n=12, ids=("early",))  # ends a week before the others
    panel = pd.concat([_panel(n=19, ids=("A", "B")), early], ignore_index=True)
    result = backtest(NaiveForecaster(horizon=2), panel, n_origins=3)
    assert result.summary["n_series"].tolist() == [3, 3, 3]
    last = result.forecasts.groupby("unique_id")["ds"].max()
    assert last["early"] == early["ds"].max() and last["A"] == panel["ds"].max()
    cv = ExpandingWindowSplit(n_splits=3, test_size=2)  # common cut times: says who is out
    with pytest.warns(UserWarning, match=r"fold 0 scores no forecast for series \['early'\]"):
        backtest(NaiveForecaster(horizon=2), panel, cv=cv)


def test_backtest_rejects_a_cv_with_test_before_train():
    class Backwards:
        def split(self, X, y=None, groups=None):
            yield np.arange(5, 10), np.arange(0, 5)

    with pytest.raises(ValueError, match="fold 0 of cv must have test timestamps after"):
        backtest(NaiveForecaster(), _series(10), cv=Backwards())


# --------------------------------------------------------------------------- compare
def test_compare_leaderboard_and_plot(tmp_path):
    t = np.arange(40)
    y = pd.Series(10 + np.sin(2 * np.pi * t / 4) * 3 + 0.01 * t,
                  index=pd.date_range("2024-01-01", periods=40, freq="D"), name="y")
    path = tmp_path / "compare.png"
    board = compare({"naive": NaiveForecaster(horizon=4),
                     "snaive": SeasonalNaiveForecaster(horizon=4, season_length=4),
                     "drift": DriftForecaster(horizon=4)}, y, n_origins=2, plot=path)
    assert list(board.columns) == ["mae", "rmse", "smape", "mase", "skill", "fit_time",
                                   "predict_time"]
    assert board.index.name == "model" and board.index[0] == "snaive"
    assert board["mase"].is_monotonic_increasing
    assert board.loc["naive", "skill"] == pytest.approx(0.0)
    assert board.loc["snaive", "skill"] > 0.5
    assert path.stat().st_size > 1000


def test_compare_validates_its_arguments():
    with pytest.raises(ValueError, match="non-empty dict"):
        compare({}, _series())
    with pytest.raises(ValueError, match=r"unknown metrics \['mape'\]"):
        compare({"naive": NaiveForecaster()}, _series(), metrics=("mape",))
    board = compare({"naive": NaiveForecaster()}, _series(), metrics=("mae",))
    assert list(board.columns[:2]) == ["mae", "mase"]


# ------------------------------------------------- covariates, intervals, auto models
def _with_calendar(n=24 * 7 * 4):
    """Hourly series driven by a known future covariate ``x`` and a past one ``p``."""
    idx = pd.date_range("2024-01-01", periods=n, freq="h")
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return pd.DataFrame({"y": 10 + 3 * x + 0.1 * rng.normal(size=n), "x": x,
                         "p": rng.normal(size=n)}, index=idx)


@pytest.mark.parametrize("refit", [True, False])
def test_backtest_with_known_future_covariates(refit):
    from tsrnn.forecasting.statistical import ARIMAForecaster

    data = _with_calendar(24 * 10)
    model = ARIMAForecaster(horizon=6, target="y", future_covariates=["x"], season_length=1,
                            max_p=1, max_q=1)
    with pytest.warns(UserWarning, match=r"ignores the covariates \['p'\]"):
        result = backtest(model, data, n_origins=2, refit=refit)
    assert len(result.forecasts) == 12
    assert result.summary["mae"].max() < 0.5  # it reads x over each forecast period
    with pytest.warns(UserWarning, match="ignores the covariates"):
        naive = backtest(NaiveForecaster(horizon=6, target="y"), data, n_origins=2,
                         refit=refit)
    assert naive.summary["mae"].mean() > 5 * result.summary["mae"].mean()


def test_backtest_with_covariates_in_long_format():
    from tsrnn.forecasting.statistical import ARIMAForecaster

    parts = [_with_calendar(24 * 8).rename_axis("ds").reset_index().assign(unique_id=sid)
             for sid in ("a", "b")]
    data = pd.concat(parts, ignore_index=True)[["unique_id", "ds", "y", "x"]]
    model = ARIMAForecaster(horizon=4, target="y", future_covariates=["x"], season_length=1,
                            max_p=1, max_q=1)
    result = backtest(model, data, n_origins=2, refit=False)
    assert result.summary["n_series"].tolist() == [2, 2]
    assert result.summary["mae"].max() < 0.5


def test_backtest_scores_prediction_intervals():
    y = _series(60)
    result = backtest(NaiveForecaster(horizon=3), y + np.random.default_rng(0).normal(size=60),
                      n_origins=3, coverage=0.9)
    assert {"y_lower", "y_upper"} <= set(result.forecasts.columns)
    assert {"coverage", "width", "msis"} <= set(result.summary.columns)
    assert ((result.summary["coverage"] >= 0) & (result.summary["coverage"] <= 1)).all()
    assert (result.summary["width"] > 0).all()
    with pytest.raises(ValueError, match="coverage must be"):
        backtest(NaiveForecaster(horizon=3), y, coverage=1.5)


@pytest.mark.slow  # Theta, ETS and MSTL on every fold
def test_compare_auto_picks_seasonal_baselines_and_scores_intervals(tmp_path):
    from tsrnn.datasets import make_seasonal_series

    y = make_seasonal_series(n=48 * 7 * 3, freq="30min", seasonalities=(48, 336),
                             noise=0.1, random_state=0)
    path = tmp_path / "board.png"
    board = compare("auto", y, horizon=48, n_origins=2, coverage=0.8, plot=path)
    assert set(board.index) == {"naive", "seasonal_naive", "theta", "mstl"}
    assert board.index[0] in ("mstl", "seasonal_naive")
    assert board.loc["seasonal_naive", "skill"] > 0.3
    assert list(board.columns[:6]) == ["mae", "rmse", "smape", "mase", "skill", "coverage"]
    assert path.stat().st_size > 1000
    with pytest.raises(ValueError, match="needs horizon"):
        compare("auto", y)


def test_a_forecaster_without_intervals_gets_nan_interval_scores():
    class NoIntervals(NaiveForecaster):
        def _predict_interval(self, panel, horizon, future, coverage):
            raise NotImplementedError("no intervals")

    with pytest.warns(UserWarning, match="gives no prediction intervals here"):
        summary = backtest(NoIntervals(horizon=2), _series(30), coverage=0.9).summary
    assert summary[["coverage", "width", "msis"]].isna().all().all()
    assert summary["mase"].notna().all()


@pytest.mark.slow  # the statistical defaults on the shipped panels
def test_zero_configuration_compare_on_the_shipped_data():
    import warnings

    from tsrnn.datasets import load_ett, load_m4_finance

    ett = load_ett()["OT"].iloc[-24 * 21:]  # hourly: a daily and a weekly season
    finance = load_m4_finance()
    finance = finance[finance["unique_id"].isin(finance["unique_id"].unique()[:3])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        hourly = compare("auto", ett, horizon=24, n_origins=1)
        weekly = compare("auto", finance.groupby("unique_id").tail(120), horizon=13,
                         n_origins=1)
    assert set(hourly.index) == {"naive", "seasonal_naive", "theta", "mstl"}
    assert set(weekly.index) == {"naive", "seasonal_naive", "theta", "ets"}
    for board in (hourly, weekly):
        assert np.isfinite(board["mase"]).all()
        assert board.loc["seasonal_naive", "skill"] >= -1e-9  # never worse than naive here


def test_compare_takes_a_generator_of_index_pairs_once_for_every_model():
    y = _series(30)
    pairs = ((np.arange(24 + 2 * k), np.arange(24 + 2 * k, 26 + 2 * k)) for k in range(3))
    board = compare({"naive": NaiveForecaster(horizon=2), "drift": DriftForecaster(horizon=2)},
                    y, cv=pairs)
    expected = compare({"naive": NaiveForecaster(horizon=2),
                        "drift": DriftForecaster(horizon=2)}, y, cv=3)
    pd.testing.assert_frame_equal(board.drop(columns=["fit_time", "predict_time"]),
                                  expected.drop(columns=["fit_time", "predict_time"]))
    with pytest.raises(TypeError, match="iterable of \\(train, test\\) row positions"):
        backtest(NaiveForecaster(horizon=2), y, cv="time")

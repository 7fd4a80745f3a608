"""AutoForecaster: choice per series by backtest, combination, fallbacks, the contract."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from tsrnn.forecasting import (
    AutoForecaster,
    BaseForecaster,
    GRUForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)
from tsrnn.forecasting.auto import candidate_weights
from tsrnn.model_selection import backtest, compare

H = 12
N = 84


def _tiny_gru():
    return GRUForecaster(hidden_size=4, max_epochs=2, random_state=0, device="cpu")


def _candidates(gru=True):
    out = [("naive", NaiveForecaster()),
           ("seasonal_naive", SeasonalNaiveForecaster()),
           ("mean", MeanForecaster())]
    return ([("gru", _tiny_gru())] if gru else []) + out


def _panel(n_seasonal=3, n_walks=3, n=N, seed=0) -> pd.DataFrame:
    """Monthly long panel: seasonal series ``s*`` and random walks ``rw*``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    idx = pd.date_range("2010-01", periods=n, freq="MS")
    parts = []
    for k in range(n_seasonal):
        y = 100 + 20 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"unique_id": f"s{k}", "ds": idx, "y": y}))
    for k in range(n_walks):
        y = 100 + np.cumsum(rng.normal(0, 3, n))
        parts.append(pd.DataFrame({"unique_id": f"rw{k}", "ds": idx, "y": y}))
    return pd.concat(parts, ignore_index=True)


PANEL = _panel()


@pytest.fixture(scope="module")
def selected():
    return AutoForecaster(horizon=H, candidates=_candidates(), method="select",
                          per_series=True, random_state=0).fit(PANEL)


def test_picks_the_season_for_seasonal_series_and_naive_for_random_walks():
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False),
                           method="select", per_series=True).fit(PANEL)
    choice = model.choice_
    assert (choice[["s0", "s1", "s2"]] == "seasonal_naive").all(), choice
    assert (choice[["rw0", "rw1", "rw2"]] == "naive").all(), choice
    scores = model.validation_scores_
    assert list(scores.columns) == ["naive", "seasonal_naive", "mean"]
    assert (scores.loc[["s0", "s1", "s2"], "seasonal_naive"]
            < scores.loc[["s0", "s1", "s2"], "naive"] / 3).all()
    assert model.method_ == "select"
    assert set(model.weights_.sum(axis=1).round(12)) == {1.0}


def test_with_a_network_among_the_candidates_seasonal_series_stay_seasonal(selected):
    # the network forecasts over a seasonal base, so it may win a seasonal series too
    assert selected.choice_[["s0", "s1", "s2"]].isin(["seasonal_naive", "gru"]).all()
    assert selected.choice_[["rw0", "rw1", "rw2"]].isin(["naive", "gru"]).all()
    assert list(selected.validation_scores_.columns) == ["gru", "naive", "seasonal_naive",
                                                         "mean"]


def test_forecast_equals_the_chosen_candidate_fitted_alone_per_series(selected):
    got = selected.predict().set_index(["unique_id", "ds"])["y"]
    for name, model in _candidates():
        series = selected.choice_.index[selected.choice_ == name]
        if not len(series):
            continue
        alone = clone(model).set_params(horizon=H).fit(PANEL).predict()
        alone = alone.set_index(["unique_id", "ds"])["y"]
        for sid in series:
            np.testing.assert_allclose(got.loc[sid].to_numpy(), alone.loc[sid].to_numpy(),
                                       rtol=1e-6)
    # intervals per series are the chosen candidate's too
    bounds = selected.predict_interval(coverage=0.8).set_index(["unique_id", "ds"])
    alone = SeasonalNaiveForecaster(horizon=H, season_length=12).fit(PANEL).predict_interval(
        coverage=0.8).set_index(["unique_id", "ds"])
    np.testing.assert_allclose(bounds.loc["s0"].to_numpy(), alone.loc["s0"].to_numpy())


def test_pickle_and_clone_round_trips_give_identical_forecasts(selected):
    again = pickle.loads(pickle.dumps(selected))
    pd.testing.assert_frame_equal(again.predict(), selected.predict())
    refit = clone(selected).fit(PANEL)
    pd.testing.assert_frame_equal(refit.predict(), selected.predict())
    pd.testing.assert_series_equal(refit.choice_, selected.choice_)


@pytest.mark.parametrize("method", ["select", "combine", "auto"])
def test_never_worse_than_naive_on_validation(method):
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False), method=method,
                           n_origins=2, per_series=True).fit(PANEL)
    naive = model.validation_scores_["naive"]
    assert (model.chosen_scores_ <= naive + 1e-9).all(), (model.chosen_scores_, naive)
    assert model.method_ in ("select", "combine")
    if model.method_ == "combine":  # weights only on candidates no worse than naive
        worse = model.validation_scores_.gt(naive, axis=0)
        assert not (model.weights_[worse] > 0).any().any()


def test_panel_wide_choice_is_no_worse_than_naive_on_average():
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False), per_series=False,
                           method="select").fit(PANEL)
    assert model.choice_.nunique() == 1
    assert model.chosen_scores_.mean() <= model.validation_scores_["naive"].mean() + 1e-9


def test_combination_is_the_weighted_mean_of_the_candidates_forecasts_and_bounds():
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False),
                           method="combine", per_series=True).fit(PANEL)
    assert model.method_ == "combine"
    w = model.weights_
    point = model.predict().set_index(["unique_id", "ds"])["y"]
    bounds = model.predict_interval().set_index(["unique_id", "ds"])
    expected = sum(w[name].reindex(point.index.get_level_values(0)).to_numpy()
                   * cand.predict().set_index(["unique_id", "ds"])["y"].to_numpy()
                   for name, cand in model.candidates_.items())
    np.testing.assert_allclose(point.to_numpy(), expected)
    low = sum(w[name].reindex(point.index.get_level_values(0)).to_numpy()
              * cand.predict_interval().set_index(["unique_id", "ds"])["y_lower"].to_numpy()
              for name, cand in model.candidates_.items())
    np.testing.assert_allclose(bounds["y_lower"].to_numpy(), low)


def test_auto_method_with_one_origin_combines_per_series():
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False), n_origins=1).fit(PANEL)
    assert (model.method_, model.per_series_, model.method_scores_) == ("combine", True, {})


def test_auto_variant_is_the_best_on_the_latest_origin_when_chosen_from_the_older():
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False), n_origins=3).fit(PANEL)
    measured = model.method_scores_
    assert set(measured) == {"select", "combine", "select_global", "combine_global"}
    best = min(measured, key=measured.get)
    assert best == model.method_ + ("" if model.per_series_ else "_global")
    # a fixed variant is not measured
    fixed = AutoForecaster(horizon=H, candidates=_candidates(gru=False), method="select",
                           per_series=False).fit(PANEL)
    assert (fixed.method_, fixed.per_series_, fixed.method_scores_) == ("select", False, {})


def test_short_and_new_series_get_the_panel_wide_choice():
    short = pd.DataFrame({"unique_id": "tiny", "ds": pd.date_range("2016-09", periods=5,
                                                                   freq="MS"),
                          "y": [5.0, 6.0, 5.5, 6.5, 6.0]})
    data = pd.concat([PANEL, short], ignore_index=True)
    model = AutoForecaster(horizon=H, candidates=_candidates(gru=False),
                           method="select", per_series=True).fit(data)
    assert model.validation_scores_.loc["tiny"].isna().all()
    np.testing.assert_allclose(model.weights_.loc["tiny"], model.global_weights_)
    out = model.predict()
    assert out.groupby("unique_id").size().tolist() == [H] * 7
    assert np.isfinite(out["y"]).all()
    # a series never seen at fit, forecast from its own history
    new = PANEL[PANEL["unique_id"] == "s0"].assign(unique_id="new")
    forecast = model.predict(new)
    assert forecast["unique_id"].unique().tolist() == ["new"]
    best = model.global_weights_.idxmax()
    alone = clone(model.candidates_[best]).fit(PANEL).predict(new)
    np.testing.assert_allclose(forecast["y"], alone["y"])


def test_nothing_long_enough_to_validate_gives_the_equal_weight_mean():
    y = pd.Series([1.0, 3.0, 2.0, 4.0], index=pd.date_range("2024-01-01", periods=4, freq="D"))
    model = AutoForecaster(horizon=3, candidates=["naive", "mean"]).fit(y)
    np.testing.assert_allclose(model.global_weights_, [0.5, 0.5])
    np.testing.assert_allclose(model.predict(), [3.25] * 3)  # (4 + 2.5) / 2


class _Broken(BaseForecaster):
    def __init__(self, horizon=1, freq=None, target=None, id_col="unique_id", time_col="ds"):
        self.horizon = horizon
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col

    def _fit(self, panel):
        raise RuntimeError("boom on purpose")

    def _predict(self, panel, horizon, future):
        raise AssertionError("never fitted")


def test_a_failing_candidate_is_left_out_with_one_warning_naming_it():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = AutoForecaster(horizon=H, candidates=[("broken", _Broken()), "naive",
                                                      "seasonal_naive"]).fit(PANEL)
    mine = [str(w.message) for w in caught if "broken" in str(w.message)]
    assert len(mine) == 1 and "boom on purpose" in mine[0], mine
    assert "broken" in model.failed_ and "broken" not in model.candidates_
    assert model.validation_scores_["broken"].isna().all()
    assert (model.weights_["broken"] == 0).all()
    assert np.isfinite(model.predict()["y"]).all()


def test_naive_is_always_a_candidate():
    model = AutoForecaster(horizon=H, candidates=[SeasonalNaiveForecaster(season_length=12)],
                           method="select", per_series=True).fit(PANEL)
    assert list(model.validation_scores_.columns) == ["seasonal_naive", "naive"]
    assert "naive" in model.candidates_


@pytest.mark.parametrize("candidates, error, match", [
    ([], ValueError, "empty"),
    (["prophet"], ValueError, "unknown forecaster name 'prophet'"),
    ([object()], TypeError, r"candidates\[0\]"),
    ([("a", NaiveForecaster()), ("a", MeanForecaster())], ValueError, "more than once"),
    ([AutoForecaster()], TypeError, "not an AutoForecaster"),
])
def test_bad_candidates_are_refused_by_name(candidates, error, match):
    with pytest.raises(error, match=match):
        AutoForecaster(horizon=2, candidates=candidates).fit(PANEL)


def test_bad_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        AutoForecaster(method="best").fit(PANEL)


def test_works_in_gridsearch_backtest_and_compare():
    y = PANEL[PANEL["unique_id"] == "s0"].set_index("ds")["y"]
    auto = AutoForecaster(horizon=H, candidates=["naive", "seasonal_naive"])
    search = GridSearchCV(auto, {"method": ["select", "combine"]},
                          cv=TimeSeriesSplit(2, test_size=H)).fit(y)
    assert search.best_params_["method"] in ("select", "combine")
    result = backtest(auto, PANEL, n_origins=2)
    assert result.summary["n_series"].tolist() == [6, 6]
    board = compare({"auto": auto, "naive": NaiveForecaster(horizon=H)}, PANEL, n_origins=2)
    assert board.loc["auto", "mase"] < board.loc["naive", "mase"]


def test_parallel_candidates_give_the_same_choice():
    from joblib import parallel_config

    one = AutoForecaster(horizon=H, candidates=_candidates(gru=False)).fit(PANEL)
    with parallel_config(backend="threading"):
        two = AutoForecaster(horizon=H, candidates=_candidates(gru=False), n_jobs=2).fit(PANEL)
    pd.testing.assert_frame_equal(one.weights_, two.weights_)
    pd.testing.assert_frame_equal(one.predict(), two.predict())


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 5)),
              elements=st.one_of(st.floats(0, 10), st.just(np.nan))),
       st.sampled_from(["select", "combine"]), st.integers(1, 4))
def test_candidate_weights_rows_sum_to_one_and_never_favour_worse_than_naive(
        scores, method, n_best):
    scores[:, 0] = np.where(np.isnan(scores[:, 0]), 1.0, scores[:, 0])  # naive always scored
    w = candidate_weights(scores, naive=0, method=method, n_best=n_best)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (w >= 0).all() and not (w[np.isnan(scores)] > 0).any()
    worse = np.nan_to_num(scores, nan=np.inf) > scores[:, [0]]
    assert not (w[worse] > 0).any()
    assert ((w > 0).sum(axis=1) <= (1 if method == "select" else n_best)).all()
    # the weighted validation score never exceeds naive's
    assert (np.nansum(w * np.nan_to_num(scores), axis=1) <= scores[:, 0] + 1e-12).all()


def test_command_line_default_model_is_auto():
    from tsrnn.cli import _make_model, build_parser

    args = build_parser().parse_args(["forecast", "data.csv", "--target", "y", "--horizon",
                                      "2"])
    assert args.model == "auto"
    model = _make_model("auto", 2, "auto", {"target": "y"}, {"random_state": 3, "window": 8})
    assert isinstance(model, AutoForecaster)
    assert (model.horizon, model.random_state, model.target) == (2, 3, "y")


def test_each_column_of_a_wide_frame_gets_its_own_choice():
    rng = np.random.default_rng(1)
    index = pd.date_range("2024-01-01", periods=70, freq="D")
    wide = pd.DataFrame({"shop": 50 + 10 * np.sin(2 * np.pi * np.arange(70) / 7)
                         + rng.normal(0, 0.3, 70),
                         "stock": 100 + np.cumsum(rng.normal(0, 2, 70))}, index=index)
    model = AutoForecaster(horizon=7, method="select", per_series=True, candidates=[
        "naive", "mean", ("weekly", SeasonalNaiveForecaster(season_length=7))]).fit(wide)
    assert model.choice_.to_dict() == {"shop": "weekly", "stock": "naive"}
    forecast = model.predict()
    weekly = SeasonalNaiveForecaster(horizon=7, season_length=7).fit(wide).predict()
    np.testing.assert_allclose(forecast["shop"], weekly["shop"])
    np.testing.assert_allclose(forecast["stock"], wide["stock"].iloc[-1])

"""Tuning that cannot make things worse (issue 20): the default search space holds the
model's defaults, which are the first trial, and ``tsrnn forecast`` reads what
``tsrnn tune`` found (``--params best.json``, ``--study --storage``)."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("optuna")

from tsrnn import GRUForecaster  # noqa: E402
from tsrnn.cli import main  # noqa: E402
from tsrnn.datasets import load_ett  # noqa: E402
from tsrnn.tuning import OptunaSearchCV, default_search_space  # noqa: E402


@pytest.fixture(scope="module")
def hourly_csv(tmp_path_factory):
    hours = pd.date_range("2024-03-01", periods=10 * 24, freq="h")
    rng = np.random.default_rng(0)
    y = 10 + 3 * np.sin(2 * np.pi * np.arange(len(hours)) / 24) + rng.normal(0, 0.1, len(hours))
    path = tmp_path_factory.mktemp("data") / "hourly.csv"
    pd.DataFrame({"ds": hours, "y": y}).to_csv(path, index=False)
    return path


def test_default_space_holds_the_data_derived_defaults():
    y = load_ett()["OT"].iloc[-2000:]
    model = GRUForecaster(horizon=24)
    space = default_search_space(model, y)
    window = space["window"]
    assert None in window.choices and 336 in window.choices  # the derived default, hourly
    for name, dist in space.items():
        value = model.get_params()[name]
        assert dist._contains(dist.to_internal_repr(value)), name


def test_the_untuned_model_is_the_first_trial():
    y = load_ett()["OT"].iloc[-400:]
    model = GRUForecaster(horizon=6, max_epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = OptunaSearchCV(model, n_trials=2, cv=2, random_state=0, refit=False).fit(y)
    first = search.study_.trials[0].params
    assert first == {name: model.get_params()[name] for name in first}
    assert search.best_score_ >= search.results_["mean_test_score"].iloc[0]


def test_tune_then_forecast_end_to_end(hourly_csv, tmp_path, capsys):
    best, db = tmp_path / "best.json", f"sqlite:///{tmp_path / 'study.db'}"
    assert main(["--quiet", "tune", str(hourly_csv), "--target", "y", "--horizon", "6",
                 "--model", "gru", "--trials", "2", "--folds", "2", "--epochs", "1",
                 "--out", str(best), "--storage", db, "--study", "s"]) == 0
    content = json.loads(best.read_text())
    assert content["model"] == "gru" and content["params"]["max_epochs"] == 1
    assert {"hidden_size", "lr", "dropout", "weight_decay", "batch_size",
            "window"} <= set(content["params"])
    out_params, out_study = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["--quiet", "forecast", str(hourly_csv), "--target", "y", "--horizon", "6",
                 "--params", str(best), "--no-plot", "--out", str(out_params)]) == 0
    assert main(["--quiet", "forecast", str(hourly_csv), "--target", "y", "--horizon", "6",
                 "--study", "s", "--storage", db, "--no-plot", "--out", str(out_study)]) == 0
    a, b = pd.read_csv(out_params), pd.read_csv(out_study)
    assert len(a) == 6 and np.isfinite(a["y"]).all()
    pd.testing.assert_frame_equal(a, b)  # the same tuned model either way
    # the forecast is the GRU with the tuned parameters
    history = pd.read_csv(hourly_csv, parse_dates=["ds"]).set_index("ds")["y"].asfreq("h")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = GRUForecaster(horizon=6, random_state=0, **content["params"]).fit(
            history).predict()
    np.testing.assert_allclose(a["y"], expected.to_numpy(), rtol=1e-5)


def test_tuned_parameters_errors(hourly_csv, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    args = ["forecast", str(hourly_csv), "--target", "y", "--horizon", "6", "--no-plot",
            "--out", str(tmp_path / "x.csv")]
    assert main(args + ["--params", str(bad)]) == 2
    assert "JSON object" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"model": "gru", "params": {"hidden_size": 4}}))
    assert main(args + ["--params", str(good), "--model", "naive"]) == 2
    assert "does not take them" in capsys.readouterr().err
    assert main(args + ["--study", "s"]) == 2
    assert "--storage" in capsys.readouterr().err

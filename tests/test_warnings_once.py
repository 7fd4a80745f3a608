"""Warnings a user can act on (issue 20): once per problem, never once per origin; patience
without validation data names validation_fraction; the command line sets it."""

import warnings

import numpy as np
import pandas as pd
import pytest

from tsrnn import GRUForecaster
from tsrnn.cli import _net, build_parser
from tsrnn.datasets import make_sine
from tsrnn.model_selection import backtest, compare

TINY = dict(window=12, hidden_size=4, max_epochs=2, random_state=0)


def _caught(func):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func()
    return [str(w.message) for w in caught]


def test_patience_without_validation_data_names_validation_fraction():
    y = make_sine(n=120, period=12)
    messages = _caught(lambda: GRUForecaster(horizon=3, patience=2, **TINY).fit(y))
    assert sum("validation_fraction" in m and "patience=2" in m for m in messages) == 1
    quiet = _caught(lambda: GRUForecaster(horizon=3, patience=2, validation_fraction=0.2,
                                          **TINY).fit(y))
    assert not any("patience" in m for m in quiet)
    assert not any("patience" in m for m in _caught(
        lambda: GRUForecaster(horizon=3, **TINY).fit(y)))


def test_backtest_and_compare_say_each_warning_once_not_per_origin():
    y = make_sine(n=200, period=12)
    model = GRUForecaster(horizon=3, patience=2, **TINY)
    messages = _caught(lambda: backtest(model, y, n_origins=5))
    patience = [m for m in messages if "patience=2" in m]
    assert len(patience) == 1 and "(in 5 of 5 folds)" in patience[0]
    messages = _caught(lambda: compare({"a": model, "b": model}, y, n_origins=4,
                                       refit=False))
    assert sum("patience=2" in m for m in messages) == 2  # once per model
    assert len(messages) == len(set(messages))


def test_cli_validation_fraction_and_patience():
    parser = build_parser()
    args = parser.parse_args(["forecast", "x.csv", "--target", "y", "--horizon", "3",
                              "--validation-fraction", "0.2"])
    assert _net(args)["validation_fraction"] == 0.2
    args = parser.parse_args(["forecast", "x.csv", "--target", "y", "--horizon", "3",
                              "--validation-fraction", "auto", "--patience", "2"])
    assert _net(args)["validation_fraction"] == "auto" and _net(args)["patience"] == 2
    args = parser.parse_args(["forecast", "x.csv", "--target", "y", "--horizon", "3",
                              "--patience", "2"])  # early stopping on held-out data
    assert _net(args)["validation_fraction"] == "auto"
    assert "validation_fraction" not in _net(parser.parse_args(
        ["forecast", "x.csv", "--target", "y", "--horizon", "3"]))


@pytest.mark.parametrize("bad", ["1", "-0.1", "half"])
def test_cli_refuses_a_bad_validation_fraction(bad, capsys):
    from tsrnn.cli import main

    assert main(["forecast", "x.csv", "--target", "y", "--horizon", "3",
                 "--validation-fraction", bad]) == 2
    assert "validation fraction" in capsys.readouterr().err


def test_no_warning_from_baseline_defaults_in_a_compare():
    from tsrnn.forecasting import NaiveForecaster, SeasonalNaiveForecaster

    y = pd.Series(np.sin(np.arange(24 * 20) * 2 * np.pi / 24) + 10,
                  index=pd.date_range("2024-01-01", periods=24 * 20, freq="h"))
    messages = _caught(lambda: compare({"naive": NaiveForecaster(horizon=24),
                                        "snaive": SeasonalNaiveForecaster(horizon=24)}, y,
                                       n_origins=3, coverage=0.9))
    assert messages == []


def test_a_statistical_fit_warns_once_for_every_failed_series(monkeypatch):
    pytest.importorskip("statsmodels")
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from tsrnn.forecasting import ARIMAForecaster

    def failing_fit(self, *args, **kwargs):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(SARIMAX, "fit", failing_fit)
    rng = np.random.default_rng(0)
    panel = pd.concat([pd.DataFrame({"unique_id": sid, "ds": np.arange(30),
                                     "y": 50 + rng.normal(size=30).cumsum()})
                       for sid in ("a", "b", "c")], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ARIMAForecaster(horizon=2, max_p=1, max_q=1, season_length=1).fit(panel)
    messages = [str(w.message) for w in caught if "statsmodels failed" in str(w.message)]
    assert len(messages) == 1 and all(f"series '{s}'" in messages[0] for s in "abc")
    assert len(model.fallback_) == 3

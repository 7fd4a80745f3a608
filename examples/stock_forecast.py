"""Forecast weekly financial series, and see how hard the naive forecast is to beat.

Prices and financial indicators are close to random walks: next week's best guess is
usually this week's value. This script backtests a global GRU (one network for all
series), Theta, the drift method and the naive forecast on the 20 weekly M4 finance series
shipped with tsrnn (the last fold is the official M4 test period), then repeats the
exercise on simulated random-walk prices, where the naive forecast is optimal by
construction: whatever "skill" a model shows there is luck.

Run from the repository root::

    python examples/stock_forecast.py          # about a minute on 2 CPU cores
    python examples/stock_forecast.py --fast   # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse

import pandas as pd

from tsrnn.datasets import load_m4_finance, make_random_walk_prices
from tsrnn.forecasting import DriftForecaster, GRUForecaster, NaiveForecaster, ThetaForecaster
from tsrnn.model_selection import compare

HORIZON = 13  # weeks: the M4 weekly horizon


def models(epochs: int) -> dict:
    """The contenders; every one follows the same forecaster contract."""
    return {
        "naive": NaiveForecaster(horizon=HORIZON),
        "drift": DriftForecaster(horizon=HORIZON),
        # finance has no yearly cycle: the weekly default season (52) would only add noise
        "theta": ThetaForecaster(horizon=HORIZON, season_length=1),
        "gru": GRUForecaster(horizon=HORIZON, window=52, hidden_size=32, max_epochs=epochs,
                             patience=3, lr=3e-3, random_state=0),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="3 short series, 2 epochs")
    args = parser.parse_args(argv)
    epochs, n_series, length = (2, 3, 200) if args.fast else (15, 20, 600)

    m4 = load_m4_finance()
    m4 = m4[m4["unique_id"].isin(m4["unique_id"].unique()[:n_series])]
    m4 = m4.groupby("unique_id").tail(length)
    print(f"M4 weekly finance: {n_series} series, forecasting {HORIZON} weeks from 3 origins")
    # refit=False: each model is fitted once, before the first origin, and then forecasts
    # every later origin from the data seen up to it (as it would in production).
    board = compare(models(epochs), m4, n_origins=3, refit=False)
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(board[["smape", "mase", "skill", "fit_time"]])
    print("skill = 1 - MASE / MASE of the naive forecast: > 0 beats naive, < 0 loses to it.\n")

    prices = make_random_walk_prices(n=length, n_series=n_series, random_state=0)
    print(f"Simulated random-walk prices ({n_series} series): no model can beat naive "
          "except by chance.")
    board = compare(models(epochs), prices, n_origins=3, refit=False)
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(board[["smape", "mase", "skill"]])


if __name__ == "__main__":
    main()

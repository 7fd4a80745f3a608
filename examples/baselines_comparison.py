"""Compare classical baselines, statistical models and an LSTM on one leaderboard.

Daily mean oil temperature of ETTh1 (two years, a weekly cycle at most), forecast 14 days
ahead from 4 rolling origins. ``compare`` backtests every forecaster on the same folds
(each fitted once, on the data before the first origin, then forecasting every origin
from the data up to it: ``refit=False``, as a deployed model would) and ranks them by
MASE (errors in units of the in-sample seasonal naive error, ``m = 7``); ``skill`` is the
improvement over the naive forecast. ``backtest`` then shows, for the
winner, how the error grows with the horizon. (M4's Naive2 benchmark is left out: its
multiplicative decomposition needs positive data, and the temperature dips below zero.)

Run from the repository root::

    python examples/baselines_comparison.py                 # about a minute on 2 CPU cores
    python examples/baselines_comparison.py --plot cmp.png  # also plot the last fold
    python examples/baselines_comparison.py --fast          # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse

import pandas as pd

from tsrnn.datasets import load_ett
from tsrnn.forecasting import (
    ARIMAForecaster,
    DriftForecaster,
    ETSForecaster,
    LSTMForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.model_selection import backtest, compare

HORIZON, SEASON = 14, 7  # days


def forecasters(fast: bool) -> dict:
    models = {
        "naive": NaiveForecaster(horizon=HORIZON),
        "seasonal naive": SeasonalNaiveForecaster(horizon=HORIZON, season_length=SEASON),
        "drift": DriftForecaster(horizon=HORIZON),
        "mean": MeanForecaster(horizon=HORIZON),
        "theta": ThetaForecaster(horizon=HORIZON, season_length=SEASON),
        "lstm": LSTMForecaster(horizon=HORIZON, window=56, hidden_size=32, lr=3e-3,
                               scaler="standard", max_epochs=2 if fast else 40, patience=5,
                               random_state=0),
    }
    if not fast:
        models["ets"] = ETSForecaster(horizon=HORIZON, season_length=SEASON)
        models["arima"] = ARIMAForecaster(horizon=HORIZON, season_length=SEASON)
    return models


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer models, 2 epochs")
    parser.add_argument("--plot", default=None, help="PNG of the last fold's forecasts")
    args = parser.parse_args(argv)

    daily = load_ett()["OT"].resample("D").mean().iloc[1:-1]  # whole days only
    if args.fast:
        daily = daily.iloc[-200:]
    print(f"daily mean oil temperature: {len(daily)} days, {HORIZON}-day forecasts from 4 "
          "origins")
    models = forecasters(args.fast)
    board = compare(models, daily, n_origins=4, refit=False, season_length=SEASON,
                    plot=args.plot)
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 100):
        print(board)

    best = board.index[0]
    result = backtest(models[best], daily, n_origins=4, refit=False, season_length=SEASON)
    by_step = result.forecasts.groupby("step")["abs_error"].mean()
    print(f"\n{best}: mean absolute error by days ahead")
    print(by_step.round(2).to_frame("mae").T.to_string())


if __name__ == "__main__":
    main()

"""Forecast half-hourly electricity load: two seasons, calendar covariates, a backtest.

Load has a daily cycle (48 half-hours) and a weekly one (336): weekends are lower. One
seasonal model cannot hold both, so the baseline is MSTL (``MSTLForecaster``: both
seasons from the frequency, ETS on the rest). The calendar (hour of day, day of week) is
known in advance, so it is a *future covariate* of the neural model; ``compare``
backtests every model from several origins, giving each origin the covariates of its
forecast period, and scores the prediction intervals too.

The load is generated (``tsrnn.datasets.make_seasonal_series`` plus a weekend drop and
noise): no real half-hourly data ships with tsrnn, and nothing is downloaded.

Run from the repository root::

    python examples/halfhourly_load.py          # a few minutes on 2 CPU cores
    python examples/halfhourly_load.py --fast   # under a minute (used by the tests)
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import torch

from tsrnn.datasets import make_seasonal_series
from tsrnn.forecasting import (
    LSTMForecaster,
    MSTLForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    calendar_features,
)
from tsrnn.model_selection import compare

HORIZON = 48  # one day ahead


def load_data(weeks: int):
    """Half-hourly load (MW) with a daily and a weekly cycle, and calendar columns."""
    y = make_seasonal_series(n=48 * 7 * weeks, freq="30min", seasonalities=(48, 336),
                             noise=0.15, level=30.0, random_state=7)
    weekend = y.index.day_of_week >= 5
    load = (y + 2.0 * np.sin(2 * np.pi * y.index.hour / 24) - 3.0 * weekend).rename("load")
    calendar = calendar_features(load.index, ["hour", "dayofweek"])
    return calendar.assign(load=load).rename_axis("time"), list(calendar.columns)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="less data, a tiny network")
    parser.add_argument("--plot", default="halfhourly_load.png", help="backtest figure")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    data, calendar = load_data(5 if args.fast else 10)
    print(f"{len(data)} half-hours, future covariates: {calendar}")
    net = dict(window=96, hidden_size=16 if args.fast else 32,
               max_epochs=3 if args.fast else 30, patience=None if args.fast else 4,
               lr=3e-3, random_state=0, verbose=False)
    forecasters = {
        "seasonal naive": SeasonalNaiveForecaster(horizon=HORIZON, target="load"),
        "mstl": MSTLForecaster(horizon=HORIZON, target="load"),
        "naive": NaiveForecaster(horizon=HORIZON, target="load"),
        "lstm + calendar": LSTMForecaster(horizon=HORIZON, target="load",
                                          future_covariates=calendar, **net),
    }
    mstl = forecasters["mstl"].fit(data[["load"]])
    print(f"MSTL seasons from the frequency: {mstl.seasons_}")
    with warnings.catch_warnings():  # the baselines say they ignore the calendar columns
        warnings.simplefilter("ignore", UserWarning)
        board = compare(forecasters, data, n_origins=2 if args.fast else 7, coverage=0.9,
                        plot=args.plot)
    print("\nBacktest, one day ahead from each origin (covariates given at every origin):")
    print(board[["mae", "mase", "skill", "coverage", "msis", "fit_time"]].round(3).to_string())
    print(f"best: {board.index[0]}; figure: {Path(args.plot).resolve()}")


if __name__ == "__main__":
    main()

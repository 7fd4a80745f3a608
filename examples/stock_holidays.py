"""Forecast daily stock prices on an exchange calendar: weekends and holidays are not gaps.

Daily closes exist on trading days only. Read as calendar days (``freq="D"``) every
weekend is a gap; read as business days (``freq="B"``) every exchange holiday is one.
tsrnn's error says which fix applies, and the fix is the exchange calendar itself:
``pd.offsets.CustomBusinessDay(holidays=...)``, accepted as ``freq=`` by every forecaster,
backtest and the season resolver (a trading week: seasonal naive uses 5 days).

The prices are simulated (geometric Brownian motion, ``tsrnn.datasets``) and the
holidays are pandas' US federal calendar (built in, nothing is downloaded), standing in
for an exchange's. A market index is a past covariate, and "first day after a holiday"
a known future one, given to ARIMA as a regressor; the backtest hands both to every
origin. On a random walk the naive forecast is hard to beat: this is about getting the
calendar right, not about beating it.

Run from the repository root::

    python examples/stock_holidays.py          # about half a minute
    python examples/stock_holidays.py --fast   # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar

from tsrnn.datasets import make_random_walk_prices
from tsrnn.forecasting import (
    ARIMAForecaster,
    DriftForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    TransformedTargetForecaster,
)
from tsrnn.model_selection import compare

HORIZON = 5  # one trading week


def trading_data(n: int) -> tuple[pd.DataFrame, pd.offsets.CustomBusinessDay]:
    """Closes of a stock and of its market on the trading days of ``n`` business days."""
    both = make_random_walk_prices(n=n, n_series=2, start="2021-01-04", random_state=3)
    days = pd.bdate_range("2021-01-04", periods=n)
    holidays = USFederalHolidayCalendar().holidays(days[0], days[-1] + pd.Timedelta("30D"))
    close = both["y"].to_numpy().reshape(2, n)
    frame = pd.DataFrame({"close": close[0], "market": close[1]}, index=days)
    frame = frame.drop(frame.index.intersection(holidays))  # closed on holidays
    after = frame.index.to_series().diff() > pd.Timedelta("1D")
    frame["after_break"] = (after & (frame.index.day_of_week > 0)).astype(float)
    return frame.rename_axis("date"), pd.offsets.CustomBusinessDay(holidays=holidays)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="less data, fewer origins")
    args = parser.parse_args(argv)
    data, calendar = trading_data(260 if args.fast else 750)
    print(f"{len(data)} trading days from {data.index[0].date()} to {data.index[-1].date()}, "
          f"{len(calendar.holidays)} holidays in the calendar")

    for freq in ("D", "B"):  # the two wrong calendars, and what tsrnn says about them
        try:
            NaiveForecaster(freq=freq).fit(data["close"])
        except ValueError as exc:
            problem, fix = str(exc).split("); ", 1)
            print(f"freq={freq!r}: {problem.split(' (')[0]} ({problem.split(' (', 1)[1]})\n"
                  f"    fix: {fix.split(', or fill')[0]}")

    layout = {"freq": calendar, "target": "close"}
    model = SeasonalNaiveForecaster(horizon=HORIZON, **layout).fit(data[["close"]])
    print(f"season_length='auto' on the trading calendar -> {model.season_length_} days")
    print("next trading days:", [d.date().isoformat() for d in model.predict().index])

    forecasters = {
        "naive": NaiveForecaster(horizon=HORIZON, **layout),
        "seasonal naive": SeasonalNaiveForecaster(horizon=HORIZON, **layout),
        "drift (log)": TransformedTargetForecaster(DriftForecaster(), "log",
                                                   horizon=HORIZON, **layout),
        "arima + calendar": ARIMAForecaster(horizon=HORIZON, future_covariates=["after_break"],
                                            max_p=1, max_q=1, **layout),
    }
    with warnings.catch_warnings():  # baselines say they ignore the covariates: we know
        warnings.simplefilter("ignore", UserWarning)
        board = compare(forecasters, data, n_origins=3 if args.fast else 8, coverage=0.9)
    print("\nBacktest on the trading calendar, covariates given at every origin "
          "(skill: 1 - MASE / MASE of naive):")
    print(board[["mase", "skill", "coverage", "msis"]].round(3).to_string())
    print(f"\nbest: {board.index[0]}; a random walk leaves little to learn: "
          f"skill within {np.abs(board['skill']).max():.2f} of zero")


if __name__ == "__main__":
    main()

"""Forecast a transformer's oil temperature a day ahead, with covariates.

ETTh1 holds hourly readings of one electricity transformer: the oil temperature ``OT``
(the target) and six load measurements. The loads are *past covariates*: the model reads
their history, but nobody knows their future. The hour of the day is a *future
covariate*: it is known for any future timestamp, so we build it from the time index (as
sine and cosine, so that 23:00 sits next to 00:00) and declare it in
``future_covariates``. The model then needs those columns for the forecast period at
``predict``.

The last week is held out; ``score`` forecasts it from 7 daily origins (each from the
data before the origin only) and returns the negative MASE. The same score of the seasonal
naive forecast and of a model without covariates puts the number in context.

Run from the repository root::

    python examples/sensor_forecast.py          # about a minute on 2 CPU cores
    python examples/sensor_forecast.py --fast   # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from tsrnn.datasets import load_ett
from tsrnn.forecasting import LSTMForecaster, SeasonalNaiveForecaster

HORIZON = 24  # hours
CALENDAR = ["hour_sin", "hour_cos"]


def add_calendar(frame: pd.DataFrame) -> pd.DataFrame:
    """Hour of the day as a point on a circle, built from the DatetimeIndex."""
    angle = 2 * np.pi * frame.index.hour / 24
    return frame.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="shorter data, 2 epochs")
    args = parser.parse_args(argv)
    n_hours, epochs = (24 * 30, 2) if args.fast else (24 * 120, 20)

    data = add_calendar(load_ett().iloc[-n_hours:])  # OT, 6 loads, 2 calendar columns
    train, test = data.iloc[:-7 * HORIZON], data.iloc[-7 * HORIZON:]
    params = dict(horizon=HORIZON, window=96, hidden_size=32, lr=3e-3, max_epochs=epochs,
                  patience=4, scaler="standard", random_state=0)

    with_covariates = LSTMForecaster(target="OT", future_covariates=CALENDAR, **params)
    with_covariates.fit(train)  # every column but OT is a covariate
    print(f"past covariates: {[c for c in with_covariates.covariates_ if c not in CALENDAR]}")
    print(f"future covariates: {with_covariates.future_covariates_}")

    scores = {
        "LSTM, loads + calendar": with_covariates.score(test),
        "LSTM, OT only": LSTMForecaster(**params).fit(train["OT"]).score(test["OT"]),
        "seasonal naive (24 h)": SeasonalNaiveForecaster(horizon=HORIZON, season_length=24)
        .fit(train["OT"]).score(test["OT"]),
    }
    print("\nlast week, 7 daily origins: MASE (lower is better)")
    for name, score in sorted(scores.items(), key=lambda item: -item[1]):
        print(f"  {name:<24} {-score:.3f}")

    # Forecast the day after the training data: the calendar of those 24 hours is known,
    # the loads are not (and are not needed).
    future = test[CALENDAR].iloc[:HORIZON]
    forecast = with_covariates.predict(X=future)
    interval = with_covariates.predict_interval(X=future, coverage=0.8)
    table = pd.concat([forecast, interval, test["OT"].iloc[:HORIZON].rename("actual")], axis=1)
    print("\nthe next 24 hours (80% conformal interval):")
    print(table.iloc[::4].round(2).to_string())


if __name__ == "__main__":
    main()

"""The option groups of the command line's subcommands: the data options (CSV layout,
frequency, missing-data policy, season) and the neural options. Used by
:func:`tsrnn.cli.build_parser`.
"""

from __future__ import annotations

import argparse

from ._cli_types import (
    _calendar,
    _device,
    _frequency,
    _int_at_least,
    _validation_fraction,
)

FILLS = ("none", "ffill", "interpolate", "zero")  # --fill (tsrnn.preprocessing.regularize)


# ---------------------------------------------------------------------------- parser
def _data_args(p: argparse.ArgumentParser, season: bool = True) -> None:
    p.add_argument("data", metavar="DATA.csv", help="CSV file, one row per time step")
    p.add_argument("--target", required=True, help="column to forecast")
    p.add_argument("--time-col", default=None,
                   help="time column (default: 'ds' if present, else the first column); "
                        "dates, or integers (such as years), kept as they came")
    p.add_argument("--id-col", default=None,
                   help="series id column: the CSV holds many series in long format")
    p.add_argument("--horizon", type=_int_at_least(1, "horizon"), required=True,
                   help="steps to forecast")
    p.add_argument("--freq", type=_frequency, default=None,
                   help="frequency of the time column (pandas alias: 30min, h, D, B, "
                        "W-SUN, MS...; default: inferred)")
    p.add_argument("--calendar", type=_calendar, default=None, metavar="EXCHANGE",
                   help="trading-day data: the exchange whose trading days the time column "
                        "follows (XNYS New York, XLON London, XTKS Tokyo...; weekends and "
                        "the exchange's holidays are no gaps); needs pip install "
                        "tsrnn[calendars]")
    p.add_argument("--fill", choices=FILLS, default="none",
                   help="missing timestamps and values: none (an error names the first), "
                        "ffill, interpolate or zero (default none)")
    p.add_argument("--covariates", default=None,
                   help="comma-separated covariate columns, known only up to now (used by "
                        "the neural models)")
    p.add_argument("--future-covariates", default=None,
                   help="comma-separated covariate columns known in advance (calendar, "
                        "prices): rows after the last target value give their future values "
                        "(used by the neural models and arima)")
    if season:
        p.add_argument("--season-length", type=_int_at_least(1, "season length"),
                       default=None,
                       help="season m of snaive, naive2, arima, ets, theta and MASE; mstl's "
                            "only season (default: from the frequency: 48 half-hourly, 24 "
                            "hourly, 7 daily, 5 business daily, 52 weekly, 12 monthly, 4 "
                            "quarterly, else 1; mstl also takes the weekly season of "
                            "sub-daily data)")


def _neural_args(p: argparse.ArgumentParser, epochs: int | None = None) -> None:
    p.add_argument("--epochs", type=_int_at_least(1, "epochs"), default=epochs,
                   help="max_epochs of neural models (default: " +
                        (f"{epochs})" if epochs else "the model's 'auto', about 1,000 "
                                                     "optimizer steps)"))
    p.add_argument("--window", type=_int_at_least(1, "window"), default=None,
                   help="past steps a neural model reads (default: from the season and "
                        "horizon, e.g. 168 for hourly data)")
    p.add_argument("--hidden-size", type=_int_at_least(1, "hidden size"), default=None,
                   help="units per recurrent layer (default: the model's, 64)")
    p.add_argument("--num-layers", type=_int_at_least(1, "num layers"), default=None,
                   help="stacked recurrent layers (default: the model's, 1)")
    p.add_argument("--patience", type=_int_at_least(1, "patience"), default=None,
                   help="early stopping: epochs without improvement of the validation "
                        "loss (default: no early stopping); holds out the last horizon "
                        "of every series unless --validation-fraction says otherwise")
    p.add_argument("--validation-fraction", type=_validation_fraction, default=None,
                   help="last part of every series held out to watch the validation loss "
                        "and calibrate the intervals: auto (the last horizon) or a "
                        "fraction in [0, 1) (default: the model's, 0)")
    p.add_argument("--device", type=_device, default="auto",
                   help="auto (CUDA if present), cpu, cuda, cuda:N or mps")
    p.add_argument("--seed", type=int, default=0, help="random_state (default 0)")

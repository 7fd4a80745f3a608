"""Zero-configuration baselines, before/after: season 1 (the old defaults) against
``season_length="auto"`` (the season from the frequency), on real data.

Usage::

    python benchmarks/bench_baselines.py [--datasets hourly,weekly,ett,finance]
        [--series 40] [--models snaive,naive2,ets,theta,mstl]
        [--out benchmarks/results/baselines_before_after.json]

Datasets (``../shared/data``, skipped with a message when absent; nothing is downloaded):

- ``hourly``: M4 Hourly, dev half, h = 48, official test split; a subsample of
  ``--series`` series (every k-th), scored with M4's sMAPE, MASE (m = 24) and OWA against
  the official Naive2 forecasts of the same series.
- ``weekly``: M4 Weekly, h = 13, official split, subsample likewise, history capped to the
  last 520 weeks (10 years: seasonal ETS with 52 states on 2,600 weeks is slow); M4's
  MASE (m = 1) and OWA against the official Naive2.
- ``ett``: ETTh1 oil temperature (OT), hourly, h = 24, 6 rolling origins one week apart
  over the last 6 weeks, each fit on the 12 weeks before it; MASE with m = 24.
- ``finance``: the 20 M4 weekly finance series shipped in ``tsrnn.datasets`` (their last
  260 weeks), h = 13, 2 rolling origins; MASE with m = 1 (the M4 convention for weekly
  data).

M4 series carry no dates: they are put on a synthetic calendar of their frequency (hourly,
weekly), which is all ``season_length="auto"`` reads. "before" is every model with
``season_length=1`` (seasonal naive is then naive, MSTL is ETS); "after" the default.
Prints one line per (dataset, model, setting) and writes JSON. Single-threaded BLAS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4, load_m4_submission  # noqa: E402

from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.forecasting import (  # noqa: E402
    ETSForecaster,
    MSTLForecaster,
    Naive2Forecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.metrics import mase, owa, smape  # noqa: E402
from tsrnn.model_selection import ExpandingWindowSplit, backtest  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CLASSES = {"snaive": SeasonalNaiveForecaster, "naive2": Naive2Forecaster,
           "ets": ETSForecaster, "theta": ThetaForecaster, "mstl": MSTLForecaster}


def _model(name, horizon, setting):
    season = 1 if setting == "before" else "auto"
    return CLASSES[name](horizon=horizon, season_length=season)


def _long(ids, series, freq):
    """M4 rows as a long frame on a synthetic calendar ending at the same date."""
    parts = []
    for sid, x in zip(ids, series):
        idx = pd.date_range(end="2020-12-27", periods=len(x), freq=freq)
        parts.append(pd.DataFrame({"unique_id": sid, "ds": idx, "y": x}))
    return pd.concat(parts, ignore_index=True)


def _m4(name, n_series, models, cap):
    frequency, freq, m = {"hourly": ("Hourly-dev", "h", 24),
                          "weekly": ("Weekly", "W-SUN", 1)}[name]
    ids, train, test, h = load_m4(SHARED / "m4", frequency)
    keep = np.linspace(0, len(ids) - 1, min(n_series, len(ids))).round().astype(int)
    ids, train, test = [ids[k] for k in keep], [train[k] for k in keep], test[keep]
    train = [x[-cap:] for x in train] if cap else train
    naive2 = load_m4_submission(SHARED / "m4" / f"submission-Naive2-{frequency}.csv",
                                load_m4(SHARED / "m4", frequency)[0])[keep]
    ref = smape(test, naive2), mase(test, naive2, train, m=m)
    data = _long(ids, train, freq)
    rows = []
    for model_name in models:
        for setting in ("before", "after"):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = _model(model_name, h, setting).fit(data)
                pred = model.predict()
            values = pred.set_index("unique_id").loc[ids, "y"].to_numpy().reshape(len(ids), h)
            s, q = smape(test, values), mase(test, values, train, m=m)
            rows.append(dict(dataset=name, model=model_name, setting=setting,
                             season=getattr(model, "seasons_", model.season_length_),
                             smape=s, mase=q, owa=owa(s, q, *ref), n_series=len(ids),
                             seconds=time.perf_counter() - start))
            _show(rows[-1])
    return rows


def _backtested(name, data, h, m, origins, models, step, train_size):
    rows = []
    for model_name in models:
        for setting in ("before", "after"):
            cv = ExpandingWindowSplit(n_splits=origins, test_size=h) if step is None else \
                _Weekly(origins, h, step, train_size)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                summary = backtest(_model(model_name, h, setting), data, cv=cv,
                                   season_length=m).summary
            season = _model(model_name, h, setting)
            rows.append(dict(dataset=name, model=model_name, setting=setting,
                             season=str(season.season_length), smape=summary["smape"].mean(),
                             mase=summary["mase"].mean(), owa=None,
                             n_series=int(summary["n_series"].iloc[0]),
                             seconds=time.perf_counter() - start))
            _show(rows[-1])
    return rows


class _Weekly:
    """Origins ``step`` rows apart at the end of one series, each trained on the
    ``train_size`` rows before it (a sliding window)."""

    def __init__(self, origins, h, step, train_size):
        self.origins, self.h, self.step, self.train_size = origins, h, step, train_size

    def split(self, X, y=None, groups=None):
        n = len(X)
        for k in range(self.origins, 0, -1):
            origin = n - self.h - (k - 1) * self.step
            yield np.arange(origin - self.train_size, origin), np.arange(origin,
                                                                        origin + self.h)


def _show(row):
    owa_text = "" if row["owa"] is None else f"  OWA {row['owa']:.3f}"
    print(f"{row['dataset']:8s} {row['model']:7s} {row['setting']:6s} season "
          f"{str(row['season']):10s} sMAPE {row['smape']:7.3f}  MASE {row['mase']:6.3f}"
          f"{owa_text}  ({row['n_series']} series, {row['seconds']:.1f}s)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="hourly,weekly,ett,finance")
    parser.add_argument("--series", type=int, default=30, help="M4 series per dataset")
    parser.add_argument("--models", default=",".join(CLASSES))
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" /
                                             "baselines_before_after.json"))
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    rows = []
    for name in args.datasets.split(","):
        if name in ("hourly", "weekly"):
            if not (SHARED / "m4").is_dir():
                print(f"skipping {name}: no M4 data at {SHARED / 'm4'}")
                continue
            rows += _m4(name, args.series, models, None if name == "hourly" else 520)
        elif name == "ett":
            path = SHARED / "ett" / "ETTh1.csv"
            if not path.is_file():
                print(f"skipping ett: no {path}")
                continue
            ett = pd.read_csv(path, parse_dates=["date"], index_col="date")["OT"]
            ett = ett.asfreq("h")
            rows += _backtested("ett", ett, 24, 24, 6, models, 168, 24 * 7 * 12)
        elif name == "finance":
            from tsrnn.datasets import load_m4_finance

            finance = load_m4_finance().groupby("unique_id").tail(260)  # the last 5 years
            rows += _backtested("finance", finance, 13, 1, 2, models, None, None)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps({"args": vars(args), "results": rows}, indent=1,
                                         default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Coverage of the default 90% intervals on real series, by rolling-origin backtest.

Usage::

    python benchmarks/bench_coverage.py [--sets ett_ot,ett_panel,finance,m3_monthly]
        [--models gru,naive] [--out benchmarks/results/coverage.json]

Every model gets only ``horizon`` (and ``random_state=0``); ``predict_interval(coverage=0.9)``
is scored on held-out points (``backtest(..., coverage=0.9)``: empirical coverage, mean
width, MSIS), with MASE of the point forecasts:

- ``ett_ot``: the oil temperature of ETTh1 (an hourly transformer sensor), h = 24, the
  last 7 days as 7 daily origins, fitted once before the first (``refit=False``);
- ``ett_panel``: the seven ETTh1 columns as a panel, as ``ett_ot``;
- ``finance``: 20 weekly financial series of M4 (``load_m4_finance``), h = 13, 4 origins;
- ``m3_monthly``: the M3 dev half's monthly series (``../shared/data/m3``), h = 18, the
  official test period (one origin);
- ``closes_sim``: simulated daily closes (no real daily stock data ships here): 5
  geometric random walks of 1,500 business days (``make_random_walk_prices``), h = 20
  trading days, 10 origins; naive is optimal by construction, so this checks that the
  networks stay close to it (MASE and coverage beside naive's).

Prints one line per set and model and writes JSON. One torch thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import torch

from tsrnn._io import atomic_write_text
from tsrnn.datasets import load_ett, load_m4_finance, make_random_walk_prices
from tsrnn.forecasting import GRUForecaster, LSTMForecaster, NaiveForecaster
from tsrnn.model_selection import ExpandingWindowSplit, backtest

sys.path.insert(0, str(Path(__file__).resolve().parent))
MODELS = {"gru": GRUForecaster, "lstm": LSTMForecaster, "naive": NaiveForecaster}


def _ett_panel() -> pd.DataFrame:
    ett = load_ett()
    return ett.reset_index(names="ds").melt(id_vars="ds", var_name="unique_id", value_name="y")


def _m3_monthly() -> pd.DataFrame | None:
    from bench_m3 import DATA, load

    if not DATA.is_file():
        return None
    frame, test, _, h = load("monthly")
    future = frame.groupby("unique_id").tail(1)[["unique_id", "ds"]].copy()
    rows = []
    for (sid, last), values in zip(future.itertuples(index=False, name=None), test):
        ds = pd.date_range(last, periods=h + 1, freq="MS")[1:]
        rows.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": values}))
    return pd.concat([frame, *rows], ignore_index=True)


def _closes() -> pd.DataFrame:
    return make_random_walk_prices(n=1500, n_series=5, random_state=0)  # long format


SETS = {  # name: (data loader, horizon, origins)
    "ett_ot": (lambda: load_ett()["OT"], 24, 7),
    "ett_panel": (_ett_panel, 24, 7),
    "finance": (load_m4_finance, 13, 4),
    "m3_monthly": (_m3_monthly, 18, 1),
    "closes_sim": (_closes, 20, 10),
}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--models", default="gru,lstm,naive")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    out = {}
    for name in args.sets.split(","):
        load, h, origins = SETS[name]
        data = load()
        if data is None:
            print(f"{name}: skipped (data not found)")
            continue
        cv = ExpandingWindowSplit(n_splits=origins, test_size=h, align="end")
        for model in args.models.split(","):
            params = {"random_state": 0} if model in ("gru", "lstm") else {}
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = backtest(MODELS[model](horizon=h, **params), data, cv=cv,
                                  refit=False, coverage=0.9)
            summary = result.summary
            f = result.forecasts
            covered = ((f["y"] >= f["y_lower"]) & (f["y"] <= f["y_upper"])).mean()
            row = {"coverage90": round(float(covered), 4),
                   "mase": round(float(summary["mase"].mean()), 4),
                   "msis": round(float(summary["msis"].mean()), 4),
                   "points": len(f), "seconds": round(time.perf_counter() - start, 1)}
            out.setdefault(name, {})[model] = row
            print(f"{name:11s} {model:6s} coverage {row['coverage90']:.3f}  MASE "
                  f"{row['mase']:.3f}  MSIS {row['msis']:.3f}  ({row['points']} points, "
                  f"{row['seconds']} s)", flush=True)
        if args.out:  # after every set, keeping the sets of earlier runs
            path = Path(args.out)
            done = json.loads(path.read_text()) if path.is_file() else {}
            for key, rows in out.items():  # per set and model
                done.setdefault(key, {}).update(rows)
            atomic_write_text(path, json.dumps(done, indent=1, sort_keys=True))
    return out


if __name__ == "__main__":
    main()

"""M4 Weekly accuracy: tsrnn forecasters against the official benchmarks.

Usage: ``python benchmarks/bench_m4.py [--models lstm,gru,rnn] [--epochs N] [--seeds K]
[--quick] [--out benchmarks/results/m4_weekly.json]``. Reads ``../shared/data/m4``;
prints sMAPE, MASE and OWA per model next to the official figures and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4  # noqa: E402

from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.forecasting import (  # noqa: E402
    ARIMAForecaster,
    DriftForecaster,
    ETSForecaster,
    GRUForecaster,
    LSTMForecaster,
    Naive2Forecaster,
    NaiveForecaster,
    RNNForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.metrics import mase, naive2_forecast, owa, smape  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"
OFFICIAL = {"Naive2": (9.161, 2.777, 1.000), "SES": (9.012, 2.685, 0.975),
            "Theta": (9.093, 2.637, 0.971), "Damped": (8.866, 2.404, 0.917),
            "official RNN": (15.220, 5.132, 1.755), "ES-RNN (winner)": (7.817, 2.356, 0.851),
            "best Weekly (Forecast Pro)": (6.582, 2.107, 0.739)}
MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}
BASELINES = {"naive": lambda h: NaiveForecaster(horizon=h),
             "snaive": lambda h: SeasonalNaiveForecaster(horizon=h, season_length=52),
             "drift": lambda h: DriftForecaster(horizon=h),
             "naive2": lambda h: Naive2Forecaster(horizon=h, season_length=1),
             "theta": lambda h: ThetaForecaster(horizon=h, n_jobs=2),
             "ets": lambda h: ETSForecaster(horizon=h, n_jobs=2),
             "arima": lambda h: ARIMAForecaster(horizon=h, n_jobs=2)}


def run_baseline(name, frame, horizon):
    model = BASELINES[name](horizon)
    start = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    pred = model.predict()["y"].to_numpy().reshape(-1, horizon)
    return pred, fit_s, time.perf_counter() - start


def to_long(ids, train) -> pd.DataFrame:
    """M4 series as a long frame on an integer time index (M4 Weekly has no dates)."""
    return pd.DataFrame({"unique_id": np.repeat(ids, [len(t) for t in train]),
                         "ds": np.concatenate([np.arange(len(t)) for t in train]),
                         "y": np.concatenate(train)})


def score(pred, test, train, naive2):
    s, m = smape(test, pred), mase(test, pred, train, m=1)
    return s, m, owa(s, m, smape(test, naive2), mase(test, naive2, train, m=1))


def run_model(name, frame, horizon, args, seed):
    params = dict(horizon=horizon, window=args.window, hidden_size=args.hidden,
                  max_epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                  loss=args.loss, random_state=seed, validation_fraction=0.0,
                  max_windows_per_series=args.max_windows)
    model = MODELS[name](**params)
    start = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    pred = model.predict()
    pred_s = time.perf_counter() - start
    return pred["y"].to_numpy().reshape(-1, horizon), fit_s, pred_s


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--baselines", default="naive,snaive,drift,naive2,theta,ets",
                        help="add 'arima' for auto-ARIMA (about 20 minutes on 2 cores)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--window", type=int, default=52)
    parser.add_argument("--max-windows", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--loss", default="mae")
    parser.add_argument("--quick", action="store_true", help="40 series, 2 epochs")
    parser.add_argument("--out", default="benchmarks/results/m4_weekly.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # faster than 2 threads for these sizes on a 2-core machine
    if not DATA.is_dir():
        print(f"skipped: M4 data not found at {DATA}")
        return {}
    ids, train, test, horizon = load_m4(DATA)
    if args.quick:
        ids, train, test, args.epochs = ids[:40], train[:40], test[:40], 2
    naive2 = naive2_forecast(train, horizon, 1)
    frame = to_long(ids, train)
    results = {"Naive2 (ours)": dict(zip(("smape", "mase", "owa"),
                                         score(naive2, test, train, naive2)))}
    for name in filter(None, args.baselines.split(",")):
        pred, fit_s, pred_s = run_baseline(name, frame, horizon)
        s, m, o = score(pred, test, train, naive2)
        results[type(BASELINES[name](horizon)).__name__] = {
            "smape": s, "mase": m, "owa": o, "fit_s": fit_s, "predict_ms": pred_s * 1e3}
        print(f"{name}: sMAPE {s:.3f} MASE {m:.3f} OWA {o:.3f} (fit {fit_s:.1f}s)", flush=True)
    for name in filter(None, args.models.split(",")):
        preds, fits, predicts = [], [], []
        for seed in range(args.seeds):
            pred, fit_s, pred_s = run_model(name, frame, horizon, args, seed)
            preds.append(pred), fits.append(fit_s), predicts.append(pred_s)
            s, m, o = score(pred, test, train, naive2)
            print(f"{name} seed {seed}: sMAPE {s:.3f} MASE {m:.3f} OWA {o:.3f} "
                  f"(fit {fit_s:.1f}s, predict {pred_s * 1e3:.1f} ms)", flush=True)
        label = f"{name.upper()}Forecaster" + (f" x{args.seeds} seeds" if args.seeds > 1 else "")
        s, m, o = score(np.median(preds, axis=0), test, train, naive2)
        results[label] = {"smape": s, "mase": m, "owa": o, "fit_s": float(np.sum(fits)),
                          "predict_ms": float(np.median(predicts) * 1e3)}
    print(f"\n{'method':34s} {'sMAPE':>7s} {'MASE':>7s} {'OWA':>7s} {'fit s':>7s}")
    for label, (s, m, o) in OFFICIAL.items():
        print(f"{label + ' (official)':34s} {s:7.3f} {m:7.3f} {o:7.3f}")
    for label, r in results.items():
        print(f"{label:34s} {r['smape']:7.3f} {r['mase']:7.3f} {r['owa']:7.3f} "
              f"{r.get('fit_s', 0):7.1f}")
    out = {"args": vars(args), "results": results, "torch": torch.__version__,
           "threads": torch.get_num_threads()}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()

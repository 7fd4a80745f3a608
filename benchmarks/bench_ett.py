"""ETTh1 (univariate OT) with the usual protocol: tsrnn forecasters against naive baselines.

Protocol: first 12 months train, next 4 validation, next 4 test; z-score with the training
statistics; MSE and MAE on the scaled test data, from every test origin (stride 1), for
each horizon. Usage: ``python benchmarks/bench_ett.py [--horizons 24,48,168]
[--epochs N] [--quick] [--out benchmarks/results/ett_univariate.json]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tsrnn.forecasting import GRUForecaster, LSTMForecaster

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ett" / "ETTh1.csv"
MONTH = 30 * 24
MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster}


def load() -> tuple[pd.Series, int, int]:
    """Scaled OT series and the start of the validation and test parts."""
    ot = pd.read_csv(DATA, index_col="date", parse_dates=True)["OT"].asfreq("h")
    train_end, valid_end = 12 * MONTH, 16 * MONTH
    ot = ot.iloc[: 20 * MONTH]
    mean, std = ot.iloc[:train_end].mean(), ot.iloc[:train_end].std()
    return (ot - mean) / std, train_end, valid_end


def origins_panel(series: pd.Series, start: int, window: int, horizon: int):
    """One history per test origin (its last ``window`` points), as a long frame."""
    origins = np.arange(start, len(series) - horizon + 1)
    rows = origins[:, None] + np.arange(-window, 0)
    frame = pd.DataFrame({"unique_id": np.repeat(origins, window),
                          "ds": series.index[rows.ravel()],
                          series.name: series.to_numpy()[rows.ravel()]})
    actual = series.to_numpy()[origins[:, None] + np.arange(horizon)]
    return frame, actual


def evaluate(name, series, valid_end, horizon, args):
    if args.zero_config:  # only the horizon: season, window and training budget by default
        model = MODELS[name](horizon=horizon, random_state=0)
    else:
        model = MODELS[name](horizon=horizon, window=args.window, hidden_size=args.hidden,
                             max_epochs=args.epochs, batch_size=256, lr=1e-3, loss="mse",
                             validation_fraction=0.2, patience=3,
                             max_windows_per_series=args.max_windows, random_state=0)
    start = time.perf_counter()
    model.fit(series.iloc[:valid_end])  # train + validation (the last 20%, for early stopping)
    fit_s = time.perf_counter() - start
    window = model.window_
    frame, actual = origins_panel(series, valid_end, window, horizon)
    start = time.perf_counter()
    pred = model.predict(frame)[series.name].to_numpy().reshape(actual.shape)
    pred_s = time.perf_counter() - start
    return {"mse": float(np.mean((pred - actual) ** 2)), "mae": float(np.mean(np.abs(pred - actual))),
            "fit_s": fit_s, "predict_s": pred_s, "n_origins": len(actual),
            "epochs": len(model.history_)}


def naive(series, valid_end, horizon, season=None):
    origins = np.arange(valid_end, len(series) - horizon + 1)
    values = series.to_numpy()
    actual = values[origins[:, None] + np.arange(horizon)]
    if season is None:
        pred = np.repeat(values[origins - 1][:, None], horizon, axis=1)
    else:
        steps = np.arange(horizon)
        pred = values[origins[:, None] - season + steps % season]
    return {"mse": float(np.mean((pred - actual) ** 2)), "mae": float(np.mean(np.abs(pred - actual)))}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizons", default="24,48,168,336,720")
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--window", type=int, default=96)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--max-windows", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--zero-config", action="store_true",
                        help="neural models get only the horizon (all other defaults)")
    parser.add_argument("--out", default="benchmarks/results/ett_univariate.json")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: ETTh1 not found at {DATA}")
        return {}
    torch.set_num_threads(1)
    if args.quick:
        args.horizons, args.epochs, args.max_windows, args.window = "24", 1, 500, 96
    series, _, valid_end = load()
    results = {}
    for horizon in map(int, args.horizons.split(",")):
        results[f"naive h={horizon}"] = naive(series, valid_end, horizon)
        results[f"seasonal naive (24) h={horizon}"] = naive(series, valid_end, horizon, 24)
        for name in args.models.split(","):
            results[f"{name} h={horizon}"] = evaluate(name, series, valid_end, horizon, args)
            print(f"{name} h={horizon}: {results[f'{name} h={horizon}']}", flush=True)
    print(f"\n{'model':32s} {'MSE':>7s} {'MAE':>7s}")
    for label, r in results.items():
        print(f"{label:32s} {r['mse']:7.4f} {r['mae']:7.4f}")
    out = {"args": vars(args), "results": results, "torch": torch.__version__}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()

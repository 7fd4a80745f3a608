"""Zero-configuration accuracy on the M3 dev half, per category, beside the classical methods.

Usage::

    python benchmarks/bench_m3.py [--categories yearly,quarterly,monthly,other]
        [--models gru,lstm,theta,ets,naive2,snaive] [--seeds 1] [--set key=value ...]
        [--out benchmarks/results/m3.json]

Every model gets only ``horizon`` (the category's h) and the series on a date index of the
category's frequency (yearly ``YS``, quarterly ``QS``, monthly ``MS``; "other" has period 1
and gets a plain integer index, as a user would give it). All series of a category are one
panel: the neural models fit one global model, the classical ones one model per series.
Scores follow the M4 definitions (sMAPE; MASE with m = 12 monthly, 4 quarterly, 1 otherwise;
OWA against Naive2 of the same series, computed here), with the fit + predict seconds.
Prints one line per category and model and writes JSON (results of earlier runs in the
output file are kept and updated). One torch thread. Reads ``../shared/data/m3/M3-dev.csv``
and skips cleanly without it.
"""

from __future__ import annotations

import argparse
import ast
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tsrnn._io import atomic_write_text
from tsrnn.forecasting import (
    ETSForecaster,
    GRUForecaster,
    LSTMForecaster,
    Naive2Forecaster,
    RNNForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.metrics import mase, smape

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "m3" / "M3-dev.csv"
FREQ = {"yearly": ("YS", 1), "quarterly": ("QS", 4), "monthly": ("MS", 12), "other": (None, 1)}
MODELS = {"gru": GRUForecaster, "lstm": LSTMForecaster, "rnn": RNNForecaster,
          "theta": ThetaForecaster, "ets": ETSForecaster, "naive2": Naive2Forecaster,
          "snaive": SeasonalNaiveForecaster}
NEURAL = ("gru", "lstm", "rnn")


def load(category: str):
    """``(long training frame, test array (n, h), training arrays, h)`` of one category."""
    data = pd.read_csv(DATA)
    data = data[data.category == category].sort_values(["unique_id", "t"])
    h = int(data.h.iloc[0])
    freq, _ = FREQ[category]
    train = data[data.split == "train"]
    frames, histories = [], []
    for sid, g in train.groupby("unique_id", sort=True):
        n = len(g)
        ds = pd.date_range("1990-01-01", periods=n, freq=freq) if freq else np.arange(n)
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": g.y.to_numpy(float)}))
        histories.append(g.y.to_numpy(float))
    test = np.stack([g.y.to_numpy(float) for _, g in
                     data[data.split == "test"].groupby("unique_id", sort=True)])
    return pd.concat(frames, ignore_index=True), test, histories, h


def score(pred: np.ndarray, test: np.ndarray, histories, m: int) -> tuple[float, float]:
    """Mean sMAPE and mean MASE over the series (M4 definitions)."""
    s = np.mean([smape(t, p) for t, p in zip(test, pred)])
    q = np.mean([mase(t, p, y_train=h, m=m) for t, p, h in zip(test, pred, histories)])
    return float(s), float(q)


def run(name: str, params: dict, frame, h: int, seed: int):
    model = MODELS[name](horizon=h, **params)
    if name in NEURAL:
        model.set_params(random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = model.fit(frame).predict()
    seconds = time.perf_counter() - start
    return pred.sort_values(["unique_id", "ds"])["y"].to_numpy().reshape(-1, h), seconds, model


def _value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--categories", default="yearly,quarterly,monthly,other")
    parser.add_argument("--models", default="gru,lstm,theta,ets,naive2,snaive")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a neural parameter (an ablation)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if not DATA.is_file():
        print(f"skipped: M3 data not found at {DATA}")
        return {}
    params = dict(kv.split("=", 1) for kv in args.set)
    params = {k: _value(v) for k, v in params.items()}
    out = json.loads(Path(args.out).read_text()) if args.out and Path(args.out).is_file() \
        else {}
    for category in args.categories.split(","):
        frame, test, histories, h = load(category)
        m = FREQ[category][1]
        results = out.setdefault(category, {})
        naive2, _, _ = run("naive2", {}, frame, h, 0)
        ref = score(naive2, test, histories, m)
        for name in args.models.split(","):
            seeds = range(args.seeds) if name in NEURAL else [0]
            for seed in seeds:
                extra = params if name in NEURAL else {}
                pred, seconds, model = run(name, extra, frame, h, seed)
                s, q = score(pred, test, histories, m)
                key = name + (f"_seed{seed}" if name in NEURAL and args.seeds > 1 else "") + \
                    ("" if not extra else "[" + ",".join(args.set) + "]")
                row = {"smape": round(s, 3), "mase": round(q, 3),
                       "owa": round(0.5 * (s / ref[0] + q / ref[1]), 3),
                       "seconds": round(seconds, 1), "n_series": len(test)}
                if name in NEURAL:
                    row.update(window=model.window_, base=model.base_,
                               epochs=model.max_epochs_)
                results[key] = row
                print(f"{category:9s} {key:28s} sMAPE {s:7.3f}  MASE {q:6.3f}  "
                      f"OWA {row['owa']:.3f}  {seconds:6.1f} s", flush=True)
        if args.out:
            atomic_write_text(args.out, json.dumps(out, indent=1, sort_keys=True))
    return out


if __name__ == "__main__":
    main()

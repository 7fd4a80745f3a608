"""Zero-configuration accuracy of the recurrent forecasters on M4 (Hourly dev half, Weekly).

Usage::

    python benchmarks/bench_zero_config.py --data hourly [--models gru,lstm] [--series N]
        [--set key=value ...] [--seeds K] [--out benchmarks/results/zero_config_hourly.json]

Every model gets only ``horizon``; the frequency (``h`` or ``W``) is on the index, so the
season length and the window come from it (M4 publishes no start dates: the series are put
on a synthetic calendar of the right frequency, so no calendar feature is meaningful here).
``--set`` overrides a parameter for an ablation (``--set seasonal=None``). Scores use the
M4 definitions: sMAPE, MASE (m = 24 hourly, 1 weekly) and OWA against the official Naive2
forecasts of the same series. For the neural models also the 90% intervals: coverage of all
test points, the 10th percentile of the per-series coverage, and the scaled pinball loss
(same m) of the 0.05/0.5/0.95 quantiles (``predict_quantiles`` of a ``loss="pinball"``
model, else the interval bounds and the point forecast); conformal intervals are scored
in both ``interval_calibration`` modes (the other one nested under its name: the mode
applies at predict, so it is the same fitted model). Prints one line per model and
writes JSON. One torch thread (faster than two for these sizes on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4, load_m4_submission  # noqa: E402

from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.forecasting import GRUForecaster, LSTMForecaster, RNNForecaster, SeasonalNaiveForecaster  # noqa: E402
from tsrnn.metrics import interval_coverage_by_series, mase, owa, scaled_pinball_loss, smape  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"
SETS = {"hourly": ("Hourly-dev", "h", 24, "Hourly-dev"), "weekly": ("Weekly", "W-SUN", 1, "Weekly")}
ANCHORS = {"hourly": {"Naive2 (official, dev half)": (18.224, 2.432, 1.0),
                      "sNaive (official, dev half)": (13.979, 1.233, 0.637),
                      "ES-RNN, M4 winner (full set)": (9.328, 0.893, 0.440),
                      "best entry (full set)": (8.913, 0.801, 0.410)},
           "weekly": {"Naive2 (official)": (9.161, 2.777, 1.0),
                      "ES-RNN, M4 winner (official)": (7.817, 2.356, 0.851),
                      "best Weekly, Forecast Pro (official)": (6.582, 2.107, 0.739)}}
MODELS = {"gru": GRUForecaster, "lstm": LSTMForecaster, "rnn": RNNForecaster,
          "snaive": SeasonalNaiveForecaster}


def to_long(ids, train, freq) -> pd.DataFrame:
    """Series on a synthetic calendar of frequency ``freq`` (M4 gives no start dates)."""
    return pd.DataFrame({
        "unique_id": np.repeat(ids, [len(t) for t in train]),
        "ds": np.concatenate([pd.date_range("2000-01-02", periods=len(t), freq=freq)
                              for t in train]),
        "y": np.concatenate(train)})


def _value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def intervals(model, pred, test, train, m) -> dict:
    """Interval scores of the model, and of its other ``interval_calibration`` mode when the
    intervals are conformal (the mode applies at predict: same fitted model)."""
    out = {**interval_scores(model, pred, test, train, m),
           "calibration": getattr(model, "interval_calibration_", None),
           "interval_calibration": model.interval_calibration}
    if not model.quantiles_:
        other = "series" if model.interval_calibration == "pooled" else "pooled"
        out[other] = interval_scores(_calibrated(model, other), pred, test, train, m)
    return out


def _calibrated(model, mode: str):
    """The fitted model with the other ``interval_calibration``: a fitted parameter (read by
    predict_interval from the last fit), but both modes read the same kept calibration
    errors (``residuals_``, ``residual_series_``), so no second fit is needed here."""
    other = object.__new__(type(model))
    other.__dict__.update(model.__dict__, interval_calibration=mode,
                          fitted_params_={**model.fitted_params_, "interval_calibration": mode})
    return other


def interval_scores(model, pred, test, train, m) -> dict:
    """90% interval coverage (pooled, per-series p10) and the scaled pinball loss."""
    horizon = test.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # in-sample calibration
        bounds = model.predict_interval(coverage=0.9)
    lo = bounds["y_lower"].to_numpy().reshape(-1, horizon)
    hi = bounds["y_upper"].to_numpy().reshape(-1, horizon)
    per_series = interval_coverage_by_series(test, lo, hi)
    levels = [0.05, 0.5, 0.95]
    if model.quantiles_ and all(q in model.quantiles_ for q in levels):
        q = model.predict_quantiles(quantiles=levels)
        quantiles = np.stack([q[f"y_q{v:g}"].to_numpy().reshape(-1, horizon)
                              for v in levels], axis=-1)
    else:  # conformal: the bounds as the 0.05 and 0.95 quantiles, the forecast as median
        quantiles = np.stack([lo, pred, hi], axis=-1)
    return {"coverage90": float(per_series.mean()),
            "series_coverage90_p10": float(np.quantile(per_series, 0.1)),
            "spl": scaled_pinball_loss(test, quantiles, levels, train, m=m)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", choices=sorted(SETS), default="hourly")
    parser.add_argument("--models", default="gru,lstm")
    parser.add_argument("--series", type=int, default=0, help="first N series only (0: all)")
    parser.add_argument("--seeds", type=int, default=1, help="repeat each fit with seeds 0..K-1")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if not DATA.is_dir():
        print(f"skipped: M4 data not found at {DATA}")
        return {}
    stem, freq, m, sub = SETS[args.data]
    ids, train, test, horizon = load_m4(DATA, stem)
    naive2 = load_m4_submission(DATA / f"submission-Naive2-{sub}.csv", ids)
    if args.series:
        ids, train, test, naive2 = ids[:args.series], train[:args.series], \
            test[:args.series], naive2[:args.series]
    frame = to_long(ids, train, freq)
    ref = smape(test, naive2), mase(test, naive2, train, m=m)
    overrides = dict(kv.split("=", 1) for kv in args.set)
    overrides = {k: _value(v) for k, v in overrides.items()}
    results = {}
    for name in filter(None, args.models.split(",")):
        for seed in range(args.seeds):
            params = {"horizon": horizon}
            if name != "snaive":
                params.update({"random_state": seed, **overrides})  # --set may override it
            model = MODELS[name](**params)
            start = time.perf_counter()
            model.fit(frame)
            fit_s = time.perf_counter() - start
            pred = model.predict()["y"].to_numpy().reshape(-1, horizon)
            s, ms = smape(test, pred), mase(test, pred, train, m=m)
            o = owa(s, ms, *ref)
            cover = {} if name == "snaive" else intervals(model, pred, test, train, m)
            label = f"{name} seed {params['random_state']}" if name != "snaive" else name
            extra = {k: getattr(model, k, None) for k in ("window_", "season_length_",
                                                          "seasonal_", "n_epochs_")}
            results[label] = {"smape": s, "mase": ms, "owa": o, "fit_s": fit_s, **extra,
                              **cover}
            print(f"{label:14s} sMAPE {s:7.3f} MASE {ms:6.3f} OWA {o:6.3f} fit {fit_s:7.1f}s "
                  f"{extra} {cover}", flush=True)
            if name == "snaive":
                break
    for label, (s, ms, o) in ANCHORS[args.data].items():
        print(f"{label:40s} sMAPE {s:7.3f} MASE {ms:6.3f} OWA {o:6.3f}")
    out = {"data": args.data, "n_series": len(ids), "overrides": overrides,
           "results": results, "anchors": ANCHORS[args.data], "torch": torch.__version__,
           "threads": torch.get_num_threads()}
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(args.out, json.dumps(out, indent=2, default=str))
    return out


if __name__ == "__main__":
    main()

"""AutoForecaster on the M3 dev half, per category, beside each of its candidates alone.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_auto.py [--categories yearly,quarterly]
        [--seed 0] [--out benchmarks/results/auto_m3.json] [--limit N]

Every model gets only ``horizon`` (the category's h) and the series on a date index of the
category's frequency (yearly ``YS``, quarterly ``QS``, monthly ``MS``; "other" has period 1
and gets a plain integer index, as a user would give it); all series of a category are one
panel. ``AutoForecaster`` runs with its defaults (``random_state=seed``): candidates GRU
(its defaults), Theta, ETS, naive and seasonal naive, two validation origins, ``method``
and ``per_series`` ``"auto"``.
Each candidate is also fitted alone on the full panel (the GRU with the same seed, so that
its forecast is the one AutoForecaster refits). From AutoForecaster's own validation scores
and the candidates' forecasts, the script also derives what the other methods would have
forecast (``select``: the best candidate per series; ``combine``: inverse-MASE weights over
the best three no worse than naive; the same panel-wide), to check the choice that
``method="auto"`` and ``per_series="auto"`` make inside ``fit``. Scores follow the M4 definitions (sMAPE; MASE with m = 12 monthly, 4
quarterly, 1 otherwise; OWA against Naive2 of the same series), with fit + predict seconds.
Prints one line per category and model and writes JSON (earlier categories in the output
file are kept). Reads ``../shared/data/m3/M3-dev.csv`` and skips cleanly without it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from tsrnn._io import atomic_write_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_m3 import DATA, FREQ, score  # noqa: E402  (one M3 loader and scorer)
from bench_m3 import load as _load_m3  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "auto_m3.json"


def load(category: str, limit: int | None = None):
    """``bench_m3.load``, keeping the first ``limit`` series (by id) when given."""
    frame, test, histories, h = _load_m3(category)
    if limit:
        ids = sorted(frame.unique_id.unique())[:limit]
        frame = frame[frame.unique_id.isin(ids)]
        test, histories = test[:limit], histories[:limit]
    return frame, test, histories, h


def _fit_predict(model, frame, h: int):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = model.fit(frame).predict()
    seconds = time.perf_counter() - start
    return pred.sort_values(["unique_id", "ds"])["y"].to_numpy().reshape(-1, h), seconds


def _derived(auto, alone: dict, naive: str) -> dict:
    """Forecasts the other methods would give, from ``auto``'s validation scores and the
    candidates' forecasts alone (refitted the same way)."""
    names = list(auto.validation_scores_.columns)
    scores = auto.validation_scores_.to_numpy()
    out = {}
    for per_series in (True, False):
        for method in ("select", "combine"):
            weights, _ = auto._weights(scores.copy(), names.index(naive), method, per_series)
            if any(weights[:, c].any() and name not in alone for c, name in enumerate(names)):
                continue  # a candidate that failed alone: nothing to derive from
            pred = sum(weights[:, [c]] * alone[name] for c, name in enumerate(names)
                       if weights[:, c].any())
            out[f"{method}{'' if per_series else '_global'}"] = pred
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--categories", default="yearly,quarterly")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--limit", type=int, default=None,
                        help="first N series of each category only (a smoke run)")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"skipped: M3 data not found at {DATA} (see ../shared/README.md)")
        return {}
    import torch

    import tsrnn

    torch.set_num_threads(1)
    out_path = Path(args.out)
    out = json.loads(out_path.read_text()) if out_path.is_file() else {}
    out["meta"] = {"tsrnn": tsrnn.__version__, "torch": torch.__version__,
                   "python": platform.python_version(), "machine": platform.machine(),
                   "seed": args.seed, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for category in args.categories.split(","):
        out[category] = run_category(category, args)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out_path, json.dumps(out, indent=1, sort_keys=True))
    return out


def run_category(category: str, args) -> dict:
    """Naive2, each candidate alone, AutoForecaster and the derived methods on one category."""
    from tsrnn.forecasting import AutoForecaster, Naive2Forecaster
    from tsrnn.forecasting.auto import _default_candidates

    frame, test, histories, h = load(category, args.limit)
    freq, m = FREQ[category]
    results = {}
    naive2, naive2_seconds = _fit_predict(Naive2Forecaster(horizon=h), frame, h)
    ref = score(naive2, test, histories, m)

    def report(key, pred, seconds=None, **extra):
        s, q = score(pred, test, histories, m)
        row = {"smape": round(s, 3), "mase": round(q, 3),
               "owa": round(0.5 * (s / ref[0] + q / ref[1]), 3),
               "seconds": None if seconds is None else round(seconds, 1), **extra}
        results[key] = row
        took = "derived" if seconds is None else f"{seconds:6.1f} s"
        print(f"{category:9s} {key:22s} sMAPE {s:7.3f}  MASE {q:6.3f}  "
              f"OWA {row['owa']:.3f}  {took}", flush=True)

    report("naive2", naive2, naive2_seconds)
    alone = {}
    inferred = pd.tseries.frequencies.to_offset(freq) if freq else None
    for name, model in _default_candidates(inferred, args.seed):
        try:
            alone[name], seconds = _fit_predict(model.set_params(horizon=h), frame, h)
        except Exception as exc:  # noqa: BLE001 - reported, and the benchmark goes on
            print(f"{category:9s} {name:22s} failed: {type(exc).__name__}: {exc}", flush=True)
            results[name] = {"failed": f"{type(exc).__name__}: {exc}"}
            continue
        report(name, alone[name], seconds)
    auto = AutoForecaster(horizon=h, random_state=args.seed)
    pred, seconds = _fit_predict(auto, frame, h)
    choice = auto.choice_.value_counts().to_dict()
    report("auto", pred, seconds, method=auto.method_, per_series=auto.per_series_,
           method_scores={k: round(v, 4) for k, v in auto.method_scores_.items()},
           choice=choice, failed=list(auto.failed_),
           global_weights={k: round(float(v), 3) for k, v in auto.global_weights_.items()})
    for key, derived in _derived(auto, alone, "naive").items():
        report(f"auto[{key}]", derived)
    best = min((results[k]["owa"], k) for k in alone)
    results["summary"] = {
        "n_series": len(test), "horizon": h, "method": auto.method_,
        "per_series": auto.per_series_,
        "best_single": best[1],
        "auto_over_best_single_owa": round(results["auto"]["owa"] / best[0], 3),
        "auto_over_naive_owa": round(results["auto"]["owa"] / results["naive"]["owa"], 3)}
    print(f"{category:9s} auto: method {auto.method_}, per series {auto.per_series_} "
          f"(validation {auto.method_scores_}), choices {choice}; OWA "
          f"{results['auto']['owa']:.3f} vs best single ({best[1]}) {best[0]:.3f}", flush=True)
    return results


if __name__ == "__main__":
    main()

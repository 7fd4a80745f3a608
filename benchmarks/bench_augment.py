"""When does data augmentation help? GRUForecaster on small M4 Weekly training sets.

Training set: every 10th M4 Weekly series (36 series), with its history cut to the last
150 points (2,676 training windows) and to the last 80 points (576 windows). The two
settings get about the same number of gradient steps (10 and 42 epochs). Variants: no
augmentation, each forecasting-valid augmenter alone, then a ``Compose`` of those whose
mean OWA beat "none" in that setting (the two best when fewer than two did); a diagnostic
variant, TimeReversal with each window re-normalised, tests why reversal hurts. Every variant
runs with the same seeds; within a seed the variants are interleaved (the order rotates
with the seed), so load drift on a shared machine hits them alike; one untimed warm-up fit
runs first. Scores: sMAPE, MASE and
OWA against Naive2 on the 13 M4 test values; MASE is scaled by the full M4 training
history of each series in both settings, so the settings are comparable.

Run from the repository root::

    python benchmarks/bench_augment.py            # ~6 min on 2 busy cores
    python benchmarks/bench_augment.py --quick    # smoke test: 12 series, 1 seed, few epochs

Reads ``../shared/data/m4`` (skips with a message when it is absent) and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_m4 import to_long  # noqa: E402
from m4data import load_m4  # noqa: E402

from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.augment import (  # noqa: E402
    Compose,
    GaussianNoise,
    MagnitudeScaling,
    Mixup,
    TimeReversal,
)
from tsrnn.forecasting import GRUForecaster  # noqa: E402
from tsrnn.forecasting._scaling import normalise_batch  # noqa: E402
from tsrnn.metrics import mase, naive2_forecast, owa, smape  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "m4"
STEP = 10  # every 10th series
SETTINGS = {"last 150": (150, 10), "last 80": (80, 42)}  # name: (history kept, epochs)
SINGLES = {
    "none": lambda: None,
    "TimeReversal(p=0.5)": lambda: TimeReversal(p=0.5),
    "GaussianNoise(sigma=0.05)": lambda: GaussianNoise(sigma=0.05),
    "MagnitudeScaling(sigma=0.1)": lambda: MagnitudeScaling(sigma=0.1),
    "Mixup(alpha=0.2)": lambda: Mixup(alpha=0.2),
}


class RenormalisedReversal(TimeReversal):
    """Diagnostic, not a tsrnn augmenter: TimeReversal, then each window re-normalised.

    The training engine augments batches after the per-window scaling, so a reversed
    window keeps the mean and std of the window it came from and is not normalised like
    every window seen at predict time. Re-normalising by its own statistics gives exactly
    the reversal of the raw window, which separates that effect from reversal itself.
    """

    def _augment(self, x, y, apply, generator, n_targets):
        x, y = super()._augment(x, y, apply, generator, n_targets)
        return normalise_batch(x, y, n_targets)  # identity on windows left unchanged


DIAGNOSTICS = {"TimeReversal + re-normalise": lambda: RenormalisedReversal(p=0.5)}
MODEL = dict(window=52, hidden_size=32, loss="mae", lr=3e-3, batch_size=128,
             validation_fraction=0.0)


def fit_predict(frame, horizon: int, epochs: int, seed: int, augment):
    """Fit one GRUForecaster; return forecasts (n_series, horizon) and fit seconds."""
    model = GRUForecaster(horizon=horizon, max_epochs=epochs, random_state=seed,
                          augment=augment, **MODEL)
    start = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - start
    return model.predict()["y"].to_numpy().reshape(-1, horizon), fit_s


def score(pred, data) -> dict:
    """sMAPE, MASE (scaled by the full history) and OWA against Naive2."""
    s, m = smape(data["test"], pred), mase(data["test"], pred, data["train"], m=1)
    return {"smape": s, "mase": m, "owa": owa(s, m, *data["naive2_sm"])}


def run_variants(variants: dict, data, args, runs: list) -> None:
    """Fit every (seed, setting, variant), variants interleaved within a seed."""
    names = list(variants)
    for seed in range(args.seeds):
        order = names[seed % len(names):] + names[:seed % len(names)]
        for setting, (keep, epochs) in args.settings.items():
            frame = to_long(data["ids"], [t[-keep:] for t in data["train"]])
            for name in order:
                pred, fit_s = fit_predict(frame, data["horizon"], epochs, seed,
                                          variants[name]())
                rec = {"setting": setting, "variant": name, "seed": seed, "fit_s": fit_s,
                       **score(pred, data)}
                runs.append(rec)
                print(f"seed {seed} {setting:9s} {name:28s} sMAPE {rec['smape']:6.3f} "
                      f"MASE {rec['mase']:.3f} OWA {rec['owa']:.3f} fit {fit_s:5.1f}s",
                      flush=True)


def _mean_owa(runs, setting, variant) -> float:
    return statistics.mean(r["owa"] for r in runs
                           if r["setting"] == setting and r["variant"] == variant)


def choose_compose(runs, setting) -> tuple[list[str], str]:
    """The single augmenters whose mean OWA beat "none" (or the two best if < 2 did)."""
    base = _mean_owa(runs, setting, "none")
    ranked = sorted((n for n in SINGLES if n != "none"),
                    key=lambda n: _mean_owa(runs, setting, n))
    helped = [n for n in ranked if _mean_owa(runs, setting, n) < base]
    if len(helped) >= 2:
        return helped, "augmenters whose mean OWA beat none"
    return ranked[:2], f"only {len(helped)} beat none: the two best by mean OWA"


def run_composes(data, args, runs: list) -> dict:
    """Per setting, choose the Compose from the single-augmenter runs, then fit it."""
    composes = {s: choose_compose(runs, s) for s in args.settings}
    for setting, (steps, rule) in composes.items():
        print(f"{setting}: Compose of {steps} ({rule})", flush=True)
        one = argparse.Namespace(seeds=args.seeds, settings={setting: args.settings[setting]})
        run_variants({"Compose": lambda s=steps: Compose([SINGLES[n]() for n in s])},
                     data, one, runs)
    return composes


def _stats(values) -> dict:
    values = list(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": statistics.mean(values), "std": std}


def summarise(runs) -> dict:
    """Per setting and variant: mean/std of the scores, paired OWA delta, fit time ratio."""
    out = {}
    for setting in dict.fromkeys(r["setting"] for r in runs):
        rows = [r for r in runs if r["setting"] == setting]
        base = {r["seed"]: r for r in rows if r["variant"] == "none"}
        base_fit = statistics.median(r["fit_s"] for r in base.values())
        out[setting] = {}
        for variant in dict.fromkeys(r["variant"] for r in rows):
            own = [r for r in rows if r["variant"] == variant]
            entry = {k: _stats(r[k] for r in own) for k in ("smape", "mase", "owa")}
            entry["owa_delta_vs_none"] = _stats(r["owa"] - base[r["seed"]]["owa"]
                                                for r in own)
            entry["fit_s_median"] = statistics.median(r["fit_s"] for r in own)
            entry["fit_ratio_vs_none"] = entry["fit_s_median"] / base_fit
            out[setting][variant] = entry
    return out


def print_table(summary: dict) -> None:
    """Markdown table, as pasted into benchmarks/README.md."""
    print("\n| setting | variant | sMAPE | MASE | OWA | OWA - none (paired) | fit time / none |")
    print("|---|---|---|---|---|---|---|")
    for setting, variants in summary.items():
        for variant, e in variants.items():
            cells = [f"{e[k]['mean']:.3f} ± {e[k]['std']:.3f}"
                     for k in ("smape", "mase", "owa", "owa_delta_vs_none")]
            print(f"| {setting} | {variant} | " + " | ".join(cells)
                  + f" | {e['fit_ratio_vs_none']:.2f} |")


def load_data(quick: bool) -> dict:
    ids, train, test, horizon = load_m4(DATA)
    step = 3 * STEP if quick else STEP
    ids, train, test = ids[::step], train[::step], test[::step]
    naive2 = naive2_forecast(train, horizon, 1)
    return {"ids": ids, "train": train, "test": test, "horizon": horizon,
            "naive2_sm": (smape(test, naive2), mase(test, naive2, train, m=1))}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="12 series, 1 seed, 2 and 8 epochs (smoke test)")
    parser.add_argument("--out", default=None, help="default benchmarks/results/augment.json "
                        "(augment_quick.json with --quick)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: M4 data not found at {DATA}")
        return {}
    torch.set_num_threads(1)
    args.settings = dict(SETTINGS)
    if args.quick:
        args.seeds, args.settings = 1, {"last 150": (150, 2), "last 80": (80, 8)}
    out_path = Path(args.out or ROOT / "benchmarks" / "results" /
                    ("augment_quick.json" if args.quick else "augment.json"))
    data = load_data(args.quick)
    load_before, start, runs = os.getloadavg(), time.perf_counter(), []
    warm = to_long(data["ids"], [t[-80:] for t in data["train"]])
    fit_predict(warm, data["horizon"], 1, 0, None)  # untimed warm-up
    run_variants({**SINGLES, **DIAGNOSTICS}, data, args, runs)
    composes = run_composes(data, args, runs)
    summary = summarise(runs)
    print_table(summary)
    result = {
        "setup": {"n_series": len(data["ids"]), "step": STEP * (3 if args.quick else 1),
                  "settings": args.settings, "seeds": args.seeds, "model": MODEL,
                  "horizon": data["horizon"], "naive2_smape_mase": data["naive2_sm"]},
        "compose": {s: {"of": steps, "rule": rule} for s, (steps, rule) in composes.items()},
        "summary": summary, "runs": runs, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "wall_s": time.perf_counter() - start,
        "loadavg_before_after": [load_before[0], os.getloadavg()[0]],
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_path, json.dumps(result, indent=2))
    print(f"\nwrote {out_path} ({result['wall_s']:.0f} s)")
    return result


if __name__ == "__main__":
    main()

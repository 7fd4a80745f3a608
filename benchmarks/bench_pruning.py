"""Pruning: search time and best score of ``OptunaSearchCV`` with and without pruning.

Every run tunes a ``GRUForecaster(horizon=13)`` over ``default_search_space`` (hidden
size, layers, dropout, lr, weight decay, batch size, window) on weekly M4 finance series
(``tsrnn.datasets.load_m4_finance``), with the last 13 weeks of every series held out. The
search scores candidates by 2 time-based folds (negative MASE of rolling-origin forecasts),
``n_trials`` trials of at most ``max_epochs`` epochs, TPE seeded with the run's seed. The
pruners compared at equal ``n_trials``: none, ``"median"`` and ``"hyperband"``. For each
(seed, pruner): the wall time of the search (the final refit excluded), trials pruned,
epochs trained, the best CV score, and the held-out negative MASE of the refit best
configuration. Runs are interleaved (the pruner order rotates with the seed); torch uses one
thread.

Run from the repository root::

    python benchmarks/bench_pruning.py            # writes benchmarks/results/pruning.{json,png}
    python benchmarks/bench_pruning.py --quick    # 2 seeds x 4 trials x 2 epochs (smoke)
    python benchmarks/bench_pruning.py --replot   # redraw the figure from the JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not

from tsrnn._io import atomic_write, atomic_write_text  # noqa: E402
from tsrnn.datasets import load_m4_finance  # noqa: E402
from tsrnn.forecasting import GRUForecaster  # noqa: E402
from tsrnn.model_selection import ExpandingWindowSplit  # noqa: E402
from tsrnn.tuning import OptunaSearchCV  # noqa: E402

PRUNERS = (None, "median", "hyperband")
HORIZON, N_SPLITS = 13, 2


def load(n_series: int):
    data = load_m4_finance()
    data = data[data["unique_id"].isin(data["unique_id"].unique()[:n_series])]
    test = data.groupby("unique_id").tail(HORIZON)
    return data.drop(test.index).reset_index(drop=True), test


def run_one(train, test, pruner, seed: int, n_trials: int, max_epochs: int) -> dict:
    base = GRUForecaster(horizon=HORIZON, max_epochs=max_epochs, random_state=0)
    search = OptunaSearchCV(base, n_trials=n_trials, pruner=pruner, random_state=seed,
                            cv=ExpandingWindowSplit(N_SPLITS, HORIZON))
    start = time.perf_counter()
    search.fit(train)
    seconds = time.perf_counter() - start - search.refit_time_
    res = search.results_
    complete = res["state"] == "COMPLETE"
    epochs = np.where(complete, N_SPLITS * max_epochs, res["n_epochs_reported"])
    return {"pruner": str(pruner), "seed": seed, "search_s": round(seconds, 2),
            "n_pruned": int((res["state"] == "PRUNED").sum()),
            "epochs_trained": int(epochs.sum()),
            "epochs_without_pruning": n_trials * N_SPLITS * max_epochs,
            "best_cv_score": round(search.best_score_, 4),
            "best_test_score": round(search.score(test), 4),
            "best_params": search.best_params_}


def summarise(runs: list) -> dict:
    out = {}
    for pruner in PRUNERS:
        rows = [r for r in runs if r["pruner"] == str(pruner)]
        out[str(pruner)] = {k: round(float(np.mean([r[k] for r in rows])), 4) for k in
                            ("search_s", "n_pruned", "epochs_trained", "best_cv_score",
                             "best_test_score")}
    return out


def plot(runs: list, path: Path) -> None:
    """Per seed (dots) and mean (bar): epochs, time relative to no pruning, MASE."""
    from matplotlib.figure import Figure

    base = {r["seed"]: r["search_s"] for r in runs if r["pruner"] == "None"}
    panels = (("epochs trained", lambda r: r["epochs_trained"]),
              ("search time / no pruning", lambda r: r["search_s"] / base[r["seed"]]),
              ("best CV MASE", lambda r: -r["best_cv_score"]),
              ("held-out MASE of the best", lambda r: -r["best_test_score"]))
    fig = Figure(figsize=(12, 3.2), layout="constrained")
    names = [str(p) for p in PRUNERS]
    for ax, (title, value) in zip(fig.subplots(1, len(panels)), panels):
        for i, name in enumerate(names):
            values = [value(r) for r in runs if r["pruner"] == name]
            ax.bar(i, np.mean(values), color=f"C{i}", alpha=0.5)
            ax.scatter([i] * len(values), values, color="k", s=12, zorder=3)
        ax.set(xticks=range(len(names)), xticklabels=names, title=title)
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--series", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--replot", action="store_true", help="redraw the figure of --out")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "pruning.json"))
    args = parser.parse_args(argv)
    if args.replot:
        return plot(json.loads(Path(args.out).read_text())["runs"],
                    Path(args.out).with_suffix(".png"))
    if args.quick:
        args.seeds, args.trials, args.epochs, args.series = 2, 4, 2, 3
    torch.set_num_threads(1)
    train, test = load(args.series)
    load_before, runs = os.getloadavg(), []
    for seed in range(args.seeds):
        order = PRUNERS[seed % len(PRUNERS):] + PRUNERS[:seed % len(PRUNERS)]
        for pruner in order:
            runs.append(run_one(train, test, pruner, seed, args.trials, args.epochs))
            print({k: v for k, v in runs[-1].items() if k != "best_params"}, flush=True)
    result = {"setup": {**vars(args), "n_splits": N_SPLITS, "horizon": HORIZON,
                        "torch_threads": 1, "torch": torch.__version__,
                        "python": platform.python_version(), "cpus": os.cpu_count(),
                        "load_avg_before_after": [load_before[0], os.getloadavg()[0]]},
              "summary": summarise(runs), "runs": runs}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(result, indent=2))
    plot(runs, out.with_suffix(".png"))
    print(json.dumps(result["summary"], indent=2))
    print("wrote", out, "and", out.with_suffix(".png"))


if __name__ == "__main__":
    main()

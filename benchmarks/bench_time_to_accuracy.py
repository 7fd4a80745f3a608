"""Time to accuracy on M4 Weekly: tsrnn, darts and neuralforecast, each as it recommends.

Usage (the peers come from ``benchmarks/requirements-peers.txt``, in their own venv)::

    ../peers-venv/bin/python benchmarks/bench_time_to_accuracy.py            # ~25 min
    ../peers-venv/bin/python benchmarks/bench_time_to_accuracy.py --quick    # ~2 min
    ../peers-venv/bin/python benchmarks/bench_time_to_accuracy.py --libs tsrnn --cap 120

Every library trains one LSTM on all 359 M4 Weekly series (horizon 13, a 52-week input
window for all) with its own defaults otherwise, in chunks (one epoch, or 100 steps for
neuralforecast) that continue from the current weights through the library's own API
(``warm_start=True`` for tsrnn, ``fit(epochs=1)`` for darts, another ``fit`` for
neuralforecast; each restarts its optimizer per chunk). After every chunk it forecasts all
series from the end of training and is scored on the official test values (sMAPE, MASE,
OWA against Naive2), untimed. Training stops at the library's default budget or when its
cumulative training time passes ``--cap`` seconds. The report gives, per library, the best
OWA reached and the training time to reach it, the time to beat Naive2 (OWA < 1) and the
OWA at the end. The best checkpoint is chosen on the test values (an oracle), as a time-to-
accuracy curve does; the final OWA is what a user without that oracle gets. Writes
``benchmarks/results/time_to_accuracy.json`` (``_quick`` with ``--quick``; ``--out``).
Skips (exit 0) with a message when the M4 data or a peer is missing.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4  # noqa: E402

from tsrnn import LSTMForecaster  # noqa: E402
from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.metrics import mase, naive2_forecast, owa, smape  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"
WINDOW = 52


class Tsrnn:
    """The configuration tsrnn's docs recommend for weekly panels (``benchmarks/bench_m4.py``)."""

    unit, budget = "epoch", 8
    params = dict(hidden_size=64, loss="mae", lr=3e-3, batch_size=256,
                  max_windows_per_series=100, validation_fraction=0.0)

    def __init__(self, ids, train, horizon, workdir, units=1):
        self.frame = pd.DataFrame({"unique_id": np.repeat(ids, [len(t) for t in train]),
                                   "ds": np.concatenate([np.arange(len(t)) for t in train]),
                                   "y": np.concatenate(train)})
        self.horizon = horizon
        self.model = LSTMForecaster(horizon=horizon, window=WINDOW, max_epochs=units,
                                    warm_start=True, device="cpu", random_state=0,
                                    **self.params)

    def train_chunk(self):
        self.model.fit(self.frame)

    def forecast(self) -> np.ndarray:
        return self.model.predict()["y"].to_numpy().reshape(-1, self.horizon)


class TsrnnDefaults(Tsrnn):
    """Every tsrnn default (hidden 64, batch 64, lr 1e-3, MSE, 10% validation, 50 epochs)."""

    budget = 50
    params = {}


class Darts:
    """``BlockRNNModel(model="LSTM")`` with darts' defaults (hidden 25, batch 32, 100 epochs)
    on float32 series scaled by darts' default ``Scaler()`` (min-max per series)."""

    unit, budget = "epoch", 100

    def __init__(self, ids, train, horizon, workdir, units=1):
        from darts import TimeSeries
        from darts.dataprocessing.transformers import Scaler
        from darts.models import BlockRNNModel

        _quiet()
        self.horizon, self.units = horizon, units
        self.scaler = Scaler()
        self.series = self.scaler.fit_transform(
            [TimeSeries.from_values(t.astype(np.float32)) for t in train])
        self.model = BlockRNNModel(
            model="LSTM", input_chunk_length=WINDOW, output_chunk_length=horizon,
            random_state=0, work_dir=workdir,
            pl_trainer_kwargs=dict(accelerator="cpu", enable_progress_bar=False, logger=False,
                                   enable_model_summary=False, enable_checkpointing=False))

    def train_chunk(self):
        self.model.fit(self.series, epochs=self.units, verbose=False)

    def forecast(self) -> np.ndarray:
        out = self.scaler.inverse_transform(
            self.model.predict(n=self.horizon, series=self.series, verbose=False))
        return np.stack([ts.values()[:, 0] for ts in out]).astype(np.float64)


class Neuralforecast:
    """``LSTM`` with neuralforecast's defaults (2 x 128 encoder, MLP decoder, MAE, robust
    window scaling, batches of 32 series x 128 windows, 1,000 steps)."""

    unit, budget = "100 steps", 10

    def __init__(self, ids, train, horizon, workdir, units=1):
        from neuralforecast import NeuralForecast
        from neuralforecast.models import LSTM

        _quiet()
        self.ids = list(ids)
        self.frame = pd.DataFrame({"unique_id": np.repeat(ids, [len(t) for t in train]),
                                   "ds": np.concatenate([np.arange(len(t)) for t in train]),
                                   "y": np.concatenate(train).astype(np.float32)})
        self.horizon = horizon
        model = LSTM(h=horizon, input_size=WINDOW, max_steps=100 * units, random_seed=0,
                     accelerator="cpu", logger=False, enable_progress_bar=False,
                     enable_model_summary=False, enable_checkpointing=False,
                     default_root_dir=workdir)
        self.nf = NeuralForecast(models=[model], freq=1)

    def train_chunk(self):
        self.nf.fit(df=self.frame)  # use_init_models=False: continues from the weights

    def forecast(self) -> np.ndarray:
        out = self.nf.predict().set_index("unique_id").loc[self.ids, "LSTM"]
        return out.to_numpy(dtype=np.float64).reshape(-1, self.horizon)


def _quiet() -> None:
    """Silence Lightning's per-fit banners (its import resets the levels)."""
    for name in ("lightning.pytorch", "pytorch_lightning", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)


LIBS = {"tsrnn": Tsrnn, "tsrnn-defaults": TsrnnDefaults, "darts": Darts,
        "neuralforecast": Neuralforecast}


def run(name, ids, train, test, horizon, naive2, cap, workdir) -> dict:
    runner = LIBS[name](ids, train, horizon, workdir)
    ref_s, ref_m = smape(test, naive2), mase(test, naive2, train, m=1)
    curve, trained = [], 0.0
    for chunk in range(1, runner.budget + 1):
        start = time.perf_counter()
        runner.train_chunk()
        trained += time.perf_counter() - start
        start = time.perf_counter()
        pred = runner.forecast()
        predict_s = time.perf_counter() - start
        s, m = smape(test, pred), mase(test, pred, train, m=1)
        point = dict(chunk=chunk, train_s=trained, predict_s=predict_s, smape=s, mase=m,
                     owa=owa(s, m, ref_s, ref_m))
        curve.append(point)
        print(f"  {name:15s} {runner.unit} {chunk:3d}: train {trained:7.1f} s, "
              f"OWA {point['owa']:.3f} (sMAPE {s:.3f}, MASE {m:.3f}), "
              f"predict {predict_s:.2f} s", flush=True)
        if trained >= cap:
            break
    best = min(curve, key=lambda p: p["owa"])
    beat = next((p for p in curve if p["owa"] < 1.0), None)
    return dict(unit=runner.unit, budget=runner.budget, chunks=len(curve),
                finished_budget=len(curve) == runner.budget, curve=curve, best=best,
                time_to_best_s=best["train_s"], time_to_beat_naive2_s=beat and beat["train_s"],
                final=curve[-1], doc=(LIBS[name].__doc__ or "").split("\n\n")[0])


def run_fresh(name, ids, train, test, horizon, naive2, workdir) -> dict:
    """One fit of the library's whole default budget from scratch (no chunks), scored once."""
    runner = LIBS[name](ids, train, horizon, workdir, units=LIBS[name].budget)
    start = time.perf_counter()
    runner.train_chunk()
    train_s = time.perf_counter() - start
    pred = runner.forecast()
    s, m = smape(test, pred), mase(test, pred, train, m=1)
    result = dict(train_s=train_s, smape=s, mase=m, budget=runner.budget, unit=runner.unit,
                  owa=owa(s, m, smape(test, naive2), mase(test, naive2, train, m=1)))
    print(f"  {name:15s} one fit of {runner.budget} x {runner.unit}: train {train_s:.1f} s, "
          f"OWA {result['owa']:.3f} (sMAPE {s:.3f}, MASE {m:.3f})", flush=True)
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libs", default="tsrnn,tsrnn-defaults,darts,neuralforecast")
    parser.add_argument("--cap", type=float, default=300.0,
                        help="training seconds per library (default 300)")
    parser.add_argument("--quick", action="store_true", help="40 series, 20 s per library")
    parser.add_argument("--fresh", action="store_true",
                        help="instead: one uncapped fit of each library's whole default "
                             "budget, to check the chunked curve against")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # the faster setting for small RNNs on this 2-core machine
    warnings.filterwarnings("ignore")
    if not DATA.is_dir():
        print(f"skipped: M4 data not found at {DATA}")
        return {}
    ids, train, test, horizon = load_m4(DATA)
    if args.quick:
        ids, train, test, args.cap = ids[:40], train[:40], test[:40], min(args.cap, 20.0)
    libs = [lib for lib in args.libs.split(",") if lib]
    for lib in list(libs):
        module = {"darts": "darts", "neuralforecast": "neuralforecast"}.get(lib)
        if module is not None:
            try:
                __import__(module)
            except ImportError:
                print(f"{lib} is not installed: skipped (pip install -r "
                      "benchmarks/requirements-peers.txt)")
                libs.remove(lib)
    naive2 = naive2_forecast(train, horizon, 1)
    if args.fresh:
        with tempfile.TemporaryDirectory() as workdir:
            fresh = {lib: run_fresh(lib, ids, train, test, horizon, naive2, workdir)
                     for lib in libs}
        path = Path(args.out or f"benchmarks/results/time_to_accuracy_fresh"
                    f"{'_quick' if args.quick else ''}.json")
        atomic_write_text(path, json.dumps({"args": vars(args), "results": fresh,
                                    "torch": torch.__version__}, indent=2, default=float))
        print(f"written to {path}")
        return fresh
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for lib in libs:
            results[lib] = run(lib, ids, train, test, horizon, naive2, args.cap, workdir)
    print(f"\n{'library':15s} {'chunks':>10s} {'best OWA':>9s} {'time to best s':>15s} "
          f"{'beat Naive2 s':>14s} {'final OWA':>10s} {'train s':>8s}")
    for lib, r in results.items():
        beat = "-" if r["time_to_beat_naive2_s"] is None else f"{r['time_to_beat_naive2_s']:.1f}"
        print(f"{lib:15s} {r['chunks']:>4d}/{r['budget']:<5d} {r['best']['owa']:9.3f} "
              f"{r['time_to_best_s']:15.1f} {beat:>14s} {r['final']['owa']:10.3f} "
              f"{r['final']['train_s']:8.1f}")
    versions = {"torch": torch.__version__, "python": platform.python_version()}
    for module in ("darts", "neuralforecast", "pytorch_lightning"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            pass
    out = {"args": vars(args), "n_series": len(ids), "horizon": horizon, "window": WINDOW,
           "results": results, "versions": versions, "machine": platform.processor() or
           platform.machine(), "threads": torch.get_num_threads()}
    path = Path(args.out or "benchmarks/results/time_to_accuracy"
                f"{'_quick' if args.quick else ''}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(out, indent=2, default=float))
    print(f"written to {path}")
    return out


if __name__ == "__main__":
    main()

"""tsrnn against darts and neuralforecast, and against a minimal hand-written PyTorch loop.

One run, identical data: 50 M4 Weekly series (a synthetic panel when ``../shared/data/m4``
is absent), window 72, horizon 24, batch size 256, 2 epochs, Adam (lr 1e-3), MSE, gradient
norm clipped at 1.0, per-series standard scaling fitted on the training part, one LSTM:

* ``hand``: the practical limit. One contiguous float32 tensor, batches gathered by index,
  ``nn.LSTM`` + ``Linear`` head on the last state;
* ``tsrnn``: ``LSTMForecaster(scaler="standard", validation_fraction=0)``;
* ``darts``: ``BlockRNNModel(model="LSTM")`` on float32 ``TimeSeries`` scaled by
  ``Scaler(StandardScaler())``;
* ``neuralforecast``: ``LSTM(decoder_layers=1, scaler_type="identity")`` in
  ``NeuralForecast(local_scaler_type="standard")``, 256 windows of all 50 series a step and
  ``max_steps`` = the number of gradient steps of the others.

Each series ends with 96 held-out points. Measured per model size: fit, forecast of all
series from the end of training, single-series forecast from a new history (median of
~20 calls), a 4-origin backtest over the 96 held-out points without refitting (tsrnn
``score``, darts ``historical_forecasts``, neuralforecast ``cross_validation(use_fitted=True)``),
wall and process CPU seconds, windows per second, peak RSS growth (fresh subprocess per
library) and accuracy: MAE and MASE of the first 24 held-out points, MASE of the backtest.
``torch.set_num_threads(1)``; repetitions interleaved (order rotated), medians reported.

Run with the interpreter that has the peers (see ``requirements-peers.txt``)::

    /work/peers-venv/bin/python benchmarks/bench_peers.py            # 3-6 min on 2 shared cores
    /work/peers-venv/bin/python benchmarks/bench_peers.py --quick    # smoke test, ~10 s + imports
    /work/peers-venv/bin/python benchmarks/bench_peers.py --sizes tiny,medium
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not
sys.path.insert(0, str(ROOT / "benchmarks"))

from m4data import load_m4  # noqa: E402

from tsrnn import LSTMForecaster  # noqa: E402
from tsrnn._io import atomic_write_text  # noqa: E402

M4_DIR = ROOT.parent / "shared" / "data" / "m4"
WINDOW, HORIZON, BATCH, EPOCHS, LR, CLIP = 72, 24, 256, 2, 1e-3, 1.0
N_SERIES, ORIGINS = 50, 4
N_PREDICT = 3  # forecasts of all series timed per fit
TEST = ORIGINS * HORIZON  # held-out points at the end of every series
SIZES = {"tiny": (16, 1, 80), "medium": (64, 2, 40), "large": (256, 1, 10)}
# name: (hidden_size, num_layers, training windows per series)
LIBS = ("hand", "tsrnn", "darts", "neuralforecast")


# -- data ------------------------------------------------------------------------------
def load_series(n_series: int = N_SERIES) -> tuple[list[np.ndarray], str]:
    """The first ``n_series`` M4 Weekly series long enough for every size, or synthetic ones."""
    need = WINDOW + HORIZON + max(k for _, _, k in SIZES.values()) - 1 + TEST
    if (M4_DIR / "Weekly-train.csv").is_file():
        _, train, _, _ = load_m4(M4_DIR)
        return [s for s in train if len(s) >= need][:n_series], "M4 Weekly (train file)"
    print(f"{M4_DIR} not found: using a synthetic panel.", file=sys.stderr)
    rng, t = np.random.default_rng(0), np.arange(need)
    return [100 + 10 * np.sin(2 * np.pi * t / 52 + i) + rng.standard_normal(need).cumsum()
            for i in range(n_series)], "synthetic"


class Data:
    """Training parts (the last ``windows`` windows before the test part) and full series."""

    def __init__(self, series: list[np.ndarray], windows: int) -> None:
        span = WINDOW + HORIZON + windows - 1
        self.full = [s[-(span + TEST):] for s in series]
        self.train = [f[:span] for f in self.full]
        self.test = np.stack([f[span:] for f in self.full])  # (n, TEST)
        self.n_windows = len(series) * windows
        self.steps = EPOCHS * -(-self.n_windows // BATCH)  # gradient steps of a fit
        self.train_df = _long(self.train)
        self.full_df = _long(self.full)
        self.test_df = self.full_df[self.full_df["ds"] >= span].reset_index(drop=True)
        # in-sample naive error of each training part: the MASE scale (tsrnn's score too)
        self.mase_scale = np.array([np.abs(np.diff(t)).mean() for t in self.train])


def _long(series: list[np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": np.repeat([f"S{i}" for i in range(len(series))],
                                                [len(s) for s in series]),
                         "ds": np.concatenate([np.arange(len(s)) for s in series]),
                         "y": np.concatenate(series)})


def _by_id(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Forecasts of a long frame as ``(n_series, n)``, series in S0, S1, ... order."""
    frame = frame.sort_values(["unique_id", "ds"], key=_id_key)
    return frame[column].to_numpy(dtype=float).reshape(-1, n)


def _id_key(col: pd.Series) -> pd.Series:
    return col.str[1:].astype(int) if col.name == "unique_id" else col


# -- the four libraries: fit(data); predict_all() -> (n, 24); predict_one() -> (24,) for series 0;
#    backtest() -> MASE over the ORIGINS origins of the held-out part -------------------
class HandNet(nn.Module):
    def __init__(self, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(1, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, HORIZON)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def _stats(series: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    loc, scale = np.array([s.mean() for s in series]), np.array([s.std() for s in series])
    return loc, np.where(scale < 1e-8, 1.0, scale)


class Hand:
    """The minimal loop: the practical limit of the same training in plain PyTorch."""

    to_array = staticmethod(np.asarray)

    def __init__(self, hidden_size: int, num_layers: int, data: Data, workdir=None) -> None:
        self.size, self.data = (hidden_size, num_layers), data

    def fit(self) -> None:
        torch.manual_seed(0)
        self.loc, self.scale = _stats(self.data.train)
        scaled = [(s - m) / d for s, m, d in zip(self.data.train, self.loc, self.scale)]
        self.values = torch.as_tensor(np.concatenate(scaled), dtype=torch.float32)
        lengths = np.array([len(s) for s in scaled])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        starts = torch.as_tensor(np.concatenate(
            [o + np.arange(n - WINDOW - HORIZON + 1) for o, n in zip(offsets, lengths)]))
        self.ends = torch.as_tensor(offsets + lengths)
        self.net = HandNet(*self.size)
        optim = torch.optim.Adam(self.net.parameters(), lr=LR)
        generator, span = torch.Generator().manual_seed(0), torch.arange(WINDOW + HORIZON)
        for _ in range(EPOCHS):
            for idx in torch.randperm(len(starts), generator=generator).split(BATCH):
                block = self.values[starts[idx, None] + span]
                loss = nn.functional.mse_loss(self.net(block[:, :WINDOW, None]),
                                              block[:, WINDOW:])
                optim.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), CLIP)
                optim.step()
        self.net.eval()

    def _forecast(self, windows: torch.Tensor) -> np.ndarray:
        with torch.inference_mode():
            return self.net(windows[:, :, None]).numpy()

    def predict_all(self) -> np.ndarray:
        last = self.values[self.ends[:, None] - WINDOW + torch.arange(WINDOW)]
        return self._forecast(last) * self.scale[:, None] + self.loc[:, None]

    def predict_one(self) -> np.ndarray:
        history = self.data.train[0]
        (loc,), (scale,) = _stats([history])
        window = torch.as_tensor((history[-WINDOW:] - loc) / scale, dtype=torch.float32)
        return self._forecast(window[None])[0] * scale + loc

    def backtest(self) -> float:
        full = (np.stack(self.data.full) - self.loc[:, None]) / self.scale[:, None]
        origins = full.shape[1] - TEST + HORIZON * np.arange(ORIGINS)
        windows = full[:, origins[:, None] + np.arange(-WINDOW, 0)]  # (n, origins, window)
        pred = self._forecast(torch.as_tensor(windows.reshape(-1, WINDOW), dtype=torch.float32))
        pred = pred.reshape(len(full), ORIGINS, HORIZON) * self.scale[:, None, None] + \
            self.loc[:, None, None]
        return _backtest_mase(pred, self.data)


def _backtest_mase(pred: np.ndarray, data: Data) -> float:
    """Mean over series and origins of MAE / in-sample naive error (tsrnn's ``score``)."""
    actual = data.test.reshape(len(pred), ORIGINS, HORIZON)
    return float((np.abs(pred - actual).mean(axis=2) / data.mase_scale[:, None]).mean())


class Tsrnn:
    def __init__(self, hidden_size: int, num_layers: int, data: Data, workdir=None) -> None:
        self.data = data
        self.model = LSTMForecaster(
            horizon=HORIZON, window=WINDOW, scaler="standard", hidden_size=hidden_size,
            num_layers=num_layers, batch_size=BATCH, max_epochs=EPOCHS, lr=LR, grad_clip=CLIP,
            validation_fraction=0.0, device="cpu", random_state=0)
        self.one = pd.Series(data.train[0], name="y")  # tsrnn's single-series input
        self.one_long = data.train_df[data.train_df["unique_id"] == "S0"]  # as neuralforecast's

    def fit(self) -> None:
        self.model.fit(self.data.train_df)

    def predict_all(self):
        return self.model.predict()

    def predict_one(self):
        return self.model.predict(self.one)

    def predict_one_long(self):
        return self.model.predict(self.one_long)

    def backtest(self) -> float:
        return -self.model.score(self.data.test_df)

    @staticmethod
    def to_array(out) -> np.ndarray:
        return _by_id(out, "y", HORIZON) if isinstance(out, pd.DataFrame) else \
            out.to_numpy(dtype=float)


class Darts:
    def __init__(self, hidden_size: int, num_layers: int, data: Data, workdir: str) -> None:
        from darts import TimeSeries
        from darts.models import BlockRNNModel

        self.data = data
        self.train = [TimeSeries.from_values(s.astype(np.float32)) for s in data.train]
        self.full = [TimeSeries.from_values(s.astype(np.float32)) for s in data.full]
        trainer = dict(accelerator="cpu", enable_progress_bar=False, logger=False,
                       enable_model_summary=False, enable_checkpointing=False,
                       gradient_clip_val=CLIP)
        self.model = BlockRNNModel(
            model="LSTM", input_chunk_length=WINDOW, output_chunk_length=HORIZON,
            hidden_dim=hidden_size, n_rnn_layers=num_layers, batch_size=BATCH,
            n_epochs=EPOCHS, optimizer_kwargs={"lr": LR}, random_state=0, work_dir=workdir,
            pl_trainer_kwargs=trainer)

    def fit(self) -> None:
        from darts.dataprocessing.transformers import Scaler
        from sklearn.preprocessing import StandardScaler

        self.scaler = Scaler(StandardScaler())
        self.train_scaled = self.scaler.fit_transform(self.train)
        self.model.fit(self.train_scaled, verbose=False)

    def predict_all(self):
        out = self.model.predict(n=HORIZON, series=self.train_scaled, verbose=False)
        return self.scaler.inverse_transform(out)

    def predict_one(self):
        scaled = self.scaler.transform(self.train[0], series_idx=0)
        out = self.model.predict(n=HORIZON, series=scaled, verbose=False)
        return self.scaler.inverse_transform(out, series_idx=0)

    def backtest(self) -> float:
        scaled = self.scaler.transform(self.full)
        start = len(self.data.train[0])
        hist = self.model.historical_forecasts(
            scaled, start=start, start_format="position", forecast_horizon=HORIZON,
            stride=HORIZON, retrain=False, last_points_only=False, verbose=False)
        pred = np.stack([np.stack([f.values()[:, 0] for f in self.scaler.inverse_transform(
            fc, series_idx=[i] * len(fc))]) for i, fc in enumerate(hist)])
        return _backtest_mase(pred, self.data)

    @staticmethod
    def to_array(out) -> np.ndarray:
        out = out if isinstance(out, list) else [out]
        return np.stack([ts.values()[:, 0] for ts in out]).squeeze()


class Neuralforecast:
    def __init__(self, hidden_size: int, num_layers: int, data: Data, workdir: str) -> None:
        from neuralforecast import NeuralForecast
        from neuralforecast.losses.pytorch import MSE
        from neuralforecast.models import LSTM

        self.data = data
        model = LSTM(
            h=HORIZON, input_size=WINDOW, encoder_hidden_size=hidden_size,
            encoder_n_layers=num_layers, decoder_layers=1, loss=MSE(), max_steps=data.steps,
            learning_rate=LR, batch_size=N_SERIES, windows_batch_size=BATCH,
            scaler_type="identity", random_seed=0, accelerator="cpu", logger=False,
            enable_progress_bar=False, enable_model_summary=False, enable_checkpointing=False,
            gradient_clip_val=CLIP, default_root_dir=workdir)
        self.nf = NeuralForecast(models=[model], freq=1, local_scaler_type="standard")
        self.one = data.train_df[data.train_df["unique_id"] == "S0"]

    def fit(self) -> None:
        self.nf.fit(df=self.data.train_df)

    def predict_all(self):
        return self.nf.predict()

    def predict_one(self):
        return self.nf.predict(df=self.one)

    def backtest(self) -> float:
        cv = self.nf.cross_validation(df=self.data.full_df, n_windows=ORIGINS,
                                      step_size=HORIZON, use_fitted=True, refit=False)
        pred = _by_id(cv, "LSTM", TEST).reshape(-1, ORIGINS, HORIZON)
        return _backtest_mase(pred, self.data)

    @staticmethod
    def to_array(out) -> np.ndarray:
        return _by_id(out, "LSTM", HORIZON).squeeze()


CLASSES = {"hand": Hand, "tsrnn": Tsrnn, "darts": Darts, "neuralforecast": Neuralforecast}


# -- measuring -------------------------------------------------------------------------
def timed(fn, collect: bool = True):
    """Wall seconds, process CPU seconds and result of ``fn()`` (after a full collection)."""
    if collect:
        gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def build(lib: str, size: str, data: Data, workdir: str):
    hidden_size, num_layers, _ = SIZES[size]
    return CLASSES[lib](hidden_size, num_layers, data, workdir)


def run_once(lib: str, size: str, data: Data, workdir: str, n_latency: int) -> dict:
    """One fit of ``lib`` and its predictions, timed; accuracy of the first held-out horizon."""
    model = build(lib, size, data, workdir)
    fit_s, fit_cpu, _ = timed(model.fit)
    record = dict(fit_s=fit_s, fit_cpu_s=fit_cpu)
    timings = [("predict", model.predict_all, N_PREDICT), ("latency", model.predict_one,
                                                            n_latency)]
    if hasattr(model, "predict_one_long"):
        timings.append(("latency_long", model.predict_one_long, n_latency))
    for name, fn, calls in timings:
        runs = [timed(fn, collect=False) for _ in range(calls)]  # back to back, as in use
        record[f"{name}_s"], record[f"{name}_cpu_s"] = [r[0] for r in runs], [r[1] for r in runs]
    out, one = model.predict_all(), model.predict_one()
    assert model.to_array(one).size == HORIZON, lib
    backtest_s, backtest_cpu, backtest_mase = timed(model.backtest)
    error = np.abs(model.to_array(out) - data.test[:, :HORIZON])
    return dict(record, backtest_s=backtest_s, backtest_cpu_s=backtest_cpu,
                mae=float(error.mean()),
                mase=float((error.mean(axis=1) / data.mase_scale).mean()),
                backtest_mase=backtest_mase, threads=torch.get_num_threads())


def warm_up(libs, size: str, series, workdir: str) -> None:
    """Untimed fit and predictions on 5 short series: first-call set-up of each library."""
    small = Data(series[:5], 10)
    for lib in libs:
        run_once(lib, size, small, workdir, 1)


def bench_size(size: str, libs, series, workdir: str, args) -> dict:
    """Interleaved repetitions (order rotated each time) and their medians."""
    data = Data(series, SIZES[size][2])
    warm_up(libs, size, series, workdir)
    runs = {lib: [] for lib in libs}
    for rep in range(args.reps):
        for lib in libs[rep % len(libs):] + libs[:rep % len(libs)]:
            runs[lib].append(run_once(lib, size, data, workdir, args.latency_calls))
            print(f"  {size} rep {rep + 1} {lib}: fit {runs[lib][-1]['fit_s']:.2f} s",
                  file=sys.stderr)
    return summarise(size, data, runs)


def _median(runs: list, key: str) -> float:
    values = [v for r in runs for v in (r[key] if isinstance(r[key], list) else [r[key]])]
    return statistics.median(values)


def summarise(size: str, data: Data, runs: dict) -> dict:
    """Medians per library, ratios to the hand loop (fit: median of paired ratios)."""
    hidden_size, num_layers, per_series = SIZES[size]
    result = dict(size=size, hidden_size=hidden_size, num_layers=num_layers,
                  n_series=len(data.train), windows_per_series=per_series,
                  n_windows=data.n_windows, gradient_steps=data.steps, libraries={})
    keys = ("fit_s", "fit_cpu_s", "predict_s", "predict_cpu_s", "latency_s", "latency_cpu_s",
            "backtest_s", "backtest_cpu_s", "mae", "mase", "backtest_mase")
    for lib, lib_runs in runs.items():
        med = {k: _median(lib_runs, k) for k in keys}
        for key in ("latency_long_s", "latency_long_cpu_s"):
            if key in lib_runs[0]:
                med[key] = _median(lib_runs, key)
        med["windows_per_s"] = EPOCHS * data.n_windows / med["fit_s"]
        for key in ("fit_s", "fit_cpu_s"):
            med[key.replace("_s", "_ratio")] = statistics.median(
                [r[key] / h[key] for r, h in zip(lib_runs, runs["hand"])])
        for key in keys[2:]:
            med[key.replace("_s", "") + "_ratio"] = med[key] / _median(runs["hand"], key)
        result["libraries"][lib] = dict(median=med, runs=lib_runs)
    return result


def targets(result: dict) -> dict:
    """The issue's targets: fit <= 1.05x and predict <= 1.2x the hand loop; single-series
    predict >= 7x faster than each peer."""
    libs = result["libraries"]
    tsrnn = libs["tsrnn"]["median"]
    out = {}
    for clock in ("", "_cpu"):  # wall clock, and process CPU time (less hit by other jobs)
        out[f"fit{clock}_ratio"] = tsrnn[f"fit{clock}_ratio"]
        out[f"fit{clock}_ok"] = tsrnn[f"fit{clock}_ratio"] <= 1.05
        out[f"predict{clock}_ratio"] = tsrnn[f"predict{clock}_ratio"]
        out[f"predict{clock}_ok"] = tsrnn[f"predict{clock}_ratio"] <= 1.2
        for peer in ("darts", "neuralforecast"):
            if peer in libs:
                speedup = libs[peer]["median"][f"latency{clock}_s"] / tsrnn[f"latency{clock}_s"]
                out[f"latency{clock}_speedup_vs_{peer}"] = speedup
                out[f"latency{clock}_ok_vs_{peer}"] = speedup >= 7
    return out


# -- peak memory: each library in a fresh subprocess --------------------------------------
def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:  # Linux
        return int(next(r for r in status if r.startswith(field + ":")).split()[1]) / 1024


def memory_child(lib: str, sizes: list, workdir: str) -> None:
    """Print, as JSON, the peak RSS growth (MiB) of one fit + forecast per size, and the
    process peak (imports included). A warm-up on 5 short series comes first; the
    high-water mark is then reset to the current RSS (not ``ru_maxrss``, which a child
    inherits from its parent)."""
    series, _ = load_series()
    out = {}
    for size in sizes:
        warm_up([lib], size, series, workdir)
        model = build(lib, size, Data(series, SIZES[size][2]), workdir)
        gc.collect()
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # VmHWM := VmRSS
        before = _status_mib("VmRSS")
        model.fit()
        model.predict_all()
        out[size] = _status_mib("VmHWM") - before
    out["process_peak"] = _status_mib("VmHWM")
    print(json.dumps(out))


def peak_rss(lib: str, sizes: list, workdir: str) -> dict:
    cmd = [sys.executable, __file__, "--memory-child", lib, "--sizes", ",".join(sizes)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if run.returncode:
        raise RuntimeError(f"memory child of {lib} failed:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def add_memory(results: list, lib: str, rss: dict) -> None:
    for r in results:
        r["libraries"][lib]["median"]["peak_rss_mib"] = rss[r["size"]]
        r["libraries"][lib]["median"]["process_peak_rss_mib"] = rss["process_peak"]


# -- reporting -----------------------------------------------------------------------------
def environment(libs) -> dict:
    from importlib.metadata import version

    env = dict(python=platform.python_version(), platform=platform.platform(),
               cpu_count=os.cpu_count(), torch_threads=torch.get_num_threads(),
               load_average=os.getloadavg())
    for package in ("torch", "numpy", "pandas", "tsrnn", "darts", "neuralforecast",
                    "pytorch-lightning"):
        if package in ("darts", "neuralforecast") and package not in libs:
            continue
        env[package] = version(package)
    return env


def print_table(results: list) -> None:
    """Medians (times wall clock unless marked cpu; x: ratio to the hand loop)."""
    cols = {"fit s": "fit_s", "fit x": "fit_ratio", "cpu x": "fit_cpu_ratio",
            "win/s": "windows_per_s", "pred ms": "predict_s", "pred x": "predict_ratio",
            "one ms": "latency_s", "one cpu": "latency_cpu_s", "backt ms": "backtest_s",
            "MiB": "peak_rss_mib", "MAE": "mae", "MASE": "mase", "bt MASE": "backtest_mase"}
    print(f"{'size':<7}{'library':<15}" + "".join(f"{c:>9}" for c in cols))
    for r in results:
        for lib, entry in r["libraries"].items():
            m = entry["median"]
            row = [m.get(key, float("nan")) * (1e3 if col.endswith(("ms", "cpu")) else 1)
                   for col, key in cols.items()]
            print(f"{r['size']:<7}{lib:<15}" + "".join(f"{v:>9.3g}" for v in row))
        print(f"{'':<7}targets: " + ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in r["targets"].items()))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: tiny size, 1 repetition, 5 latency calls, no memory")
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help=f"comma-separated, of {','.join(SIZES)} (default: all)")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--latency-calls", type=int, default=7,
                        help="single-series predictions timed per repetition")
    parser.add_argument("--no-memory", action="store_true", help="skip the RSS subprocesses")
    parser.add_argument("--out", type=Path, help="JSON output (default: benchmarks/results/"
                        "peers_cpu.json, peers_cpu_quick.json with --quick)")
    parser.add_argument("--memory-child", metavar="LIB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {list(SIZES)}")
    if args.quick:
        args.sizes, args.reps, args.latency_calls, args.no_memory = ["tiny"], 1, 5, True
    return args


def import_peers(names=("darts", "neuralforecast")) -> list:
    """Import the peers that can be imported; then silence their seed messages and
    warnings (after the import, which sets Lightning's logger levels)."""
    warnings.filterwarnings("ignore")
    peers = []
    for peer in names:
        try:
            importlib.import_module(peer)
            peers.append(peer)
        except Exception as exc:  # a broken install counts as absent
            print(f"{peer} is not importable ({type(exc).__name__}: {exc})", file=sys.stderr)
    for name in ("lightning", "pytorch_lightning", "lightning.pytorch", "lightning_fabric",
                 "darts", "neuralforecast"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return peers


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as workdir:  # Lightning's files
        run(args, workdir)


def run(args, workdir: str) -> None:
    if args.memory_child:  # imports only the library measured
        import_peers([p for p in ("darts", "neuralforecast") if p == args.memory_child])
        memory_child(args.memory_child, args.sizes, workdir)
        return
    peers = import_peers()
    if not peers:
        print("darts and neuralforecast are not importable: nothing to compare against; "
              "install benchmarks/requirements-peers.txt (with -c constraints.txt).")
        return
    libs = [lib for lib in LIBS if lib in ("hand", "tsrnn") or lib in peers]
    series, source = load_series()
    start, results = time.perf_counter(), []
    for size in args.sizes:
        result = bench_size(size, libs, series, workdir, args)
        result["targets"] = targets(result)
        results.append(result)
    if not args.no_memory:
        for lib in libs:
            add_memory(results, lib, peak_rss(lib, args.sizes, workdir))
    print_table(results)
    config = dict(data=source, n_series=len(series), window=WINDOW, horizon=HORIZON,
                  batch_size=BATCH, epochs=EPOCHS, lr=LR, grad_clip=CLIP, origins=ORIGINS,
                  reps=args.reps, latency_calls=args.latency_calls, quick=args.quick,
                  seconds=time.perf_counter() - start)
    out = args.out or ROOT / "benchmarks" / "results" / \
        ("peers_cpu_quick.json" if args.quick else "peers_cpu.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(dict(benchmark="peers", config=config,
                                   environment=environment(libs), results=results),
                              indent=2) + "\n")
    print(f"written to {out} ({config['seconds']:.0f} s)")


if __name__ == "__main__":
    main()

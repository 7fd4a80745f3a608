"""Training speed: tsrnn's ``LSTMRegressor`` against a minimal hand-written PyTorch loop.

Both variants get the same windows, network (LSTM, batch_first, linear head on the last
state), optimiser (Adam, lr 1e-3), loss (MSE), gradient-norm clipping (1.0), batch size and
epochs. Both timed regions start from the raw float64 numpy arrays and include the
standardisation of X and y, the copy to a float32 tensor, building the network and the
whole training run; generating the data is excluded. Repetitions are interleaved (the order
of the pair alternates) after one untimed warm-up fit of each variant per size (on 2
batches), and medians are reported, of wall time and of process CPU time. Peak memory:
``torch.cuda.max_memory_allocated`` on a GPU; on a CPU the growth of the peak resident set
size (``VmHWM``, Linux) during one fit in a fresh subprocess.

Run from the repository root::

    python benchmarks/bench_training.py         # full run -> benchmarks/results/training_cpu.json
    python benchmarks/bench_training.py --quick # 1 repetition, tiny model (CI smoke)
    python benchmarks/bench_training.py --threads 1 --sizes tiny large
    python benchmarks/bench_training.py --device cuda --precision bf16 \\
        --out benchmarks/results/training_cuda_bf16.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not

from tsrnn import LSTMRegressor  # noqa: E402
from tsrnn._io import atomic_write_text  # noqa: E402

WINDOW, HORIZON, BATCH_SIZE, EPOCHS, LR, GRAD_CLIP = 72, 24, 256, 3, 1e-3, 1.0
SIZES = {  # name: (hidden_size, num_layers, n_windows)
    "tiny": (16, 1, 4096),
    "medium": (64, 2, 4096),
    "large": (256, 1, 256),  # fewer windows (one batch an epoch) to keep the run short
}
AUTOCAST = {"32": None, "bf16": torch.bfloat16, "16": torch.float16}
VARIANTS = ("tsrnn", "hand")


def make_data(n_windows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Windows ``X`` (n, 72, 1) and direct multi-step targets ``y`` (n, 24), float64."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_windows + WINDOW + HORIZON - 1)
    series = (10 + np.sin(2 * np.pi * t / 24) + 0.5 * np.sin(2 * np.pi * t / 168)
              + 0.3 * rng.standard_normal(len(t)))
    spans = np.lib.stride_tricks.sliding_window_view(series, WINDOW + HORIZON)
    return spans[:, :WINDOW, None].copy(), spans[:, WINDOW:].copy()


class HandNet(nn.Module):
    """The network of the hand loop: ``nn.LSTM`` then a linear head on the last state."""

    def __init__(self, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(1, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, HORIZON)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x)  # (batch, time, hidden)
        return self.head(states[:, -1])  # (batch, horizon)


def fit_hand(X, y, hidden_size, num_layers, device, precision):
    """The minimal loop tsrnn is measured against; returns a predict function."""
    torch.manual_seed(0)
    x_mean, x_std = X.mean(), X.std()
    y_mean, y_std = y.mean(axis=0), y.std(axis=0)
    xt = torch.as_tensor((X - x_mean) / x_std, dtype=torch.float32, device=device)
    yt = torch.as_tensor((y - y_mean) / y_std, dtype=torch.float32, device=device)
    model = HandNet(hidden_size, num_layers).to(device)
    optim = torch.optim.Adam(model.parameters(), lr=LR)
    scaler = torch.amp.GradScaler(device.type, enabled=precision == "16")
    dtype = AUTOCAST[precision]
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(xt), device=device).split(BATCH_SIZE):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                out = model(xt[idx])
            loss = nn.functional.mse_loss(out.float(), yt[idx])
            optim.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optim)
            nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
            scaler.step(optim)
            scaler.update()
    loss.item()  # wait for the device

    def predict(Xnew):
        with torch.inference_mode():
            xn = torch.as_tensor((Xnew - x_mean) / x_std, dtype=torch.float32, device=device)
            return model.eval()(xn).float().cpu().numpy() * y_std + y_mean
    return predict


def fit_tsrnn(X, y, hidden_size, num_layers, device, precision):
    """The same training through tsrnn; returns a predict function."""
    reg = LSTMRegressor(hidden_size=hidden_size, num_layers=num_layers, batch_size=BATCH_SIZE,
                        max_epochs=EPOCHS, lr=LR, grad_clip=GRAD_CLIP, device=str(device),
                        precision=precision, random_state=0)
    return reg.fit(X, y).predict


FITS = {"tsrnn": fit_tsrnn, "hand": fit_hand}


def timed_fit(variant, X, y, size, device, precision) -> tuple:
    """Wall and process CPU seconds of one fit, the CUDA peak memory in MiB (None on CPU),
    and the predict function."""
    hidden_size, num_layers, _ = SIZES[size]
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    start, cpu_start = time.perf_counter(), time.process_time()
    predict = FITS[variant](X, y, hidden_size, num_layers, device, precision)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = (torch.cuda.max_memory_allocated() - base) / 2**20 if device.type == "cuda" else None
    return seconds, cpu_seconds, peak, predict


def cpu_peak_rss(variant: str, size: str, args) -> float:
    """Growth of the peak RSS (MiB) during one fit, in a fresh subprocess."""
    cmd = [sys.executable, __file__, "--memory-child", variant, size,
           "--precision", args.precision, "--threads", str(args.threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def _proc_status_mib(field: str) -> float:
    """A memory figure of this process from ``/proc/self/status`` (Linux), in MiB."""
    with open("/proc/self/status") as status:
        line = next(row for row in status if row.startswith(field + ":"))
    return int(line.split()[1]) / 1024  # kB


def memory_child(variant: str, size: str, precision: str) -> None:
    """Body of the memory subprocess: print the peak RSS growth of one fit in MiB.

    A warm-up fit on 8 windows first pages in torch's kernel code (not the fit's data); the
    high-water mark is then reset to the current RSS and read back after the fit. Not
    ``ru_maxrss``: Linux carries it over from the parent through fork and exec, so a child
    of a big process reports the parent's peak.
    """
    X, y = make_data(SIZES[size][2])
    FITS[variant](X[:8], y[:8], *SIZES[size][:2], torch.device("cpu"), precision)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # reset the peak RSS (VmHWM) to the current RSS
    before = _proc_status_mib("VmRSS")
    FITS[variant](X, y, *SIZES[size][:2], torch.device("cpu"), precision)
    print(_proc_status_mib("VmHWM") - before)


def run_reps(X, y, size: str, device, args) -> dict:
    """Interleaved timed fits of both variants: ``{variant: {"wall": [...], ...}}``."""
    runs = {v: dict(wall=[], cpu=[], peak=[]) for v in VARIANTS}
    for variant in VARIANTS:  # untimed warm-up on 2 batches: first-call set-up of the kernels
        timed_fit(variant, X[:2 * BATCH_SIZE], y[:2 * BATCH_SIZE], size, device, args.precision)
    for rep in range(args.reps):
        for variant in VARIANTS if rep % 2 == 0 else VARIANTS[::-1]:
            wall, cpu, peak, predict = timed_fit(variant, X, y, size, device, args.precision)
            runs[variant]["wall"].append(wall)
            runs[variant]["cpu"].append(cpu)
            runs[variant]["peak"].append(peak)
            runs[variant]["predict"] = predict
    return runs


def bench_size(size: str, device, args) -> dict:
    """Medians, paired ratios, throughput, peak memory and fit quality on one model size."""
    hidden_size, num_layers, n_windows = SIZES[size]
    X, y = make_data(n_windows)
    runs = run_reps(X, y, size, device, args)
    a, b = runs["tsrnn"], runs["hand"]
    result = dict(size=size, hidden_size=hidden_size, num_layers=num_layers,
                  n_windows=n_windows, ratios=[t / h for t, h in zip(a["wall"], b["wall"])],
                  cpu_ratios=[t / h for t, h in zip(a["cpu"], b["cpu"])])
    result["ratio_median"] = statistics.median(result["ratios"])
    result["cpu_ratio_median"] = statistics.median(result["cpu_ratios"])
    for variant, run in runs.items():
        median = statistics.median(run["wall"])
        peak = cpu_peak_rss(variant, size, args) if device.type == "cpu" else max(run["peak"])
        result[variant] = dict(
            seconds_median=median, seconds=run["wall"],
            cpu_seconds_median=statistics.median(run["cpu"]), cpu_seconds=run["cpu"],
            windows_per_s=n_windows * EPOCHS / median, peak_memory_mib=peak,
            train_mse=float(np.mean((run["predict"](X) - y) ** 2)))  # fit quality, untimed
    return result


def environment(device, threads: int) -> dict:
    """What the figures depend on."""
    env = dict(torch=torch.__version__, numpy=np.__version__,
               python=platform.python_version(), platform=platform.platform(),
               machine=platform.machine(), processor=platform.processor(),
               cpu_count=os.cpu_count(), torch_threads=threads, device=str(device))
    if device.type == "cuda":
        env["gpu"] = torch.cuda.get_device_name(device)
    return env


def print_table(results: list[dict]) -> None:
    """A readable table of the medians."""
    head = (f"{'size':<7}{'windows':>8}{'tsrnn s':>9}{'hand s':>9}{'ratio':>7}"
            f"{'cpu ratio':>10}{'tsrnn win/s':>13}{'hand win/s':>12}{'tsrnn MiB':>11}"
            f"{'hand MiB':>10}{'tsrnn MSE':>11}{'hand MSE':>10}")
    print(head)
    print("-" * len(head))
    for r in results:
        a, b = r["tsrnn"], r["hand"]
        print(f"{r['size']:<7}{r['n_windows']:>8}{a['seconds_median']:>9.2f}"
              f"{b['seconds_median']:>9.2f}{r['ratio_median']:>7.2f}"
              f"{r['cpu_ratio_median']:>10.2f}{a['windows_per_s']:>13,.0f}"
              f"{b['windows_per_s']:>12,.0f}{a['peak_memory_mib']:>11.1f}"
              f"{b['peak_memory_mib']:>10.1f}"
              f"{a['train_mse']:>11.4f}{b['train_mse']:>10.4f}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 repetition, tiny model only")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--precision", choices=tuple(AUTOCAST), default="32")
    parser.add_argument("--sizes", nargs="+", choices=tuple(SIZES), default=list(SIZES),
                        help="model sizes to run (default: all)")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per variant")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="torch.set_num_threads for both variants (default: torch's)")
    parser.add_argument("--out", type=Path, help="JSON output (default: benchmarks/results/"
                        "training_<device>[_<precision>][_quick].json)")
    parser.add_argument("--memory-child", nargs=2, metavar=("VARIANT", "SIZE"),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def check_device(args) -> torch.device:
    """The device, refusing settings where tsrnn would fall back and the hand loop not."""
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda was asked for, but CUDA is not available.")
    if args.precision == "16" and args.device == "cpu":
        raise SystemExit("--precision 16 (fp16 mixed precision) needs --device cuda.")
    if args.precision == "bf16" and args.device == "cuda" and not torch.cuda.is_bf16_supported():
        raise SystemExit("this GPU does not support bf16.")
    return torch.device(args.device)


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.memory_child:
        memory_child(*args.memory_child, args.precision)
        return
    device = check_device(args)
    sizes = ["tiny"] if args.quick else args.sizes
    args.reps = 1 if args.quick else args.reps
    name = "training_" + "_".join([args.device] + [args.precision] * (args.precision != "32")
                                  + ["quick"] * args.quick)
    out = args.out or ROOT / "benchmarks" / "results" / f"{name}.json"
    results = []
    for size in sizes:
        results.append(bench_size(size, device, args))
        print(f"{size}: done ({results[-1]['ratio_median']:.2f}x)", file=sys.stderr)
    print_table(results)
    config = dict(window=WINDOW, horizon=HORIZON, n_features=1, batch_size=BATCH_SIZE,
                  epochs=EPOCHS, lr=LR, grad_clip=GRAD_CLIP, precision=args.precision,
                  reps=args.reps, quick=args.quick)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = dict(benchmark="training", config=config,
                  environment=environment(device, args.threads), results=results)
    atomic_write_text(out, json.dumps(report, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()

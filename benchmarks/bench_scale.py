"""Scale benchmark: does the cost of every step grow linearly with the number of series?

Generated M4-like panels (series lengths drawn like M4's, see ``m4_lengths``) of 1k, 10k
and 100k series, each measured in a fresh process (so that its peak memory is its own):

- ``validate``: ``NaiveForecaster.fit`` (input validation and the panel layout: the naive
  method learns nothing);
- ``naive_predict``, ``snaive_fit``/``snaive_predict``: baselines on every series;
- ``gru_fit_epoch``: one epoch of a global GRU (``max_windows_per_series`` caps the
  training windows; the 10 % held-out windows are evaluated too), and its ``predict`` of
  every series;
- ``backtest_naive`` (3 origins, refit) and ``backtest_gru`` (3 origins, fitted once,
  ``refit=False``);
- ``theta_fit_predict`` (statsmodels, one fit per series) up to ``--stats-max`` series;
- ``baselines_peak_rss_mb``, ``neural_peak_rss_mb``: peak resident memory of the process
  that ran the baseline steps, and of the one that ran the neural steps.

Then predict of a GRU fitted once (on 1,000 series) from histories of 1k to 1M series
(``predict_sizes``; each history capped to its last ``4 * window`` points: a global model
reads only the last window).

For each step, the growth exponent ``b`` of ``time ~ n_series ** b`` is fitted by least
squares on log-log (``exponent``) and between the two largest sizes (``exponent_last``).
Results go to ``benchmarks/results/scale.json``.

Run from the repository root (one torch thread; each size a few minutes at most)::

    python benchmarks/bench_scale.py                          # 1k, 10k, 100k; predict to 1M
    python benchmarks/bench_scale.py --sizes 1000,10000 --predict-sizes 1000,10000
    python benchmarks/bench_scale.py --sizes 100000 --predict-sizes "" --merge OUT.json
    python benchmarks/bench_scale.py --threads idle   # 1 vs 2 torch threads (and busy)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from tsrnn._io import atomic_write_text

HERE = Path(__file__).resolve().parent
HORIZON, WINDOW, SEASON = 13, 26, 7

# M4 (100,000 series): per frequency, the number of series and the (min, median, max)
# length of the training series (Makridakis et al., 2020, table 2 and the data files).
M4_FREQUENCIES = {  # name: (n_series, min, median, max)
    "yearly": (23_000, 13, 29, 835),
    "quarterly": (24_000, 16, 88, 866),
    "monthly": (48_000, 42, 202, 2794),
    "weekly": (359, 80, 934, 2597),
    "daily": (4_227, 93, 2940, 9919),
    "hourly": (414, 700, 960, 960),
}


def m4_lengths(n: int, rng: np.random.Generator, cap: int | None = None) -> np.ndarray:
    """Series lengths drawn like M4's: a frequency in M4's proportions, then a log-normal
    length with that frequency's median, clipped to its range (mean about 240)."""
    names = list(M4_FREQUENCIES)
    counts = np.array([M4_FREQUENCIES[k][0] for k in names], dtype=float)
    which = rng.choice(len(names), size=n, p=counts / counts.sum())
    lo, med, hi = (np.array([M4_FREQUENCIES[k][i] for k in names])[which] for i in (1, 2, 3))
    lengths = np.clip(np.round(med * np.exp(rng.normal(0, 0.5, n))), lo, hi).astype(np.int64)
    lengths = np.maximum(lengths, 2 * WINDOW + 2 * HORIZON)  # every series trains
    return lengths if cap is None else np.minimum(lengths, cap)


def make_panel(n: int, seed: int = 0, cap: int | None = None) -> pd.DataFrame:
    """Long format ``unique_id, ds, y``: positive daily series (level, trend, a weekly
    season, noise) all ending on the same day, with M4-like lengths."""
    rng = np.random.default_rng(seed)
    lengths = m4_lengths(n, rng, cap)
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    step = np.arange(total) - np.repeat(ends - lengths, lengths)  # 0..len-1 in each series
    back = np.repeat(lengths, lengths) - 1 - step  # days before the common last day
    level = np.repeat(rng.uniform(10, 1000, n), lengths)
    slope = np.repeat(rng.normal(0, 0.5, n), lengths) / np.repeat(lengths, lengths)
    amp = np.repeat(rng.uniform(0.05, 0.3, n), lengths)
    y = level * (1 + slope * step + amp * np.sin(2 * np.pi * step / SEASON)
                 + 0.05 * rng.standard_normal(total))
    ds = pd.Timestamp("2024-12-31") - pd.to_timedelta(back, unit="D")
    return pd.DataFrame({"unique_id": np.repeat(np.arange(n), lengths), "ds": ds,
                         "y": np.abs(y) + 1.0})


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _timed_peak(fn):
    """``(result, seconds, peak resident MB while fn ran)``: RSS sampled every 20 ms."""
    import threading

    peak, done = [_rss_mb()], threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, seconds = _timed(fn)
    finally:
        done.set()
        sampler.join()
    return out, seconds, max(peak[0], _rss_mb())


def _gru(**kw):
    from tsrnn.forecasting import GRUForecaster

    params = dict(horizon=HORIZON, window=WINDOW, hidden_size=32, batch_size=512,
                  max_epochs=1, max_windows_per_series=8, random_state=0, n_threads=1)
    return GRUForecaster(**{**params, **kw})


def _warm_up() -> None:
    """Import lazily loaded modules and run every path once on a tiny panel, so that the
    first measured size does not pay for imports."""
    from tsrnn.forecasting import NaiveForecaster
    from tsrnn.model_selection import backtest

    tiny = make_panel(20, seed=3)
    backtest(NaiveForecaster(horizon=HORIZON), tiny, n_origins=3)
    backtest(_gru(), tiny, n_origins=3, refit=False)


def run_fit_size(n: int, part: str, stats_max: int) -> dict:
    """The baseline or the neural steps on a panel of ``n`` series (in this process)."""
    from tsrnn.forecasting import NaiveForecaster, SeasonalNaiveForecaster, ThetaForecaster
    from tsrnn.model_selection import backtest

    _warm_up()
    panel, gen = _timed(lambda: make_panel(n))
    out = {"n_series": n, "n_points": len(panel), "generate": gen}
    if part == "neural":
        gru, fit_time = _timed(lambda: _gru().fit(panel))
        out["gru_fit_epoch"] = fit_time
        out["gru_epoch_engine"] = gru.history_[0]["time"]  # the epoch alone (train + valid)
        _, out["gru_predict"] = _timed(gru.predict)
        _, out["backtest_gru"] = _timed(
            lambda: backtest(_gru(), panel, n_origins=3, refit=False))
        out["neural_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out
    naive, out["validate"] = _timed(lambda: NaiveForecaster(horizon=HORIZON).fit(panel))
    _, out["naive_predict"] = _timed(naive.predict)
    snaive, out["snaive_fit"] = _timed(
        lambda: SeasonalNaiveForecaster(horizon=HORIZON, season_length=SEASON).fit(panel))
    _, out["snaive_predict"] = _timed(snaive.predict)
    _, out["backtest_naive"] = _timed(
        lambda: backtest(NaiveForecaster(horizon=HORIZON), panel, n_origins=3))
    if n <= stats_max:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, out["theta_fit_predict"] = _timed(
                lambda: ThetaForecaster(horizon=HORIZON, season_length=SEASON)
                .fit(panel).predict())
    out["baselines_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_predict_size(n: int) -> dict:
    """Predict of a global GRU (fitted on 1,000 series) from histories of ``n`` series."""
    model = _gru(max_epochs=2).fit(make_panel(1000, seed=1))
    model.predict(X=make_panel(20, seed=3, cap=4 * WINDOW))  # warm-up
    history, gen = _timed(lambda: make_panel(n, seed=2, cap=4 * WINDOW))
    rss_before = _rss_mb()
    pred, seconds, peak = _timed_peak(lambda: model.predict(X=history))
    assert len(pred) == n * HORIZON and np.isfinite(pred["y"]).all()
    return {"n_series": n, "n_points": len(history), "generate": gen,
            "gru_predict_history": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_predict_mb": rss_before, "predict_peak_rss_mb": peak,
            "predict_extra_mb": peak - rss_before}


THREAD_CONFIGS = ((16, 64), (64, 64), (64, 256), (128, 256), (256, 512))


def step_ms(hidden: int, batch: int, threads: int, steps: int = 15, window: int = 24) -> float:
    """Milliseconds per training step (GRU + linear head, Adam) on ``threads`` threads."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    gru, head = nn.GRU(1, hidden, batch_first=True), nn.Linear(hidden, 1)
    opt = torch.optim.Adam([*gru.parameters(), *head.parameters()])
    x, y = torch.randn(batch, window, 1), torch.randn(batch, 1)

    def step():
        loss = ((head(gru(x)[0][:, -1]) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3


def thread_table(busy: bool, save=None) -> list[dict]:
    """1 against 2 torch threads per model size, best of 3; ``busy`` adds two processes
    spinning on the CPU (a loaded 2-core machine)."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(2 if busy else 0)]
    rows = []
    try:
        for hidden, batch in THREAD_CONFIGS:
            weights = 3 * hidden * (1 + hidden) + 6 * hidden  # GRU weights and biases
            times = {t: min(step_ms(hidden, batch, t) for _ in range(3)) for t in (1, 2)}
            rows.append({"cores": "busy" if busy else "idle", "hidden": hidden,
                         "batch": batch, "work_per_step": batch * weights,
                         "ms_1_thread": times[1], "ms_2_threads": times[2],
                         "ratio_2_over_1": times[2] / times[1]})
            print(json.dumps(rows[-1]), flush=True)
            if save is not None:  # after every size: a long run stopped keeps its rows
                save(rows)
    finally:
        for proc in spinners:
            proc.kill()
    return rows


def exponents(rows: list[dict], key: str) -> dict:
    """``b`` of ``time ~ n ** b``: least squares on log-log, and the last two sizes."""
    pts = [(r["n_series"], r[key]) for r in rows if r.get(key)]
    if len(pts) < 2:
        return {}
    n, t = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return {"exponent": float(np.polyfit(n, t, 1)[0]),
            "exponent_last": float((t[-1] - t[-2]) / (n[-1] - n[-2]))}


def _merged(old: list, new: list) -> list:
    """Rows by ``n_series`` (the newer wins), sorted by size."""
    rows = {r["n_series"]: r for r in old}
    rows.update({r["n_series"]: r for r in new})
    return [rows[n] for n in sorted(rows)]


def _child(kind: str, n: int, stats_max: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, __file__, "--child", kind, str(n), "--stats-max", str(stats_max)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"{kind} {n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--predict-sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--stats-max", type=int, default=1000,
                        help="largest panel the Theta baseline runs on (statsmodels)")
    parser.add_argument("--out", default=str(HERE / "results" / "scale.json"))
    parser.add_argument("--threads", choices=("idle", "busy"),
                        help="only the 1-vs-2-thread training steps, on idle cores or with "
                             "two spinning processes (results/threads_<mode>.json)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--merge", nargs="*", default=(),
                        help="earlier result files whose sizes are added to this run's")
    args = parser.parse_args()
    if args.threads:
        out = HERE / "results" / f"threads_{args.threads}.json"
        thread_table(busy=args.threads == "busy",
                            save=lambda rows: atomic_write_text(out, json.dumps(
                                {"load_avg": os.getloadavg(), "rows": rows}, indent=1)))
        return
    if args.child:
        import torch

        torch.set_num_threads(1)
        kind, n = args.child[0], int(args.child[1])
        result = run_predict_size(n) if kind == "predict" else \
            run_fit_size(n, kind, args.stats_max)
        print(json.dumps(result))
        return

    fit_rows, predict_rows = [], []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        row = _child("baselines", n, args.stats_max)
        row.update(_child("neural", n, args.stats_max))
        fit_rows.append(row)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in fit_rows[-1].items()}), flush=True)
    for n in [int(s) for s in args.predict_sizes.split(",") if s]:
        predict_rows.append(_child("predict", n, args.stats_max))
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in predict_rows[-1].items()}), flush=True)
    for path in args.merge:  # sizes measured by earlier runs (each run under 5 minutes)
        earlier = json.loads(Path(path).read_text())
        fit_rows = _merged(earlier["fit_sizes"], fit_rows)
        predict_rows = _merged(earlier["predict_sizes"], predict_rows)
    steps = [k for k in (fit_rows[-1] if fit_rows else {})
             if k not in ("n_series", "n_points", "generate")]
    growth = {k: exponents(fit_rows, k) for k in steps}
    growth["gru_predict_history"] = exponents(predict_rows, "gru_predict_history")
    growth["predict_peak_rss_mb"] = exponents(predict_rows, "peak_rss_mb")
    growth["predict_extra_mb"] = exponents(predict_rows, "predict_extra_mb")
    import torch

    result = {"machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                          "torch": torch.__version__, "torch_threads": 1,
                          "load_avg_at_end": os.getloadavg()},
              "setup": {"horizon": HORIZON, "window": WINDOW, "season": SEASON,
                        "gru": "hidden 32, batch 512, max_windows_per_series 8, "
                               "validation_fraction 0.1, 1 epoch"},
              "fit_sizes": fit_rows, "predict_sizes": predict_rows, "growth": growth}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=1))
    print(json.dumps(growth, indent=1))


if __name__ == "__main__":
    main()

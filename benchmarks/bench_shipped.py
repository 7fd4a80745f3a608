"""Zero-configuration recurrent forecasters against the classical baselines on the datasets
shipped in ``tsrnn.datasets``, and per-series baseline fit time against one global fit.

Usage::

    python benchmarks/bench_shipped.py [--parts shipped,m4hourly] [--datasets ett,m4_finance]
        [--models gru,lstm,snaive,naive,ets,theta,mstl] [--origins N] [--series N]
        [--quick] [--out benchmarks/results/shipped.json]

Every model gets only ``horizon`` (and ``random_state=0`` for the neural ones); the
frequency is on the data, so seasons, windows and training budgets are the defaults.

``shipped``: each dataset of ``tsrnn.datasets.list_datasets()``, backtested with
``tsrnn.model_selection.backtest`` over ``--origins`` consecutive origins at the end of the
data (``ExpandingWindowSplit``, ``align="end"``), fitted once before the first origin and
forecasting the later origins from their histories with the fitted model (``refit=False``:
the neural fits take minutes; the classical models keep their fitted parameters as their
``predict(X=history)`` does). Per model: MASE and sMAPE (means over folds of per-series
means), total fit and predict seconds.

- ``ett`` (``load_ett``): the seven hourly columns as a panel of 7 series (all 17,420
  hours), h = 24 (a day), 7 origins (the last week), MASE with m = 24.
- ``m4_finance`` (``load_m4_finance``): 20 weekly series of 600 weeks, h = 13 (the M4
  weekly horizon), 4 origins (the last year; the last fold is the official M4 test
  period), MASE with m = 1 (the M4 convention for weekly data).

``m4hourly``: the M4 Hourly dev half (``../shared/data/m4``, 207 series, h = 48, official
split, synthetic hourly calendar): wall time of fitting and predicting ETS, Theta and
MSTL per series (one process, one thread: ``n_jobs=None``) against one global
``GRUForecaster(horizon=48)`` fit over all series (one torch thread), with the accuracy
of each (sMAPE, MASE m = 24, OWA against the official Naive2). ``--series N`` times the
baselines on N evenly spaced series and extrapolates to 207 (the GRU always fits all 207).
Wall and CPU seconds (this process's user + system time: what compares on a machine
shared with other jobs).

``--quick``: a smoke run (small slices, one training epoch for the neural models).
Single-threaded BLAS and torch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4, load_m4_submission  # noqa: E402

from tsrnn import datasets  # noqa: E402
from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.forecasting import (  # noqa: E402
    ETSForecaster,
    GRUForecaster,
    LSTMForecaster,
    MSTLForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)
from tsrnn.metrics import mase, owa, smape  # noqa: E402
from tsrnn.model_selection import ExpandingWindowSplit, backtest  # noqa: E402

M4 = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"
NEURAL = {"gru": GRUForecaster, "lstm": LSTMForecaster}
CLASSICAL = {"snaive": SeasonalNaiveForecaster, "naive": NaiveForecaster,
             "ets": ETSForecaster, "theta": ThetaForecaster, "mstl": MSTLForecaster}
# per dataset: (horizon, origins, MASE season, why)
SETTINGS = {"ett": (24, 7, 24, "hourly: a day ahead, the last week of days"),
            "m4_finance": (13, 4, 1, "weekly: the M4 horizon, the last year of quarters")}


def _model(name, horizon, quick):
    if name in NEURAL:
        extra = {"max_epochs": 1} if quick else {}
        return NEURAL[name](horizon=horizon, random_state=0, **extra)
    return CLASSICAL[name](horizon=horizon)


def _as_long(name) -> pd.DataFrame:
    """A shipped dataset as a long frame (``unique_id``, ``ds``, ``y``)."""
    data = getattr(datasets, datasets.list_datasets().set_index("name").loc[name, "loader"])()
    if {"unique_id", "ds", "y"} <= set(data.columns):
        return data
    wide = data.rename_axis("ds").reset_index()  # one series per column
    return wide.melt(id_vars="ds", var_name="unique_id", value_name="y")[
        ["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], ignore_index=True)


def _caught(caught) -> list:
    return sorted({str(w.message)[:160] for w in caught})[:5]


def shipped(name, models, args) -> dict:
    horizon, origins, m, why = SETTINGS[name]
    data = _as_long(name)
    if args.quick:
        data, origins = data.groupby("unique_id").tail(1000 if name == "ett" else 300), 2
        data = data[data["unique_id"].isin(data["unique_id"].unique()[:3])]
    origins = args.origins or origins
    cv = ExpandingWindowSplit(n_splits=origins, test_size=horizon, align="end")
    out = {"horizon": horizon, "origins": origins, "mase_season": m, "why": why,
           "n_series": int(data["unique_id"].nunique()),
           "length": int(data.groupby("unique_id").size().max()), "models": {}}
    print(f"\n{name}: {out['n_series']} series of {out['length']}, h={horizon}, "
          f"{origins} origins, MASE m={m}", flush=True)
    for model_name in models:
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = backtest(_model(model_name, horizon, args.quick), data, cv=cv,
                               refit=False, season_length=m).summary
        row = {"mase": float(summary["mase"].mean()), "smape": float(summary["smape"].mean()),
               "fit_s": float(summary["fit_time"].sum()),
               "predict_s": float(summary["predict_time"].sum()),
               "wall_s": time.perf_counter() - start,
               "mase_per_fold": summary["mase"].round(4).tolist(), "warnings": _caught(caught)}
        out["models"][model_name] = row
        print(f"  {model_name:7s} MASE {row['mase']:7.3f}  sMAPE {row['smape']:7.3f}  "
              f"fit {row['fit_s']:7.1f}s  predict {row['predict_s']:6.1f}s  "
              f"folds {row['mase_per_fold']}", flush=True)
    return out


def _skills(result: dict) -> None:
    """``skill_vs_naive`` of every shipped row: 1 - MASE / naive's MASE (same folds)."""
    for data in result.get("shipped", {}).values():
        naive = data["models"].get("naive")
        for row in data["models"].values():
            row["skill_vs_naive"] = None if naive is None else 1 - row["mase"] / naive["mase"]


def _long(ids, train) -> pd.DataFrame:
    """M4 rows on a synthetic hourly calendar (M4 gives no dates)."""
    return pd.DataFrame({
        "unique_id": np.repeat(ids, [len(t) for t in train]),
        "ds": np.concatenate([pd.date_range("2000-01-02", periods=len(t), freq="h")
                              for t in train]),
        "y": np.concatenate(train)})


def m4hourly(models, args) -> dict:
    ids, train, test, horizon = load_m4(M4, "Hourly-dev")
    naive2 = load_m4_submission(M4 / "submission-Naive2-Hourly-dev.csv", ids)
    ref = smape(test, naive2), mase(test, naive2, train, m=24)
    n_all = len(ids)
    n_base = min(args.series or n_all, n_all)
    if args.quick:
        n_base = min(n_base, 5)
    keep = np.linspace(0, n_all - 1, n_base).round().astype(int)
    out = {"horizon": horizon, "n_series": n_all, "n_series_timed_baselines": n_base,
           "models": {}}
    print(f"\nM4 Hourly dev half: {n_all} series, h={horizon}; baselines timed on {n_base}",
          flush=True)
    for name in models:
        rows = np.arange(n_all) if name in NEURAL and not args.quick else keep
        sub_ids, sub_train = [ids[k] for k in rows], [train[k] for k in rows]
        frame = _long(sub_ids, sub_train)
        model = _model(name, horizon, args.quick)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start, cpu = time.perf_counter(), time.process_time()
            model.fit(frame)
            fit_s = time.perf_counter() - start
            pred = model.predict()
            total, cpu = time.perf_counter() - start, time.process_time() - cpu
        values = pred.set_index("unique_id").loc[sub_ids, "y"].to_numpy().reshape(-1, horizon)
        s, q = smape(test[rows], values), mase(test[rows], values, sub_train, m=24)
        sub_ref = (smape(test[rows], naive2[rows]), mase(test[rows], naive2[rows], sub_train,
                                                         m=24)) if len(rows) < n_all else ref
        row = {"n_series": len(rows), "fit_s": fit_s, "fit_predict_s": total,
               "fit_predict_s_all_series": total * n_all / len(rows),
               "cpu_s": cpu, "cpu_s_all_series": cpu * n_all / len(rows),
               "smape": s, "mase": q, "owa": owa(s, q, *sub_ref),
               "fallbacks": len(getattr(model, "fallback_", []) or []),
               "warnings": _caught(caught)}
        out["models"][name] = row
        print(f"  {name:6s} {len(rows):3d} series: fit+predict {total:7.1f}s "
              f"(x{n_all / len(rows):.2f} -> {row['fit_predict_s_all_series']:7.1f}s for "
              f"{n_all}; CPU {cpu:7.1f}s)  sMAPE {s:7.3f}  MASE {q:6.3f}  OWA {row['owa']:6.3f}", flush=True)
    return out


def _merge(before: dict, new: dict) -> dict:
    """``new`` over ``before``, dictionaries merged key by key (other values replaced)."""
    out = dict(before)
    for key, value in new.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and \
            isinstance(out.get(key), dict) else value
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="shipped,m4hourly")
    parser.add_argument("--datasets", default=",".join(datasets.list_datasets()["name"]))
    parser.add_argument("--models", default="gru,lstm,snaive,naive,ets,theta,mstl",
                        help="for the shipped part")
    parser.add_argument("--m4-models", default="ets,theta,mstl,gru",
                        help="for the m4hourly part")
    parser.add_argument("--origins", type=int, default=0, help="0: the dataset's default")
    parser.add_argument("--series", type=int, default=0,
                        help="m4hourly: time the baselines on N series (0: all 207)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="benchmarks/results/shipped.json")
    parser.add_argument("--update", action="store_true",
                        help="keep the other results already in --out (runs split by model)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names + args.m4_models.split(",") if n and n not in
               {**NEURAL, **CLASSICAL}]
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {[*NEURAL, *CLASSICAL]}")
    result = {"args": vars(args), "torch": torch.__version__, "shipped": {}}
    parts = args.parts.split(",")
    if "shipped" in parts:
        for name in filter(None, args.datasets.split(",")):
            if name not in SETTINGS:
                print(f"skipping {name}: no horizon chosen for it in SETTINGS")
                continue
            result["shipped"][name] = shipped(name, names, args)
    if "m4hourly" in parts:
        if (M4 / "Hourly-dev-train.csv").is_file():
            result["m4hourly"] = m4hourly([n for n in args.m4_models.split(",") if n], args)
        else:
            print(f"skipped m4hourly: no M4 Hourly data at {M4}")
    if args.update and Path(args.out).is_file():
        before = json.loads(Path(args.out).read_text())
        result = _merge(before, {**result, "runs": [*before.get("runs", [before["args"]]),
                                                    vars(args)]})
    _skills(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=1, default=str))
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()

"""ETTh1 (univariate OT) with the usual protocol: tsrnn forecasters against naive and
classical baselines.

Protocol: first 12 months train, next 4 validation, next 4 test; z-score with the training
statistics; MSE and MAE on the scaled test data, from every test origin (stride 1) or from
every ``--origin-stride``-th one (the same origins for every model), for each horizon.
Usage: ``python benchmarks/bench_ett.py [--horizons 24,48,168] [--epochs N] [--quick]
[--zero-config] [--baselines ets,theta,mstl,snaive_auto] [--origin-stride 25]
[--out benchmarks/results/ett_univariate.json]``.

Classical baselines (``--baselines``; each with its defaults, ``season_length="auto"``):
fitted once on train + validation, as the neural models are, then each test origin is
forecast from its whole history (every point before it) with ``predict(X=history)``: the
fitted parameters are kept (ETS keeps its smoothing parameters and re-estimates its
initial states on the history; MSTL decomposes the history again and keeps its ETS
parameters; Theta re-estimates its two parameters, which is its own rule). That costs
0.4-2.5 s an origin, so use a stride for them (``--origin-stride 25``: origins 25 hours
apart, which rotate through the hours of the day, ~115 of them); every row is then scored
on the same origins. Neural, naive and seasonal naive rows also report the all-origins
figures (``mse_all``, ``mae_all``) from the same fit, to show that the subset is
representative; so does ETS, from one filter pass of the fitted model (parameters and
initial states) over the whole series, the exact state-space forecasts from every origin
(``filter_vs_predict_max_abs``: how far they are from ``predict(X=history)`` on the
subset, where the initial states are re-estimated).
representative.
"""

from __future__ import annotations

import argparse
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
    MSTLForecaster,
    SeasonalNaiveForecaster,
    ThetaForecaster,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ett" / "ETTh1.csv"
MONTH = 30 * 24
MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster}
BASELINES = {"ets": ETSForecaster, "theta": ThetaForecaster, "mstl": MSTLForecaster,
             "snaive_auto": SeasonalNaiveForecaster}


def load() -> tuple[pd.Series, int, int]:
    """Scaled OT series and the start of the validation and test parts."""
    ot = pd.read_csv(DATA, index_col="date", parse_dates=True)["OT"].asfreq("h")
    train_end, valid_end = 12 * MONTH, 16 * MONTH
    ot = ot.iloc[: 20 * MONTH]
    mean, std = ot.iloc[:train_end].mean(), ot.iloc[:train_end].std()
    return (ot - mean) / std, train_end, valid_end


def origin_positions(series: pd.Series, start: int, horizon: int, stride: int = 1) -> np.ndarray:
    """Every ``stride``-th origin of the test part with a full horizon after it."""
    return np.arange(start, len(series) - horizon + 1, stride)


def origins_panel(series: pd.Series, origins: np.ndarray, window: int | None, horizon: int):
    """One history per test origin (its last ``window`` points, or every point before it
    when ``window`` is None), as a long frame, and the actual values after each origin."""
    if window is None:
        lengths = origins
        rows = np.concatenate([np.arange(o) for o in origins])
    else:
        lengths = np.full(len(origins), window)
        rows = (origins[:, None] + np.arange(-window, 0)).ravel()
    frame = pd.DataFrame({"unique_id": np.repeat(origins, lengths),
                          "ds": series.index[rows],
                          series.name: series.to_numpy()[rows]})
    actual = series.to_numpy()[origins[:, None] + np.arange(horizon)]
    return frame, actual


def _errors(pred, actual) -> dict:
    return {"mse": float(np.mean((pred - actual) ** 2)),
            "mae": float(np.mean(np.abs(pred - actual)))}


def _predict(model, series, origins, window, horizon):
    frame, actual = origins_panel(series, origins, window, horizon)
    pred = model.predict(frame)[series.name].to_numpy().reshape(actual.shape)
    return pred, actual


def evaluate(name, series, valid_end, horizon, args):
    if args.zero_config:  # only the horizon: season, window and training budget by default
        model = MODELS[name](horizon=horizon, random_state=0)
    else:
        model = MODELS[name](horizon=horizon, window=args.window, hidden_size=args.hidden,
                             max_epochs=args.epochs, batch_size=256, lr=1e-3, loss="mse",
                             validation_fraction=0.2, patience=3,
                             max_windows_per_series=args.max_windows, random_state=0)
    start = time.perf_counter()
    model.fit(series.iloc[:valid_end])  # train + validation (the last 20%, for early stopping)
    fit_s = time.perf_counter() - start
    window = model.window_
    start = time.perf_counter()
    pred, actual = _predict(model, series, origin_positions(series, valid_end, horizon), window,
                            horizon)
    pred_s = time.perf_counter() - start
    out = {**_errors(pred, actual), "fit_s": fit_s, "predict_s": pred_s,
           "n_origins": len(actual), "epochs": len(model.history_)}
    if args.origin_stride > 1:  # the same fit on the common subset of origins
        every = _errors(pred[::args.origin_stride], actual[::args.origin_stride])
        out = {**every, "mse_all": out.pop("mse"), "mae_all": out.pop("mae"), **out,
               "n_origins": len(actual[::args.origin_stride]), "n_origins_all": len(actual)}
    return out


def evaluate_baseline(name, series, valid_end, horizon, stride):
    """A classical baseline with its defaults: fitted on train + validation, then each
    origin forecast from its whole history with the fitted parameters."""
    model = BASELINES[name](horizon=horizon)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(series.iloc[:valid_end])
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        pred, actual = _predict(model, series, origin_positions(series, valid_end, horizon, stride),
                                None, horizon)
        pred_s = time.perf_counter() - start
    extra = {}
    if name == "ets" and model.states_[0][0] is not None:  # all origins, one filter pass
        filtered = ets_filtered(model, series, valid_end, horizon)
        every = _errors(filtered, series.to_numpy()[
            origin_positions(series, valid_end, horizon)[:, None] + np.arange(horizon)])
        extra = {"mse_all": every["mse"], "mae_all": every["mae"],
                 "n_origins_all": len(filtered), "filter_vs_predict_max_abs":
                 float(np.max(np.abs(filtered[::stride] - pred)))}
    state = (getattr(model, "states_", None) or [[None]])[0][0]
    detail = {"season_length_": model.season_length_,
              "seasons_": getattr(model, "seasons_", None),
              "spec": None if state is None else state["spec"] if "spec" in state else
              state["periods"] if "periods" in state else   # MSTL: the seasons it kept
              {k: state[k] for k in ("b0", "alpha") if k in state},
              "inner_spec": None if state is None or "model" not in state else
              state["model"].get("spec")}
    return {**_errors(pred, actual), "fit_s": fit_s, "predict_s": pred_s,
            "n_origins": len(actual), **extra, **detail,
            "warnings": sorted({str(w.message)[:200] for w in caught})[:5]}


def ets_filtered(model, series, valid_end, horizon):
    """ETS forecasts from every test origin by one pass of the fitted model (fixed
    parameters and initial states) over the whole series: the exact state-space filter,
    each forecast from the states after the observation before its origin."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    state = model.states_[0][0]
    spec, unit = state["spec"], state["unit"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(pd.Series(series.to_numpy() / unit), error="add", **spec).smooth(
            state["params"])
    origins = origin_positions(series, valid_end, horizon)
    last, steps = origins - 1, np.arange(1, horizon + 1)
    pred = np.repeat(np.asarray(res.level)[last][:, None], horizon, axis=1)
    if spec["trend"]:
        growth = np.cumsum(res.phi ** steps) if spec["damped_trend"] else steps
        pred += np.asarray(res.slope)[last][:, None] * growth
    if spec["seasonal"]:
        m = spec["seasonal_periods"]
        pred += np.asarray(res.season)[last[:, None] + steps - m * ((steps - 1) // m + 1)]
    return pred * unit


def naive(series, valid_end, horizon, season=None, stride=1):
    origins = origin_positions(series, valid_end, horizon)
    values = series.to_numpy()
    actual = values[origins[:, None] + np.arange(horizon)]
    if season is None:
        pred = np.repeat(values[origins - 1][:, None], horizon, axis=1)
    else:
        steps = np.arange(horizon)
        pred = values[origins[:, None] - season + steps % season]
    out = _errors(pred, actual)
    if stride > 1:
        out = {**_errors(pred[::stride], actual[::stride]), "mse_all": out["mse"],
               "mae_all": out["mae"]}
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--horizons", default="24,48,168,336,720")
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--window", type=int, default=96)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--max-windows", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--zero-config", action="store_true",
                        help="neural models get only the horizon (all other defaults)")
    parser.add_argument("--baselines", default="",
                        help="classical baselines, comma-separated: " + ",".join(BASELINES))
    parser.add_argument("--origin-stride", type=int, default=1,
                        help="score every k-th test origin (all models on the same ones)")
    parser.add_argument("--out", default="benchmarks/results/ett_univariate.json")
    parser.add_argument("--update", action="store_true",
                        help="keep the other rows already in --out (runs split by model)")
    args = parser.parse_args(argv)
    unknown = set(filter(None, args.baselines.split(","))) - set(BASELINES)
    if unknown or args.origin_stride < 1:
        parser.error(f"unknown baselines {sorted(unknown)}" if unknown else
                     "--origin-stride must be >= 1")
    if not DATA.is_file():
        print(f"skipped: ETTh1 not found at {DATA}")
        return {}
    torch.set_num_threads(1)
    if args.quick:
        args.horizons, args.epochs, args.max_windows, args.window = "24", 1, 500, 96
        args.origin_stride = max(args.origin_stride, 240)
    series, _, valid_end = load()
    stride = args.origin_stride
    results = {}
    for horizon in map(int, args.horizons.split(",")):
        results[f"naive h={horizon}"] = naive(series, valid_end, horizon, stride=stride)
        results[f"seasonal naive (24) h={horizon}"] = naive(series, valid_end, horizon, 24,
                                                            stride)
        for name in filter(None, args.baselines.split(",")):
            results[f"{name} h={horizon}"] = evaluate_baseline(name, series, valid_end,
                                                               horizon, stride)
            print(f"{name} h={horizon}: {results[f'{name} h={horizon}']}", flush=True)
        for name in filter(None, args.models.split(",")):
            results[f"{name} h={horizon}"] = evaluate(name, series, valid_end, horizon, args)
            print(f"{name} h={horizon}: {results[f'{name} h={horizon}']}", flush=True)
    print(f"\n{'model':32s} {'MSE':>7s} {'MAE':>7s}" + ("  (stride 1: MSE, MAE)"
                                                           if stride > 1 else ""))
    for label, r in results.items():
        every = f"  {r['mse_all']:7.4f} {r['mae_all']:7.4f}" if "mse_all" in r else ""
        print(f"{label:32s} {r['mse']:7.4f} {r['mae']:7.4f}{every}")
    out = {"args": vars(args), "results": results, "torch": torch.__version__}
    if args.update and Path(args.out).is_file():  # earlier runs' rows, then this run's
        before = json.loads(Path(args.out).read_text())
        out["results"] = {**before["results"], **results}
        out["runs"] = [*before.get("runs", [before["args"]]), vars(args)]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()

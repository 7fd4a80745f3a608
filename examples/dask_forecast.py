"""Forecasting many series on a Dask cluster.

1. A global GRU, fitted once on a sample of the series, forecasts every series of a Dask
   dataframe: ``map_partitions`` calls ``predict(X=partition)`` on each partition (a
   partition holds whole series), on every worker, with no refit.
2. Per-series baselines (Theta, one statsmodels fit per series) and a refitting backtest
   run on the cluster through joblib: ``joblib.parallel_config(backend="dask")`` and the
   same code as on one machine.

A ``LocalCluster`` stands in for a real one: with ``Client("tcp://scheduler:8786")`` the
code is unchanged. See docs/guide/scale.md.

Run from the repository root::

    python examples/dask_forecast.py           # 100,000 series, a few minutes on 2 cores
    python examples/dask_forecast.py --fast    # 2,000 series, about 30 s (used by the tests)
"""

from __future__ import annotations

import argparse
import logging
import time

import joblib
import numpy as np
import pandas as pd
import torch

from tsrnn import GRUForecaster, ThetaForecaster
from tsrnn.model_selection import backtest


def make_long_panel(n_series: int, seed: int = 0) -> pd.DataFrame:
    """Weekly series of 60 to 200 points (level, trend, yearly season, noise), long format
    ``unique_id, ds, y`` sorted by series then time."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(60, 201, n_series)
    ids = np.repeat(np.arange(n_series), lengths)
    step = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    level = np.repeat(rng.uniform(50, 500, n_series), lengths)
    slope = np.repeat(rng.normal(0, 0.002, n_series), lengths)
    season = np.repeat(rng.uniform(0, 0.2, n_series), lengths)
    y = level * (1 + slope * step + season * np.sin(2 * np.pi * step / 52)
                 + rng.normal(0, 0.03, len(step)))
    ds = pd.Timestamp("2015-01-04") + pd.to_timedelta(7 * step, unit="D")
    return pd.DataFrame({"unique_id": ids, "ds": ds, "y": y})


def forecast_partition(part: pd.DataFrame, model) -> pd.DataFrame:
    """Forecasts of the series of one partition by a fitted model (no refit)."""
    return model.predict(X=part.reset_index())


def main(fast: bool) -> None:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    torch.set_num_threads(1)
    n_series, n_sample = (2_000, 200) if fast else (100_000, 2_000)
    panel = make_long_panel(n_series)
    print(f"{n_series:,} weekly series, {len(panel):,} rows")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        # 1. one global model, fitted on a sample, forecasts every series on the workers
        sample = panel[panel["unique_id"] < n_sample]
        start = time.perf_counter()
        model = GRUForecaster(horizon=13, window=26, hidden_size=16, max_epochs=3,
                              max_windows_per_series=20, random_state=0).fit(sample)
        print(f"global GRU fitted on {n_sample:,} series in "
              f"{time.perf_counter() - start:.1f} s")
        # a sorted index keeps every series in one partition (divisions are series ids)
        ddf = dd.from_pandas(panel.set_index("unique_id"), npartitions=8 if fast else 64)
        meta = model.predict(X=sample[sample["unique_id"] == 0]).iloc[:0]
        start = time.perf_counter()
        # the fitted model is sent to every worker once (a Future), not with every task
        shared = client.scatter(model, broadcast=True)
        forecasts = ddf.map_partitions(forecast_partition, shared, meta=meta).compute()
        print(f"map_partitions predict: {forecasts['unique_id'].nunique():,} series x "
              f"13 weeks in {time.perf_counter() - start:.1f} s on the cluster")
        some = panel[panel["unique_id"] < n_sample]
        here = model.predict(X=some).reset_index(drop=True)
        there = forecasts[forecasts["unique_id"] < n_sample].reset_index(drop=True)
        print("same forecasts as one process:", np.allclose(here["y"], there["y"], rtol=1e-5))

        # 2. per-series baselines and a refitting backtest on the cluster, through joblib
        few = panel[panel["unique_id"] < (40 if fast else 2_000)]
        with joblib.parallel_config(backend="dask"):
            start = time.perf_counter()
            theta = ThetaForecaster(horizon=13).fit(few)
            print(f"Theta on the cluster: {len(theta.predict()):,} forecast rows "
                  f"in {time.perf_counter() - start:.1f} s")
            result = backtest(ThetaForecaster(horizon=13), few,
                              n_origins=3, season_length=52)
        print("3-origin backtest of Theta on the cluster, MASE per fold:",
              result.summary["mase"].round(3).tolist())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="2,000 series (a smoke test)")
    main(parser.parse_args().fast)

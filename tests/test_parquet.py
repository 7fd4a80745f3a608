"""fit_parquet / predict_parquet: chunked training and forecasting from a Parquet panel,
and a panel three times larger than the memory limit (a real RLIMIT_AS in a subprocess)."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from tsrnn.datasets import make_panel
from tsrnn.forecasting import GRUForecaster, NaiveForecaster, fit_parquet, predict_parquet

TINY = dict(horizon=3, hidden_size=8, max_windows_per_series=8, batch_size=32)


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def panel_path(tmp_path):
    panel = make_panel(n_series=7, random_state=0)
    path = tmp_path / "panel.parquet"
    panel.to_parquet(path, row_group_size=150)  # several row groups, cut inside series
    return panel, path


def _keys(frame):
    return frame[["unique_id", "ds"]].sort_values(["unique_id", "ds"]).reset_index(drop=True)


def test_chunked_fit_predict_forecasts_every_series_like_in_memory(panel_path, tmp_path):
    panel, path = panel_path
    model = GRUForecaster(**TINY, random_state=0)
    params = model.get_params()
    fitted = fit_parquet(model, path, chunk_series=3, epochs=2, random_state=0)
    assert fitted is model and model.get_params() == params  # the visit settings undone
    assert model.parquet_chunks_ == 3 and model.n_series_ == 7
    assert len(model.history_) == 2 * 3  # one engine epoch per visit of a chunk

    forecasts = predict_parquet(model, path, chunk_series=3)
    in_memory = GRUForecaster(**TINY, max_epochs=1, random_state=0).fit(panel).predict()
    assert len(forecasts) == 7 * 3
    pd.testing.assert_frame_equal(_keys(forecasts), _keys(in_memory))
    assert np.isfinite(forecasts["y"]).all()
    # the chunked forecasts are the model's own forecasts of the whole panel
    whole = model.predict(X=panel).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    np.testing.assert_allclose(forecasts["y"], whole["y"], rtol=1e-5)

    out = predict_parquet(model, path, tmp_path / "forecasts.parquet", chunk_series=4)
    pd.testing.assert_frame_equal(pd.read_parquet(out), forecasts, check_dtype=False)


def test_fit_parquet_is_repeatable(panel_path):
    _, path = panel_path
    a = fit_parquet(GRUForecaster(**TINY), path, chunk_series=4, epochs=1, random_state=3)
    b = fit_parquet(GRUForecaster(**TINY), path, chunk_series=4, epochs=1, random_state=3)
    pd.testing.assert_frame_equal(predict_parquet(a, path), predict_parquet(b, path))
    assert a.log_  # every value positive: log scale, as fit decides on the whole panel


def test_fit_parquet_decides_the_log_scale_on_the_whole_panel(panel_path, tmp_path):
    panel, _ = panel_path
    panel.loc[panel["unique_id"] == panel["unique_id"].iloc[-1], "y"] -= 1e4  # last chunk
    path = tmp_path / "signed.parquet"
    panel.to_parquet(path)
    model = fit_parquet(GRUForecaster(**TINY), path, chunk_series=3, epochs=1, random_state=0)
    assert model.log_ is False and model.log_scale == "auto"


def test_fit_parquet_refuses_what_it_cannot_train(panel_path):
    _, path = panel_path
    with pytest.raises(TypeError, match="neural network.*NaiveForecaster"):
        fit_parquet(NaiveForecaster(), path)
    with pytest.raises(ValueError, match="n_models=2"):
        fit_parquet(GRUForecaster(**TINY, n_models=2), path)
    with pytest.raises(ValueError, match="chunk_series"):
        fit_parquet(GRUForecaster(**TINY), path, chunk_series=0)
    with pytest.raises(ValueError, match="no column"):
        fit_parquet(GRUForecaster(**TINY, id_col="series"), path)


def test_an_empty_file_or_a_text_target_is_named(panel_path, tmp_path):
    panel, _ = panel_path
    empty = tmp_path / "empty.parquet"
    panel.iloc[:0].to_parquet(empty)  # a schema, no rows
    for call in (lambda: fit_parquet(GRUForecaster(**TINY), empty, epochs=1),
                 lambda: predict_parquet(GRUForecaster(**TINY), empty)):
        with pytest.raises(ValueError, match=r"empty.parquet' holds no rows"):
            call()
    text = tmp_path / "text.parquet"
    panel.assign(y=panel["y"].astype(str)).to_parquet(text)
    with pytest.raises(TypeError, match=r"target column 'y' .*text.parquet.* not numbers"):
        fit_parquet(GRUForecaster(**TINY), text, epochs=1)


@pytest.mark.parametrize("had_file", [False, True])
def test_a_chunk_that_fails_leaves_the_previous_forecasts_or_none(panel_path, tmp_path,
                                                                   monkeypatch, had_file):
    panel, path = panel_path
    model = GRUForecaster(**TINY, max_epochs=1, random_state=0).fit(panel)
    out = tmp_path / "forecasts.parquet"
    if had_file:
        predict_parquet(model, path, out, chunk_series=3)
    before = out.read_bytes() if had_file else None
    predict, calls = model.predict, []

    def fails_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("chunk 2 failed")
        return predict(*args, **kwargs)

    monkeypatch.setattr(model, "predict", fails_on_the_second_chunk)
    with pytest.raises(RuntimeError, match="chunk 2 failed"):
        predict_parquet(model, path, out, chunk_series=3)
    assert (out.read_bytes() if out.exists() else None) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


# -- a panel larger than memory ------------------------------------------------------
BUDGET = 64 * 2**20  # bytes the child may allocate beyond its warmed-up address space
N_SERIES, LENGTH, PER_ROW_GROUP = 700, 10_000, 10

CHILD = textwrap.dedent("""
    import json, resource, sys
    import pyarrow as pa
    pa.set_cpu_count(1); pa.set_io_thread_count(1)
    import torch
    torch.set_num_threads(1)
    import pandas as pd
    from tsrnn.forecasting import GRUForecaster, fit_parquet, predict_parquet

    path, small, out, budget = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

    def model():
        return GRUForecaster(horizon=4, window=16, hidden_size=8, max_windows_per_series=4,
                             batch_size=64, random_state=0)

    # warm up every lazy allocation (thread pools, allocator arenas) on a small panel,
    # so that the limit below leaves the budget for the data
    fit_parquet(model(), small, chunk_series=5, epochs=1, random_state=0)
    predict_parquet(model().fit(pd.read_parquet(small)), small, chunk_series=5)
    base = status("VmSize")
    resource.setrlimit(resource.RLIMIT_AS, (base + budget, base + budget))
    report = {"base": base}
    fitted = fit_parquet(model(), path, chunk_series=10, epochs=1, random_state=0)
    report["visits"] = len(fitted.history_)
    predict_parquet(fitted, path, out, chunk_series=10)
    report["chunked_peak"] = status("VmPeak") - base
    try:
        pd.read_parquet(path)
        report["whole"] = "loaded"
    except MemoryError as error:
        report["whole"] = type(error).__name__
    print(json.dumps(report))
""")


def _write_panel(path, n_series, length, per_group):
    """A long panel sorted by id, written a row group (``per_group`` series) at a time."""
    rng = np.random.default_rng(0)
    ds = np.datetime64("2000-01-01", "us") + np.arange(length).astype("timedelta64[D]")
    season = np.sin(2 * np.pi * np.arange(length) / 7)
    schema = pa.schema([("unique_id", pa.string()), ("ds", pa.timestamp("us")),
                        ("y", pa.float64())])
    with pq.ParquetWriter(path, schema) as writer:
        for first in range(0, n_series, per_group):
            k = min(per_group, n_series - first)
            ids = np.repeat([f"S{s:05d}" for s in range(first, first + k)], length)
            y = 100 + 10 * season * rng.uniform(0.5, 1.5, (k, 1)) + rng.normal(0, 1, (k, length))
            writer.write_table(pa.table({"unique_id": ids, "ds": np.tile(ds, k),
                                         "y": y.ravel()}, schema=schema))


@pytest.mark.slow  # a subprocess under a memory limit: 10-20 s
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status")
def test_panel_three_times_the_memory_limit_trains_and_predicts(tmp_path):
    path, small, out = (tmp_path / name for name in ("big.parquet", "small.parquet",
                                                     "forecasts.parquet"))
    _write_panel(path, N_SERIES, LENGTH, PER_ROW_GROUP)
    _write_panel(small, 10, 200, 5)
    whole = pd.read_parquet(path)  # here, without a limit: its size in pandas
    panel_bytes = int(whole.memory_usage(deep=True).sum())
    del whole
    assert panel_bytes >= 2.9 * BUDGET, panel_bytes / 2**20
    # glibc's per-thread arenas and mimalloc reserve address space they never use: with
    # one arena and the system allocator, address space is close to memory in use
    env = {**os.environ, "MALLOC_ARENA_MAX": "1", "ARROW_DEFAULT_MEMORY_POOL": "system",
           "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(small), str(out),
                           str(BUDGET)], capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["whole"] in ("MemoryError", "ArrowMemoryError"), report
    assert report["chunked_peak"] <= BUDGET, report
    assert report["visits"] == N_SERIES // 10  # one epoch over every chunk
    forecasts = pd.read_parquet(out)
    assert forecasts["unique_id"].nunique() == N_SERIES and len(forecasts) == N_SERIES * 4
    assert np.isfinite(forecasts["y"]).all()

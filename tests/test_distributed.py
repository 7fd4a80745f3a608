"""Data-parallel training with torch.distributed, for real: ``torchrun --nproc-per-node 2``
(gloo on CPU, loopback) trains one model whose forecasts match a single-process fit with the
same global batch and seed, and a killed worker ends the job with an error, not a hang."""

import os
import pickle
import signal
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
import torch

from tsrnn import distributed
from tsrnn.datasets import make_panel
from tsrnn.forecasting import GRUForecaster

pytestmark = [pytest.mark.distributed, pytest.mark.slow]

# Forecasts of the 2-process fit agree with the 1-process fit to this relative tolerance:
# the gradients are the same sums in another order (float32 rounding; 1.4e-8 measured).
RTOL = 1e-5

PARAMS = dict(horizon=4, window=12, hidden_size=8, max_epochs=4, batch_size=30, lr=1e-2,
              validation_fraction=0.2, patience=3, random_state=0)


def panel():
    return make_panel(n_series=6, min_length=40, max_length=70, random_state=0)


SCRIPT = """
import json, os, pickle, signal, sys
import torch
torch.set_num_threads(1)
from tsrnn import distributed
from tsrnn.forecasting import GRUForecaster
sys.path.insert(0, {tests!r})
from test_distributed import PARAMS, panel

out, mode = sys.argv[1], sys.argv[2]
distributed.init(timeout=20)
rank = distributed.rank()

def die(epoch, record):
    if mode == "kill" and rank == 1 and epoch == 2:
        os.kill(os.getpid(), signal.SIGKILL)

model = GRUForecaster(**PARAMS, callbacks=[die]).fit(panel())
with open(os.path.join(out, f"history-{{rank}}.json"), "w") as f:
    json.dump({{"world": distributed.world_size(), "history": model.history_}}, f)
if distributed.is_main():
    model.set_params(callbacks=None)
    model.predict().to_csv(os.path.join(out, "forecast.csv"), index=False)
    with open(os.path.join(out, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
distributed.shutdown()
"""


def _torchrun(tmp_path, mode, timeout=90):
    script = tmp_path / "ddp.py"
    script.write_text(textwrap.dedent(SCRIPT.format(tests=os.path.dirname(__file__))))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo",
           "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                          "--nproc-per-node", "2", "--max-restarts", "0", str(script),
                          str(tmp_path), mode],
                         capture_output=True, text=True, timeout=timeout, env=env)
    return run, time.monotonic() - start


@pytest.fixture(scope="module")
def single():
    torch.manual_seed(0)
    return GRUForecaster(**PARAMS).fit(panel())


def test_two_processes_train_the_model_of_one(tmp_path, single):
    run, _ = _torchrun(tmp_path, "train")
    assert run.returncode == 0, run.stderr[-4000:]
    histories = [pd.read_json(tmp_path / f"history-{r}.json", typ="series") for r in (0, 1)]
    assert [h["world"] for h in histories] == [2, 2]
    # every rank saw the same (all-reduced) losses: the same epochs, the same stopping
    losses = [[(e["train_loss"], e["valid_loss"]) for e in h["history"]] for h in histories]
    assert losses[0] == losses[1]
    expected = [(e["train_loss"], e["valid_loss"]) for e in single.history_]
    np.testing.assert_allclose(np.array(losses[0]), np.array(expected), rtol=RTOL)

    forecast = pd.read_csv(tmp_path / "forecast.csv")
    reference = single.predict()
    np.testing.assert_allclose(forecast["y"], reference["y"], rtol=RTOL)
    assert not np.allclose(reference["y"], reference["y"].iloc[0])  # a real forecast

    with open(tmp_path / "model.pkl", "rb") as f:  # the estimator of rank 0, anywhere
        model = pickle.load(f)
    np.testing.assert_allclose(model.predict()["y"], forecast["y"], rtol=1e-6)


def test_a_killed_worker_fails_the_job_with_a_clear_error(tmp_path):
    run, elapsed = _torchrun(tmp_path, "kill")
    assert run.returncode != 0
    assert elapsed < 60, "the surviving worker hung"
    assert "Root Cause" in run.stderr and "SIGKILL" in run.stderr, run.stderr[-4000:]
    root_cause = run.stderr[run.stderr.index("Root Cause"):]
    assert "rank      : 1" in root_cause  # torchrun names the worker that died
    assert not (tmp_path / "forecast.csv").exists()


def test_without_torchrun_the_survivor_raises_a_peer_failure(tmp_path):
    """Processes started by another launcher (one per machine, say): no agent stops the
    survivor, whose next collective fails with tsrnn's PeerFailureError, not a hang."""
    script = tmp_path / "ddp.py"
    script.write_text(textwrap.dedent(SCRIPT.format(tests=os.path.dirname(__file__))))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    procs = []
    for rank in (0, 1):
        env = {**os.environ, "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2",
               "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
        procs.append(subprocess.Popen([sys.executable, str(script), str(tmp_path), "kill"],
                                      env=env, stderr=subprocess.PIPE, text=True))
    try:
        errors = [proc.communicate(timeout=60)[1] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert procs[1].returncode == -signal.SIGKILL
    assert procs[0].returncode == 1, errors[0][-3000:]
    assert "PeerFailureError: distributed training failed on rank 0 of 2" in errors[0]


def test_helpers_outside_a_process_group():
    assert not distributed.is_active()
    assert (distributed.rank(), distributed.world_size(), distributed.is_main()) == (0, 1, True)
    idx = torch.arange(5)
    local, n, weight = distributed.shard(idx)
    assert local is idx and (n, weight) == (5, 1.0)
    gen = torch.Generator()
    assert distributed.rank_generator(gen) is gen
    x = torch.ones(3)
    assert distributed.all_reduce_sum(x) is x


def test_init_needs_the_torchrun_environment(monkeypatch):
    for key in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(RuntimeError, match="torchrun --nproc-per-node"):
        distributed.init()
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "29999")
    with pytest.raises(ValueError, match="backend='mpi'"):
        distributed.init(backend="mpi")
    with pytest.raises(ValueError, match="timeout must be"):
        distributed.init(timeout=0)

"""The benchmark scripts still run: a smoke run of the time-to-accuracy script on tsrnn.

The figures themselves live in ``benchmarks/README.md``; this only checks that the script
trains, scores and writes what the README describes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
M4_DIR = REPO.parent / "shared" / "data" / "m4"


@pytest.mark.skipif(not (M4_DIR / "Weekly-train.csv").is_file(),
                    reason=f"M4 Weekly data not found at {M4_DIR}")
def test_time_to_accuracy_quick_run_writes_a_curve(tmp_path):
    out = tmp_path / "tta.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_time_to_accuracy.py"), "--quick",
         "--libs", "tsrnn", "--cap", "1", "--out", str(out)],
        capture_output=True, text=True, timeout=240, cwd=tmp_path,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())["results"]["tsrnn"]
    assert result["chunks"] >= 1 and result["curve"][0]["train_s"] > 0
    assert 0 < result["best"]["owa"] < 5  # a real forecast of 40 series, scored
    assert "best OWA" in run.stdout

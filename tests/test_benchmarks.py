"""The benchmark scripts still run: a smoke run of the time-to-accuracy script on tsrnn.

The figures themselves live in ``benchmarks/README.md``; this only checks that the script
trains, scores and writes what the README describes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
M4_DIR = REPO.parent / "shared" / "data" / "m4"


@pytest.mark.slow
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


def test_seasonal_bases_choose_the_week_where_it_fits():
    """The rule of the bases benchmark: the week where the series repeats weekly."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_seasonal_bases import chosen_lag, repeat_last

    hours = np.arange(24 * 28)
    daily = 10 + 5 * np.sin(2 * np.pi * hours / 24)
    weekly = daily * np.where((hours // 24) % 7 >= 5, 0.3, 1.0)  # quiet weekends
    assert chosen_lag(daily + 0.01 * np.cos(hours)) == 24
    assert chosen_lag(weekly) == 168
    np.testing.assert_array_equal(repeat_last(np.arange(10.0), 3, 5), [7, 8, 9, 7, 8])

"""Every script in ``examples/`` runs with ``--fast`` and prints what it promises."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# What each script's output must contain (scripts not listed: a clean exit and output).
EXPECTED = {
    "stock_forecast.py": ["M4 weekly finance", "skill", "random-walk"],
    "sensor_forecast.py": ["past covariates: ['HUFL'", "future covariates: ['hour_sin'",
                           "LSTM, loads + calendar", "OT_lower"],
    "pipeline_gridsearch.py": ["cross-validated MAE", "best:", "seasonal naive"],
    "augmentation.py": ["classifier, augmented", "augment_dataset: 24 windows -> 96",
                        "TimeShift is refused for forecasting"],
    "baselines_comparison.py": ["seasonal naive", "theta", "lstm", "mean absolute error by"],
    "gpu_mixed_precision.py": ["precision=bf16", "precision=  16", "same forecast: True"],
    "stock_holidays.py": ["fix: weekdays are missing", "CustomBusinessDay(holidays=",
                          "-> 5 days", "arima + calendar", "msis"],
    "halfhourly_load.py": ["MSTL seasons from the frequency: (48, 336)", "lstm + calendar",
                           "covariates given at every origin", "msis"],
}


def test_every_documented_example_exists():
    assert set(EXPECTED) <= {path.name for path in EXAMPLES.glob("*.py")}


def _run(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    # One torch thread: these networks are tiny, and the test machine is small and shared.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(script), "--fast"], capture_output=True,
                          text=True, timeout=240, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every example run once with --fast, two at a time (CI machines have 2 cores)."""
    scripts = sorted(EXAMPLES.glob("*.py"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(lambda s: _run(s, tmp_path_factory.mktemp(s.stem)), scripts)
        return dict(zip([s.name for s in scripts], done))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs_fast(name, runs):
    run = runs[name]
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip()
    for text in EXPECTED.get(name, []):
        assert text in run.stdout, f"{text!r} not in the output of {name}"
    assert "Traceback" not in run.stderr

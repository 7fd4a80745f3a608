"""Build the compressed datasets shipped in ``tsrnn/datasets/data/``.

The package never downloads anything: this script turns the raw public files in
``../shared/data`` (beside the repository root) into the small gzip files that
``tsrnn.datasets.load_ett`` and ``tsrnn.datasets.load_m4_finance`` read.

Rerun from the repository root (the output is byte-for-byte reproducible)::

    python benchmarks/build_datasets.py
    python benchmarks/build_datasets.py --data-dir /path/to/shared/data

If you change the selection below, update the row counts in
``tsrnn/datasets/_loaders.py`` (``_REGISTRY``); ``tests/test_datasets.py`` checks them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"
OUT_DIR = ROOT / "tsrnn" / "datasets" / "data"
GZIP = {"method": "gzip", "mtime": 0}  # mtime=0: identical bytes on every rebuild

M4_N_SERIES = 20  # Finance series kept
M4_MIN_TRAIN_LENGTH = 300  # only series with at least this many training values
M4_MAX_LENGTH = 600  # keep the last values of each series (train + 13 test values)
M4_END = "2018-12-30"  # synthetic last date (a Sunday); M4 publishes no dates


def build_ett(data_dir: Path) -> Path:
    """Write ETTh1 with values rounded to 3 decimals.

    The raw file holds float32 renderings of 3-decimal readings (5.827000141...),
    so rounding recovers the recorded values exactly.
    """
    df = pd.read_csv(data_dir / "ett" / "ETTh1.csv")
    out = OUT_DIR / "etth1.csv.gz"
    df.to_csv(out, index=False, float_format="%.3f", compression=GZIP)
    return out


def _m4_rows(data_dir: Path) -> pd.DataFrame:
    """Return M4 Weekly train + test values as one row per series (id index)."""
    train = pd.read_csv(data_dir / "m4" / "Weekly-train.csv", index_col=0)
    test = pd.read_csv(data_dir / "m4" / "Weekly-test.csv", index_col=0)
    rows = {}
    for sid in train.index:
        values = np.concatenate([train.loc[sid].dropna(), test.loc[sid].dropna()])
        rows[sid] = values
    return pd.Series(rows, dtype=object)


def select_m4_finance(data_dir: Path) -> list[str]:
    """Pick ``M4_N_SERIES`` Finance ids evenly spread over the eligible ones."""
    info = pd.read_csv(data_dir / "m4" / "M4-info-weekly.csv")
    train = pd.read_csv(data_dir / "m4" / "Weekly-train.csv", index_col=0)
    lengths = train.notna().sum(axis=1)
    finance = info.loc[info["category"] == "Finance", "M4id"]
    eligible = [sid for sid in finance if lengths[sid] >= M4_MIN_TRAIN_LENGTH]
    eligible.sort(key=lambda sid: int(sid[1:]))
    picks = np.linspace(0, len(eligible) - 1, M4_N_SERIES).round().astype(int)
    return [eligible[i] for i in picks]


def build_m4_finance(data_dir: Path) -> Path:
    """Write the selected Finance series in long format with synthetic W-SUN dates."""
    series = _m4_rows(data_dir)
    frames = []
    for sid in sorted(select_m4_finance(data_dir)):
        y = series[sid][-M4_MAX_LENGTH:]
        ds = pd.date_range(end=M4_END, periods=len(y), freq="W-SUN")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": y}))
    df = pd.concat(frames, ignore_index=True)
    out = OUT_DIR / "m4_weekly_finance.csv.gz"
    df.to_csv(out, index=False, date_format="%Y-%m-%d", compression=GZIP)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"skipped: raw data directory {args.data_dir} not found")
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for path in (build_ett(args.data_dir), build_m4_finance(args.data_dir)):
        rows = len(pd.read_csv(path))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes, {rows:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())

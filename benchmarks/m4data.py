"""Load M4 competition csv files (train/test splits and official submissions).

Layout (see ``../shared/README.md``): one row per series, the id in the first
column, then values oldest first, padded with empty cells to a common width.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _read_rows(path: Path) -> tuple[list[str], np.ndarray]:
    """Read an M4 csv into (ids, float matrix padded with NaN)."""
    if not path.is_file():
        raise FileNotFoundError(f"M4 file not found: {path}")
    frame = pd.read_csv(path, index_col=0, dtype={0: str})
    return [str(i) for i in frame.index], frame.to_numpy(dtype=float)


def _strip_padding(row: np.ndarray, series_id: str, path: Path) -> np.ndarray:
    """Drop the trailing NaN padding; reject gaps inside the series."""
    n = int(np.count_nonzero(~np.isnan(row)))
    if n == 0 or np.isnan(row[:n]).any():
        raise ValueError(f"series {series_id} in {path.name} is empty or has interior gaps.")
    return row[:n]


def load_m4(
    split_dir: Path, frequency: str = "Weekly"
) -> tuple[list[str], list[np.ndarray], np.ndarray, int]:
    """Load ``{frequency}-train.csv`` and ``{frequency}-test.csv`` from ``split_dir``.

    Parameters
    ----------
    split_dir : Path
        Folder holding the M4 csv files.
    frequency : str, default="Weekly"
        M4 frequency name used in the file names.

    Returns
    -------
    ids : list of str
        Series ids, in file order.
    train : list of ndarray
        In-sample history of each series (lengths differ), oldest first.
    test : ndarray of shape (n_series, horizon)
        Out-of-sample values.
    horizon : int
        Forecast horizon (number of test values per series).
    """
    split_dir = Path(split_dir)
    train_path = split_dir / f"{frequency}-train.csv"
    test_path = split_dir / f"{frequency}-test.csv"
    ids, train_values = _read_rows(train_path)
    test_ids, test = _read_rows(test_path)
    if test_ids != ids:
        raise ValueError(f"ids of {test_path.name} differ from those of {train_path.name}.")
    if np.isnan(test).any():
        raise ValueError(f"{test_path.name} has missing values.")
    train = [_strip_padding(row, i, train_path) for i, row in zip(ids, train_values)]
    return ids, train, test, test.shape[1]


def load_m4_submission(path: Path, ids: list[str]) -> np.ndarray:
    """Load an official M4 submission as an array ordered like ``ids``.

    Parameters
    ----------
    path : Path
        ``submission-{Method}-{Frequency}.csv`` (id column, then F1..Fh).
    ids : list of str
        Series ids in the wanted row order (from :func:`load_m4`).

    Returns
    -------
    ndarray of shape (len(ids), horizon)
    """
    path = Path(path)
    sub_ids, values = _read_rows(path)
    if sorted(sub_ids) != sorted(ids):
        missing = sorted(set(ids) - set(sub_ids))[:5]
        extra = sorted(set(sub_ids) - set(ids))[:5]
        raise ValueError(f"{path.name} ids do not match: missing {missing}, extra {extra}.")
    if len(set(sub_ids)) != len(sub_ids):
        raise ValueError(f"{path.name} has duplicate ids.")
    position = {series_id: k for k, series_id in enumerate(sub_ids)}
    ordered = values[[position[i] for i in ids]]
    if np.isnan(ordered).any():
        raise ValueError(f"{path.name} has missing forecasts.")
    return ordered

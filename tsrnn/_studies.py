"""The Optuna studies of :class:`tsrnn.tuning.OptunaSearchCV`: the results table of their
trials, the fingerprint of the data a stored study was run on (and the check that a resumed
study sees the same data), and the errors that name an unusable storage.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd


def _results_frame(study, n_splits: int) -> pd.DataFrame:
    rows = []
    for trial in study.get_trials(deepcopy=False):
        scores = trial.user_attrs.get("split_scores", [np.nan] * n_splits)
        row = {"number": trial.number, "state": trial.state.name,
               "mean_test_score": trial.value if trial.state.name == "COMPLETE" else np.nan,
               "std_test_score": float(np.std(scores))}
        row.update({f"split{k}_test_score": s for k, s in enumerate(scores)})
        row.update({f"param_{k}": v for k, v in trial.params.items()})
        row["n_epochs_reported"] = len(trial.intermediate_values)
        row["duration_s"] = np.nan if trial.duration is None else \
            trial.duration.total_seconds()
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["rank_test_score"] = frame["mean_test_score"].rank(ascending=False, method="min")
    return frame


def data_fingerprint(estimator: str, X, y=None) -> str:
    """A short hash of the estimator's class and the data (values, index, names).

    Examples
    --------
    >>> a = pd.Series([1.0, 2.0, 3.0])
    >>> data_fingerprint("X", a) == data_fingerprint("X", a.copy())
    True
    >>> data_fingerprint("X", a) == data_fingerprint("X", a * 2)
    False
    """
    digest = hashlib.sha256(estimator.encode())
    for part in (X, y):
        if part is None:
            digest.update(b"none")
        elif isinstance(part, (pd.Series, pd.DataFrame)):
            names = list(part.columns) if isinstance(part, pd.DataFrame) else [part.name]
            digest.update(repr((names, part.shape)).encode())
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
        else:
            array = np.ascontiguousarray(np.asarray(part))
            digest.update(repr((array.shape, str(array.dtype))).encode())
            digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def _check_same_data(study, estimator: str, X, y) -> None:
    """A stored study keeps the fingerprint of its data: resuming it on other data (or
    another estimator) is an error, never a silent mix of trials."""
    if X is None:
        return
    mine = data_fingerprint(estimator, X, y)
    theirs = study.user_attrs.get("tsrnn_data")
    if theirs is None:
        study.set_user_attr("tsrnn_data", mine)
    elif theirs != mine:
        raise ValueError(
            f"study {study.study_name!r} holds trials of {estimator} on other data "
            f"(fingerprint {theirs}, this data {mine}); resuming it would mix trials of "
            "different problems: use another study_name (command line: --study NAME, or "
            "--force-resume to add this data's trials to it anyway).")


def _sqlite_file(url: str):
    """The database file of a ``sqlite:///`` URL (None for another database or memory)."""
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: RDBStorage words that error
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_sqlite_file(url: str) -> None:
    """A SQLite storage must be a database file that can be created or written: say which
    path and why not, before SQLAlchemy's "unable to open database file"."""
    path = _sqlite_file(url)
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    why = ("its folder does not exist" if not folder.is_dir() else
           "it is a folder" if path.is_dir() else
           "the file is not writable" if path.exists() and not os.access(path, os.W_OK) else
           "its folder is not writable (SQLite writes a journal beside the file)"
           if not os.access(folder, os.W_OK) else None)
    if why:
        raise ValueError(f"cannot use storage={url!r}: the database file {str(path)!r} cannot "
                         f"be opened for writing ({why}).")


def _storage_error(url: str, exc: Exception) -> ValueError:
    """A database error of ``storage`` as a ValueError naming it (and its file)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    path = _sqlite_file(url)
    where = f" (database file {str(path)!r})" if path is not None else ""
    return ValueError(f"cannot use storage={url!r}{where}: {first}")

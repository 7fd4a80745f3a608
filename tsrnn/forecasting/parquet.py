"""Panels larger than memory: fit and forecast a neural model from a Parquet dataset.

``fit_parquet`` and ``predict_parquet`` read a long-format Parquet dataset (``unique_id``,
``ds``, the target and any covariates) with ``pyarrow.dataset``, a chunk of series at a
time, and never load the whole table. They use only the public API of the forecasters:
``fit`` on the first chunk, then ``fit`` with ``warm_start=True`` and one epoch per later
visit of a chunk; ``predict(X=chunk)`` to forecast.

What "windows sampled across chunks" means here: the series ids are listed once (sorted)
and cut into fixed chunks of ``chunk_series`` series. An epoch visits every chunk once,
in a new random order each epoch, and each visit trains one epoch of the engine on that
chunk's windows (shuffled within the chunk, with a seed drawn anew for every visit). So
every epoch draws training windows from every series of the panel, no chunk is always
seen last, and the one network carries what it learned from one chunk to the next. A
minibatch, however, holds windows of one chunk only, and the optimizer's moments and any
``lr_schedule`` restart at every visit (the engine builds them per ``fit``).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd

try:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pds
    import pyarrow.parquet as pq
except ImportError as exc:  # an optional dependency, like statsmodels and optuna
    raise ImportError("fit_parquet and predict_parquet need pyarrow: "
                      "pip install 'tsrnn[all]' (or pyarrow).") from exc

from .._io import atomic_path, is_local_path
from .neural import _NeuralForecaster

__all__ = ["fit_parquet", "predict_parquet"]

# A scan holds about one batch: pyarrow reads ahead 16 batches and 4 files by default, and
# its Parquet pre-buffering kept every column chunk read so far until the scan ended (a
# whole column of a 10-million-row file; pyarrow 26).
_SCAN = {"batch_size": 65_536, "batch_readahead": 1, "fragment_readahead": 1,
         "fragment_scan_options": pds.ParquetFragmentScanOptions(pre_buffer=False)}
# parameters fit_parquet sets for its visits and gives back to the user afterwards
_VISIT_PARAMS = ("warm_start", "max_epochs", "window", "log_scale", "random_state")


def _dataset(path) -> pds.Dataset:
    return path if isinstance(path, pds.Dataset) else pds.dataset(path, format="parquet")


def _check_model(model, what: str) -> None:
    if not isinstance(model, _NeuralForecaster):
        raise TypeError(f"{what} trains one global neural network across chunks of series; "
                        f"it takes LSTMForecaster, GRUForecaster or RNNForecaster, got "
                        f"{type(model).__name__}. Per-series models need no chunked "
                        "training: fit them on each chunk (or through joblib, see the "
                        "scale guide).")


def _targets(model) -> list:
    """The target column(s) the model reads (fit's default in long format: ``y``)."""
    targets = ["y"] if model.target is None else model.target
    return [targets] if isinstance(targets, str) else list(targets)


def _numeric_type(kind) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or \
        pa.types.is_decimal(kind)


def _check_columns(dataset: pds.Dataset, model, path=None) -> None:
    names = dataset.schema.names
    missing = [c for c in (model.id_col, model.time_col) if c not in names]
    if missing:
        raise ValueError(f"the Parquet dataset {_where(path)} has no column {missing} "
                         f"(columns: {names}); it must be in long format, one row per series "
                         "and timestamp (set id_col / time_col on the model to name other "
                         "columns).")
    for name in _targets(model):
        if name in names and not _numeric_type(dataset.schema.field(name).type):
            raise TypeError(f"the target column {name!r} of the Parquet dataset "
                            f"{_where(path)} holds {dataset.schema.field(name).type}, not "
                            "numbers; convert it to a numeric type first.")


def _where(path) -> str:
    """How an error names the dataset: its path (or the files of a Dataset)."""
    if isinstance(path, pds.Dataset):
        files = getattr(path, "files", None) or []
        return f"{files[0]!r}" + (f" (and {len(files) - 1} more)" if len(files) > 1 else "") \
            if files else "the dataset"
    return repr(str(path))


def _series_ids(dataset: pds.Dataset, id_col: str, path=None) -> pa.Array:
    """The distinct series ids, sorted, read batch by batch from the id column only."""
    seen = []
    for batch in dataset.to_batches(columns=[id_col], **_SCAN):
        seen.append(pc.unique(batch.column(0)))
    if not seen or not sum(len(s) for s in seen):
        raise ValueError(f"the Parquet dataset {_where(path)} holds no rows (its columns: "
                         f"{dataset.schema.names}); nothing to fit or forecast.")
    ids = pc.unique(pa.chunked_array(seen).combine_chunks())
    if ids.null_count:
        raise ValueError(f"the id column {id_col!r} holds missing values.")
    return ids.take(pc.array_sort_indices(ids))


def _chunks(ids: pa.Array, chunk_series: int) -> list:
    if isinstance(chunk_series, bool) or not isinstance(chunk_series, (int, np.integer)) \
            or chunk_series < 1:
        raise ValueError(f"chunk_series must be a positive int, got {chunk_series!r}.")
    return [ids.slice(i, chunk_series) for i in range(0, len(ids), chunk_series)]


def _read_chunk(dataset: pds.Dataset, chunk: pa.Array, id_col: str, time_col: str):
    """The rows of the series in ``chunk``, sorted by id and time, as a pandas frame.

    The filter is the chunk's ids, and/or the range of its (contiguous, sorted) ids, which
    lets Parquet skip the row groups of other series when the file is sorted by id.
    """
    field = pc.field(id_col)
    bounds = pc.min_max(chunk)
    where = (field >= bounds["min"]) & (field <= bounds["max"]) & field.isin(chunk)
    table = dataset.to_table(filter=where, **_SCAN)
    table = table.sort_by([(id_col, "ascending"), (time_col, "ascending")])
    return table.to_pandas()


def _all_positive(dataset: pds.Dataset, model) -> bool:
    """Whether every target value of the dataset is > 0 (streamed over the target columns)."""
    targets = _targets(model)
    if not targets or any(c not in dataset.schema.names for c in targets):
        return False  # fit names the missing column
    for batch in dataset.to_batches(columns=targets, **_SCAN):
        for column in batch.columns:
            low = pc.min(column).as_py()
            if low is not None and low <= 0:
                return False
    return True


def fit_parquet(model, path, *, chunk_series: int = 1000, epochs: int = 10,
                random_state=None):
    """Train one global neural forecaster on a Parquet panel, a chunk of series at a time.

    The dataset is read with ``pyarrow.dataset``: the series ids once, from the id column
    alone; then each chunk of ``chunk_series`` series with a filter on its ids, so at most
    one chunk is in memory (plus the previous one, still held by the model as its
    ``train_panel_``). The first visit fits the model from scratch (one epoch); every later
    visit continues it with ``warm_start=True`` for one epoch. Each of the ``epochs`` passes
    visits every chunk once, in a new random order (see the module docstring for what this
    does and does not mix).

    Before the first visit, what the model would otherwise derive from each chunk is fixed
    for the whole panel: ``window`` (``window_`` of the first chunk when ``window=None``)
    and ``log_scale`` (``"auto"`` becomes whether every target value of the dataset is
    positive, from one streamed pass over the target column). Those parameters, with
    ``warm_start``, ``max_epochs`` and ``random_state``, are given back their values
    afterwards.

    Parameters
    ----------
    model : LSTMForecaster, GRUForecaster or RNNForecaster
        The unfitted (or to be refitted) forecaster; ``n_models`` must be 1. Its
        ``id_col``, ``time_col`` and ``target`` name the dataset's columns; every other
        column is a covariate, as in ``fit``.
    path : str, path-like or pyarrow.dataset.Dataset
        A Parquet file or directory in long format. Sorting it by series id lets each
        chunk read skip the row groups of other series.
    chunk_series : int, default=1000
        Series per chunk: the unit of memory. A chunk's training costs a few times its
        rows in pandas.
    epochs : int, default=10
        Passes over all the chunks (``len(model.history_) == epochs * n_chunks``).
    random_state : int or None, default=None
        Seeds the order of the chunks and the seed of every visit's training; with an int
        (and the model's own ``random_state`` ignored), CPU training is repeatable.

    Returns
    -------
    model
        The fitted model. ``n_series_`` counts every series of the dataset and
        ``parquet_chunks_`` the chunks; ``train_panel_`` (what ``predict()`` without ``X``
        forecasts) and the conformal residuals come from the last chunk visited: forecast
        the whole panel with :func:`predict_parquet`.

    Examples
    --------
    >>> import os, tempfile
    >>> from tsrnn.datasets import make_panel
    >>> from tsrnn.forecasting import GRUForecaster, fit_parquet, predict_parquet
    >>> tmp = tempfile.mkdtemp()
    >>> path = os.path.join(tmp, "panel.parquet")
    >>> make_panel(n_series=4, random_state=0).to_parquet(path)
    >>> model = GRUForecaster(horizon=3, hidden_size=8, max_windows_per_series=8)
    >>> model = fit_parquet(model, path, chunk_series=2, epochs=2, random_state=0)
    >>> len(model.history_), model.parquet_chunks_, model.n_series_
    (4, 2, 4)
    >>> forecasts = predict_parquet(model, path, chunk_series=2)
    >>> forecasts.shape
    (12, 3)
    """
    _check_model(model, "fit_parquet")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}.")
    if model.n_models != 1:
        raise ValueError(f"fit_parquet continues one network from chunk to chunk; it cannot "
                         f"train n_models={model.n_models} members (set n_models=1).")
    dataset = _dataset(path)
    _check_columns(dataset, model, path)
    chunks = _chunks(_series_ids(dataset, model.id_col, path), chunk_series)
    rng = np.random.default_rng(random_state)
    saved = {name: getattr(model, name) for name in _VISIT_PARAMS}
    try:
        visit = {"warm_start": False, "max_epochs": 1}
        if model.log_scale == "auto":
            visit["log_scale"] = _all_positive(dataset, model)
        for _epoch in range(epochs):
            for k in rng.permutation(len(chunks)):
                frame = _read_chunk(dataset, chunks[k], model.id_col, model.time_col)
                model.set_params(**visit, random_state=int(rng.integers(2**31 - 1)))
                model.fit(frame)
                del frame
                if not visit["warm_start"]:  # after the first visit: fixed for the panel
                    visit.update(warm_start=True, window=model.window_)
    finally:
        model.set_params(**saved)
    model.n_series_ = int(sum(len(c) for c in chunks))
    model.parquet_chunks_ = len(chunks)
    return model


def predict_parquet(model, path, out_path=None, *, chunk_series: int = 1000,
                    horizon: int | None = None):
    """Forecast every series of a Parquet panel, a chunk of series at a time.

    Each chunk of ``chunk_series`` series is read with a filter on its ids and forecast
    from its own history with ``model.predict(X=chunk)`` (no refit); the forecasts are
    appended to one Parquet file, so memory holds one chunk and its forecasts.

    Parameters
    ----------
    model : LSTMForecaster, GRUForecaster or RNNForecaster
        A fitted forecaster (from :func:`fit_parquet` or an ordinary ``fit``).
    path : str, path-like or pyarrow.dataset.Dataset
        The long-format Parquet history, as for :func:`fit_parquet`.
    out_path : str or path-like, optional
        The Parquet file to write the forecasts to (long format: id, timestamp, target).
        None: return them as one DataFrame instead. A local file is written beside itself
        and renamed once every chunk is done: a failure leaves the previous file (or
        none), never a partial one; a URI (``s3://...``) is written directly.
    chunk_series : int, default=1000
        Series per chunk.
    horizon : int, optional
        Steps to forecast; defaults to the fitted ``horizon``.

    Returns
    -------
    DataFrame or out_path
        The forecasts of every series, by series id (sorted) then time; or ``out_path``
        once written.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from tsrnn.datasets import make_panel
    >>> from tsrnn.forecasting import GRUForecaster, predict_parquet
    >>> tmp = tempfile.mkdtemp()
    >>> panel = make_panel(n_series=3, random_state=0)
    >>> panel.to_parquet(os.path.join(tmp, "panel.parquet"))
    >>> model = GRUForecaster(horizon=2, hidden_size=8, max_epochs=1).fit(panel)
    >>> out = predict_parquet(model, os.path.join(tmp, "panel.parquet"),
    ...                       os.path.join(tmp, "forecasts.parquet"), chunk_series=2)
    >>> len(pd.read_parquet(out))
    6
    """
    _check_model(model, "predict_parquet")
    dataset = _dataset(path)
    _check_columns(dataset, model, path)
    chunks = _chunks(_series_ids(dataset, model.id_col, path), chunk_series)
    if out_path is None:
        return pd.concat([model.predict(X=_read_chunk(dataset, chunk, model.id_col,
                                                      model.time_col), horizon=horizon)
                          for chunk in chunks], ignore_index=True)
    # a local file is written beside itself and renamed once complete: a chunk that fails
    # leaves the previous file (or none), never a partial one
    target = atomic_path(out_path) if is_local_path(out_path) else \
        contextlib.nullcontext(out_path)
    with target as where:
        writer = None
        try:
            for chunk in chunks:
                frame = _read_chunk(dataset, chunk, model.id_col, model.time_col)
                forecast = model.predict(X=frame, horizon=horizon)
                del frame
                table = pa.Table.from_pandas(forecast, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(where, table.schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
    return out_path

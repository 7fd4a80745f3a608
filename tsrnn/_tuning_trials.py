"""The trials of :class:`tsrnn.tuning.OptunaSearchCV`: parameters sampled from the search
space (the estimator's defaults enqueued first), pruners and the pruning callback, the
time order of panel folds, and the thread budget of the search.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import torch

PRUNERS = ("median", "hyperband", None)


def _import_optuna():
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("tuning needs optuna: pip install tsrnn[tune]") from exc
    return optuna


def _defaults_trial(estimator, space) -> dict | None:
    """The estimator's own values of the searched parameters, when all lie in ``space``
    (then enqueued as the first trial: the search can only improve on the defaults)."""
    if callable(space):
        return None
    params = estimator.get_params()
    out = {}
    for name, dist in space.items():
        value = params.get(name)
        try:
            if not dist._contains(dist.to_internal_repr(value)):
                return None
        except (TypeError, ValueError):
            return None
        out[name] = value
    return out


def _suggest(trial, name: str, dist):
    optuna = _import_optuna()
    if isinstance(dist, optuna.distributions.FloatDistribution):
        return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)
    if isinstance(dist, optuna.distributions.IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    return trial.suggest_categorical(name, dist.choices)


def _sample(space, trial) -> dict:
    """Estimator parameters for ``trial`` from a dict of distributions or a callable."""
    if not callable(space):
        return {name: _suggest(trial, name, dist) for name, dist in space.items()}
    params = space(trial)
    if not isinstance(params, dict):
        raise TypeError(f"a callable param_distributions must return a dict of estimator "
                        f"parameters, got {type(params).__name__}.")
    return params


def _make_pruner(pruner):
    optuna = _import_optuna()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1)
    if pruner is None:
        return optuna.pruners.NopPruner()
    raise ValueError(f"pruner={pruner!r} is not one of {list(PRUNERS)} or an optuna pruner.")


class _PruningCallback:
    """Training callback: reports ``-valid_loss`` (else ``-train_loss``) of each epoch to the
    trial, step = epoch, and raises ``TrialPruned`` when the pruner says so."""

    def __init__(self, trial):
        self.trial = trial

    def __call__(self, epoch: int, record: dict) -> None:
        loss = record.get("valid_loss", record["train_loss"])
        self.trial.report(-loss, epoch)
        if self.trial.should_prune():
            raise _import_optuna().TrialPruned(f"pruned at epoch {epoch} (loss {loss:.4g}).")


def _panel_times(estimator, X):
    """Distinct timestamps of a long or (id, time) MultiIndex panel, else None (one
    series: rows are then in time order). The columns are the estimator's ``id_col`` and
    ``time_col`` (a forecaster's, or a wrapper's), else ``unique_id`` and ``ds``."""
    if not isinstance(X, pd.DataFrame):
        return None
    if isinstance(X.index, pd.MultiIndex):
        return X.index.get_level_values(-1).nunique() if X.index.nlevels == 2 else None
    id_col, time_col = _panel_columns(estimator)
    if id_col in X.columns and time_col in X.columns:
        return X[time_col].nunique()
    return None


def _check_time_order(estimator, X, splits) -> None:
    """On a panel, every fold must test after every training timestamp: a row-wise
    splitter (sklearn's TimeSeriesSplit on a long frame) would train on one series' end
    and test on another's start."""
    if _panel_times(estimator, X) is None:
        return
    from .model_selection import _timeline

    codes = _timeline(X, *_panel_columns(estimator))
    for fold, (train, test) in enumerate(splits):
        if len(train) and len(test) and codes[test].min() <= codes[train].max():
            raise ValueError(f"fold {fold} of cv tests timestamps before the end of its "
                             "training part: on a long-format panel, split by time, e.g. "
                             "cv=tsrnn.model_selection.ExpandingWindowSplit(n_splits, "
                             "test_size) (or an int), not by rows (TimeSeriesSplit).")


def _panel_columns(estimator) -> tuple:
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    return params.get("id_col", "unique_id"), params.get("time_col", "ds")


def _take(data, idx):
    if data is None:
        return None
    return data.iloc[idx] if hasattr(data, "iloc") else np.asarray(data)[idx]


@contextlib.contextmanager
def _search_context(n_jobs: int, verbose: bool):
    """Optuna's log level, and torch's intra-op threads shared out among ``n_jobs`` threads."""
    optuna = _import_optuna()
    level, threads = optuna.logging.get_verbosity(), torch.get_num_threads()
    optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.WARNING)
    if n_jobs > 1:
        torch.set_num_threads(max(1, threads // n_jobs))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)
        torch.set_num_threads(threads)

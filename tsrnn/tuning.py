"""Hyperparameter search with Optuna, in the shape of scikit-learn's searches.

:class:`OptunaSearchCV` samples parameters with a seeded TPE sampler, scores each candidate
by time-series cross-validation, stops unpromising neural trials early (pruning), and can
keep its study in a database so that a search resumes after an interruption and several
processes share one search. :func:`default_search_space` gives a sensible space for the
neural estimators. Needs ``pip install tsrnn[tune]`` (and ``[plot]`` for the plots).

The estimators also work unchanged in scikit-learn's searches, in parallel processes
(joblib limits each worker's torch threads)::

    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from tsrnn import GRURegressor

    grid = GridSearchCV(GRURegressor(max_epochs=20), {"hidden_size": [16, 32],
                        "lr": [1e-3, 1e-2]}, cv=TimeSeriesSplit(3), n_jobs=2)
    grid.fit(X, y)  # X: (n_samples, n_timesteps, n_features) windows in time order
"""

from __future__ import annotations

import numbers
import os
import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import TimeSeriesSplit, check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._neural import NeuralMixin
from ._plots import plot_study_history, plot_study_importances
from ._studies import _check_same_data, _check_sqlite_file, _results_frame, _storage_error
from ._studies import _sqlite_file as _sqlite_file
from ._studies import data_fingerprint as data_fingerprint
from ._tuning_trials import PRUNERS as PRUNERS
from ._tuning_trials import (
    _check_time_order,
    _defaults_trial,
    _import_optuna,
    _make_pruner,
    _panel_columns,
    _panel_times,
    _PruningCallback,
    _sample,
    _search_context,
    _take,
)
from ._tuning_trials import _suggest as _suggest
from ._validation import (
    HasMethods,
    Integral,
    Interval,
    Options,
    Real,
    StrOptions,
    check_positive_int,
    positive_int,
    validate_params,
    with_new_params,
)
from .exceptions import TrainingDivergedError
from .forecasting.base import BaseForecaster


def _default_window(estimator, X, y=None) -> int | None:
    """The window a neural forecaster with ``window=None`` derives from ``X`` (its season
    and typical series length, ``auto_window``), or None where it cannot be told."""
    if X is None:
        return None
    try:
        from .forecasting._data import check_regular, to_panel
        from .forecasting.base import _combine
        from .forecasting.neural import auto_window
        from .forecasting.seasonality import season_lengths

        spec = estimator._spec()
        panel = to_panel(_combine(X, y, spec), spec)
        freq = check_regular(panel, estimator.freq)
        seasons = season_lengths(freq)
        return int(auto_window(int(estimator.horizon), seasons, [int(np.median(panel.lengths))],
                               longer=getattr(estimator, "seasonal", None) == "auto"))
    except Exception:  # noqa: BLE001 - a best guess only: None (the default) is searched
        return None


def default_search_space(estimator, X=None, y=None) -> dict:
    """A sensible search space for ``estimator``, as a dict of Optuna distributions.

    Neural estimators get ``hidden_size`` (8-128, log), ``num_layers`` (1-3), ``dropout``
    (0-0.5), ``lr`` (1e-4 to 3e-2, log), ``weight_decay`` (0, 1e-6, 1e-5, 1e-4 or 1e-3) and
    ``batch_size`` (32, 64, 128 or 256); neural forecasters also get ``window``: None
    (the window the model derives from the data, e.g. 336 hourly) or one of a ladder of
    windows from ``max(2, horizon)`` up to that derived window (given ``X``; else up to
    ``max(16, 4 * horizon)``). Every default of the estimator lies in the space, so that
    :class:`OptunaSearchCV` can try the untuned model first. The recurrent cell is the
    class itself, so it is not searched: run one search per class (same ``cv``, so the
    ``best_score_`` values compare). Other estimators get an empty space.

    Parameters
    ----------
    estimator : estimator
    X, y : data, optional
        The data to be searched on, from which a forecaster derives its default window.

    Examples
    --------
    >>> from tsrnn import GRURegressor
    >>> sorted(default_search_space(GRURegressor()))
    ['batch_size', 'dropout', 'hidden_size', 'lr', 'num_layers', 'weight_decay']
    """
    dist = _import_optuna().distributions
    if not isinstance(estimator, NeuralMixin):
        return {}
    space = {
        "hidden_size": dist.IntDistribution(8, 128, log=True),
        "num_layers": dist.IntDistribution(1, 3),
        "dropout": dist.FloatDistribution(0.0, 0.5),
        "lr": dist.FloatDistribution(1e-4, 3e-2, log=True),
        "weight_decay": dist.CategoricalDistribution((0.0, 1e-6, 1e-5, 1e-4, 1e-3)),
        "batch_size": dist.CategoricalDistribution((32, 64, 128, 256)),
    }
    if isinstance(estimator, BaseForecaster):
        horizon = check_positive_int(estimator.horizon, "horizon")
        top = _default_window(estimator, X, y) or max(16, 4 * horizon)
        ladder = {max(2, horizon), 2 * horizon, 4 * horizon, top // 4, top // 2, top}
        if isinstance(estimator.window, numbers.Integral):
            ladder.add(int(estimator.window))
        choices = sorted(w for w in ladder if 2 <= w <= max(top, horizon))
        space["window"] = dist.CategoricalDistribution((None, *choices))
    return space


class OptunaSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Search hyperparameters with Optuna, scoring candidates by time-series CV.

    Parameters
    ----------
    estimator : estimator
        Cloned for every fit: a tsrnn estimator or forecaster, or any estimator.
    param_distributions : dict, callable or None, default=None
        Parameter name -> ``optuna.distributions`` ``FloatDistribution``,
        ``IntDistribution`` or ``CategoricalDistribution``; or ``space(trial) -> dict`` of
        parameters (free to derive them, e.g. ``2 ** trial.suggest_int(...)``); None means
        :func:`default_search_space`.
    n_trials : int, default=20
        Trials this ``fit`` adds to the study (pruned and failed ones count).
    timeout : float or None, default=None
        Stop starting new trials after this many seconds.
    cv : int, cross-validation splitter or None, default=3
        An int (None: 3) means ``n_splits=cv`` folds split by time: for a forecaster on a
        long-format or (id, time) MultiIndex panel, ``ExpandingWindowSplit`` over the
        panel's timestamps (never rows, so no series is in both parts at one time),
        otherwise ``TimeSeriesSplit``; else any splitter with ``split(X, y)`` or an
        iterable of ``(train, test)`` index arrays (panels need a time-based splitter).
    scoring : str, callable or None, default=None
        A scikit-learn scorer (greater is better); None uses ``estimator.score`` (for the
        forecasters: the negative MASE of rolling-origin forecasts).
    pruner : {"median", "hyperband"}, optuna pruner or None, default="median"
        "median": ``MedianPruner(n_startup_trials=5, n_warmup_steps=2)``; "hyperband":
        ``HyperbandPruner(min_resource=1)``. Estimators with a ``callbacks`` parameter get
        a callback reporting ``-valid_loss`` (``-train_loss`` without validation data) of
        every epoch of the **first fold** (step = epoch) and stopping the trial when pruned.
        Other estimators are never pruned.
    storage : str, optuna storage or None, default=None
        None keeps the study in memory. A database URL (``sqlite:///tune.db``,
        ``postgresql://user@host/db``) or storage object keeps it, so that a later ``fit``
        with the same ``study_name`` continues it and several processes can run ``fit`` on
        it at once (each adds ``n_trials``). The running trial of a killed process stays
        "RUNNING" unless the storage has a heartbeat
        (``optuna.storages.RDBStorage(url, heartbeat_interval=60)``).
    study_name : str or None, default=None
        Name of the study in ``storage``; None makes a new study each time.
    load_if_exists : bool, default=True
        Continue an existing study of that name (else raise ``DuplicatedStudyError``).
    n_jobs : int, default=1
        Trials in parallel threads (-1: one per CPU). Torch's intra-op threads are divided
        among them during the search (``torch.set_num_threads``), then restored. For small
        models, several processes on one ``storage`` scale better (set their torch threads
        so that processes x threads <= cores).
    random_state : int or None, default=None
        Seeds the TPE sampler: with ``n_jobs=1`` and an in-memory study the sampled
        parameters repeat exactly. A resumed study seeds with ``random_state`` plus its
        number of trials, so it does not repeat its first samples; give each concurrent
        process its own ``random_state``.
    refit : bool, default=True
        Refit the best parameters on all of ``X`` as ``best_estimator_``.
    verbose : bool or int, default=False
        Log every trial (Optuna's INFO level) when true or >= 1, as in scikit-learn;
        otherwise (0, False) warnings only.

    Attributes
    ----------
    best_params_ : dict
        Estimator parameters of the best trial of the study (all runs and processes).
    best_score_ : float
        Its mean cross-validated score.
    best_trial_ : optuna.trial.FrozenTrial
    best_estimator_ : estimator
        Refit on all the data (with ``refit=True``).
    study_ : optuna.Study
    results_ : pandas.DataFrame
        One row per trial: ``number``, ``state``, ``mean_test_score``, ``std_test_score``,
        ``split<k>_test_score``, ``param_<name>``, ``n_epochs_reported``, ``duration_s``,
        ``rank_test_score``.
    scorer_, n_splits_, refit_time_

    Notes
    -----
    A trial whose training diverges (``TrainingDivergedError``) is recorded as failed and
    the search goes on; any other error stops it. Threads (``n_jobs > 1``) share torch's
    global RNG, so their results are not repeatable.

    Examples
    --------
    >>> import numpy as np
    >>> from optuna.distributions import IntDistribution
    >>> from tsrnn import GRURegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 1))
    >>> y = X[:, -1, 0]
    >>> search = OptunaSearchCV(GRURegressor(max_epochs=2, random_state=0),
    ...                         {"hidden_size": IntDistribution(4, 16)}, n_trials=3,
    ...                         cv=2, random_state=0).fit(X, y)
    >>> 4 <= search.best_params_["hidden_size"] <= 16
    True
    >>> search.predict(X[:2]).shape
    (2,)
    """

    # checked at the start of fit (the search space and cv by their own checks after)
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "get_params"])],
        "param_distributions": [dict, callable, None],
        "n_trials": [positive_int(), None],
        "timeout": [Interval(Real, 0, None, closed="neither"), None],
        "cv": [Interval(Integral, 2, None, closed="left"), HasMethods(["split", "get_n_splits"]),
               list, tuple, None],
        "scoring": [str, callable, list, tuple, dict, None],
        "pruner": [StrOptions({"median", "hyperband"}), HasMethods(["prune"]), None],
        "storage": [str, HasMethods(["create_new_study"]), None],
        "study_name": [str, None],
        "load_if_exists": ["boolean"],
        "n_jobs": [positive_int(), Options(Integral, {-1})],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "refit": ["boolean"],
        "verbose": ["boolean", Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, estimator, param_distributions=None, n_trials=20, timeout=None, cv=3,
                 scoring=None, pruner="median", storage=None, study_name=None,
                 load_if_exists=True, n_jobs=1, random_state=None, refit=True, verbose=False):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_trials = n_trials
        self.timeout = timeout
        self.cv = cv
        self.scoring = scoring
        self.pruner = pruner
        self.storage = storage
        self.study_name = study_name
        self.load_if_exists = load_if_exists
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.refit = refit
        self.verbose = verbose

    def __setstate__(self, state):  # a search pickled before a parameter existed
        super().__setstate__(with_new_params(type(self), state))

    # -- validation ----------------------------------------------------------------------
    def _check_space(self, X=None, y=None):
        space = self.param_distributions
        if space is None:
            space = default_search_space(self.estimator, X, y)
            if not space:
                raise ValueError(f"{type(self.estimator).__name__} has no default search "
                                 "space: pass param_distributions.")
        if callable(space):
            return space
        if not isinstance(space, dict) or not space:
            raise TypeError("param_distributions must be a non-empty dict of optuna "
                            f"distributions or a callable, got {space!r}.")
        dists = _import_optuna().distributions
        kinds = (dists.FloatDistribution, dists.IntDistribution, dists.CategoricalDistribution)
        valid = self.estimator.get_params()
        for name, dist in space.items():
            if name not in valid:
                raise ValueError(f"param_distributions names {name!r}, which is not a "
                                 f"parameter of {type(self.estimator).__name__}.")
            if not isinstance(dist, kinds):
                raise TypeError(f"param_distributions[{name!r}] must be an optuna Float-, "
                                f"Int- or CategoricalDistribution, got {dist!r}.")
        return space

    def _check_cv(self, X=None):
        cv = 3 if self.cv is None else self.cv
        if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            n_splits = check_positive_int(cv, "cv", minimum=2)
            panel = _panel_times(self.estimator, X)
            if panel is not None:  # a panel: split by time, never by rows
                from .model_selection import ExpandingWindowSplit

                id_col, time_col = _panel_columns(self.estimator)
                return ExpandingWindowSplit(n_splits=n_splits,
                                            test_size=max(1, panel // (n_splits + 1)),
                                            id_col=id_col, time_col=time_col)
            return TimeSeriesSplit(n_splits=n_splits)
        return check_cv(self.cv)  # a splitter or an iterable of (train, test) pairs

    def _check_params(self) -> int:
        """Check the budget and the seed; return the number of threads."""
        if self.n_trials is None and self.timeout is None:
            raise ValueError("n_trials and timeout are both None: the search would not end.")
        if self.n_trials is not None:
            check_positive_int(self.n_trials, "n_trials")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout must be positive, got {self.timeout!r}.")
        if self.random_state is not None:
            check_positive_int(self.random_state, "random_state", minimum=0)
        return (os.cpu_count() or 1) if self.n_jobs == -1 else \
            check_positive_int(self.n_jobs, "n_jobs")

    # -- the search ----------------------------------------------------------------------
    def _open_storage(self):
        """An RDBStorage for a URL, retried: workers started together race to create the
        tables. SQLite waits up to 60 s for the lock instead of failing at once."""
        if not isinstance(self.storage, str):
            return self.storage
        from sqlalchemy.exc import SQLAlchemyError

        _check_sqlite_file(self.storage)
        kwargs = {"connect_args": {"timeout": 60}} if self.storage.startswith("sqlite") else {}
        for attempt in range(4):
            try:
                return _import_optuna().storages.RDBStorage(self.storage, engine_kwargs=kwargs)
            except SQLAlchemyError as exc:
                if attempt == 3:
                    raise _storage_error(self.storage, exc) from None
                time.sleep(0.5 * (attempt + 1))

    def _create_study(self, X=None, y=None):
        optuna = _import_optuna()
        storage = self._open_storage()
        try:
            study = optuna.create_study(storage=storage, study_name=self.study_name,
                                        direction="maximize", pruner=_make_pruner(self.pruner),
                                        load_if_exists=self.load_if_exists)
        except Exception as exc:  # a database that fails once open: name the storage
            if not type(exc).__module__.startswith("sqlalchemy"):
                raise
            raise _storage_error(str(self.storage), exc) from None
        if study.direction != optuna.study.StudyDirection.MAXIMIZE:
            raise ValueError(f"study {study.study_name!r} minimises; OptunaSearchCV "
                             "maximises scores: use another study_name.")
        seed = self.random_state
        if seed is not None:
            seed += len(study.get_trials(deepcopy=False))
        study.sampler = optuna.samplers.TPESampler(seed=seed)
        _check_same_data(study, type(self.estimator).__name__, X, y)
        return study

    def fit(self, X, y=None):
        """Run ``n_trials`` trials (adding to a stored study), then refit the best.

        Returns
        -------
        self
        """
        validate_params(self)
        n_jobs, space = self._check_params(), self._check_space(X, y)
        splits = list(self._check_cv(X).split(X, y))
        _check_time_order(self.estimator, X, splits)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)
        self.n_splits_ = len(splits)
        with _search_context(n_jobs, self.verbose):
            study = self._create_study(X, y)
            defaults = _defaults_trial(self.estimator, space)
            if defaults is not None:  # the untuned model first: tuning can only improve it
                study.enqueue_trial(defaults, skip_if_exists=True)
            try:
                study.optimize(lambda trial: self._objective(trial, space, X, y, splits),
                               n_trials=self.n_trials, timeout=self.timeout, n_jobs=n_jobs,
                               catch=(TrainingDivergedError,))
            except Exception as exc:  # the database failing mid-search: name the storage
                if not type(exc).__module__.startswith("sqlalchemy"):
                    raise
                raise _storage_error(str(self.storage), exc) from None
        self.study_ = study
        self.results_ = _results_frame(study, self.n_splits_)
        complete = self.results_["state"] == "COMPLETE"
        if not complete.any():
            counts = self.results_["state"].value_counts().to_dict()
            raise ValueError(f"no trial completed (trial states: {counts}); widen the search "
                             "space, lower the lr range or use a gentler pruner.")
        self.best_trial_ = study.best_trial
        self.best_score_ = float(self.best_trial_.value)
        optuna = _import_optuna()
        self.best_params_ = _sample(space, optuna.trial.FixedTrial(self.best_trial_.params))
        if self.refit:
            self._refit(X, y)
        return self

    def _objective(self, trial, space, X, y, splits) -> float:
        params = _sample(space, trial)
        prune = self.pruner is not None and "callbacks" in self.estimator.get_params()
        scores = []
        for fold, (train, test) in enumerate(splits):
            est = clone(self.estimator).set_params(**params)
            if prune and fold == 0:
                est.set_params(callbacks=[*(est.callbacks or []), _PruningCallback(trial)])
            est.fit(_take(X, train), _take(y, train))
            scores.append(float(self.scorer_(est, _take(X, test), _take(y, test))))
        trial.set_user_attr("split_scores", scores)
        return float(np.mean(scores))

    def _refit(self, X, y) -> None:
        start = time.perf_counter()
        self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
        self.best_estimator_.fit(X, y)
        self.refit_time_ = time.perf_counter() - start

    # -- results and delegation ----------------------------------------------------------
    def trials_dataframe(self) -> pd.DataFrame:
        """Optuna's table of every trial of the study, as it stands now."""
        check_is_fitted(self, "study_")
        return self.study_.trials_dataframe()

    def predict(self, X=None, **params):
        """``best_estimator_.predict(X, **params)`` (forecasters: ``predict()`` works)."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X, **params)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        """``best_estimator_.predict_proba(X)``."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)

    def score(self, X, y=None) -> float:
        """Score of ``best_estimator_`` on ``X`` (and ``y``) with ``scorer_``."""
        check_is_fitted(self, "best_estimator_")
        return float(self.scorer_(self.best_estimator_, X, y))

    def plot_history(self, path) -> str:
        """Save the optimisation history (scores, best so far, per-epoch curves) to ``path``."""
        check_is_fitted(self, "study_")
        return plot_history(self.study_, path)

    def plot_importances(self, path) -> str:
        """Save Optuna's parameter importances (fANOVA) as a bar chart to ``path``."""
        check_is_fitted(self, "study_")
        return plot_importances(self.study_, path)


def plot_history(study, path) -> str:
    """Save a study's history to ``path``: completed scores, best so far and pruned trials
    (top); the per-epoch values reported by every trial, pruned ones in red (bottom)."""
    return plot_study_history(study, path)  # every figure is drawn in _plots.py


def plot_importances(study, path) -> str:
    """Save the fANOVA importances of a study's parameters (seeded) as a bar chart."""
    return plot_study_importances(study, path)



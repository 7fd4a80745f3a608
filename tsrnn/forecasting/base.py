"""The contract shared by every forecaster of tsrnn, neural and classical.

Public methods validate the input and manage state; subclasses implement three hooks on
validated :class:`~tsrnn.forecasting._data.Panel` objects:

``_fit(panel)``
    learn from the training series;
``_predict(panel, horizon, future)``
    forecast ``horizon`` steps after the end of every series of ``panel`` (any history, not
    only the training one) and return an array ``(n_series, horizon, n_targets)``;
    ``future`` holds the known future covariates ``(n_series, horizon, n)`` or None;
``_predict_interval(panel, horizon, future, coverage)`` (optional)
    return ``(lower, upper)`` arrays of the same shape.

Signatures follow scikit-learn, so that ``GridSearchCV``, ``cross_val_score`` and
``Pipeline`` work unchanged: ``fit(X, y=None)`` where, with ``y`` omitted, ``X`` is the
time series (and any covariate columns); with ``y`` given, ``y`` is the target series and
``X`` the covariates, aligned on the time index (and series id). See ``docs/contract.md``.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    Integral,
    ValidatedParams,
    check_float32_range,
    check_positive_int,
    check_probability,
    check_unique_columns,
    positive_int,
    unchanged_on_error,
)
from ._data import (
    Panel,
    Schema,
    Spec,
    check_regular,
    from_forecasts,
    future_index,
    to_panel,
)
from ._fitted_params import reads_fitted_params, snapshot
from ._rolling import _continues, _origin_future, _rolling_origins, _warn_overlap


def _as_list(value):
    if value is None:
        return None
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _target_columns(y, spec: Spec) -> list:
    """The target columns of a ``y`` given apart from the covariates."""
    if isinstance(y, pd.Series):
        return [y.name if y.name is not None else "y"]
    if isinstance(y, pd.DataFrame):
        return [c for c in y.columns if c not in (spec.id_col, spec.time_col)]
    raise TypeError(f"y must be a pandas Series or DataFrame, got {type(y).__name__}.")


def _plain_series(y) -> bool:
    """Is ``y`` one series (a Series on a time index, not a panel on a MultiIndex)?"""
    return isinstance(y, pd.Series) and not isinstance(y.index, pd.MultiIndex)


def _combine(X, y, spec: Spec):
    """One frame holding the targets ``y`` and the covariates ``X``, aligned by labels."""
    if y is None:
        return X
    target = y.to_frame(y.name if y.name is not None else "y") if isinstance(y, pd.Series) \
        else y
    if X is None:
        return target
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"covariates X must be a DataFrame, got {type(X).__name__}.")
    check_unique_columns(X.columns, "covariates X")
    check_unique_columns(target.columns, "target y")
    keys = [spec.id_col, spec.time_col] if spec.id_col in target.columns else []
    clash = [c for c in X.columns if c in target.columns and c not in keys]
    if clash:  # the target in both: which one to fit would be a guess
        raise ValueError(f"covariates X and target y share the column names {clash}; the "
                         "target goes in y only: drop it from X.")
    if keys:
        absent = [k for k in keys if k not in X.columns]
        if absent:
            raise ValueError(f"covariates X lack the column(s) {absent} that align them with "
                             f"the long-format target y (by {keys}).")
        merged = target.merge(X, on=keys, how="left", validate="one_to_one")
    else:
        merged = target.join(X, how="left")
    new_cols = [c for c in merged.columns if c not in target.columns]
    if merged[new_cols].isna().any().any():
        row = merged.index[merged[new_cols].isna().any(axis=1)][0]
        raise ValueError(f"covariates X are missing (or NaN) for target rows (first: {row!r}); "
                         "X must cover every timestamp of y.")
    return merged


def _same_as_target(X, y) -> bool:
    """Is ``X`` the target ``y`` itself (``cross_val_score(forecaster, y, y)``, as
    scikit-learn's scorers need a ``y``)? Then it holds no covariates."""
    if X is None or y is None or type(X) is not type(y):
        return False
    if X is y:
        return True
    try:
        return bool(X.index.equals(y.index) and X.equals(y) and (
            X.name == y.name if isinstance(X, pd.Series) else list(X.columns) == list(y.columns)))
    except (TypeError, ValueError, AttributeError):
        return False


def _holds(X, names) -> bool:
    """Does ``X`` (Series or DataFrame) hold every column in ``names``?"""
    if isinstance(X, pd.Series):
        return [X.name if X.name is not None else "y"] == list(names)
    return isinstance(X, pd.DataFrame) and all(n in X.columns for n in names)


def _drop_future_rows(X, targets, spec: Spec):
    """``X`` without the rows after each series' last observed target (all targets NaN).

    In the layout of ``fit(X)`` (targets beside covariates) those rows carry the known
    future covariates of the forecast period.
    """
    if not isinstance(X, pd.DataFrame):
        return X
    observed = X[list(targets)].notna().any(axis=1).to_numpy()
    if observed.all():
        return X
    if isinstance(X.index, pd.MultiIndex):
        ids = X.index.get_level_values(0)
    elif spec.id_col in X.columns:
        ids = X[spec.id_col]
    else:
        ids = np.zeros(len(X))
    later = pd.Series(observed[::-1]).groupby(np.asarray(ids)[::-1]).cummax().to_numpy()[::-1]
    return X[later]


class BaseForecaster(ValidatedParams, BaseEstimator):
    """Base class of all forecasters (not used directly).

    Subclasses take the parameters ``horizon``, ``freq``, ``target``, ``id_col`` and
    ``time_col`` and implement ``_fit`` and ``_predict``.
    """

    # Every parameter of every forecaster is declared here or in its class (entries are
    # merged along the class hierarchy), and checked at the start of ``fit``.
    _parameter_constraints = {
        "horizon": [positive_int()],
        "freq": [str, pd.offsets.BaseOffset, timedelta, Integral, None],
        "target": [str, Integral, list, tuple, None],
        "id_col": [str, Integral],
        "time_col": [str, Integral],
    }
    # What the forecaster can do, declared like scikit-learn's tags and merged along the
    # class hierarchy (read with ``capabilities()``): callers check them instead of trying
    # and catching NotImplementedError. ``covariates``: uses past covariates;
    # ``future_covariates``: uses covariates known over the forecast period.
    _capabilities = {"intervals": False, "covariates": False, "future_covariates": False}
    # Largest |value| accepted: squares of the data must stay finite (float64). Neural
    # forecasters, trained in float32, accept less.
    _max_magnitude = 1e150

    def __init_subclass__(cls, **kwargs):
        # every public prediction method a subclass adds (predict_quantiles...) reads the
        # fitted parameters, as predict does (_fitted_params.py)
        for name, value in list(vars(cls).items()):
            if callable(value) and (name.startswith("predict") or name == "score"):
                setattr(cls, name, reads_fitted_params(value))
        super().__init_subclass__(**kwargs)

    def _min_length(self) -> int:
        """Fewest observations a series needs for ``fit``."""
        return 1

    def _min_history(self) -> int:
        """Fewest observations a series needs to be forecast from (default: as for fit)."""
        return self._min_length()

    def _min_length_reason(self) -> str | None:
        """Why a series needs ``_min_length()`` observations, for the error (None: the
        number says it all)."""
        return None

    def _spec(self) -> Spec:
        return Spec(target=_as_list(self.target), id_col=self.id_col, time_col=self.time_col)

    def fit(self, X, y=None):
        """Fit on the series in ``X`` (or on target ``y`` with covariates ``X``).

        Returns
        -------
        self
        """
        with unchanged_on_error(self):  # a failed fit leaves the model as it was
            return self._fit_validated(X, y)

    def _fit_validated(self, X, y):
        self._validate_params()
        self.horizon_ = int(self.horizon)
        spec = self._spec()
        if _same_as_target(X, y):  # fit(y, y): the series, no covariates
            X = None
        if y is not None and spec.target is None:
            spec.target = _target_columns(y, spec)
        panel = to_panel(_combine(X, y, spec), spec, min_length=self._min_length(),
                         why=self._min_length_reason())
        if _plain_series(y):
            panel.layout = "series"  # a Series in, a Series out
        panel.own()  # fitted state never shares memory with the caller's data
        panel.sort_covariates()  # one model whatever the order of the covariate columns
        self.freq_ = check_regular(panel, self.freq)
        self._check_magnitude(panel)
        self.targets_ = panel.targets
        self.covariates_ = panel.covariate_names
        self.n_series_ = len(panel.ids)
        self.schema_ = Schema.of(panel, self.freq_, targets_apart=y is not None)
        self._fit(panel)
        self.train_panel_ = panel
        self.fitted_params_ = snapshot(self.get_params(deep=False))  # what predict reads
        return self

    def capabilities(self) -> dict:
        """What this forecaster can do: ``intervals``, ``covariates``, ``future_covariates``.

        Examples
        --------
        >>> from tsrnn.forecasting import NaiveForecaster
        >>> NaiveForecaster().capabilities()["intervals"]
        True
        """
        merged = {}
        for klass in reversed(type(self).__mro__):
            merged.update(klass.__dict__.get("_capabilities", {}))
        return merged

    def _check_magnitude(self, panel: Panel) -> None:
        """Refuse data too large for the model's arithmetic (the message says how large)."""
        limit = self._max_magnitude
        for block, what in ((panel.values, "the target"), (panel.covariates, "the covariates")):
            if block is not None:
                if limit < 1e38:
                    check_float32_range(block, what, limit)
                elif block.size and np.max(np.abs(block)) > limit:
                    raise ValueError(f"{what} holds values up to {np.max(np.abs(block)):.3g} in "
                                     f"magnitude; {type(self).__name__} accepts |x| <= "
                                     f"{limit:.0e}: rescale the data first.")

    def _check_new(self, panel: Panel, what: str) -> Panel:
        """Check new data against the fitted schema; covariates reordered by name."""
        self.schema_.check(panel, what)
        if panel.covariate_names != list(self.covariates_):
            order = [panel.covariate_names.index(c) for c in self.covariates_]
            panel.covariates = panel.covariates[:, order] if order else None
            panel.covariate_names = list(self.covariates_)
        self._check_magnitude(panel)
        panel.protect()
        return panel

    def _history(self, X, y) -> Panel:
        """The history to forecast from: the training data, ``y`` (with covariates ``X``),
        or ``X`` itself when it holds the target column(s), as in ``fit(X)``."""
        check_is_fitted(self, "train_panel_")
        spec = self._spec()
        if _same_as_target(X, y):  # predict(y, y): X is the new history itself
            y = None
        if y is not None:
            if X is not None and not self.covariates_:
                raise ValueError(f"{type(self).__name__} was fitted without covariates, but "
                                 "X was given with y; pass only the new history (y).")
            new = _combine(X, y, spec) if self.covariates_ else y
        elif X is None:
            return self.train_panel_
        elif _holds(X, self.targets_):  # X is a new history (targets and any covariates)
            new = _drop_future_rows(X, self.targets_, spec) if self._future_names() else X
            if not len(new):  # only future rows (no target observed): future covariates
                return self.train_panel_
        elif self.covariates_:
            if self._future_names():
                return self.train_panel_  # X holds the known future covariates only
            raise ValueError(f"X holds no target column {self.targets_}: to forecast from a "
                             "new history, pass it as y (with its covariates in X), or put "
                             "the target beside the covariates in X; predict() alone "
                             "forecasts from the end of the training data.")
        else:
            new = X  # the general error names the missing target column(s)
        needed = self._min_history()
        panel = to_panel(new, spec, fitted_targets=self.targets_, min_length=needed,
                         why=self._min_length_reason() if needed == self._min_length()
                         else None)
        if _plain_series(y):
            panel.layout = "series"
        panel = self._check_new(panel, "the new history")
        check_regular(panel, self.freq_)
        return panel

    def _future_names(self) -> list:
        """Covariates whose future values are known and needed at predict (default none)."""
        return []

    def _future(self, X, panel: Panel, horizon: int):
        names = self._future_names()
        if not names:
            return None
        if X is None:
            raise ValueError(f"the model uses known future covariates {names}: pass X with "
                             f"their values for the {horizon} forecast steps.")
        spec = self._spec()
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"X must be a DataFrame holding the known future covariates "
                            f"{names}, got {type(X).__name__}.")
        check_unique_columns(X.columns, "X")
        self.schema_.check_future(X, spec)  # no column the fit did not see, none refused
        absent = [n for n in names if n not in X.columns]
        if absent:
            raise ValueError(f"X lacks the known future covariate column(s) {absent} the "
                             f"model was fitted with; its columns are {list(X.columns)}.")
        lookup = {sid: frame for sid, frame in _pieces_by_id(X, spec)}
        out = np.empty((len(panel.ids), horizon, len(names)))
        for i, (sid, index) in enumerate(zip(panel.ids, panel.index)):
            with _representable(horizon):
                wanted = future_index(index[-1], self.freq_, horizon, index)
            frame = lookup.get(sid)
            rows = None if frame is None else frame.reindex(wanted)[names]
            if rows is not None and np.isinf(rows.to_numpy(dtype=np.float64)).any():
                raise ValueError(f"covariates {names} contain infinity in the forecast "
                                 f"period of {'the series' if sid is None else repr(sid)}.")
            if rows is None or rows.isna().any().any():
                raise ValueError(f"covariates {names} are missing for the forecast period of "
                                 f"{'the series' if sid is None else repr(sid)}: X must cover "
                                 f"{wanted[0]} to {wanted[-1]}.")
            out[i] = rows.to_numpy(dtype=np.float64)
        return out

    @reads_fitted_params
    def predict(self, X=None, y=None, horizon: int | None = None):
        """Forecast the next ``horizon`` steps after the end of each series.

        Parameters
        ----------
        X : Series or DataFrame, optional
            Without covariates: new observations to forecast from (no refit); the model
            forecasts from the end of each series in ``X``. With covariates: the covariate
            values, covering the forecast period (and the new history when ``y`` is given).
            A test fold (every series of ``X`` starts one step after its training series,
            no covariates, ``horizon`` not given) gives the forecasts aligned with its rows
            instead, those ``score`` compares (for scikit-learn's scorers).
        y : Series or DataFrame, optional
            New target history, for a model with covariates.
        horizon : int, optional
            Steps to forecast; defaults to the fitted ``horizon``.

        Returns
        -------
        Series or DataFrame
            Indexed by the future timestamps (and series id), in the input's layout and order.
        """
        panel = self._history(X, y)
        if horizon is None and panel is not self.train_panel_ and not self.covariates_:
            fold = self._fold_forecast(panel)
            if fold is not None:  # a test fold: the forecasts aligned with its rows
                return fold
        horizon = self.horizon_ if horizon is None else check_positive_int(horizon, "horizon")
        values = self._predict(panel, horizon, self._future(X, panel, horizon))
        with _representable(horizon):
            return from_forecasts(values, panel, self.freq_, horizon, spec=self._spec())

    def _fold_forecast(self, panel: Panel):
        """Forecasts of every row of ``panel`` when each of its series continues its
        training series (a test fold, as ``TimeSeriesSplit`` cuts it), else None.

        The forecasts ``score`` compares: from an origin at the start of the fold and every
        ``horizon`` steps after it, each from the observations before the origin only, so
        that scikit-learn's scorers (``neg_mean_absolute_error``...) compare them with the
        fold's truth, row by row.
        """
        train = self.train_panel_
        where = {sid: i for i, sid in enumerate(train.ids)}
        j = np.array([where.get(sid, -1) for sid in panel.ids], dtype=np.int64)
        if (j < 0).any() or not _continues(self, train, j, panel).all():
            return None
        hist, actual, _ = _rolling_origins(self, panel)
        values = self._predict(hist, self.horizon_, None)
        inside = actual["inside"]
        rows = (panel.offsets[actual["series"]] + actual["step"])[:, None] + \
            np.arange(self.horizon_)
        out = np.full(panel.values.shape, np.nan)
        out[rows[inside]] = values[inside]
        targets = list(self.targets_)
        if panel.layout in ("series", "frame"):
            index = panel.index[0]
            if panel.layout == "series" and len(targets) == 1:
                return pd.Series(out[:, 0], index=index, name=targets[0])
            return pd.DataFrame(out, index=index, columns=targets)
        ids = panel.id_index if panel.id_index is not None else \
            pd.Index(panel.ids, tupleize_cols=False)
        ids = ids.repeat(panel.lengths)
        times = panel.all_times()
        if panel.layout == "multiindex":
            return pd.DataFrame(out, index=pd.MultiIndex.from_arrays([ids, times]),
                                columns=targets)
        spec = self._spec()
        return pd.DataFrame({spec.id_col: ids, spec.time_col: times,
                             **{t: out[:, k] for k, t in enumerate(targets)}})

    @reads_fitted_params
    def predict_interval(self, X=None, y=None, horizon: int | None = None,
                         coverage: float = 0.9) -> pd.DataFrame:
        """Prediction intervals: columns ``<target>_lower`` and ``<target>_upper``.

        ``coverage`` is the nominal probability that the truth falls inside.
        """
        coverage = check_probability(coverage, "coverage")
        if not self.capabilities()["intervals"]:
            raise ValueError(f"{type(self).__name__} does not give prediction intervals "
                             "(see capabilities()).")
        panel = self._history(X, y)
        horizon = self.horizon_ if horizon is None else check_positive_int(horizon, "horizon")
        lower, upper = self._predict_interval(panel, horizon, self._future(X, panel, horizon),
                                              coverage)
        values = np.concatenate([lower, upper], axis=2)
        columns = [f"{t}_lower" for t in self.targets_] + [f"{t}_upper" for t in self.targets_]
        with _representable(horizon):
            out = from_forecasts(values, panel, self.freq_, horizon, columns, self._spec())
        return out.to_frame() if isinstance(out, pd.Series) else out

    def _predict_interval(self, panel, horizon, future, coverage):
        raise NotImplementedError(f"{type(self).__name__} does not give prediction intervals.")

    def _context_length(self) -> int | None:
        """How much history ``_predict`` looks at (None: all of it)."""
        return None

    @reads_fitted_params
    def score(self, X, y=None) -> float:
        """Negative mean MASE of rolling-origin forecasts over the new data (greater is better).

        The data must follow the training data in time (as the test fold of
        ``TimeSeriesSplit`` does). Forecasts are made from an origin at its start and every
        ``horizon`` steps after it, each from the observations before the origin only (the
        training data and the new data up to the origin), without refitting; the last
        horizon may be partial. Each origin's errors are scaled by the MASE scale of the
        series' history before it (:func:`tsrnn.metrics.mase_scale`: the in-sample mean
        absolute difference at the main season ``m`` of the data's frequency, 24 hourly,
        7 daily...; at lag 1 without a season or for a history of at most ``m`` values),
        the one definition of ``backtest``, ``compare`` and the command line. With a test
        part of one horizon this is exactly ``-mase(y_test, predict(), y_train, m)``.
        """
        check_is_fitted(self, "train_panel_")
        spec = self._spec()
        if _same_as_target(X, y):  # score(y, y), as cross_val_score(forecaster, y, y) calls
            X = None
        if y is not None and X is not None and not self.covariates_:
            raise ValueError(f"{type(self).__name__} was fitted without covariates, but X "
                             "was given with y; pass only the data to score.")
        test = to_panel(_combine(X, y, spec), spec, fitted_targets=self.targets_)
        test = self._check_new(test, "the data to score")
        check_regular(test, self.freq_)  # a gap would misalign the origins
        _warn_overlap(self.train_panel_, test)
        hist, actual, scale = _rolling_origins(self, test)
        values = self._predict(hist, self.horizon_, _origin_future(self, hist, actual))
        errors = np.abs(values - actual["values"])  # NaN where the horizon is partial
        per_origin = np.nanmean(errors, axis=(1, 2)) / scale
        return -float(np.mean(per_origin))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "train_panel_")


@contextlib.contextmanager
def _representable(horizon: int):
    """Turn pandas' out-of-bounds timestamps into a ValueError naming the horizon."""
    try:
        yield
    except (pd.errors.OutOfBoundsDatetime, OverflowError) as exc:
        raise ValueError(f"a forecast of {horizon} steps reaches beyond the timestamps pandas "
                         f"can represent ({exc}); shorten the horizon.") from None


def _pieces_by_id(X, spec: Spec):
    from ._data import _layout, _pieces

    layout = _layout(X)
    for sid, frame in _pieces(X, spec, layout):
        index = frame.index
        if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) and \
                not pd.api.types.is_integer_dtype(index.dtype):
            frame = frame.set_axis(pd.to_datetime(index), axis=0)
        yield sid, frame

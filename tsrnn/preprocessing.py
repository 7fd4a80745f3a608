"""Windowing transformers: from a time series to the inputs of a model.

Two ways, both built on :mod:`tsrnn.windowing`:

* :func:`make_windows` cuts a series (1D, 2D ``(time, channels)`` or pandas) into windows
  ``X`` of shape ``(n_windows, window, channels)`` and direct multi-step targets ``y``: the
  input of :class:`~tsrnn.GRURegressor` and the other window estimators. Fewer rows come
  out than go in, so it is a function, not a transformer.
* :class:`SlidingWindowTransformer` and :class:`LagFeatures` keep scikit-learn's rule of one
  output row per input row (row ``t`` only reads rows ``<= t``), so they fit in a
  :class:`~sklearn.pipeline.Pipeline` before a scaler and a regressor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._regularize import regularize  # noqa: F401 - the missing-data policy, public here
from ._validation import (
    StrOptions,
    ValidatedParams,
    check_finite,
    check_option,
    check_positive_int,
    positive_int,
)
from .windowing import view_windows, window_range

FILLS = ("nan", "edge")


def make_windows(data, window: int, horizon: int = 1, stride: int = 1,
                 target=None) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into input windows and the direct multi-step targets that follow them.

    Window ``i`` holds ``window`` consecutive time steps; its target holds the ``horizon``
    steps right after it. Windows are counted back from the end of the data, so the last
    target ends at the last time step (with ``stride > 1`` the oldest few steps may be unused).

    Parameters
    ----------
    data : array-like of shape (n_time,) or (n_time, n_channels), Series or DataFrame
        One series, rows in time order; a pandas index must be sorted and unique.
        NaN and infinity are rejected.
    window : int
        Time steps per input window.
    horizon : int, default=1
        Time steps per target.
    stride : int, default=1
        Time steps between the starts of consecutive windows.
    target : column label, int, list of them, or None, default=None
        Channels to predict: DataFrame column labels or, for arrays, column positions.
        None predicts every channel. All channels are always in ``X``.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_channels)
        Read-only view of ``data`` where possible (no copy): call ``X.copy()`` to write.
        float32 input stays float32, anything else becomes float64.
    y : ndarray of shape (n_windows, horizon * n_targets)
        Also read-only. ``(n_windows, horizon)`` for one target; with several, column
        ``h * n_targets + j`` is target ``j`` at step ``h + 1`` (step-major).

    Raises
    ------
    ValueError
        If the data has fewer than ``window + horizon`` time steps (the message states the
        minimum), contains NaN or infinity, or has an unsorted or duplicated index.
    TypeError
        If a column is not numeric.

    Examples
    --------
    >>> X, y = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    """
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    stride = check_positive_int(stride, "stride")
    values, columns, index = _series_values(data)
    positions = _target_positions(target, columns, values.shape[1])
    n_time = len(values)
    if n_time < window + horizon:
        raise ValueError(f"data has {n_time} time step(s), but window={window} and "
                         f"horizon={horizon} need at least {window + horizon} "
                         f"(window + horizon).")
    check_finite(values, "data", labels=None if index is None else (index, columns))
    starts = window_range(n_time, window, horizon, stride)
    X = view_windows(values, starts, window)  # (n_windows, window, channels)
    targets = values if positions is None else values[:, positions]
    after = range(starts.start + window, starts.stop + window, stride)
    y = view_windows(targets, after, horizon)  # (n_windows, horizon, n_targets)
    return X, y.reshape(len(starts), -1)


def _series_values(data) -> tuple[np.ndarray, list | None, pd.Index | None]:
    """2D float values ``(time, channels)`` of ``data``, its column labels and time index."""
    if isinstance(data, (pd.Series, pd.DataFrame)):
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        if not (frame.index.is_monotonic_increasing and frame.index.is_unique):
            raise ValueError("data must have a sorted index without duplicates (the time); "
                             "call data.sort_index() and drop duplicated timestamps first.")
        bad = [col for col, dtype in frame.dtypes.items()
               if not pd.api.types.is_numeric_dtype(dtype)
               or pd.api.types.is_complex_dtype(dtype)]
        if bad:
            raise TypeError(f"data has non-numeric column(s) {bad}; windows take real "
                            f"numbers only (encode categories first).")
        return _as_float(frame.to_numpy()), list(frame.columns), frame.index
    values = np.asarray(data)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"data must hold real numbers, got dtype {values.dtype}.")
    if values.ndim not in (1, 2):
        raise ValueError(f"data must be 1D (time,) or 2D (time, channels); got "
                         f"{values.ndim} dimensions.")
    return _as_float(values.reshape(len(values), -1)), None, None


def _as_float(values: np.ndarray) -> np.ndarray:
    return values if values.dtype in (np.float32, np.float64) else values.astype(np.float64)


def _target_positions(target, columns: list | None, n_channels: int) -> list | None:
    """Column positions of ``target`` (labels for pandas data, positions for arrays)."""
    if target is None:
        return None
    names = list(target) if isinstance(target, (list, tuple)) else [target]
    if not names:
        raise ValueError("target is empty; pass a column, a list of columns or None.")
    if columns is not None:
        missing = [name for name in names if name not in columns]
        if missing:
            raise ValueError(f"target column(s) {missing} not in data columns {columns}.")
        return [columns.index(name) for name in names]
    for pos in names:
        if isinstance(pos, (bool, np.bool_)) or not isinstance(pos, (int, np.integer)) \
                or not 0 <= pos < n_channels:
            raise ValueError(f"target {pos!r} is not a column position of data with "
                             f"{n_channels} channel(s).")
    return [int(pos) for pos in names]


def _lag_stack(values: np.ndarray, lags: np.ndarray, fill: str) -> np.ndarray:
    """Row ``t`` holds ``values[t - lag]`` for each lag (lag-major), padded before the start.

    Returns shape ``(n_time, len(lags) * n_channels)``; column ``k * n_channels + c`` is
    channel ``c`` at ``lags[k]``.
    """
    n_time, n_channels = values.shape
    depth = int(lags.max())
    if fill == "nan":
        pad = np.full((depth, n_channels), np.nan)
    else:
        pad = np.repeat(values[:1], depth, axis=0)
    padded = np.concatenate([pad, values])  # (depth + n_time, channels)
    starts = window_range(len(padded), window=depth + 1)  # one window ending at each t
    windows = view_windows(padded, starts, depth + 1)  # (n_time, depth + 1, channels)
    return windows[:, depth - lags].reshape(n_time, -1)


class _LagTransformer(ValidatedParams, TransformerMixin, BaseEstimator):
    """Shared validation and naming of the row-preserving lag transformers (not public).

    Subclasses define ``_lags()``: the lag of each output column block, in output order,
    after validating their parameters.
    """

    _parameter_constraints = {"fill": [StrOptions(set(FILLS))]}

    def _suffix(self, lag: int) -> str:
        return f"_lag{lag}"

    def fit(self, X, y=None):
        """Check the parameters and record the number (and names) of input columns.

        ``y`` is ignored. Returns ``self``.
        """
        self._validate_params()
        self._lags()
        self._validate(X, reset=True)
        return self

    def transform(self, X) -> np.ndarray:
        """Lagged copies of ``X``: an array of shape ``(n_time, n_lags * n_features_in_)``."""
        check_is_fitted(self, "n_features_in_")
        return _lag_stack(self._validate(X, reset=False), self._lags(), self.fill)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output column names: ``<input name><suffix>`` per lag, in output order."""
        check_is_fitted(self, "n_features_in_")
        names = self._input_names(input_features)
        return np.asarray([f"{name}{self._suffix(lag)}" for lag in self._lags()
                           for name in names], dtype=object)

    def _validate(self, X, reset: bool) -> np.ndarray:
        check_option(self.fill, "fill", FILLS)
        index = getattr(X, "index", None)
        if isinstance(X, pd.Series):
            X = X.to_frame()
        elif not sp.issparse(X) and not isinstance(X, pd.DataFrame) \
                and np.asarray(X).ndim == 1:
            X = np.asarray(X).reshape(-1, 1)  # one series
        values = validate_data(self, X, reset=reset, dtype=np.float64,
                               ensure_all_finite=False)
        names = getattr(self, "feature_names_in_", None)
        check_finite(values, "X", labels=None if index is None and names is None
                     else (index, names))
        return values

    def _input_names(self, input_features) -> list:
        if input_features is None:
            return list(getattr(self, "feature_names_in_",
                                [f"x{i}" for i in range(self.n_features_in_)]))
        input_features = list(input_features)
        if len(input_features) != self.n_features_in_:
            raise ValueError(f"input_features should have length equal to number of "
                             f"features ({self.n_features_in_}), got "
                             f"{len(input_features)}.")
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is not None and list(fitted) != input_features:
            raise ValueError(f"input_features is not equal to feature_names_in_: "
                             f"{input_features} != {list(fitted)}.")
        return input_features


_FILL_DOC = """fill : {"nan", "edge"}, default="nan"
        What the first rows see before the start of the data: NaN (as
        :meth:`pandas.Series.shift`), or the first row repeated ("edge"), which keeps the
        output finite for a scaler and a regressor in a pipeline."""


class SlidingWindowTransformer(_LagTransformer):
    __doc__ = f"""Flattened window ending at each time step, one output row per input row.

    Row ``t`` of the output is the window of the last ``window`` time steps up to and
    including ``t`` (``t - (window-1)*stride, ..., t - stride, t``) of every column of
    ``X`` ``(n_time, n_channels)`` (or 1D, one series), flattened oldest step first:
    column ``k * n_channels + c`` is channel ``c`` at lag ``(window - 1 - k) * stride``, so
    ``Xt.reshape(n_time, window, n_channels)`` gives the windows in time order. Names are
    ``<column>_lag<lag>`` (``x0_lag3`` without column names).

    Design: scikit-learn transformers may not drop rows, so the first rows, whose window
    reaches before the data, are padded (``fill``) instead of removed. Every call windows
    the rows it is given and nothing else: the first rows of a test fold are padded too,
    not read from the training data. The window estimators read a 2D ``X`` as univariate
    windows ``(n_samples, time)``, so a pipeline of this transformer, a scaler and
    :class:`~tsrnn.GRURegressor` suits one series; for several channels build 3D windows
    with :func:`make_windows`. NaN and infinity in ``X`` are rejected.

    Parameters
    ----------
    window : int
        Time steps per window.
    stride : int, default=1
        Time steps between consecutive points of a window (e.g. 24 on hourly data to read
        the same hour of the last ``window`` days). The output keeps one row per input row.
    {_FILL_DOC}

    Attributes
    ----------
    n_features_in_ : int
        Channels seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a DataFrame with string columns.

    Examples
    --------
    >>> SlidingWindowTransformer(window=3).fit_transform(np.arange(4.0))
    array([[nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.]])
    >>> SlidingWindowTransformer(window=2, fill="edge").fit_transform(np.arange(3.0))
    array([[0., 0.],
           [0., 1.],
           [1., 2.]])
    """

    _parameter_constraints = {"window": [positive_int()], "stride": [positive_int()]}

    def __init__(self, window, stride=1, fill="nan"):
        self.window = window
        self.stride = stride
        self.fill = fill

    def _lags(self) -> np.ndarray:
        window = check_positive_int(self.window, "window")
        stride = check_positive_int(self.stride, "stride")
        return np.arange(window - 1, -1, -1) * stride


class LagFeatures(_LagTransformer):
    __doc__ = f"""Each column of ``X`` followed by its lagged copies, one output row per input row.

    The output holds the columns of ``X`` (``n_time, n_channels``, or 1D) unchanged, then
    one block of ``n_channels`` columns per lag: column ``(k + 1) * n_channels + c`` is
    channel ``c`` shifted down by ``lags[k]`` rows. Names are the input names, then
    ``<column>_lag<lag>``. As in :class:`SlidingWindowTransformer`, each call only shifts
    the rows it is given, and NaN and infinity in ``X`` are rejected.

    Parameters
    ----------
    lags : sequence of int, default=(1,)
        Distinct positive shifts, in time steps.
    {_FILL_DOC}

    Attributes
    ----------
    n_features_in_ : int
        Channels seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a DataFrame with string columns.

    Examples
    --------
    >>> lagger = LagFeatures(lags=(1, 2)).fit(np.arange(4.0))
    >>> lagger.transform(np.arange(4.0))
    array([[ 0., nan, nan],
           [ 1.,  0., nan],
           [ 2.,  1.,  0.],
           [ 3.,  2.,  1.]])
    >>> lagger.get_feature_names_out().tolist()
    ['x0', 'x0_lag1', 'x0_lag2']
    """

    _parameter_constraints = {"lags": [list, tuple, np.ndarray, range]}

    def __init__(self, lags=(1,), fill="nan"):
        self.lags = lags
        self.fill = fill

    def _lags(self) -> np.ndarray:
        if isinstance(self.lags, (str, bytes)) or not np.iterable(self.lags) \
                or len(self.lags) == 0:
            raise ValueError(f"lags must be a non-empty sequence of positive integers, "
                             f"got {self.lags!r}.")
        lags = [check_positive_int(lag, "each lag") for lag in self.lags]
        if len(set(lags)) != len(lags):
            raise ValueError(f"lags must be distinct, got {self.lags!r}.")
        return np.array([0, *lags])  # lag 0: the columns themselves

    def _suffix(self, lag: int) -> str:
        return f"_lag{lag}" if lag else ""

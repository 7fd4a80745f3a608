"""LSTMForecaster, GRUForecaster, RNNForecaster: one global recurrent model over all series.

The three classes differ only by their cell. Windows are start offsets into one
contiguous device tensor holding every series (no window is copied up front); the
network reads ``window`` past steps (targets and covariates) and outputs the next
``horizon`` steps in one shot (``strategy="direct"``), one step fed back recursively
(``"recursive"``), or through an encoder-decoder (``"seq2seq"``).
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import check_is_fitted

from .. import engine
from .._neural import NEURAL_CONSTRAINTS, NeuralMixin
from .._validation import Integral, Interval, Real, StrOptions, check_positive_int
from ..windowing import window_starts
from . import _conformal, _scaling
from ._data import from_forecasts
from ._neural_build import DEFAULT_QUANTILES, LOSSES, STRATEGIES, BuildMixin  # noqa: F401
from ._neural_heldout import HELD_WINDOWS, HeldOutMixin
from ._neural_params import FORECASTER_DEFAULTS, _forecaster_doc  # noqa: F401 (re-export)
from ._neural_predict import PredictMixin
from ._neural_sizes import (  # noqa: F401
    LEVEL_LOOKBACK,
    MIN_OBSERVED,
    _group_starts,
    _pad,
    auto_window,
    level_window,
    tail_index,
)
from .base import BaseForecaster, _representable
from .seasonality import resolve_season_length, season_lengths

AUTO_WINDOWS = 512_000  # at most this many training windows an epoch ("auto" cap)
AUTO_STEPS = 1_000  # most optimizer steps of a fit with max_epochs="auto"
AUTO_MIN_STEPS = 200  # fewest optimizer steps of a fit with max_epochs="auto"
AUTO_PASSES = 5  # passes over the windows with max_epochs="auto", within those step bounds
AUTO_PATIENCE = 3  # epochs without a better validation loss before stopping (patience="auto")


class _NeuralForecaster(BuildMixin, HeldOutMixin, PredictMixin, NeuralMixin, BaseForecaster):
    """Base of the recurrent forecasters (not public)."""

    # -- parameter constraints (checked at the start of fit) ---------------------------
    # The neural hyperparameters come from the one table in tsrnn/_neural.py; add an entry
    # here for every forecaster-specific parameter.
    _parameter_constraints = {
        **BaseForecaster._parameter_constraints,
        **NEURAL_CONSTRAINTS,
        "window": [Interval(Integral, 2, None, closed="left"), None],
        "strategy": [StrOptions(set(STRATEGIES))],
        "attention": ["boolean"],
        "scaler": [StrOptions(set(_scaling.SCALERS))],
        "season_length": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "seasonal": [StrOptions({"auto"}), None],
        "log_scale": [StrOptions({"auto"}), "boolean"],
        "n_models": [Interval(Integral, 1, None, closed="left")],
        "max_windows_per_series": [Interval(Integral, 1, None, closed="left"), None,
                                   StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "patience": [Interval(Integral, 0, None, closed="left"), None, StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "future_covariates": [list, tuple, None],
        "loss": [StrOptions(set(LOSSES))],
        "quantiles": [tuple, list, None],
        "interval_calibration": [StrOptions(set(_conformal.MODES))],
        "module": [None, callable, torch.nn.Module],
        "module_params": [dict, None],
    }
    # -- end of parameter constraints --------------------------------------------------
    _capabilities = {"intervals": True, "covariates": True, "future_covariates": True}
    _max_magnitude = 1e18  # float32 training: squares of the data must stay finite

    def __init__(self, horizon=1, *, window=None, strategy="direct", attention=False,
                 scaler="window",
                 season_length="auto", seasonal="auto", log_scale="auto", n_models=1,
                 max_windows_per_series="auto", future_covariates=None, freq=None,
                 target=None, id_col="unique_id",
                 time_col="ds", hidden_size=64, num_layers=1, dropout=0.0, nonlinearity="tanh",
                 loss="mae", quantiles=None, interval_calibration="pooled",
                 optimizer="adam", lr=3e-3, weight_decay=0.0, l1=0.0,
                 batch_size=256, max_epochs="auto", grad_clip=1.0, lr_schedule=None,
                 validation_fraction=0.0, patience=None, augment=None, device="auto",
                 precision=32, random_state=None, warm_start=False, n_threads=None,
                 verbose=False, callbacks=None, module=None, module_params=None):
        self.horizon = horizon
        self.window = window
        self.strategy = strategy
        self.attention = attention
        self.scaler = scaler
        self.season_length = season_length
        self.seasonal = seasonal
        self.log_scale = log_scale
        self.n_models = n_models
        self.max_windows_per_series = max_windows_per_series
        self.future_covariates = future_covariates
        self.freq = freq
        self.target = target
        self.id_col = id_col
        self.time_col = time_col
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.loss = loss
        self.quantiles = quantiles
        self.interval_calibration = interval_calibration
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.l1 = l1
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.grad_clip = grad_clip
        self.lr_schedule = lr_schedule
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.augment = augment
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.warm_start = warm_start
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.module = module
        self.module_params = module_params

    # -- sizes -------------------------------------------------------------------------
    def _window(self, lengths=None, longer: bool | None = None) -> int:
        if self.window is not None:
            return check_positive_int(self.window, "window", minimum=2)
        if longer is None:  # two of a longer season for the seasonal base to choose from
            longer = self.seasonal == "auto"
        horizon = check_positive_int(self.horizon, "horizon")
        seasons = getattr(self, "season_lengths_", [1])
        if getattr(self, "base_", None) == "level":
            return level_window(horizon, seasons[0], lengths)
        # fitted to the shortest series, as before padding existed: the median would give
        # M4 Weekly a window of 156 instead of its measured 52
        return auto_window(horizon, seasons, lengths, longer=longer)

    def _resolve_base(self) -> None:
        """``base_``: what the network forecasts the residual over (before the window).

        "level" (``tsrnn.nn.LevelResidual``, a Theta forecast of each window) where the
        frequency has one season of at most 12 steps or none (monthly, quarterly, yearly,
        business-daily, integer-indexed data: windows that hold few seasons); "seasonal"
        (``tsrnn.nn.SeasonalResidual``) for the clock and calendar seasons of sub-daily,
        daily and weekly data; None with ``seasonal=None``.
        """
        self.base_ = None
        if self.seasonal == "auto":
            low = len(self.season_lengths_) == 1 and self.season_length_ <= 12
            self.base_ = "level" if low else "seasonal"

    def _resolve_season(self) -> None:
        """``season_length_`` (the main season) and ``season_lengths_`` (all of them)."""
        if isinstance(self.season_length, str) and self.season_length == "auto":
            self.season_lengths_ = season_lengths(self.freq_)
        else:
            self.season_lengths_ = [resolve_season_length(self.season_length, self.freq_)]
        self.season_length_ = self.season_lengths_[0]

    def _train_horizon(self) -> int:
        return 1 if self.strategy == "recursive" else self.horizon_

    def _min_length(self) -> int:
        return 1  # shorter series are left-padded and masked (fit checks one window exists)

    def _min_history(self) -> int:
        return 1  # a history shorter than the window is left-padded

    def _context_length(self) -> int | None:
        # per-series statistics (standard/robust) come from the whole history, as in predict
        return self.window_ if self.scaler in ("window", "none") else None

    def _future_names(self) -> list:
        return list(self.future_covariates_) if hasattr(self, "future_covariates_") else []

    # -- fit ---------------------------------------------------------------------------


    def _scale_panel(self, panel):
        """Scaled ``(points, channels)`` array: targets by series, covariates by column."""
        values = self._targets(panel)
        loc, scale = _scaling.series_stats(values, panel.lengths, self.scaler)
        targets = (values - np.repeat(loc, panel.lengths, 0)) / \
            np.repeat(scale, panel.lengths, 0)
        if panel.covariates is None:
            return targets, loc, scale
        covs = (panel.covariates - self.cov_mean_) / self.cov_scale_
        return np.concatenate([targets, covs], axis=1), loc, scale

    def _split_starts(self, lengths, fraction=None):
        """Window starts for training and (time-ordered, held-out) validation."""
        fraction = self.validation_fraction if fraction is None else fraction
        span = self.window_ + self._train_horizon()
        starts = window_starts(lengths, self.window_, self._train_horizon())
        ends = np.concatenate([[0], np.cumsum(lengths)[:-1]]) + lengths  # per series end
        if fraction == "auto":  # the last horizon of every series
            n_val = np.full(len(lengths), self.horizon_, dtype=np.int64)
        elif fraction == "gain":  # the last horizon and enough steps for HELD_WINDOWS
            extra = -(-HELD_WINDOWS // len(lengths)) - 1
            n_val = self.horizon_ + np.minimum(extra, lengths // 4).astype(np.int64)
        else:
            n_val = np.ceil(fraction * lengths).astype(np.int64)
        n_val = np.where(lengths - n_val >= span + self._train_horizon(), n_val, 0)
        series = np.searchsorted(np.cumsum(lengths), starts, side="right")
        cut = ends[series] - n_val[series]  # first held-out point of the window's series
        keep = starts + span <= cut
        cap = self.max_windows_per_series
        if cap == "auto":  # at most about AUTO_WINDOWS an epoch, at least 16 per series
            cap = max(16, -(-AUTO_WINDOWS // len(lengths)))
        if cap is not None and len(starts):  # only the most recent windows
            last = np.maximum.reduceat(np.where(keep, starts, -1), _group_starts(series))
            keep &= starts > last[np.searchsorted(np.unique(series), series)] - cap
        train = starts[keep]
        valid = (starts + self.window_ >= cut) & (n_val[series] > 0)
        if cap is not None and len(starts):  # held-out windows: bounded like training ones
            first = np.minimum.reduceat(np.where(valid, starts, np.iinfo(np.int64).max),
                                        _group_starts(series))
            valid &= starts < first[np.searchsorted(np.unique(series), series)] + cap
        return train, starts[valid]

    def _fit(self, panel) -> None:
        self._check_params(panel)
        self._resolve_runtime()
        self._resolve_season()
        positive = bool((panel.values > 0).all())
        if self.log_scale is True and not positive:
            raise ValueError("log_scale=True needs positive targets; the training data has "
                             "values <= 0 (use log_scale='auto' or False).")
        self.log_ = positive and self.log_scale in ("auto", True)
        self._resolve_base()
        self.window_ = self._window(panel.lengths)
        if self.base_ == "seasonal" and self.window_ < 3 * self.season_length_:
            self.base_ = None  # too short for the seasonal test: a plain network
        self._check_warm_start(targets=list(panel.targets), covariates=list(panel.covariate_names),
                               future_covariates=list(self.future_covariates_),
                               horizon=self.horizon_, window=self.window_, strategy=self.strategy,
                               attention=bool(self.attention), quantiles=self.quantiles_)
        # the seasonal residual network (nn/seasonal.py) when the window holds three
        # seasons, what its per-window seasonality test needs
        self.seasonal_ = self.base_ == "seasonal"
        # series shorter than a training window are left-padded with their first value and
        # a mask channel (1 observed, 0 padding) is read beside them; the level base
        # always reads one (its windows reach back before short series begin)
        self.masked_ = self.base_ == "level" or bool(
            (panel.lengths < self.window_ + self._train_horizon()).any())
        # the network reads the window of the rule without the longer season (a week of
        # hourly data: M4 Hourly OWA 0.4395 in 158 s, reading both weeks 0.4367 in 392 s)
        self.network_window_ = min(self.window_, self._window(panel.lengths, longer=False)) \
            if self.seasonal_ else self.window_
        if not self._reuse_module():
            covs = panel.covariates
            self.cov_mean_ = None if covs is None else covs.mean(axis=0)
            self.cov_scale_ = None if covs is None else _scaling.safe_scale(
                covs.std(axis=0), np.abs(covs).mean(axis=0))  # floors relative to the data
        values, _, _ = self._scale_panel(panel)
        values, lengths = self._pad(values, panel.lengths)
        train_starts, valid_starts = self._split_starts(lengths)
        if not len(train_starts):
            need = self.window_ + self._train_horizon() - self._padding()
            raise ValueError(
                f"no training window: the longest series has {int(panel.lengths.max())} "
                f"observations, and a training window needs {need} ({need - self._train_horizon()}"
                f" observed steps, then horizon={self._train_horizon()}); lower horizon, or "
                "give longer series.")
        data = self._to_device(values)
        make = partial(self._samples, data)
        valid = make(valid_starts) if len(valid_starts) else None
        n_targets = len(panel.targets)
        config = self._train_config(self.loss, "forecasting", n_targets, values.shape[1])
        config.quantiles = self.quantiles_
        if self.patience == "auto":  # early stopping when there is held-out data
            config.patience = AUTO_PATIENCE if valid is not None else None
        if self.max_epochs == "auto":
            config.max_epochs = auto_epochs(len(train_starts), self.batch_size)
        self.max_epochs_ = config.max_epochs
        build = partial(self._build_module, values.shape[1], n_targets)
        self.residual_gain_, self.validation_skill_ = 1.0, None
        self.calibration_note_ = None  # why intervals may be too narrow (warned at predict)
        if self._holdout(train_starts, valid):  # gain and intervals from held-out windows
            first, held = self._split_starts(lengths, fraction="gain")
            held = held[np.isin(held, window_starts(lengths, self.window_, self.horizon_))]
            if len(first) and len(held):
                stage = self._train_config(self.loss, "forecasting", n_targets,
                                           values.shape[1])
                stage.quantiles, stage.patience = self.quantiles_, None
                # the whole budget: a held-out network on 3/5 of it fitted a weight that the
                # final network then misused (simulated closes MASE 1.612 -> 1.686, naive
                # 1.607), although it cut M3 monthly from 187 s to 147 s
                stage.max_epochs = config.max_epochs
                self._train_members(build, make(first), None, stage)
                self._fit_gain(values, held)
                self._calibrate(values, lengths, held)
                # then on everything (M3 dev monthly sMAPE 13.952 against 14.105 keeping
                # the first network, other 4.021 against 4.096; yearly, quarterly level)
                self._train_members(build, make(train_starts), valid, config)
                self._set_gain(self.residual_gain_)
                return
            self.calibration_note_ = (
                "the series are too short to hold out their last horizon, so the intervals "
                "are calibrated on in-sample windows and tend to be too narrow")
        self._train_members(build, make(train_starts), valid, config)
        if valid is not None and not self.quantiles_:
            self._fit_gain(values, valid_starts[np.isin(valid_starts, window_starts(
                lengths, self.window_, self.horizon_))])
        self._calibrate(values, lengths)

    # -- the residual's gain, fitted on held-out windows ----------------------------------


    # -- short series: left padding and a mask channel ----------------------------------


    # -- predict -----------------------------------------------------------------------
    def _step(self, windows: np.ndarray, future) -> np.ndarray:
        """One pass of the network: ``(n, train_horizon, n_targets)`` in the windows' space,
        with a trailing quantile axis (sorted: quantiles never cross) under the pinball loss."""
        n_t = len(self.targets_)
        x = self._to_device(windows)
        extra = None if future is None else self._to_device(future.reshape(len(future), -1))
        out = self._predict_tensor(engine.Samples(x, extra=extra))
        if not getattr(self, "quantiles_", None):
            return out.reshape(len(windows), -1, n_t)
        return np.sort(out.reshape(len(windows), -1, n_t, len(self.quantiles_)), axis=3)

    def _forecast(self, windows: np.ndarray, future, horizon: int, quantiles: bool = False):
        """Forecast ``horizon`` steps from windows ``(n, window, channels)`` (scaled space).

        Returns the forecasts ``(n, horizon, n_targets)`` and the per-window target scale
        ``(n, n_targets)`` of the window normalisation (ones for the other scalers). A
        pinball model forecasts its median; with ``quantiles``, every trained quantile
        ``(n, horizon, n_targets, n_quantiles)`` (the median is fed back beyond the trained
        horizon).
        """
        n_t, step = len(self.targets_), self._train_horizon()
        loc, scale = np.zeros((len(windows), n_t)), np.ones((len(windows), n_t))
        if self.scaler == "window":
            loc, scale = _scaling.window_stats(windows[:, :, :n_t], log=self.log_)
            windows = windows.copy()
            windows[:, :, :n_t] = (windows[:, :, :n_t] - loc[:, None]) / scale[:, None]
        if horizon > step and self.strategy == "direct" and len(self.covariates_) > \
                len(self.future_covariates_):
            raise ValueError(f"horizon={horizon} exceeds the trained horizon {step}, and the "
                             "model uses past-only covariates that cannot be continued.")
        if horizon > step and self.strategy != "recursive":
            warnings.warn(f"horizon={horizon} exceeds the trained horizon {step}: the forecast "
                          "is continued recursively from the model's own forecasts.",
                          stacklevel=4)
        chunks, done = [], 0
        while done < horizon:
            fut = None if future is None else _pad(future[:, done:done + step], step)
            out = self._step(windows, fut)  # (n, step, n_targets[, n_quantiles])
            chunks.append(out)
            if out.ndim == 4:  # the median continues the windows
                out = out[..., self.quantiles_.index(0.5)]
            done += step
            if done < horizon:  # feed the forecasts back as the newest observations
                rows = out if fut is None else np.concatenate(
                    [out, self._future_rows(windows, fut)], axis=2)
                if fut is None and getattr(self, "masked_", False):  # observed from now on
                    rows = np.concatenate([rows, np.ones_like(rows[:, :, :1])], axis=2)
                windows = np.concatenate([windows, rows], axis=1)[:, -self.window_:]
        pred = np.concatenate(chunks, axis=1)[:, :horizon]
        if pred.ndim == 4:  # loc and scale under every quantile (order-preserving)
            pred = pred * scale[:, None, :, None] + loc[:, None, :, None]
            return (pred if quantiles else pred[..., self.quantiles_.index(0.5)]), scale
        return pred * scale[:, None] + loc[:, None], scale

    def _future_rows(self, windows, fut):
        """Covariate channels of appended rows: the known future values (other channels 0)."""
        n_cov = windows.shape[2] - len(self.targets_)
        rows = np.zeros(fut.shape[:2] + (n_cov,))
        rows[:, :, [self.covariates_.index(c) for c in self.future_covariates_]] = fut
        if getattr(self, "masked_", False):
            rows[:, :, -1] = 1.0  # forecasts fed back count as observed
        return rows

    def _last_windows(self, panel):
        """The scaled last window of every series, with the series' loc and scale.

        Cached on the training panel: ``predict()`` without new data, the usual call,
        then skips scaling the whole history again.
        """
        cached = getattr(self, "_windows_cache", None)
        if cached is not None and cached[0] is panel:
            return cached[1]
        src, observed = tail_index(panel.offsets, panel.lengths, self.window_)
        if self.scaler in ("window", "none"):  # no per-series statistics: read the windows
            loc, scale = _scaling.series_stats(panel.values[:0], panel.lengths, self.scaler)
            windows = self._log(panel.values[src], panel.ids, np.arange(len(src)))
        else:  # scale only the gathered windows (as _scale_panel would, point by point)
            values = self._targets(panel)
            loc, scale = _scaling.series_stats(values, panel.lengths, self.scaler)
            windows = (values[src] - loc[:, None]) / scale[:, None]
        if panel.covariates is not None:
            covs = (panel.covariates[src] - self.cov_mean_) / self.cov_scale_
            windows = np.concatenate([windows, covs], axis=2)
        if getattr(self, "masked_", False):
            windows = np.concatenate([windows, observed[:, :, None].astype(windows.dtype)], 2)
        out = windows, loc, scale
        if panel is getattr(self, "train_panel_", None):
            self._windows_cache = (panel, out)  # a refit makes a new training panel
        return out

    def _predict(self, panel, horizon, future):
        windows, loc, scale = self._last_windows(panel)
        if future is not None:
            future = (future - self.cov_mean_[self._future_idx()]) / \
                self.cov_scale_[self._future_idx()]
        pred, _ = self._forecast(windows, future, horizon)
        return self._untransform(pred * scale[:, None] + loc[:, None])

    def _future_idx(self) -> list:
        return [self.covariates_.index(c) for c in self.future_covariates_]


    def predict_quantiles(self, X=None, y=None, horizon: int | None = None,
                          quantiles=None) -> pd.DataFrame:
        """Quantile forecasts of a model fitted with ``loss="pinball"``.

        Takes ``X``, ``y`` and ``horizon`` as :meth:`predict` (up to the trained horizon);
        ``quantiles`` selects trained levels (default: all of ``quantiles_``). Returns a
        DataFrame laid out like ``predict_interval``, with one column ``<target>_q<level>``
        per quantile and target (``y_q0.1``, ``y_q0.5``, ...), quantile by quantile. The
        quantiles never cross, and the 0.5 column is ``predict()``.
        """
        check_is_fitted(self, "train_panel_")
        if not getattr(self, "quantiles_", None):
            raise ValueError(f"predict_quantiles needs a model fitted with loss='pinball' "
                             f"(this one was fitted with loss={self.loss!r}); refit with "
                             "loss='pinball' (and quantiles=...), or use predict_interval.")
        levels = self.quantiles_ if quantiles is None else \
            [quantiles] if isinstance(quantiles, Real) else list(quantiles)
        positions = [self._quantile_index(q) for q in levels]
        missing = [q for q, i in zip(levels, positions) if i is None]
        if missing or not positions:
            raise ValueError(f"quantiles {missing!r} were not trained; the model has "
                             f"quantiles_={self.quantiles_} (fit with quantiles=... to "
                             "train others).")
        panel = self._history(X, y)
        horizon = self.horizon_ if horizon is None else check_positive_int(horizon, "horizon")
        pred = self._quantile_forecast(panel, horizon, self._future(X, panel, horizon),
                                       positions)  # (n, horizon, n_targets, n_levels)
        values = pred.transpose(0, 1, 3, 2).reshape(len(pred), horizon, -1)
        columns = [f"{t}_q{self.quantiles_[i]:g}" for i in positions for t in self.targets_]
        with _representable(horizon):
            out = from_forecasts(values, panel, self.freq_, horizon, columns, self._spec())
        return out.to_frame() if isinstance(out, pd.Series) else out


    # -- log scale: the network models log(y) of positive series ---------------------------


def auto_epochs(n_windows: int, batch_size: int) -> int:
    """Epochs of ``max_epochs="auto"``: about ``AUTO_PASSES`` (5) passes over the training
    windows, within ``AUTO_MIN_STEPS`` to ``AUTO_STEPS`` (200 to 1,000) optimizer steps,
    and 2 to 100 passes.

    Many passes over a panel's windows overfit it (20 weekly finance series: MASE 2.33
    after 24 passes, 1.98 after 5, naive 2.08), large panels need no more than ~1,000
    steps (M4), and one short series needs many passes over its few windows to learn.

    >>> auto_epochs(10_700, 256), auto_epochs(88_000, 256), auto_epochs(300, 256)
    (5, 3, 100)
    """
    steps = -(-int(n_windows) // int(batch_size))  # optimizer steps an epoch
    budget = min(max(AUTO_PASSES * steps, AUTO_MIN_STEPS), AUTO_STEPS)
    return int(np.clip(-(-budget // steps), 2, 100))


class LSTMForecaster(_NeuralForecaster):
    __doc__ = _forecaster_doc("LSTMForecaster", "LSTM")
    _cell = "lstm"


class GRUForecaster(_NeuralForecaster):
    __doc__ = _forecaster_doc("GRUForecaster", "GRU")
    _cell = "gru"


class RNNForecaster(_NeuralForecaster):
    __doc__ = _forecaster_doc("RNNForecaster", "simple RNN")
    _cell = "rnn"


class NeuralForecaster(_NeuralForecaster):
    __doc__ = _forecaster_doc("NeuralForecaster", "neural (``module=``, a GRU by default)")
    _cell = "gru"

"""Parameter checks and the network of the neural forecasters: the built-in recurrent
network or the user's ``module``, inside the level or seasonal base (a mixin of neural.py)."""

from __future__ import annotations

import copy
import inspect
from functools import partial
from numbers import Real

import numpy as np
import torch

from .. import engine
from .._validation import check_option, check_positive_int
from ..nn import LevelResidual, MedianEnsemble, RecurrentNet, SeasonalResidual, Seq2Seq
from . import _scaling

STRATEGIES = ("direct", "recursive", "seq2seq")
LOSSES = ("mse", "mae", "huber", "pinball")
# loss="pinball" with quantiles=None: these levels, from one head
DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


class BuildMixin:
    """``_check_params``, ``_build_module`` (with ``module=``), training of the members."""

    def _check_params(self, panel) -> None:
        self._check_neural_params()
        check_option(self.strategy, "strategy", STRATEGIES)
        if self.attention and self.strategy != "seq2seq":
            raise ValueError(f"attention=True attends over the encoder states of the seq2seq "
                             f"decoder; it needs strategy='seq2seq' (strategy="
                             f"{self.strategy!r}).")
        check_option(self.scaler, "scaler", _scaling.SCALERS)
        check_option(self.loss, "loss", LOSSES)
        self.quantiles_ = self._resolve_quantiles()
        check_option(self.seasonal, "seasonal", ("auto", None))
        check_positive_int(self.n_models, "n_models")
        if self.warm_start and self.n_models > 1:
            raise ValueError("warm_start=True continues one network; it cannot be combined "
                             f"with n_models={self.n_models}.")
        future = list(self.future_covariates or [])
        unknown = [c for c in future if c not in panel.covariate_names]
        if unknown:
            raise ValueError(f"future_covariates {unknown} are not covariate columns of the "
                             f"data (covariates: {panel.covariate_names}).")
        past = [c for c in panel.covariate_names if c not in future]
        if self.strategy == "recursive" and past:
            raise ValueError(f"strategy='recursive' cannot forecast the past-only covariates "
                             f"{past}; declare them in future_covariates or use 'direct'.")
        self.future_covariates_ = future

    def _resolve_quantiles(self) -> tuple | None:
        """The trained quantile levels (sorted), None unless ``loss="pinball"``."""
        if self.loss != "pinball":
            if self.quantiles is not None:
                raise ValueError(f"quantiles={self.quantiles!r} only apply with "
                                 f"loss='pinball' (loss={self.loss!r}).")
            return None
        if self.strategy == "recursive":
            raise ValueError("loss='pinball' needs strategy='direct' or 'seq2seq': a "
                             "recursive model would only learn one-step quantiles.")
        levels = DEFAULT_QUANTILES if self.quantiles is None else self.quantiles
        if not len(levels) or any(isinstance(q, bool) or not isinstance(q, Real)
                                  or not 0 < q < 1 for q in levels):
            raise ValueError(f"quantiles must be numbers in (0, 1), got {self.quantiles!r}.")
        levels = tuple(sorted(float(q) for q in levels))
        if len(set(levels)) < len(levels):
            raise ValueError(f"quantiles must be distinct, got {self.quantiles!r}.")
        if 0.5 not in levels:
            raise ValueError(f"quantiles must include the median 0.5 (the point forecast), "
                             f"got {self.quantiles!r}.")
        return levels

    def _train_members(self, build, train, valid, config) -> None:
        """Train ``n_models`` networks from different seeds; their median is the model."""
        if self.n_models == 1:
            self._run_training(build, train, valid, config)
            return
        rng = np.random.default_rng(self.random_state if isinstance(self.random_state, int)
                                    else None)
        members, histories = [], []
        for seed in rng.integers(0, 2**31 - 1, size=self.n_models):
            self._run_training(build, train, valid, config, seed=int(seed))
            members.append(self.module_)
            histories.append(self.history_)
        self.module_ = MedianEnsemble(members)
        self.members_history_ = histories
        self.history_ = histories[0]
        self.n_epochs_ = [len(h) for h in histories]

    def _build_module(self, n_channels: int, n_targets: int) -> torch.nn.Module:
        n_future = len(self.future_covariates_)
        horizon = self._train_horizon()
        n_q = len(self.quantiles_) if self.quantiles_ else None  # a trailing quantile axis
        n_out = n_targets * (n_q or 1)  # outputs per step
        if self.module is not None:
            net = self._user_net(n_channels, horizon * n_out, horizon * n_future)
        elif self.strategy == "seq2seq":
            net = Seq2Seq(n_channels, n_out, self.horizon_, n_future,
                          attention=bool(self.attention), **self._module_kwargs())
        else:
            net = RecurrentNet(n_channels, horizon * n_out,
                               n_head_extra=horizon * n_future, **self._module_kwargs())
        if self.base_ == "level":
            return LevelResidual(net, self.window_, horizon, n_targets, self.season_length_,
                                 masked=self.masked_, n_quantiles=n_q)
        if not self.seasonal_:
            return net
        longer = [s for s in self.season_lengths_[1:] if 2 * s <= self.window_]
        net_window = getattr(self, "network_window_", self.window_)
        return SeasonalResidual(net, self.season_length_, horizon, n_targets, n_quantiles=n_q,
                                seasons=longer,
                                net_window=net_window if net_window < self.window_ else None)

    def _user_net(self, n_channels: int, n_outputs: int, n_extra: int) -> torch.nn.Module:
        """The user's ``module``: an instance (copied, never trained in place) or a class
        called with the sizes its signature names (``n_features``, ``n_outputs``,
        ``window``, ``horizon``, ``n_targets``, ``n_extra``) and ``module_params``."""
        if self.strategy == "seq2seq":
            raise ValueError("module= replaces the network of strategy='direct' or "
                             "'recursive'; strategy='seq2seq' builds its own decoder.")
        window = self.network_window_ if self.base_ == "seasonal" else self.window_
        if isinstance(self.module, torch.nn.Module):
            if self.module_params:
                raise ValueError("module_params only apply when module is a class; got an "
                                 f"instance of {type(self.module).__name__}.")
            net = copy.deepcopy(self.module)
        else:
            sizes = dict(n_features=n_channels, n_outputs=n_outputs, window=window,
                         horizon=self._train_horizon(), n_targets=len(self.targets_),
                         n_extra=n_extra)
            params = inspect.signature(self.module).parameters
            takes_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
            given = {k: v for k, v in sizes.items() if takes_all or k in params}
            try:
                net = self.module(**given, **(self.module_params or {}))
            except TypeError as exc:
                raise TypeError(f"module={getattr(self.module, '__name__', self.module)!r} "
                                f"could not be built with {sorted(given)} and module_params="
                                f"{self.module_params!r}: {exc}") from exc
            if not isinstance(net, torch.nn.Module):
                raise TypeError(f"module must be a torch.nn.Module class or instance; "
                                f"calling it gave {type(net).__name__}.")
        x = torch.zeros(2, window, n_channels)
        extra = torch.zeros(2, n_extra) if n_extra else None
        try:
            with torch.no_grad():
                out = net(x) if extra is None else net(x, extra)
        except Exception as exc:  # the user's forward: say what it was given
            raise ValueError(f"module {type(net).__name__} failed on a batch of shape "
                             f"(batch, window={window}, n_features={n_channels})"
                             f"{'' if extra is None else f' with extra (batch, {n_extra})'}: "
                             f"{type(exc).__name__}: {exc}") from exc
        if tuple(out.shape) != (2, n_outputs):
            raise ValueError(f"module {type(net).__name__} must return (batch, n_outputs="
                             f"{n_outputs}) (horizon x targets), got {tuple(out.shape)[1:]} "
                             "per window.")
        return net

    def _future_cols(self) -> list:
        return [len(self.targets_) + self.covariates_.index(c) for c in self.future_covariates_]

    def _transform(self):
        if self.scaler != "window":
            return None
        return partial(_scaling.normalise_batch, n_targets=len(self.targets_), log=self.log_)

    def _samples(self, data, starts) -> engine.Samples:
        future = self._future_cols()
        return engine.Samples(
            data, starts=torch.as_tensor(starts, device=self.device_), window=self.window_,
            horizon=self._train_horizon(), n_targets=len(self.targets_),
            future_cols=torch.as_tensor(future, device=self.device_) if future else None,
            transform=self._transform())

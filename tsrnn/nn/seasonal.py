"""Seasonal residual wrapper: a network that starts from the seasonal naive forecast.

The idea of the M4 winner (ES-RNN), reduced to what a window shows. Where a window tests
seasonal (autocorrelation at the season lag beyond the 90% limit, M4's test, and its
seasonal differences smaller than its differences at half the season or horizon, so that a
trending or random-walk window does not count as seasonal):

- the network reads the window deseasonalised: the seasonal profile (the mean of the
  window's complete seasons, phase by phase, around its mean) is subtracted;
- it forecasts the residual over the last season continued (seasonal naive), with its head
  initialised at zero, so that training starts from that strong baseline instead of
  rediscovering the season.

Other windows are read as they are and the network forecasts the residual over their last
value (naive). Measured on the M4 Hourly dev half (benchmarks/README.md): OWA 0.681
without the wrapper, 0.600 with a profile base, 0.645 with the last-season base but raw
inputs, 0.581 with deseasonalised inputs (one GRU seed each, before log scaling). The
naive check and base cost nothing measurable there (0.527 -> 0.537, one seed) and took
ETTh1 (h=24) from MAE 0.142 to 0.134, below naive's 0.139.

With ``seasons`` (a week of hourly data besides the day), each seasonal window repeats the
season whose differences are the smallest (the day's over the part the network reads, the
week's over the whole window): one anomalous last day is then not copied into a
weekly-patterned forecast. On M4 Hourly (window of two weeks, the network reading the
last one; GRU) OWA 0.501 with the day only, 0.440 / 0.433 / 0.441 (seeds 0-2) with the
choice; as plain bases, seasonal naive scores 0.637 and the per-series choice 0.504
(benchmarks/bench_seasonal_bases.py). The seasonality test stays on the part the network
reads: over two weeks it was worth 0.01 more on M4 Hourly but let drifting ETTh1 windows
pass as seasonal (h=24 MSE 0.0288 -> 0.0338).
Plain PyTorch, no pandas.
"""

from __future__ import annotations

import torch
from torch import nn


def seasonal_gate(x: torch.Tensor, season: int) -> torch.Tensor:
    """1.0 where a window tests seasonal at lag ``season``, else 0.0.

    ``x``: ``(batch, time, k)``; returns ``(batch, 1, k)``. The test of the M4 benchmarks:
    the autocorrelation at lag ``season`` exceeds ``1.645 * sqrt((1 + 2 * sum_{j<season}
    acf_j^2) / n)``. Windows shorter than three seasons never test seasonal.
    """
    n = x.shape[1]
    if n < 3 * season:
        return torch.zeros_like(x[:, :1])
    xc = x - x.mean(dim=1, keepdim=True)
    spec = torch.fft.rfft(xc.float(), n=2 * n, dim=1)
    acov = torch.fft.irfft(spec.real**2 + spec.imag**2, n=2 * n, dim=1)[:, : season + 1]
    acf = acov / acov[:, :1].clamp_min(torch.finfo(torch.float32).tiny)  # (batch, m+1, k)
    limit = 1.645 * torch.sqrt((1 + 2 * (acf[:, 1:season] ** 2).sum(dim=1, keepdim=True)) / n)
    return (acf[:, season:season + 1] > limit).to(x.dtype)


class SeasonalResidual(nn.Module):
    """Wrap ``net`` so that it forecasts the residual over each window's seasonal profile.

    Parameters
    ----------
    net : nn.Module
        Maps ``(x, extra)`` to ``(batch, horizon * n_targets)`` (times ``n_quantiles``).
    season : int
        Season length (>= 2) in steps.
    horizon, n_targets : int
        Output layout of ``net`` (horizon-major, as the engine reshapes it).
    deseasonalize_input : bool
        Subtract the seasonal profile from the target channels the network reads.
    base_seasons : int
        Seasons averaged into the base forecast (1: seasonal naive, the best measured).
    check_naive : bool
        Also require the season to beat a naive forecast inside the window.
    naive_base : bool
        Windows without a season start from their last value (else their mean).
    n_quantiles : int or None
        Quantile forecasts: ``net`` outputs ``(batch, horizon * n_targets * n_quantiles)``
        (quantile axis last) and the base forecast is added to every quantile.
    seasons : tuple of int
        Longer seasons to choose from (a week of hourly data) besides ``season``. Each
        seasonal window uses the season whose differences in the window are the smallest
        (the one that would have forecast the window itself best), where the window holds
        two of it; its profile and its last season are then the input adjustment and base.
    net_window : int or None
        The network reads only the last ``net_window`` steps, where the main season is
        tested and profiled too (the longer seasons read the whole window); None: all.

    Examples
    --------
    >>> import torch
    >>> from tsrnn.nn import RecurrentNet
    >>> net = SeasonalResidual(RecurrentNet(1, 6, cell="gru", hidden_size=4), 3, 6, 1)
    >>> x = torch.tensor([0., 1, 2] * 8).reshape(1, 24, 1)
    >>> net(x).round().tolist()  # zero head: the seasonal profile, continued
    [[0.0, 1.0, 2.0, 0.0, 1.0, 2.0]]
    >>> trend = torch.arange(24.0).reshape(1, 24, 1)
    >>> net(trend).tolist()  # no season: the last value, continued
    [[23.0, 23.0, 23.0, 23.0, 23.0, 23.0]]
    """

    n_quantiles = None  # class defaults: models pickled before these options load unchanged
    seasons = ()
    net_window = None
    longer_margin = 0.95  # a longer season must have differences 5% smaller to be chosen
    gain = 1.0  # the residual's weight (fitted on held-out windows by the forecaster)

    def __init__(self, net: nn.Module, season: int, horizon: int, n_targets: int,
                 deseasonalize_input: bool = True, base_seasons: int = 1,
                 check_naive: bool = True, naive_base: bool = True,
                 n_quantiles: int | None = None, seasons: tuple = (),
                 net_window: int | None = None) -> None:
        super().__init__()
        self.n_quantiles = n_quantiles
        self.seasons, self.net_window = tuple(int(s) for s in seasons), net_window
        self.net, self.season, self.horizon, self.n_targets = net, season, horizon, n_targets
        self.deseasonalize_input, self.base_seasons = deseasonalize_input, base_seasons
        self.check_naive, self.naive_base = check_naive, naive_base
        head = getattr(net, "head", None)
        if isinstance(head, nn.Linear):  # start from the seasonal forecast
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)

    def forward(self, x: torch.Tensor, extra: torch.Tensor | None = None) -> torch.Tensor:
        m, n_t, n = self.season, self.n_targets, x.shape[1]
        n_net = n if self.net_window is None else min(self.net_window, n)
        past = x[:, :, :n_t]  # (batch, window, n_targets)
        short = past[:, n - n_net:]  # what the network reads: the main season is read there
        gate = seasonal_gate(short, m)  # (batch, 1, n_targets)
        cands = [m, *(s for s in self.seasons if s != m and 2 * s <= n)]
        spans = [short, *[past] * (len(cands) - 1)]  # a longer season: the whole window
        errs = torch.cat([lag_error(v, s) for v, s in zip(spans, cands)], dim=1)
        errs[:, 1:] = errs[:, 1:] / self.longer_margin  # prefer the main season on ties
        best, choice = errs.min(dim=1, keepdim=True)  # (batch, 1, n_targets) each
        if self.check_naive:
            lag = max(1, min(self.horizon, m) // 2)
            gate = gate * (best < lag_error(short, lag)).to(x.dtype)
        steps = torch.arange(self.horizon, device=x.device)
        dev, base = 0.0, 0.0
        for i, (v, s) in enumerate(zip(spans, cands)):
            pick = gate * (choice == i).to(x.dtype)
            k = v.shape[1] // s  # complete seasons in the span
            profile = v[:, v.shape[1] - k * s:].reshape(len(x), k, s, n_t).mean(dim=1)
            phase = (torch.arange(n_net, device=x.device) - n_net + k * s) % s
            dev = dev + pick * (profile - profile.mean(dim=1, keepdim=True))[:, phase]
            kb = min(self.base_seasons, k)
            recent = v[:, v.shape[1] - kb * s:].reshape(len(x), kb, s, n_t).mean(dim=1)
            base = base + pick * recent[:, steps % s]  # (batch, horizon, n_targets)
        if self.naive_base:  # no season: the last value (else the window mean, 0)
            base = base + (1 - gate) * past[:, -1:]
        x = torch.cat([short - dev if self.deseasonalize_input else short,
                       x[:, n - n_net:, n_t:]], dim=2)  # what the network reads
        out = (self.net(x) if extra is None else self.net(x, extra)) * self.gain
        if self.n_quantiles:  # the base under every quantile: (batch, horizon * n_t * n_q)
            out = out.reshape(len(x), self.horizon, n_t, self.n_quantiles)
            return (out + base[..., None]).flatten(1)
        return out + base.flatten(1)  # (batch, horizon * n_targets)


def lag_error(x: torch.Tensor, lag: int) -> torch.Tensor:
    """Mean absolute difference at ``lag`` over the window: ``(batch, 1, k)``."""
    return (x[:, lag:] - x[:, :-lag]).abs().mean(dim=1, keepdim=True)


class MedianEnsemble(nn.Module):
    """The element-wise median of several trained networks' outputs (seed ensembles).

    Examples
    --------
    >>> import torch
    >>> from tsrnn.nn import RecurrentNet
    >>> members = [RecurrentNet(1, 2, cell="gru", hidden_size=4) for _ in range(3)]
    >>> MedianEnsemble(members)(torch.zeros(5, 8, 1)).shape
    torch.Size([5, 2])
    """

    def __init__(self, members: list) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor, extra: torch.Tensor | None = None) -> torch.Tensor:
        outs = torch.stack([m(x) if extra is None else m(x, extra) for m in self.members])
        return outs.median(dim=0).values  # (batch, n_outputs)

"""Level residual wrapper: a network that starts from a Theta forecast of each window.

The base of the low-frequency defaults (monthly, quarterly, yearly and integer-indexed data,
where a window holds few seasons), as the seasonal residual (``seasonal.py``) is for
sub-daily data. Per window, on what the window holds (padded steps excluded by the mask):

- a seasonal profile (the mean deviation of each phase from the window's line) is removed
  where the detrended window tests seasonal (its autocorrelation at the season lag beyond
  one standard error, ``GATE_Z``);
- simple exponential smoothing with the smoothing constant of smallest one-step error on a
  grid, plus half the least-squares slope (the Theta method of Assimakopoulos and
  Nikolopoulos, theta = 2), continued over the horizon, the profile added back;
- the network reads the deseasonalised window (and the mask) and forecasts the residual over
  that base, its head initialised at zero: training starts from the Theta forecast.

On log values (the default for positive series) the profile is multiplicative and the trend
exponential. Plain PyTorch, no pandas.
"""

from __future__ import annotations

import torch
from torch import nn

# the seasonality test's threshold in standard errors of the autocorrelation of the
# detrended window: M4 uses 1.645 (90%, on the raw series); on the M3 dev half the Theta
# base alone scored quarterly sMAPE 9.136 / 9.009 and monthly 13.963 / 13.977 with 1.645 /
# 1.0 (window of 7 horizons; tested on the raw window: 9.231 / 9.127 and 13.979 / 13.981)
GATE_Z = 1.0
ALPHAS = tuple(i / 20 for i in range(1, 21))  # the SES grid: 0.05, 0.10, ..., 1.0


def ses_weights(window: int, alphas=ALPHAS) -> torch.Tensor:
    """``(n_alphas, window, window)``: row ``t`` gives the SES level after step ``t`` as
    weights of the steps ``0..t`` (level started at the first value).

    >>> w = ses_weights(3, (0.5,))
    >>> w[0].tolist()
    [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]]
    """
    a = torch.tensor(alphas, dtype=torch.float64)[:, None, None]
    t = torch.arange(window, dtype=torch.float64)
    age = (t[:, None] - t[None, :])  # (t, j): steps since j
    w = a * (1 - a) ** age.clamp_min(0)
    w = torch.where(age >= 0, w, torch.zeros_like(w))
    w[:, :, 0] = (1 - a[:, :, 0]) ** t[None, :]  # the initial level
    return w.float()


def theta_base(past: torch.Tensor, mask: torch.Tensor, horizon: int, season: int,
               weights: torch.Tensor, alphas: torch.Tensor):
    """Theta forecast of each window and its deseasonalised copy.

    ``past``: ``(batch, window, k)``; ``mask``: ``(batch, window, 1)``, 1 on observed steps
    (the padding is on the left). Returns ``(base (batch, horizon, k), deseasonalised
    past)``.
    """
    b, n, k = past.shape
    count = mask.sum(dim=1, keepdim=True).clamp_min(1)  # (b, 1, 1) observed steps
    dev = torch.zeros_like(past)
    future_dev = past.new_zeros(b, horizon, k)
    t = torch.arange(n, device=past.device, dtype=past.dtype)[None, :, None]
    if 1 < season and 3 * season <= n:  # the detrended profile (a trend would leak in)
        phase = torch.arange(n, device=past.device) % season  # phase of the last step: n-1
        onehot = nn.functional.one_hot(phase, season).to(past.dtype)  # (n, m)
        level0, slope0 = _line(t, past, mask, count)
        detrended = (past - level0 - slope0 * t) * mask
        per = torch.einsum("nm,bnk->bmk", onehot, detrended)
        seen = torch.einsum("nm,bn->bm", onehot, mask[..., 0])[..., None]
        profile = per / seen.clamp_min(1)
        profile = profile - (profile * (seen > 0)).sum(1, keepdim=True) / \
            (seen > 0).sum(1, keepdim=True).clamp_min(1)
        gate = _masked_gate(detrended, mask, count, season) * \
            (seen.min(dim=1, keepdim=True).values >= 2)  # two of every phase observed
        dev = gate * profile[:, phase]
        future_dev = gate * profile[:, (torch.arange(horizon, device=past.device) + n) % season]
    x = past - dev
    first = n - count.long().squeeze(-1).squeeze(-1)  # (b,) index of the first observation
    x_first = x.gather(1, first.clamp(max=n - 1)[:, None, None].expand(b, 1, k))
    x = torch.where(mask > 0, x, x_first)  # padding repeats the first observation
    levels = torch.einsum("atj,bjk->batk", weights, x)  # (b, a, t, k)
    err = ((x[:, None, 1:] - levels[:, :, :-1]).abs() * mask[:, None, 1:]).sum(dim=2)
    best = err.argmin(dim=1)  # (b, k)
    level = levels[:, :, -1].gather(1, best[:, None]).squeeze(1)  # (b, k)
    alpha = alphas[best]  # (b, k)
    slope = _line(t, x, mask, count)[1][:, 0]  # (b, k)
    steps = torch.arange(horizon, device=past.device, dtype=past.dtype)[None, :, None]
    damp = (1 - alpha) ** count[:, 0]
    trend = 0.5 * slope[:, None] * (steps + (1 / alpha - damp / alpha)[:, None])
    return level[:, None] + trend + future_dev, x


def _line(t, x, mask, count):
    """Least-squares line ``intercept + slope * t`` over the observed steps: two
    ``(batch, 1, k)`` tensors (slope 0 where one step is observed)."""
    t_mean = (t * mask).sum(1, keepdim=True) / count
    x_mean = (x * mask).sum(1, keepdim=True) / count
    cov = ((t - t_mean) * (x - x_mean) * mask).sum(1, keepdim=True)
    var = ((t - t_mean) ** 2 * mask).sum(1, keepdim=True)
    slope = torch.where(var > 0, cov / var.clamp_min(1e-12), torch.zeros_like(cov))
    return x_mean - slope * t_mean, slope


def _masked_gate(detrended, mask, count, season):
    """1.0 where the observed part of a detrended window tests seasonal at lag ``season``."""
    xc = detrended * mask  # padding contributes nothing
    n = xc.shape[1]
    spec = torch.fft.rfft(xc.float(), n=2 * n, dim=1)
    acov = torch.fft.irfft(spec.real**2 + spec.imag**2, n=2 * n, dim=1)[:, : season + 1]
    acf = acov / acov[:, :1].clamp_min(torch.finfo(torch.float32).tiny)
    limit = GATE_Z * torch.sqrt((1 + 2 * (acf[:, 1:season] ** 2).sum(1, keepdim=True)) / count)
    return ((acf[:, season:season + 1] > limit) & (count >= 3 * season)).to(xc.dtype)


class LevelResidual(nn.Module):
    """Wrap ``net`` so that it forecasts the residual over each window's Theta forecast.

    Parameters
    ----------
    net : nn.Module
        Maps ``(x, extra)`` to ``(batch, horizon * n_targets)`` (times ``n_quantiles``).
    window, horizon, n_targets : int
        Input length and output layout of ``net`` (horizon-major).
    season : int
        Season length (1: none); the profile is removed where a window tests seasonal.
    masked : bool
        The last input channel is the observation mask (1 observed, 0 left padding).
    n_quantiles : int or None
        Quantile forecasts: the base is added under every quantile.

    Examples
    --------
    >>> import torch
    >>> from tsrnn.nn import RecurrentNet
    >>> net = LevelResidual(RecurrentNet(1, 3, cell="gru", hidden_size=4), 8, 3, 1, 1)
    >>> trend = torch.arange(8.0).reshape(1, 8, 1)
    >>> net(trend).round(decimals=2).tolist()  # zero head: SES + half the slope
    [[7.5, 8.0, 8.5]]
    """

    gain = 1.0  # the residual's weight (fitted on held-out windows by the forecaster)

    def __init__(self, net: nn.Module, window: int, horizon: int, n_targets: int,
                 season: int = 1, masked: bool = False,
                 n_quantiles: int | None = None) -> None:
        super().__init__()
        self.net, self.window, self.horizon, self.n_targets = net, window, horizon, n_targets
        self.season, self.masked, self.n_quantiles = int(season), bool(masked), n_quantiles
        self.register_buffer("weights", ses_weights(window), persistent=False)
        self.register_buffer("alphas", torch.tensor(ALPHAS), persistent=False)
        head = getattr(net, "head", None)
        if isinstance(head, nn.Linear):  # start from the Theta forecast
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)

    def forward(self, x: torch.Tensor, extra: torch.Tensor | None = None) -> torch.Tensor:
        n_t = self.n_targets
        past = x[:, :, :n_t]  # (batch, window, n_targets)
        mask = x[:, :, -1:] if self.masked else torch.ones_like(x[:, :, :1])
        weights = self.weights.to(x.dtype)
        base, adjusted = theta_base(past, mask, self.horizon, self.season, weights,
                                    self.alphas.to(x.dtype))
        x = torch.cat([adjusted, x[:, :, n_t:]], dim=2)
        out = (self.net(x) if extra is None else self.net(x, extra)) * self.gain
        if self.n_quantiles:
            out = out.reshape(len(x), self.horizon, n_t, self.n_quantiles)
            return (out + base[..., None]).flatten(1)
        return out + base.flatten(1)  # (batch, horizon * n_targets)

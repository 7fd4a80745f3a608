"""Recurrent networks in plain PyTorch: no pandas, no scikit-learn.

The estimators in :mod:`tsrnn.estimators` and :mod:`tsrnn.forecasting` build these modules
in ``fit``; the training engine (:mod:`tsrnn.engine`) trains them.
"""

from __future__ import annotations

import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLINGS = ("last", "mean", "max")


class RecurrentNet(nn.Module):
    """A stacked recurrent encoder followed by a linear head.

    Parameters
    ----------
    n_features : int
        Input channels per time step.
    n_outputs : int
        Size of the output vector (targets, horizon steps times targets, or class logits).
    cell : {"rnn", "lstm", "gru"}
        Recurrent cell; all run as one fused (cuDNN on a GPU) call over the whole sequence.
    hidden_size, num_layers, dropout, bidirectional, nonlinearity
        As in :class:`torch.nn.LSTM`; ``nonlinearity`` only applies to ``cell="rnn"``.
    pooling : {"last", "mean", "max"}
        How the sequence of hidden states is summarised for the head.
    n_head_extra : int
        Width of an extra vector concatenated to the pooled state before the head
        (for instance known future covariates, flattened).

    Examples
    --------
    >>> import torch
    >>> net = RecurrentNet(n_features=3, n_outputs=2, cell="gru", hidden_size=8)
    >>> net(torch.zeros(4, 10, 3)).shape
    torch.Size([4, 2])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        pooling: str = "last",
        n_head_extra: int = 0,
    ) -> None:
        super().__init__()
        kwargs = dict(
            input_size=n_features,
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
            batch_first=True,
        )
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.rnn = CELLS[cell](**kwargs)
        self.pooling = pooling
        self.drop = nn.Dropout(dropout)
        width = hidden_size * (2 if bidirectional else 1)
        self.head = nn.Linear(width + n_head_extra, n_outputs)

    def forward(self, x: torch.Tensor, extra: torch.Tensor | None = None) -> torch.Tensor:
        states, _ = self.rnn(x)  # (batch, time, hidden * directions)
        if self.pooling == "last" and self.rnn.bidirectional:
            # the forward direction ends at the last step, the backward one at the first
            width = self.rnn.hidden_size
            pooled = torch.cat([states[:, -1, :width], states[:, 0, width:]], dim=1)
        elif self.pooling == "last":
            pooled = states[:, -1]  # (batch, hidden * directions)
        elif self.pooling == "mean":
            pooled = states.mean(dim=1)
        else:
            pooled = states.amax(dim=1)
        pooled = self.drop(pooled)
        if extra is not None:
            pooled = torch.cat([pooled, extra], dim=1)  # (batch, hidden + extra)
        return self.head(pooled)  # (batch, n_outputs)


class Seq2Seq(nn.Module):
    """Encoder-decoder: a recurrent encoder reads the window, a decoder of the same cell
    unrolls ``horizon`` steps fed with known future inputs (or zeros) from the encoder state.

    The decoder's inputs are known in advance (the step's position, one-hot, and the known
    future inputs), so it runs as one fused call over all steps.

    Parameters
    ----------
    n_features : int
        Input channels per time step of the window.
    n_targets : int
        Outputs per horizon step (targets, times quantiles).
    horizon : int
        Steps the decoder unrolls.
    n_future : int
        Known future inputs per step (``extra`` is ``(batch, horizon * n_future)``).
    cell, hidden_size, num_layers, dropout, nonlinearity
        As in :class:`RecurrentNet`; encoder and decoder share them.
    attention : bool
        Luong-style attention, "general" score scaled by ``1/sqrt(hidden_size)``: at each
        step the decoder's output ``d_t`` scores every encoder state ``e_s`` as
        ``d_t . W e_s / sqrt(hidden_size)``, a softmax over the window's steps weighs the
        encoder states into a context ``c_t``, and the head reads ``[d_t, c_t]``. One
        batched matmul over all steps; ``head`` stays one ``nn.Linear``.

    Examples
    --------
    >>> import torch
    >>> net = Seq2Seq(n_features=1, n_targets=1, horizon=5, n_future=0, hidden_size=8)
    >>> net(torch.zeros(2, 12, 1)).shape
    torch.Size([2, 5])
    >>> net = Seq2Seq(1, 1, horizon=5, hidden_size=8, cell="gru", attention=True)
    >>> net(torch.zeros(2, 12, 1)).shape, net.attention_weights(torch.zeros(2, 12, 1)).shape
    (torch.Size([2, 5]), torch.Size([2, 5, 12]))
    """

    attention = False  # class default: modules pickled before attention load unchanged

    def __init__(
        self,
        n_features: int,
        n_targets: int,
        horizon: int,
        n_future: int = 0,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        nonlinearity: str = "tanh",
        attention: bool = False,
    ) -> None:
        super().__init__()
        kwargs = dict(hidden_size=hidden_size, num_layers=num_layers, batch_first=True,
                      dropout=dropout if num_layers > 1 else 0.0)
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.encoder = CELLS[cell](input_size=n_features, **kwargs)
        # The decoder sees the horizon-step position (one-hot) plus known future inputs.
        self.decoder = CELLS[cell](input_size=horizon + n_future, **kwargs)
        self.attention = bool(attention)
        if self.attention:  # W of the score d_t . W e_s
            self.score = nn.Linear(hidden_size, hidden_size, bias=False)
        self.head = nn.Linear(hidden_size * (2 if self.attention else 1), n_targets)
        self.horizon = horizon
        self.register_buffer("steps", torch.eye(horizon), persistent=False)

    def _decode(self, x: torch.Tensor, extra: torch.Tensor | None):
        """Encoder states ``(batch, time, hidden)`` and decoder outputs ``(batch, horizon,
        hidden)``."""
        states, state = self.encoder(x)  # state: (layers, batch, hidden) (a tuple for LSTM)
        steps = self.steps.to(x.dtype).expand(x.shape[0], -1, -1)  # (batch, horizon, horizon)
        if extra is not None:
            future = extra.reshape(x.shape[0], self.horizon, -1)  # (batch, horizon, n_future)
            steps = torch.cat([steps, future], dim=2)
        out, _ = self.decoder(steps, state)  # (batch, horizon, hidden)
        return states, out

    def _attend(self, out: torch.Tensor, states: torch.Tensor):
        """Context ``(batch, horizon, hidden)`` and weights ``(batch, horizon, time)``."""
        keys = self.score(states)  # (batch, time, hidden)
        scores = out @ keys.transpose(1, 2) / out.shape[-1] ** 0.5  # (batch, horizon, time)
        weights = torch.softmax(scores, dim=2)
        return weights @ states, weights  # (batch, horizon, hidden), (batch, horizon, time)

    def forward(self, x: torch.Tensor, extra: torch.Tensor | None = None) -> torch.Tensor:
        states, out = self._decode(x, extra)
        if self.attention:
            context, _ = self._attend(out, states)
            out = torch.cat([out, context], dim=2)  # (batch, horizon, 2 * hidden)
        return self.head(out).flatten(1)  # (batch, horizon * n_targets)

    def attention_weights(self, x: torch.Tensor,
                          extra: torch.Tensor | None = None) -> torch.Tensor:
        """The attention weights ``(batch, horizon, time)`` over the window's steps (each
        row sums to one); needs ``attention=True``."""
        if not self.attention:
            raise ValueError("attention_weights needs a Seq2Seq built with attention=True.")
        states, out = self._decode(x, extra)
        return self._attend(out, states)[1]

"""Torch intra-op threads of a fit or predict: one thread for small networks on CPU (or
``n_threads``), set for the block and restored afterwards. Used by :mod:`tsrnn.engine`.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

# Below this many multiply-adds per time step (batch x recurrent weights), one torch thread
# is faster than several on CPU: the work per step is too small to share out, and on a
# busy machine extra threads wait for cores (benchmarks/README.md, "Threads").
SMALL_STEP_WORK = 2**20


def choose_threads(n_threads, module: nn.Module, batch_size: int,
                   device: torch.device) -> int | None:
    """Torch intra-op threads for a fit or predict: ``n_threads`` when given; else one
    thread for a small network on CPU (batch x recurrent weights <= ``SMALL_STEP_WORK``),
    None (torch's current setting) otherwise and on GPUs."""
    if n_threads is not None:
        return int(n_threads)
    if device.type != "cpu":
        return None
    weights = sum(p.numel() for m in module.modules() if isinstance(m, nn.RNNBase)
                  for p in m.parameters(recurse=False))
    return 1 if batch_size * weights <= SMALL_STEP_WORK else None


@contextlib.contextmanager
def thread_scope(n_threads: int | None):
    """Run the block on ``n_threads`` torch intra-op threads and restore the caller's
    count afterwards, even on an error (None: leave threads alone). Never a lasting,
    process-wide change."""
    before = torch.get_num_threads()
    if n_threads is None or n_threads == before:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)

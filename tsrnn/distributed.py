"""Data-parallel training of the global neural models with ``torch.distributed``.

Launch the same script on every process (``torchrun --nproc-per-node N script.py``, on one
machine or several): once a process group is initialised (:func:`init`), every neural
estimator's ``fit`` trains one model together with the other processes. The training
engine (:func:`tsrnn.engine.train`) then

- wraps the module in ``DistributedDataParallel`` (rank 0's initial weights are broadcast,
  gradients are averaged during ``backward``);
- draws the same shuffled order of windows on every rank (rank 0's generator state is
  broadcast), cuts it into the global batches of ``batch_size`` windows, and gives each
  rank its share of every batch (:func:`shard`), weighted so that the averaged gradient is
  the gradient of the whole batch: the updates are those of a single process training on
  the same global batches, up to floating-point summation order;
- sums the training and validation losses over the ranks (``all_reduce``), so that early
  stopping, learning-rate schedules, callbacks and the divergence check decide the same
  on every rank.

Every rank ends with the same fitted estimator; save or return it from rank 0
(:func:`is_main`). Each rank builds the windows of the whole training data (cheap: they
are offsets into one tensor), so the data must fit on every process.

Collectives time out (``timeout`` of :func:`init`) instead of hanging, and ``torchrun``
stops the whole job when one worker dies; the error names the failed rank.
"""

from __future__ import annotations

import contextlib
import datetime
import os

import torch
import torch.distributed as dist

__all__ = ["init", "is_active", "rank", "world_size", "is_main", "shard", "local_range",
           "all_reduce_sum",
           "all_reduce_max", "sync_generator", "rank_generator", "wrap", "shutdown",
           "peer_failures", "PeerFailureError"]


def init(backend: str | None = None, timeout: float = 300.0) -> torch.device:
    """Initialise the process group from the ``torchrun`` environment and return the
    device this process should train on.

    Parameters
    ----------
    backend : {"gloo", "nccl"} or None, default=None
        None: ``nccl`` when CUDA is available (one GPU per process, ``LOCAL_RANK``),
        else ``gloo`` (CPU).
    timeout : float, default=300
        Seconds a collective waits for the other processes before failing (a dead or
        stuck peer ends the job with an error instead of hanging).

    Returns
    -------
    torch.device
        ``cuda:LOCAL_RANK`` under nccl, else ``cpu``: pass it as the estimator's ``device``.
    """
    missing = [k for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
               if k not in os.environ]
    if missing:
        raise RuntimeError(f"tsrnn.distributed.init() needs the environment torchrun sets "
                           f"(missing {', '.join(missing)}): launch the script with "
                           "`torchrun --nproc-per-node N script.py`.")
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend not in ("gloo", "nccl"):
        raise ValueError(f"backend={backend!r} is not one of 'gloo', 'nccl'.")
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        kwargs = {"device_id": device} if backend == "nccl" else {}
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout),
                                **kwargs)
    return device


def shutdown() -> None:
    """Destroy the process group (call at the end of the script, on every rank)."""
    if is_active():
        dist.destroy_process_group()


def is_active() -> bool:
    """True inside an initialised process group: training is then data-parallel."""
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    return dist.get_rank() if is_active() else 0


def world_size() -> int:
    return dist.get_world_size() if is_active() else 1


def is_main() -> bool:
    """True on rank 0 (and outside a process group)."""
    return rank() == 0


def shard(idx: torch.Tensor) -> tuple[torch.Tensor, int, float]:
    """This rank's share of a global batch ``idx``: ``(local_idx, n_local, weight)``.

    Rank ``r`` of ``w`` takes ``idx[r::w]``. ``weight = w * n_local / len(idx)`` scales the
    local mean loss so that DDP's average of the ranks' gradients is the gradient of the
    mean loss over the whole batch (shares differ by one window when ``w`` does not divide
    the batch). A rank left without a window (a last batch smaller than ``w``) computes on
    one window with weight 0: every rank takes part in every gradient all-reduce.
    """
    if not is_active():
        return idx, len(idx), 1.0
    r, w = dist.get_rank(), dist.get_world_size()
    local = idx[r::w]
    if len(local) == 0:
        return idx[:1], 0, 0.0
    return local, len(local), w * len(local) / len(idx)


def local_range(n: int, device) -> torch.Tensor:
    """This rank's share of ``range(n)`` (evaluation: each rank scores a part)."""
    return torch.arange(rank(), n, world_size(), device=device)


def _collective_tensor(tensor: torch.Tensor) -> torch.Tensor:
    """nccl works on CUDA tensors only; gloo on CPU (and CUDA) tensors."""
    if dist.get_backend() == "nccl" and tensor.device.type != "cuda":
        return tensor.to(torch.device("cuda", torch.cuda.current_device()))
    return tensor


def _all_reduce(tensor: torch.Tensor, op) -> torch.Tensor:
    if not is_active():
        return tensor
    out = _collective_tensor(tensor.clone())
    dist.all_reduce(out, op=op)
    return out.to(tensor.device)


def all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    """The sum over ranks (the tensor itself outside a process group)."""
    return _all_reduce(tensor, dist.ReduceOp.SUM)


def all_reduce_max(tensor: torch.Tensor) -> torch.Tensor:
    """The maximum over ranks (the tensor itself outside a process group)."""
    return _all_reduce(tensor, dist.ReduceOp.MAX)


def sync_generator(generator: torch.Generator) -> None:
    """Give every rank rank 0's generator state: the same shuffles on every rank, and the
    same as a single process seeded alike."""
    if not is_active():
        return
    state = _collective_tensor(generator.get_state().clone())
    dist.broadcast(state, src=0)
    generator.set_state(state.cpu())


def wrap(module: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """``module`` in ``DistributedDataParallel`` inside a process group, else itself.

    The wrapper shares the module's parameters (train it, keep ``module``); rank 0's
    weights and buffers are broadcast to the other ranks here.
    """
    if not is_active():
        return module
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [device.index if device.index is not None else torch.cuda.current_device()] \
        if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=device_ids)


def rank_generator(generator: torch.Generator) -> torch.Generator:
    """A generator of this rank's own (augmentation) draws, seeded from the shared
    ``generator``'s seed plus the rank, without drawing from it: the shared one stays in
    step on every rank (and with a single process); ``generator`` itself outside a
    process group."""
    if not is_active():
        return generator
    seed = (generator.initial_seed() + 1 + rank()) % 2**63
    return torch.Generator(device=generator.device).manual_seed(seed)


class PeerFailureError(RuntimeError):
    """A process of the training group died, or stopped answering within the timeout."""


_PEER_FAILURE = ("gloo", "nccl", "connection reset", "connection closed", "timed out",
                 "timeout", "broken pipe")


@contextlib.contextmanager
def peer_failures():
    """Turn the transport errors of a collective (a dead or stuck peer) into a
    :class:`PeerFailureError` that says which rank saw it and what to look for."""
    try:
        yield
    except RuntimeError as exc:
        if not is_active() or isinstance(exc, PeerFailureError) or \
                not any(word in str(exc).lower() for word in _PEER_FAILURE):
            raise
        raise PeerFailureError(
            f"distributed training failed on rank {rank()} of {world_size()}: another "
            "process of the group died or stopped responding (see its log; torchrun names "
            f"the failed rank). Transport error: {str(exc).splitlines()[0][:300]}") from exc

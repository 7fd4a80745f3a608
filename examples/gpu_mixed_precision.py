"""Train on a GPU when there is one, with mixed precision, and fall back cleanly without.

``device="auto"`` picks CUDA when it is available and the CPU otherwise; the choice is
stored in ``device_`` (the ``device`` parameter keeps what you asked for, so the same
script, or a pickled model, runs anywhere). ``precision`` asks for mixed precision:

- ``"bf16"``: bfloat16 autocast. Same exponent range as float32, so no loss scaling is
  needed; supported on recent GPUs (Ampere and later) and on the CPU.
- ``16``: float16 autocast with a gradient scaler; CUDA only.
- ``32``: plain float32 (the default).

Where the hardware cannot (fp16 on the CPU, bf16 on an old GPU) the model warns and
trains in float32; ``precision_`` tells what was used. Losses and metrics stay in float32
either way. The gains come with large batches and hidden sizes on a GPU; on a CPU, or for
small networks, float32 is usually as fast.

Run from the repository root::

    python examples/gpu_mixed_precision.py                    # fp32, bf16 and fp16
    python examples/gpu_mixed_precision.py --device cpu       # force the CPU
    python examples/gpu_mixed_precision.py --fast             # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings

import torch

from tsrnn import GRUForecaster
from tsrnn.datasets import load_ett


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--fast", action="store_true", help="less data, 1 epoch")
    args = parser.parse_args(argv)
    gpu = torch.cuda.is_available() and args.device != "cpu"
    n_hours, epochs = (600, 1) if args.fast else (17_000 if gpu else 4000, 3)
    print(f"torch {torch.__version__}; CUDA available: {torch.cuda.is_available()}; "
          f"{n_hours} hours, {epochs} epochs")

    ot = load_ett()["OT"].iloc[-n_hours:]
    train, test = ot.iloc[:-168], ot.iloc[-168:]
    for precision in (32, "bf16", 16):
        model = GRUForecaster(horizon=24, window=96, hidden_size=128, batch_size=512,
                              max_epochs=epochs, device=args.device, precision=precision,
                              random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            model.fit(train)
            seconds = time.perf_counter() - start
        fallback = "; ".join(str(w.message) for w in caught) or "no fallback"
        print(f"precision={precision!s:>4} -> trained on {model.device_} in "
              f"{model.precision_} ({fallback}): {seconds / epochs:.2f} s per epoch, "
              f"MASE on the last week {-model.score(test):.3f}")

    # Weights are pickled as CPU tensors and the device is resolved again when loading:
    # a model trained on a GPU predicts on a machine without one.
    restored = pickle.loads(pickle.dumps(model))
    print(f"unpickled: device={restored.device!r} -> device_={restored.device_}; "
          f"same forecast: {restored.predict().equals(model.predict())}")


if __name__ == "__main__":
    main()

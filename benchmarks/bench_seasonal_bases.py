"""Plain seasonal bases on the M4 Hourly dev half: the day, the week, or a choice per series.

Usage::

    python benchmarks/bench_seasonal_bases.py [--out benchmarks/results/seasonal_bases.json]

No model is trained: each forecast repeats the last day (seasonal naive, lag 24), the last
week (lag 168), or, per series, whichever lag has the smaller mean absolute difference of
the log values over the last two weeks (the week must be 5% smaller: the rule of
``tsrnn.nn.SeasonalResidual`` applied to a whole series). This is why the neural
forecasters' seasonal base chooses between the day and the week per window. Scores use the
M4 definitions (sMAPE, MASE with m = 24, OWA against the official Naive2 forecasts).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4data import load_m4, load_m4_submission  # noqa: E402

from tsrnn._io import atomic_write_text  # noqa: E402
from tsrnn.metrics import mase, owa, smape  # noqa: E402
from tsrnn.nn import SeasonalResidual  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"


def repeat_last(x: np.ndarray, lag: int, horizon: int) -> np.ndarray:
    """The last ``lag`` values repeated over ``horizon`` steps."""
    return x[-lag:][np.arange(horizon) % lag]


def chosen_lag(x: np.ndarray, span: int = 336,
               margin: float = SeasonalResidual.longer_margin) -> int:
    """168 where the week's log differences over the last ``span`` steps are smaller
    than ``margin`` times the day's, else 24."""
    w = np.log(x[-span:])
    day, week = np.abs(w[24:] - w[:-24]).mean(), np.abs(w[168:] - w[:-168]).mean()
    return 168 if week < margin * day else 24


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: M4 data not found at {DATA}")
        return {}
    ids, train, test, horizon = load_m4(DATA, "Hourly-dev")
    naive2 = load_m4_submission(DATA / "submission-Naive2-Hourly-dev.csv", ids)
    ref = smape(test, naive2), mase(test, naive2, train, m=24)
    lags = {"day (lag 24)": [24] * len(train), "week (lag 168)": [168] * len(train),
            "choice per series": [chosen_lag(x) for x in train]}
    out = {}
    for name, per_series in lags.items():
        pred = np.stack([repeat_last(x, lag, horizon) for x, lag in zip(train, per_series)])
        s, m = smape(test, pred), mase(test, pred, train, m=24)
        out[name] = {"smape": s, "mase": m, "owa": owa(s, m, *ref),
                     "share_week": float(np.mean(np.array(per_series) == 168))}
        print(f"{name:20s} sMAPE {s:7.3f} MASE {m:6.3f} OWA {out[name]['owa']:6.3f} "
              f"(week for {out[name]['share_week']:.0%} of the series)")
    if args.out:
        atomic_write_text(args.out, json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()

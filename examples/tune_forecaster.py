"""Tune a GRUForecaster on weekly M4 finance series with OptunaSearchCV.

The last 13 weeks of every series (the M4 test period) are held out. The search scores
each candidate by time-based cross-validation on the rest: 2 folds of 13 weeks, scored by
a forecaster's ``score`` (the negative MASE of rolling-origin forecasts). It prunes
unpromising trials after a few epochs, refits the best configuration, and compares it
with the default configuration, in cross-validation and on the held-out weeks.

Run from the repository root::

    python examples/tune_forecaster.py                      # 10 trials, a few minutes
    python examples/tune_forecaster.py --fast               # 2 trials of 1 epoch (CI)
    python examples/tune_forecaster.py --storage sqlite:///tune.db --study m4-gru
        # resumable: run it again (or in several terminals at once) to add trials
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from sklearn.model_selection import cross_val_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from tsrnn.datasets import load_m4_finance  # noqa: E402
from tsrnn.forecasting import GRUForecaster  # noqa: E402
from tsrnn.model_selection import ExpandingWindowSplit  # noqa: E402
from tsrnn.tuning import OptunaSearchCV  # noqa: E402

HORIZON = 13  # the M4 weekly horizon


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=4, help="max_epochs of every fit")
    parser.add_argument("--series", type=int, default=10, help="M4 finance series used")
    parser.add_argument("--storage", default=None, help="optuna storage URL (resumable)")
    parser.add_argument("--study", default=None, help="study name in --storage")
    parser.add_argument("--plots", default=None, help="folder for the history/importances")
    parser.add_argument("--fast", action="store_true", help="2 trials, 1 epoch, 4 series")
    args = parser.parse_args(argv)
    if args.fast:
        args.trials, args.epochs, args.series = 2, 1, 4
    torch.set_num_threads(1)  # small recurrent nets train fastest on one CPU thread

    data = load_m4_finance()
    data = data[data["unique_id"].isin(data["unique_id"].unique()[: args.series])]
    test = data.groupby("unique_id").tail(HORIZON)  # the M4 test period
    train = data.drop(test.index).reset_index(drop=True)
    base = GRUForecaster(horizon=HORIZON, max_epochs=args.epochs, random_state=0)

    cv = ExpandingWindowSplit(n_splits=2, test_size=HORIZON)  # the last 2 x 13 weeks
    start = time.perf_counter()
    default_cv = cross_val_score(base, train, cv=cv).mean()
    default_score = base.fit(train).score(test)
    print(f"default GRUForecaster (hidden_size=64, window=26): CV -MASE {default_cv:.3f}, "
          f"held-out -MASE {default_score:.3f} ({time.perf_counter() - start:.0f} s)")

    search = OptunaSearchCV(base, n_trials=args.trials, cv=cv,
                            pruner="median", storage=args.storage, study_name=args.study,
                            random_state=0)
    start = time.perf_counter()
    search.fit(train)
    states = search.results_["state"].value_counts().to_dict()
    print(f"search: {states} in {time.perf_counter() - start:.0f} s; best CV -MASE "
          f"{search.best_score_:.3f}")
    print("best configuration:", ", ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in search.best_params_.items()))
    print(f"held-out -MASE: default {default_score:.3f}, tuned {search.score(test):.3f}")
    if args.plots:
        Path(args.plots).mkdir(parents=True, exist_ok=True)
        print("plots:", search.plot_history(Path(args.plots) / "tune_history.png"),
              search.plot_importances(Path(args.plots) / "tune_importances.png"))


if __name__ == "__main__":
    main()

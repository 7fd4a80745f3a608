"""A window regressor in a scikit-learn Pipeline, tuned by GridSearchCV with TimeSeriesSplit.

The window estimators (``GRURegressor``, ``LSTMClassifier``, ...) are ordinary
scikit-learn estimators. Here a pipeline forecasts the oil temperature of ETTh1 24 hours
ahead from one hourly series:

- ``SlidingWindowTransformer`` gives, for every hour ``t``, a window of past values ending
  at ``t`` (one output row per input row, so it can sit in a Pipeline; the first rows are
  padded). ``stride`` picks which past values: ``window=24, stride=1`` is the last day
  hour by hour, ``window=7, stride=24`` the same hour on each of the last 7 days;
- ``StandardScaler`` scales each lag column;
- ``GRURegressor`` reads each row as a univariate window and predicts ``OT[t + 24]``.

``GridSearchCV`` with ``TimeSeriesSplit`` compares the two windowings and two hidden
sizes, always validating on data that comes after the training data. The reference is the
seasonal naive forecast (the same hour yesterday). For several channels per time step,
build 3D windows with ``tsrnn.preprocessing.make_windows`` instead.

Run from the repository root::

    python examples/pipeline_gridsearch.py          # about a minute on 2 CPU cores
    python examples/pipeline_gridsearch.py --fast   # a few seconds (used by the tests)
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tsrnn import GRURegressor
from tsrnn.datasets import load_ett
from tsrnn.preprocessing import SlidingWindowTransformer

LEAD = 24  # hours ahead


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="less data, 2 candidates")
    args = parser.parse_args(argv)
    n_hours, epochs, sizes = (600, 2, [16]) if args.fast else (2000, 10, [16, 32])
    grid = [{"slidingwindowtransformer__window": [24], "slidingwindowtransformer__stride": [1],
             "gruregressor__hidden_size": sizes},
            {"slidingwindowtransformer__window": [7], "slidingwindowtransformer__stride": [24],
             "gruregressor__hidden_size": sizes}]

    ot = load_ett()["OT"].to_numpy()[-n_hours:]
    X, y = ot[:-LEAD, None], ot[LEAD:]  # row t holds OT[t]; its target is OT[t + 24]
    n_test = 168  # hold out the last week
    X_train, X_test, y_train, y_test = X[:-n_test], X[-n_test:], y[:-n_test], y[-n_test:]

    pipe = make_pipeline(SlidingWindowTransformer(window=24, fill="edge"), StandardScaler(),
                         GRURegressor(max_epochs=epochs, lr=3e-3, random_state=0))
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=3),
                          scoring="neg_mean_absolute_error")
    search.fit(X_train, y_train)
    for params, score in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"]):
        short = {k.split("__")[1]: v for k, v in params.items()}
        print(f"  {short}: cross-validated MAE {-score:.3f}")
    print("best:", {k.split("__")[1]: v for k, v in search.best_params_.items()})

    # The test windows are built from the test rows only (the pipeline is stateless over
    # time), so the first rows of the week are padded: a fair, slightly pessimistic test.
    pred = search.predict(X_test)
    print(f"\nlast week, {LEAD} h ahead: GRU MAE {mean_absolute_error(y_test, pred):.3f}, "
          f"seasonal naive (same hour yesterday) MAE "
          f"{mean_absolute_error(y_test, X_test[:, 0]):.3f}")
    print("first predictions:", np.round(pred[:4], 2), "actual:", np.round(y_test[:4], 2))


if __name__ == "__main__":
    main()

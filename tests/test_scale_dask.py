"""Per-series and per-fold work goes through joblib, so that
``joblib.parallel_config(backend="dask")`` runs it on a Dask cluster unchanged: tested on a
real ``dask.distributed.LocalCluster`` with two worker processes against ``n_jobs=1``."""

import logging

import numpy as np
import pandas as pd
import pytest

from tsrnn.datasets import make_panel
from tsrnn.forecasting import GRUForecaster, NaiveForecaster, ThetaForecaster
from tsrnn.forecasting.statistical import ETSForecaster
from tsrnn.model_selection import backtest, compare

pytest.importorskip("statsmodels")
joblib = pytest.importorskip("joblib")
distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.distributed, pytest.mark.slow]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def panel():
    return make_panel(n_series=6, min_length=40, max_length=60, period=7, random_state=0)


def _on_cluster(client, call):
    """Run ``call`` under the dask joblib backend; returns its result and the names of the
    tasks the cluster's workers ran meanwhile."""
    with distributed.get_task_stream(client) as stream, \
            joblib.parallel_config(backend="dask"):
        result = call()
    workers = {task["worker"] for task in stream.data}
    return result, workers


def test_statistical_fit_and_predict_on_the_cluster_match_one_job(client, panel):
    def run(n_jobs):
        model = ETSForecaster(horizon=7, season_length=7, n_jobs=n_jobs).fit(panel)
        return model.predict(), model.predict_interval(coverage=0.8)

    local = run(1)
    remote, workers = _on_cluster(client, lambda: run(None))
    assert len(workers) == 2  # both worker processes took series
    pd.testing.assert_frame_equal(remote[0], local[0])
    pd.testing.assert_frame_equal(remote[1], local[1])


def test_refitting_backtest_and_compare_on_the_cluster_match_one_job(client, panel):
    gru = GRUForecaster(horizon=7, window=14, hidden_size=4, max_epochs=2, batch_size=32,
                        random_state=0)
    local = backtest(gru, panel, n_origins=3, n_jobs=1)
    remote, workers = _on_cluster(client, lambda: backtest(gru, panel, n_origins=3))
    assert workers  # the folds ran on the cluster
    cols = ["fold", "unique_id", "ds", "y", "y_pred"]
    pd.testing.assert_frame_equal(remote.forecasts[cols], local.forecasts[cols])
    metrics = ["n_series", "mae", "rmse", "smape", "mase"]
    pd.testing.assert_frame_equal(remote.summary[metrics], local.summary[metrics])

    models = {"theta": ThetaForecaster(horizon=7, season_length=7),
              "naive": NaiveForecaster(horizon=7)}
    board = compare(models, panel, n_origins=2, season_length=7, n_jobs=1)
    remote_board, workers = _on_cluster(
        client, lambda: compare(models, panel, n_origins=2, season_length=7))
    assert len(workers) == 2
    cols = ["mae", "rmse", "smape", "mase", "skill"]
    pd.testing.assert_frame_equal(remote_board[cols], board[cols])


def test_backtest_n_jobs_two_processes_matches_one():
    y = make_panel(n_series=3, min_length=30, max_length=40, random_state=1)
    one = backtest(NaiveForecaster(horizon=3), y, n_origins=3, n_jobs=1)
    two = backtest(NaiveForecaster(horizon=3), y, n_origins=3, n_jobs=2)
    pd.testing.assert_frame_equal(one.forecasts, two.forecasts)
    assert np.allclose(one.summary["mase"], two.summary["mase"])

"""OptunaSearchCV: search, pruning, storage (resume, several processes, a killed worker,
PostgreSQL), plots, and scikit-learn's own searches over the window regressors."""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit

import tsrnn
from tsrnn import GRURegressor, TrainingDivergedError
from tsrnn.datasets import make_panel, make_sine
from tsrnn.forecasting import GRUForecaster, NaiveForecaster, SeasonalNaiveForecaster
from tsrnn.model_selection import ExpandingWindowSplit
from tsrnn.tuning import OptunaSearchCV, default_search_space

optuna = pytest.importorskip("optuna")
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution  # noqa: E402

ROOT = Path(tsrnn.__file__).resolve().parents[1]
TINY = dict(hidden_size=4, max_epochs=3, batch_size=32, random_state=0)
SPACE = {"hidden_size": IntDistribution(2, 8), "lr": FloatDistribution(1e-3, 1e-1, log=True),
         "num_layers": CategoricalDistribution((1, 2))}


def make_data(n=80):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 6, 1))
    return X, X[:, -1, 0] + 0.5 * X[:, -2, 0]


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def search(data):
    return OptunaSearchCV(GRURegressor(**TINY), SPACE, n_trials=4, cv=2, random_state=0,
                          n_jobs=2).fit(*data)


class AlwaysPrune(optuna.pruners.BasePruner):
    """Prunes every trial but the first one, after its first epoch."""

    def prune(self, study, trial):
        return trial.number > 0 and trial.last_step is not None and trial.last_step >= 1


class Toy(BaseEstimator):
    """A torch-free estimator: ``score`` is ``-abs(a - 3)``; ``a == 99`` diverges."""

    torch_threads = []

    def __init__(self, a=0, callbacks=None):
        self.a = a
        self.callbacks = callbacks

    def fit(self, X, y=None):
        self.torch_threads.append(torch.get_num_threads())
        if self.a == 99:
            raise TrainingDivergedError("diverged")
        if self.a == 98:
            raise RuntimeError("a bug")
        self.fitted_ = True
        return self

    def score(self, X, y=None):
        return -abs(self.a - 3)


def test_best_params_in_space_and_best_estimator_predicts(search, data):
    X, y = data
    params = search.best_params_
    assert set(params) == set(SPACE)
    assert 2 <= params["hidden_size"] <= 8 and 1e-3 <= params["lr"] <= 1e-1
    assert params["num_layers"] in (1, 2)
    assert search.best_estimator_.get_params()["hidden_size"] == params["hidden_size"]
    assert search.predict(X[:5]).shape == (5,)
    assert search.score(X, y) == pytest.approx(search.best_estimator_.score(X, y))
    results = search.results_
    assert len(results) == 4 and (results["state"] == "COMPLETE").all()
    best = results.loc[results["rank_test_score"] == 1, "mean_test_score"].item()
    assert best == pytest.approx(search.best_score_)
    assert {"split0_test_score", "split1_test_score", "param_lr"} <= set(results.columns)
    assert len(search.trials_dataframe()) == 4


def test_random_state_repeats_the_sampled_params(data):
    def sampled(seed):
        s = OptunaSearchCV(Toy(), {"a": IntDistribution(0, 1000)}, n_trials=6, cv=2,
                           random_state=seed, refit=False).fit(*data)
        return list(s.results_["param_a"])

    assert sampled(0) == sampled(0)
    assert sampled(0) != sampled(1)


def test_threads_share_torch_threads_and_restore_them(data):
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    Toy.torch_threads.clear()
    try:
        OptunaSearchCV(Toy(), {"a": IntDistribution(0, 5)}, n_trials=4, cv=2, n_jobs=2,
                       refit=False).fit(*data)
        assert set(Toy.torch_threads) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_callable_space_and_derived_params(data):
    def space(trial):
        return {"a": 2 * trial.suggest_int("half_a", 0, 3)}

    s = OptunaSearchCV(Toy(), space, n_trials=8, cv=2, random_state=0).fit(*data)
    assert s.best_params_["a"] in (0, 2, 4, 6)
    assert s.best_score_ == -1
    assert "param_half_a" in s.results_.columns


def test_pruner_stops_trials_after_the_first_epoch(data):
    s = OptunaSearchCV(GRURegressor(**TINY), SPACE, n_trials=4, cv=2, random_state=0,
                       pruner=AlwaysPrune()).fit(*data)
    states = list(s.results_["state"])
    assert states == ["COMPLETE", "PRUNED", "PRUNED", "PRUNED"]
    assert list(s.results_["n_epochs_reported"]) == [3, 1, 1, 1]  # first fold only
    assert s.best_trial_.number == 0


def test_median_pruner_prunes_a_bad_learning_rate():
    y = make_sine(n=150, period=12)
    s = OptunaSearchCV(
        GRUForecaster(horizon=3, window=12, hidden_size=8, max_epochs=6, random_state=0),
        {"lr": CategoricalDistribution((3e-2, 1e-6))}, n_trials=8, cv=2, random_state=0,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1)).fit(y)
    pruned = s.results_[s.results_["state"] == "PRUNED"]
    assert len(pruned) >= 1
    assert (pruned["param_lr"] == 1e-6).all()
    assert s.best_params_ == {"lr": 3e-2}


def test_no_completed_trial_is_an_error(data):
    class Never(optuna.pruners.BasePruner):
        def prune(self, study, trial):
            return True

    with pytest.raises(ValueError, match="no trial completed.*PRUNED"):
        OptunaSearchCV(GRURegressor(**TINY), SPACE, n_trials=2, cv=2,
                       pruner=Never()).fit(*data)


def test_diverged_trials_fail_and_other_errors_propagate(data):
    s = OptunaSearchCV(Toy(), {"a": CategoricalDistribution((99, 2))}, n_trials=6, cv=2,
                       random_state=0).fit(*data)
    assert set(s.results_["state"]) == {"FAIL", "COMPLETE"}
    assert s.best_params_ == {"a": 2}
    with pytest.raises(RuntimeError, match="a bug"):
        OptunaSearchCV(Toy(), {"a": CategoricalDistribution((98,))}, n_trials=2,
                       cv=2).fit(*data)


def test_forecaster_default_space_and_plots(tmp_path):
    model = GRUForecaster(horizon=3, max_epochs=2, random_state=0)
    space = default_search_space(model)
    assert space["window"].choices == (None, 3, 4, 6, 8, 12, 16)  # None: the derived window
    assert space["lr"].log and "window" not in default_search_space(GRURegressor())
    y = make_sine(n=120, period=12)
    s = OptunaSearchCV(model, n_trials=3, cv=2, random_state=0).fit(y)
    assert set(s.best_params_) == set(space)
    assert len(s.predict()) == 3
    for plot, name in ((s.plot_history, "history.png"), (s.plot_importances, "imp.png")):
        path = plot(tmp_path / name)
        assert Path(path).read_bytes()[:4] == b"\x89PNG"


def test_classical_forecaster_on_a_panel_with_a_panel_splitter():
    panel = make_panel(n_series=4, period=7, random_state=0)  # long format, weekly cycle
    with pytest.raises(ValueError, match="no default search space"):
        OptunaSearchCV(NaiveForecaster(horizon=7)).fit(panel)
    s = OptunaSearchCV(SeasonalNaiveForecaster(horizon=7),
                       {"season_length": CategoricalDistribution((1, 7))}, n_trials=4,
                       cv=ExpandingWindowSplit(n_splits=2, test_size=7), random_state=0)
    s.fit(panel)
    assert s.best_params_ == {"season_length": 7}
    assert (s.results_["n_epochs_reported"] == 0).all()  # nothing to prune
    assert set(s.predict()["unique_id"]) == set(panel["unique_id"])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(param_distributions={"nope": IntDistribution(1, 2)}), ValueError, "'nope'"),
    (dict(param_distributions={"a": [1, 2]}), TypeError, "optuna Float-, Int-"),
    (dict(param_distributions={}), TypeError, "non-empty dict"),
    (dict(pruner="sometimes"), ValueError, "'pruner' parameter of OptunaSearchCV must be"),
    (dict(n_trials=0), ValueError, r"'n_trials' parameter .* must be an int in the range \[1, inf\)"),
    (dict(n_trials=None), ValueError, "would not end"),
    (dict(timeout=-1), ValueError, r"'timeout' parameter .* must be a float in the range \(0.0, inf\)"),
    (dict(cv=1), ValueError, r"'cv' parameter .* must be an int in the range \[2, inf\)"),
    (dict(cv="time"), ValueError, "'cv' parameter of OptunaSearchCV must be"),
    (dict(n_jobs=0), ValueError, "'n_jobs' parameter of OptunaSearchCV must be"),
    (dict(random_state=-1), ValueError, "'random_state' parameter of OptunaSearchCV must be"),
])
def test_bad_parameters(data, kwargs, error, match):
    kwargs = {"param_distributions": {"a": IntDistribution(0, 3)}, **kwargs}
    with pytest.raises(error, match=match):
        OptunaSearchCV(Toy(), **kwargs).fit(*data)


def test_unfitted_and_missing_optuna(data, monkeypatch, tmp_path):
    s = OptunaSearchCV(Toy(), {"a": IntDistribution(0, 3)})
    for call in (lambda: s.predict(data[0]), lambda: s.plot_history(tmp_path / "h.png")):
        with pytest.raises(NotFittedError):
            call()
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ImportError, match=r"pip install tsrnn\[tune\]"):
        OptunaSearchCV(Toy(), None).fit(*data)


# -- storage ---------------------------------------------------------------------------
def _complete(url, name):
    """{trial number: value} of the completed trials of a stored study."""
    trials = optuna.load_study(storage=url, study_name=name).get_trials(
        states=[optuna.trial.TrialState.COMPLETE])
    return {t.number: t.value for t in trials}


def _search_on(url, name, n_trials, seed=0):
    return OptunaSearchCV(GRURegressor(**TINY), SPACE, n_trials=n_trials, cv=2, storage=url,
                          study_name=name, random_state=seed, pruner=None)


def test_sqlite_study_resumes(data, tmp_path):
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    first = _search_on(url, "resume", 2).fit(*data)
    second = _search_on(url, "resume", 2).fit(*data)
    assert len(second.results_) == 4 and len(_complete(url, "resume")) == 4
    assert second.best_score_ == max(second.results_["mean_test_score"])
    assert second.best_score_ >= first.best_score_
    # the resumed sampler does not repeat the first samples
    assert second.results_["param_lr"].nunique() == 4


def test_a_stored_study_refuses_other_data(data, tmp_path):
    """Resuming a study on another dataset would mix trials of two problems."""
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    X, y = data
    _search_on(url, "mixed", 1).fit(X, y)
    for other in ((X * 2, y), (X, y[::-1].copy()), (X[:-1], y[:-1])):
        with pytest.raises(ValueError, match="other data.*study_name"):
            _search_on(url, "mixed", 1).fit(*other)
    assert len(_complete(url, "mixed")) == 1
    _search_on(url, "mixed", 1).fit(X.copy(), y.copy())  # the same data resumes
    assert len(_complete(url, "mixed")) == 2


@pytest.mark.parametrize("where, why", [
    ("no/such/folder/tune.db", "its folder does not exist"),
    ("a_folder", "it is a folder"),
])
def test_a_storage_that_cannot_be_written_names_storage_and_its_file(data, tmp_path, where,
                                                                     why):
    (tmp_path / "a_folder").mkdir()
    url = f"sqlite:///{tmp_path / where}"
    with pytest.raises(ValueError, match=rf"cannot use storage='sqlite:///.*{where}'.*"
                                         rf"\({why}\)"):
        _search_on(url, "s", 1).fit(*data)


def test_a_file_that_is_no_database_names_storage_and_its_file(data, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    with pytest.raises(ValueError, match=r"cannot use storage=.*notes.txt.*\(database "
                                         r"file .*notes.txt'\)"):
        _search_on(f"sqlite:///{path}", "s", 1).fit(*data)


@pytest.mark.parametrize("cv", [None, 3])
def test_a_defaulted_cv_splits_a_shuffled_panel_by_time(cv):
    panel = make_panel(n_series=4, random_state=0).sample(frac=1.0, random_state=0)
    search = OptunaSearchCV(SeasonalNaiveForecaster(horizon=7),
                            {"season_length": CategoricalDistribution((1, 7))}, cv=cv)
    splits = list(search._check_cv(panel).split(panel))
    assert len(splits) == 3
    for train, test in splits:
        cut = panel["ds"].iloc[test].min()
        assert panel["ds"].iloc[train].max() < cut  # rows are cut at a time, never by row
        assert set(train) == set(np.flatnonzero(panel["ds"].to_numpy() < cut))


def test_a_row_wise_splitter_on_a_panel_is_refused():
    panel = make_panel(n_series=3, random_state=0)
    search = OptunaSearchCV(SeasonalNaiveForecaster(horizon=3),
                            {"season_length": CategoricalDistribution((1, 7))}, n_trials=1,
                            cv=TimeSeriesSplit(3))
    with pytest.raises(ValueError, match=r"fold 0 of cv tests timestamps before the end.*"
                                         r"split by time"):
        search.fit(panel)


WORKER = """
import sys
import torch
torch.set_num_threads(1)
sys.path.insert(0, {root!r})
from test_tuning import _search_on, make_data
url, name, n_trials, seed, epochs = sys.argv[1:]
search = _search_on(url, name, int(n_trials), int(seed))
search.set_params(estimator__max_epochs=int(epochs), refit=False).fit(*make_data())
"""


def _worker(tmp_path, url, name, n_trials, seed, epochs=3):
    """Start ``fit`` on a stored study in a new process; its stderr goes to ``.log``."""
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(WORKER.format(root=str(Path(__file__).parent))))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / f"worker-{seed}.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, str(script), url, name, str(n_trials),
                                 str(seed), str(epochs)], env=env, stderr=err)
    proc.log = log
    return proc


@pytest.mark.slow
def test_two_processes_share_one_sqlite_study(data, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    workers = [_worker(tmp_path, url, "shared", 3, seed) for seed in (1, 2)]
    with _killed_at_exit(*workers):
        for w in workers:
            assert w.wait(timeout=120) == 0, w.log.read_text()
    values = _complete(url, "shared")
    assert len(values) == 6
    final = _search_on(url, "shared", 1, seed=3).set_params(refit=False).fit(*data)
    assert final.best_score_ == max(_complete(url, "shared").values())
    assert len(final.results_) == 7


@pytest.mark.slow
def test_killed_worker_loses_no_completed_trial(data, tmp_path):
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    worker = _worker(tmp_path, url, "killed", 1000, 1, epochs=20)
    with _killed_at_exit(worker):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None and \
                _n_complete_readonly(tmp_path / "killed.db") == 0:
            time.sleep(0.3)
        assert worker.poll() is None, worker.log.read_text()  # still mid-study
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    before = _complete(url, "killed")
    assert len(before) >= 1
    _search_on(url, "killed", 2, seed=5).set_params(refit=False).fit(*data)
    after = _complete(url, "killed")
    assert len(after) == len(before) + 2
    assert all(after[n] == v for n, v in before.items())


@contextlib.contextmanager
def _killed_at_exit(*procs):
    """SIGKILL the processes still running when the block exits (a failed assertion)."""
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def _n_complete_readonly(path):
    """Completed trials in an SQLite study, read without touching its schema."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            query = "SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'"
            return con.execute(query).fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


# -- PostgreSQL ------------------------------------------------------------------------
# A server named by TSRNN_POSTGRES_URL (.ci/run installs and starts one and creates a role
# and database); without it, a throw-away cluster is started with initdb when PostgreSQL is
# installed. Otherwise the tests are skipped, which is a failure in CI (tests/conftest.py).
def _pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@contextlib.contextmanager
def _throwaway_cluster():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl) and TSRNN_POSTGRES_URL "
                    "is not set; apt-get install postgresql")
    prefix, owner = [], None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run initdb as")
        prefix = ["runuser", "-u", "postgres", "--"]
    home = tempfile.mkdtemp(prefix="tsrnn-pg-")
    if owner is not None:
        os.chown(home, owner.pw_uid, owner.pw_gid)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = f"{home}/data"
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {home} -c fsync=off"
    steps = [[initdb, "-D", data_dir, "-U", "postgres", "--auth=trust", "-N"],
             [pg_ctl, "-D", data_dir, "-l", f"{home}/log", "-o", options, "-w", "-t", "30",
              "start"]]
    for step in steps:
        done = subprocess.run(prefix + step, capture_output=True, text=True)
        if done.returncode:
            shutil.rmtree(home, ignore_errors=True)
            pytest.skip(f"PostgreSQL could not start: {done.stderr.strip()[-300:]}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [pg_ctl, "-D", data_dir, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg2", reason="psycopg2 missing: pip install psycopg2-binary")
    url = os.environ.get("TSRNN_POSTGRES_URL")
    if url:
        import sqlalchemy

        try:
            with sqlalchemy.create_engine(url).connect():
                pass
        except sqlalchemy.exc.OperationalError as exc:
            pytest.fail(f"TSRNN_POSTGRES_URL={url!r} does not connect: {exc}")
        yield url
        return
    with _throwaway_cluster() as url:
        yield url


def _study_name(prefix):
    """A fresh study name: a server database outlives the test run."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.mark.postgres
def test_postgresql_study_resumes(postgres_url, data):
    name = _study_name("pg")
    first = _search_on(postgres_url, name, 2).fit(*data)
    second = _search_on(postgres_url, name, 2).fit(*data)
    assert len(first.results_) == 2 and len(second.results_) == 4
    assert len(_complete(postgres_url, name)) == 4
    assert second.predict(data[0][:3]).shape == (3,)


def _states(url, name):
    trials = optuna.load_study(storage=url, study_name=name).get_trials(deepcopy=False)
    return [t.state.name for t in trials]


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_on_postgresql_one_killed_and_resumed(postgres_url, data, tmp_path):
    """Two processes tune one study; one is SIGKILLed mid-trial while the other finishes.
    Every trial completed before (by either worker) is kept, unchanged, by the resumed
    study; the killed worker's trial is left RUNNING (no heartbeat) and never counted."""
    name = _study_name("pg-killed")
    doomed = _worker(tmp_path, postgres_url, name, 1000, 1, epochs=20)
    steady = None
    with contextlib.ExitStack() as stack:
        stack.enter_context(_killed_at_exit(doomed))
        _wait_for(lambda: _n_complete(postgres_url, name) >= 1, doomed)  # doomed's first
        steady = _worker(tmp_path, postgres_url, name, 3, 2)
        stack.enter_context(_killed_at_exit(steady))
        _wait_for(lambda: _n_complete(postgres_url, name) >= 2, doomed)  # both writing
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=30) == -signal.SIGKILL
        assert steady.wait(timeout=120) == 0, steady.log.read_text()
    before = _complete(postgres_url, name)
    assert len(before) >= 1 + 3  # at least one of the killed worker, three of the other
    states = _states(postgres_url, name)
    assert set(states) <= {"COMPLETE", "RUNNING"} and states.count("RUNNING") <= 1
    resumed = _search_on(postgres_url, name, 2, seed=5).set_params(refit=False).fit(*data)
    after = _complete(postgres_url, name)
    assert len(after) == len(before) + 2
    assert all(after[n] == v for n, v in before.items())
    assert resumed.best_score_ == max(after.values())


def _n_complete(url, name):
    """Completed trials so far (0 while the study does not exist yet)."""
    try:
        return len(_complete(url, name))
    except KeyError:
        return 0


def _wait_for(condition, proc, timeout=120):
    """Poll ``condition`` while ``proc`` runs; fail with its log if it ends or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.log.read_text()
        assert time.monotonic() < deadline, f"timed out; log: {proc.log.read_text()[-2000:]}"
        time.sleep(0.3)


# -- scikit-learn's searches -----------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("search_cls, grid", [
    (GridSearchCV, {"hidden_size": [2, 4], "lr": [1e-2, 3e-2]}),
    (RandomizedSearchCV, {"hidden_size": [2, 4, 6], "lr": [1e-3, 1e-2, 3e-2]}),
])
def test_sklearn_searches_with_two_jobs(data, search_cls, grid):
    extra = {"n_iter": 3, "random_state": 0} if search_cls is RandomizedSearchCV else {}
    s = search_cls(GRURegressor(**TINY), grid, cv=TimeSeriesSplit(2), n_jobs=2,
                   **extra).fit(*data)
    assert s.best_params_["hidden_size"] in grid["hidden_size"]
    assert np.isfinite(s.cv_results_["mean_test_score"]).all()
    assert s.predict(data[0][:4]).shape == (4,)

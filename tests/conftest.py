"""Test-wide settings.

Tiny models train faster on one thread: torch's intra-op threads cost more than they
save at hidden sizes of 4-32, and many more on a loaded machine.

In CI (``CI=true``), tests marked ``postgres`` or ``distributed`` must run: skipping one
(PostgreSQL missing, dask or torchrun unavailable) is reported as a failure, so that a CI
machine that lost its database server cannot pass silently.

Property tests (hypothesis) run under one of two profiles. ``ci`` (loaded when ``CI`` is
set): derandomised, so every clean clone tries the same examples and a red CI is
reproducible, never luck; ``dev`` (otherwise): random examples on every run, to keep
exploring. ``HYPOTHESIS_PROFILE=ci`` or ``dev`` chooses one explicitly. A falsifying
example found in either is fixed at its cause and pinned with ``@example``. Tests set their
own ``max_examples`` (a tiny neural fit costs ~0.1 s an example); the profile's applies to
those that do not.
"""

import os

import pytest
import torch
from hypothesis import settings

torch.set_num_threads(1)

REQUIRED_IN_CI = {
    "postgres": "needs a PostgreSQL server (TSRNN_POSTGRES_URL, set by .ci/run)",
    "distributed": "runs several processes (torchrun, a dask LocalCluster)",
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


settings.register_profile("ci", derandomize=True, database=None, max_examples=200,
                          deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _in_ci() else "dev"))


def pytest_configure(config):
    for name, what in REQUIRED_IN_CI.items():
        config.addinivalue_line("markers", f"{name}: {what}; a skip fails in CI (CI=true)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    required = [name for name in REQUIRED_IN_CI if item.get_closest_marker(name)]
    if required:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} was skipped in CI (CI=true), where "
                           f"{'/'.join(required)} tests must run: {reason}")


# The fast lane (pytest -m "not slow") leaves out every case run on these classes, wherever
# a test parametrizes over forecasters: statsmodels' ARIMA order search takes seconds a fit.
SLOW_CLASSES = {"ARIMAForecaster"}


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if any(getattr(v, "__name__", None) in SLOW_CLASSES for v in params.values()):
            item.add_marker(pytest.mark.slow)

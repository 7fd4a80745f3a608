"""scikit-learn's own estimator checks on every window estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from tsrnn import _registry

# every registered window estimator, with the parameters it gives for tests
ESTIMATORS = [cls(**params) for cls in map(_registry.load, _registry.ESTIMATORS)
              for params in cls.get_test_params()]
# the fast lane checks one regressor and one classifier; the classes differ only by their
# cell, and the other four are checked in the full suite (-m slow)
FAST = ("LSTMRegressor", "LSTMClassifier")

# The only check that cannot apply, with its reason.
EXPECTED_FAILURES = {
    "check_methods_subset_invariance": (
        "float32 matrix kernels (oneDNN/MKL, cuBLAS) sum in an order that depends on the "
        "batch size, so predicting a subset differs from predicting the whole batch by "
        "about 1e-7 relative, above the check's rtol=1e-7; every other result is exact."),
}


@parametrize_with_checks([e for e in ESTIMATORS if type(e).__name__ in FAST],
                         expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([e for e in ESTIMATORS if type(e).__name__ not in FAST],
                         expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible_other_cells(estimator, check):
    check(estimator)

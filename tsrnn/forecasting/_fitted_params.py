"""Predictions read the fitted state only: the parameters of the last ``fit``.

``set_params`` after ``fit`` changes what the *next* fit does, never what the fitted model
predicts: ``fit`` keeps a snapshot of its parameters (``fitted_params_``) and every public
prediction method (``predict``, ``predict_interval``, ``score``, and any ``predict*`` a
subclass adds: :meth:`BaseForecaster.__init_subclass__` wraps them) runs on the model as
it was fitted. When no parameter changed (the usual case) that is the model itself, with
nothing copied or written; otherwise it is a shallow view of the model whose parameters
are the snapshot's, so the model the user holds keeps the parameters they set, and
concurrent predictions never write to it.
"""

from __future__ import annotations

import functools

from sklearn.base import BaseEstimator, clone

_MISSING = object()  # a parameter the model lacks (set by hand): changed
# parameters only training reads: not kept (a callback defined in a script's __main__
# would otherwise make the fitted model impossible to unpickle anywhere else)
FIT_ONLY = frozenset({"callbacks"})


def snapshot(params: dict) -> dict:
    """A copy of ``get_params(deep=False)`` that later in-place changes do not reach:
    estimators are cloned (``set_params(forecaster__x=...)`` mutates the one held), plain
    containers copied (shallowly: their items are names and numbers). ``FIT_ONLY``
    parameters are left out."""
    return {name: _frozen(value) for name, value in params.items() if name not in FIT_ONLY}


def _frozen(value):
    if isinstance(value, BaseEstimator):
        return clone(value)
    if isinstance(value, (list, dict, set)):
        return type(value)(value)
    return value


def same(a, b) -> bool:
    """Whether two parameter values are the same: identical objects, or equal values of
    the same type (estimators: same class and parameters). Anything that cannot be compared
    counts as changed, which is always safe (the prediction then uses the snapshot)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseEstimator):
        pa, pb = a.get_params(deep=False), b.get_params(deep=False)
        return pa.keys() == pb.keys() and all(same(pa[k], pb[k]) for k in pa)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays, objects without a truth value: changed
        return False


def fitted_view(model):
    """``model`` with the parameters of its last fit: itself when none changed since (or
    before any fit), else a shallow copy holding the snapshot's parameters."""
    fitted = model.__dict__.get("fitted_params_")
    if fitted is None:  # not fitted (the method raises NotFittedError), or an old pickle
        return model
    changed = [k for k, v in fitted.items() if not same(getattr(model, k, _MISSING), v)]
    if not changed:
        return model
    view = object.__new__(type(model))  # no __getstate__: nothing is copied but the dict
    view.__dict__.update(model.__dict__)
    view.__dict__.update({k: fitted[k] for k in changed})  # predictions never mutate them
    return view


def reads_fitted_params(method):
    """Decorate a public prediction method so that it runs on :func:`fitted_view`."""
    if getattr(method, "_reads_fitted_params", False):
        return method

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return method(fitted_view(self), *args, **kwargs)

    wrapper._reads_fitted_params = True
    return wrapper

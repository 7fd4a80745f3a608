"""The package is layered: no import cycle, and no import from a lower layer up to a higher one.

The imports are read from the source with ``ast`` (those inside functions too: an import
deferred to call time is still a dependency; those under ``if TYPE_CHECKING:`` are not
imports at run time and are left out), so nothing is imported here. The layers,
lowest first, are written down below; ``docs/design.md`` describes the same picture. A new
module of ``tsrnn.forecasting``, ``tsrnn.nn`` or ``tsrnn.datasets`` gets its package's
layer (a private ``tsrnn.forecasting._*`` one, the contract's); a new top-level module must
be placed in ``LAYERS`` by whoever adds it.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tsrnn"

# Lowest first. A module may import from its own layer and the layers below it. The first
# matching pattern gives a module's layer (exact names before the package-wide defaults).
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation: no tsrnn imports above it (validation, tables, torch modules, I/O)", [
        "tsrnn._validation", "tsrnn._seasons", "tsrnn._io", "tsrnn._regularize",
        "tsrnn._metric_inputs", "tsrnn._threads",
        "tsrnn._registry", "tsrnn.exceptions", "tsrnn.distributed", "tsrnn.windowing",
        "tsrnn.nn", "tsrnn.nn.*", "tsrnn.datasets._checks",
        "tsrnn.forecasting._scaling", "tsrnn.forecasting._calendars",
        "tsrnn.forecasting._conformal", "tsrnn.forecasting._arima_search",
        "tsrnn.forecasting.calendar", "tsrnn.forecasting._panel",
    ]),
    ("building blocks: training engine, augmentation, windows, metrics, data layouts", [
        "tsrnn.engine", "tsrnn.augment", "tsrnn.preprocessing", "tsrnn.metrics",
        "tsrnn._mase_scale", "tsrnn._naive2", "tsrnn._augmenter",
        "tsrnn.datasets", "tsrnn.datasets.*", "tsrnn.forecasting._data",
        "tsrnn.forecasting._time", "tsrnn.forecasting.seasonality", "tsrnn._cli_types", "tsrnn._cli_data",
    ]),
    ("estimators: the shared neural plumbing and the window estimators", [
        "tsrnn._neural", "tsrnn.estimators",
    ]),
    ("the forecaster contract and the forecasting package's private helpers", [
        "tsrnn.forecasting.base", "tsrnn.forecasting._*",
    ]),
    ("forecasters", [
        "tsrnn.forecasting", "tsrnn.forecasting.*",
        "tsrnn.forecasting._statsmodels",  # the statsmodels base falls back to baselines
        "tsrnn.forecasting._candidates",  # AutoForecaster's candidates are forecasters
    ]),
    ("evaluation: backtests, comparison and their figures", [
        "tsrnn._plots", "tsrnn._folds", "tsrnn.model_selection",
    ]),
    ("tuning", [
        "tsrnn.tuning", "tsrnn._tuning_trials", "tsrnn._studies",
    ]),
    ("applications: the command line and the package's front door", [
        "tsrnn.cli", "tsrnn._cli_models", "tsrnn._cli_options", "tsrnn.__main__", "tsrnn",
    ]),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The tsrnn modules (or packages) that module ``name`` imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}  # annotations only
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "tsrnn":
                continue
            submodules = [f"{target}.{a.name}" for a in node.names
                          if f"{target}.{a.name}" in MODULES]
            found.update(submodules or [target])
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "tsrnn")
    found.discard(name)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(name: str) -> int | None:
    for level, (_, patterns) in enumerate(LAYERS):
        if name in patterns:
            return level
    for level, (_, patterns) in enumerate(LAYERS):
        if any("*" in p and fnmatch.fnmatchcase(name, p) for p in patterns):
            return level
    return None


def _cycles(graph: dict) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read():
    assert "tsrnn.forecasting.base" in GRAPH["tsrnn.forecasting.baselines"]
    assert "tsrnn._validation" in GRAPH["tsrnn.forecasting.base"]
    assert len(MODULES) > 30


def test_every_module_has_a_layer():
    missing = [name for name in MODULES if layer_of(name) is None]
    assert not missing, (f"modules without a layer: {missing}; add each to LAYERS in "
                         "tests/test_layering.py (and to docs/design.md)")


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_cycles_are_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name):
    mine = layer_of(name)
    if mine is None:
        pytest.skip("no layer (see test_every_module_has_a_layer)")
    upward = sorted(f"{target} ({LAYERS[layer_of(target)][0].split(':')[0]})"
                    for target in GRAPH[name]
                    if layer_of(target) is not None and layer_of(target) > mine)
    assert not upward, (f"{name} ({LAYERS[mine][0].split(':')[0]}) imports from a higher "
                        f"layer: {upward}")


def test_below_the_forecasters_only_leaf_helpers_of_the_forecasting_package_are_used():
    """``metrics``, the engine, the estimators... share only the foundation modules that
    happen to live in ``tsrnn.forecasting`` (scaling, calendars), never its models, its
    contract or its season resolution."""
    forecasters = layer_of("tsrnn.forecasting")
    for name, targets in GRAPH.items():
        if name.startswith("tsrnn.forecasting") or layer_of(name) is None or \
                layer_of(name) >= forecasters:
            continue
        reach = sorted(t for t in targets if t.startswith("tsrnn.forecasting") and
                       layer_of(t) != 0)
        assert not reach, f"{name} reaches up into the forecasting package: {reach}"


def test_torch_modules_know_nothing_of_pandas_or_scikit_learn():
    for name, path in MODULES.items():
        if name == "tsrnn.nn" or name.startswith("tsrnn.nn."):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            used = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                    for a in n.names}
            used |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and not n.level}
            assert not used & {"pandas", "sklearn"}, name

"""The documentation site builds without a warning and documents every public name."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tsrnn

DOCS = Path(__file__).resolve().parents[1] / "docs"

ROOT = DOCS.parent


def needs_site(func):
    """The site tests: slow, and only where the docs builder is installed."""
    skip = pytest.mark.skipif(
        importlib.util.find_spec("mkdocs") is None
        or importlib.util.find_spec("mkdocstrings_handlers") is None,
        reason="the docs builder is not installed: pip install -e '.[docs]'")
    return pytest.mark.slow(skip(func))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built with --strict: any warning (a broken link or anchor, a page left out
    of the navigation, an object the API reference cannot load) fails the build."""
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                          str(DOCS.parent / "mkdocs.yml"), "--site-dir", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    return out


def _text(site, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


@needs_site
def test_docs_build_strict(site):
    assert (site / "index.html").is_file()
    assert "The forecaster contract" in _text(site, "contract")
    assert "Where each responsibility lives" in _text(site, "design")
    assert "tsrnn: error:" in _text(site, "guide/cli")


@needs_site
def test_api_reference_renders_numpydoc_parameters(site):
    page = _text(site, "api/forecasting")
    assert 'id="tsrnn.forecasting.neural.LSTMForecaster"' in page
    for parameter in ("future_covariates", "strategy", "hidden_size", "precision"):
        assert f"<code>{parameter}</code>" in page, parameter


@needs_site
def test_api_reference_documents_every_public_name(site):
    ids = set()
    for page in (site / "api").glob("*/index.html"):
        ids |= set(re.findall(r'id="(tsrnn\.[\w.]+)"', page.read_text(encoding="utf-8")))
    documented = {name.rsplit(".", 1)[-1] for name in ids}
    missing = [name for name in tsrnn.__all__
               if name not in documented and name != "NotFittedError"]  # scikit-learn's own
    assert not missing, f"public names missing from docs/api: {missing}"


# ---------------------------------------------- docs that cannot drift from the code
_PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
_PRINTED = re.compile(r"```python\n((?:(?!```).)*)```\s*\n```text\n((?:(?!```).)*)```", re.S)


def _printed_blocks():
    """Every python block of the README and the guides followed by a text block of what it
    prints: (page, code, output)."""
    for page in _PAGES:
        for match in _PRINTED.finditer(page.read_text(encoding="utf-8")):
            if "print(" in match.group(1):
                yield pytest.param(match.group(1), match.group(2),
                                   id=f"{page.relative_to(ROOT)}:{match.start()}")


@pytest.mark.parametrize("code, printed", list(_printed_blocks()))
def test_printed_values_in_the_docs_are_what_the_code_prints(code, printed, capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<docs>", "exec"), {})
    assert capsys.readouterr().out.strip() == printed.strip()


def test_readme_quick_start_resolves_as_stated(monkeypatch):
    """The README's quick start states what the defaults resolve to on ETTh1; fit resolves
    them without training (the engine is stubbed), so the check is cheap."""
    import ast
    import warnings

    from tsrnn import engine

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```python\n(.*?)```", text, re.S).group(1)
    line = next(x for x in block.splitlines() if "max_epochs_" in x and "resolved" in x)
    stated = ast.literal_eval(re.search(r"#\s*(\(.*?\)): resolved", line).group(1))
    setup = block[:block.index(line)]
    monkeypatch.setattr(engine, "train", lambda *args, **kwargs: [])
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(setup, "<README>", "exec"), namespace)
    resolved = eval(line.split("#")[0], namespace)
    assert tuple(resolved) == stated


def _default_tables(page: Path):
    """``(names, defaults)`` of every row of the tables with a "default" column."""
    rows = []
    header = None
    for line in page.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set(line) <= set("|-: ") or "default" not in header:
            continue
        names = re.findall(r"`(\w+)`", cells[0])
        rows.append((names, cells[header.index("default")]))
    return rows


def _literals(text: str, count: int):
    """The ``count`` Python literals of a default cell ("64, 1", "`"mae"`, `3e-3`"), or
    None where the cell is prose."""
    import ast

    parts = [p.strip().strip("`") for p in text.split(",")]
    if len(parts) != count:
        return None
    try:
        return [ast.literal_eval(p) for p in parts]
    except (ValueError, SyntaxError):
        return None


@pytest.mark.parametrize("page, estimator", [
    ("guide/forecasters.md", "GRUForecaster"), ("guide/neural-defaults.md", "GRUForecaster"),
    ("guide/window-estimators.md", "GRURegressor")])
def test_stated_defaults_are_the_code_defaults(page, estimator):
    """Every default stated in a table of the guides is the estimator's actual default."""
    params = getattr(tsrnn, estimator)().get_params()
    checked, wrong = 0, []
    for names, cell in _default_tables(DOCS / page):
        names = [n for n in names if n in params]
        values = _literals(cell, len(names)) if names else None
        if values is None:
            continue
        for name, value in zip(names, values):
            checked += 1
            if params[name] != value:
                wrong.append(f"{name}: docs {value!r}, code {params[name]!r}")
    assert checked >= 3, f"no defaults found in {page}"
    assert not wrong, f"{page}: {wrong}"

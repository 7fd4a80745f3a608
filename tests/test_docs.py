"""The documentation site builds without a warning and documents every public name."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tsrnn

DOCS = Path(__file__).resolve().parents[1] / "docs"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None
    or importlib.util.find_spec("mkdocstrings_handlers") is None,
    reason="the docs builder is not installed: pip install -e '.[docs]'")]


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


def test_docs_build_strict(site):
    assert (site / "index.html").is_file()
    assert "The forecaster contract" in _text(site, "contract")
    assert "Where each responsibility lives" in _text(site, "design")
    assert "tsrnn: error:" in _text(site, "guide/cli")


def test_api_reference_renders_numpydoc_parameters(site):
    page = _text(site, "api/forecasting")
    assert 'id="tsrnn.forecasting.neural.LSTMForecaster"' in page
    for parameter in ("future_covariates", "strategy", "hidden_size", "precision"):
        assert f"<code>{parameter}</code>" in page, parameter


def test_api_reference_documents_every_public_name(site):
    ids = set()
    for page in (site / "api").glob("*/index.html"):
        ids |= set(re.findall(r'id="(tsrnn\.[\w.]+)"', page.read_text(encoding="utf-8")))
    documented = {name.rsplit(".", 1)[-1] for name in ids}
    missing = [name for name in tsrnn.__all__
               if name not in documented and name != "NotFittedError"]  # scikit-learn's own
    assert not missing, f"public names missing from docs/api: {missing}"

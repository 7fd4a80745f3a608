"""Every public class documents every parameter of its signature, with the true default.

A mechanism, not a list: the classes are discovered from the public modules (as the
parameter-constraint test does), so a new parameter without documentation, or a default
changed in the code but not in the docs, fails here.
"""

from __future__ import annotations

import inspect
import re

import pytest
from test_validation import _all_public_classes


def _documented(doc: str) -> dict:
    """``{name: text after 'default='}`` for each numpydoc parameter line of ``doc``."""
    section = doc.split("Parameters\n", 1)[-1]
    section = re.split(r"\n    (?:Attributes|Returns|Examples|Notes|See Also)\n", section)[0]
    found = {}
    for line in section.splitlines():
        m = re.match(r"^    (\*{0,2}[A-Za-z_][\w, *]*?) : ?(.*)$", line)
        if m:
            default = re.search(r"default=(.*)$", m.group(2))
            names = [n.strip().lstrip("*") for n in m.group(1).split(",")]
            values = [default.group(1)] * len(names) if default else [None] * len(names)
            if default and len(names) > 1:  # "a, b : int, default=1, 2": one each
                parts = [v.strip() for v in default.group(1).split(",")]
                values = parts if len(parts) == len(names) else values
            found.update(zip(names, values))
    return found


def _shown(value) -> set:
    """How a default may be written in a docstring."""
    text = repr(value)
    return {text, text.replace("'", '"'), str(value)}


CLASSES = [c for c in _all_public_classes()
           if len(inspect.signature(c.__init__).parameters) > 1]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_parameter_documented_with_its_default(cls):
    doc = inspect.getdoc(cls) or ""
    documented = _documented("\n".join("    " + line if line else line
                                       for line in doc.splitlines()))
    params = inspect.signature(cls.__init__).parameters
    missing = [n for n in params if n not in ("self", "args", "kwargs")
               and n not in documented]
    assert not missing, f"{cls.__name__}: parameters without documentation: {missing}"
    wrong = {}
    for name, p in params.items():
        if name in ("self", "args", "kwargs") or p.default is inspect.Parameter.empty:
            continue
        written = documented[name]
        if written is None:
            continue  # a default given in prose ("default: ...") is not checked
        first = re.split(r",\s*(?=\")|\s+\(", written)[0].strip().rstrip(".")
        if first not in _shown(p.default) and written.strip() not in _shown(p.default):
            wrong[name] = (p.default, written)
    assert not wrong, f"{cls.__name__}: documented defaults differ from the code: {wrong}"

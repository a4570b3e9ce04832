"""The hand-written API pages of the functions that are not records (docs/api/functions/):
one per function, listed by the generated API index, and their accuracy bounds the ones
the code holds (each function's ACCURACY), so that the page cannot drift from them."""

import re
import sys
from pathlib import Path

import pytest

import fastact

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "api" / "functions"
NAMES = ("keras_relu", "logsumexp", "sparsemax")


def _cells(page, kind):
    row = next(line for line in page.splitlines() if line.startswith(f"| {kind} |"))
    # a table cell's pipes are escaped (GFM), in code spans too
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row.strip("|"))]


@pytest.mark.parametrize("name", NAMES)
def test_each_function_has_its_page(name):
    page = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# fastact.{name}\n")
    assert f".. autofunction:: fastact.{name}" in page
    for section in ("## Dask", "## When to use", "## When to avoid"):
        assert section in page, (name, section)


@pytest.mark.parametrize("name", ["logsumexp", "sparsemax"])
def test_page_bounds_are_the_code_bounds(name):
    page = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    acc = type(getattr(fastact, name)).ACCURACY
    for kind, b in acc.items():
        cells = _cells(page, kind)
        bounds = [float(c) for c in cells if re.fullmatch(r"[\d.]+", c)][:2]
        assert bounds == [b["bound"]["float32"], b["bound"]["float64"]], (name, kind, cells)
        if b["unit"] != "ulp":
            assert f"`{b['unit']}`" in cells[1], (name, kind, cells)


def test_the_api_index_lists_the_pages(tmp_path):
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import fastact_apidocs
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))
    assert set(fastact_apidocs.FUNCTIONS) == set(NAMES)
    fastact_apidocs.generate(out=str(tmp_path), plots=False)
    index = (tmp_path / "index.rst").read_text(encoding="utf-8")
    for n in NAMES:
        assert re.search(rf"^   /api/functions/{n}$", index, re.M), n
        assert f":doc:`{n} </api/functions/{n}>`" in index, n

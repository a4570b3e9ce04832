"""The front page and the documentation site's sources.

README.md is a front page (at most 15,000 bytes, the two commands in its first lines, its
quickstart runs, its relative links resolve), and the API reference generator
(docs/_ext/fastact_apidocs.py, run without Sphinx) writes a page for every public function:
every activation, gated function and loss, found here from fastact's public objects and
not from the generator's own list.  The full site build is CI's
``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

import pathlib
import re
import sys

import numpy as np
import pytest

import fastact

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXT = ROOT / "docs" / "_ext"
if not (EXT / "fastact_apidocs.py").exists() or not README.exists():
    # tools/run_installed_tests.py runs a copy of tests/ outside the source tree
    pytest.skip("needs the source tree (README.md, docs/)", allow_module_level=True)

TEST_CMD = 'python3 -m venv .venv && . .venv/bin/activate && pip install ".[test]" && python -m pytest'
MAIN_CMD = "python3 -m venv .venv && . .venv/bin/activate && pip install . && python -m fastact"


def _readme():
    return README.read_text(encoding="utf-8")


def test_readme_is_a_front_page():
    assert README.stat().st_size <= 15_000


def test_readme_first_lines_hold_both_commands_and_the_build_time():
    head = "\n".join(_readme().splitlines()[:20])   # .ci/run greps the first 20 lines
    assert TEST_CMD in head
    assert MAIN_CMD in head
    assert "3-4 minutes" in head and "pip install -v" in head


def test_readme_relative_links_resolve():
    text = _readme()
    links = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'src="([^"]+)"', text)
    relative = [u for u in links if not re.match(r"[a-z][a-z0-9+.-]*:|#", u)]
    assert relative, "the README links into docs/"
    missing = [u for u in relative if not (ROOT / u.split("#")[0]).is_file()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


def test_readme_quickstart_runs():
    code = re.search(r"## Quickstart\n\n```python\n(.*?)```", _readme(), re.S).group(1)
    with np.errstate(all="raise"):
        exec(compile(code, "README.md quickstart", "exec"), {})


def _public_functions():
    """Every activation, gated function and loss fastact exports (a loss: a public callable
    with value_and_grad)."""
    names = set(fastact.ACTIVATIONS) | set(fastact.GATED)
    names |= {n for n in dir(fastact) if not n.startswith("_")
              and callable(getattr(fastact, n)) and hasattr(getattr(fastact, n), "value_and_grad")}
    return sorted(names)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    sys.path.insert(0, str(EXT))
    try:
        import fastact_apidocs
    finally:
        sys.path.remove(str(EXT))
    out = tmp_path_factory.mktemp("api")
    fastact_apidocs.generate(out=str(out), plots=False)
    return out


def test_every_public_function_has_a_generated_api_page(generated):
    names = _public_functions()
    assert {"sigmoid", "swiglu", "cross_entropy", "binary_cross_entropy_with_logits"} <= set(names)
    missing = [n for n in names if not (generated / f"{n}.rst").is_file()]
    assert not missing, f"no API page generated for {missing}"
    index = (generated / "index.rst").read_text(encoding="utf-8")
    for n in names:
        page = (generated / f"{n}.rst").read_text(encoding="utf-8")
        assert page.splitlines()[2] == f"fastact.{n}", n          # the title
        assert f".. autofunction:: fastact.{n}" in page, n         # the docstring
        assert "Accuracy" in page and "Speed" in page, n
        assert re.search(rf"^   {re.escape(n)}$", index, re.M), f"{n} not in the API toctree"


def _last_row(path, fn, dtype, kind):
    """The 'max ulp' of the last row of the accuracy tool's output for (dtype, fn, kind)."""
    value = None
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if len(f) > 4 and f[:3] == [dtype, fn, kind]:
            value = f[4]
    return value


def test_api_page_carries_the_measured_figures(generated):
    """The page's accuracy is the accuracy tool's output (the reruns, appended last, win),
    its speed the bench's row, with the machine named."""
    page = (generated / "sigmoid.rst").read_text(encoding="utf-8")
    acc = ROOT / "docs" / "accuracy.txt"
    for dtype in ("float32", "float64"):
        value = _last_row(acc, "sigmoid", dtype, "forward")
        assert value is not None
        assert f"     - {value}" in page
    bench = (ROOT / "docs" / "bench.txt").read_text(encoding="utf-8")
    row = next(line for line in bench.splitlines() if line.split()[:1] == ["sigmoid"])
    fastact_fwd = row.split()[1]
    assert f"**fastact**\n     - {fastact_fwd} (" in page
    assert "AMD EPYC" in page
    gelu = (generated / "gelu.rst").read_text(encoding="utf-8")
    assert "``Phi(x) + x * phi(x)``" in gelu   # the record's derivative

"""The speed guard a noisy machine cannot fool: instructions per element of every kernel
(avx2 target, float32 and float64, one thread), counted under valgrind's callgrind by
tools/instruction_counts.py, against the committed baseline
benchmarks/instruction_counts.json.  A kernel whose count grows by more than 5% fails;
a change that does so on purpose updates the baseline in the same commit:

    python tools/instruction_counts.py --update

One valgrind run counts every kernel (about 30 s).
"""

import importlib.util
import json
import pathlib
import warnings

import pytest

from fastact import _dispatch, _runtime

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "instruction_counts.py"


@pytest.fixture(scope="module")
def tool():
    if not TOOL.exists():
        pytest.skip("tools/instruction_counts.py is not here (the suite runs outside the "
                    "source tree)")
    spec = importlib.util.spec_from_file_location("instruction_counts", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_compare_fails_on_growth_beyond_tolerance_only(tool):
    base = {"relu": {"float32": 2.0, "float64": 4.0}, "tanh": {"float32": 8.0}}
    # +5% exactly, and any drop, pass
    assert tool.compare(base, {"relu": {"float32": 2.1, "float64": 1.0},
                               "tanh": {"float32": 8.4}}) == []
    problems = tool.compare(base, {"relu": {"float32": 2.2, "float64": 4.0},
                                   "tanh": {"float32": 8.0}})
    assert problems == ["relu [float32]: 2.000 -> 2.200 instructions per element (+10.0%)"]


def test_compare_fails_on_a_stale_baseline_and_lists_new_kernels_apart(tool):
    # a kernel gone from the build fails (the baseline is stale); a new activation's kernel
    # is not a failure (adding one needs only its record and kernel file) but is listed
    base = {"relu": {"float32": 1.0}, "gone": {"float64": 3.0}}
    got = {"relu": {"float32": 1.0}, "new": {"float32": 2.5}}
    assert tool.compare(base, got) == ["gone [float64]: in the baseline (3.000) but not "
                                       "measured"]
    assert tool.unguarded(base, got) == ["new [float32]: not in the baseline yet "
                                         "(measured 2.500)"]


def test_inclusive_costs_sum_own_and_called(tool, tmp_path):
    # a callgrind file (--compress-strings=no): a loop function's own cost lines plus
    # the inclusive cost of the call it makes (the line after calls=)
    (tmp_path / "cg.out").write_text(
        "version: 1\ncreator: callgrind-3.19.0\npart: 2\n\npositions: line\nevents: Ir\n"
        "summary: 130\n\nob=libm.so\nfl=fclrexcpt.c\nfn=feclearexcept\n0 23\n\n"
        "ob=k.so\nfl=???\nfn=loop_a_float\n0 100\ncob=libm.so\ncfi=fclrexcpt.c\n"
        "cfn=feclearexcept\ncalls=1 0\n0 23\n\nfn=loop_b_double\n0 7\n0 0\n\n"
        "fn=loop_a_float\n0 3\n\ntotals: 130\n")
    part, costs = tool._inclusive_costs(tmp_path / "cg.out")
    assert part == 2
    assert costs == {"feclearexcept": 23, "loop_a_float": 126, "loop_b_double": 7}


def test_instruction_counts_within_baseline(tool):
    why = tool.valgrind()
    if why:
        pytest.skip(f"instruction counts need valgrind: {why}")
    if tool.ISA not in _dispatch.available():
        pytest.skip(f"instruction counts need the {tool.ISA} target (not built or not "
                    f"supported here: available {_dispatch.available()})")
    baseline = json.loads(tool.BASELINE.read_text())
    compiler = _runtime.config()["compiler"]
    if baseline["compiler"] != compiler:
        pytest.skip(f"the baseline was counted on a build by {baseline['compiler']}, this "
                    f"build is by {compiler}: counts differ between compilers")
    measured = tool.measure()
    for line in tool.unguarded(baseline["counts"], measured["counts"]):
        warnings.warn(f"{line}: run `python tools/instruction_counts.py --update` to guard it")
    problems = tool.compare(baseline["counts"], measured["counts"])
    assert not problems, (
        f"instruction counts per element against {tool.BASELINE.name} (more than "
        f"{tool.TOLERANCE:.0%} growth fails):\n  " + "\n  ".join(problems)
        + "\nIf the change is deliberate, run `python tools/instruction_counts.py --update` "
          "and commit the baseline with it.")

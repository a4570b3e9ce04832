"""The accuracy tool's rows for the functions that are not records (logsumexp,
sparsemax; fastact.instruments.accuracy.functions): forward and backward, float32 and
float64 against mpmath, within the bounds of each function's ACCURACY (quick mode)."""

import json

import numpy as np
import pytest

import fastact
from fastact.instruments import accuracy
from fastact.instruments.accuracy import functions

pytest.importorskip("mpmath")

NAMES = ("logsumexp", "sparsemax")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_function_rows_within_bounds(name, dtype):
    rows = accuracy.measure_kernel(name, dtype, quick=True)
    assert [r["kind"] for r in rows] == ["forward", "backward"]
    for r in rows:
        assert r["ok"], r
        assert r["points"] >= 200 and r["special_failures"] == 0 and not r["fp_flags"], r
        bound = type(getattr(fastact, name)).ACCURACY[r["kind"]]["bound"][dtype]
        got = r["max_ulp"] if r["max_ulp"] is not None else r["max_abs_eps"]
        assert 0 < got <= bound, r


def test_bounds_are_stated_for_both_kinds_and_dtypes():
    for name in NAMES:
        acc = type(getattr(fastact, name)).ACCURACY
        assert set(acc) == {"forward", "backward"}
        for b in acc.values():
            assert set(b["bound"]) == {"float32", "float64"} and b["unit"]


def test_cli_runs_the_functions(tmp_path):
    out = tmp_path / "acc.json"
    txt = tmp_path / "acc.txt"
    rc = accuracy.main(["--quick", "--only", "logsumexp,sparsemax", "--dtype",
                        "float64", "--json", str(out), "--out", str(txt), "--workers", "1",
                        "--no-progress"])
    assert rc == 0
    rows = json.loads(out.read_text())["rows"]
    assert {(r["function"], r["kind"]) for r in rows} == {
        (n, k) for n in NAMES for k in ("forward", "backward")}
    assert "'max abs' in eps * (1 + |max x| + log n)" in txt.read_text()


def test_the_rows_catch_a_wrong_sparsemax_support(monkeypatch):
    """A backward that averages g over the whole row (softmax-like) instead of the
    support is caught by the backward row."""
    def whole_row(self, grad_output, x, axis=-1, *, out=None):
        g = np.asarray(grad_output)
        return g - g.mean(axis=axis, keepdims=True)

    monkeypatch.setattr(type(fastact.sparsemax), "backward", whole_row)
    _, bwd = functions.measure("sparsemax", "float64", quick=True)
    assert not bwd["ok"] and bwd["failures"] > 0

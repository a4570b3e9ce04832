"""The peers compute what fastact computes: a benchmark of a wrong formula means nothing.

Every case (all activations, not only --quick's) x dtype x pass x implementation, at a
small n: the result must match fastact's to a tolerance that allows for the peers'
formulas (float32 constants, cancellation near zeros of the derivative); in bfloat16
(with ml_dtypes) that it returns bfloat16 close to fastact's.  Cheap, so it
runs with --quick too (the JAX and numba peers, which compile per case, only on
QUICK_CASES there); not a timing test.
"""

import numpy as np
import pytest

from fastact import ACTIVATIONS, GATED
from fastact.instruments import peers as _peers

from .conftest import COMPILED_PEERS, DTYPES, QUICK_CASES

N = 2_000
TOL = {"float32": 2e-4, "float64": 1e-7}   # torch's hardsigmoid_backward uses 1.0f/6.0f
# absolute tolerance, times the largest result (bfloat16: see test_peer_matches_fastact)
ATOL = {"float32": 2e-6, "float64": 1e-9, "bfloat16": 1e-2}


def _params():
    for case in _peers.cases():
        for dtype in DTYPES:
            for pass_ in _peers.PASSES:
                for impl in _peers.builders(case, pass_, from_x=True):
                    if impl != "fastact":
                        slow = impl in COMPILED_PEERS and case.name not in QUICK_CASES
                        yield pytest.param(case, dtype, pass_, impl,
                                           id=f"{case.name}-{dtype}-{pass_}-{impl}",
                                           marks=[pytest.mark.compiled_peer] if slow else [])


def _parts(result):
    r = _peers.as_numpy(result)
    return r if isinstance(r, tuple) else (r,)


@pytest.mark.parametrize("case, dtype, pass_, impl", list(_params()))
def test_peer_matches_fastact(case, dtype, pass_, impl):
    data = _peers.make_data(case, dtype, N)
    impls = _peers.builders(case, pass_, from_x=True)
    expected = _parts(impls["fastact"](data)())
    try:
        got = _parts(_peers.build(impl, impls[impl], data)())
    except _peers.Unsupported as exc:     # ONNX Runtime's gaps; peers without bfloat16
        pytest.skip(str(exc))
    if impl == "reference":
        r = np.asarray(got[0])
        if len(expected) == 2 and r.shape == np.shape(expected[0]) + (2,):
            got = (r[..., 0], r[..., 1])    # the gated backwards: a pair per element
        else:
            got = got[:1]      # the reference's prelu backward gives grad_x only
    for e, g in zip(expected, got):
        g = np.asarray(g).reshape(np.shape(e))
        if impl != "reference":
            assert g.dtype == e.dtype, f"{impl} returns {g.dtype} for {dtype} input"
        scale = float(np.max(np.abs(np.asarray(e, np.float64)))) if e.size else 1.0
        if dtype == "bfloat16":
            # The formulas are the float32 cases' (checked there); in bfloat16 a peer that
            # keeps its intermediates in bfloat16 (NumPy's softmax sums, JAX's vjp) loses
            # several bits, which the bench's error table measures.  Here: bfloat16 out
            # (above), and close to fastact for nearly every element.
            g, e = np.asarray(g, np.float64), np.asarray(e, np.float64)
            with np.errstate(invalid="ignore"):     # equal infinities (logit at 0, 1)
                rel = np.where(g == e, 0.0, np.abs(g - e) / (np.abs(e) + ATOL[dtype] * scale))
            assert np.quantile(rel, 0.9) <= 0.25, f"{impl}: {np.quantile(rel, 0.9):.3g}"
            continue
        np.testing.assert_allclose(g, e, rtol=TOL[dtype], atol=ATOL[dtype] * scale)


def test_every_activation_has_a_case():
    names = {c.activation for c in _peers.cases()}
    assert names == set(ACTIVATIONS) | set(GATED)


def test_peer_table_names_known_cases():
    assert set(_peers.PEERS) <= {c.name for c in _peers.cases()}


def test_bench_command_runs(capsys, tmp_path):
    """The bench command end to end on a tiny n (its output, not its figures)."""
    from fastact.instruments import bench
    out = tmp_path / "bench.json"
    assert bench.main(["--n", "1000", "--repeats", "1", "--only", "sigmoid,softmax",
                       "--ref-n", "1000", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sigmoid" in text and "softmax" in text and "vs best" in text
    import json
    d = json.loads(out.read_text())
    assert {r["impl"] for r in d["results"]} >= {"fastact", "numpy", "reference"}

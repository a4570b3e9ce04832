"""The losses in the accuracy tool (fastact.instruments.accuracy_losses), quick mode: each
row's loss,
the reduced losses and value_and_grad's gradient of cross_entropy and
binary_cross_entropy_with_logits, float32 and float64, within fastact.losses.ACCURACY
against mpmath; the tool's mpmath references checked against the pure-Python ones and
closed forms, and the tool shown to catch an error.  The full run is ``python -m fastact
accuracy --only cross_entropy,binary_cross_entropy_with_logits``."""

import json
import math

import numpy as np
import pytest

import fastact
from fastact import losses
from fastact.instruments import accuracy, accuracy_losses
from fastact import _loss_reference as ref

pytest.importorskip("mpmath")

LOSSES = accuracy_losses.LOSSES


def _describe(row):
    lines = [f"{row['dtype']} {row['function']} {row['kind']}: max {row['max_ulp']} ULP "
             f"(bound {row['ulp_bound']}), {row['failures']} over the bound, "
             f"{row['special_failures']} special-value failures, flags {row['fp_flags']}"]
    lines += [f"  {ex}" for ex in row["failure_examples"] + row["special_examples"]]
    return "\n".join(lines)


def test_bounds_for_every_loss_and_dtype():
    assert set(losses.ACCURACY) == {(n, d) for n in LOSSES for d in ("float32", "float64")}
    for (name, dtype), acc in losses.ACCURACY.items():
        if dtype == "float32":
            # computed in double and rounded once (the gradient of cross_entropy twice)
            assert acc.loss == acc.loss_reduced == 0.5, name
            assert acc.grad <= 1.5 and acc.per_class < 1e-8, name
        elif name in ("cross_entropy", "binary_cross_entropy_with_logits"):
            # the elementwise kernels' targets: a value within 4 ULP, a gradient within 8
            assert acc.loss <= 4 and acc.loss_reduced <= 4 and acc.grad <= 8, name
        else:
            # the other losses: their reduced losses add NumPy's pairwise sums (nll_loss)
            # or non-negative terms of up to 4 ULP each (BCE on probabilities)
            assert acc.loss <= 4 and acc.loss_reduced <= 8 and acc.grad <= 8, name
    assert losses.ACCURACY["binary_cross_entropy_with_logits", "float64"].per_class == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", LOSSES)
def test_loss_within_bounds(name, dtype):
    rows = accuracy.measure_kernel(name, dtype, quick=True)
    assert [r["kind"] for r in rows] == list(accuracy_losses.KINDS)
    bad = [r for r in rows if not r["ok"]]
    assert not bad, "\n".join(_describe(r) for r in bad)
    for r in rows:
        assert r["points"] >= 2 * accuracy_losses.QUICK_CASES, _describe(r)
        assert r["special_failures"] == 0 and not r["fp_flags"], _describe(r)


def test_quick_cases_cover_the_options():
    # what the issue asks the tool to measure: huge logits, label smoothing, weights,
    # pos_weight, probability targets (and ignored rows, long rows, many elements)
    n = accuracy_losses.QUICK_CASES
    ce = [accuracy_losses.ce_case(i, "float64", True) for i in range(n)]
    assert any(np.abs(x).max() >= 1e4 for _, x, _, _ in ce)
    assert any(np.abs(x).max() >= 1e299 for _, x, _, _ in ce)
    assert any(kw["label_smoothing"] > 0 for *_, kw in ce)
    assert any(kw["weight"] is not None for *_, kw in ce)
    assert any(t.dtype.kind == "f" for _, _, t, _ in ce)
    assert any(t.dtype.kind == "i" and (t == kw["ignore_index"]).any() for _, _, t, kw in ce)
    assert max(x.shape[-1] for _, x, _, _ in ce) >= 100
    bce = [accuracy_losses.bce_case(i, "float32", True) for i in range(n)]
    assert any(np.abs(x).max() >= 1e38 for _, x, _, _ in bce)
    assert any(kw["weight"] is not None for *_, kw in bce)
    assert any(kw["pos_weight"] is not None and np.ndim(kw["pos_weight"]) == 1
               for *_, kw in bce)
    targets = np.concatenate([t.ravel() for _, _, t, _ in bce])
    assert {0.0, 1.0} <= set(targets.tolist()) and ((targets > 0) & (targets < 1)).any()
    assert max(x.size for _, x, _, _ in bce) > 512          # more than one summed block


def test_mp_references_agree_with_the_pure_python_ones():
    # two independent references: mpmath in forms without cancellation, and the math
    # module on PyTorch's formulas (fastact._loss_reference)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 5)) * 3
    w = rng.uniform(0.2, 2, 5)
    for t in (rng.integers(0, 5, 6), rng.dirichlet(np.ones(5), 6)):
        for e in (0.0, 0.2):
            mp_rows = accuracy_losses.mp_cross_entropy(x, t, w, -100, e)
            tl = [list(r) for r in t] if t.dtype.kind == "f" else [int(v) for v in t]
            loss, grad = ref.cross_entropy(x.tolist(), tl, w.tolist(), reduction="none",
                                           label_smoothing=e)
            for r, lo, g in zip(mp_rows, loss, grad):
                assert math.isclose(float(r[0]), lo, rel_tol=1e-13)
                for c in range(5):
                    assert abs(float(r[1][c]) - g[c]) <= 1e-14 * float(r[2][c])
    xb = rng.standard_normal(20) * 20
    tb, wb, pb = rng.uniform(0, 1, 20), rng.uniform(0.5, 2, 20), rng.uniform(0.5, 3, 20)
    mp_el = accuracy_losses.mp_bce(xb, tb, wb, pb)
    loss, grad = ref.binary_cross_entropy_with_logits(xb.tolist(), tb.tolist(), wb.tolist(),
                                                      pb.tolist(), reduction="none")
    for (lo_mp, g_mp, size), lo, g in zip(mp_el, loss, grad):
        assert math.isclose(float(lo_mp), lo, rel_tol=1e-13)
        assert abs(float(g_mp) - g) <= 1e-14 * float(size)


def test_mp_references_keep_the_tiny_values_of_confident_predictions():
    # a margin of 700: the loss log1p(e^-700) and the target's gradient p - 1 =
    # -e^-700 / (1 + e^-700) are normal float64 numbers, which log(sum) and p - 1 at 180
    # bits would lose
    x = np.array([[700.0, 0.0]])
    (loss, grad, _, _), = accuracy_losses.mp_cross_entropy(x, np.array([0]), None, -100, 0.0)
    tiny = math.exp(-700.0)
    assert math.isclose(float(loss), tiny, rel_tol=1e-15)
    assert math.isclose(float(grad[0]), -tiny, rel_tol=1e-15)
    assert math.isclose(float(grad[1]), tiny, rel_tol=1e-15)
    (lo, g, _), = accuracy_losses.mp_bce(np.array([-700.0]), np.array([0.0]), np.ones(1),
                                         np.ones(1))
    assert math.isclose(float(lo), tiny, rel_tol=1e-15)
    assert math.isclose(float(g), tiny, rel_tol=1e-15)


class _Perturbed:
    """cross_entropy with its gradient 16 ULP off."""

    def __call__(self, *args, **kwargs):
        return fastact.cross_entropy(*args, **kwargs)

    def value_and_grad(self, *args, **kwargs):
        loss, grad = fastact.cross_entropy.value_and_grad(*args, **kwargs)
        return loss, grad * (1 + 16 * np.finfo(grad.dtype).eps)


def test_the_tool_catches_an_error(monkeypatch):
    monkeypatch.setattr(losses, "cross_entropy", _Perturbed())
    rows = {r["kind"]: r for r in accuracy_losses.measure("cross_entropy", "float64",
                                                          cases=8)}
    assert rows["loss"]["ok"] and not rows["grad"]["ok"]
    assert rows["grad"]["failures"] > 0 and rows["grad"]["max_ulp"] > 8


def test_cli_only_cross_entropy(tmp_path):
    out = tmp_path / "acc.json"
    rc = accuracy.main(["--quick", "--only", "cross_entropy", "--dtype", "float32",
                        "--json", str(out), "--workers", "1", "--no-progress"])
    assert rc == 0
    rows = json.loads(out.read_text())["rows"]
    assert {r["function"] for r in rows} == {"cross_entropy"}
    assert [r["kind"] for r in rows] == ["loss", "loss_reduced", "grad"]


def test_the_other_losses_mp_references_agree_with_the_pure_python_ones():
    rng = np.random.default_rng(7)
    x, t = rng.standard_normal(30) * 3, rng.standard_normal(30)
    for name, p, fn in (("mse_loss", 0.0, ref.mse_loss),
                        ("huber_loss", 1.5, lambda a, b, **k: ref.huber_loss(a, b, delta=1.5,
                                                                             **k)),
                        ("smooth_l1_loss", 0.5, lambda a, b, **k: ref.smooth_l1_loss(
                            a, b, beta=0.5, **k)),
                        ("smooth_l1_loss", 0.0, lambda a, b, **k: ref.smooth_l1_loss(
                            a, b, beta=0.0, **k))):
        mp_el = accuracy_losses.mp_pointwise(name, x, t, np.ones(30), p)
        loss, grad = fn(x.tolist(), t.tolist(), reduction="none")
        for (lo_mp, g_mp), lo, g in zip(mp_el, loss, grad):
            assert math.isclose(float(lo_mp), lo, rel_tol=1e-14), name
            assert math.isclose(float(g_mp), g, rel_tol=1e-14), name
    xp = np.concatenate([[0.0, 1.0, 1e-30], rng.uniform(0, 1, 17)])
    tp = np.concatenate([[1.0, 0.0, 1.0], rng.uniform(0, 1, 17)])
    w = rng.uniform(0.5, 2, 20)
    mp_el = accuracy_losses.mp_pointwise("binary_cross_entropy", xp, tp, w, 0.0)
    loss, grad = ref.binary_cross_entropy(xp.tolist(), tp.tolist(), w.tolist(),
                                          reduction="none")
    assert loss[0] == 100 * w[0] and loss[1] == 100 * w[1]          # the clamp at -100
    for (lo_mp, g_mp), lo, g in zip(mp_el, loss, grad):
        assert math.isclose(float(lo_mp), lo, rel_tol=1e-14)
        assert math.isclose(float(g_mp), g, rel_tol=1e-14)
    lp = np.log(rng.dirichlet(np.ones(4), 5))
    y = np.array([0, 3, -100, 2, 1])
    wc = rng.uniform(0.5, 2, 4)
    rows = accuracy_losses.mp_nll(lp, y, wc, -100)
    loss, grad = ref.nll_loss(lp.tolist(), y.tolist(), wc.tolist(), reduction="none")
    assert rows[2] is None and loss[2] == 0.0 and grad[2] == [0.0] * 4
    for r, lo, g in zip(rows, loss, grad):
        if r is not None:
            assert math.isclose(float(r[0]), lo, rel_tol=1e-15)
            assert [float(v) for v in r[1]] == g


def test_the_other_losses_quick_cases_cover_the_options():
    n = accuracy_losses.QUICK_CASES
    bce = [accuracy_losses.pointwise_case("binary_cross_entropy", i, "float64", True)
           for i in range(n)]
    xs = np.concatenate([x for _, x, _, _ in bce])
    assert {0.0, 1.0} <= set(xs.tolist()) and (xs[xs > 0] < 1e-20).any()
    assert any("weight" in kw for *_, kw in bce)
    sl1 = [accuracy_losses.pointwise_case("smooth_l1_loss", i, "float64", True)
           for i in range(n)]
    assert any(kw["beta"] == 0 for *_, kw in sl1)
    assert any(np.abs(x).max() > 1e299 for _, x, _, _ in sl1)
    nll = [accuracy_losses.nll_case(i, "float64", True) for i in range(n)]
    assert any((t == kw["ignore_index"]).any() for _, _, t, kw in nll)
    assert any(kw["weight"] is not None for *_, kw in nll)

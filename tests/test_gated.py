"""The gated activations (swiglu, geglu, reglu, glu): values and both gradients against
the pure-Python reference, mpmath (the accuracy bounds of their records) and PyTorch's
autograd when installed; broadcasting with the gradients summed to each operand's shape;
NaN and infinities; no floating-point flags; float16/32/64; out=; errors; pickling;
signatures; glu's halves and axis."""

import doctest
import inspect
import math
import pickle

import numpy as np
import pytest

import fastact
from fastact import _registry
from fastact.instruments import accuracy_gated
from fastact.records import gated_accuracy

from conftest import ALL_FLOAT, gradients

GATED = list(fastact.GATED)
BINARY = [n for n in GATED if fastact.GATED[n].info.kind == "gated"]
# (name, kwargs, gate kernel) for every gated kernel a binary activation reaches
VARIANTS = [("swiglu", {}, "silu"), ("geglu", {}, "gelu"),
            ("geglu", {"approximate": "tanh"}, "gelu_tanh"), ("reglu", {}, "relu")]
VARIANT_IDS = [f"{n}-{g}" for n, _, g in VARIANTS]
RTOL = {np.float16: 2e-3, np.float32: 2e-6, np.float64: 4e-15}


def _ref_forward(name, a, b, **kw):
    ref = fastact.reference.GATED[name]
    return np.array([ref(float(u), float(v), **kw) for u, v in
                     zip(np.ravel(a).tolist(), np.ravel(b).tolist())]).reshape(np.shape(a))


def _ref_backward(name, g, a, b, **kw):
    ref = fastact.reference.GATED[name]
    pairs = [ref.backward(float(h), float(u), float(v), **kw) for h, u, v in
             zip(np.ravel(g).tolist(), np.ravel(a).tolist(), np.ravel(b).tolist())]
    return (np.array([p[0] for p in pairs]).reshape(np.shape(a)),
            np.array([p[1] for p in pairs]).reshape(np.shape(a)))


def _cond(fn, a):
    """|a fn'(a)| by a one-sided difference (the smaller side): the error any double
    implementation makes from rounding one a-dependent intermediate, times 1/eps64
    (conftest's condition term; large in gelu's left tail)."""
    out = []
    for v in np.ravel(a).tolist():
        h = 1e-7 * abs(v) if v else 0.0
        if not h or not math.isfinite(v):
            out.append(0.0)
            continue
        f0 = fn(v)
        d = min(abs(fn(v + h) - f0), abs(f0 - fn(v - h))) / h
        out.append(abs(v) * d if math.isfinite(d) else 0.0)
    return np.array(out).reshape(np.shape(a))


def _data(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = np.concatenate([rng.normal(0, 3, n - 8), [0.0, -0.0, 1.0, -1.0, 5.0, -5.0, 30.0, -30.0]])
    b = rng.normal(0, 2, n)
    return a.astype(dtype), b.astype(dtype), gradients(n, dtype, seed)


def _close(got, want, dtype, what="", atol=0.0):
    """got within RTOL of want, or atol (an array: near the zeros of f', where grad_a has
    an absolute bound), NaN where want is NaN."""
    got = np.asarray(got, dtype=np.float64)
    scale = np.maximum(np.abs(want), np.finfo(dtype).tiny)
    bad = ~((np.abs(got - want) <= RTOL[dtype] * scale + atol) | (got == want)
            | (np.isnan(got) & np.isnan(want)))
    assert not bad.any(), (what, got[bad][:5], want[bad][:5])


# ---- the registry's tables ------------------------------------------------------------

def test_tables():
    assert GATED == ["swiglu", "geglu", "reglu", "glu"]
    assert not set(GATED) & set(fastact.ACTIVATIONS)
    assert [r.name for r in _registry.GATED] == GATED
    assert [k.name for k in _registry.GATED_KERNELS] == ["silu", "gelu", "gelu_tanh", "relu",
                                                         "sigmoid"]
    for k in _registry.GATED_KERNELS:
        u, ub = fastact.UFUNCS["gated_" + k.name], fastact.UFUNCS["gated_" + k.name + "_backward"]
        assert (u.nin, u.nout, ub.nin, ub.nout) == (2, 1, 3, 2)
        assert u.types == ["ee->e", "ff->f", "dd->d"]
        assert ub.types == ["eee->ee", "fff->ff", "ddd->dd"]
    for name in GATED:
        f = getattr(fastact, name)
        assert f is fastact.GATED[name] and name in fastact.__all__
        assert f.info.accuracy == gated_accuracy(_registry.BY_NAME[f.info.gate])
        assert not f.has_derivative and not hasattr(f, "derivative")


# ---- values against the pure-Python reference ------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT)
@pytest.mark.parametrize("name,kw,gate", VARIANTS, ids=VARIANT_IDS)
def test_against_reference(name, kw, gate, dtype):
    a, b, g = _data(400, dtype)
    f = fastact.GATED[name]
    y = f(a, b, **kw)
    ga, gb = f.backward(g, a, b, **kw)
    assert y.dtype == ga.dtype == gb.dtype == dtype
    gate_rec = _registry.BY_NAME[gate]
    a64, b64, g64 = (v.astype(np.float64) for v in (a, b, g))
    eps4 = 4 * float(np.finfo(np.float64).eps)
    cf, cd = _cond(gate_rec.ref_forward, a64), _cond(gate_rec.ref_derivative, a64)
    _close(y, _ref_forward(name, a, b, **kw), dtype, "forward", eps4 * cf * np.abs(b64))
    ra, rb = _ref_backward(name, g, a, b, **kw)
    # near the zeros of f' grad_a's error is absolute: a few eps * |g b| max|f'| (the
    # records' abs_eps); float16 results are the float32 ones rounded once more
    gb_abs = np.abs(g64 * b64)
    atol = 8 * RTOL[dtype] * gb_abs * gate_rec.max_derivative + eps4 * cd * gb_abs
    _close(ga, ra, dtype, "grad_a", atol)
    _close(gb, rb, dtype, "grad_b", eps4 * cf * np.abs(g64))


def test_geglu_approximate_booleans():
    a, b, g = _data(100, np.float64)
    for flag, word in ((True, "tanh"), (False, "none")):
        np.testing.assert_array_equal(fastact.geglu(a, b, flag), fastact.geglu(a, b, word))
        np.testing.assert_array_equal(fastact.geglu.backward(g, a, b, approximate=flag),
                                      fastact.geglu.backward(g, a, b, approximate=word))
    ref = fastact.reference.BY_NAME["gelu_tanh"]
    tanh = np.array([ref(v) for v in a.tolist()]) * b
    _close(fastact.geglu(a, b, approximate=True), tanh, np.float64, "",
           4 * float(np.finfo(np.float64).eps) * _cond(ref, a) * np.abs(b))


# ---- accuracy against mpmath (the records' GatedAccuracy bounds) ----------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", GATED)
def test_accuracy_against_mpmath(name, dtype):
    # the accuracy tool's gated rows (fastact.instruments.accuracy_gated): mpmath at 180 bits on
    # sampled (a, b, g), each within its record's GatedAccuracy bound
    pytest.importorskip("mpmath")
    rows = accuracy_gated.measure(name, dtype, quick=True)
    assert len(rows) == 3 * len(accuracy_gated.kernels_of(name))
    for r in rows:
        assert r["ok"], r
        assert r["points"] > 500, r
        assert r["max_ulp"] <= r["ulp_bound"], r
        if r["max_abs_eps"] is not None:
            assert r["max_abs_eps"] <= r["abs_bound_eps"], r
    if name == "reglu":     # an exact gate: one rounded product, or two for grad_a
        worst = {r["kind"]: r["max_ulp"] for r in rows}
        assert worst["forward"] <= 0.5 and worst["grad_b"] <= 0.5 and worst["grad_a"] <= 1.0


def test_accuracy_tool_cli(capsys):
    pytest.importorskip("mpmath")
    from fastact.instruments import accuracy
    assert accuracy.main(["--quick", "--only", "reglu", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "reglu (gated_relu)" in out and "grad_a" in out


# ---- PyTorch's autograd -------------------------------------------------------------------

def _torch_gated(name, kw):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    fns = {"swiglu": lambda a, b: F.silu(a) * b,
           "geglu": lambda a, b: F.gelu(a, approximate=kw.get("approximate", "none")) * b,
           "reglu": lambda a, b: F.relu(a) * b}
    return torch, fns[name]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,kw,gate", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("shapes", [((64,), (64,)), ((8, 16), (1, 16)), ((8, 1), (1, 16)),
                                    ((4, 8, 16), (16,)), ((8, 16), ())],
                         ids=["same", "row", "outer", "lead", "scalar"])
def test_against_torch_autograd(name, kw, gate, dtype, shapes):
    torch, fn = _torch_gated(name, kw)
    rng = np.random.default_rng(3)
    a = rng.normal(0, 3, shapes[0]).astype(dtype)
    b = rng.normal(0, 2, shapes[1]).astype(dtype)
    out_shape = np.broadcast_shapes(a.shape, b.shape)
    g = rng.normal(0, 1, out_shape).astype(dtype)
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    ty = fn(ta, tb)
    ty.backward(torch.from_numpy(g))
    f = fastact.GATED[name]
    y = f(a, b, **kw)
    ga, gb = f.backward(g, a, b, **kw)
    # PyTorch's testing tolerances (torch.testing.assert_close's defaults per dtype)
    rtol, atol = (1.3e-6, 1e-5) if dtype == np.float32 else (1e-7, 1e-7)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=rtol, atol=atol)
    assert ga.shape == a.shape and gb.shape == b.shape
    # the reduced gradients sum up to 128 terms: allow their rounding
    np.testing.assert_allclose(ga, ta.grad.numpy(), rtol=rtol * 8, atol=atol * 8)
    np.testing.assert_allclose(gb, tb.grad.numpy(), rtol=rtol * 8, atol=atol * 8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape,axis", [((6, 8), -1), ((6, 8), 1), ((6, 8), 0),
                                        ((3, 4, 10), 1), ((10,), 0), ((2, 6, 5), -2)])
def test_glu_against_torch(shape, axis, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.normal(0, 3, shape).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.glu(tx, axis)
    g = rng.normal(0, 1, ty.shape).astype(dtype)
    ty.backward(torch.from_numpy(g))
    rtol, atol = (1.3e-6, 1e-5) if dtype == np.float32 else (1e-7, 1e-7)
    y = fastact.glu(x, axis)
    assert y.shape == tuple(ty.shape) and y.dtype == dtype
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=rtol, atol=atol)
    dx = fastact.glu.backward(g, x, axis=axis)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", ALL_FLOAT)
def test_glu_against_reference(dtype):
    rng = np.random.default_rng(5)
    x = rng.normal(0, 3, (5, 12)).astype(dtype)
    g = rng.normal(0, 1, (5, 6)).astype(dtype)
    ref = fastact.reference.GATED["glu"]
    want = np.array([ref(r) for r in x.astype(np.float64).tolist()])
    _close(fastact.glu(x), want, dtype)
    want_dx = np.array([ref.backward(gr, r) for gr, r in
                        zip(g.astype(np.float64).tolist(), x.astype(np.float64).tolist())])
    _close(fastact.glu.backward(g, x), want_dx, dtype)
    # axis 0: the same rows, transposed
    np.testing.assert_array_equal(fastact.glu(x.T, axis=0), fastact.glu(x).T)
    np.testing.assert_array_equal(fastact.glu.backward(g.T, x.T, axis=0),
                                  fastact.glu.backward(g, x).T)


# ---- broadcasting and the gradient sums ----------------------------------------------

@pytest.mark.parametrize("name", BINARY)
def test_broadcast_gradients_are_sums(name):
    rng = np.random.default_rng(6)
    a = rng.normal(0, 2, (5, 1, 7))
    b = rng.normal(0, 2, (3, 1))
    g = rng.normal(0, 1, (5, 3, 7))
    f = fastact.GATED[name]
    A, B = np.broadcast_arrays(a, b)
    ra, rb = _ref_backward(name, g, A, B)
    y = f(a, b)
    assert y.shape == (5, 3, 7)
    _close(y, _ref_forward(name, A, B), np.float64)
    ga, gb = f.backward(g, a, b)
    assert ga.shape == a.shape and gb.shape == b.shape
    np.testing.assert_allclose(ga, ra.sum(axis=1, keepdims=True), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(gb, rb.sum(axis=(0, 2)).reshape(3, 1), rtol=1e-13, atol=1e-13)
    # a Python scalar b: its gradient is the sum over everything, a 0-d result
    ga, gb = f.backward(g[:, 0], a[:, 0], 0.5)
    assert ga.shape == (5, 7) and np.shape(gb) == ()
    _, rb = _ref_backward(name, g[:, 0], a[:, 0], np.full((5, 7), 0.5))
    assert gb == pytest.approx(rb.sum(), rel=1e-13, abs=1e-13)


# ---- NaN, infinities, signed zeros ---------------------------------------------------

NAN, INF = math.nan, math.inf
# (name, a, b, f(a) * b): IEEE products of the gate's value (its limits at +-inf)
SPECIAL = [
    ("swiglu", NAN, 1.0, NAN), ("swiglu", 1.0, NAN, NAN), ("swiglu", -INF, 1.0, -0.0),
    ("swiglu", -INF, -1.0, 0.0), ("swiglu", -INF, INF, NAN), ("swiglu", INF, 2.0, INF),
    ("swiglu", INF, 0.0, NAN), ("swiglu", 0.0, INF, NAN), ("swiglu", 1.0, INF, INF),
    ("geglu", -INF, 1.0, -0.0), ("geglu", INF, -1.0, -INF), ("geglu", 0.0, INF, NAN),
    ("geglu", NAN, 0.0, NAN),
    ("reglu", -1.0, INF, NAN), ("reglu", INF, 0.0, NAN), ("reglu", -1.0, 2.0, 0.0), ("reglu", -1.0, -2.0, -0.0),
    ("reglu", 3.0, -2.0, -6.0), ("reglu", -INF, 1.0, 0.0), ("reglu", NAN, 1.0, NAN),
]


@pytest.mark.parametrize("dtype", ALL_FLOAT)
@pytest.mark.parametrize("name,a,b,want", SPECIAL)
def test_special_values(name, a, b, want, dtype):
    f = fastact.GATED[name]
    with np.errstate(all="raise"):
        y = f(np.array([a], dtype), np.array([b], dtype))[0]
        ga, gb = f.backward(np.ones(1, dtype), np.array([a], dtype), np.array([b], dtype))
    if math.isnan(want):
        assert np.isnan(y)
    else:
        assert y == want and math.copysign(1, y) == math.copysign(1, want)
    # the gradients follow the reference's IEEE products (NaN in gives NaN out)
    ra, rb = fastact.reference.GATED[name].backward(1.0, a, b)
    for got, ref in ((ga, ra), (gb, rb)):
        assert (np.isnan(got) and math.isnan(ref)) or got == ref, (got, ref)


def test_backward_nan_and_zero_times_inf():
    with np.errstate(all="raise"):
        # reglu: d/da = g * b * relu'(a); relu'(-1) = 0 times g * b = inf is NaN (IEEE)
        ga, gb = fastact.reglu.backward(np.array([1.0]), np.array([-1.0]), np.array([INF]))
        assert np.isnan(ga[0]) and gb[0] == 0.0
        ga, gb = fastact.swiglu.backward(np.array([NAN]), np.array([1.0]), np.array([1.0]))
        assert np.isnan(ga[0]) and np.isnan(gb[0])
        dx = fastact.glu.backward(np.array([1.0]), np.array([INF, -INF]))
        assert dx[0] == 0.0 and np.isnan(dx[1])     # sigmoid(-inf) = 0; inf * 0


@pytest.mark.parametrize("dtype", ALL_FLOAT)
@pytest.mark.parametrize("name", GATED)
def test_no_fp_flags_large_and_special(name, dtype):
    # large enough for threads, with the values that saturate exp and NaN lanes
    n = 100_000
    rng = np.random.default_rng(7)
    specials = np.array([NAN, INF, -INF, 0.0, -0.0, 1e300, -1e300, 1e-310, 88.0, -89.0,
                         709.0, -746.0, 1e38, -1e38])
    x = np.resize(np.concatenate([specials, rng.normal(0, 50, 1000)]), 2 * n)
    with np.errstate(over="ignore", invalid="ignore"):
        x = x.astype(dtype)
    a, b = x[:n], x[n:][::-1].copy()
    f = fastact.GATED[name]
    with np.errstate(all="raise"):
        if name == "glu":
            f(x.reshape(2, n), axis=-1)
            f.backward(b.reshape(2, n // 2), x.reshape(2, n))
        else:
            f(a, b)
            f.backward(b, a, b)


# ---- dtypes, out=, layouts -----------------------------------------------------------

@pytest.mark.parametrize("name", BINARY)
def test_dtypes_and_promotion(name):
    f = fastact.GATED[name]
    a32 = np.linspace(-3, 3, 7, dtype=np.float32)
    assert f(a32, 2.0).dtype == np.float32                 # a Python scalar stays weak
    assert f(a32, np.float64(2.0)).dtype == np.float64     # NumPy's promotion
    assert f(np.arange(3), [1, 2, 3]).dtype == np.float64  # integers compute in float64
    assert f(a32.astype(np.float16), a32.astype(np.float16)).dtype == np.float16
    y = f(1.0, 2.0)
    assert np.ndim(y) == 0 and isinstance(y, np.float64)


@pytest.mark.parametrize("dtype", ALL_FLOAT)
@pytest.mark.parametrize("name", BINARY)
def test_out_and_strides(name, dtype):
    f = fastact.GATED[name]
    a, b, g = _data(300, dtype)
    y, (ga, gb) = f(a, b), f.backward(g, a, b)
    out = np.empty_like(a)
    assert f(a, b, out=out) is out
    np.testing.assert_array_equal(out, y)
    oa, ob = np.empty_like(a), np.empty_like(a)
    ra, rb = f.backward(g, a, b, out=(oa, ob))
    assert ra is oa and rb is ob
    np.testing.assert_array_equal(oa, ga)
    np.testing.assert_array_equal(ob, gb)
    # one of the two out: the other allocated
    ra, rb = f.backward(g, a, b, out=(None, ob))
    assert rb is ob
    # strided views give the contiguous results
    A, B, G = (np.repeat(v, 2)[::2] for v in (a, b, g))
    assert not A.flags.c_contiguous
    np.testing.assert_array_equal(f(A, B), y)
    sa, sb = f.backward(G, A, B)
    np.testing.assert_array_equal(sa, ga)
    np.testing.assert_array_equal(sb, gb)
    # in place: the gradients over the inputs they are computed from
    a2, b2 = a.copy(), b.copy()
    f.backward(g, a2, b2, out=(a2, b2))
    np.testing.assert_array_equal(a2, ga)
    np.testing.assert_array_equal(b2, gb)


@pytest.mark.parametrize("name", GATED)
def test_threads_and_overlap(name):
    # above the thread grain, in place and through shifted views: the serial results
    n = 200_000
    rng = np.random.default_rng(8)
    x = rng.normal(0, 3, 2 * n)
    f = fastact.GATED[name]
    if name == "glu":
        want = f(x)
        x2 = x.copy()
        assert f(x2, out=x2[:n]) is not None
        np.testing.assert_array_equal(x2[:n], want)
        return
    a, b = x[:n].copy(), x[n:].copy()
    want = f(a, b)
    fastact.set_num_threads(1)
    try:
        serial = f(a, b)
    finally:
        fastact.set_num_threads(None)
    np.testing.assert_array_equal(want, serial)
    buf = np.concatenate([[0.0], a])
    f(buf[1:], b, out=buf[:-1])                 # out one element behind its input
    np.testing.assert_array_equal(buf[:-1], want)
    ga, gb = f.backward(b, a, b)
    a2, b2 = a.copy(), b.copy()
    f.backward(b2, a2, b2, out=(a2, b2))
    np.testing.assert_array_equal(a2, ga)
    np.testing.assert_array_equal(b2, gb)


# ---- errors: they name the function and the argument; nothing is written --------------

@pytest.mark.parametrize("name", BINARY)
def test_errors(name):
    f = fastact.GATED[name]
    a = np.ones(3)
    with pytest.raises(TypeError, match=rf"fastact\.{name}: b must be real numbers"):
        f(a, np.ones(3, complex))
    with pytest.raises(ValueError, match=rf"fastact\.{name}: the shapes of a \(3,\), b \(4,\)"):
        f(a, np.ones(4))
    with pytest.raises(ValueError, match=rf"fastact\.{name}\.backward: the shapes"):
        f.backward(np.ones(5), a, a)
    with pytest.raises(TypeError, match=rf"fastact\.{name}: unexpected argument"):
        f(a, a, bogus=1)
    out = np.full(3, 7.0)
    with pytest.raises(TypeError, match=rf"fastact\.{name}: out has dtype float32"):
        f(a, a, out=out.astype(np.float32))
    o1, o2 = np.full(3, 7.0), np.full(2, 7.0)
    with pytest.raises(ValueError, match=rf"fastact\.{name}\.backward: out for grad_b has "
                                         r"shape \(2,\), but grad_b has shape \(3,\)"):
        f.backward(a, a, a, out=(o1, o2))
    assert (o1 == 7.0).all() and (o2 == 7.0).all()
    with pytest.raises(TypeError, match=rf"fastact\.{name}\.backward: out must be a tuple"):
        f.backward(a, a, a, out=o1)
    assert (o1 == 7.0).all()
    with pytest.raises(ValueError, match=rf"fastact\.{name}: out has shape"):
        f(a, a, out=np.empty(4))


def test_geglu_approximate_error():
    with pytest.raises(ValueError, match=r"fastact\.geglu: approximate must be one of"):
        fastact.geglu(np.ones(2), np.ones(2), approximate="fast")
    with pytest.raises(ValueError, match=r"fastact\.geglu\.backward: approximate"):
        fastact.geglu.backward(np.ones(2), np.ones(2), np.ones(2), "fast")


def test_glu_errors():
    x = np.ones((2, 5))
    with pytest.raises(ValueError, match=r"fastact\.glu: x has length 5 along axis 1, which "
                                         r"is odd"):
        fastact.glu(x)
    with pytest.raises(ValueError, match=r"fastact\.glu\.backward: x has length 5 along "
                                         r"axis 1"):
        fastact.glu.backward(np.ones((2, 2)), x)
    with pytest.raises(np.exceptions.AxisError, match=r"fastact\.glu: axis 2 is out of bounds"):
        fastact.glu(x, axis=2)
    with pytest.raises(TypeError, match=r"fastact\.glu: axis must be an integer"):
        fastact.glu(x, axis=1.0)
    with pytest.raises(ValueError, match=r"fastact\.glu: x must have at least one dimension"):
        fastact.glu(1.0)
    with pytest.raises(ValueError, match=r"fastact\.glu\.backward: grad_output has shape "
                                         r"\(2, 3\)"):
        fastact.glu.backward(np.ones((2, 3)), np.ones((2, 4)))
    out = np.full((2, 4), 7.0)
    with pytest.raises(ValueError, match=r"fastact\.glu\.backward: out has shape"):
        fastact.glu.backward(np.ones((2, 2)), np.ones((2, 4)), out=out[:, :3])
    with pytest.raises(TypeError, match=r"fastact\.glu: x must be real numbers"):
        fastact.glu(np.array(["a", "b"]))
    assert (out == 7.0).all()


class _Duck:
    """A duck array that is not dask's: it takes part in NumPy's protocols but runs no
    ufunc (a gated backward's two outputs are beyond what fastact hands duck arrays)."""
    dtype = np.dtype(np.float64)
    shape = (2, 4)
    ndim = 2

    def __array_ufunc__(self, *args, **kwargs):
        return NotImplemented


def test_non_dask_duck_arrays_refused_by_name():
    a = np.ones((2, 4))
    for call, name in ((lambda: fastact.swiglu.backward(_Duck(), a, a), "swiglu.backward"),
                       (lambda: fastact.geglu.backward(a, a, _Duck()), "geglu.backward"),
                       (lambda: fastact.glu.backward(np.ones((2, 2)), _Duck()),
                        "glu.backward"),
                       (lambda: fastact.swiglu(_Duck(), a), "swiglu")):
        with pytest.raises(TypeError, match=rf"fastact\.{name}: "):
            call()


def test_glu_writes_into_out_halves():
    x = np.arange(12.0).reshape(3, 4) / 4
    out = np.empty((3, 2))
    assert fastact.glu(x, out=out) is out
    dx = np.empty((3, 4))
    assert fastact.glu.backward(np.ones((3, 2)), x, out=dx) is dx
    ref = fastact.reference.GATED["glu"]
    np.testing.assert_allclose(dx, [ref.backward([1.0, 1.0], r) for r in x.tolist()],
                               rtol=1e-15)
    # g broadcast to the output's shape
    np.testing.assert_array_equal(fastact.glu.backward(1.0, x), dx)


# ---- the API's contract: pickling, signatures, docstrings ------------------------------

@pytest.mark.parametrize("name", GATED)
def test_pickle(name):
    f = fastact.GATED[name]
    assert pickle.loads(pickle.dumps(f)) is f
    assert pickle.loads(pickle.dumps(f.backward))(*(
        [np.ones(1), np.ones(2)] if name == "glu" else [np.ones(2)] * 3)) is not None
    r = fastact.reference.GATED[name]
    assert pickle.loads(pickle.dumps(r)) is r


def test_signatures():
    sig = {n: str(inspect.signature(fastact.GATED[n])) for n in GATED}
    assert sig == {"swiglu": "(a, b, *, out=None)",
                   "geglu": "(a, b, approximate='none', *, out=None)",
                   "reglu": "(a, b, *, out=None)", "glu": "(x, axis=-1, *, out=None)"}
    assert (str(inspect.signature(fastact.geglu.backward))
            == "(grad_output, a, b, approximate='none', *, out=None)")
    assert str(inspect.signature(fastact.glu.backward)) == "(grad_output, x, axis=-1, *, out=None)"
    assert "summed to its shape" in fastact.swiglu.backward.__doc__
    assert repr(fastact.swiglu) == "<fastact.swiglu(a, b)>"


@pytest.mark.parametrize("name", GATED)
def test_docstring_examples(name):
    f = fastact.GATED[name]
    parser = doctest.DocTestParser()
    test = parser.get_doctest(f.__doc__, {"fastact": fastact, "np": np}, name, None, 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0

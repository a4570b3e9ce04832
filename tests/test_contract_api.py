"""No silent wrong result from the Python API (issue 10, items 4, 8, 10, 11 and 12).

* prelu.backward with ``out`` sharing memory with its inputs, or larger than their
  broadcast shape (item 4);
* every public object pickles by name, to the very same object, and runs in worker
  processes started with spawn and forkserver (item 8);
* parameters checked as the loop takes them, after the cast to its dtype, by the rules of
  their registry entries (item 10), for every parameterised activation of the registry;
* hardswish' at -3 and 3 in the reference (item 11);
* every error names ``fastact.<name>`` and the argument at fault (item 12).

Expectations are closed forms or the pure-Python reference, never the kernels.  Every
call that raises is given an ``out`` filled with SENTINEL, which must come back untouched.
"""

import math
import multiprocessing
import pickle
import re

import numpy as np
import pytest

import fastact
from conftest import ACTS, AXIS, NAMES, TWO_DATA, Y_METHODS, methods, needed

SENTINEL = 7.0
REF = fastact.reference.BY_NAME
FLOAT_IDS = ["float16", "float32", "float64"]


def _sentinel_out(shape, dtype):
    return np.full(shape, SENTINEL, dtype)


def _untouched(out):
    assert (out == SENTINEL).all()


def _raises(exc, call, *patterns, out):
    """call(out) raises exc with every pattern in its message, and leaves out untouched."""
    with pytest.raises(exc) as info:
        call(out)
    for pat in patterns:
        assert re.search(pat, str(info.value)), (pat, str(info.value))
    _untouched(out)
    return info.value


# ---- item 4: prelu.backward's grad_weight and out -----------------------------------------

def _prelu_expected(g, x, w):
    """grad_x = g * (1 if x > 0 else w), grad_weight = sum of g * x over x <= 0 (per
    channel, axis 1, for a per-channel weight): in Python floats, exact for these values."""
    g, x = np.broadcast_arrays(np.asarray(g, float), np.asarray(x, float))
    w = np.asarray(w, float)
    per_channel = w.ndim == 1 and w.size > 1
    gx = np.empty(x.shape)
    gw = [0.0] * (w.size if per_channel else 1)
    for idx in np.ndindex(x.shape):
        c = idx[1] if per_channel else 0
        wc = float(w.ravel()[c])
        gx[idx] = g[idx] * (1.0 if x[idx] > 0 else wc)
        gw[c] += g[idx] * (x[idx] if x[idx] <= 0 else 0.0)
    return gx, np.array(gw).reshape(w.shape)


@pytest.mark.parametrize("alias", ["grad_output", "x"])
@pytest.mark.parametrize("shape, weight", [((6,), 0.25), ((2, 3, 2), [0.5, 0.25, 2.0])],
                         ids=["scalar-weight", "per-channel"])
def test_prelu_backward_grad_weight_with_out_aliasing_an_input(alias, shape, weight):
    n = int(np.prod(shape))
    x = (np.arange(n, dtype=float) - n / 2).reshape(shape) / 4      # both signs, exact
    g = (np.arange(n, dtype=float) % 5 - 1.5).reshape(shape)
    exp_gx, exp_gw = _prelu_expected(g, x, weight)
    out = g if alias == "grad_output" else x
    gx, gw = fastact.prelu.backward(g, x, np.array(weight), out=out)
    assert gx is out
    np.testing.assert_array_equal(gx, exp_gx)
    np.testing.assert_array_equal(gw, exp_gw)


def test_prelu_backward_out_sharing_memory_through_a_view():
    buf = np.array([-2.0, 1.0, -0.5, 3.0, -1.0, 0.0, 2.0, -4.0])
    x = buf[:4].copy()
    g = buf[4:]                       # out below overlaps g (a different view of buf)
    exp_gx, exp_gw = _prelu_expected(g.copy(), x, 0.5)
    gx, gw = fastact.prelu.backward(g, x, 0.5, out=buf[4:])
    np.testing.assert_array_equal(gx, exp_gx)
    np.testing.assert_array_equal(gw, exp_gw)


@pytest.mark.parametrize("out_shape", [(2, 3), (1, 3), (3, 1)])
def test_prelu_backward_refuses_an_out_of_another_shape(out_shape):
    g = np.array([1.0, 2.0, 3.0])
    x = np.array([-1.0, 2.0, -3.0])
    _raises(ValueError, lambda o: fastact.prelu.backward(g, x, 0.25, out=o),
            r"fastact\.prelu\.backward", r"\bout\b", out=_sentinel_out(out_shape, np.float64))


def test_prelu_backward_out_of_the_broadcast_shape_is_accepted():
    g = np.array([[1.0], [2.0]])          # (2, 1) against x (3,): the result is (2, 3)
    x = np.array([-1.0, 2.0, -3.0])
    out = np.empty((2, 3))
    exp_gx, exp_gw = _prelu_expected(g, x, 0.5)
    gx, gw = fastact.prelu.backward(g, x, 0.5, out=out)
    assert gx is out
    np.testing.assert_array_equal(gx, exp_gx)
    np.testing.assert_array_equal(gw, exp_gw)


# ---- item 8: pickling ------------------------------------------------------------------------

_METHOD_NAMES = ("derivative", "backward", "derivative_from_output", "backward_from_output",
                 "second_derivative", "double_backward")
PROTOCOLS = list(range(2, pickle.HIGHEST_PROTOCOL + 1))


def _public_objects():
    """(id, object) for every public object: the activations, the reference objects, the
    ufuncs."""
    objs = [(f"fastact.{n}", f) for n, f in {**fastact.ACTIVATIONS, **fastact.GATED}.items()]
    objs += [(f"fastact.reference.{n}", r) for n, r in
             {**REF, **fastact.reference.GATED}.items()]
    objs += [(f"UFUNCS.{n}", u) for n, u in fastact.UFUNCS.items()]
    return objs


def _bound_methods():
    out = []
    for prefix, table in (("fastact", {**fastact.ACTIVATIONS, **fastact.GATED}),
                          ("fastact.reference", {**REF, **fastact.reference.GATED})):
        for n, obj in table.items():
            for m in ("__call__",) + _METHOD_NAMES:
                if hasattr(obj, m) and (m != "__call__" or prefix == "fastact.reference"):
                    out.append((f"{prefix}.{n}.{m}", getattr(obj, m)))
    return out


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("obj", [pytest.param(o, id=i) for i, o in _public_objects()])
def test_public_objects_unpickle_to_the_same_object(obj, protocol):
    assert pickle.loads(pickle.dumps(obj, protocol=protocol)) is obj


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("meth", [pytest.param(o, id=i) for i, o in _bound_methods()])
def test_bound_methods_pickle(meth, protocol):
    back = pickle.loads(pickle.dumps(meth, protocol=protocol))
    assert back == meth and back.__self__ is meth.__self__


def test_registry_lists_every_activation_we_pickle():
    assert set(fastact.ACTIVATIONS) == set(REF) == set(NAMES)
    for n, f in fastact.ACTIVATIONS.items():
        assert f.reference is REF[n]
    for n, f in fastact.GATED.items():
        assert f.reference is fastact.reference.GATED[n]


def _tanh_chunks():
    return [np.linspace(-4.0, 4.0, 9) + k / 8 for k in range(4)]


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_pool_map_in_worker_processes(method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    chunks = _tanh_chunks()
    with multiprocessing.get_context(method).Pool(2) as pool:
        results = pool.map_async(fastact.tanh, chunks).get(timeout=120)
    assert len(results) == len(chunks)
    for c, r in zip(chunks, results):
        expected = [REF["tanh"](float(v)) for v in c]
        # the registry's bound for float64 tanh is 4 ULP
        np.testing.assert_allclose(r, expected, rtol=4 * np.finfo(float).eps, atol=0)


# ---- item 10: parameters checked after the cast ----------------------------------------------

def _real_params(f):
    """The real-valued parameters of f (gelu's string and softmax's axis are not)."""
    return [p for p in f.params if type(p.default) is float]


PARAM_CASES = [(n, m, p) for n in NAMES for p in _real_params(ACTS[n]) for m in methods(ACTS[n])]


def _data(f, method, dtype):
    """The data operands of one method: x (both signs), or y = the reference's f(x)."""
    x = np.array([[-1.5, -0.25], [0.5, 2.0]])
    if method in Y_METHODS:
        d = np.vectorize(lambda v: REF[f.name](v))(x)
    else:
        d = x
    d = d.astype(dtype)
    if method in TWO_DATA or method == "backward":
        return [np.full(x.shape, 2.0, dtype), d]
    return [d]


def _call(f, method, dtype, **params):
    data = _data(f, method, dtype)
    params = {**{p.name: p.default for p in f.params if p.required}, **params}
    return lambda o: getattr(f, method)(*data, out=o, **params)


def _fname(name, method):
    return re.escape(f"fastact.{name}" + ("" if method == "__call__" else f".{method}")) + ":"


def _cases(predicate=lambda p: True):
    return [pytest.param(n, m, p, id=f"{n}.{m}-{p.name}")
            for n, m, p in PARAM_CASES if predicate(p)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=FLOAT_IDS)
@pytest.mark.parametrize("as_array", [False, True], ids=["scalar", "array"])
@pytest.mark.parametrize("name, method, p", _cases())
def test_nan_parameter_is_refused(name, method, p, as_array, dtype):
    bad = np.array([math.nan]) if as_array else math.nan
    if p.nonfinite:                     # taken as PyTorch takes it (threshold's)
        out = _sentinel_out((2, 2), dtype)
        _call(ACTS[name], method, dtype, **{p.name: bad})(out)
        assert not (out == SENTINEL).any()
        return
    _raises(ValueError, _call(ACTS[name], method, dtype, **{p.name: bad}),
            _fname(name, method), rf"\b{p.name} is NaN", out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["+inf", "-inf"])
@pytest.mark.parametrize("name, method, p", _cases())
def test_infinite_parameter_refused_unless_the_registry_allows_it(name, method, p, sign,
                                                                  dtype):
    f = ACTS[name]
    inf = sign * math.inf
    call = _call(f, method, dtype, **{p.name: inf})
    if p.inf == inf or p.nonfinite:
        out = _sentinel_out((2, 2), dtype)
        call(out)                       # meaningful: hardtanh's bounds, softplus's threshold
        assert not (out == SENTINEL).any()
        return
    _raises(ValueError, call, _fname(name, method), rf"\b{p.name} must be finite",
            out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("dtype", [np.float16, np.float32], ids=["float16", "float32"])
@pytest.mark.parametrize("as_array", [False, True], ids=["scalar", "array"])
@pytest.mark.parametrize("value", [1e39, -1e39])
@pytest.mark.parametrize("name, method, p", _cases())
def test_parameter_beyond_float32_is_refused_for_float32_loops(name, method, p, value,
                                                               as_array, dtype):
    bad = np.array([value]) if as_array else value
    _raises(ValueError, _call(ACTS[name], method, dtype, **{p.name: bad}),
            _fname(name, method), rf"\b{p.name}\b.*out of float32's range",
            out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("value", [10 ** 400, -10 ** 400], ids=["+10**400", "-10**400"])
@pytest.mark.parametrize("name, method, p", _cases())
def test_int_parameter_beyond_float64_is_refused(name, method, p, value, dtype):
    _raises(ValueError, _call(ACTS[name], method, dtype, **{p.name: value}),
            _fname(name, method), rf"\b{p.name}\b.*out of float(64|32)'s range",
            out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("dtype", [np.float16, np.float32], ids=["float16", "float32"])
@pytest.mark.parametrize("as_array", [False, True], ids=["scalar", "array"])
@pytest.mark.parametrize("name, method, p", _cases(lambda p: p.nonzero))
def test_nonzero_parameter_that_rounds_to_zero_in_float32(name, method, p, as_array, dtype):
    bad = np.array([1e-50]) if as_array else 1e-50
    _raises(ValueError, _call(ACTS[name], method, dtype, **{p.name: bad}),
            _fname(name, method), rf"\b{p.name}\b.*rounds to 0 in float32",
            out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("zero", [0, 0.0, -0.0, np.float32(0)], ids=repr)
@pytest.mark.parametrize("name, method, p", _cases(lambda p: p.nonzero))
def test_nonzero_parameter_zero(name, method, p, zero):
    _raises(ValueError, _call(ACTS[name], method, np.float64, **{p.name: zero}),
            _fname(name, method), rf"\b{p.name} must be nonzero",
            out=_sentinel_out((2, 2), np.float64))


def test_every_nonzero_parameter_in_the_registry():
    # the parameters that divide (celu's alpha, softplus's beta) are marked so
    marked = {(n, p.name) for n in NAMES for p in ACTS[n].params if p.nonzero}
    assert marked == {("celu", "alpha"), ("softplus", "beta")}


def test_tiny_nonzero_parameter_in_float64_computes_with_it():
    # 1e-50 is a float64 number: celu and softplus are computed with it, not refused
    x = np.array([-1e-49, 1.0])
    got = fastact.celu(x, alpha=1e-50)
    assert got[1] == 1.0 and got[0] == pytest.approx(REF["celu"](-1e-49, 1e-50), rel=1e-14)
    got = fastact.softplus(np.array([-1.0, 1.0]), beta=1e-50)
    exp = [REF["softplus"](v, 1e-50) for v in (-1.0, 1.0)]
    np.testing.assert_allclose(got, exp, rtol=1e-14)


ORDERED = _cases(lambda p: isinstance(p.at_least, str))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name, method, p", ORDERED)
def test_lower_bound_above_upper_bound_is_refused(name, method, p, dtype):
    lo, hi = p.at_least, p.name
    _raises(ValueError, _call(ACTS[name], method, dtype, **{lo: 0.5, hi: -0.5}),
            _fname(name, method), rf"\b{lo} must be <= {hi}", out=_sentinel_out((2, 2), dtype))


@pytest.mark.parametrize("name, method, p", ORDERED)
def test_equal_bounds_are_accepted(name, method, p):
    out = _sentinel_out((2, 2), np.float64)
    _call(ACTS[name], method, np.float64, **{p.at_least: 0.5, p.name: 0.5})(out)
    assert not (out == SENTINEL).any()


def test_ordered_pairs_in_the_registry():
    pairs = {(n, p.at_least, p.name) for n in NAMES for p in ACTS[n].params if p.at_least}
    assert pairs == {("hardtanh", "min_val", "max_val"), ("rrelu", "lower", "upper")}


@pytest.mark.parametrize("name, method, p", ORDERED)
def test_nan_bound_says_nan_not_order(name, method, p):
    for which in (p.at_least, p.name):
        _raises(ValueError, _call(ACTS[name], method, np.float64, **{which: math.nan}),
                rf"\b{which} is NaN", out=_sentinel_out((2, 2), np.float64))


def test_hardtanh_min_above_max_is_refused_like_pytorch():
    # PyTorch: "min_val cannot be greater than max_val"; the result would not be monotonic
    out = _sentinel_out(3, np.float64)
    _raises(ValueError, lambda o: fastact.hardtanh(np.array([-1.0, 0.0, 1.0]), 0.5, -0.5, out=o),
            r"fastact\.hardtanh:", r"min_val must be <= max_val", out=out)
    # an order that only the cast reverses is judged on the cast values: equal in float32
    lo, hi = 0.1 + 1e-12, 0.1
    assert np.float32(lo) == np.float32(hi)
    got = fastact.hardtanh(np.array([-1.0, 1.0], np.float32), lo, hi)
    np.testing.assert_array_equal(got, np.float32([hi, hi]))
    with pytest.raises(ValueError, match=r"fastact\.hardtanh: min_val must be <= max_val"):
        fastact.hardtanh(np.array([-1.0, 1.0]), lo, hi)


def test_hardtanh_and_softplus_with_their_meaningful_infinities():
    x = np.array([-5.0, -0.5, 0.5, 5.0])
    np.testing.assert_array_equal(fastact.hardtanh(x, -math.inf, math.inf), x)
    np.testing.assert_array_equal(fastact.hardtanh(x, min_val=-math.inf), np.minimum(x, 1.0))
    np.testing.assert_array_equal(fastact.hardtanh(x, max_val=math.inf), np.maximum(x, -1.0))
    xs = np.array([-3.0, 0.0, 25.0, 40.0])       # past the default threshold too
    got = fastact.softplus(xs, 1.0, math.inf)
    np.testing.assert_allclose(got, [math.log1p(math.exp(v)) for v in xs], rtol=1e-15)
    d = fastact.softplus.derivative(xs, threshold=np.inf)
    np.testing.assert_allclose(d, [1 / (1 + math.exp(-v)) for v in xs], rtol=1e-15)


def test_from_output_sign_rule_on_the_cast_values():
    y = np.array([-0.5, 0.0, 2.0])
    for name in ("leaky_relu", "elu", "celu"):
        f = ACTS[name]
        for method in ("derivative_from_output", "backward_from_output"):
            data = [np.ones(3), y] if method in TWO_DATA else [y]
            for neg in (-0.5, np.array([0.5, -0.5, 0.5])):
                _raises(ValueError, lambda o: getattr(f, method)(*data, neg, out=o),
                        _fname(name, method), r"need \w+ >= 0", out=_sentinel_out(3, np.float64))
    # -1e-50 is negative in float64 (refused) but -0.0 in float32, which the rule accepts:
    # leaky_relu's derivative from the output with slope -0 is -0 for y <= 0, else 1
    with pytest.raises(ValueError, match=r"fastact\.leaky_relu\.derivative_from_output"):
        fastact.leaky_relu.derivative_from_output(y, -1e-50)
    got = fastact.leaky_relu.derivative_from_output(y.astype(np.float32), -1e-50)
    np.testing.assert_array_equal(got, np.float32([0.0, 0.0, 1.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_huge_float32_and_float64_parameters_within_range_are_used(dtype):
    big = float(np.finfo(dtype).max)
    x = np.array([-1.0 / 4, 0.0, 2.0], dtype)
    exp = np.array([big * (-1.0 / 4), 0.0, 2.0]).astype(dtype)
    np.testing.assert_array_equal(fastact.leaky_relu(x, big), exp)
    # rrelu's mean slope (lower + upper) / 2 must not overflow to inf
    np.testing.assert_array_equal(fastact.rrelu(x, big, big), exp)
    np.testing.assert_array_equal(fastact.rrelu.derivative(x, big, big),
                                  np.array([big, big, 1.0]).astype(dtype))
    assert REF["rrelu"](-0.25, big, big) == big * -0.25


def test_rrelu_checks_in_training_too():
    x = np.array([[-1.0, 2.0], [0.5, -0.5]])
    cases = [(dict(lower=math.nan), r"lower is NaN"),
             (dict(upper=math.inf), r"upper must be finite"),
             (dict(lower=0.5, upper=0.1), r"lower must be <= upper")]
    for kw, pat in cases:
        _raises(ValueError, lambda o: fastact.rrelu(x, training=True, rng=0, out=o, **kw),
                r"fastact\.rrelu:", pat, out=_sentinel_out((2, 2), np.float64))
    # bounds whose difference is beyond float64 cannot be drawn from: refused by name
    _raises(ValueError, lambda o: fastact.rrelu(x, -1e308, 1e308, True, 0, out=o),
            r"fastact\.rrelu:", r"lower and upper", out=_sentinel_out((2, 2), np.float64))


def test_rrelu_slopes_are_checked():
    x = np.array([-1.0, 2.0])
    for bad, pat in ((np.array([math.nan, 0.2]), r"slopes is NaN"),
                     (np.array([0.1, math.inf]), r"slopes must be finite")):
        _raises(ValueError, lambda o: fastact.rrelu.derivative(x, slopes=bad, out=o),
                r"fastact\.rrelu\.derivative:", pat, out=_sentinel_out(2, np.float64))


# ---- item 11: hardswish' at the kinks (the reference and the registry) ----------------------

def test_reference_hardswish_derivative_at_the_kinks():
    d = REF["hardswish"].derivative
    assert d(-3.0) == 0.0 and d(3.0) == 1.0            # PyTorch's autograd (2.13)
    assert d(-4.0) == 0.0 and d(4.0) == 1.0 and d(0.0) == 0.5
    assert d(math.nextafter(-3.0, 0)) == math.nextafter(-3.0, 0) / 3 + 0.5
    assert d(math.nextafter(3.0, 0)) == math.nextafter(3.0, 0) / 3 + 0.5
    info = fastact.hardswish.info
    assert "hardswish'(-3) = 0" in info.kinks_text and "hardswish'(3) = 1" in info.kinks_text
    assert "x <= -3" in info.derivative and "x >= 3" in info.derivative


# ---- item 12: errors name the function and the argument ----------------------------------------

BACKWARDS = [(n, m) for n in NAMES for m in ("backward", "backward_from_output")
             if hasattr(ACTS[n], m)]


@pytest.mark.parametrize("name, method", [pytest.param(n, m, id=f"{n}.{m}")
                                          for n, m in BACKWARDS])
def test_shapes_that_do_not_broadcast_are_named(name, method):
    f = getattr(ACTS[name], method)
    second = "y" if method == "backward_from_output" else "x"
    for out in (None, _sentinel_out(3, np.float64)):
        with pytest.raises(ValueError) as info:
            f(np.ones(3), np.ones(5), *needed(ACTS[name]), out=out)
        msg = str(info.value)
        assert msg.startswith(f"fastact.{name}.{method}:"), msg
        assert "grad_output" in msg and re.search(rf"\b{second}\b", msg), msg
        if out is not None:
            _untouched(out)


@pytest.mark.parametrize("name", [n for n in NAMES if ACTS[n].info.kind != "axis"])
def test_out_of_the_wrong_shape_is_named(name):
    _raises(ValueError, lambda o: ACTS[name](np.ones(3), *needed(ACTS[name]), out=o),
            rf"fastact\.{name}:", r"\bout\b", out=_sentinel_out(4, np.float64))


@pytest.mark.parametrize("name", AXIS)
def test_softmax_out_of_the_wrong_shape_is_named(name):
    for shape, x in (((2, 4), np.ones((2, 3))), ((2, 2), 1.0), ((3,), 1.0)):
        _raises(ValueError, lambda o: ACTS[name](x, out=o), rf"fastact\.{name}:", r"\bout\b",
                out=_sentinel_out(shape, np.float64))


def test_rrelu_takes_list_parameters():
    x = np.array([-2.0, 0.0, 3.0])
    r = REF["rrelu"]
    np.testing.assert_array_equal(fastact.rrelu(x, [0.1], [0.2]), [r(v, 0.1, 0.2) for v in x])
    np.testing.assert_array_equal(fastact.rrelu.derivative(x, [0.1], [0.2]),
                                  [r.derivative(v, 0.1, 0.2) for v in x])
    _raises(TypeError, lambda o: fastact.rrelu(x, ["a"], [0.2], out=o), r"fastact\.rrelu:",
            r"\blower\b", out=_sentinel_out(3, np.float64))
    _raises(ValueError, lambda o: fastact.rrelu(x, [0.1, 0.2], [0.2, 0.3, 0.4], out=o),
            r"fastact\.rrelu:", r"\blower\b.*\bupper\b", out=_sentinel_out(3, np.float64))
    _raises(ValueError, lambda o: fastact.rrelu(x, [0.1, 0.2], [0.3, 0.4], True, 0, out=o),
            r"fastact\.rrelu:", r"\blower\b.*\bupper\b", out=_sentinel_out(3, np.float64))


@pytest.mark.parametrize("rng", ["abc", -1, 1.5, [-1]], ids=repr)
def test_rrelu_bad_rng_is_named(rng):
    _raises((TypeError, ValueError),
            lambda o: fastact.rrelu(np.array([-1.0, 1.0]), training=True, rng=rng, out=o),
            r"fastact\.rrelu:", r"\brng\b", out=_sentinel_out(2, np.float64))


@pytest.mark.parametrize("method", ["__call__", "derivative", "backward"])
def test_rrelu_training_flag_of_several_values_is_named(method):
    x = np.array([-1.0, 1.0])
    data = [np.ones(2), x] if method == "backward" else [x]
    _raises(TypeError, lambda o: getattr(fastact.rrelu, method)(
                *data, training=np.array([True, False]), out=o),
            _fname("rrelu", method), r"\btraining\b", out=_sentinel_out(2, np.float64))


@pytest.mark.parametrize("axis", [10 ** 20, -10 ** 20, 2, -3])
@pytest.mark.parametrize("name, method", [pytest.param(n, m, id=f"{n}.{m}")
                                          for n in AXIS for m in ("__call__", "backward")])
def test_axis_out_of_bounds(name, method, axis):
    f = getattr(ACTS[name], method)
    x = np.ones((2, 3))
    data = [x, x] if method == "backward" else [x]
    err = _raises(np.exceptions.AxisError, lambda o: f(*data, axis=axis, out=o),
                  _fname(name, method), rf"axis {axis} is out of bounds for array of "
                  r"dimension 2", out=_sentinel_out((2, 3), np.float64))
    assert isinstance(err, ValueError) and isinstance(err, IndexError)


def test_axis_out_of_bounds_for_0d_input():
    with pytest.raises(np.exceptions.AxisError, match=r"fastact\.softmax: axis 10+ is out"):
        fastact.softmax(1.0, axis=10 ** 20)


@pytest.mark.parametrize("value", [10 ** 400, -10 ** 400], ids=["+10**400", "-10**400"])
def test_python_int_beyond_float64(value):
    _raises(ValueError, lambda o: fastact.hardtanh(np.ones(3), value, out=o),
            r"fastact\.hardtanh:", r"\bmin_val\b", out=_sentinel_out(3, np.float64))
    _raises(ValueError, lambda o: fastact.hardtanh(np.ones(3), max_val=value, out=o),
            r"fastact\.hardtanh:", r"\bmax_val\b", out=_sentinel_out(3, np.float64))
    _raises(ValueError, lambda o: fastact.sigmoid(value, out=o), r"fastact\.sigmoid:", r"\bx\b",
            out=_sentinel_out((), np.float64))
    _raises(ValueError, lambda o: fastact.sigmoid.backward(value, np.ones(3), out=o),
            r"fastact\.sigmoid\.backward:", r"\bgrad_output\b", out=_sentinel_out(3, np.float64))


@pytest.mark.parametrize("name", [n for n in NAMES if ACTS[n].info.kind == "elementwise"
                                  and ACTS[n].params])
def test_binding_errors_name_the_forward_as_fastact_name(name):
    f = ACTS[name]
    x = np.ones(2)
    too_many = [0.5] * (len(f.params) + 1)
    for call in (lambda: f(x, *too_many), lambda: f(x, bogus=1.0),
                 lambda: f(x, 0.5, **{f.params[0].name: 0.5})):
        with pytest.raises(TypeError) as info:
            call()
        assert str(info.value).startswith(f"fastact.{name}:"), str(info.value)
        assert "forward" not in str(info.value)

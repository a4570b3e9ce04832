"""NumPy behaviour: dtypes, scalars, shapes, broadcasting, out=, strides and byte order,
prelu's channels, softmax's axis, and every bad input failing before `out` is touched."""

import pathlib

import numpy as np
import pytest

import fastact
from conftest import (ACTS, ALL_FLOAT, AXIS, DTYPE_IDS, DTYPES, ELEMENTWISE, NAMES, TWO_DATA,
                      Y_METHODS, elementwise_method_cases, invoke, methods, needed,
                      numeric_params, same_values, strict_fp, variants)

FLOAT_IDS = ["float16", "float32", "float64"]
SENTINEL = 12345.0


def _sample(dtype, n=64, seed=0):
    x = np.random.default_rng(seed).uniform(-8, 8, n)
    x[:4] = [0.0, -3.0, 3.0, 6.0]
    return x.astype(dtype)


def _data_for(f, method, x, args=()):
    """The data operands of one method, built from x (y = f(x) for the from-output forms)."""
    d = f(x, *(args or needed(f))) if method in Y_METHODS else x
    if isinstance(d, tuple):
        d = d[0]
    if method in TWO_DATA:
        return [np.linspace(-2, 2, np.size(x)).reshape(np.shape(x)).astype(np.asarray(x).dtype), d]
    return [d]

def _case(name, method, dtype, n, shape=None):
    """The activation, n sample points (reshaped), its data operands and the expected
    result of the plain call: the common start of the out= and stride tests."""
    f = ACTS[name]
    x = _sample(dtype, n)
    if shape is not None:
        x = x.reshape(shape)
    data = _data_for(f, method, x)
    return f, x, data, invoke(f, method, data)


def _all_method_cases():
    """Every (name, method) of every activation, axis ones included."""
    cases = []
    for n in NAMES:
        f = ACTS[n]
        ms = ["__call__", "backward"] if f.info.kind == "axis" else methods(f)
        cases += [pytest.param(n, m, id=f"{n}.{m}") for m in ms]
    return cases


# ---- the API objects follow the registry -----------------------------------------------------

def test_activations_follow_the_registry():
    from fastact import _registry
    assert list(fastact.ACTIVATIONS) == [a.name for a in _registry.ACTIVATIONS]
    assert list(fastact.GATED) == [a.name for a in _registry.GATED]
    # one activation per record file, and nothing else (the gated ones, kinds "gated" and
    # "glu", in fastact.GATED: tests/test_gated.py)
    folder = pathlib.Path(_registry.__file__).parent / "records"
    files = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert set(fastact.ACTIVATIONS) | set(fastact.GATED) == files
    assert all(a.kind not in _registry.GATED_KINDS for a in _registry.ACTIVATIONS)
    for name, f in fastact.ACTIVATIONS.items():
        assert getattr(fastact, name) is f
        assert f.info is _registry.BY_NAME[name] and f.info.name == name
        assert tuple(f.params) == tuple(f.info.params)
        assert f.has_derivative == (f.info.kind != "axis")
        if f.info.kind == "elementwise":
            assert f.has_from_output == _registry.KERNEL_BY_NAME[f.info.kernel].from_output
        else:                       # the softmax family: backward_from_output
            assert f.has_from_output == (f.info.kind == "axis")
        for m in ("derivative", "backward", "derivative_from_output", "backward_from_output"):
            assert hasattr(f, m) == hasattr(f.reference, m), (name, m)
        assert callable(f.reference)


# ---- dtypes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_result_dtype_is_input_dtype(name, method, dtype):
    f = ACTS[name]
    x = _sample(dtype).reshape(8, 8)
    out = invoke(f, method, _data_for(f, method, x))
    assert out.dtype == dtype and out.shape == x.shape


@pytest.mark.parametrize("name, method, args", elementwise_method_cases())
def test_float16_is_float32_rounded(name, method, args):
    """float16 computes in float32 (parameters as float32) and rounds to float16."""
    f = ACTS[name]
    x16 = _sample(np.float16, 300)          # more than one 256-element block
    d16 = _data_for(f, method, x16, args)
    d32 = [d.astype(np.float32) for d in d16]
    got = invoke(f, method, d16, args)
    with np.errstate(over="ignore"):
        exp = invoke(f, method, d32, args).astype(np.float16)
    assert got.dtype == np.float16
    assert same_values(got, exp)


@pytest.mark.parametrize("name, args", [p for n in ELEMENTWISE for p in
                                        [pytest.param(n, variants(n)[0][1], id=n)]])
def test_float16_every_value(name, args):
    """All 65536 float16 bit patterns through forward and derivative: the float16
    conversions (subnormals, infinities, NaN, rounding to nearest even) agree with NumPy's."""
    f = ACTS[name]
    x16 = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    # the reference's input: NumPy's cast of the signalling NaNs raises "invalid" where the
    # hardware converts (aarch64, as IEEE 754 asks), a flag of NumPy's, not of fastact's
    with np.errstate(invalid="ignore"):
        x32 = x16.astype(np.float32)
    with strict_fp():
        for m in ("__call__", "derivative"):
            got = invoke(f, m, [x16], args)
            with np.errstate(over="ignore"):
                exp = invoke(f, m, [x32], args).astype(np.float16)
            assert same_values(got, exp), m


def test_float16_identity_round_trip():
    x16 = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    y = fastact.linear(x16)
    fin = ~np.isnan(x16)
    assert np.array_equal(y[fin].view(np.uint16), x16[fin].view(np.uint16))   # signed zeros too
    assert np.isnan(y[~fin]).all()


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64,
                                   np.bool_])
@pytest.mark.parametrize("name, method", [c for c in _all_method_cases()
                                          if c.values[1] not in Y_METHODS])
def test_integer_and_bool_compute_in_float64(name, method, dtype):
    f = ACTS[name]
    xi = (np.array([[0, 1, 2, 3, 5, 7]]) if dtype != np.bool_ else
          np.array([[True, False, True, True, False, False]])).astype(dtype)
    data_i = [xi, xi] if method in TWO_DATA else [xi]
    got = invoke(f, method, data_i)
    exp = invoke(f, method, [d.astype(np.float64) for d in data_i])
    assert got.dtype == np.float64
    assert same_values(got, exp)


@pytest.mark.parametrize("name, method", _all_method_cases())
def test_python_scalars_and_lists(name, method):
    f = ACTS[name]
    if method in Y_METHODS:
        vals = [float(v) for v in np.atleast_1d(f(np.array([0.5, -1.0, 2.0]), *needed(f)))]
    else:
        vals = [0.5, -1.0, 2.0]
    data_l = [[1.5, -1.0, 2.0], vals] if method in TWO_DATA else [vals]
    got = invoke(f, method, data_l)
    exp = invoke(f, method, [np.array(d) for d in data_l])
    assert got.dtype == np.float64 and same_values(got, exp)
    # Python int and bool scalars compute in float64 too
    r = invoke(f, method, [2] * len(data_l))
    assert type(r) is np.float64
    r = invoke(f, method, [True] * len(data_l))
    assert type(r) is np.float64


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method", [c for c in _all_method_cases()
                                          if c.values[1] in TWO_DATA
                                          and ACTS[c.values[0]].info.kind != "axis"])
def test_python_scalar_grad_output_is_weak(name, method, dtype):
    """backward(2.0, x) keeps x's dtype (a Python scalar does not promote), and equals
    backward with the gradient as an array of x's dtype."""
    f = ACTS[name]
    x = _sample(dtype, 12)
    d = _data_for(f, method, x)[1]
    for g in (2.0, 2, -0.5):
        got = invoke(f, method, [g, d])
        assert got.dtype == dtype
        assert same_values(got, invoke(f, method, [np.full(d.shape, g, dtype), d]))


@pytest.mark.parametrize("name", AXIS)
def test_axis_backward_broadcasts_over_rows(name):
    """grad_output and y broadcast over the non-axis dimensions (NumPy's gufunc rule)."""
    f = ACTS[name]
    y = f(np.random.default_rng(8).standard_normal((3, 5)))
    g = np.arange(5.0).reshape(1, 5)
    got = f.backward(g, y)
    assert got.shape == (3, 5)
    assert same_values(got, f.backward(np.repeat(g, 3, axis=0), y))
    w = np.float32(y)
    assert f.backward(g.astype(np.float32), w).dtype == np.float32


@pytest.mark.parametrize("name", AXIS)
def test_axis_backward_scalar_grad_output(name):
    f = ACTS[name]
    y = f(np.array([0.5, -1.0, 2.0], np.float32))
    got = f.backward(2.0, y)
    assert got.dtype == np.float32
    assert same_values(got, f.backward(np.full(3, 2.0, np.float32), y))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method, args", [c for c in elementwise_method_cases()
                                                if numeric_params(ACTS[c.values[0]])
                                                and c.id.endswith("x0.5")])
def test_parameters_are_cast_to_the_data_dtype(name, method, args, dtype):
    """A float64 parameter (Python float, NumPy scalar or array) with float32 data gives a
    float32 result, computed with the parameter rounded to float32."""
    f = ACTS[name]
    x = _sample(dtype, 16)
    data = _data_for(f, method, x, args)
    exp = invoke(f, method, data, tuple(dtype(a) for a in args))
    for form in (lambda a: a, np.float64, lambda a: np.array([a]), np.asarray):
        got = invoke(f, method, data, tuple(form(a) for a in args))
        assert got.dtype == dtype
        assert same_values(got, exp)
    # integer parameters are fine too
    got = invoke(f, method, data, tuple(int(round(a)) or 1 for a in args))
    assert got.dtype == dtype


# ---- shapes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_zero_d_gives_numpy_scalar(name, method, dtype):
    f = ACTS[name]
    data = _data_for(f, method, np.array([0.75], dtype))
    data0 = [d[0] for d in data]   # NumPy scalars
    r = invoke(f, method, data0)
    assert isinstance(r, np.generic) and type(r) is dtype, type(r)
    r2 = invoke(f, method, [np.asarray(d) for d in data0])   # 0-d arrays
    assert isinstance(r2, np.generic) and type(r2) is dtype
    full = invoke(f, method, data)
    assert same_values(np.asarray(r), full[0]) and same_values(np.asarray(r2), full[0])


@pytest.mark.parametrize("name", AXIS)
def test_axis_zero_d(name):
    f = ACTS[name]
    one = f.reference([3.0])[0]        # a row of one element: 1 (log: 0)
    y = f(3.0)
    assert type(y) is np.float64 and y == one
    y = f(np.float32(-7.0))
    assert type(y) is np.float32 and y == one
    assert f(np.array(2.0), axis=0) == f(np.array([2.0]))[0]
    assert np.isnan(f(np.nan))
    b = f.backward(2.0, f(3.0))
    assert type(b) is np.float64 and b == 0.0
    out = np.array(SENTINEL)
    assert f(1.5, out=out) is out and out == one
    with pytest.raises(ValueError, match=f"fastact.{name}"):
        f(1.5, axis=1)


@pytest.mark.parametrize("shape", [(0,), (2, 0, 3), (0, 0)])
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_empty(name, method, shape):
    f = ACTS[name]
    for dtype in ALL_FLOAT:
        x = np.empty(shape, dtype)
        data = [x, x] if method in TWO_DATA else [x]
        r = invoke(f, method, data)
        assert r.shape == shape and r.dtype == dtype


@pytest.mark.parametrize("name, method", [c for c in _all_method_cases()
                                          if ACTS[c.values[0]].info.kind != "axis"])
def test_three_d_is_elementwise(name, method):
    f = ACTS[name]
    x = _sample(np.float64, 60).reshape(3, 4, 5)
    got = invoke(f, method, _data_for(f, method, x))
    flat = invoke(f, method, [d.ravel() for d in _data_for(f, method, x)])
    assert got.shape == (3, 4, 5) and same_values(got.ravel(), flat)


# ---- broadcasting -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method", [c for c in _all_method_cases()
                                          if c.values[1] in TWO_DATA
                                          and ACTS[c.values[0]].info.kind != "axis"])
def test_grad_output_and_data_broadcast(name, method, dtype):
    f = ACTS[name]
    x = _sample(dtype, 4).reshape(1, 4)
    d = _data_for(f, method, x)[1]
    g = np.array([[1.0], [-2.0], [0.5]], dtype)
    got = invoke(f, method, [g, d])
    assert got.shape == (3, 4)
    for i in range(3):
        assert same_values(got[i], invoke(f, method, [np.full(4, g[i, 0], dtype), d[0]]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method, args", [c for c in elementwise_method_cases()
                                                if numeric_params(ACTS[c.values[0]])
                                                and ACTS[c.values[0]].info.kind == "elementwise"
                                                and c.id.endswith("default")])
def test_parameters_broadcast(name, method, args, dtype):
    """Each parameter may be an array broadcast against the data (and against the other
    parameters): a column of values gives one row per value."""
    f = ACTS[name]
    x = _sample(dtype, 10)
    data = _data_for(f, method, x, args)
    for j in range(len(args)):
        col = np.array([args[j] * s for s in (0.5, 1.0, 2.0)]).reshape(3, 1)
        p = list(args)
        p[j] = col
        got = invoke(f, method, data, tuple(p))
        assert got.shape == (3, 10) and got.dtype == dtype
        for i in range(3):
            q = list(args)
            q[j] = float(col[i, 0])
            assert same_values(got[i], invoke(f, method, data, tuple(q)))


def test_prelu_per_channel_nchw():
    rng = np.random.default_rng(4)
    for dtype in DTYPES:
        x = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
        w = np.array([0.1, -0.2, 0.3])
        wb = w.astype(dtype).reshape(1, 3, 1, 1)
        y = fastact.prelu(x, w)
        assert y.dtype == dtype
        np.testing.assert_array_equal(y, np.where(x > 0, x, wb * x))
        np.testing.assert_array_equal(fastact.prelu.derivative(x, w),
                                      np.where(x > 0, dtype(1), wb + 0 * x))
        g = rng.standard_normal(x.shape).astype(dtype)
        gx, gw = fastact.prelu.backward(g, x, w)
        assert gx.dtype == dtype and gw.dtype == dtype and gw.shape == (3,)
        np.testing.assert_allclose(gx, g * np.where(x > 0, 1, wb), rtol=2 * np.finfo(dtype).eps)
        exp_w = np.sum((g * np.where(x > 0, 0, x)).astype(np.float64), axis=(0, 2, 3))
        np.testing.assert_allclose(gw, exp_w, rtol=100 * np.finfo(dtype).eps, atol=1e-5)
        # 2-d (N, C): channels on axis 1 still
        x2 = x[:, :, 0, 0]
        np.testing.assert_array_equal(fastact.prelu(x2, w),
                                      np.where(x2 > 0, x2, w.astype(dtype) * x2))
    for bad in (np.array([0.1, 0.2]), np.array([[0.1, 0.2, 0.3]])):
        with pytest.raises(ValueError, match="fastact.prelu"):
            fastact.prelu(np.ones((2, 3, 4)), bad)
    with pytest.raises(ValueError, match="fastact.prelu"):
        fastact.prelu(np.ones(3), np.array([0.1, 0.2, 0.3]))


# ---- out= ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_out_is_returned_and_filled(name, method, dtype):
    f, x, data, exp = _case(name, method, dtype, 24, (4, 6))
    out = np.full(x.shape, SENTINEL, dtype)
    r = getattr(f, method)(*data, *needed(f), out=out)
    r0 = r[0] if isinstance(r, tuple) else r
    assert r0 is out
    assert same_values(out, exp)


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_out_in_place(name, method, dtype):
    """out= the last data operand itself (x, or y for the from-output forms)."""
    f, x, data, exp = _case(name, method, dtype, 24, (4, 6))
    buf = data[-1].copy()
    data2 = data[:-1] + [buf]
    r = getattr(f, method)(*data2, *needed(f), out=buf)
    r0 = r[0] if isinstance(r, tuple) else r
    assert r0 is buf and same_values(buf, exp)
    if method in TWO_DATA:        # in place into grad_output too
        gbuf = data[0].copy()
        r = getattr(f, method)(gbuf, data[1], *needed(f), out=gbuf)
        assert same_values(gbuf, exp)


@pytest.mark.parametrize("name, method", [c for c in _all_method_cases()
                                          if ACTS[c.values[0]].info.kind != "axis"])
def test_out_overlapping_input(name, method):
    f, x, data, exp = _case(name, method, np.float64, 30)
    buf = data[-1].copy()
    getattr(f, method)(*(data[:-1] + [buf]), *needed(f), out=buf[::-1])
    assert same_values(buf[::-1], exp)


def test_rrelu_training_and_softmax_out():
    x = _sample(np.float64, 20)
    out = np.full(20, SENTINEL)
    y, s = fastact.rrelu(x, training=True, rng=3, out=out)
    assert y is out and same_values(out, np.where(x >= 0, x, s * x))
    x2 = x.reshape(4, 5).copy()
    exp = fastact.softmax(x2, axis=0)
    assert fastact.softmax(x2, axis=0, out=x2) is x2 and same_values(x2, exp)


# ---- strides and byte order ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=FLOAT_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_non_contiguous_inputs(name, method, dtype):
    f, x, data, exp = _case(name, method, dtype, 600, (20, 30))
    # every other element, reversed, transposed (Fortran order), and a broadcast operand
    strided = [np.repeat(d, 2, axis=1)[:, ::2] for d in data]
    assert not strided[0].flags.c_contiguous
    assert same_values(invoke(f, method, strided), exp)
    if ACTS[name].info.kind == "axis":    # reversing a row changes the summation order
        rev = [d[::-1, :] for d in data]
        assert same_values(invoke(f, method, rev), exp[::-1, :])
    else:
        rev = [d[::-1, ::-1] for d in data]
        assert same_values(invoke(f, method, rev), exp[::-1, ::-1])
    tr = [np.asfortranarray(d).T for d in data]
    axis_kw = {"axis": 0} if ACTS[name].info.kind == "axis" else {}
    assert same_values(invoke(f, method, tr, **axis_kw), exp.T)
    if method in TWO_DATA and ACTS[name].info.kind != "axis":
        g0 = np.broadcast_to(data[0][:1], data[0].shape)      # stride 0
        assert same_values(invoke(f, method, [g0, data[1]]),
                           invoke(f, method, [np.ascontiguousarray(g0), data[1]]))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_byteswapped_inputs(name, method, dtype):
    f, x, data, exp = _case(name, method, dtype, 40, (5, 8))
    sw = [d.astype(d.dtype.newbyteorder()) for d in data]
    assert not sw[0].dtype.isnative
    got = invoke(f, method, sw)
    assert got.dtype.kind == "f" and got.dtype.itemsize == np.dtype(dtype).itemsize
    assert same_values(got.astype(dtype), exp)
    out = np.full(x.shape, SENTINEL, dtype)
    getattr(f, method)(*sw, *needed(f), out=out)
    assert same_values(out, exp)


@pytest.mark.parametrize("name, method, args", [c for c in elementwise_method_cases()
                                                if numeric_params(ACTS[c.values[0]])
                                                and ACTS[c.values[0]].info.kind == "elementwise"
                                                and c.id.endswith("default")])
def test_parameter_arrays_strided_and_byteswapped(name, method, args):
    f = ACTS[name]
    x = _sample(np.float64, 30)
    data = _data_for(f, method, x, args)
    exp = invoke(f, method, data, args)
    full = [np.full(60, a)[::2] for a in args]
    assert same_values(invoke(f, method, data, tuple(full)), exp)
    sw = [np.full(30, a).astype(">f8") for a in args]
    assert same_values(invoke(f, method, data, tuple(sw)), exp)


# ---- softmax's axis --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", AXIS)
def test_axis_argument(name):
    f = ACTS[name]
    x = np.random.default_rng(6).standard_normal((2, 3, 4))
    for axis in range(-3, 3):
        got = f(x, axis=axis)
        exp = np.moveaxis(f(np.moveaxis(x, axis, -1)), -1, axis)
        assert same_values(got, exp)
        y = got
        g = np.ones_like(x) * np.arange(x.shape[axis]).reshape(
            [-1 if i == axis % 3 else 1 for i in range(3)])
        gb = f.backward(g, y, axis=axis)
        exp_b = np.moveaxis(f.backward(np.moveaxis(g, axis, -1), np.moveaxis(y, axis, -1)),
                            -1, axis)
        assert same_values(gb, exp_b)
    assert same_values(f(x, 1), f(x, axis=1))      # positional axis
    for bad in (3, -4):
        with pytest.raises(ValueError, match=f"fastact.{name}"):
            f(x, axis=bad)
    for bad in (1.0, "1", (0, 1.0)):
        with pytest.raises(TypeError, match=f"fastact.{name}"):
            f(x, axis=bad)
    if "sums to 1" in f.info.output_range:
        np.testing.assert_allclose(f(x, axis=1).sum(axis=1), 1.0, rtol=1e-15)


# ---- bad input, and `out` untouched -------------------------------------------------------------------

BAD_VALUES = [
    pytest.param("abc", id="str"),
    pytest.param(np.array(["a", "b"]), id="str-array"),
    pytest.param(object(), id="object"),
    pytest.param(np.array([object(), 1.0], dtype=object), id="object-array"),
    pytest.param(np.array([1.0, 2.0], dtype=object), id="object-array-of-floats"),
    pytest.param(1 + 2j, id="complex"),
    pytest.param(np.array([1j, 2.0]), id="complex-array"),
    pytest.param(np.longdouble(1.0), id="longdouble"),
    pytest.param([1.0, "a"], id="mixed-list"),
    pytest.param(None, id="None"),
]


def _valid_data(f, method):
    x = np.array([[0.5, -1.0], [2.0, -3.0]])
    return _data_for(f, method, x)


@pytest.mark.parametrize("bad", BAD_VALUES)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_bad_data_raise_typeerror_naming_the_function(name, method, bad):
    f = ACTS[name]
    data = _valid_data(f, method)
    for pos in range(len(data)):
        out = np.full((2, 2), SENTINEL)
        d = list(data)
        d[pos] = bad
        with pytest.raises(TypeError, match=f"fastact\\.{name}"):
            getattr(f, method)(*d, *needed(f), out=out)
        assert (out == SENTINEL).all()


def _param_cases():
    cases = []
    for n in NAMES:
        f = ACTS[n]
        if not numeric_params(f):
            continue
        ms = methods(f)
        cases += [pytest.param(n, m, id=f"{n}.{m}") for m in ms]
    return cases


@pytest.mark.parametrize("bad", [pytest.param("abc", id="str"), pytest.param(1j, id="complex"),
                                 pytest.param(object(), id="object")])
@pytest.mark.parametrize("name, method", _param_cases())
def test_bad_parameters_raise_typeerror_naming_the_function(name, method, bad, request):
    f = ACTS[name]
    data = _valid_data(f, method)
    defaults = [p.default for p in numeric_params(f)]
    for j in range(len(defaults)):
        args = list(defaults)
        args[j] = bad
        out = np.full((2, 2), SENTINEL)
        with pytest.raises(TypeError, match=f"fastact\\.{name}"):
            getattr(f, method)(*data, *args, out=out)
        assert (out == SENTINEL).all()


def _bad_outs(dtype, shape):
    other = np.float32 if dtype == np.float64 else np.float64
    return [
        (TypeError, np.full(shape, SENTINEL, other), "wrong dtype"),
        (TypeError, np.full(shape, SENTINEL, np.float16), "float16"),
        (TypeError, np.full(shape, 12345, np.int64), "int"),
        (ValueError, np.full((3, 3), SENTINEL, dtype), "wrong shape"),
        (ValueError, np.full(shape[:1], SENTINEL, dtype), "too few dims"),
        (ValueError, np.full(shape[:1] + (3,), SENTINEL, dtype), "wrong last dim"),
    ]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, method", _all_method_cases())
def test_bad_out_raises_and_is_untouched(name, method, dtype):
    f = ACTS[name]
    data = [d.astype(dtype) for d in _valid_data(f, method)]
    for exc, out, label in _bad_outs(dtype, (2, 2)):
        before = out.copy()
        with pytest.raises(exc, match=f"fastact\\.{name}"):
            getattr(f, method)(*data, *needed(f), out=out)
        assert np.array_equal(out, before), label
    ro = np.full((2, 2), SENTINEL, dtype)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=f"fastact\\.{name}"):
        getattr(f, method)(*data, *needed(f), out=ro)
    assert (ro == SENTINEL).all()
    with pytest.raises(TypeError, match=f"fastact\\.{name}"):
        getattr(f, method)(*data, *needed(f), out=[[0.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("name", AXIS)
def test_axis_zero_d_bad_out(name):
    with pytest.raises(TypeError, match=f"fastact\\.{name}"):
        ACTS[name](1.0, out=[0.0])


def test_integer_data_with_float32_out_is_refused():
    out = np.full(3, SENTINEL, np.float32)
    with pytest.raises(TypeError, match="fastact.sigmoid"):
        fastact.sigmoid(np.array([1, 2, 3]), out=out)
    assert (out == SENTINEL).all()


def _failing_calls():
    """Parameter errors the spec names, each as (id, callable(out))."""
    x = np.array([[0.5, -1.0], [2.0, -3.0]])
    g = np.ones((2, 2))
    calls = [
        ("gelu-bogus", lambda o: fastact.gelu(x, "bogus", out=o)),
        ("gelu.derivative-bogus", lambda o: fastact.gelu.derivative(x, "exact", out=o)),
        ("gelu.backward-bogus", lambda o: fastact.gelu.backward(g, x, approximate=None, out=o)),
        ("rrelu-lower>upper", lambda o: fastact.rrelu(x, 0.5, 0.1, out=o)),
        ("rrelu-train-lower>upper", lambda o: fastact.rrelu(x, 0.5, 0.1, True, 0, out=o)),
        ("rrelu.derivative-lower>upper", lambda o: fastact.rrelu.derivative(x, 0.5, 0.1, out=o)),
        ("rrelu.backward-no-slopes", lambda o: fastact.rrelu.backward(g, x, training=True, out=o)),
        ("rrelu.derivative-no-slopes",
         lambda o: fastact.rrelu.derivative(x, training=True, out=o)),
        ("prelu-bad-weight", lambda o: fastact.prelu(x, np.array([0.1, 0.2, 0.3]), out=o)),
        ("prelu.backward-bad-weight",
         lambda o: fastact.prelu.backward(g, x, np.array([0.1, 0.2, 0.3]), out=o)),
    ]
    for n in ("celu", "softplus"):       # the parameter that divides must be nonzero
        f = ACTS[n]
        for m in methods(f):
            data = _data_for(f, m, x) if m not in Y_METHODS else (
                [g, np.array([[0.5, -0.5], [1.0, 0.0]])] if m in TWO_DATA
                else [np.array([[0.5, -0.5], [1.0, 0.0]])])
            for zero in (0, 0.0):
                calls.append((f"{n}.{m}-zero-{zero!r}",
                              lambda o, f=f, m=m, d=data, z=zero: getattr(f, m)(*d, z, out=o)))
    for n in ("leaky_relu", "elu", "celu"):  # from-output forms need the parameter >= 0
        f = ACTS[n]
        y = np.array([[0.5, -0.005], [1.0, 0.0]])
        calls.append((f"{n}.derivative_from_output-negative",
                      lambda o, f=f, y=y: f.derivative_from_output(y, -0.5, out=o)))
        calls.append((f"{n}.backward_from_output-negative",
                      lambda o, f=f, y=y: f.backward_from_output(g, y, -0.5, out=o)))
        calls.append((f"{n}.backward_from_output-negative-array",
                      lambda o, f=f, y=y: f.backward_from_output(g, y, np.array([0.5, -0.5]),
                                                                 out=o)))
    return [pytest.param(fn, id=i) for i, fn in calls]


@pytest.mark.parametrize("call", _failing_calls())
def test_parameter_errors_raise_valueerror_and_leave_out_untouched(call):
    out = np.full((2, 2), SENTINEL)
    with pytest.raises(ValueError, match="fastact\\."):
        call(out)
    assert (out == SENTINEL).all()


@pytest.mark.parametrize("zero", [pytest.param(np.float64(0.0), id="float64"),
                                  pytest.param(np.float32(0.0), id="float32")])
@pytest.mark.parametrize("name", ["celu", "softplus"])
def test_zero_parameter_as_numpy_scalar(name, zero):
    out = np.full(2, SENTINEL)
    with pytest.raises(ValueError, match=f"fastact.{name}"):
        ACTS[name](np.array([-1.0, 1.0]), zero, out=out)
    assert (out == SENTINEL).all()


def test_wrong_arguments():
    with pytest.raises(TypeError, match="fastact.leaky_relu"):
        fastact.leaky_relu(1.0, 0.1, 0.2)
    with pytest.raises(TypeError, match="fastact.leaky_relu"):
        fastact.leaky_relu(1.0, slope=0.2)
    with pytest.raises(TypeError, match="fastact.leaky_relu"):
        fastact.leaky_relu(1.0, 0.1, negative_slope=0.2)
    assert fastact.leaky_relu(-1.0, negative_slope=0.2) == -0.2
    assert fastact.hardtanh(5.0, max_val=2.0) == 2.0
    assert fastact.softplus(30.0, threshold=40.0) == pytest.approx(30.0)

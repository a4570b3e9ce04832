"""The compiled fast path of small calls (issue 12; fastact/_fastpath.pyx) changes nothing
but the time: every call gives what the general path (the Python methods of fastact._api)
gives, the same values and dtype or the same error, and an out untouched by a failure.

For every activation with a compiled path (the elementwise ones, prelu, gelu, softmax and
log_softmax; since issue 22 NumPy scalars, 0-d arrays and gelu's option too) and each of
its methods, each call of a matrix (float32 and float64, out= or not, parameters by
default, by position, by keyword, good and bad values, bad data and bad out) is made twice:
through the public method (which takes the fast path when it can) and through the general
path alone.  The calls the fast path is meant for are checked to take it (no Python frame
of fastact runs).  No timing is asserted.
"""

import math
import sys

import numpy as np
import pytest

import fastact
from conftest import ACTS, TWO_DATA, Y_METHODS, methods

SENTINEL = 7.0
FAST = [n for n, f in ACTS.items() if isinstance(f, fastact._fastpath.FastCall)]
F32_MAX = float(np.finfo(np.float32).max)


def _general(f, method):
    """f.method by the general path alone: the Python method that the compiled one hands
    every call it does not take (the forward's is _general_call, the others' the compiled
    method's __wrapped__)."""
    if method == "__call__":
        return f._general_call
    return getattr(f, method).__wrapped__.__get__(f)


def _outcome(call, out):
    """('ok', result, out after) or ('error', type, message, out after)."""
    try:
        r = call()
    except Exception as exc:        # noqa: BLE001 - the very exception is compared
        return ("error", type(exc), str(exc), _snapshot(out))
    return ("ok", r, _snapshot(out))


def _snapshot(out):
    return np.array(out, copy=True) if isinstance(out, np.ndarray) else None


def _same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return a[1] is b[1] and a[2] == b[2] and _equal(a[3], b[3])
    return _equal(a[1], b[1]) and _equal(a[2], b[2])


def _equal(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_equal, a, b))
    return (type(a) is type(b) and np.asarray(a).dtype == np.asarray(b).dtype
            and np.array_equal(a, b, equal_nan=True))


def _fresh_out(out):
    """A copy of out for each path (both write into theirs): same class, strides and
    flags."""
    if not isinstance(out, np.ndarray):
        return out
    c = _strided(out.shape, out.dtype) if not out.flags.contiguous else out.copy()
    c.flags.writeable = out.flags.writeable
    return c


def _strided(shape, dtype):
    """A sentinel array whose last axis has a stride of two elements."""
    return _sentinel(shape[:-1] + (2 * shape[-1],), dtype)[..., ::2]


def check(f, method, data, args=(), kwargs=None, out=None):
    """The public call and the general path agree (same result or same error, and the
    same out afterwards); returns the public call's outcome."""
    kwargs = dict(kwargs or {})
    outs = [_fresh_out(out), _fresh_out(out)]
    results = []
    for call, o in zip((getattr(f, method), _general(f, method)), outs):
        kw = dict(kwargs) if o is None else dict(kwargs, out=o)
        results.append(_outcome(lambda: call(*data, *args, **kw), o))
    fast, general = results
    assert _same(fast, general), (f.name, method, data, args, kwargs, fast, general)
    if isinstance(out, np.ndarray):
        if fast[0] == "error":
            assert (fast[3] == SENTINEL).all(), "out written before an error"
        else:
            assert fast[1] is outs[0]
    return fast


def took_fast_path(call):
    """call() ran no Python function of fastact (the general path is Python)."""
    pkg = fastact.__file__.rsplit("/", 1)[0]
    seen = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(pkg):
            seen.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return not seen


# ---- the data ---------------------------------------------------------------------------

def _x(dtype, shape=(2, 5)):
    v = np.array([-3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 25.0, math.inf, -math.inf, math.nan])
    return np.resize(v, shape).astype(dtype)


def _data(f, method, dtype, shape=(2, 5)):
    """The data operands of f.method: x (special values included), or y = f(x) for the
    from-output forms; grad_output first for the backwards."""
    if f.info.kind == "axis":
        n = math.prod(shape)
        x = np.linspace(-2.0, 3.0, n).reshape(shape).astype(dtype)
        return [x] if method == "__call__" else [np.cos(x), f(x) if method in Y_METHODS else x]
    x = _x(dtype, shape)
    first = f(x) if method in Y_METHODS else x
    if method in TWO_DATA or method == "backward":
        return [np.linspace(-2.0, 2.0, x.size).reshape(shape).astype(dtype), first]
    return [first]


def _half(p):
    """Half a parameter's default, or 0.5 (a default of 0 or None, "not given"); an
    option's other value (gelu's approximate)."""
    if isinstance(p.default, str):
        return next(v for _, v in p.aliases if v != p.default)
    return p.default * 0.5 if p.default else 0.5


def _sentinel(shape, dtype):
    return np.full(shape, SENTINEL, dtype)


def _param_values(p):
    """Values of one parameter: good ones (a float, an int, the default given) and the
    ones the rules refuse or that only the general path takes."""
    if isinstance(p.default, str):        # an option (gelu's approximate), its aliases
        return [p.default, _half(p), *(a for a, _ in p.aliases), np.True_, np.False_,
                np.str_(_half(p)), _half(p).upper(), _half(p) + " ", "", 1, 0, 1.0, None,
                [_half(p)], _half(p).encode()]
    good = p.default * 1.5 if p.default else 0.5
    return [good, 2, p.default, -0.0, 0, 0.0, -0.5, 1e-50, 1e-40, 7e-46, F32_MAX,
            3.4028235677973366e38, 3.5e38, 1e39, -1e39, 1e300, 10 ** 400, -(10 ** 400),
            2 ** 64 + 1, math.inf, -math.inf, math.nan, True, np.float32(good),
            np.float64(good), np.array(good), [good], "a", None, *_numpy_values(p, good)]


def _numpy_values(p, good):
    """NumPy's numbers (issue 22: the fast path takes float32, float64 and integer scalars
    and 0-d arrays), good and bad: out of float32's range, NaN, infinities, zeros, bools,
    the default, and kinds only the general path takes (float16, byte-swapped, 1-d)."""
    default = p.default if isinstance(p.default, float) else 0.5
    return [np.float32(default), np.float64(default), np.array(default, np.float32),
            np.float32(-good), np.float64(-0.0), np.float32(0), np.int64(0), np.int64(2),
            np.int8(-3), np.uint8(200), np.int32(-(2 ** 31)), np.uint64(2 ** 64 - 1),
            np.int64(2 ** 60 + 2 ** 36 + 1), np.longlong(3), np.uint32(7), np.intc(-2),
            np.float64(1e39), np.float64(-3.5e38), np.float64(1e-50), np.float32(1e-40),
            np.float32(math.nan), np.float64(math.nan), np.float32(math.inf),
            np.float64(-math.inf), np.array(1e39), np.array(math.inf, np.float32),
            np.array(math.nan), np.bool_(True), np.array(True), np.float16(good),
            np.longdouble(good), np.array(good, ">f8"), np.array([good]),
            np.array([[good]], np.float32), np.array(2, np.int16), np.complex64(good)]


# ---- the matrix ---------------------------------------------------------------------------

# every method with a compiled path (prelu's backward returns two arrays: Python)
CASES = [(n, m) for n in FAST for m in methods(ACTS[n]) if (n, m) != ("prelu", "backward")]


def _ids(case):
    return f"{case[0]}.{case[1]}"


ELEMENTWISE_CASES = [c for c in CASES if ACTS[c[0]].info.kind != "axis"]   # axis: below


@pytest.mark.parametrize("name, method", ELEMENTWISE_CASES, ids=map(_ids, ELEMENTWISE_CASES))
def test_parameters_positional_keyword_default(name, method):
    f = ACTS[name]
    for dtype in (np.float32, np.float64):
        data = _data(f, method, dtype)
        shape = np.broadcast_shapes(*(d.shape for d in data))
        for out in (None, _sentinel(shape, dtype)):
            check(f, method, data, out=out)                  # defaults
            for i, p in enumerate(f.params):
                for v in _param_values(p):
                    args = [q.default for q in f.params[:i]] + [v]
                    check(f, method, data, args, out=out)    # by position
                    check(f, method, data, kwargs={p.name: v}, out=out)   # by keyword
            if len(f.params) == 2:                           # both, mixed, and the order
                a, b = f.params
                for lo, hi in ((-0.5, 0.5), (0.5, -0.5), (0.5, 0.5), (-math.inf, math.inf),
                               (0.1 + 1e-12, 0.1), (2, 3.0)):
                    check(f, method, data, (lo, hi), out=out)
                    check(f, method, data, (lo,), {b.name: hi}, out=out)
                    check(f, method, data, kwargs={b.name: hi, a.name: lo}, out=out)


@pytest.mark.parametrize("name, method", CASES, ids=map(_ids, CASES))
def test_bad_bindings(name, method):
    f = ACTS[name]
    data = _data(f, method, np.float32)
    names = [p.name for p in f.params]
    calls = [((0.5,) * (len(names) + 1), {}), ((), {"bogus": 1.0}), ((), {"x": data[0]}),
             ((), {"y": data[0]})]
    if names:
        calls.append(((0.5,), {names[0]: 0.5}))
    for args, kwargs in calls:
        check(f, method, data, args, kwargs)
        check(f, method, data, args, kwargs, out=_sentinel(data[-1].shape, np.float32))
    check(f, method, [], (), {})          # no data at all
    check(f, method, data[:-1], (), {})   # one data operand short


def _f16(d):
    """d as float16: beyond its range inf, silently (exponential's y = e^x)."""
    with np.errstate(over="ignore"):
        return d.astype(np.float16)


def _other_data(f, method, dtype):
    """Data of the other kinds: the general path's (float16, byte-swapped, lists, NumPy
    scalars, a subclass, integers, two dtypes, shapes that broadcast or do not) and the
    fast path's rarer ones (strided, 0-d)."""
    data = _data(f, method, dtype)
    n = len(data)
    variants = [
        [_f16(d) for d in data],
        [d.astype(">f4" if dtype == np.float32 else ">f8") for d in data],   # byte-swapped
        [d.tolist() for d in data],
        [d[:, ::2] for d in data],                                           # strided
        [d[0, 0] for d in data],                                             # NumPy scalars
        [d.reshape(-1)[:1].reshape(()) for d in data],                       # 0-d arrays
        [d.view(np.matrix) for d in data],                                   # a subclass
        [np.arange(d.size).reshape(d.shape) - 3 for d in data],              # integers
    ]
    if n == 2:
        variants += [
            [data[0].astype(np.float64), data[1].astype(np.float32)],       # two dtypes
            [data[0][:1], data[1]],                                          # broadcast
            [data[0][:, :1], data[1]],
            [data[0][:, :3], data[1]],                                       # no broadcast
            [1.5, data[1]],                                                  # Python float
        ]
    return variants


@pytest.mark.parametrize("name, method", CASES, ids=map(_ids, CASES))
def test_other_data(name, method):
    f = ACTS[name]
    for dtype in (np.float32, np.float64):
        for data in _other_data(f, method, dtype):
            check(f, method, data)
            if f.params and f.info.kind != "axis":
                check(f, method, data, (_half(f.params[0]),))
            try:
                shape = np.broadcast_shapes(*(np.shape(d) for d in data))
            except ValueError:
                shape = np.shape(data[-1])
            check(f, method, data, out=_sentinel(shape, dtype))


@pytest.mark.parametrize("name, method", CASES, ids=map(_ids, CASES))
def test_bad_out(name, method):
    f = ACTS[name]
    for dtype in (np.float32, np.float64):
        data = _data(f, method, dtype)
        shape = data[-1].shape
        other = np.float64 if dtype == np.float32 else np.float32
        read_only = _sentinel(shape, dtype)
        read_only.flags.writeable = False
        outs = [_sentinel(shape, other), _sentinel(shape, np.float16),
                _sentinel((3,) + shape, dtype),                 # larger: broadcast into it
                _sentinel(shape[::-1], dtype), _sentinel(shape[:1], dtype),
                _sentinel(shape + (1,), dtype), read_only,
                _sentinel(shape, dtype).tolist(), _sentinel(shape, dtype).view(np.matrix),
                _strided(shape, dtype),                          # strided: fast, fine
                _sentinel(shape, ">f4" if dtype == np.float32 else ">f8"), (None,)]
        for out in outs:
            check(f, method, data, out=out)


def test_out_aliasing_the_data():
    for f, method in ((fastact.elu, "__call__"), (fastact.sigmoid, "backward_from_output"),
                      (fastact.softmax, "backward"), (fastact.softmin, "backward_from_output"),
                      (fastact.leaky_relu, "backward"),
                      (fastact.log_softmax, "__call__")):
        args = (0.5,) if f.params and f.info.kind != "axis" else ()
        for k in range(len(_data(f, method, np.float32))):
            data = _data(f, method, np.float32)
            copies = [d.copy() for d in data]
            general = _general(f, method)(*copies, *args, out=copies[k])
            got = getattr(f, method)(*data, *args, out=data[k])
            assert got is data[k] and _equal(got, general)


@pytest.mark.parametrize("name", [n for n in FAST if ACTS[n].info.kind == "axis"])
def test_softmax_axis(name):
    f = ACTS[name]
    axes = [-1, 1, 0, -2, 2, -3, 10 ** 20, np.int64(1), np.int64(-1), True, 1.0, "1", None]
    for dtype in (np.float32, np.float64):
        for method in ("__call__", "backward", "backward_from_output"):
            for shape in ((3, 4), (4,), (2, 3, 4), (3, 0), ()):
                data = _data(f, method, dtype, shape)
                check(f, method, data)
                check(f, method, data, out=_sentinel(shape, dtype))
                for axis in axes:
                    for out in (None, _sentinel(shape, dtype)):
                        check(f, method, data, (axis,), out=out)
                        check(f, method, data, kwargs={"axis": axis}, out=out)
            data = _data(f, method, dtype)
            check(f, method, data, (-1,), {"axis": -1})
            check(f, method, data, (-1, 0))
            check(f, method, data, kwargs={"bogus": 1})


def test_strict_floating_point_errors_propagate_alike():
    # np.errstate(all="raise") makes NumPy raise FloatingPointError for a flag a loop set:
    # both paths run the same loop, and the fast path's C cast of a parameter (1e-40 to a
    # float32 subnormal, 7e-46 to 0: underflow) leaves no flag that NumPy reports.
    x = _x(np.float32)
    with np.errstate(all="raise"):
        for v in (1e-40, 7e-46, 0.3):
            check(fastact.leaky_relu, "__call__", [x], (v,))
            check(fastact.celu, "__call__", [x], (v,))


def test_int_parameters_round_as_float_does():
    x = np.array([-1.0, -0.0, 1.0], np.float64)
    for v in (2 ** 53 + 1, 2 ** 60 + 3, 2 ** 1023 * 3 // 2, 10 ** 308, 2 ** 1024 - 1,
              -(2 ** 53 + 1), 2 ** 128 - 2 ** 103):
        for dtype in (np.float32, np.float64):
            check(fastact.leaky_relu, "__call__", [x.astype(dtype)], (v,))
            check(fastact.hardtanh, "__call__", [x.astype(dtype)], (-v, v))


# ---- the calls of issue 12 take the fast path ------------------------------------------------

def _issue_calls():
    x = np.linspace(-3.0, 3.0, 1000, dtype=np.float32)
    g = np.cos(x)
    y = fastact.sigmoid(x)
    o = np.empty_like(x)
    X = x.reshape(10, 100)
    G, O = g.reshape(10, 100), np.empty_like(X)
    Y, LY = fastact.softmax(X), fastact.log_softmax(X)
    calls = {
        "tanh(x)": lambda: fastact.tanh(x),
        "tanh(x, out=o)": lambda: fastact.tanh(x, out=o),
        "leaky_relu(x, 0.2)": lambda: fastact.leaky_relu(x, 0.2),
        "leaky_relu(x, negative_slope=0.2)": lambda: fastact.leaky_relu(x, negative_slope=0.2),
        "elu(x, alpha=0.5, out=o)": lambda: fastact.elu(x, alpha=0.5, out=o),
        "hardtanh(x, -2, max_val=2.0, out=o)": lambda: fastact.hardtanh(x, -2, max_val=2.0,
                                                                         out=o),
        "prelu(x, 0.2)": lambda: fastact.prelu(x, 0.2),
        "prelu.derivative(x, 0.2, out=o)": lambda: fastact.prelu.derivative(x, 0.2, out=o),
        "softmax(X)": lambda: fastact.softmax(X),
        "softmax(X, axis=1, out=O)": lambda: fastact.softmax(X, axis=1, out=O),
        "softmax.backward(G, X)": lambda: fastact.softmax.backward(G, X),
        "softmax.backward(G, X, 1, out=O)": lambda: fastact.softmax.backward(G, X, 1, out=O),
        "softmin.backward(G, X, axis=-1)": lambda: fastact.softmin.backward(G, X, axis=-1),
        "softmax.backward_from_output(G, Y)":
            lambda: fastact.softmax.backward_from_output(G, Y),
        "softmax.backward_from_output(G, Y, 1, out=O)":
            lambda: fastact.softmax.backward_from_output(G, Y, 1, out=O),
        "log_softmax.backward(G, X)": lambda: fastact.log_softmax.backward(G, X),
        "log_softmax.backward_from_output(G, LY, axis=-1, out=O)":
            lambda: fastact.log_softmax.backward_from_output(G, LY, axis=-1, out=O),
    }
    for name, f in ACTS.items():
        if f.info.kind != "elementwise":
            continue
        kw = {p.name: _half(p) for p in f.params}
        for m in methods(f):
            data = [g, x] if m == "backward" else [g, y] if m in TWO_DATA else [
                y if m in Y_METHODS else x]
            calls[f"{name}.{m}(..., out=o)"] = (
                lambda f=f, m=m, data=data, kw=kw: getattr(f, m)(*data, out=o, **kw))
    return calls


ISSUE_CALLS = _issue_calls()


@pytest.mark.parametrize("label", list(ISSUE_CALLS))
def test_issue_calls_take_the_fast_path(label):
    assert took_fast_path(ISSUE_CALLS[label]), f"{label} ran Python code of fastact"


def test_fallbacks_do_take_the_general_path():
    # the check above would pass vacuously if the profile hook saw nothing
    x = np.ones(4, np.float32)
    assert not took_fast_path(lambda: fastact.leaky_relu(x, np.float16(0.2)))
    assert not took_fast_path(lambda: fastact.leaky_relu(x, np.array([0.2])))
    assert not took_fast_path(lambda: fastact.gelu(x, np.True_))
    assert not took_fast_path(lambda: fastact.leaky_relu(x.astype(np.float16), 0.2))
    assert not took_fast_path(lambda: fastact.softmax(x.reshape(2, 2), axis=0))


# ---- issue 22: NumPy numbers and string options take the fast path ---------------------------

def _x1000(dtype):
    return np.linspace(-3.0, 3.0, 1000).astype(dtype)


def _issue22_calls():
    x = _x1000(np.float32)
    o = np.empty_like(x)
    w32, w64, w0d, i64 = np.float32(0.25), np.float64(0.2), np.array(0.2), np.int64(1)
    return {
        "prelu(x, np.float32(0.25))": lambda: fastact.prelu(x, w32),
        "prelu.derivative(x, np.float64(0.2), out=o)":
            lambda: fastact.prelu.derivative(x, w64, out=o),
        "leaky_relu(x, np.array(0.2))": lambda: fastact.leaky_relu(x, w0d),
        "elu(x, alpha=np.int64(1))": lambda: fastact.elu(x, alpha=i64),
        "hardtanh(x, np.float32(-1), max_val=np.int64(1), out=o)":
            lambda: fastact.hardtanh(x, np.float32(-1), max_val=i64, out=o),
        "silu.backward(x, x, np.float32(1.5))": lambda: fastact.silu.backward(x, x, w32),
        "gelu(x, approximate='tanh')": lambda: fastact.gelu(x, approximate="tanh"),
        "gelu(x, 'none', out=o)": lambda: fastact.gelu(x, "none", out=o),
        "gelu(x, True)": lambda: fastact.gelu(x, True),
        "gelu.derivative(x, approximate=False, out=o)":
            lambda: fastact.gelu.derivative(x, approximate=False, out=o),
        "gelu.backward(x, x, 'tanh')": lambda: fastact.gelu.backward(x, x, "tanh"),
    }


@pytest.mark.parametrize("label", list(_issue22_calls()))
def test_issue22_calls_take_the_fast_path(label):
    assert took_fast_path(_issue22_calls()[label]), f"{label} ran Python code of fastact"


def _leaky(x, w):
    """leaky_relu (and prelu with one slope) in NumPy: w cast as NumPy casts it."""
    w = np.asarray(w).astype(x.dtype)
    return np.where(x > 0, x, x * w)


# (value, the same value as a Python number): NumPy's numbers, each with its Python twin
# where one exists that the loop takes alike
_TWINS = [(np.float32(0.1), float(np.float32(0.1))), (np.float64(0.1), 0.1),
          (np.array(0.1), 0.1), (np.array(0.1, np.float32), float(np.float32(0.1))),
          (np.int64(3), 3), (np.int8(-2), -2), (np.uint16(7), 7), (np.float64(-0.0), -0.0),
          (np.float32(0.25), 0.25), (np.float64(1e-40), 1e-40), (np.int64(-(2 ** 40)), -(2 ** 40))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_numbers_give_the_python_numbers_results(dtype):
    x = _x1000(dtype)
    for v, twin in _TWINS:
        for f in (fastact.leaky_relu, fastact.prelu):
            got, want = f(x, v), f(x, twin)
            assert got.dtype == x.dtype and np.array_equal(got, want)
            assert np.array_equal(got, _leaky(x, v))
        if twin >= -2.5:
            got = fastact.hardtanh(x, -2.5, max_val=v)
            assert np.array_equal(got, fastact.hardtanh(x, -2.5, max_val=twin))
            assert np.array_equal(got, np.clip(x, -2.5, np.asarray(v).astype(dtype)))


def test_integers_cast_to_float32_as_numpy_casts_them():
    # 2**60 + 2**36 + 1: NumPy's cast to float32 rounds once (up, to 2**60 + 2**37); a
    # detour through float64 would round twice (to 2**60 + 2**36, then a tie down to 2**60)
    v = 2 ** 60 + 2 ** 36 + 1
    x = np.array([-1.0, -0.5, 0.0, 2.0], np.float32)
    assert float(np.int64(v).astype(np.float32)) == 2.0 ** 60 + 2.0 ** 37
    for w in (np.int64(v), np.array(v), np.uint64(v), np.array(v, np.uint64)):
        got = fastact.leaky_relu(x, w)
        assert np.array_equal(got, _leaky(x, w)), w
        assert got[0] == -(2.0 ** 60 + 2.0 ** 37)
    # a Python int goes through float(v), as _params._check_scalar does: twice
    assert fastact.leaky_relu(x, v)[0] == -(2.0 ** 60)


def test_default_valued_numpy_numbers_run_the_default_kernel():
    # silu's beta=1.0, given as a NumPy number, runs the kernel without parameters, as
    # the Python float does, on both paths (the general kernel gives the same numbers)
    x = _x1000(np.float32)
    want = fastact.silu(x)
    for v in (np.float32(1), np.float64(1), np.array(1.0), np.int64(1)):
        assert np.array_equal(fastact.silu(x, v), want)
        assert np.array_equal(fastact.silu._general_call(x, v), want)
        assert took_fast_path(lambda: fastact.silu(x, v))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(want, x64 / (1 + np.exp(-x64)), rtol=1e-6, atol=1e-30)


_BAD = [(fastact.leaky_relu, {"negative_slope": np.float32(math.nan)}, ValueError, "NaN"),
        (fastact.leaky_relu, {"negative_slope": np.float64(1e39)}, ValueError,
         "out of float32's range"),
        (fastact.leaky_relu, {"negative_slope": np.array(math.inf)}, ValueError, "finite"),
        (fastact.celu, {"alpha": np.float32(0)}, ValueError, "nonzero"),
        (fastact.celu, {"alpha": np.float64(1e-50)}, ValueError, "rounds to 0"),
        (fastact.hardtanh, {"min_val": np.float32(1), "max_val": np.int64(0)}, ValueError,
         "min_val must be <= max_val"),
        (fastact.softshrink, {"lambd": np.float64(-0.5)}, ValueError, ">= 0.0"),
        (fastact.prelu, {"weight": np.float32(math.nan)}, ValueError, "NaN"),
        (fastact.leaky_relu, {"negative_slope": np.complex64(1)}, TypeError, "real numbers"),
        (fastact.gelu, {"approximate": "TANH"}, ValueError, "approximate must be one of"),
        (fastact.gelu, {"approximate": 1}, ValueError, "approximate must be one of"),
        (fastact.gelu, {"approximate": np.str_("tanh")}, ValueError,
         "approximate must be one of")]


@pytest.mark.parametrize("f, kwargs, exc, text", _BAD, ids=lambda v: getattr(v, "name", None))
def test_bad_numpy_numbers_and_options_fail_alike(f, kwargs, exc, text):
    # the same error as the general path's (by keyword and by position), naming the
    # function and the argument, and out untouched
    x = _x1000(np.float32)
    for args, kw in (((), kwargs), (tuple(kwargs.values()), {})):
        if args and list(kwargs) != [p.name for p in f.params[:len(args)]]:
            continue
        out = _sentinel(x.shape, np.float32)
        fast = check(f, "__call__", [x], args, kw, out=out)
        assert fast[0] == "error" and fast[1] is exc, fast
        assert fast[2].startswith(f"fastact.{f.name}: ") and text in fast[2], fast[2]
        assert (fast[3] == SENTINEL).all()


def test_other_ways_of_calling_give_the_same():
    # the instances are called by the vectorcall protocol; the type's slot (tp_call),
    # partial, ** and the bound __call__ take the same paths
    import functools
    x = _x1000(np.float32)
    want = fastact.elu(x, alpha=0.5)
    for call in (lambda: type(fastact.elu).__call__(fastact.elu, x, alpha=0.5),
                 lambda: fastact.elu.__call__(x, 0.5),
                 lambda: functools.partial(fastact.elu, alpha=np.float32(0.5))(x),
                 lambda: fastact.elu(x, **{"alpha": 0.5}),
                 lambda: fastact.elu(*(x, 0.5))):
        assert np.array_equal(call(), want)
    assert np.array_equal(type(fastact.gelu).__call__(fastact.gelu, x, "tanh"),
                          fastact.gelu(x, approximate=True))
    for bad in (lambda: type(fastact.elu).__call__(fastact.elu), lambda: fastact.elu(),
                lambda: fastact.gelu(x, "tanh", approximate="tanh")):
        with pytest.raises(TypeError):
            bad()


# ---- issue 22: the fast path calls the ufunc's loop itself ------------------------------------

def _layouts(n, dtype):
    """(label, make) pairs: make(base) -> an array of n elements taken from base (a buffer of
    2n + 16 elements), in a layout the loop is called on directly (C-contiguous, aligned)
    or one that goes through NumPy's ufunc call."""
    def unaligned(base):
        raw = np.zeros(n * base.itemsize + 1, np.uint8)
        a = raw[1:].view(dtype)
        a[:] = base[:n]
        return a
    return [("contiguous", lambda b: b[:n]),
            ("shifted", lambda b: b[7:n + 7]),
            ("strided", lambda b: b[:2 * n:2]),
            ("unaligned", unaligned)]


@pytest.mark.parametrize("f, method, args", [
    (fastact.elu, "__call__", (0.5,)), (fastact.hardtanh, "__call__", (-1.0, 2.0)),
    (fastact.gelu, "__call__", ("tanh",)), (fastact.sigmoid, "backward_from_output", ()),
    (fastact.elu, "backward", (0.5,)), (fastact.softmax, "__call__", ()),
    (fastact.log_softmax, "backward", ()), (fastact.softmin, "backward_from_output", ())],
    ids=lambda v: getattr(v, "name", str(v)))
@pytest.mark.parametrize("n", [1000, 300_000])     # 300_000: without the GIL, on threads
def test_direct_loops_take_every_layout_alike(f, method, args, n):
    # Every layout of data and out, out apart from the data, the same memory, or
    # overlapping it in part (NumPy then reads the data as it was: the general path on
    # copies says what is due); large n runs the loop without the GIL and on threads.
    rows = f.info.kind == "axis"
    ndata = len(_data(f, method, np.float32))
    for dtype in (np.float32, np.float64):
        rng = np.random.default_rng(n)
        bases = [rng.uniform(-3, 3, 2 * n + 16).astype(dtype) for _ in range(ndata)]
        if method in Y_METHODS:
            bases[-1] = np.asarray(f(bases[-1], *args) if not rows
                                   else f(bases[-1].reshape(-1, 8)).ravel())
        shape = (n // 100, 100) if rows else (n,)
        for label, make in _layouts(n, dtype):
            data = [make(b).reshape(shape) for b in bases]
            want = _general(f, method)(*[d.copy() for d in data], *args)
            assert _equal(getattr(f, method)(*data, *args), want), (label, dtype)
            out = np.full(shape, SENTINEL, dtype)
            assert getattr(f, method)(*data, *args, out=out) is out
            assert _equal(out, want), (label, dtype)
        # out overlapping the last operand: the same memory, and shifted in part
        for shift in (0, 1, 100, -100):
            buf = [b.copy() for b in bases]
            data = [b[200:200 + n].reshape(shape) for b in buf]
            out = buf[-1][200 + shift:200 + shift + n].reshape(shape)
            want = _general(f, method)(*[d.copy() for d in data], *args)
            assert getattr(f, method)(*data, *args, out=out) is out
            assert _equal(out, want), (shift, dtype)

"""Shared helpers for fastact's tests: the registry as parametrization, point sets,
dtype helpers and the tolerance rule used when kernels are compared with the reference.

Everything is derived from ``fastact.ACTIVATIONS`` (the registry); no test lists the
activations by hand except where it is about one named function.

Tolerances (used by :func:`assert_close`): a kernel result ``a`` is compared with the
reference's ``e`` (a Python float, i.e. double) as

    |a - e| <= k * eps64 * (|e| + c(x))  +  ulps * spacing_dtype(e)  +  floor

* ``k`` is a handful (4 by default).  Both sides compute in double, so eps64 is the unit.
* ``c(x) = |x * e'(x)|`` is the *condition term*: the absolute error that any double
  implementation incurs from rounding one x-dependent intermediate (x/sqrt(2) in GELU,
  x + 0.044715 x^3 in its tanh form, y in the from-output forms).  It is estimated from
  the reference by one-sided differences (the smaller side, so a jump at a kink does not
  inflate it).  It matters only in documented ill-conditioned places: the left tails of
  GELU (both forms; error grows like x^2 and x^3), zero crossings of derivatives (gelu',
  silu', mish' near their minima), and the from-output forms near saturation (tanh, elu,
  celu, selu where y has lost the digits of f'(x)).  Everywhere else c(x) <= |e| and the
  rule is simply "a few eps relative".
* float32 kernels compute in double and round once, so ``ulps = 1`` for float32 (compared
  with ``np.float32(reference(float(np.float32(x))))``), 0 for float64.
* ``floor`` = k subnormal steps times (1 + |x|): results in the subnormal range carry an
  absolute, not relative, rounding error.
NaN must match NaN, and infinities must be equal.
"""

import contextlib
import math
import warnings

import numpy as np
import pytest

import fastact

try:
    from hypothesis import HealthCheck as _HealthCheck
    from hypothesis import settings as _hsettings

    _hsettings.register_profile(
        "fastact", max_examples=60, deadline=None, derandomize=True, database=None,
        # under emulation (tools/check_aarch64.sh's QEMU) drawing the inputs is slow
        suppress_health_check=[_HealthCheck.too_slow] if __import__("os").environ.get(
            "FASTACT_EMULATED") else [])
    _hsettings.load_profile("fastact")
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


def pytest_collection_modifyitems(items):
    # The spec: no RuntimeWarning, ever.  Enforced here as well as by -W error, so that a
    # plain `python -m pytest` (CI) checks it too.
    for item in items:
        item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))


# ---- the registry as parametrization -----------------------------------------------

ACTS = fastact.ACTIVATIONS
NAMES = list(ACTS)
ELEMENTWISE = [n for n, f in ACTS.items() if f.info.kind != "axis"]
AXIS = [n for n, f in ACTS.items() if f.info.kind == "axis"]
# the elementwise from-output forms (the softmax family has backward_from_output alone)
FROM_OUTPUT = [n for n, f in ACTS.items() if hasattr(f, "derivative_from_output")]
WITH_DERIVATIVE = [n for n, f in ACTS.items() if f.has_derivative]
WITH_MAX_DERIVATIVE = [n for n, f in ACTS.items() if f.info.max_derivative is not None]
MONOTONIC = [n for n, f in ACTS.items() if f.info.monotonic]

DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["float32", "float64"]
ALL_FLOAT = [np.float16, np.float32, np.float64]

X_METHODS = ("__call__", "derivative", "backward")
Y_METHODS = ("derivative_from_output", "backward_from_output")
TWO_DATA = ("backward", "backward_from_output")


def methods(f):
    """The elementwise methods f has, forward first."""
    return [m for m in X_METHODS + Y_METHODS if hasattr(f, m)]


def numeric_params(f):
    return [p for p in f.params if isinstance(p.default, (int, float))
            and not isinstance(p.default, bool)]


def variants(name):
    """Parameter sets to test an elementwise activation with, from its registry entry:
    the defaults, and every numeric parameter doubled and halved together (hardtanh
    (-2, 2) and (-0.5, 0.5), softplus (2, 40) and (0.5, 10), rrelu (1/4, 2/3) ...);
    gelu's two forms.  Returns a list of (id, args) with args positional after the data."""
    f = ACTS[name]
    if f.info.kind == "gelu":
        return [("none", ("none",)), ("tanh", ("tanh",))]
    num = numeric_params(f)
    if not num:
        return [("default", ())]
    out = []
    for label, s in (("default", 1.0), ("x2", 2.0), ("x0.5", 0.5)):
        out.append((label, tuple(p.default * s for p in num)))
    return out


def elementwise_variant_cases():
    return [pytest.param(n, args, id=f"{n}-{label}")
            for n in ELEMENTWISE for label, args in variants(n)]


def elementwise_method_cases(include=None):
    cases = []
    for n in ELEMENTWISE:
        for m in methods(ACTS[n]):
            if include is None or m in include:
                for label, args in variants(n):
                    cases.append(pytest.param(n, m, args, id=f"{n}.{m}-{label}"))
    return cases


def needed(f):
    """The arguments a call of f cannot leave out: its required parameters' example
    values, positional after the data (threshold's threshold and value; Param.required)."""
    return tuple(p.default for p in f.params if p.required)


def invoke(f, method, data, args=(), **kw):
    """Call f.<method>(*data, *args, **kw) (args defaulting to needed(f)); the first
    element of a tuple result (prelu's backward gives (grad_x, grad_weight), rrelu in
    training (y, slopes))."""
    if not args and not any(p.name in kw for p in f.params):
        args = needed(f)
    r = getattr(f, method)(*data, *args, **kw)
    return r[0] if isinstance(r, tuple) else r


def cast_args(args, dtype):
    """Parameters as the kernel sees them: cast to the data's dtype (float32 for float16).
    Strings (gelu's approximate) pass through."""
    pdt = np.float32 if dtype == np.float16 else dtype
    return tuple(float(pdt(a)) if isinstance(a, (int, float)) else a for a in args)


# ---- point sets -----------------------------------------------------------------------

# relu & co., hardsigmoid/hardswish, relu6, sparse_plus/sparse_sigmoid
KINKS = (0.0, -3.0, 3.0, 6.0, -1.0, 1.0)


def kink_points(args):
    """Points where a function with these parameters may have a kink or a switch: 0, +-1,
    +-3, 6, each parameter and its negative, and each ratio of two parameters (softplus
    switches to the identity at x = threshold / beta) and (1 - a) / b (hardsigmoid's
    clip(alpha x + beta, 0, 1) reaches 1 at x = (1 - beta) / alpha)."""
    pts = set(KINKS)
    num = [a for a in args if isinstance(a, (int, float))]
    for a in num:
        pts.update((a, -a))
        for b in num:
            if b != 0:
                pts.update((a / b, -a / b, (1 - a) / b))
    return sorted(pts)


_MAGNITUDES = (1e-30, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5,
               2.0, 2.5, 3.5, 4.0, 5.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.5, 25.0, 30.0, 35.0,
               39.5, 40.5, 50.0, 88.0, 89.0, 100.0, 300.0, 709.0, 710.0, 745.0, 746.0,
               747.0, 999.0, 1e3, 1001.0, 1e4, 1e30)


def points(dtype, args=(), neighbours=True):
    """The spread of test points, as a sorted array of `dtype` (finite only).

    +-0, the smallest subnormal and smallest normal of the dtype, 1e-30 .. 1e30 both
    signs (including +-88/89 where float32 exp saturates and +-709/710 and +-745/746
    where float64 does, +-40 and +-1000 where GELU's branches switch), the largest
    finite value / 1e8, the kinks (0, +-1, +-3, 6, the parameters and their ratios) with
    their neighbours one ulp away."""
    fi = np.finfo(dtype)
    mags = list(_MAGNITUDES) + [float(fi.smallest_subnormal), float(fi.smallest_normal),
                                float(fi.max) / 1e8]
    vals = [0.0, -0.0]
    for m in mags:
        vals += [m, -m]
    kinks = kink_points(args)
    vals += kinks
    with np.errstate(over="ignore", under="ignore"):
        arr = np.array(vals, dtype=np.float64).astype(dtype)
        if neighbours:
            k = np.array(kinks, dtype=np.float64).astype(dtype)
            arr = np.concatenate([arr, np.nextafter(k, dtype(np.inf)),
                                  np.nextafter(k, dtype(-np.inf))])
    arr = arr[np.isfinite(arr)]
    return np.unique(arr)


def in_domain(name, x, margin=0.0):
    """The points of x inside the activation's domain (info.domain: logit's [0, 1]), at
    least margin (scalar or per point) from its ends."""
    lo, hi = ACTS[name].info.domain
    x = np.asarray(x)
    return (x - margin >= lo) & (x + margin <= hi)


def grid(name, n=401):
    """A regular grid over the activation's plot range (the registry's)."""
    lo, hi = ACTS[name].info.plot_range
    return np.linspace(lo, hi, n)


def gradients(n, dtype, seed=0):
    """Deterministic grad_output values of both signs and spread magnitudes, with 0 and 1."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n) * np.exp(rng.uniform(-3, 3, n))
    g[::7] = 1.0
    g[3::11] = 0.0
    return g.astype(dtype)


# ---- tolerances -----------------------------------------------------------------------

EPS64 = float(np.finfo(np.float64).eps)


def eps(dtype):
    return float(np.finfo(dtype).eps)


def condition_term(fn, x):
    """|x| * |fn'(x)| estimated from the reference by one-sided differences (the smaller
    side, so a jump at a kink does not count).  0 at 0, at infinities and where fn is
    not finite nearby."""
    if x == 0 or not math.isfinite(x):
        return 0.0
    h = abs(x) * 1e-7
    if h < 1e-290:      # subnormal territory: |x f'(x)| is negligible there anyway
        return 0.0
    try:
        f0, fp, fm = fn(x), fn(x + h), fn(x - h)
    except (OverflowError, ValueError, ZeroDivisionError):
        return 0.0
    if not all(math.isfinite(v) for v in (f0, fp, fm)):
        return 0.0
    return abs(x) * min(abs(fp - f0), abs(f0 - fm)) / h


def assert_close(actual, expected, dtype, scale, x=None, k=4, what="", ulps=None, atol=0.0):
    """Assert |actual - expected| <= k*eps64*scale + ulps*spacing + floor + atol elementwise.

    actual: the kernel's results (any float dtype); expected: the reference's values
    in double (a list or array of Python floats); scale: the per-element scale
    (|e| + c(x)) in double; x: the inputs (for the subnormal floor and the message);
    ulps: the ULPs of dtype allowed on top (default 1 for float32, 0 for float64);
    atol: an absolute allowance on top, scalar or per element (the registry's window
    around the zeros of f' for the float32-native kernels)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    xs = np.zeros_like(e) if x is None else np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        e_d = e.astype(dtype).astype(np.float64)           # the reference rounded to dtype
        if ulps is None:            # float32 kernels that round a double result once
            ulps = 0.0 if dtype == np.float64 else 1.0
        sp = np.spacing(np.abs(e_d.astype(dtype))).astype(np.float64)
        floor = k * float(np.finfo(dtype).smallest_subnormal) * (1.0 + np.abs(xs))
        tol = k * EPS64 * scale + ulps * sp + floor + np.asarray(atol, dtype=np.float64)
        nan_ok = np.isnan(a) == np.isnan(e_d)
        inf_ok = np.where(np.isinf(a) | np.isinf(e_d), a == e_d, True)
        diff = np.abs(a - e_d)
        fin = np.isfinite(a) & np.isfinite(e_d)
        val_ok = np.where(fin, diff <= tol, True)
    ok = nan_ok & inf_ok & val_ok
    if not ok.all():
        bad = np.flatnonzero(~ok.ravel())[:8]
        lines = [f"{what}: {(~ok).sum()} of {ok.size} elements off"]
        for i in bad:
            lines.append(f"  x={xs.ravel()[i]!r} kernel={a.ravel()[i]!r} "
                         f"reference={e_d.ravel()[i]!r} |diff|={diff.ravel()[i]:.3g} "
                         f"tol={tol.ravel()[i]:.3g}")
        pytest.fail("\n".join(lines))


def assert_ulps(actual, expected, n_ulps, what="", floor=0.0):
    """Same dtype arrays within n_ulps of each other (NaN matching NaN), or within an
    absolute floor (for results in the subnormal range)."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    assert a.dtype == e.dtype, (a.dtype, e.dtype)
    with np.errstate(all="ignore"):
        nan_ok = np.isnan(a) == np.isnan(e)
        d = np.abs(a.astype(np.float64) - e.astype(np.float64))
        sp = np.spacing(np.maximum(np.abs(a), np.abs(e))).astype(np.float64)
        ok = nan_ok & ((a == e) | (np.isnan(a) & np.isnan(e)) | (d <= n_ulps * sp + floor))
    if not ok.all():
        i = np.flatnonzero(~ok.ravel())[:8]
        pytest.fail(f"{what}: {(~ok).sum()} elements beyond {n_ulps} ulp: "
                    f"{a.ravel()[i]!r} vs {e.ravel()[i]!r}")


@contextlib.contextmanager
def strict_fp():
    """Floating-point flags raised by a fastact call become errors (over/divide/invalid;
    underflow is NumPy's default 'ignore')."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


def same_values(a, b):
    """Equal elementwise, NaN equal to NaN, same shape."""
    a = np.asarray(a)
    b = np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def native_window_atol(kernel, x, dtype):
    """Near a zero of f' a float32-native derivative's error bound is absolute, not
    relative: the registry's abs_eps * eps32 * M within each window around the zero, M the
    accuracy tool's unit (sup |f'|, or where f' is unbounded max(1, |f'(x)|), so that the
    allowance stays finite); 0 elsewhere, and for the other kernels and dtypes."""
    import fastact._registry as registry
    from fastact.instruments.accuracy import abs_unit, crossing_window, subject
    x = np.asarray(x, dtype=np.float64)
    win = crossing_window(kernel, x) if kernel in registry.FLOAT32_IN_FLOAT else None
    if dtype != np.float32 or win is None:
        return np.zeros(x.shape)
    sub = subject(kernel)
    d = [sub.record.ref_derivative(v, *sub.params) for v in x.ravel().tolist()]
    unit = abs_unit(sub.max_derivative, np.reshape(d, x.shape))
    return np.where(win, sub.accuracy.abs_eps * float(np.finfo(np.float32).eps) * unit, 0.0)


# ---- threads ------------------------------------------------------------------------

OPENMP = fastact._runtime.threads_available()
NO_OPENMP = "built without OpenMP: every loop runs on the calling thread"


def set_threads(n):
    """fastact.set_num_threads(n) for a test.  Where the build has no OpenMP, n > 1 must
    warn and leave one thread: the threaded tests then show that the serial build gives
    the same results, and says it has one thread rather than pretend."""
    if n is not None and n > 1 and not OPENMP:
        with pytest.warns(RuntimeWarning, match="without OpenMP"):
            fastact.set_num_threads(n)
        assert fastact.get_num_threads() == 1
    else:
        fastact.set_num_threads(n)


def run_python(code, timeout=120, **env):
    """Run code in a fresh interpreter with env added to this one's (FASTACT_NUM_THREADS
    only when given); returns the CompletedProcess."""
    import os
    import subprocess
    import sys
    import textwrap
    full = {k: v for k, v in os.environ.items() if k != "FASTACT_NUM_THREADS"}
    full.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=full)


@pytest.fixture
def jax64():
    """JAX with jax_enable_x64 on for the test (restored after), so that float64 stays
    float64 in jax.nn; skips when JAX is not installed."""
    jax = pytest.importorskip("jax")
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield jax
    finally:
        jax.config.update("jax_enable_x64", before)


# ---- the peer stage (tools/check_peers.sh) -------------------------------------------
# Tests that compare with PyTorch, JAX, ONNX Runtime or numba skip when the peer is not
# installed, as it is not in CI's first stage.  They get the `peer` marker here, found
# from their code (the test function, the module-level helpers and fixtures it uses, its
# skipif reasons), so that `pytest -m peer` runs exactly them.  Two guards keep that
# selection honest: a test skipped for a missing peer that is not marked `peer` fails
# (the selection missed it: mark it `@pytest.mark.peer`), and with FASTACT_REQUIRE_PEERS=1
# (the peer stage) any skip for a missing peer fails.
import inspect  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import textwrap  # noqa: E402
import tokenize  # noqa: E402
import types  # noqa: E402

PEER_MODULES = ("torch", "jax", "jaxlib", "numba", "onnx", "onnxruntime")
_PEER_WORD = re.compile(r"\b(%s)\b" % "|".join(PEER_MODULES))
_PEER_STRING = re.compile(r"""[rbuf]*(['"])(%s)(\.\w+)*\1""" % "|".join(PEER_MODULES), re.I)
_PEER_SKIP = re.compile(
    r"could not import '(%s)\b|\b(torch|pytorch|jax|numba|onnx|onnx runtime|onnxruntime)\b"
    r"[^.;]*\bnot installed" % "|".join(PEER_MODULES), re.I)


def pytest_configure(config):
    config.addinivalue_line("markers", "peer: compares with PyTorch, JAX, ONNX Runtime or "
                            "numba and skips without them (run by tools/check_peers.sh)")


def _names_peer(source):
    """The code (not its comments or docstrings) names a peer module: as a name, or as a
    string that is a module path ("torch.nn.functional", importorskip's argument)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline):
            if tok.type == tokenize.NAME and tok.string in PEER_MODULES:
                return True
            if tok.type == tokenize.STRING and _PEER_STRING.fullmatch(tok.string):
                return True
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return bool(_PEER_WORD.search(source))
    return False


_USES_PEER = {}     # code object -> bool (None while being worked out: recursion)


def _uses_peer(fn, module):
    """fn's code, or that of a module-level function of `module` it calls, names a peer."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    if code is None or code in _USES_PEER:
        return bool(_USES_PEER.get(code))
    _USES_PEER[code] = None
    _USES_PEER[code] = result = _uses_peer_uncached(inspect.unwrap(fn), code, module)
    return result


def _uses_peer_uncached(fn, code, module):
    try:
        if _names_peer(inspect.getsource(fn)):
            return True
    except (OSError, TypeError):
        pass
    stack, names = [code], set()
    while stack:                        # names used by fn and its nested functions
        c = stack.pop()
        names.update(c.co_names)
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    if names & set(PEER_MODULES):
        return True
    return any(isinstance(obj, types.FunctionType) and obj.__module__ == module.__name__
               and _uses_peer(obj, module)
               for obj in (getattr(module, n, None) for n in names))


def _needs_peer(item):
    for mark in item.iter_markers("skipif"):
        if _PEER_SKIP.search(str(mark.kwargs.get("reason", ""))):
            return True
    fn = getattr(item, "function", None)
    if fn is None:
        return False
    if _uses_peer(fn, item.module):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info else ()):
        for d in defs:
            mod = inspect.getmodule(d.func)
            if mod is not None and _uses_peer(d.func, mod):
                return True
    return False


def pytest_itemcollected(item):
    if item.get_closest_marker("peer") is None and _needs_peer(item):
        item.add_marker(pytest.mark.peer)


def _peer_skip_reason(report):
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return None
    reason = str(report.longrepr[2])
    return reason if _PEER_SKIP.search(reason) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    reason = _peer_skip_reason(report)
    if reason is None:
        return
    if os.environ.get("FASTACT_REQUIRE_PEERS") == "1":
        msg = f"the peer stage needs every peer installed, but this test skipped: {reason}"
    elif item.get_closest_marker("peer") is None:
        msg = (f"skipped for a missing peer ({reason}) but not marked `peer`, so "
               "tools/check_peers.sh would not run it: add @pytest.mark.peer")
    else:
        return
    report.outcome = "failed"
    report.longrepr = msg


def lazy_dask(fn, *args, **kwargs):
    """fn called inside a dask scheduler that refuses to compute: proves the call is lazy
    (every result a dask array)."""
    import dask
    import dask.array as da

    def refuse(*a, **k):
        raise AssertionError("fastact computed a dask array eagerly")

    with dask.config.set(scheduler=refuse):
        r = fn(*args, **kwargs)
    for part in r if isinstance(r, tuple) else (r,):
        assert isinstance(part, da.Array), type(part)
    return r

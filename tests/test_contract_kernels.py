"""No silent wrong result, no hang, no crash, in the compiled loops (issue 10).

What an adversarial NumPy user can hand a loop: input and output views that overlap
(shifted by one element, in both directions), the raw ufuncs' ``accumulate`` and
``reduce`` (whose loops read the element they wrote just before), float16 through its
block adapter, threads, ``fork`` after a threaded call, absurd thread counts, rows whose
work buffer cannot be allocated, and special values under ``np.errstate(all="raise")``.

The overlap tests compare a call on overlapping views with the same call on separate
copies: the property under test is that aliasing changes nothing, and the copies' values
are held to the pure-Python reference by test_against_reference.py.  The accumulate and
reduce tests compare with the reference's derivative applied step by step.
"""

import math

import numpy as np
import pytest

import fastact
from conftest import (ACTS, ALL_FLOAT, AXIS, ELEMENTWISE, NO_OPENMP, OPENMP, methods,
                      needed, run_python, set_threads)

UFUNCS = fastact.UFUNCS
KERNELS = fastact._dispatch.KERNELS
GRAIN = KERNELS.BUILD["grain"]
N = 3 * GRAIN + 17                 # several threads' chunks, not a multiple of a block


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    set_threads(request.param)                 # (one thread without OpenMP)
    yield request.param
    fastact.set_num_threads(None)


def _data(dtype, n=N, seed=0, lo=-4.0, hi=4.0):
    return np.random.default_rng(seed).uniform(lo, hi, n).astype(dtype)


# ---- overlapping input and output views ---------------------------------------------

def _shifted(method, f, buf, direction):
    """Call f.<method> with its data operands views of buf and out another view of buf
    shifted by one element: 'ahead' reads buf[1:] and writes buf[:-1] (NumPy hands
    this to the loop uncopied), 'behind' the reverse (NumPy copies)."""
    src, dst = (buf[1:], buf[:-1]) if direction == "ahead" else (buf[:-1], buf[1:])
    if method in ("backward", "backward_from_output"):
        g = np.linspace(-2, 2, src.size).astype(buf.dtype)
        getattr(f, method)(g, src, *needed(f), out=dst)
    else:
        getattr(f, method)(src, *needed(f), out=dst)


def _separate(method, f, buf, direction):
    src = (buf[1:] if direction == "ahead" else buf[:-1]).copy()
    if method in ("backward", "backward_from_output"):
        g = np.linspace(-2, 2, src.size).astype(buf.dtype)
        r = getattr(f, method)(g, src, *needed(f))
    else:
        r = getattr(f, method)(src, *needed(f))
    return r[0] if isinstance(r, tuple) else r      # prelu.backward: (grad_x, grad_weight)


@pytest.mark.parametrize("direction", ["ahead", "behind"])
@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_overlapping_views_elementwise(dtype, direction, threads):
    bad = []
    for name in ELEMENTWISE:
        f = ACTS[name]
        for method in methods(f):
            buf = _data(dtype, seed=len(name))
            want = _separate(method, f, buf, direction)
            _shifted(method, f, buf, direction)
            got = buf[:-1] if direction == "ahead" else buf[1:]
            if not np.array_equal(got, want, equal_nan=True):
                bad.append(f"{name}.{method}: {np.flatnonzero(got != want)[:5]}")
    assert not bad, bad


def test_overlapping_views_backward_into_grad(threads):
    # .backward(g[1:], x, out=g[:-1]): the output overlaps grad_output, not x
    for dtype in ALL_FLOAT:
        g = _data(dtype, seed=1)
        x = _data(dtype, n=N - 1, seed=2)
        want = fastact.tanh.backward(g[1:].copy(), x)
        fastact.tanh.backward(g[1:], x, out=g[:-1])
        assert np.array_equal(g[:-1], want, equal_nan=True), dtype


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_overlapping_rows(name, dtype, threads):
    f = ACTS[name]
    rows = 4 * GRAIN // 100
    for shift in (1, 100):           # one element, or one whole row
        buf = _data(dtype, n=rows * 100 + shift, seed=3).reshape(-1)
        src, dst = buf[shift:].reshape(rows, 100), buf[:-shift].reshape(rows, 100)
        want = f(src.copy())
        f(src, out=dst)
        assert np.array_equal(dst, want, equal_nan=True)
        g = _data(dtype, n=rows * 100 + shift, seed=4)
        y = f(_data(dtype, n=rows * 100, seed=5).reshape(rows, 100))
        want = f.backward(g[shift:].reshape(rows, 100).copy(), y)
        f.backward(g[shift:].reshape(rows, 100), y, out=g[:-shift].reshape(rows, 100))
        assert np.array_equal(g[:-shift].reshape(rows, 100), want, equal_nan=True)


# ---- accumulate and reduce on the raw binary ufuncs ---------------------------------

def _binary_ufuncs():
    """(ufunc name, reference f' as a function of one float) for every two-input ufunc:
    the backwards of the kernels without parameters (g * f'(x), g * f'(y))."""
    out = []
    for name in ELEMENTWISE:
        f = ACTS[name]
        if f.info.kind != "elementwise" or f.params:
            continue
        ref = f.reference
        out.append((f.info.kernel + "_backward", ref.derivative))
        if f.has_from_output:
            out.append((f.info.kernel + "_backward_from_output", ref.derivative_from_output))
    return out


BINARY = _binary_ufuncs()


@pytest.mark.parametrize("uname,deriv", BINARY, ids=[u for u, _ in BINARY])
@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_accumulate_and_reduce_follow_the_reference(uname, deriv, dtype):
    # accumulate: out[0] = a[0], out[i] = out[i-1] * f'(a[i]), each step rounded
    a = np.array([-2.0, 0.5, 1.5, -0.25, 3.0, 0.75, 2.0], dtype=dtype)
    want = [float(a[0])]
    for v in a[1:]:
        want.append(float(dtype(want[-1] * deriv(float(v)))))
    tol = 8 * float(np.finfo(dtype).eps) * len(a)
    acc = UFUNCS[uname].accumulate(a)
    np.testing.assert_allclose(acc.astype(float), want, rtol=tol, atol=tol)
    red = UFUNCS[uname].reduce(a)
    np.testing.assert_allclose(float(red), want[-1], rtol=tol, atol=tol)


def test_float16_accumulate_example_from_the_issue():
    a = np.float16([-2, .5, .5, .5])
    assert UFUNCS["linear_backward"].accumulate(a).tolist() == [-2.0] * 4
    assert float(UFUNCS["linear_backward"].reduce(a)) == -2.0


@pytest.mark.parametrize("uname", ["relu_backward", "linear_backward",
                                   "relu_backward_from_output", "relu6_backward"])
@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_large_accumulate_with_threads(uname, dtype, threads):
    # a[0] = 3, then values where f' = 1 (0 < x < 6), one x <= 0 at `cut` (f' = 0 there for
    # the relu family): out is 3 up to cut and 0 from cut on (all 3 for linear)
    n = 200_000
    cut = 150_001
    a = np.full(n, 2.5, dtype=dtype)
    a[0] = 3.0
    a[cut] = -1.0
    out = np.full(n, 7.0, dtype=dtype)
    UFUNCS[uname].accumulate(a, out=out)
    want = np.full(n, 3.0)
    if not uname.startswith("linear"):
        want[cut:] = 0.0
    assert np.array_equal(out, want)
    assert float(UFUNCS[uname].reduce(a)) == want[-1]


# ---- rows without memory for their buffer ---------------------------------------------

@pytest.fixture
def no_row_memory():
    """Every softmax-type row takes the path for a failed malloc (fault injection)."""
    mods = fastact._dispatch.modules()
    for m in mods:
        m._set_row_alloc_limit(0)
    yield
    for m in mods:
        m._set_row_alloc_limit(-1)


ROWS = [[1.0, 2.0, 3.0, -1.0], [0.5, -30.0, 7.25, 7.25], [float("inf"), 1.0, float("inf"), 0.0],
        [float("-inf")] * 4, [float("nan"), 1.0, 2.0, 3.0], [-5.0, -5.0, -5.0, -5.0]]


@pytest.mark.parametrize("name", AXIS)
@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_rows_without_buffer_memory(name, dtype, layout, no_row_memory):
    f = ACTS[name]
    x = np.array(ROWS, dtype=dtype)
    if layout == "strided":
        x = np.asfortranarray(x)
    out = np.full(x.shape, 7.0, dtype=dtype)
    with np.errstate(all="raise"):
        f(x, out=out)
    ulp, tiny = float(np.finfo(dtype).eps), float(np.finfo(dtype).smallest_subnormal)
    for row, got in zip(x, out):
        want = np.array(f.reference([float(v) for v in row])).astype(dtype).astype(float)
        np.testing.assert_allclose(got.astype(float), want, rtol=2 * ulp, atol=2 * tiny)
    g = np.array([[0.5, -1.0, 2.0, 0.25]] * 2, dtype=dtype)
    y = np.array([f.reference(r) for r in ROWS[:2]], dtype=dtype)
    dx = f.backward(g, y)
    for gr, yr, got in zip(g, y, dx):
        want = f.reference.backward([float(v) for v in gr], [float(v) for v in yr])
        np.testing.assert_allclose(got.astype(float), want, rtol=8 * ulp, atol=8 * ulp)


# ---- floating-point flags -------------------------------------------------------------

SPECIAL = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, 1e-310, 1e-45, 1e-30, -1e-30,
           1.0, -1.0, -3.0, 3.0, 6.0, 26.5, -26.5, 88.8, -104.0, 700.0, -700.0, 750.0, -750.0,
           1e38, -1e38, 3.4e38, 1e308, -1e308, 1.7976931348623157e308]


@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_no_floating_point_flag_under_errstate_raise(dtype):
    with np.errstate(all="ignore"):
        x = np.array(SPECIAL, dtype=dtype)
        g = np.array(SPECIAL[::-1], dtype=dtype)
    failed = []
    for name, f in ACTS.items():
        for method in (methods(f) if f.info.kind != "axis" else ["__call__", "backward"]):
            variants = [("none",), ("tanh",)] if f.info.kind == "gelu" else [needed(f)]
            for args in variants:
                data = (g, x) if method in ("backward", "backward_from_output") else (x,)
                try:
                    with np.errstate(all="raise"):
                        getattr(f, method)(*data, *args)
                except FloatingPointError as exc:
                    failed.append(f"{name}.{method}{args}: {exc}")
    assert not failed, failed


def test_issue_examples_raise_no_flag():
    with np.errstate(all="raise"):
        fastact.sigmoid(np.inf)
        fastact.gelu(np.float32(26.5), approximate="tanh")
        fastact.mish(700.0)
        fastact.softsign.derivative(1e308)
        fastact.elu.derivative(-np.inf)


# ---- kinks that follow PyTorch ----------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_FLOAT, ids=["float16", "float32", "float64"])
def test_hardswish_derivative_at_its_kinks_is_pytorchs(dtype):
    # PyTorch 2.13 autograd: 0 at x = -3, 1 at x = 3 (x/3 + 1/2 strictly between)
    x = np.array([-3.0, 3.0, -2.999, 2.999], dtype=dtype)
    d = fastact.hardswish.derivative(x).astype(float)
    assert d[0] == 0.0 and d[1] == 1.0
    np.testing.assert_allclose(d[2:], [x[2] / 3 + 0.5, x[3] / 3 + 0.5], rtol=1e-3)


# ---- threads: float16 uses them, the cap, fork ---------------------------------------

def _python(code, timeout=120, **env):
    """(returncode, stdout, stderr) of code run in a fresh interpreter."""
    r = run_python(code, timeout=timeout, **env)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.skipif(not OPENMP, reason=NO_OPENMP + ": no thread pool to start")
def test_float16_loops_use_threads():
    # _pool_was_started() says a loop ran in parallel (OpenMP's pool exists): true after
    # one large float16 call with 2 threads, and only then
    rc, out, err = _python("""
        import numpy as np, fastact
        k = fastact._dispatch.KERNELS
        fastact.set_num_threads(2)
        fastact.tanh(np.ones(1000, np.float16))
        small = k._pool_was_started()
        fastact.tanh(np.ones(4 * k.BUILD["grain"], np.float16))
        print(small, k._pool_was_started())
    """)
    assert rc == 0, err
    assert out.split() == ["False", "True"]


@pytest.mark.parametrize("n", [10**6, 2**31 - 1, 2**31, 2**64])
def test_set_num_threads_refuses_absurd_counts(n):
    with pytest.raises(ValueError, match=r"fastact\.set_num_threads: n=.*OMP_THREAD_LIMIT"):
        fastact.set_num_threads(n)
    assert fastact.get_num_threads() >= 1


@pytest.mark.skipif(not OPENMP,
                    reason=NO_OPENMP + ": no OMP_THREAD_LIMIT or OMP_NUM_THREADS to follow")
def test_thread_count_from_environment_is_checked_and_capped():
    rc, out, err = _python("import fastact", FASTACT_NUM_THREADS="1000000")
    assert rc != 0 and "FASTACT_NUM_THREADS" in err and "1000000" in err
    rc, out, err = _python("""
        import fastact
        try:
            fastact.set_num_threads(4)
        except ValueError as e:
            print("refused", "OMP_THREAD_LIMIT" in str(e))
        fastact.set_num_threads(3)
        print(fastact.get_num_threads())
    """, OMP_THREAD_LIMIT="3")
    assert rc == 0, err
    assert out.split() == ["refused", "True", "3"]
    # the largest count allowed runs (and the default follows OMP_NUM_THREADS, capped)
    rc, out, err = _python("""
        import numpy as np, fastact
        x = np.linspace(-3, 3, 10**5)
        fastact.set_num_threads(1024)
        a = fastact.tanh(x)
        fastact.set_num_threads(None)
        print(fastact.get_num_threads(), np.array_equal(a, fastact.tanh(x)))
    """, OMP_NUM_THREADS="100000")
    assert rc == 0, err
    assert out.split() == ["1024", "True"]


FORK_SCRIPT = """
import os, sys, warnings, numpy as np, fastact
fastact.set_num_threads(2)
x = np.linspace(-5, 5, 10**6)
want = fastact.tanh(x)
pid = os.fork()
if pid == 0:
    ok = np.array_equal(fastact.tanh(x), want) and fastact.get_num_threads() == 1
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fastact.set_num_threads(2)
    ok = ok and len(w) == 1 and "fork" in str(w[0].message)
    ok = ok and np.array_equal(fastact.softmax(x.reshape(100, -1)),
                               fastact.softmax(x.reshape(100, -1).copy()))
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not OPENMP, reason=NO_OPENMP + ": no OpenMP thread pool for fork() to lose")
def test_fork_after_a_threaded_call_does_not_hang():
    rc, out, err = _python(FORK_SCRIPT, timeout=120)
    assert rc == 0, err
    assert out.split() == ["child", "0"]


@pytest.mark.skipif(not OPENMP, reason=NO_OPENMP + ": no OpenMP thread pool for fork() to lose")
def test_fork_before_any_threaded_call_keeps_threads():
    rc, out, err = _python("""
        import os, numpy as np, fastact
        fastact.set_num_threads(2)
        pid = os.fork()
        if pid == 0:
            fastact.tanh(np.ones(10**6))
            os._exit(0 if fastact.get_num_threads() == 2 else 3)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
    """)
    assert rc == 0, err
    assert out.split() == ["0"]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_multiprocessing_pool_after_a_threaded_call(method):
    rc, out, err = _python(f"""
        import multiprocessing as mp, numpy as np, fastact
        if __name__ == "__main__":
            fastact.set_num_threads(2)
            x = np.linspace(-5, 5, 4 * 10**5)
            fastact.tanh(x)                     # the parent's threads are started
            chunks = np.array_split(x, 4)
            with mp.get_context({method!r}).Pool(2) as pool:
                res = pool.map_async(fastact.tanh, chunks).get(timeout=100)
            print(all(np.array_equal(r, fastact.tanh(c)) for r, c in zip(res, chunks)))
    """, timeout=150)
    assert rc == 0, err
    assert out.split() == ["True"]


# ---- CPU targets -------------------------------------------------------------------

def _ordered(a):
    """Float bits as integers in the order of the values (adjacent floats differ by 1)."""
    bits = a.dtype.itemsize * 8
    i = a.view(np.int64 if bits == 64 else np.int32).astype(np.int64)
    return np.where(i < 0, -(i & ((1 << (bits - 1)) - 1)), i)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_targets_agree_within_the_forward_bounds(dtype):
    # The baseline rounds multiply-adds twice where AVX2 and AVX-512 fuse them (docs/guide/threads.md,
    # "CPU targets and threads"): not bit for bit, but two forwards within 4 ULP of the
    # truth are within 8 ULP of each other.
    mods = fastact._dispatch.modules()
    if len(mods) < 2:
        pytest.skip("one CPU target available here")
    x = np.concatenate([np.linspace(-30, 30, 20001), np.linspace(-1e-3, 1e-3, 2001)])
    x = x.astype(dtype)
    worst = {}
    for name, f in ACTS.items():
        if f.info.kind not in ("elementwise", "gelu"):
            continue
        kernels = [k for k in fastact._registry.KERNELS if k.record == f.info.kernel]
        for kernel in (["gelu", "gelu_tanh"] if f.info.kind == "gelu" else
                       [k.name for k in kernels]):
            # at the defaults, or a general kernel (Record.general_kernel) at its measured set
            args = [dtype(v) for v in fastact._registry.KERNEL_BY_NAME[kernel].accuracy_params]
            outs = [m.UFUNCS[kernel](x, *args) for m in mods]
            for other in outs[1:]:
                d = np.abs(_ordered(outs[0]) - _ordered(other)).max()
                worst[kernel] = max(worst.get(kernel, 0), int(d))
    assert max(worst.values()) <= 8, worst

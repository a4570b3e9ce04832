"""Every CPU variant this machine supports, and the threaded loops, against the reference."""

import io
import math
import os
import re

import numpy as np
import pytest

import fastact
from fastact import _dispatch
from fastact._registry import KERNELS

from conftest import NO_OPENMP, OPENMP, native_window_atol, run_python, set_threads

ISAS = _dispatch.available()
POINTS = [-1e4, -710.0, -89.0, -20.0, -3.0, -1.5, -0.75, -1e-3, -0.0, 0.0, 1e-300, 1e-3,
          0.5, 1.0, 3.0, 6.0, 20.0, 89.0, 710.0, 1e4, math.inf, -math.inf, math.nan]


def _defaults(kernel):
    """The parameter values the registry measures this kernel at: its record's defaults
    (a general kernel's: its record's non-default set)."""
    return list(kernel.accuracy_params)


def _reference(kernel):
    name = kernel.name
    if name == "gelu_tanh":
        ref = fastact.reference.BY_NAME["gelu"]
        return (lambda x: ref(x, "tanh")), (lambda x: ref.derivative(x, "tanh"))
    ref = fastact.reference.BY_NAME[kernel.record]
    p = _defaults(kernel)
    return (lambda x: ref(x, *p)), (lambda x: ref.derivative(x, *p))


def _close(got, want, dtype, atol=0.0):
    # A sanity bound for every variant (8 float32 eps; 1e-12 relative in float64), plus
    # atol; the per-function ULP bounds are the accuracy tests' business.
    rtol = 8 * np.finfo(np.float32).eps if dtype == np.float32 else 1e-12
    with np.errstate(over="ignore"):             # beyond float32: inf (exponential)
        want = np.asarray(want, dtype=np.float64).astype(dtype).astype(np.float64)
    got = got.astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(want)
    with np.errstate(invalid="ignore"):          # inf - inf where both are inf
        near = np.abs(got - want) <= rtol * (np.abs(want) + 1e-300) + atol
    ok = both_nan | (got == want) | near
    return bool(np.all(ok))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_isa_matches_reference(isa, kernel, dtype):
    ufuncs = _dispatch.load(isa).UFUNCS          # that target's kernels, whatever is loaded
    fwd, der = _reference(kernel)
    x = np.array(POINTS, dtype=dtype)
    xs = [float(v) for v in x]
    p = [dtype(v) for v in _defaults(kernel)]
    with np.errstate(all="raise", under="ignore"):
        y = ufuncs[kernel.name](x, *p)
        d = ufuncs[kernel.name + "_derivative"](x, *p)
    assert _close(y, [fwd(v) for v in xs], dtype)
    assert _close(d, [der(v) for v in xs], dtype, native_window_atol(kernel.name, xs, dtype))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", ["sigmoid", "gelu", "leaky_relu", "softmax"])
def test_threaded_loops_match_reference(threads, name):
    """Arrays above the grain run on several threads; the result must not change."""
    f = fastact.ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = rng.uniform(-8, 8, (100, 1000))            # 1e5 elements > GRAIN
    set_threads(threads)                           # (one thread without OpenMP)
    try:
        y = f(x)
    finally:
        fastact.set_num_threads(None)
    rows = x[::17]
    if f.info.kind == "axis":
        want = np.array([f.reference(list(r)) for r in rows])
    else:
        want = np.array([[f.reference(v) for v in r] for r in rows])
    np.testing.assert_allclose(y[::17], want, rtol=1e-12, atol=1e-300)
    if f.info.kind == "axis":
        # the backward from x: the threaded forward, then the threaded from-output loop
        g = rng.standard_normal(x.shape)
        set_threads(threads)
        try:
            dx = f.backward(g, x)
        finally:
            fastact.set_num_threads(None)
        want = np.array([f.reference.backward(list(gr), list(r))
                         for gr, r in zip(g[::17], rows)])
        np.testing.assert_allclose(dx[::17], want, rtol=1e-9, atol=1e-15)


def test_concurrent_callers_get_what_one_caller_gets():
    """Python threads calling the kernels at once, while another changes the thread count,
    get exactly what one caller gets: nothing but the thread settings is shared between
    calls.  Under the GIL the large loops already run at once (NumPy lets go of the GIL
    around them); on free-threaded CPython the compiled fast path and the API's Python
    code do too (docs/guide/threads.md, "Free-threaded Python")."""
    import threading
    rng = np.random.default_rng(3)
    big = rng.uniform(-8, 8, (64, 1024))                 # 65536 elements: threaded loops
    small = rng.uniform(-8, 8, 100).astype(np.float32)   # the compiled fast path
    half = big.astype(np.float16)
    xc, w = rng.uniform(-3, 3, (8, 3, 16)), np.array([0.1, 0.2, 0.3])
    calls = [lambda: fastact.sigmoid(big),
             lambda: fastact.gelu.backward(big, big, "tanh"),
             lambda: fastact.softmax(big),
             lambda: fastact.log_softmax.backward_from_output(big, -big, axis=0),
             lambda: fastact.softmax.backward(big, big),
             lambda: fastact.leaky_relu(small, 0.2),
             lambda: fastact.hardtanh.derivative(small, min_val=-2.0),
             lambda: fastact.tanh.derivative(half),
             lambda: fastact.prelu.backward(xc, xc, w)[1],
             lambda: fastact.rrelu(small, training=True, rng=5)[0]]
    want = [c() for c in calls]
    start, failures = threading.Barrier(5), []

    def caller():
        start.wait()
        for _ in range(10):
            for k, c in enumerate(calls):
                if not np.array_equal(c(), want[k], equal_nan=True):
                    failures.append(k)

    def setter():
        # (without OpenMP, 1 and None: a count above 1 warns, an error under the suite's
        # filter, and pytest.warns is not for threads)
        start.wait()
        for i in range(200):
            fastact.set_num_threads(1 + i % 2 if OPENMP else (1, None)[i % 2])

    threads = [threading.Thread(target=caller) for _ in range(4)]
    threads.append(threading.Thread(target=setter))
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        fastact.set_num_threads(None)
    assert not failures, f"calls that differed: {sorted(set(failures))}"


def test_set_num_threads_validates_and_resets():
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="fastact.set_num_threads"):
            fastact.set_num_threads(bad)
    fastact.set_num_threads(1)
    assert fastact.get_num_threads() == 1
    fastact.set_num_threads(None)
    assert fastact.get_num_threads() >= 1


def _run(code, **env):
    return run_python(code, timeout=60, **env)


def test_environment_variables():
    r = _run("import fastact; print(fastact.get_num_threads())", FASTACT_NUM_THREADS="1")
    assert r.returncode == 0 and r.stdout.strip() == "1", r.stderr
    r = _run("import fastact", FASTACT_NUM_THREADS="zero")
    assert r.returncode != 0 and "FASTACT_NUM_THREADS" in r.stderr
    r = _run("import fastact; print(fastact._dispatch.KERNELS.BUILD['isa'])",
             FASTACT_ISA=_dispatch.FALLBACK)      # baseline; neon on aarch64
    assert r.stdout.strip() == _dispatch.FALLBACK, r.stderr
    r = _run("import fastact", FASTACT_ISA="no-such-isa")
    assert r.returncode != 0 and "FASTACT_ISA" in r.stderr


def test_show_config_names_isa_threads_and_flags(capsys):
    fastact.show_config()
    out = capsys.readouterr().out
    cfg = fastact._runtime.config()
    assert cfg["isa"] == ISAS[0] or os.environ.get("FASTACT_ISA")
    for key in ("isa", "threads", "flags", "compiler", "openmp"):
        assert key in out
    assert "fast-math" not in cfg["flags"] and "Ofast" not in cfg["flags"]


def test_threadpoolctl_sees_and_limits_openmp():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not OPENMP:
        pytest.skip(NO_OPENMP + " (no OpenMP runtime for threadpoolctl to see)")
    fastact.UFUNCS["sigmoid"](np.zeros(10))     # make sure the runtime is loaded
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert fastact.get_num_threads() == 1


def test_a_build_without_openmp_says_it_has_one_thread():
    """Without OpenMP (Clang without libomp, FASTACT_OPENMP=0) fastact must not pretend:
    show_config says openmp False and one thread, set_num_threads(n > 1) warns and leaves
    one thread, and a large call gives what the reference gives (the threaded test above
    runs there too)."""
    cfg = fastact._runtime.config()
    assert cfg["openmp"] is OPENMP
    if OPENMP:
        assert "-fopenmp" in cfg["flags"] or "/openmp" in cfg["flags"]
        fastact.set_num_threads(2)                 # no warning (the suite makes it an error)
        try:
            assert fastact.get_num_threads() == 2
        finally:
            fastact.set_num_threads(None)
        pytest.skip("built with OpenMP: the serial build's behaviour is checked where it is "
                    "built (tools/check_clang.sh)")
    assert cfg["threads"] == 1 and "openmp" not in cfg["flags"]
    buf = io.StringIO()
    fastact.show_config(file=buf)
    assert re.search(r"threads: 1 \(built without OpenMP: no threads\)", buf.getvalue())
    for n in (2, 8):
        with pytest.warns(RuntimeWarning, match=r"fastact\.set_num_threads: .*without OpenMP"):
            fastact.set_num_threads(n)
        assert fastact.get_num_threads() == 1
    fastact.set_num_threads(None)
    assert fastact.get_num_threads() == 1
    # the environment variable is checked the same way
    r = run_python("import warnings, fastact; print(fastact.get_num_threads())",
                   FASTACT_NUM_THREADS="4")
    assert r.returncode == 0 and r.stdout.split() == ["1"], r.stderr
    assert "without OpenMP" in r.stderr

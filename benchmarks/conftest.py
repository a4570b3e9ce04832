"""pytest-benchmark suite for fastact: every activation next to its peers.

Run from the repository root (the suite is not collected by a plain ``python -m pytest``;
pyproject's testpaths is tests/):

    python -m pytest benchmarks                      # everything: slow (many minutes)
    python -m pytest benchmarks --quick              # CI: n=1e3, a few activations, few rounds
    python -m pytest benchmarks -k "sigmoid and float32 and 1e6"
    python -m pytest benchmarks --benchmark-group-by=group --benchmark-columns=min,median,ops

Options added here: ``--quick`` and ``--bench-threads N`` (the thread count of fastact
and of every peer that takes one alike, 1 by default: single-thread figures).

Nothing here asserts a time: on a shared machine the figures are noisy, and CI must not
fail on them.  The only assertions are in test_bench_peers.py: that each peer computes
the same function as fastact (otherwise its figures would mean nothing).
"""

from collections import namedtuple

import pytest

import fastact
from fastact.instruments import peers as _peers

# One benchmark: a case of _peers.cases(), dtype name, n, "forward"/"backward", the
# implementation ("fastact", "fastact_from_x", "reference", or a peer of _peers.ALL_PEERS),
# and the pytest-benchmark group that puts the implementations of one case side by side.
BenchCase = namedtuple("BenchCase", "case dtype n pass_ impl group")

# --quick: one case per kind of API object (a from-output elementwise, an elementwise
# without, gelu in both forms, prelu's two gradients, an axis-wise softmax).
QUICK_CASES = ("sigmoid", "silu", "gelu", "gelu_tanh", "prelu", "softmax")
QUICK_SIZES = (1_000,)
# The pure-Python reference takes ~0.1-1 s per call at 1e5; larger sizes would take forever.
REFERENCE_MAX_N = 100_000
# The dtypes: float32 and float64, and bfloat16 when ml_dtypes is installed (fastact on
# ml_dtypes' arrays beside torch.bfloat16 on the same bits; a peer that does not compute
# in bfloat16 is skipped, see fastact.instruments.peers.build).
DTYPES = tuple(d.__name__ for d in _peers.DTYPES) + (
    ("bfloat16",) if _peers.BFLOAT16 is not None else ())


def pytest_addoption(parser):
    group = parser.getgroup("fastact benchmarks")
    group.addoption("--quick", action="store_true", default=False,
                    help="CI selection: n=1e3, a few activations, minimal rounds")
    group.addoption("--bench-threads", type=int, default=1, dest="bench_threads",
                    help="threads for fastact and the peers (PyTorch's intra-op pool, ONNX "
                         "Runtime's intra_op_num_threads, numba; default 1)")


def pytest_configure(config):
    config.addinivalue_line("markers", "compiled_peer: a JAX or numba peer outside QUICK_CASES "
                                       "(deselected by --quick)")
    threads = config.getoption("bench_threads")
    fastact.set_num_threads(threads)
    config._fastact_threads = threads
    config._fastact_torch_threads = _peers.set_peer_threads(threads)


def pytest_report_header(config):
    versions = _peers.peer_versions()
    missing = [p for p in _peers.ALL_PEERS if p not in versions]
    line = "fastact peers: " + ", ".join(f"{k} {v}" for k, v in versions.items())
    if missing:
        line += f" (not installed, left out: {', '.join(missing)})"
    mode = "quick (n=1e3, a few activations)" if config.getoption("quick") else "full"
    return [line, f"fastact benchmarks: {mode}; threads: "
                  f"{config.getoption('bench_threads')} (fastact and torch alike)"]


def size_id(n):
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10 ** e else str(n)


def bench_params(quick):
    """(case, dtype name, n, pass, impl) for every benchmark, innermost impl."""
    cases = _peers.cases(QUICK_CASES if quick else None)
    sizes = QUICK_SIZES if quick else _peers.SIZES
    out = []
    for case in cases:
        for dname in DTYPES:
            for n in sizes:
                for pass_ in _peers.PASSES:
                    impls = _peers.builders(case, pass_, reference=n <= REFERENCE_MAX_N,
                                            from_x=True)
                    group = f"{case.name} {dname} n={size_id(n)} {pass_}"
                    for impl in impls:
                        out.append(pytest.param(
                            BenchCase(case, dname, n, pass_, impl, group),
                            id=f"{case.name}-{dname}-{size_id(n)}-{pass_}-{impl}"))
    return out


def pytest_generate_tests(metafunc):
    if "bench_case" in metafunc.fixturenames:
        metafunc.parametrize("bench_case", bench_params(metafunc.config.getoption("quick")))


# Peers whose builders compile (a JIT per case): --quick checks them on QUICK_CASES only.
COMPILED_PEERS = ("jax", "numba")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("quick"):
        return
    keep = [item for item in items if not item.get_closest_marker("compiled_peer")]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    # Minimal rounds: the figures are not the point in CI, running every builder is.
    quick = pytest.mark.benchmark(min_rounds=1, max_time=0.002, warmup=False)
    for item in items:
        if "bench_case" in getattr(item, "fixturenames", ()):
            item.add_marker(quick)


try:
    import pytest_benchmark  # noqa: F401
except ImportError:          # the agreement tests still run; the timings need the plugin
    @pytest.fixture
    def benchmark():
        pytest.skip("pytest-benchmark is not installed (pip install pytest-benchmark)")


_DATA = {}


@pytest.fixture
def bench_data():
    """make_data with a cache of one entry: consecutive benchmarks share their inputs
    (the parametrization keeps them together), and 1e7 elements are not kept around."""
    def get(case, dtype, n):
        key = (case.name, dtype, n)
        if key not in _DATA:
            _DATA.clear()
            _DATA[key] = _peers.make_data(case, dtype, n)
        return _DATA[key]
    return get

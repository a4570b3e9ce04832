"""Every activation x dtype (float32, float64, bfloat16 with ml_dtypes) x size x
{forward, backward}: fastact, the pure-Python
reference (n <= 1e5), NumPy, SciPy, PyTorch, JAX, ONNX Runtime and numba (when installed)
in one group each.

The group is "<case> <dtype> n=<size> <pass>", so pytest-benchmark's table puts the
implementations of one case side by side.  extra_info carries the elements per second.
The formulas the peers run are in fastact/instruments/peers.py (shared with ``python -m fastact
bench``).  No assertion on time, ever.
"""

import pytest

from fastact.instruments import peers as _peers


def test_bench(benchmark, bench_case, bench_data, request):
    case, dtype, n, pass_, impl, group = bench_case   # see conftest.BenchCase
    data = bench_data(case, dtype, n)
    builder = _peers.builders(case, pass_, reference=True, from_x=True)[impl]
    try:
        fn = _peers.build(impl, builder, data)   # built and run once, untimed
    except _peers.Unsupported as exc:     # ONNX Runtime's float64 gaps, bfloat16 peers
        pytest.skip(str(exc))

    benchmark.group = group
    benchmark.extra_info.update({
        "case": case.name, "activation": case.activation, "kwargs": dict(case.kwargs),
        "dtype": dtype, "n": data.n, "pass": pass_, "impl": impl,
        "backward_from": (("x" if impl == "fastact_from_x" or not case.from_output else "y")
                          if pass_ == "backward" else None),
        "threads": request.config._fastact_threads,
        "torch_threads": request.config._fastact_torch_threads,
    })
    if impl == "reference" and n > 1_000:
        # Tens to hundreds of milliseconds a call (conftest caps the reference at 1e5):
        # a few rounds, no calibration.
        benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=0)
    else:
        benchmark(fn)

    stats = benchmark.stats          # None with --benchmark-disable
    if stats:
        median = stats.stats.median
        benchmark.extra_info["elements_per_second"] = data.n / median
        benchmark.extra_info["Melem_per_s"] = round(data.n / median / 1e6, 3)

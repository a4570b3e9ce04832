"""The fused losses (fastact.instruments.bench_losses, also ``python -m fastact bench --losses``):
cross_entropy on (1000, 1000) logits (forward, value_and_grad, value_and_grad with
label_smoothing=0.1) and binary_cross_entropy_with_logits on 1e6 (forward and
value_and_grad), fastact next to NumPy and PyTorch in one group each.  The peers are
checked against fastact first; no assertion on time."""

import numpy as np
import pytest

from fastact.instruments import bench_losses as _bench_losses

DTYPES = ("float32", "float64")
_CASES = {}


def _cases(dtype):
    if dtype not in _CASES:
        _CASES.clear()                     # one dtype's arrays at a time
        _CASES[dtype] = _bench_losses.cases(np.dtype(dtype).type)
    return _CASES[dtype]


def _params():
    for dtype in DTYPES:
        for name, pass_ in _bench_losses.LABELS:
            for impl in ("fastact", "numpy", "torch"):
                yield pytest.param(dtype, name, pass_, impl,
                                   id=f"{name}-{dtype}-{pass_}-{impl}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_peers_match_fastact(dtype):
    for fns in _cases(dtype).values():
        _bench_losses.check(fns, 1e-4 if dtype == "float32" else 1e-10)


@pytest.mark.parametrize("dtype, name, pass_, impl", list(_params()))
def test_bench_losses(benchmark, dtype, name, pass_, impl):
    fns = _cases(dtype)[(name, pass_)]
    if impl not in fns:
        pytest.skip(f"{impl} is not installed")
    benchmark.group = f"loss {name} {dtype} {pass_}"
    benchmark.extra_info.update({"case": name, "dtype": dtype, "pass": pass_, "impl": impl})
    benchmark(fns[impl])

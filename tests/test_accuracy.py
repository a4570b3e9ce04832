"""Accuracy of every kernel against its bounds in fastact._registry.ACCURACY (quick mode).

float32: every 4099th bit pattern plus the special values, against the float64 kernel;
float64: a few thousand points per kernel plus the special values, against mpmath.  Each
row (kernel, kind, dtype) must stay within its ULP bound (or its absolute bound near the
zero crossings of f' and for the from-output forms), with no special-value failure and
no floating-point flag.  The full sweep is ``python -m fastact accuracy``.
"""

import math

import numpy as np
import pytest

from fastact import _registry
from fastact.instruments import accuracy

mpmath = pytest.importorskip("mpmath")

KERNELS = [k.name for k in _registry.KERNELS]
AXIS = list(_registry.AXIS_KERNELS)


def _describe(row):
    lines = [f"{row['dtype']} {row['function']} {row['kind']}: max {row['max_ulp']} ULP "
             f"(bound {row['ulp_bound']}), max abs {row['max_abs_eps']} eps*M "
             f"(bound {row['abs_bound_eps']}), {row['failures']} over the bounds, "
             f"{row['special_failures']} special-value failures, flags {row['fp_flags']}"]
    for ex in row["failure_examples"] + row["special_examples"]:
        lines.append(f"  {ex}")
    return "\n".join(lines)


@pytest.fixture(scope="module", params=["float32", "float64"])
def dtype(request):
    return request.param


def test_every_kernel_has_bounds():
    assert set(_registry.ACCURACY) == set(KERNELS)
    assert set(_registry.AXIS_ACCURACY) == set(AXIS)
    for name, acc in _registry.ACCURACY.items():
        # the targets: forward <= 4 ULP, derivative and backward <= 8 ULP,
        # absolute error near crossings below 4 eps max|f'|
        assert acc.forward <= 4 and acc.derivative <= 8 and acc.backward <= 8, name
        assert acc.abs_eps <= 4, name
        for c, w in acc.crossings:
            assert w > 0, name


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "relu6", "hardtanh", "linear"])
def test_piecewise_linear_bounds_are_exact(name):
    acc = _registry.ACCURACY[name]
    # exact; leaky_relu's slope * x is one correctly rounded product
    assert acc.forward == (0.5 if name == "leaky_relu" else 0.0)
    assert acc.derivative == 0.0


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_within_bounds(name, dtype):
    rows = accuracy.measure_kernel(name, dtype, quick=True)
    assert {r["kind"] for r in rows} == set(accuracy.kinds_of(name))
    bad = [r for r in rows if not r["ok"]]
    assert not bad, "\n".join(_describe(r) for r in bad)
    for r in rows:
        assert r["points"] > 1000
        assert r["special_failures"] == 0 and not r["fp_flags"], _describe(r)
        if r["kind"] == "forward" or r["abs_where"] is None:
            assert float(r["max_ulp"]) <= r["ulp_bound"] + 1e-6, _describe(r)


@pytest.mark.parametrize("name", AXIS)
def test_axis_kernel_within_bounds(name, dtype):
    rows = accuracy.measure_kernel(name, dtype, quick=True)
    bad = [r for r in rows if not r["ok"]]
    assert not bad, "\n".join(_describe(r) for r in bad)


def test_measure_returns_one_row():
    row = accuracy.measure("sigmoid", "forward", "float64", quick=True)
    assert row["function"] == "sigmoid" and row["kind"] == "forward"
    assert row["ok"] and float(row["max_ulp"]) <= _registry.ACCURACY["sigmoid"].forward


def test_reference_is_converged():
    # The mpmath references at 180 bits agree with 300 bits to far below an ULP.
    rng = np.random.default_rng(1)
    xs = np.concatenate([rng.uniform(-40, 10, 25), [-0.7517915246935645, -36.0, -745.5]])
    for name in ("gelu", "gelu_tanh", "mish", "silu", "log_sigmoid", "softplus"):
        for which in (0, 1):
            for x in xs.tolist():
                a = accuracy.reference(name, which, x, prec=180)
                b = accuracy.reference(name, which, x, prec=300)
                if isinstance(a, float) or isinstance(b, float):
                    assert a == b or (a != a and b != b)
                    continue
                if b == 0:
                    assert a == 0
                    continue
                assert abs((a - b) / b) < 2.0 ** -120, (name, which, x)
    accuracy.mp_init()         # back to the default precision


def test_ulp_of_the_reference():
    # ulp(r) is that of r's binade: just below a power of two the smaller spacing applies,
    # and at zero the smallest subnormal.
    from fastact.instruments.accuracy import encode, errors64, mp_init
    mp = mp_init()
    r = [mp.mpf(1) - mp.mpf(2) ** -60, mp.mpf(0), mp.mpf(2) ** -1074 * 3]
    ref = encode(r)
    y = np.array([1.0, 5e-324, 1.5e-323])
    err, _, specials = errors64(y, ref, 1.0)
    assert not specials
    assert math.isclose(err[0], 2.0 ** -60 / 2.0 ** -53, rel_tol=1e-9)    # 1/128 ULP
    assert err[1] == 1.0
    assert err[2] == 0.0


def test_cli_quick_json(tmp_path):
    out = tmp_path / "acc.json"
    txt = tmp_path / "acc.txt"
    rc = accuracy.main(["--quick", "--only", "relu,sigmoid", "--dtype", "float64",
                        "--json", str(out), "--out", str(txt), "--workers", "1",
                        "--no-progress"])
    assert rc == 0
    import json
    data = json.loads(out.read_text())
    assert {r["function"] for r in data["rows"]} == {"relu", "sigmoid"}
    assert "max ulp" in txt.read_text()


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_16bit_formats_exhaustive(fmt):
    """Every float16 / bfloat16 input through every kernel and direction: within 1 ULP of
    the format (issue 14's aim), NaN kept, limits exact (fastact.instruments.accuracy16)."""
    from fastact.instruments import accuracy16
    if fmt not in accuracy16.formats():
        pytest.skip("ml_dtypes is not installed")
    rows = accuracy16.measure(fmt)
    assert {r["kernel"] for r in rows} == set(_registry.KERNEL_BY_NAME) | set(AXIS)
    for r in rows:
        assert r["nan_ok"] and r["limits_ok"], r
        if "from_output" not in r["kind"]:
            assert r["max_ulp"] <= 1.0, r

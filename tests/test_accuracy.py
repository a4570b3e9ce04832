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
        assert acc.second_derivative <= 16, name        # issue 23: f'' within 16 ULP
        for c, w in list(acc.crossings) + list(acc.crossings2):
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
    second = {"second_derivative"} if accuracy.second.has_second(name) else set()
    assert {r["kind"] for r in rows} == set(accuracy.kinds_of(name)) | second
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


# ---- the tool's rules for any activation, on synthetic records with NumPy stand-ins ----
# (fastact.instruments.accuracy.facts.Subject: a record and its functions, no kernel)

from fastact.instruments.accuracy import facts, sampling  # noqa: E402
from fastact.records import INF, accuracy as _bounds, record  # noqa: E402

STAR_S, STAR_B = 0.8944271909999159, -0.4472135954999579      # star_relu: s relu(x)^2 + b


def _relu(x):
    return np.maximum(x, 0.0)


def _star_relu():
    """s * relu(x)^2 + b by its plain formula, which cancels at its zero sqrt(-b / s)."""
    rec = record(
        name="star_relu_test", order=1e9,
        ref_forward=lambda x, s=STAR_S, b=STAR_B: s * max(x, 0.0) ** 2 + b,
        ref_derivative=lambda x, s=STAR_S, b=STAR_B: 2 * s * max(x, 0.0),
        mp_forward=lambda x, s, b: s * max(x, 0 * x) ** 2 + b,
        mp_derivative=lambda x, s, b: 2 * s * max(x, 0 * x),
        limits=((STAR_B, INF), (0.0, INF)), accuracy=_bounds(span=8.0), max_derivative=None)
    fns = {"forward": lambda x, s, b: s * _relu(x) ** 2 + b,
           "derivative": lambda x, s, b: 2 * s * _relu(x),
           "backward": lambda g, x, s, b: g * (2 * s * _relu(x))}
    return facts.Subject(rec.name, rec, rec.accuracy, (STAR_S, STAR_B), math.inf, False, fns)


def _squared_relu():
    """relu(x)^2: f' = 2 relu(x) unbounded, from y: 2 sqrt(y); y overflows past 1.3e154."""
    rec = record(
        name="squared_relu_test", order=1e9, from_output=True,
        ref_forward=lambda x: max(x, 0.0) ** 2, ref_derivative=lambda x: 2 * max(x, 0.0),
        mp_forward=lambda x: max(x, 0 * x) ** 2, mp_derivative=lambda x: 2 * max(x, 0 * x),
        limits=((0.0, INF), (0.0, INF)), accuracy=_bounds(span=1e155), max_derivative=None)
    # out=: the float32 measurement writes into its buffers, as into a ufunc's
    fns = {"forward": lambda x, out=None: np.multiply(_relu(x), _relu(x), out=out),
           "derivative": lambda x, out=None: np.multiply(x.dtype.type(2), _relu(x), out=out),
           "backward": lambda g, x, out=None: np.multiply(g, 2 * _relu(x), out=out),
           "derivative_from_output": lambda y, out=None: np.multiply(
               y.dtype.type(2), np.sqrt(y), out=out),
           "backward_from_output": lambda g, y, out=None: np.multiply(g, 2 * np.sqrt(y),
                                                                      out=out)}
    return facts.Subject(rec.name, rec, rec.accuracy, (), math.inf, True, fns)


def _rows(sub, dtype="float64"):
    with np.errstate(all="ignore"):
        return {r["kind"]: r for r in accuracy.measure_kernel(sub, dtype, quick=True)}


def test_zeros_of_f_are_found_from_the_record():
    z, = sampling.zeros_of_f(_star_relu())
    assert z == pytest.approx(math.sqrt(-STAR_B / STAR_S), rel=4e-16)
    assert sampling.zeros_of_f("gelu") == (0.0,) and sampling.zeros_of_f("logit") == (0.5,)
    assert sampling.zeros_of_f("softplus") == ()            # positive everywhere


def test_zero_of_f_sampling_finds_a_cancellation_uniform_sampling_misses():
    sub = _star_relu()
    # the points without the zeros of f: the plain formula looks fine there
    xs = np.concatenate([sampling.special_points64(sub), sampling.sample_points64(sub, 3000)])
    ref_f = accuracy.mp_chunk((sub, sub.params, xs, facts.g_for(len(xs)), accuracy.PREC))[0]
    with np.errstate(all="ignore"):
        y = sub.functions["forward"](xs, *sub.params)
    err = accuracy.errors64(y, ref_f, 1.0)[0]
    assert err.max() < 1e4
    # with them (the measurement's points): the cancellation, ~1e15 ULP at x = 0.7071
    row = _rows(sub)["forward"]
    assert row["max_ulp"] > 1e12 and not row["ok"]
    assert float(row["max_ulp_at"]["x"]) == pytest.approx(0.7071067811865476, rel=1e-12)


def test_from_output_measured_only_where_f_prime_is_a_function_of_y():
    sub = _squared_relu()
    y = np.array([np.inf, 4.0, 0.0, np.nan])
    assert list(facts.from_output_valid(sub, "float64", y)) == [False, True, True, True]
    assert list(facts.from_output_valid(sub, "float32", y)) == [False, True, True, True]
    # selu's positive branch overflows with one f' (its scale), relu's only at x = inf
    for name in ("selu", "relu"):
        assert facts.from_output_valid(name, "float64", y).all()
    for dtype in ("float64", "float32"):
        rows = _rows(sub, dtype)
        for kind in ("derivative_from_output", "backward_from_output"):
            r = rows[kind]
            assert r["skipped"] > 0 and r["special_failures"] == 0 and r["ok"], r
    assert "points left out where y = f(x) overflows" in accuracy.format_table(list(rows.values()))


def test_unbounded_derivative_runs(monkeypatch):
    assert facts.unbounded(None) and facts.unbounded(INF) and not facts.unbounded(0.25)
    assert accuracy.max_derivative("logit") == math.inf            # INF in its record
    # max_derivative=None in a record (was float(None): TypeError)
    monkeypatch.setattr(_registry, "record_of_kernel", lambda name: _squared_relu().record)
    assert accuracy.max_derivative("relu") == math.inf
    monkeypatch.undo()
    assert list(facts.abs_unit(math.inf, [0.0, -3.0])) == [1.0, 3.0]
    assert facts.abs_unit(1.25, [0.0, -3.0]) == 1.25
    rows = _rows(_squared_relu())
    assert all(r["ok"] for r in rows.values()), rows
    assert "f' unbounded" in rows["derivative_from_output"]["abs_where"]
    assert "in eps * max(1, |f'(x)|) (f' unbounded)" in accuracy.format_table(list(rows.values()))

"""JAX, ONNX Runtime and numba as the bench's peers, and its "what it gives up" column.

The peers must compute fastact's functions (a wrong ONNX attribute, such as HardSigmoid's
default alpha of 0.2 where PyTorch's is 1/6, would make their figures meaningless): each
is compared with fastact on the bench's data, to a tolerance loose enough for float32
formulas.  JAX and numba compile per case (seconds each on a busy machine), so only a
few of their cases run here; benchmarks/test_bench_peers.py checks all of them.  Every
test skips when its library is not installed.

The error column is checked against errors made on purpose: a peer that returns the
correctly rounded result moved by k ULP must show between k - 1/2 and k + 1/2, and one
that flushes a tail to zero must show the tail's size in ULP, computed here from the
reference values by NumPy's own spacing.
"""

import json

import numpy as np
import pytest

import fastact
from fastact.instruments import peer_errors as _peer_errors, peers as _peers
from fastact.records._peers import installed

N = 2_000
TOL = {"float32": 2e-4, "float64": 1e-7}
# The JAX and numba cases compiled here: a plain one with a from-y backward, one with a
# parameter (JAX) or two (numba's softplus, backward from x), hardsigmoid (whose ONNX
# attributes differ from PyTorch's), and the softmax rows (JAX).
JAX_CASES = ("sigmoid", "leaky_relu", "hardsigmoid", "softmax")
NUMBA_CASES = ("sigmoid", "softplus")


def _case(name):
    return _peers.cases([name])[0]


def _check(case, dtype, pass_, impl):
    data = _peers.make_data(case, dtype, N)
    impls = _peers.builders(case, pass_, reference=False)
    if impl not in impls:
        pytest.skip(f"no {impl} peer for {case.name} {pass_}")
    expected = _peers.as_numpy(impls["fastact"](data)())
    try:
        got = _peers.as_numpy(impls[impl](data)())
    except _peers.Unsupported as exc:
        pytest.skip(str(exc))
    if isinstance(expected, tuple):
        expected, got = expected[0], got[0]
    got = np.asarray(got)
    assert got.dtype == expected.dtype, f"{impl} returns {got.dtype} for {dtype} input"
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=TOL[dtype],
                               atol=TOL[dtype] * scale * 1e-2)


def _onnx_params():
    for case in _peers.cases():
        if "onnxruntime" in _peers.PEERS.get(case.name, {}):
            for dtype in ("float32", "float64"):
                yield pytest.param(case, dtype, id=f"{case.name}-{dtype}")


@pytest.mark.skipif(not installed("onnx", "onnxruntime"), reason="ONNX Runtime not installed")
@pytest.mark.parametrize("case, dtype", list(_onnx_params()))
def test_onnxruntime_peer_matches_fastact(case, dtype):
    _check(case, dtype, "forward", "onnxruntime")


def test_onnxruntime_has_no_backward():
    for entry in _peers.PEERS.values():
        if "onnxruntime" in entry:
            assert entry["onnxruntime"].backward is None


@pytest.mark.skipif(not installed("jax"), reason="JAX not installed")
@pytest.mark.parametrize("pass_", _peers.PASSES)
@pytest.mark.parametrize("name", JAX_CASES)
def test_jax_peer_matches_fastact(name, pass_):
    _check(_case(name), "float32", pass_, "jax")


@pytest.mark.skipif(not installed("jax"), reason="JAX not installed")
def test_jax_peer_computes_float64_in_float64():
    # jax_enable_x64 is on once a JAX builder ran: float64 is not silently float32
    _check(_case("sigmoid"), "float64", "forward", "jax")


@pytest.mark.skipif(not installed("numba"), reason="numba not installed")
@pytest.mark.parametrize("dtype", ("float32", "float64"))
@pytest.mark.parametrize("pass_", _peers.PASSES)
@pytest.mark.parametrize("name", NUMBA_CASES)
def test_numba_peer_matches_fastact(name, pass_, dtype):
    _check(_case(name), dtype, pass_, "numba")


def _specs(monkeypatch, engine):
    """{record: what its peers() passes to engines() for engine}, caught by calling each
    record's peers() with engines() replaced."""
    from fastact import _registry
    from fastact.records import _peers as engines
    seen, out = {}, {}
    monkeypatch.setattr(engines, "engines", lambda **kw: seen.update(kw) or {})
    for name, rec in _registry.BY_NAME.items():
        seen.clear()
        if rec.peers is not None:
            rec.peers()
        if seen.get(engine) is not None:
            out[name] = seen[engine]
    return out


@pytest.mark.skipif(not installed("onnx"), reason="onnx not installed")
def test_onnx_specs_name_real_ops(monkeypatch):
    import onnx
    from fastact.records._peers import Onnx
    specs = _specs(monkeypatch, "onnx")
    assert specs
    for name, spec in specs.items():
        spec = spec if isinstance(spec, Onnx) else Onnx(spec)
        schema = onnx.defs.get_schema(spec.op, spec.opset)
        assert schema.since_version <= spec.opset, (name, spec.op)


@pytest.mark.skipif(not installed("jax"), reason="JAX not installed")
def test_jax_specs_name_real_functions(monkeypatch):
    import jax.nn
    for name, spec in _specs(monkeypatch, "jax").items():
        if isinstance(spec, str):
            assert callable(getattr(jax.nn, spec, None)), (name, spec)


# ---- the error column -----------------------------------------------------------------------

def _perturbed(scan, k):
    """A builder returning the correctly rounded forward moved down by k ULP."""
    ref = scan.ref["forward"]
    r = ref if scan.dtype == "float32" else ref["rd"]
    y = r.astype(scan.dtype)
    for _ in range(k):        # downwards: a step across a power of 2 is smaller, not larger
        y = np.nextafter(y, -np.inf)
    return lambda d: (lambda: y)


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_error_column_measures_a_known_error(dtype):
    scan = _peer_errors.Scan(_case("sigmoid"), dtype, stride=1 << 20, points64=200)
    errs = _peer_errors.errors(scan, "forward", {"exact": _perturbed(scan, 0),
                                                 "three": _perturbed(scan, 3)})
    assert errs["exact"] <= 0.5 + 1e-9
    assert 2.5 - 1e-9 <= errs["three"] <= 3.5 + 1e-9
    # fastact itself, on the same scan, within its bound
    own = _peer_errors.errors(scan, "forward", {"fastact": _peers.fastact_forward})
    assert own["fastact"] <= 4.0


def test_error_column_shows_a_flushed_tail():
    scan = _peer_errors.Scan(_case("sigmoid"), "float32", stride=1 << 16)
    r = scan.ref["forward"]
    y = r.astype(np.float32)
    tail = np.abs(r) < 1e-30
    y[tail] = 0
    errs = _peer_errors.errors(scan, "forward", {"flush": lambda d: (lambda: y)})
    expected = float(np.max(r[tail] / np.spacing(np.abs(r[tail]).astype(np.float32))))
    assert expected > 1e6                          # the tail holds normal floats
    assert errs["flush"] == pytest.approx(expected, rel=0.01)


def test_error_column_is_inf_for_nan():
    scan = _peer_errors.Scan(_case("tanh"), "float32", stride=1 << 20)
    y = scan.ref["forward"].astype(np.float32)
    y[len(y) // 3] = np.nan
    assert _peer_errors.errors(scan, "forward", {"nan": lambda d: (lambda: y)})["nan"] == np.inf


def test_error_column_softmax_rows():
    """softmax rows in the accuracy tool's units: fastact within its bound, and a result
    off by 1% of each value far outside it."""
    scan = _peer_errors.Scan(_case("softmax"), "float32")
    y = _peers.fastact_forward(scan.data)()
    errs = _peer_errors.errors(scan, "forward", {"fastact": _peers.fastact_forward,
                                                 "off": lambda d: (lambda: y * 1.01)})
    assert errs["fastact"] <= 4.0
    assert errs["off"] > 100


def test_bench_prints_the_new_peers_and_the_error_table(capsys, tmp_path):
    """The bench end to end on a tiny n: the engines' columns and the error table."""
    from fastact.instruments import bench
    out = tmp_path / "bench.json"
    assert bench.main(["--n", "1000", "--repeats", "1", "--only", "hardsigmoid",
                       "--dtype", "float32", "--ref-n", "0", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "What each gives up" in text
    # the header names the target the kernels ran on (set by FASTACT_ISA or the best here)
    from fastact import _dispatch
    assert f"kernels: the {_dispatch.KERNELS.isa} target" in text
    assert json.loads(out.read_text())["meta"]["target"].startswith(
        f"kernels: the {_dispatch.KERNELS.isa} target")
    heads = {"jax": installed("jax"), "onnxrt": installed("onnx", "onnxruntime"),
             "numba": installed("numba")}
    header = next(line for line in text.splitlines() if line.startswith("function"))
    for head, present in heads.items():
        assert (head in header) == present, head
    rows = json.loads(out.read_text())["table"]
    fwd = next(r for r in rows if r["pass"] == "forward")
    # within its record's bound (1 ULP: the float32 kernel is two FMAs, 0.67 ULP measured)
    assert fwd["max_error"]["fastact"] <= fastact._registry.ACCURACY["hardsigmoid"].forward
    assert fwd["max_error"]["numpy"] > 1e3      # x / 6 + 0.5 cancels near x = -3


def test_bench_runs_a_gated_case_with_the_error_table():
    # the gated functions have two operands, which the error scan does not take: their
    # error column is "-", and the run goes on (it once stopped the whole bench)
    from fastact.instruments import bench
    rows = bench.run(n=1000, repeats=1, dtypes=("float32",), cases=[_case("swiglu")],
                     ref_n=0)
    fastact_rows = [r for r in rows if r.get("impl") == "fastact"]
    assert {r["pass"] for r in fastact_rows} == set(_peers.PASSES)
    assert all(r["max_error"] is None for r in fastact_rows)
    assert not _peer_errors.scanned(_case("swiglu"))
    assert _peer_errors.scanned(_case("sigmoid"))


def test_bench_limits_runs_every_activation():
    # `bench --limits` calls every activation, threshold's required parameters included
    # (it once stopped at threshold): each appears in its lines
    from fastact import ACTIVATIONS
    from fastact.instruments import bench
    lines = bench.run_limits(["float32"], 1, n=1000, small_n=100)
    text = "\n".join(lines)
    for name in ACTIVATIONS:
        assert f"  {name} " in text, name


def test_bench_row_option(capsys):
    # --row sets the softmax rows' length (attention rows of 64 to 256) for that run only
    from fastact.instruments import bench
    before = _peers.SOFTMAX_ROW
    assert bench.main(["--only", "softmax", "--dtype", "float32", "--row", "64", "--n", "6400",
                       "--repeats", "1", "--ref-n", "0", "--no-errors"]) == 0
    assert "softmax: rows of 64" in capsys.readouterr().out
    assert _peers.SOFTMAX_ROW == before


# ---- the 16-bit formats --------------------------------------------------------------------

needs_bf16 = pytest.mark.skipif(_peers.BFLOAT16 is None, reason="ml_dtypes not installed")
needs_torch = pytest.mark.skipif(_peers.torch_module() is None, reason="torch not installed")


@needs_bf16
@needs_torch
def test_torch_gets_the_same_bfloat16_bits():
    import torch
    from fastact.records._peers import tensor
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(_peers.BFLOAT16)
    t = tensor(x)
    assert t.dtype == torch.bfloat16 and t.shape == x.shape
    back = _peers.as_numpy(t)
    assert back.dtype == _peers.BFLOAT16
    assert np.array_equal(back.view(np.uint16), x.view(np.uint16))
    # and torch reads them as the same numbers (finite ones: the cast compares values)
    with np.errstate(invalid="ignore"):           # ml_dtypes' casts warn on NaN
        x32 = x.astype(np.float32)
    fin = np.isfinite(x32)
    assert np.array_equal(t.float().numpy()[fin], x32[fin])


@pytest.mark.parametrize("dtype", _peers.DTYPES16)
def test_build_leaves_out_a_peer_without_the_format(dtype):
    if dtype == "bfloat16" and _peers.BFLOAT16 is None:
        pytest.skip("ml_dtypes not installed")
    data = _peers.make_data(_case("sigmoid"), dtype, 100)
    assert data.x.dtype == _peers.as_dtype(dtype)
    promotes = lambda d: (lambda: d.x.astype(np.float32))      # noqa: E731
    raises = lambda d: (lambda: 1 / 0)                          # noqa: E731
    keeps = lambda d: (lambda: d.x.copy())                      # noqa: E731
    for builder in (promotes, raises):
        with pytest.raises(_peers.Unsupported):
            _peers.build("numpy", builder, data)
    assert _peers.build("numpy", keeps, data)().dtype == data.x.dtype
    # fastact is never left out: its failure is an error
    with pytest.raises(ZeroDivisionError):
        _peers.build("fastact", raises, data)


def _perturbed16(scan, k):
    """The correctly rounded forward moved down by k ULP of the 16-bit format (sigmoid's
    results are >= 0: one step down is the bit pattern minus one; zeros stay)."""
    dt = _peers.as_dtype(scan.dtype)
    bits = scan.ref["forward"].astype(dt).view(np.uint16)
    down = np.where(bits >= k, bits - np.uint16(k), bits).astype(np.uint16)
    y = down.view(dt)
    return lambda d: (lambda: y)


@pytest.mark.parametrize("dtype", _peers.DTYPES16)
def test_error_column_16bit_in_its_own_ulp(dtype):
    """Every bit pattern of the format, in ULP of the format: the correctly rounded
    result shows at most 1/2, one moved by 3 ULP between 2.5 and 3.5, and fastact's
    16-bit forward at most 1 (accuracy16's bound)."""
    if dtype == "bfloat16" and _peers.BFLOAT16 is None:
        pytest.skip("ml_dtypes not installed")
    scan = _peer_errors.Scan(_case("sigmoid"), dtype)
    assert scan.data.n == {"float16": 63_488, "bfloat16": 65_280}[dtype]   # the finite ones
    errs = _peer_errors.errors(scan, "forward", {"exact": _perturbed16(scan, 0),
                                                 "three": _perturbed16(scan, 3),
                                                 "fastact": _peers.fastact_forward})
    assert errs["exact"] <= 0.5 + 1e-9
    assert 2.5 - 1e-9 <= errs["three"] <= 3.5 + 1e-9
    assert errs["fastact"] <= 1.0
    # sigmoid's backward is timed from y, rounded to the format first: that rounding
    # propagates (accuracy16 reports the from-output forms without holding them to 1)
    back = _peer_errors.errors(scan, "backward", {"fastact": _peers.fastact_backward})
    assert back["fastact"] <= 2.0


@needs_bf16
@needs_torch
def test_bench_bfloat16_beside_torch(capsys, tmp_path):
    """--dtype bfloat16 end to end: fastact and torch.bfloat16 timed on the same data, with
    their errors in bfloat16 ULP; a peer that cannot compute in bfloat16 is absent, not an
    error.  The default run stays float32 and float64."""
    from fastact.instruments import bench
    out = tmp_path / "bench.json"
    assert bench.main(["--n", "2000", "--repeats", "1", "--only", "sigmoid,softmax,gelu",
                       "--dtype", "bfloat16", "--ref-n", "0", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "bfloat16" in text and "error:" not in text
    d = json.loads(out.read_text())
    assert d["meta"]["dtypes"] == ["bfloat16"]
    assert all("error" not in r for r in d["results"])
    rows = {(r["function"], r["pass"]): r for r in d["table"]}
    for key, row in rows.items():
        assert row["dtype"] == "bfloat16"
        assert {"fastact", "torch"} <= set(row["melem_per_s"]), key
        assert row["max_error"]["fastact"] <= 1.0, key     # bfloat16 ULP (row units: softmax)
        assert row["max_error"]["torch"] is not None, key
    assert bench._parser().parse_args([]).dtype == "float32,float64"


def test_bench_dtype_choices(capsys):
    from fastact.instruments import bench
    p = bench._parser()
    args = p.parse_args(["--dtype", "float16,float32"])
    assert bench._select(p, args)[0] == ["float16", "float32"]
    with pytest.raises(SystemExit):
        bench._select(p, p.parse_args(["--dtype", "int8"]))
    with pytest.raises(SystemExit):
        bench.main(["--limits", "--dtype", "float16"])
    assert "float32 and float64 only" in capsys.readouterr().err


def test_records_make_torch_tensors_through_the_generic_layer():
    # records/_peers.tensor turns bfloat16 into torch.bfloat16 (torch.from_numpy refuses
    # ml_dtypes' arrays): a record calling from_numpy itself would break its bfloat16 case
    import pathlib
    from fastact import records
    folder = pathlib.Path(records.__file__).parent
    offenders = [p.name for p in folder.glob("*.py")
                 if p.name != "_peers.py" and "from_numpy" in p.read_text(encoding="utf-8")]
    assert not offenders


# ---- --masked and --functions (fastact.instruments.bench_groups) ----------------------------

@pytest.mark.parametrize("group, sizes", [
    ("masked", {"MASKED_SHAPE": (2, 16, 16)}),
    ("functions", {"ROWS_SHAPE": (8, 32), "N": 500}),
])
def test_bench_groups_run_every_case(group, sizes, capsys, monkeypatch):
    # every case gets a line with fastact's time and each installed peer's, after the
    # peers were checked against fastact (torch, SciPy, JAX: independent references)
    from fastact.instruments import bench, bench_groups
    for name, value in sizes.items():
        monkeypatch.setattr(bench_groups, name, value)
    assert bench.main([f"--{group}", "--repeats", "1", "--dtype", "float32"]) == 0
    text = capsys.readouterr().out
    from fastact import _dispatch
    assert f"kernels: the {_dispatch.KERNELS.isa} target" in text and "machine: " in text
    cases = bench_groups.GROUPS[group][0](np.float32)
    for label, fns in cases.items():
        line = next(ln for ln in text.splitlines() if f" {label} " in ln)
        cells = line.split()[-len(bench_groups.PEERS) - 2:]
        for impl, cell in zip(("fastact",) + bench_groups.PEERS, cells):
            assert (cell != "-") == (impl in fns), (label, impl)
    torch = installed("torch")
    assert ("torch" in cases["softmax where=mask forward" if group == "masked" else
                             "logsumexp rows of 1000"]) == torch


def test_bench_groups_check_catches_a_wrong_peer():
    # a peer that computes something else must stop the run, not be timed
    from fastact.instruments import bench_groups
    x = np.linspace(-3, 3, 64).reshape(8, 8)
    fns = {"fastact": lambda: fastact.softmax(x), "numpy": lambda: np.exp(x)}
    with pytest.raises(AssertionError, match="numpy differs from fastact"):
        bench_groups.check(fns, "float64")
    # the masked formula by hand agrees with fastact's where= (masked entries 0)
    mask = np.tril(np.ones((8, 8), bool))
    fns = {"fastact": lambda: fastact.softmax(x, where=mask),
           "numpy": lambda: bench_groups._np_masked_softmax(x, mask)}
    bench_groups.check(fns, "float64")


def test_bench_groups_sparsemax_formula_is_the_projection():
    # the NumPy peer is the sort-based formula; checked here against the projection's
    # definition (entries >= 0 summing to 1, y = max(x - tau, 0) for one tau), not fastact
    from fastact.instruments import bench_groups
    x = np.random.default_rng(1).standard_normal((20, 7))
    y = bench_groups._np_sparsemax(x)
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=-1), 1, rtol=1e-12)
    tau = (x - y)[y > 0]
    for row in range(20):
        t = (x[row] - y[row])[y[row] > 0]
        np.testing.assert_allclose(t, t[0], rtol=1e-12)
        assert np.all(x[row][y[row] == 0] <= t[0] + 1e-12)
    assert tau.size


def test_bench_groups_combine_under_one_header(capsys, monkeypatch):
    # issue 22: the speed page's groups from one run, machine and target named once
    from fastact.instruments import bench, bench_groups
    monkeypatch.setattr(bench_groups, "MASKED_SHAPE", (2, 8, 8))
    monkeypatch.setattr(bench, "run_limits", lambda dtypes, repeats, progress=None: ["LIMITS"])
    assert bench.main(["--masked", "--limits", "--repeats", "1", "--dtype", "float32"]) == 0
    text = capsys.readouterr().out
    assert text.count("machine: ") == 1 and text.count("kernels: the ") == 1
    assert text.splitlines()[0].startswith(f"fastact {fastact.__version__} bench --masked --limits")
    assert "\n--masked\n" in text and "\n--limits\n" in text and "LIMITS" in text
    assert "softmax where=mask backward from x" in text

"""The seed's claims (the registry's facts) checked against the functions themselves."""

import math
import re

import numpy as np
import pytest

import fastact
from conftest import ACTS, ELEMENTWISE, WITH_MAX_DERIVATIVE, in_domain, needed


def test_sigmoid_derivative_peaks_at_quarter_at_zero():
    """sigmoid'(0) = 0.25 and sigmoid' < 0.25 elsewhere on a grid (|x| >= 1e-7: closer to
    0 the exact value 0.25 - x^2/16 rounds to 0.25 itself)."""
    assert fastact.sigmoid.derivative(0.0) == 0.25
    assert fastact.sigmoid.derivative(np.float32(0)) == np.float32(0.25)
    x = np.concatenate([np.linspace(-20, 20, 400001), np.geomspace(1e-7, 1e-2, 1001)])
    x = x[np.abs(x) >= 1e-7]
    for s in (1, -1):
        d = fastact.sigmoid.derivative(s * x)
        assert (d < 0.25).all(), (x[d >= 0.25][:5], d[d >= 0.25][:5])
    # and the closed form: s(1-s) = 1/4 - x^2/16 + O(x^4) near 0
    assert fastact.sigmoid.derivative(1e-3) == pytest.approx(0.25 - 1e-6 / 16, rel=1e-12)


def test_sigmoid_derivative_never_exceeds_quarter():
    x = np.geomspace(1e-20, 1e-6, 20001)
    for s in (1, -1):
        d = fastact.sigmoid.derivative(s * x)
        assert (d <= 0.25).all(), (x[d > 0.25][:5], d[d > 0.25][:5])


def test_tanh_derivative_small_beyond_two():
    x = np.concatenate([np.linspace(2.0, 50.0, 200001), [1e3, 1e30]])
    x = x[x > 2.0]
    for s in (1, -1):
        assert (fastact.tanh.derivative(s * x) < 0.08).all()
    # the bound is close to tight: tanh'(2) = sech(2)^2 ~ 0.0707
    assert fastact.tanh.derivative(2.0) == pytest.approx(1 / math.cosh(2.0) ** 2, rel=1e-14)
    assert fastact.tanh.derivative(np.nextafter(2.0, 0)) > 0.07


def _parse_minimum(text):
    m = re.search(r"minimum about (-?[\d.]+) at x about (-?[\d.]+)", text)
    return (float(m.group(1)), m.group(1), float(m.group(2)), m.group(2)) if m else None


def test_gelu_minimum():
    x = np.linspace(-3, 0, 3_000_001)
    y = fastact.gelu(x)
    i = int(np.argmin(y))
    assert -0.171 < y[i] < -0.169
    assert -0.76 < x[i] < -0.74
    # the registry says the same
    vmin, _, xmin, _ = _parse_minimum(ACTS["gelu"].info.kinks_text)
    assert abs(vmin - y[i]) < 0.005 and abs(xmin - x[i]) < 0.01
    assert ACTS["gelu"].info.output_range.startswith("[-0.17")


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE
                                  if _parse_minimum(ACTS[n].info.kinks_text)])
def test_stated_minima(name):
    """'minimum about V at x about X' in the registry (gelu, silu, mish): V and X are right
    to the digits given."""
    vmin, vtxt, xmin, xtxt = _parse_minimum(ACTS[name].info.kinks_text)
    lo, hi = ACTS[name].info.plot_range
    x = np.linspace(lo, hi, 2_000_001)
    y = ACTS[name](x)
    i = int(np.argmin(y))
    vdec = len(vtxt.split(".")[1])
    xdec = len(xtxt.split(".")[1])
    assert abs(y[i] - vmin) <= 0.5 * 10 ** -vdec + 1e-9, (y[i], vmin)
    assert abs(x[i] - xmin) <= 0.5 * 10 ** -xdec + 1e-5, (x[i], xmin)


def test_relu_derivative_is_exactly_one_for_positive_x():
    for dtype in (np.float16, np.float32, np.float64):
        fi = np.finfo(dtype)
        x = np.array([fi.smallest_subnormal, fi.smallest_normal, fi.eps, 1e-3, 0.5, 1, 2, 1e3,
                      float(fi.max), np.inf], dtype=np.float64)
        with np.errstate(over="ignore"):
            x = x.astype(dtype)
        x = x[x > 0]
        assert (fastact.relu.derivative(x) == 1).all()
        assert (fastact.relu.derivative_from_output(fastact.relu(x)) == 1).all()
        g = np.full(x.shape, 3, dtype)
        assert (fastact.relu.backward(g, x) == 3).all()
        assert (fastact.relu.derivative(-x) == 0).all()


def _derivative_grid(name):
    """A fine grid over the plot range, refined around 0 and the kinks, plus the wide range
    +-60 where the sup of some derivatives is approached only in a limit (log_sigmoid' -> 1
    as x -> -inf, softplus' = 1 past the threshold)."""
    lo, hi = ACTS[name].info.plot_range
    x = np.unique(np.concatenate([
        np.linspace(lo, hi, 400001),
        np.linspace(-60, 60, 240001),
        np.linspace(-1e-3, 1e-3, 2001),
        [0.0, 3.0, -3.0, 6.0, math.sqrt(2)],
    ]))
    return x[in_domain(name, x)]


@pytest.mark.parametrize("name", WITH_MAX_DERIVATIVE)
def test_max_derivative(name):
    f = ACTS[name]
    x = _derivative_grid(name)
    if f.info.kind == "gelu":
        d = np.abs(f.derivative(x, "none"))
    else:
        d = np.abs(f.derivative(x, *needed(f)))
    claim = f.info.max_derivative
    if math.isinf(claim) and f.info.domain == (-math.inf, math.inf):
        # unbounded on the line (exponential): f' grows past any bound, to inf
        assert np.isinf(f.derivative(np.array([1e3]), *needed(f))).all()
        return
    assert d.max() == pytest.approx(claim, rel=1e-3), (name, d.max(), x[np.argmax(d)])
    assert d.max() <= claim * (1 + 1e-3)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE])
def test_output_range_claims(name):
    """The registry's output_range, e.g. '(0, 1)', '[0, inf)', '(-alpha, inf)',
    '[min_val, max_val]', '[-0.278, inf)': the values on a wide grid (and at +-inf) stay in
    it; a closed bracket is attained, an open one is not exceeded."""
    f = ACTS[name]
    text = f.info.output_range
    m = re.match(r"^([\[(])\s*([^,]+),\s*([^\])]+)([\])])", text)
    assert m, text
    params = {p.name: p.default for p in f.params}

    def bound(tok):
        tok = tok.strip()
        if tok in ("inf", "-inf"):
            return float(tok), None
        if tok in params:
            return float(params[tok]), None
        if tok.startswith("-") and tok[1:] in params:
            return -float(params[tok[1:]]), None
        dec = len(tok.split(".")[1]) if "." in tok else 0
        return float(tok), 0.5 * 10 ** -dec if dec else 0.0

    (lo, lo_tol), (hi, hi_tol) = bound(m.group(2)), bound(m.group(3))
    x = np.concatenate([np.linspace(-60, 60, 1_200_001), [-1e4, 1e4, -np.inf, np.inf]])
    x = x[in_domain(name, x)]
    y = f(x, *needed(f))
    lo_tol = lo_tol or 0.0
    hi_tol = hi_tol or 0.0
    assert y.min() >= lo - lo_tol, (y.min(), lo)
    assert y.max() <= hi + hi_tol, (y.max(), hi)
    if m.group(1) == "[" and math.isfinite(lo):
        assert abs(y.min() - lo) <= lo_tol + 1e-12, (y.min(), lo)
    if m.group(4) == "]" and math.isfinite(hi):
        assert abs(y.max() - hi) <= hi_tol + 1e-12, (y.max(), hi)

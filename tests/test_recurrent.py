"""fastact.lstm_cell and fastact.gru_cell (the fused recurrent-cell gates) and their
backward: against a closed form evaluated in long double (independent of fastact), against
torch.nn.LSTMCell / GRUCell and autograd (same weights, the matrix products in NumPy), and
the API's rules (dtypes, strides, shapes, out=, NaN, no warnings, pickling, Dask)."""

import pickle

import numpy as np
import pytest

import fastact

LD = np.longdouble
EPS64 = np.finfo(np.float64).eps
SHAPES = [(n, h) for n in (1, 3, 64) for h in (1, 7, 128)]


# ---- the closed form, in long double, with the size of what each result sums ------------
# Each returns (results, magnitudes): a magnitude is the result's formula with every sum
# replaced by the sum of its terms' absolute values, plus the inputs' rounding carried
# through the derivatives; the kernels' error is a few ULP of it (where a sum cancels,
# relative to its terms, not to the small result).

def _sig(x):
    x = np.asarray(x, LD)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _tanh(x):
    return np.tanh(np.asarray(x, LD))


# the derivatives without the cancellation of 1 - s and 1 - t^2 in the tails (where even
# long double's 64 bits lose the digits that double results keep)
def _dsig(x):
    return _sig(x) * _sig(-np.asarray(x, LD))


def _dtanh(x):
    with np.errstate(over="ignore"):
        return 1 / np.cosh(np.asarray(x, LD)) ** 2


def lstm_ref(gates, c, gh=None, gc=None):
    g, c = np.asarray(gates, LD), np.asarray(c, LD)
    H = c.shape[-1]
    xi, xf, xg, xo = (g[..., k * H:(k + 1) * H] for k in range(4))
    i, f, gg, o = _sig(xi), _sig(xf), _tanh(xg), _sig(xo)
    cn = f * c + i * gg
    cm = abs(f * c) + abs(i * gg)
    tc = _tanh(cn)
    dtc = _dtanh(cn)
    h = o * tc
    hm = abs(h) + o * dtc * cm
    gh = np.zeros_like(c) if gh is None else np.asarray(gh, LD)
    gc = np.zeros_like(c) if gc is None else np.asarray(gc, LD)
    dcn = gc + gh * o * dtc
    dcm = abs(gc) + abs(gh * o) * (dtc + 2 * abs(tc) * dtc * cm)
    di, df, do = _dsig(xi), _dsig(xf), _dsig(xo)
    dgg = _dtanh(xg)
    dg = np.concatenate([dcn * gg * di, dcn * c * df, dcn * i * dgg, gh * tc * do], -1)
    dgm = np.concatenate([dcm * abs(gg * di), dcm * abs(c * df), dcm * i * dgg,
                          abs(gh) * (abs(tc) + dtc * cm) * do], -1)
    return (h, cn), (hm, cm), (dg, dcn * f), (dgm, dcm * f)


def gru_ref(gi, gh, h, dh=None):
    gi, gh, h = (np.asarray(a, LD) for a in (gi, gh, h))
    H = h.shape[-1]
    ir, iz, in_ = (gi[..., k * H:(k + 1) * H] for k in range(3))
    hr, hz, hn = (gh[..., k * H:(k + 1) * H] for k in range(3))
    r, z, zc = _sig(ir + hr), _sig(iz + hz), _sig(-(iz + hz))
    dr, dz = _dsig(ir + hr), _dsig(iz + hz)
    an = in_ + r * hn
    am = abs(in_) + abs(r * hn) + abs(hn) * dr * (abs(ir) + abs(hr))
    n = _tanh(an)
    dn = _dtanh(an)
    hnew = zc * n + z * h
    zm = dz * (abs(iz) + abs(hz))
    hm = abs(zc * n) + abs(z * h) + zc * dn * am + abs(h - n) * zm
    dh = np.zeros_like(h) if dh is None else np.asarray(dh, LD)
    xn = dh * zc * dn
    xnm = abs(dh) * (zc * dn + zm * dn + zc * 2 * abs(n) * dn * am)
    xz = dh * (h - n) * dz
    xzm = abs(dh) * (abs(h) + abs(n) + dn * am) * dz * (1 + 2 * (abs(iz) + abs(hz)))
    xr = xn * hn * dr
    xrm = xnm * abs(hn) * dr * (1 + 2 * (abs(ir) + abs(hr)))
    dgi = np.concatenate([xr, xz, xn], -1)
    dgh = np.concatenate([xr, xz, xn * r], -1)
    dgim = np.concatenate([xrm, xzm, xnm], -1)
    dghm = np.concatenate([xrm, xzm, xnm * r + abs(xn) * dr * (abs(ir) + abs(hr))], -1)
    return hnew, hm, (dgi, dgh, dh * z), (dgim, dghm, abs(dh) * (z + zm))


def assert_close(got, want, mag, dtype, what):
    """|got - want| <= (half an ULP of the dtype, twice) + K * mag: the kernels compute in
    double and round once; their exp is good to 2^-53 relative for float64 data and to
    2^-32 for float32 data (a shorter series), which reaches the result where a sum
    cancels (K = 64 eps64, 2^-28).  Tiny absolute slack for subnormal results."""
    eps = np.finfo(dtype).eps
    got = np.asarray(got, LD)
    inner = 2.0 ** -28 if np.dtype(dtype) == np.float32 else 64 * EPS64
    tol = eps * abs(want) + inner * mag + 4 * np.finfo(dtype).smallest_subnormal
    err = abs(got - want)
    bad = ~(err <= tol)
    assert not bad.any(), (f"{what} ({np.dtype(dtype).name}): {bad.sum()} of {bad.size} "
                           f"beyond the bound, worst excess {np.max((err / tol)[bad])}x")


def _data(rng, shape, scale=3.0):
    return rng.standard_normal(shape) * scale


# ---- against the closed form -------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N,H", SHAPES)
def test_lstm_closed_form(dtype, N, H):
    rng = np.random.default_rng(N * 1000 + H)
    g = _data(rng, (N, 4 * H)).astype(dtype)
    c = _data(rng, (N, H)).astype(dtype)
    gh, gc = _data(rng, (N, H), 1).astype(dtype), _data(rng, (N, H), 1).astype(dtype)
    (h, cn), (hm, cm), (dg, dc), (dgm, dcm) = lstm_ref(g, c, gh, gc)
    h2, c2 = fastact.lstm_cell(g, c)
    assert h2.dtype == dtype and c2.dtype == dtype and h2.shape == (N, H)
    assert_close(h2, h, hm, dtype, "h'")
    assert_close(c2, cn, cm, dtype, "c'")
    dg2, dc2 = fastact.lstm_cell.backward(gh, gc, g, c)
    assert dg2.dtype == dtype and dg2.shape == (N, 4 * H) and dc2.shape == (N, H)
    assert_close(dg2, dg, dgm, dtype, "grad_gates")
    assert_close(dc2, dc, dcm, dtype, "grad_c_prev")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N,H", SHAPES)
def test_gru_closed_form(dtype, N, H):
    rng = np.random.default_rng(N * 1000 + H + 7)
    gi = _data(rng, (N, 3 * H)).astype(dtype)
    gh = _data(rng, (N, 3 * H)).astype(dtype)
    h = _data(rng, (N, H), 1).astype(dtype)
    dh = _data(rng, (N, H), 1).astype(dtype)
    hn, hm, (dgi, dgh, dhp), (dgim, dghm, dhm) = gru_ref(gi, gh, h, dh)
    h2 = fastact.gru_cell(gi, gh, h)
    assert h2.dtype == dtype and h2.shape == (N, H)
    assert_close(h2, hn, hm, dtype, "h'")
    dgi2, dgh2, dhp2 = fastact.gru_cell.backward(dh, gi, gh, h)
    assert dgi2.shape == dgh2.shape == (N, 3 * H) and dhp2.shape == (N, H)
    assert_close(dgi2, dgi, dgim, dtype, "grad_gi")
    assert_close(dgh2, dgh, dghm, dtype, "grad_gh")
    assert_close(dhp2, dhp, dhm, dtype, "grad_h_prev")


def test_tails_and_special_values():
    # the gates' tails: sigmoid(-40) = 4e-18 and tanh'(20) = 1.7e-17 keep their digits
    # (1 - sigmoid and 1 - tanh^2 computed by subtraction would give 0); the limits at +-inf
    x = np.array([-745.0, -40.0, -1e-300, 0.0, 1e-300, 17.0, 40.0, 710.0, np.inf, -np.inf])
    H = x.size
    g = np.tile(x, 4)[None]
    c = np.linspace(-2, 2, H)[None]
    one = np.ones((1, H))
    (h, cn), (hm, cm), (dg, dc), (dgm, dcm) = lstm_ref(g, c, one, one)
    with np.errstate(all="raise"):
        h2, c2 = fastact.lstm_cell(g, c)
        dg2, dc2 = fastact.lstm_cell.backward(one, one, g, c)
    assert_close(h2, h, hm, np.float64, "h'")
    assert_close(c2, cn, cm, np.float64, "c'")
    assert_close(dg2, dg, dgm, np.float64, "grad_gates")
    assert_close(dc2, dc, dcm, np.float64, "grad_c_prev")
    assert dg2[0, 1] != 0 and dg2[0, H + 6] != 0     # sigmoid'(-40), sigmoid'(40) kept


def _close32_or_inf(got, want, mag, what):
    # assert_close for float32, where a result beyond float32's range must be inf
    over = abs(want) > np.finfo(np.float32).max
    assert (got[over] == np.sign(want[over]) * np.inf).all(), what
    assert_close(got[~over], want[~over], mag[~over], np.float32, what)


def test_float32_far_tails_with_extreme_states():
    # float32 data take a shorter exp: one scale factor, e^a flushed to 0 below about
    # 2^-1022 (a < -708.7).  Whatever multiplies it (states and gradients up to float32's
    # maximum) the results stay far under float32's least subnormal, so they must still
    # match the closed form: gates across that edge (sigmoid at -708..-720, tanh at
    # +-354..360, where e^-2|x| crosses it), with c, h, gh_n and the gradients at 3e38
    # (some results overflow: inf).
    x = np.array([-720.0, -709.5, -708.9, -708.5, -708.0, -360.0, -354.6, -354.2, 354.2,
                  354.6, 360.0, -100.0, -88.0, 0.5], np.float32)
    H = x.size
    g = np.tile(x, 4)[None]
    big = np.full((1, H), 3e38, np.float32)
    for c in (big, -big, np.linspace(-2, 2, H, dtype=np.float32)[None]):
        (h, cn), (hm, cm), (dg, dc), (dgm, dcm) = lstm_ref(g, c, big, big)
        with np.errstate(all="raise"):
            h2, c2 = fastact.lstm_cell(g, c)
            dg2, dc2 = fastact.lstm_cell.backward(big, big, g, c)
        _close32_or_inf(h2, h, hm, "h'")
        _close32_or_inf(c2, cn, cm, "c'")
        _close32_or_inf(dg2, dg, dgm, "grad_gates")
        _close32_or_inf(dc2, dc, dcm, "grad_c_prev")
    gi = np.tile(x, 3)[None]
    gh = np.zeros_like(gi)
    gh[0, 2 * H:] = 3e38                                 # r * gh_n at float32's edge
    hn, hm, (dgi, dgh, dhp), (dgim, dghm, dhm) = gru_ref(gi, gh, big, big)
    with np.errstate(all="raise"):
        h2 = fastact.gru_cell(gi, gh, big)
        dgi2, dgh2, dhp2 = fastact.gru_cell.backward(big, gi, gh, big)
    _close32_or_inf(h2, hn, hm, "h'")
    _close32_or_inf(dgi2, dgi, dgim, "grad_gi")
    _close32_or_inf(dgh2, dgh, dghm, "grad_gh")
    _close32_or_inf(dhp2, dhp, dhm, "grad_h_prev")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_in_nan_out_and_no_warnings(dtype):
    H = 4
    g = np.zeros((3, 4 * H), dtype)
    c = np.ones((3, H), dtype)
    g[0, 2] = np.nan                         # row 0, unit 2, gate i
    c[1, 1] = np.nan                         # row 1, unit 1
    g[2, :] = [np.inf, -np.inf, 1e30, -1e30] * 4
    gi = np.zeros((3, 3 * H), dtype)
    gi[0, 2 * H + 3] = np.nan
    with np.errstate(all="raise"):
        h2, c2 = fastact.lstm_cell(g, c)
        dg, dc = fastact.lstm_cell.backward(np.ones_like(c), None, g, c)
        hg = fastact.gru_cell(gi, gi, c)
        dgi, dgh, dhp = fastact.gru_cell.backward(np.ones_like(c), gi, gi, c)
    assert np.isnan(h2[0, 2]) and np.isnan(c2[0, 2]) and np.isnan(c2[1, 1])
    assert np.isnan(dg[0, [2, H + 2, 2 * H + 2, 3 * H + 2]]).all() and np.isnan(dc[0, 2])
    nan = np.zeros((3, H), bool)
    nan[0, 2] = nan[1, 1] = True
    assert not np.isnan(h2[~nan]).any() and not np.isnan(c2[~nan]).any()
    assert np.isfinite(h2[2]).all() and np.isfinite(dg[2]).all()
    assert np.isnan(hg[0, 3]) and np.isnan(hg[1, 1]) and np.isnan(dgi[0, [3, H + 3, 2 * H + 3]]).all()
    assert np.isfinite(np.delete(hg.ravel(), [3, H + 1])).all()


# ---- against PyTorch ---------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N,H", [(3, 7), (64, 128)])
def test_lstm_against_torch(dtype, N, H):
    torch = _torch()
    tdt = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    torch.manual_seed(H)
    cell = torch.nn.LSTMCell(5, H).to(tdt)
    rng = np.random.default_rng(H)
    x = rng.standard_normal((N, 5)).astype(dtype)
    h = rng.standard_normal((N, H)).astype(dtype)
    c = rng.standard_normal((N, H)).astype(dtype)
    gh = rng.standard_normal((N, H)).astype(dtype)
    gc = rng.standard_normal((N, H)).astype(dtype)
    W_ih, W_hh = cell.weight_ih.detach().numpy(), cell.weight_hh.detach().numpy()
    b = (cell.bias_ih + cell.bias_hh).detach().numpy()
    gates = x @ W_ih.T + h @ W_hh.T + b
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    h_t, c_t = cell(tx, (th, tc))
    torch.autograd.backward((h_t, c_t), (torch.tensor(gh), torch.tensor(gc)))
    h2, c2 = fastact.lstm_cell(gates, c)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h2, h_t.detach().numpy(), **tol)
    np.testing.assert_allclose(c2, c_t.detach().numpy(), **tol)
    dg, dc = fastact.lstm_cell.backward(gh, gc, gates, c)
    np.testing.assert_allclose(dc, tc.grad.numpy(), **tol)
    np.testing.assert_allclose(dg @ W_ih, tx.grad.numpy(), **tol)
    np.testing.assert_allclose(dg @ W_hh, th.grad.numpy(), **tol)
    np.testing.assert_allclose(dg.T @ x, cell.weight_ih.grad.numpy(), **tol)
    np.testing.assert_allclose(dg.sum(0), cell.bias_hh.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N,H", [(3, 7), (64, 128)])
def test_gru_against_torch(dtype, N, H):
    torch = _torch()
    tdt = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    torch.manual_seed(H + 1)
    cell = torch.nn.GRUCell(5, H).to(tdt)
    rng = np.random.default_rng(H + 1)
    x = rng.standard_normal((N, 5)).astype(dtype)
    h = rng.standard_normal((N, H)).astype(dtype)
    dh = rng.standard_normal((N, H)).astype(dtype)
    W_ih, W_hh = cell.weight_ih.detach().numpy(), cell.weight_hh.detach().numpy()
    gi = x @ W_ih.T + cell.bias_ih.detach().numpy()
    gh = h @ W_hh.T + cell.bias_hh.detach().numpy()
    tx, th = (torch.tensor(a, requires_grad=True) for a in (x, h))
    h_t = cell(tx, th)
    h_t.backward(torch.tensor(dh))
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fastact.gru_cell(gi, gh, h), h_t.detach().numpy(), **tol)
    dgi, dgh, dhp = fastact.gru_cell.backward(dh, gi, gh, h)
    np.testing.assert_allclose(dgi @ W_ih, tx.grad.numpy(), **tol)
    np.testing.assert_allclose(dhp + dgh @ W_hh, th.grad.numpy(), **tol)
    np.testing.assert_allclose(dgi.T @ x, cell.weight_ih.grad.numpy(), **tol)
    np.testing.assert_allclose(dgh.T @ h, cell.weight_hh.grad.numpy(), **tol)
    np.testing.assert_allclose(dgi.sum(0), cell.bias_ih.grad.numpy(), **tol)
    np.testing.assert_allclose(dgh.sum(0), cell.bias_hh.grad.numpy(), **tol)


# ---- the API's rules ---------------------------------------------------------------------

def test_none_gradients_are_zero():
    rng = np.random.default_rng(1)
    g, c, d = rng.standard_normal((3, 8)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    z = np.zeros((3, 2))
    for a, b in [(None, d), (d, None), (None, None)]:
        want = fastact.lstm_cell.backward(z if a is None else a, z if b is None else b, g, c)
        got = fastact.lstm_cell.backward(a, b, g, c)
        for x, y in zip(got, want):
            np.testing.assert_array_equal(x, y)
    gi = rng.standard_normal((3, 6))
    for x, y in zip(fastact.gru_cell.backward(None, gi, gi, c),
                    fastact.gru_cell.backward(z, gi, gi, c)):
        np.testing.assert_array_equal(x, y)


def test_strides_leading_axes_and_empty():
    rng = np.random.default_rng(2)
    big = rng.standard_normal((6, 2, 20))
    g = big[::2, 0, ::2][:, :8]                     # (3, 8), strided both ways
    c = np.asfortranarray(rng.standard_normal((3, 2)))
    h2, c2 = fastact.lstm_cell(g, c)
    h3, c3 = fastact.lstm_cell(g.copy(), c.copy())
    np.testing.assert_array_equal(h2, h3)
    np.testing.assert_array_equal(c2, c3)
    # leading axes (and none: one unbatched row) are kept
    g4, c4 = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 3, 2))
    h4, _ = fastact.lstm_cell(g4, c4)
    assert h4.shape == (2, 3, 2)
    np.testing.assert_array_equal(h4[1], fastact.lstm_cell(g4[1], c4[1])[0])
    np.testing.assert_array_equal(fastact.lstm_cell(g4[1, 2], c4[1, 2])[0], h4[1, 2])
    assert fastact.gru_cell(np.ones((0, 6)), np.ones((0, 6)), np.ones((0, 2))).shape == (0, 2)
    assert fastact.lstm_cell.backward(None, None, np.ones((2, 0)), np.ones((2, 0)))[0].shape == (2, 0)


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_16bit_compute_in_float32(name):
    dt = np.dtype(np.float16) if name == "float16" else np.dtype(pytest.importorskip("ml_dtypes").bfloat16)
    rng = np.random.default_rng(3)
    g, c = rng.standard_normal((4, 12)).astype(dt), rng.standard_normal((4, 3)).astype(dt)
    h2, c2 = fastact.lstm_cell(g, c)
    assert h2.dtype == dt and c2.dtype == dt
    h32, c32 = fastact.lstm_cell(g.astype(np.float32), c.astype(np.float32))
    np.testing.assert_array_equal(h2, h32.astype(dt))
    np.testing.assert_array_equal(c2, c32.astype(dt))
    dg, dc = fastact.lstm_cell.backward(c, c, g, c)
    assert dg.dtype == dt and dc.dtype == dt
    gi = rng.standard_normal((4, 9)).astype(dt)
    assert fastact.gru_cell(gi, gi, c).dtype == dt
    assert all(a.dtype == dt for a in fastact.gru_cell.backward(c, gi, gi, c))


def test_out():
    rng = np.random.default_rng(4)
    g, c = rng.standard_normal((3, 8)), rng.standard_normal((3, 2))
    want_h, want_c = fastact.lstm_cell(g, c)
    oh, oc = np.empty((3, 2)), np.empty((3, 2))
    rh, rc = fastact.lstm_cell(g, c, out=(oh, oc))
    assert rh is oh and rc is oc
    np.testing.assert_array_equal(oh, want_h)
    c_inplace = c.copy()                              # the cell state updated in place
    fastact.lstm_cell(g, c_inplace, out=(None, c_inplace))
    np.testing.assert_array_equal(c_inplace, want_c)
    gi = rng.standard_normal((3, 6))
    o = np.empty((3, 2))
    assert fastact.gru_cell(gi, gi, c, out=o) is o
    np.testing.assert_array_equal(o, fastact.gru_cell(gi, gi, c))


def test_errors_name_the_function_and_argument_and_leave_out_alone():
    g, c = np.zeros((3, 8)), np.zeros((3, 2))
    oh, oc = np.full((3, 2), 7.0), np.full((3, 2), 7.0)
    with pytest.raises(ValueError, match=r"fastact\.lstm_cell: gates must have shape \(3, 8\)"):
        fastact.lstm_cell(np.zeros((3, 7)), c, out=(oh, oc))
    with pytest.raises(ValueError, match=r"fastact\.lstm_cell: gates .*got \(2, 8\)"):
        fastact.lstm_cell(np.zeros((2, 8)), c, out=(oh, oc))
    with pytest.raises(ValueError, match=r"fastact\.lstm_cell: out\[1\] must have shape"):
        fastact.lstm_cell(g, c, out=(oh, np.zeros((3, 3))))
    with pytest.raises(ValueError, match=r"fastact\.lstm_cell: out\[0\] .*dtype float64"):
        fastact.lstm_cell(g, c, out=(oh.astype(np.float32), oc))
    with pytest.raises(TypeError, match=r"fastact\.lstm_cell: out must be a tuple"):
        fastact.lstm_cell(g, c, out=oh)
    assert (oh == 7).all() and (oc == 7).all()
    with pytest.raises(ValueError, match=r"fastact\.lstm_cell\.backward: grad_c must have shape"):
        fastact.lstm_cell.backward(None, np.zeros((3, 3)), g, c)
    with pytest.raises(TypeError, match=r"fastact\.lstm_cell: c must be numbers"):
        fastact.lstm_cell(g, c > 0)
    with pytest.raises(ValueError, match=r"fastact\.gru_cell: gh must have shape \(3, 6\)"):
        fastact.gru_cell(np.zeros((3, 6)), np.zeros((3, 8)), c, out=oh)
    with pytest.raises(ValueError, match=r"fastact\.gru_cell: h must have at least one axis"):
        fastact.gru_cell(np.zeros((3, 6)), np.zeros((3, 6)), 1.0)
    with pytest.raises(ValueError, match=r"fastact\.gru_cell\.backward: grad_h must have"):
        fastact.gru_cell.backward(np.zeros(2), np.zeros((3, 6)), np.zeros((3, 6)), c)
    assert (oh == 7).all()
    with pytest.raises(TypeError):
        fastact.lstm_cell(g, c, dim=0)


def test_pickle_and_dask():
    for f in (fastact.lstm_cell, fastact.gru_cell, fastact.lstm_cell.backward,
              fastact.gru_cell.backward):
        assert pickle.loads(pickle.dumps(f)) is f
    da = pytest.importorskip("dask.array")
    x = da.zeros((4, 8), chunks=2)
    with pytest.raises(TypeError, match=r"fastact\.lstm_cell: gates is a dask"):
        fastact.lstm_cell(x, np.zeros((4, 2)))
    with pytest.raises(TypeError, match=r"fastact\.gru_cell\.backward: gh is a dask"):
        fastact.gru_cell.backward(None, np.zeros((4, 6)), da.zeros((4, 6)), np.zeros((4, 2)))


def test_every_cpu_target_agrees_with_the_baseline():
    # setup.py compiles _recurrent.pyx once per CPU target; recurrent.py runs the one of the
    # ufuncs' target.  The targets differ only by the FMA in the exp's polynomial: their
    # results agree with the baseline's to the last bits.
    import importlib

    from fastact import _dispatch, recurrent
    isa = _dispatch.KERNELS.isa
    want = "fastact._recurrent" + ("" if isa == _dispatch.FALLBACK else f"_{isa}")
    if importlib.util.find_spec(want) is not None:
        assert recurrent._recurrent.__name__ == want
    rng = np.random.default_rng(5)
    for dt in (np.float32, np.float64):
        g, c = rng.standard_normal((5, 4 * 70)).astype(dt) * 4, rng.standard_normal((5, 70)).astype(dt)
        gi = rng.standard_normal((5, 3 * 70)).astype(dt) * 4
        base = importlib.import_module("fastact._recurrent")
        for t in _dispatch.supported():
            if t == _dispatch.FALLBACK or importlib.util.find_spec(f"fastact._recurrent_{t}") is None:
                continue
            mod = importlib.import_module(f"fastact._recurrent_{t}")
            for fn, args, outs in [
                    ("lstm_forward", (g, c), (c, c)), ("lstm_backward", (c, c, g, c), (g, c)),
                    ("gru_forward", (gi, gi, c), (c,)), ("gru_backward", (c, gi, gi, c), (gi, gi, c))]:
                a = [np.empty_like(o) for o in outs]
                b = [np.empty_like(o) for o in outs]
                getattr(base, fn)(*args, *a)
                getattr(mod, fn)(*args, *b)
                tol = dict(rtol=1e-6, atol=1e-7) if dt == np.float32 else dict(rtol=1e-13, atol=1e-14)
                for x, y in zip(a, b):
                    np.testing.assert_allclose(x, y, **tol, err_msg=f"{t} {fn} {np.dtype(dt)}")

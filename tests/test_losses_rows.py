"""fastact.cross_entropy's float32 rows on both sides of the kernels' exactness check
(rows whose x - max are all exact in double and >= -752 skip the TwoSum and the clamp:
largest |x| <= 376 and <= 2^27 times the smallest nonzero |x|), and
binary_cross_entropy_with_logits' float32 loss around log1p's switch (1 + e^-|x| =
sqrt2), each against mpmath: every loss within 0.5 ULP of float32 (plus the accuracy
tool's slack)."""

import numpy as np
import pytest

import fastact

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp
SLACK = 1e-6


def _ulp32(v):
    v = abs(float(v))
    return float(np.spacing(np.float32(v))) if v >= 2.0 ** -126 else 2.0 ** -149


def _mp_ce_row(row, t):
    with mp.workdps(60):
        xs = [mp.mpf(float(v)) for v in row]
        m = max(xs)
        return float(mp.log(mp.fsum(mp.exp(v - m) for v in xs)) - (xs[t] - m))


def _rows():
    f = np.float32
    g = np.random.default_rng(7)
    base = (g.standard_normal(37) * 3).astype(f)
    rows = []
    for big in (376.0, np.nextafter(f(376.0), f(np.inf)), -376.0, 375.9):
        r = base.copy()
        r[3] = big
        rows.append(r)                                     # at and past the clamp's edge
    for small in (2.0 ** -20, np.nextafter(f(2.0 ** -20), f(0)), 2.0 ** -140, 0.0):
        r = base.copy()
        r[0], r[1], r[5] = 128.0, small, -small            # ratio 2^27 and beyond
        rows.append(r)
    r = np.zeros(37, f)
    rows.append(r)                                         # every x zero
    r = base.copy()
    r[2] = 1e-30                                           # the max tiny, x - m inexact
    r[r > 0] = -r[r > 0]
    r[2] = 1e-30
    rows.append(r)
    rows.append(np.array([0.0] + [-100.0] * 36, f))        # a confident row
    rows.append(np.array([300.0, 300.0] + [-70.0] * 35, f))  # tied maxima
    return np.array(rows, f)


@pytest.mark.parametrize("t", [0, 1, 3, 36])
def test_float32_rows_either_side_of_the_exact_check(t):
    x = _rows()
    tt = np.full(len(x), t)
    got = fastact.cross_entropy(x, tt, reduction="none")
    loss_vg, _ = fastact.cross_entropy.value_and_grad(x, tt, reduction="none")
    np.testing.assert_array_equal(got, loss_vg)
    for i, row in enumerate(x):
        ref = _mp_ce_row(row, t)
        err = abs(float(got[i]) - ref) / _ulp32(ref)
        assert err <= 0.5 + 2.0 ** -30 * row.size + SLACK, (i, row[:6], got[i], ref, err)


def test_float32_rows_with_nan_or_inf_take_the_general_path():
    x = _rows()[:3].copy()
    x[0, 4], x[1, 4], x[2, 4] = np.nan, np.inf, -np.inf
    got = fastact.cross_entropy(x, np.array([0, 0, 0]), reduction="none")
    assert np.isnan(got[0]) and np.isnan(got[1])          # PyTorch: inf - inf is NaN
    ref = _mp_ce_row(np.delete(x[2], 4), 0)
    assert abs(float(got[2]) - ref) <= (0.5 + SLACK) * _ulp32(ref)


def test_float32_bce_around_the_log1p_switch():
    # 1 + e^-|x| = sqrt2 at |x| = -log(sqrt2 - 1) = 0.8813736: the float32 logits around it,
    # both signs, targets 0, 1 and between
    c = np.float32(0.88137358)
    xs = [c]
    for _ in range(40):
        xs.append(np.nextafter(xs[-1], np.float32(1)))
    x = np.array(xs + [-v for v in xs], np.float32)
    x = np.concatenate([x, np.array([c - f for f in (1e-3, 1e-5)], np.float32)])
    for tv in (0.0, 1.0, 0.3):
        t = np.full(x.shape, tv, np.float32)
        tv = mp.mpf(float(t[0]))                        # the target as the kernel sees it
        got = fastact.binary_cross_entropy_with_logits(x, t, reduction="none")
        for xi, gi in zip(x, got):
            with mp.workdps(60):
                xm = mp.mpf(float(xi))
                sp = lambda v: max(v, 0) + mp.log1p(mp.exp(-abs(v)))
                ref = float(tv * sp(-xm) + (1 - tv) * sp(xm))
            assert abs(float(gi) - ref) <= (0.5 + SLACK) * _ulp32(ref), (xi, tv, gi, ref)

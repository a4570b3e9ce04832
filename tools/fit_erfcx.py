"""Fit the coefficients of gelu's Phi: the erfcx-type polynomials of
src/fastact/_kernels/primitives.pxi (_erfcx_half, _erfcx_half_asym; float32: _erfcx_u_f,
_erfcx_s_f), used by gelu.pxi (mpmath only).

    python tools/fit_erfcx.py            # prints the fits' errors and the coefficient block

    python tools/fit_erfcx.py --float32  # the float32 kernel's fits (gelu.pxi's float part)

float32 (--float32): gelu's float kernel needs F only to about 2^-26 relative, and selecting
coefficients by interval costs a blend per coefficient, so it uses one polynomial for all
of t in [0, TM_F32] (beyond, the float32 results are 0 or saturated) in the mapped variable

    u = 1 / (1 + t/4) = 1 - q/4,  q = t / (1 + t/4)   (one division; q/4 is exact)
    F(t) = u H(u),  H(u) = F(t) (1 + t/4) = h0 + h1 u + ... + hN u^N,  u in [0.21, 1]

so that x F(t) = (x / (1 + t/4)) H(u).  H runs from 1/(4 sqrt(2 pi)) = 0.0997 (t = inf)
to 1/2 (t = 0) with coefficients of one sign at first: Horner in u adds terms that grow,
about 1 ULP of H.  (The same fit in w = 1 - u, constant 1/2 exact, is as accurate but its
terms alternate and cancel by 5x at large t: 4 ULP in float Horner.)  Degree 10 reaches
2^-29.  The coefficients are fitted for minimal relative error (weighted least squares with
Lawson's reweighting, in numpy on mpmath's values), then rounded to float one at a time
from h0 up, refitting the higher ones after each rounding.  The error printed is that of
the rounded polynomial against mpmath.

Every error printed is the maximum relative error, on a dense grid, of the approximation
with its coefficients rounded to double (the form the kernel uses), against mpmath at 200
bits: the rounding of the coefficients, not the fit, dominates in region I.
"""

import mpmath as mp

mp.mp.prec = 300

CENTRES = (0.5, 1.5, 2.5)
DEGREE = 16
T1 = 3
RAT = (7, 7)


def F(t):
    t = mp.mpf(t)
    return mp.erfc(t / mp.sqrt(2)) * mp.exp(t * t / 2) / 2


C = 1 / mp.sqrt(2 * mp.pi)


def B(v):
    # (t F(t) - 1/sqrt(2 pi)) / v; near v = 0 its asymptotic series (far below the fit's
    # error for v < 1e-6, where the closed form would cancel).
    if v < mp.mpf("1e-6"):
        return -C * (1 - 3 * v + 15 * v ** 2 - 105 * v ** 3 + 945 * v ** 4 - 10395 * v ** 5)
    t = 1 / mp.sqrt(v)
    return (t * F(t) - C) / v


def region_one():
    out = []
    for c in CENTRES:
        c = mp.mpf(c)
        p, err = mp.chebyfit(lambda s: F(c + s), [-0.5, 0.5], DEGREE + 1, error=True)
        p = p[::-1]                                   # constant term first
        hi = float(p[0])
        lo = float(p[0] - hi)
        rest = [float(v) for v in p[1:]]
        worst = 0
        for i in range(2001):
            s = mp.mpf(i) / 2000 - mp.mpf(0.5)
            val = mp.mpf(hi) + mp.mpf(lo) + s * mp.polyval([mp.mpf(v) for v in rest[::-1]], s)
            worst = max(worst, abs(val / F(c + s) - 1))
        print(f"region I, t in [{float(c) - 0.5}, {float(c) + 0.5}): degree {DEGREE}, "
              f"rounded coefficients: max rel error 2^{float(mp.log(worst, 2)):.2f}")
        out.append([hi, lo] + rest)
    return out


def ratfit(f, a, b, n, m, iters=30):
    N = 4 * (n + m + 2) + 40
    xs = sorted((a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(0.5)) / N)
                for i in range(N))
    fs = [f(x) for x in xs]
    ss = [x / b for x in xs]                          # fit in x / b, scale back after
    qprev = [mp.mpf(1)] * N
    lw = [mp.mpf(1) / N] * N
    best = None
    for _ in range(iters):
        rows, rhs = [], []
        for i in range(N):
            wt = mp.sqrt(lw[i]) / (fs[i] * qprev[i])
            s = ss[i]
            rows.append([wt * s ** k for k in range(n + 1)]
                        + [-wt * fs[i] * s ** k for k in range(1, m + 1)])
            rhs.append(wt * fs[i])
        x, _res = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        p = [x[k] for k in range(n + 1)]
        q = [mp.mpf(1)] + [x[n + 1 + k] for k in range(m)]
        errs = []
        for i in range(N):
            P = mp.polyval(p[::-1], ss[i])
            Q = mp.polyval(q[::-1], ss[i])
            errs.append(P / Q / fs[i] - 1)
            qprev[i] = Q
        e = max(abs(v) for v in errs)
        if best is None or e < best[0]:
            best = (e, p, q)
        tot = sum(lw[i] * abs(errs[i]) for i in range(N))
        lw = [lw[i] * abs(errs[i]) / tot for i in range(N)]
    _e, p, q = best
    return [p[k] / b ** k for k in range(n + 1)], [q[k] / b ** k for k in range(m + 1)]


def region_two():
    b = mp.mpf(1) / T1 ** 2
    p, q = ratfit(B, mp.mpf(0), b, *RAT)
    p = [float(c) for c in p]
    q = [float(c) for c in q]
    c_hi = float(C)
    c_lo = float(C - c_hi)
    worst_b = worst_a = 0
    for i in range(2001):
        v = b * mp.mpf(i) / 2000
        r = mp.polyval([mp.mpf(c) for c in p[::-1]], v) / mp.polyval([mp.mpf(c) for c in q[::-1]], v)
        worst_b = max(worst_b, abs(r / B(v) - 1))
        a = mp.mpf(c_hi) + mp.mpf(c_lo) + v * r
        worst_a = max(worst_a, abs(a / (C + v * B(v)) - 1))
    print(f"region II, t >= {T1}: B rational ({RAT[0]}, {RAT[1]}) in v = 1/t^2, rounded "
          f"coefficients: B max rel error 2^{float(mp.log(worst_b, 2)):.2f}, "
          f"A = 1/sqrt(2 pi) + v B: 2^{float(mp.log(worst_a, 2)):.2f}")
    return p, q, c_hi, c_lo


TM_F32 = 14.75        # t beyond which float32 gelu and gelu' round to 0 (or x, 1)
P_F32 = 0.25
DEG_F32 = 10


def _lawson(x, y, wt, fixed, n, iters=60):
    # min over free coefficients of max |wt (sum c_k x^k - y)|, c_k = fixed[k] where given
    import numpy as np
    free = [k for k in range(n + 1) if k not in fixed]
    rhs = y - sum(v * x ** k for k, v in fixed.items())
    a = np.stack([x ** k for k in free], 1)
    lw = np.full_like(x, 1.0 / len(x))
    best = None
    for _ in range(iters):
        s = np.sqrt(lw) * wt
        c = np.linalg.lstsq(a * s[:, None], rhs * s, rcond=None)[0]
        r = np.abs((a @ c - rhs) * wt)
        if best is None or r.max() < best[0]:
            best = (r.max(), c)
        lw = lw * r
        lw /= lw.sum()
    out = dict(fixed)
    out.update(zip(free, best[1]))
    return [out[k] for k in range(n + 1)]


def float32_fit(deg=DEG_F32):
    import numpy as np
    p = mp.mpf(P_F32)
    wmax = p * TM_F32 / (1 + p * TM_F32)

    def H(w):
        t = w / (p * (1 - w))
        return F(t) * (1 + p * t)

    n = 1500
    x = np.array([float(wmax / 2 * (1 - mp.cos(mp.pi * (i + mp.mpf(0.5)) / n))) for i in range(n)])
    y = np.array([float(H(mp.mpf(v))) for v in x])
    fixed = {}
    c = _lawson(1 - x, y, 1 / y, fixed, deg)
    for k in range(deg + 1):                         # round one at a time, refit the rest
        fixed[k] = float(np.float32(c[k]))
        if k < deg:
            c = _lawson(1 - x, y, 1 / y, fixed, deg)
    c = [fixed[k] for k in range(deg + 1)]
    worst = 0
    for i in range(4001):
        w = wmax * mp.mpf(i) / 4000
        worst = max(worst, abs(mp.polyval([mp.mpf(v) for v in c[::-1]], 1 - w) / H(w) - 1))
    print(f"float32: H(u) on u in [{float(1 - wmax):.4f}, 1] (t in [0, {TM_F32}]), degree {deg}, "
          f"float coefficients: max rel error 2^{float(mp.log(worst, 2)):.2f}")
    print("# H: coefficient k of u^k, k = 0 ..", deg)
    for k, v in enumerate(c):
        print(f"{k:>3}: {float(np.float32(v))!r}  ({np.float32(v).view(np.uint32):#010x})")
    return c


U0_F32 = 0.49267578125    # 2018/4096: H(U0) is within 2^-34.6 of a float (the constant term)
T_SMALL_F32 = 0.5         # below, the float32 forward uses Phi's Maclaurin series
DEG_F32_FWD = 9


def float32_fit_forward(deg=DEG_F32_FWD, u0=U0_F32):
    """The float32 forward's H for t >= T_SMALL_F32, in s = u - u0 (smaller terms than
    the u basis, so Horner rounds less): Lawson on Chebyshev nodes of u, coefficients
    rounded to float one at a time and the rest refitted, as float32_fit."""
    import numpy as np
    p = mp.mpf(P_F32)
    ulo = 1 / (1 + p * TM_F32)
    uhi = 1 / (1 + p * T_SMALL_F32)

    def H(u):
        t = (1 - u) / (p * u)
        return F(t) * (1 + p * t)

    n = 1500
    u = [ulo + (uhi - ulo) * (1 - mp.cos(mp.pi * (i + mp.mpf(0.5)) / n)) / 2 for i in range(n)]
    x = np.array([float(v - u0) for v in u])
    y = np.array([float(H(v)) for v in u])
    fixed = {}
    c = _lawson(x, y, 1 / y, fixed, deg)
    for k in range(deg + 1):
        fixed[k] = float(np.float32(c[k]))
        if k < deg:
            c = _lawson(x, y, 1 / y, fixed, deg)
    c = [fixed[k] for k in range(deg + 1)]
    worst = 0
    for i in range(4001):
        v = ulo + (uhi - ulo) * mp.mpf(i) / 4000
        worst = max(worst, abs(mp.polyval([mp.mpf(a) for a in c[::-1]], v - u0) / H(v) - 1))
    print(f"float32 forward: H on u in [{float(ulo):.4f}, {float(uhi):.4f}] (t in "
          f"[{T_SMALL_F32}, {TM_F32}]), degree {deg} in s = u - {u0}, float coefficients: "
          f"max rel error 2^{float(mp.log(worst, 2)):.2f}; H(u0) vs its float: "
          f"2^{float(mp.log(abs(mp.mpf(c[0]) / H(mp.mpf(u0)) - 1), 2)):.2f}")
    print("# H (forward): coefficient k of s^k, k = 0 ..", deg)
    for k, v in enumerate(c):
        print(f"{k:>3}: {float(np.float32(v))!r}  ({np.float32(v).view(np.uint32):#010x})")
    return c


def main():
    import sys
    if "--float32" in sys.argv[1:]:
        float32_fit()
        float32_fit_forward()
        return
    one = region_one()
    p, q, c_hi, c_lo = region_two()
    print()
    print("# region I: coefficient k of the polynomial in s = t - c (k = 0 as hi, lo), "
          "one column per interval")
    for k in range(DEGREE + 2):
        name = "hi" if k == 0 else "lo" if k == 1 else str(k - 1)
        print(f"{name:>3}: " + ", ".join(repr(poly[k]) for poly in one))
    print("# region II: B = P(v) / Q(v)")
    print("P:", ", ".join(map(repr, p)))
    print("Q:", ", ".join(map(repr, q)))
    print("1/sqrt(2 pi) hi, lo:", repr(c_hi), repr(c_lo))


if __name__ == "__main__":
    main()

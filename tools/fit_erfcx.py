"""Fit the coefficients of gelu's Phi in src/fastact/_kernels/scalar.pxi (mpmath only).

    python tools/fit_erfcx.py            # prints the fits' errors and the coefficient block

gelu needs Phi(-t) for t = |x| >= 0, written as exp(-t^2/2) * F(t) with

    F(t) = exp(t^2/2) Phi(-t) = erfcx(t / sqrt 2) / 2        (a scaled erfcx)

so that one exp per element serves every x (exp(-t^2/2) is computed with x^2 split exactly
by fma).  F is approximated on two regions:

  I   t in [0, 3): three polynomials of degree 16 in s = t - c, c = 0.5, 1.5, 2.5 (|s| <= 1/2),
      the Chebyshev interpolants of F (mpmath.chebyfit, within a few per cent of minimax);
      the constant term is kept as hi + lo so that it carries no rounding.
  II  t >= 3: A(v) = t F(t) = 1/sqrt(2 pi) + v B(v), v = 1/t^2 in (0, 1/9], with B = P/Q
      rational of degree (7, 7), fitted for minimal relative error by Loeb's linearised
      least squares with Lawson's reweighting.  v B / A is at most 1/8 in magnitude, so B's
      error reaches A divided by 8, and the leading 1/sqrt(2 pi) is an exact hi + lo pair.

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


def main():
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

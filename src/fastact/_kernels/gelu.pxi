# gelu(x) = x Phi(x) (exact, approximate='none'); gelu'(x) = Phi(x) + x phi(x).
#
# With t = |x|, Phi(-t) = exp(-t^2/2) F(t), F(t) = exp(t^2/2) Phi(-t) = erfcx(t/sqrt 2) / 2,
# and Phi(t) = 1 - Phi(-t): one exp per element for both signs, no erfc (libm's is a call
# per element, which keeps the loops scalar).  Straight-line arithmetic and selects, which
# GCC vectorizes.  The pieces, each chosen to add one rounding or less:
#   * exp(-t^2/2): x^2 = h + l exactly (fma), -h/2 exact, and -l/2 added to the reduced
#     argument of the exp (_exp_dd_parts); the exp is kept as 2^n (1 + m) and its 1 + m is
#     folded into the next product by an fma (X + X m), never rounded on its own.  Where
#     exp(-h/2) is subnormal (h/2 > 700) it is computed as exp(-h/2 + 64) and the result
#     multiplied by e^-64 last (see E_M64).
#   * F on t in [0, 3): _erfcx_half (primitives.pxi), three polynomials of degree 16.
#   * t F(t) for t >= 3: _erfcx_half_asym, A = 1/sqrt(2 pi) + v B(v), v = 1/t^2.
# For x <= 0: gelu = x Phi(-t) (t < 3) or -exp(-t^2/2) A (t >= 3: x F = -A, no division by
# t); gelu' = exp(-t^2/2) (F - t/sqrt(2 pi)) = exp(-t^2/2) x (1/sqrt(2 pi) - v A) for t >= 3.
# For x > 0: gelu = x - x Phi(-t), gelu' = 1 - Phi(-t) + x phi(x).
# Measured (python -m fastact accuracy, full run, float64 against mpmath on 524,537
# points): 1.79 ULP forward, 2.73 ULP derivative away from its zero at -0.75 (0.31 eps
# absolute within 0.5 of it), 3.04 ULP backward.  float32 has its own kernel (below); the
# baseline build's float32 forward is this one rounded once (0.5 ULP).

cdef inline void _gelu_parts(double x, double* m, double* scale, double* sub, double* v,
                             double* A, double* hi, double* low) noexcept nogil:
    # exp(-x^2/2) = scale (1 + m) (times sub = e^-64 where scaled); v = 1/t^2 and A = t F(t)
    # (meaningful for t >= 3); F(t) = hi + low (meaningful for t < 3).  Everything is
    # computed for every x, and the callers select: the loops vectorize.
    cdef double t = fabs(x)
    cdef double h = x * x
    cdef double l = fma(x, x, -h)
    cdef double a = -0.5 * h
    cdef bint sc = isless(a, SCALED_BELOW)
    m[0] = _exp_dd_parts(a + 64.0 if sc else a, -0.5 * l, scale)
    sub[0] = E_M64 if sc else 1.0
    v[0] = 1.0 / (9.0 if isless(t, 3.0) else (h if isless(h, 1e6) else 1e6))  # NaN: NaN
    A[0] = _erfcx_half_asym(v[0])
    hi[0] = _erfcx_half(t, low)

cdef inline double gelu_fwd(double x) noexcept nogil:
    # (if/else blocks, not selects: on the baseline, where fma() is a libm call and this
    # loop stays scalar, the select form changes which NaN's sign reaches the result)
    cdef double m, scale, sub, v, A, hi, low, X, r
    cdef bint big = isgreaterequal(fabs(x), 3.0)
    _gelu_parts(x, &m, &scale, &sub, &v, &A, &hi, &low)
    if islessequal(x, 0.0):
        X = -A if big else fma(x, hi, x * low)        # x F(t), one rounding for t < 3
        r = (scale * FASTACT_MADD(X, m, X)) * sub      # (+-0 stays +-0)
    else:
        X = A * (fabs(x) * v) if big else hi + low     # F(t)
        r = fma(-x, scale * FASTACT_MADD(X, m, X), x)  # x - x Phi(-t)
    if isgreater(x, 10.0):                 # Phi(x) > 1 - 8e-24: x
        r = x
    if isless(x, -40.0):                   # |gelu| < 2^-1100: -0
        r = -0.0
    return r

cdef inline double gelu_grad(double x) noexcept nogil:
    # (if/else blocks, as gelu_fwd: on the baseline the select form turns -NaN into +NaN)
    cdef double m, scale, sub, v, A, hi, low, X, r
    cdef bint big = isgreaterequal(fabs(x), 3.0)
    _gelu_parts(x, &m, &scale, &sub, &v, &A, &hi, &low)
    if islessequal(x, 0.0):
        X = x * FASTACT_MADD(-v, A, M_1_SQRT2PI) if big else FASTACT_MADD(x, M_1_SQRT2PI, hi + low)
        r = (scale * FASTACT_MADD(X, m, X)) * sub
    else:
        X = A * (x * v) if big else hi + low
        r = (1.0 - scale * FASTACT_MADD(X, m, X)) + x * (scale * FASTACT_MADD(M_1_SQRT2PI, m, M_1_SQRT2PI))
    if isgreater(x, 10.0):
        r = 1.0
    if isless(x, -40.0):                   # the true value is negative, below 2^-1100
        r = -0.0
    return r


# ---- float32 --------------------------------------------------------------------------
# The double kernel's method in float: with t = |x|, Phi(-t) = exp(-t^2/2) F(t).  Float
# needs F only to about 2^-26, so instead of coefficients selected by interval (a blend
# per coefficient) one polynomial covers every t, in a mapped variable (primitives.pxi,
# "erfcx-type polynomials (float)"):
#   * q = x / (1 + t/4) (the one division, corrected for the rounding of 1 + t/4 and its
#     own), u = 1 - |q|/4 = 1 / (1 + t/4) (|q|/4 exact); F(t) = u H(u), so
#     x F(t) = q H(u).  The derivative uses H(u) (_erfcx_u_f) for every t; the forward
#     uses, for t >= 1/2, H in s = u - U0 (_erfcx_s_f; s = GF_SU - |q|/4, exact for
#     |q|/4 >= 1/4), and for |x| < 1/2 Phi's Maclaurin series (_phi_series_f): Phi is in
#     [0.309, 0.691] there, no cancellation in 1/2 + x B, and gelu = x Phi.
#   * exp(-t^2/2): t = th + tl with th t's leading 12 bits (a mask), so a = -th^2/2 is
#     exact and al = -(th tl + tl^2/2) carries the rest (|al| < 0.11, its rounding below
#     2^-28): n = round((a + al)/ln2), r = (a - n ln2_hi) - n ln2_lo + al (a - n ln2_hi
#     exact), e^r = 1 + m by Taylor to r^7 (2^-27.5 relative).  No fma needed, so the
#     baseline build (FASTACT_MADDF = mul + add) splits the same way.  1 + m is folded into
#     the next product (X + X m), and 2^n is applied as 2^(n + 64) (normal for every n
#     here) and a final * 2^-64, which rounds once where the result is subnormal.
#   * x is clamped to [-14.75, 14.75] first: beyond, gelu and gelu' round to -0 (x < 0) or
#     to x and 1 (x > 0) from the formulas themselves, and no inf enters the arithmetic:
#     gelu(-inf) = -0.0, gelu(inf) = inf (x - 0), gelu'(-inf) = -0.0, gelu'(inf) = 1.
#     NaN passes the clamp (quiet compares) and every step.
# gelu = Y = xc Phi(-t) for x <= 0 and x - Y for x > 0; gelu' = D = exp(-t^2/2) (F(t) -
# t/sqrt(2 pi)) for x <= 0 and 1 - D for x > 0 (gelu'(x) + gelu'(-x) = 1), with gelu'(0)
# = 1/2 exactly by a select (H(1) is 1/2 only to an ULP).
# Measured over every float32 input (avx512 and avx2 alike): forward 3.07 ULP (bound 4;
# worst x = -0x1.50f288p+0), derivative 5.45 (bound 8), backward 5.13 (bound 8), abs 0.86
# eps*M in the crossing window (bound 4).  The baseline build (no FMA) keeps the double
# forward: without fma (the division residual, Horner) the float forward is 4.6 ULP.

cdef extern from *:
    """
    /* gelu.pxi: the float forward needs fma (the division residual, Horner) to stay
     * within 4 ULP; the baseline build (no FMA) keeps the double kernel. */
    #if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    #define FASTACT_GELU_FWD_F32 1
    #else
    #define FASTACT_GELU_FWD_F32 0
    #endif
    """
    const bint FASTACT_GELU_FWD_F32

cdef float GF_TM = 14.75
cdef float GF_MTM = -14.75
cdef float GF_P = 0.25
cdef float GF_MHALF = -0.5
cdef float GF_C = 0.3989423                # 1/sqrt(2 pi) rounded to float
cdef float GF_C_LO = -1.133517e-08         # 1/sqrt(2 pi) - GF_C
cdef float GF_M64 = 5.421011e-20           # 2^-64
cdef uint32_t GF_MASK12 = 0xfffff000
cdef float GF_SMALL = 0.5                  # |x| below it: Phi's series
cdef float GF_SU = 0.50732421875           # 1 - U0 (U0 = 2018/4096, see _erfcx_s_f)


cdef inline void _gelu_parts_f(float x, float* t, float* q, float* m,
                               float* S) noexcept nogil:
    # t = |xc|, q = xc / (1 + t/4); exp(-t^2/2) = S (1 + m) * 2^-64
    cdef float xc, d, dl, e, th, tl, a, al, s, n, r, p
    xc = GF_MTM if isless(x, GF_MTM) else x
    xc = GF_TM if isgreater(xc, GF_TM) else xc
    t[0] = fabsf(xc)
    d = FASTACT_MADDF(GF_P, t[0], F_ONE)
    dl = FASTACT_MADDF(GF_P, t[0], F_ONE - d)            # 1 + t/4 - d, exact
    q[0] = xc / d
    # q (d + dl) - xc (the residual, exact with fma), and q - residual / (d + dl): q
    # within about half an ULP of xc / (1 + t/4), though 1 + t/4 was rounded.
    e = FASTACT_MADDF(q[0], d, -xc)
    e = FASTACT_MADDF(q[0], dl, e)
    q[0] = FASTACT_MADDF(-e, F_ONE - GF_P * fabsf(q[0]), q[0])
    th = fastact_u2f(fastact_f2u(t[0]) & GF_MASK12)
    tl = t[0] - th
    a = (GF_MHALF * th) * th
    al = tl * FASTACT_MADDF(GF_MHALF, tl, -th)
    s = FASTACT_MADDF(a + al, F_LOG2E, F_SHIFT)
    n = s - F_SHIFT
    r = ((a - n * F_LN2_HI) - n * F_LN2_LO) + al
    p = F_C7
    p = FASTACT_MADDF(p, r, F_C6)
    p = FASTACT_MADDF(p, r, F_C5)
    p = FASTACT_MADDF(p, r, F_C4)
    p = FASTACT_MADDF(p, r, F_C3)
    p = FASTACT_MADDF(p, r, F_C2)
    m[0] = FASTACT_MADDF(p * r, r, r)
    S[0] = fastact_u2f((fastact_f2u(s) + 191) << 23)     # 2^(n + 64), n in [-157, 0]

cdef inline float gelu_fwd_f(float x) noexcept nogil:
    cdef float t, q, m, S, X, Y, b, G
    if not FASTACT_GELU_FWD_F32:                         # baseline: in double
        return <float>gelu_fwd(<double>x)
    _gelu_parts_f(x, &t, &q, &m, &S)
    X = q * _erfcx_s_f(GF_SU - GF_P * fabsf(q))          # xc F(t)
    Y = (FASTACT_MADDF(X, m, X) * S) * GF_M64            # xc Phi(-t)
    G = x - Y if isgreater(x, F_ZERO) else copysignf(Y, x)   # gelu(-0) = -0 on every ISA
    # |x| < 1/2: x Phi(x) by the series
    b = _phi_series_f(x * x)
    return x * FASTACT_MADDF(x, b, F_HALF) if isless(fabsf(x), GF_SMALL) else G

cdef inline float gelu_grad_f(float x) noexcept nogil:
    cdef float t, q, u, m, S, W, D, r
    _gelu_parts_f(x, &t, &q, &m, &S)
    u = F_ONE - GF_P * fabsf(q)
    W = FASTACT_MADDF(-t, GF_C_LO, FASTACT_MADDF(-t, GF_C, u * _erfcx_u_f(u)))
    D = (FASTACT_MADDF(W, m, W) * S) * GF_M64            # Phi(-t) - t phi(t)
    r = F_ONE - D if isgreater(x, F_ZERO) else D
    return F_HALF if x == F_ZERO else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef double GELU_SQRT2_HI = 1.4142135623730951        # sqrt(2) = HI + LO
cdef double GELU_SQRT2_LO = -9.667293313452913e-17

cdef inline double gelu_grad2(double x) noexcept nogil:
    # phi(x) (2 - x^2), phi's exp(-x^2/2) as in gelu_grad (x^2 double-double), and
    # 2 - x^2 = ((r - t) + r_lo)((r + t) + r_lo), r + r_lo = sqrt 2: no cancellation at
    # its zeros +-sqrt 2 (r - t exact there).  Below 2^-1100 beyond |x| = 40: -0.
    cdef double m, scale, sub, v, A, hi, low, q, r
    cdef double t = fabs(x)
    _gelu_parts(x, &m, &scale, &sub, &v, &A, &hi, &low)
    q = ((GELU_SQRT2_HI - t) + GELU_SQRT2_LO) * ((GELU_SQRT2_HI + t) + GELU_SQRT2_LO)
    r = ((scale * FASTACT_MADD(M_1_SQRT2PI, m, M_1_SQRT2PI)) * q) * sub
    return -0.0 if isgreater(t, 40.0) else r

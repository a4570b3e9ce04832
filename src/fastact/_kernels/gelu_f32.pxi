# ---- gelu (exact, x * Phi(x)), float32-native ----------------------------------------
# STATUS: in _registry.FLOAT32_NATIVE.  Full float32 runs (every input), avx512 and avx2
# alike: forward 3.07 ULP (bound 4; worst x = -0x1.50f288p+0), derivative 5.45 (bound 8),
# backward 5.13 (bound 8), abs 0.86 eps*M in the crossing window (bound 4).  Baseline (no
# FMA) keeps the double forward (--quick: 0.5 ULP; derivative 4.16, backward 4.69).  Speed
# (n = 1e6, one thread, avx512): forward 1825 Melem/s, backward 1797.
# The forward once used the u-polynomial below for every t: 4.51 ULP at small negative x
# (Horner rounding near u = 1 plus u's rounding amplified 2.2x) and 4.17 near x = -1.35
# (results just below 2^-3, Horner in u up to 1.9 ULP).  Now |x| < 1/2 takes the Maclaurin
# series of Phi, and t >= 1/2 a degree-9 polynomial in s = u - GF_U0 (|s| < 0.4); the
# derivative keeps H(u) (it passes).
# The double kernel's method (scalar.pxi, "gelu (exact, x * Phi(x))") in float, 16 lanes
# per AVX-512 vector: with t = |x|, Phi(-t) = exp(-t^2/2) F(t), F(t) = erfcx(t/sqrt 2) / 2.
# Float needs F only to about 2^-26, so instead of coefficients selected by interval (a
# blend per coefficient) one polynomial covers every t, in a mapped variable:
#   * q = x / (1 + t/4) (the one division, corrected for the rounding of 1 + t/4 and its
#     own), u = 1 - |q|/4 = 1 / (1 + t/4) (|q|/4 exact);
#     F(t) = u H(u) with H(u) = F(t) (1 + t/4) a polynomial of degree 10 in u on
#     [0.213, 1] (t in [0, 14.75]), so x F(t) = q H(u).  tools/fit_erfcx.py --float32 fits
#     it: float coefficients within 2^-29.0 relative of mpmath.  H grows from 0.0997 to 1/2
#     as u does, and Horner in u adds terms that grow (about 1 ULP of rounding).
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

cdef extern from *:
    """
    /* gelu_f32.pxi: the float forward needs fma (the division residual, Horner) to stay
     * within 4 ULP; the baseline build (no FMA: 4.6 ULP) keeps the double kernel. */
    #if defined(__FMA__)
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
# H(u), coefficient k of u^k (tools/fit_erfcx.py --float32)
cdef float GF_H0 = 0.0997273325920105
cdef float GF_H1 = 0.09993769973516464
cdef float GF_H2 = 0.09132076054811478
cdef float GF_H3 = 0.09467681497335434
cdef float GF_H4 = 0.008727680891752243
cdef float GF_H5 = 0.1907707303762436
cdef float GF_H6 = -0.2458670735359192
cdef float GF_H7 = 0.33338209986686707
cdef float GF_H8 = -0.24770337343215942
cdef float GF_H9 = 0.08672332763671875
cdef float GF_H10 = -0.011695998720824718
# Small |x| (< GF_SMALL): Phi(x) = 1/2 + x B(x^2) from the Maclaurin series
#   Phi(x) = 1/2 + (1/sqrt(2 pi)) sum_k (-1)^k x^(2k+1) / (2^k k! (2k+1)),
# GF_Bk = (1/sqrt(2 pi)) (-1)^k / (2^k k! (2k+1)) rounded to float, k = 0..6.  For |x| <
# 1/2 (y = x^2 < 1/4) the first omitted term (k = 7) is 2^-37.2 relative of the sum and
# the terms alternate and shrink, so the truncation is below that.  Phi is in [0.309,
# 0.691] there: no cancellation in 1/2 + x B, and gelu = x Phi.
cdef float GF_SMALL = 0.5
cdef float GF_B0 = 0.3989423               # 1/sqrt(2 pi)
cdef float GF_B1 = -0.06649038             # -1/(6 sqrt(2 pi))
cdef float GF_B2 = 0.009973557             # 1/(40 sqrt(2 pi))
cdef float GF_B3 = -0.0011873282           # -1/(336 sqrt(2 pi))
cdef float GF_B4 = 0.00011543469           # 1/(3456 sqrt(2 pi))
cdef float GF_B5 = -9.444656e-06           # -1/(42240 sqrt(2 pi))
cdef float GF_B6 = 6.6596937e-07           # 1/(599040 sqrt(2 pi))
# The forward's H for t >= 1/2 only (u in [0.2133, 0.8889]; below, the series): degree 9
# in s = u - GF_U0, GF_U0 = 0.49267578125 = 2018/4096, chosen so that H(GF_U0) is within
# 2^-33.6 relative of its float GF_S0 (the constant is the value at s = 0, which the
# other coefficients cannot correct); s = GF_SU - |q|/4 with GF_SU = 1 - GF_U0, exact for
# |q|/4 >= 1/4.  Coefficient k of s^k: float coefficients within 2^-29.4 relative of
# mpmath (tools/fit_erfcx.py --float32, float32_fit_forward: Lawson, rounded one
# at a time and refitted, on u in [0.2133, 0.8889] in s).  |s| < 0.4, so the terms shrink
# and the Horner rounding stays near an ULP of H (the u basis lost up to 1.9 ULP).
cdef float GF_SU = 0.50732421875
cdef float GF_S0 = 0.1866157203912735
cdef float GF_S1 = 0.29833701252937317
cdef float GF_S2 = 0.3790181279182434
cdef float GF_S3 = 0.36599984765052795
cdef float GF_S4 = 0.2393360286951065
cdef float GF_S5 = 0.06266170740127563
cdef float GF_S6 = -0.05305948108434677
cdef float GF_S7 = -0.051770344376564026
cdef float GF_S8 = 0.007172705139964819
cdef float GF_S9 = 0.02294423244893551


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

cdef inline float _gelu_H_f(float u) noexcept nogil:
    # H(u), every t (the derivative's)
    cdef float g = GF_H10
    g = FASTACT_MADDF(g, u, GF_H9)
    g = FASTACT_MADDF(g, u, GF_H8)
    g = FASTACT_MADDF(g, u, GF_H7)
    g = FASTACT_MADDF(g, u, GF_H6)
    g = FASTACT_MADDF(g, u, GF_H5)
    g = FASTACT_MADDF(g, u, GF_H4)
    g = FASTACT_MADDF(g, u, GF_H3)
    g = FASTACT_MADDF(g, u, GF_H2)
    g = FASTACT_MADDF(g, u, GF_H1)
    return FASTACT_MADDF(g, u, GF_H0)

cdef inline float _gelu_HS_f(float q) noexcept nogil:
    # H(u) for t >= 1/2 (the forward's), in s = u - GF_U0 = GF_SU - |q|/4
    cdef float s = GF_SU - GF_P * fabsf(q)
    cdef float g = GF_S9
    g = FASTACT_MADDF(g, s, GF_S8)
    g = FASTACT_MADDF(g, s, GF_S7)
    g = FASTACT_MADDF(g, s, GF_S6)
    g = FASTACT_MADDF(g, s, GF_S5)
    g = FASTACT_MADDF(g, s, GF_S4)
    g = FASTACT_MADDF(g, s, GF_S3)
    g = FASTACT_MADDF(g, s, GF_S2)
    g = FASTACT_MADDF(g, s, GF_S1)
    return FASTACT_MADDF(g, s, GF_S0)

cdef inline float gelu_fwd_f(float x) noexcept nogil:
    cdef float t, q, m, S, X, Y, y, b, G
    if not FASTACT_GELU_FWD_F32:                         # baseline: in double, as before
        return <float>gelu_fwd(<double>x)
    _gelu_parts_f(x, &t, &q, &m, &S)
    X = q * _gelu_HS_f(q)                                # xc F(t)
    Y = (FASTACT_MADDF(X, m, X) * S) * GF_M64            # xc Phi(-t)
    G = x - Y if isgreater(x, F_ZERO) else copysignf(Y, x)   # gelu(-0) = -0 on every ISA
    # |x| < 1/2: x Phi(x) by the series (the u-polynomial loses up to 4.5 ULP there)
    y = x * x
    b = GF_B6
    b = FASTACT_MADDF(b, y, GF_B5)
    b = FASTACT_MADDF(b, y, GF_B4)
    b = FASTACT_MADDF(b, y, GF_B3)
    b = FASTACT_MADDF(b, y, GF_B2)
    b = FASTACT_MADDF(b, y, GF_B1)
    b = FASTACT_MADDF(b, y, GF_B0)
    return x * FASTACT_MADDF(x, b, F_HALF) if isless(fabsf(x), GF_SMALL) else G

cdef inline float gelu_grad_f(float x) noexcept nogil:
    cdef float t, q, u, m, S, W, D, r
    _gelu_parts_f(x, &t, &q, &m, &S)
    u = F_ONE - GF_P * fabsf(q)
    W = FASTACT_MADDF(-t, GF_C_LO, FASTACT_MADDF(-t, GF_C, u * _gelu_H_f(u)))
    D = (FASTACT_MADDF(W, m, W) * S) * GF_M64            # Phi(-t) - t phi(t)
    r = F_ONE - D if isgreater(x, F_ZERO) else D
    return F_HALF if x == F_ZERO else r

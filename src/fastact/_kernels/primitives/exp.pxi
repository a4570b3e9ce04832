# ---- exp and expm1 in plain arithmetic (double) -------------------------------------
# libm's exp is a call per element, which stops the loops from vectorizing; these are the
# same function as straight-line arithmetic the compiler turns into SIMD code.
# Method (Cody & Waite; as in fdlibm and XNNPACK): n = round(x / ln2) by the 1.5*2^52
# shifter (t = x/ln2 + shift fused where there is FMA), r = x - n ln2 in two parts
# (|r| <= ln2/2 + 1e-16; x - n LN2_HI is exact: LN2_HI has 32 significant bits and
# |n| < 1100), e^r - 1 by a polynomial (_exp_poly: a degree-11 minimax fit,
# absolute error below 2^-56.8; _expm1_poly: the Taylor series to r^13, relative error
# below 2^-56, for expm1 near 0), then 2^n built from exponent bits: in _exp in two
# factors so that results in the subnormal range are rounded once, at the last product;
# in _exp_nrm, for callers that never need a subnormal e^x, in one.  Measured error:
# within 1 ULP (the accuracy tool checks every kernel that uses them).

cdef double EXP_SHIFT = 6755399441055744.0            # 1.5 * 2^52
cdef double LOG2E = 1.4426950408889634                # 1/ln2
cdef double LN2_HI = 6.93147180369123816490e-01       # fdlibm's ln2_hi (32 bits)
cdef double LN2_LO = 1.90821492927058770002e-10       # ln2 - LN2_HI


cdef inline double _expm1_poly(double r) noexcept nogil:
    # e^r - 1 = r + r^2/2! + ... + r^13/13!, Horner; for |r| <= 0.347
    # used by: _expm1
    cdef double p = 1.6059043836821613e-10            # 1/13!
    p = FASTACT_MADD(p, r, 2.08767569878681e-09)      # 1/12!
    p = FASTACT_MADD(p, r, 2.505210838544172e-08)     # 1/11!
    p = FASTACT_MADD(p, r, 2.755731922398589e-07)     # 1/10!
    p = FASTACT_MADD(p, r, 2.7557319223985893e-06)    # 1/9!
    p = FASTACT_MADD(p, r, 2.48015873015873e-05)      # 1/8!
    p = FASTACT_MADD(p, r, 0.0001984126984126984)     # 1/7!
    p = FASTACT_MADD(p, r, 0.001388888888888889)      # 1/6!
    p = FASTACT_MADD(p, r, 0.008333333333333333)      # 1/5!
    p = FASTACT_MADD(p, r, 0.041666666666666664)      # 1/4!
    p = FASTACT_MADD(p, r, 0.16666666666666666)       # 1/3!
    p = FASTACT_MADD(p, r, 0.5)
    return FASTACT_MADD(p * r, r, r)


cdef inline double _exp_poly(double r) noexcept nogil:
    # e^r - 1 = r + r^2 q(r), q of degree 9 for |r| <= 0.35 (ln2/2 = 0.3466 and the
    # rounding of n): a minimax fit of q to (e^r - 1 - r)/r^2 weighted by r^2 (absolute
    # error of e^r), by Lawson's reweighted least squares at 60 digits (mpmath) over 400
    # Chebyshev nodes; with these double coefficients, evaluated exactly, max |e^r - (1 + r
    # + r^2 q)| = 7.5e-18 = 2^-56.9 on a 4001-point grid of [-0.35, 0.35] (the Taylor
    # series to r^13 it replaces: 4.2e-18, two terms more).  Not for expm1 of small x,
    # whose relative error this does not bound as tightly (2^-54): _expm1_poly there.
    # used by: _exp, _exp_nrm, _exp_dd_parts
    cdef double q = 2.5117694784952803e-08            # c11
    q = FASTACT_MADD(q, r, 2.763276796333501e-07)     # c10
    q = FASTACT_MADD(q, r, 2.755721713195794e-06)     # c9
    q = FASTACT_MADD(q, r, 2.4801485970069255e-05)    # c8
    q = FASTACT_MADD(q, r, 0.00019841269916020938)    # c7
    q = FASTACT_MADD(q, r, 0.001388888895063333)      # c6
    q = FASTACT_MADD(q, r, 0.0083333333333081)        # c5
    q = FASTACT_MADD(q, r, 0.041666666666502594)      # c4
    q = FASTACT_MADD(q, r, 0.16666666666666696)       # c3
    q = FASTACT_MADD(q, r, 0.5000000000000014)        # c2
    return FASTACT_MADD(q * r, r, r)


cdef inline double _pow2(double t) noexcept nogil:
    # 2^m for t = m + EXP_SHIFT, -1022 <= m <= 1023: the low bits of t hold m, and
    # (m + 1023) << 52 is the exponent field (the shifter's own bit 51 is shifted out).
    # used by: _exp, _exp_nrm, _expm1, _exp_dd_parts
    return fastact_u2d((fastact_d2u(t) + 1023) << 52)


cdef inline double _exp(double x) noexcept nogil:
    # e^x for every double x.
    # used by: _sigmoid, sigmoid_grad, tanh_grad, elu_grad, selu_grad, celu_grad,
    # log_sigmoid_fwd, _log1pexp (softplus), the softmax rows (softmax.pxi,
    # _ufuncs.pyx.tp)
    cdef double t, n, r, s1, t1, n1
    x = -746.0 if isless(x, -746.0) else x            # e^-746 < 2^-1075: 0 (NaN stays)
    x = 710.0 if isgreater(x, 710.0) else x           # e^710 > DBL_MAX: inf
    t = FASTACT_MADD(x, LOG2E, EXP_SHIFT)
    n = t - EXP_SHIFT
    r = FASTACT_MADD(-n, LN2_LO, FASTACT_MADD(-n, LN2_HI, x))
    t1 = 0.5 * n + EXP_SHIFT                           # split 2^n = 2^n1 2^(n - n1)
    n1 = t1 - EXP_SHIFT
    s1 = _pow2(t1)
    # 2^n1 (1 + m) rounded once (normal: n1 >= -540), then exact unless subnormal
    return FASTACT_MADD(_exp_poly(r), s1, s1) * _pow2(n - n1 + EXP_SHIFT)


cdef double EXP_NRM_LO = -708.0                       # e^-708 > 2^-1022: normal


cdef inline double _exp_nrm_in(double x) noexcept nogil:
    # e^x for -708 <= x <= 0 (NaN gives NaN; below -708 the 2^n bits are wrong: callers
    # clamp): one 2^n factor (-1021 <= n <= 0), rounded once as s (1 + m).  About a third
    # fewer operations than _exp.  (Correct up to x = 709 too, but nothing clamps above.)
    # used by: _exp_nrm
    cdef double t, n, r, s
    t = FASTACT_MADD(x, LOG2E, EXP_SHIFT)
    n = t - EXP_SHIFT
    r = FASTACT_MADD(-n, LN2_LO, FASTACT_MADD(-n, LN2_HI, x))
    s = _pow2(t)
    return FASTACT_MADD(_exp_poly(r), s, s)


cdef inline double _exp_nrm(double x) noexcept nogil:
    # e^x for x <= 0 (the callers' -|v|) where that is a normal double (x >= -708); below
    # -708 it returns e^-708 (not 0), for callers whose result there is 0 or scaled away
    # anyway.
    # used by: _exp_nabs (silu_grad, mish), silu_fwd, gelu_tanh (_gelu_tanh_z)
    return _exp_nrm_in(EXP_NRM_LO if isless(x, EXP_NRM_LO) else x)   # (NaN stays)


cdef inline double _exp_under(double x) noexcept nogil:
    # _exp(x), bit for bit, for the softmax rows, whose masked-out entries are -inf: below
    # -746 the lanes compute e^0 and then select 0, where _exp's clamped argument would
    # run its scaling into the subnormals, a microcode assist per vector on x86 (twice
    # the time of a row).
    # used by: the float64 softmax and log_softmax rows, log_softmax's backward
    cdef bint lo = isless(x, -746.0)
    cdef double e = _exp(0.0 if lo else x)
    return 0.0 if lo else e


cdef inline double _expm1(double x) noexcept nogil:
    # e^x - 1 = 2^n (e^r - 1) + (2^n - 1): for n = 0 (|x| < ln2/2) just the series, so
    # tiny x keep every digit.  Below -40 the result is -1 to double precision.
    # used by: tanh_fwd, elu_fwd, selu_fwd, celu_fwd
    cdef double t, n, r, s
    x = -40.0 if isless(x, -40.0) else x
    x = 710.0 if isgreater(x, 710.0) else x
    t = x * LOG2E + EXP_SHIFT
    n = t - EXP_SHIFT
    r = (x - n * LN2_HI) - n * LN2_LO
    s = _pow2(t)                                       # n <= 1024: 2^1024 is inf, correct
    # expm1(-0) = -0 (the series would give +0 from -0 + (+0))
    return x if x == 0.0 else FASTACT_MADD(s, _expm1_poly(r), s - 1.0)


cdef inline double _exp_dd_parts(double a, double al, double* scale) noexcept nogil:
    # e^(a + al) = scale[0] (1 + m), returns m: _exp's method with the correction al
    # (|al| < 2^-40) added to the reduced argument, whose rounding is then below 2^-55
    # relative; scale = 2^n is normal (a is clamped at -700, where gelu is 0 anyway).
    # The caller folds 1 + m into its next product (X + X m) instead of rounding it.
    # used by: gelu (exp(-x^2/2) with x^2 = h + l exact)
    cdef double t, n, r
    a = -700.0 if isless(a, -700.0) else a
    t = a * LOG2E + EXP_SHIFT
    n = t - EXP_SHIFT
    r = ((a - n * LN2_HI) - n * LN2_LO) + al
    scale[0] = _pow2(t)
    return _exp_poly(r)

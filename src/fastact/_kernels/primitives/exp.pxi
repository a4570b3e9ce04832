# ---- exp and expm1 in plain arithmetic (double) -------------------------------------
# libm's exp is a call per element, which stops the loops from vectorizing; these are the
# same function as straight-line arithmetic the compiler turns into SIMD code.
# Method (Cody & Waite; as in fdlibm and XNNPACK): n = round(x / ln2) by the 1.5*2^52
# shifter, r = x - n ln2 in two parts (|r| <= ln2/2, exact: LN2_HI has 32 significant
# bits and |n| < 1100), e^r by its Taylor series to r^13 (truncation below 2^-57
# relative), then 2^n built from exponent bits in two factors so that results in the
# subnormal range are rounded once, at the last product.  Measured error: within 1 ULP
# (the accuracy tool checks every kernel that uses them).

cdef double EXP_SHIFT = 6755399441055744.0            # 1.5 * 2^52
cdef double LOG2E = 1.4426950408889634                # 1/ln2
cdef double LN2_HI = 6.93147180369123816490e-01       # fdlibm's ln2_hi (32 bits)
cdef double LN2_LO = 1.90821492927058770002e-10       # ln2 - LN2_HI


cdef inline double _expm1_poly(double r) noexcept nogil:
    # e^r - 1 = r + r^2/2! + ... + r^13/13!, Horner; for |r| <= 0.347
    # used by: _exp, _expm1, _exp_dd_parts
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


cdef inline double _pow2(double t) noexcept nogil:
    # 2^m for t = m + EXP_SHIFT, -1022 <= m <= 1023: the low bits of t hold m, and
    # (m + 1023) << 52 is the exponent field (the shifter's own bit 51 is shifted out).
    # used by: _exp, _expm1, _exp_dd_parts
    return fastact_u2d((fastact_d2u(t) + 1023) << 52)


cdef inline double _exp(double x) noexcept nogil:
    # e^x for every double x.
    # used by: _sigmoid, sigmoid_grad, tanh_grad, elu_grad, selu_grad, celu_grad,
    # _exp_nabs (silu, mish), gelu_tanh, log_sigmoid_fwd, _log1pexp (softplus), the
    # softmax rows (softmax.pxi, _ufuncs.pyx.tp)
    cdef double t, n, r, p, t1, n1
    x = -746.0 if isless(x, -746.0) else x            # e^-746 < 2^-1075: 0 (NaN stays)
    x = 710.0 if isgreater(x, 710.0) else x           # e^710 > DBL_MAX: inf
    t = x * LOG2E + EXP_SHIFT
    n = t - EXP_SHIFT
    r = (x - n * LN2_HI) - n * LN2_LO
    p = _expm1_poly(r) + 1.0
    t1 = 0.5 * n + EXP_SHIFT                           # split 2^n = 2^n1 2^(n - n1)
    n1 = t1 - EXP_SHIFT
    return (p * _pow2(t1)) * _pow2(n - n1 + EXP_SHIFT)


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
    return _expm1_poly(r)

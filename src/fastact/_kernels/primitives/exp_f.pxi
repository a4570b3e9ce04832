# ---- exp and expm1 in plain arithmetic (float) --------------------------------------
# _expf and _expm1f: the double functions' method (Cody-Waite reduction, the Taylor
# series, 2^n in two factors) in float, for the whole float range.

cdef float F_EXP_LO = -104.0          # e^-104 < 2^-150: exp rounds to 0
cdef float F_EXP_HI = 89.0            # e^89 > FLT_MAX: inf
cdef float F_EXPM1_LO = -18.0         # expm1(-18) = -1 to float precision
cdef float F_SHIFT = 12582912.0       # 1.5 * 2^23: adding it rounds to an integer
cdef float F_LOG2E = 1.44269502
cdef float F_LN2_HI = 0.693145751953125          # 0x3f317200: 16 bits, n * LN2_HI exact
cdef float F_LN2_LO = 1.42860677e-06             # ln2 - F_LN2_HI
# 1/k!, k = 2..8, rounded to float
# used by: _expm1_poly_f; gelu's exp(-t^2/2) (F_C2..F_C7)
cdef float F_C2 = 0.5
cdef float F_C3 = 0.166666672
cdef float F_C4 = 0.0416666679
cdef float F_C5 = 0.00833333377
cdef float F_C6 = 0.00138888892
cdef float F_C7 = 0.000198412701
cdef float F_C8 = 2.48015876e-05


cdef inline float _expm1_poly_f(float r) noexcept nogil:
    # e^r - 1 = r + r^2/2! + ... + r^8/8! for |r| <= ln2/2: truncation below 2^-30
    # relative, Horner rounding about 1 ULP.
    # used by: _expf, _expm1f
    cdef float p = F_C8
    p = FASTACT_MADDF(p, r, F_C7)
    p = FASTACT_MADDF(p, r, F_C6)
    p = FASTACT_MADDF(p, r, F_C5)
    p = FASTACT_MADDF(p, r, F_C4)
    p = FASTACT_MADDF(p, r, F_C3)
    p = FASTACT_MADDF(p, r, F_C2)
    return FASTACT_MADDF(p * r, r, r)


cdef inline float _pow2f(float t) noexcept nogil:
    # 2^m for t = m + F_SHIFT, -126 <= m <= 127 (as _pow2, 23-bit field)
    # used by: _expf, _expm1f, _expf_r_parts
    return fastact_u2f((fastact_f2u(t) + 127) << 23)


cdef inline float _expf(float x) noexcept nogil:
    # Cody-Waite as _exp: n = round(x / ln2), r = x - n ln2 in two parts, e^r by the
    # series, 2^n in two factors so subnormal results round once.  About 1 ULP.
    # used by: sigmoid_grad_f, tanh_grad_f, elu_grad_f, selu_grad_f, celu_grad_f
    cdef float t, n, r, p, t1, n1
    x = F_EXP_LO if isless(x, F_EXP_LO) else x
    x = F_EXP_HI if isgreater(x, F_EXP_HI) else x
    t = x * F_LOG2E + F_SHIFT
    n = t - F_SHIFT
    r = (x - n * F_LN2_HI) - n * F_LN2_LO
    p = _expm1_poly_f(r) + F_ONE
    t1 = F_HALF * n + F_SHIFT
    n1 = t1 - F_SHIFT
    return (p * _pow2f(t1)) * _pow2f(n - n1 + F_SHIFT)


cdef inline float _expm1f(float x) noexcept nogil:
    # 2^n (e^r - 1) + (2^n - 1), as _expm1; expm1(-0) = -0.
    # used by: elu_fwd_f, selu_fwd_f, celu_fwd_f
    cdef float t, n, r, s
    x = F_EXPM1_LO if isless(x, F_EXPM1_LO) else x
    x = F_EXP_HI if isgreater(x, F_EXP_HI) else x
    t = x * F_LOG2E + F_SHIFT
    n = t - F_SHIFT
    r = (x - n * F_LN2_HI) - n * F_LN2_LO
    s = _pow2f(t)
    return x if x == F_ZERO else FASTACT_MADDF(s, _expm1_poly_f(r), s - F_ONE)

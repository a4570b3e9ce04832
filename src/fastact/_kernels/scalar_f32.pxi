# float32-native scalar kernels, for the kernels listed in _registry.FLOAT32_NATIVE.
#
# The double kernels (scalar.pxi) give float32 results within half an ULP, but at half the
# SIMD width: sigmoid and tanh in float32 ran at a quarter of PyTorch's speed.  These
# compute in float (16 lanes per AVX-512 vector) with the same formulas; they are a few
# ULP instead of half of one, within the registry's bounds, as the accuracy tool measures
# over every float32 input.  The same rules as scalar.pxi hold (quiet comparisons, limits
# by selects, NaN in NaN out).  Every constant is a typed float: a double literal in an
# expression would promote it to double and halve the vector width.

cdef extern from "config.h" nogil:
    uint32_t fastact_f2u(float)
    float fastact_u2f(uint32_t)
    float FASTACT_MADDF(float, float, float)

cdef extern from "<math.h>" nogil:
    float fabsf(float)
    float copysignf(float, float)

cdef float F_ZERO = 0.0
cdef float F_HALF = 0.5
cdef float F_ONE = 1.0
cdef float F_TWO = 2.0
cdef float F_FOUR = 4.0
cdef float F_EXP_LO = -104.0          # e^-104 < 2^-150: exp rounds to 0
cdef float F_EXP_HI = 89.0            # e^89 > FLT_MAX: inf
cdef float F_EXPM1_LO = -18.0         # expm1(-18) = -1 to float precision
cdef float F_SHIFT = 12582912.0       # 1.5 * 2^23: adding it rounds to an integer
cdef float F_LOG2E = 1.44269502
cdef float F_LN2_HI = 0.693145751953125          # 0x3f317200: 16 bits, n * LN2_HI exact
cdef float F_LN2_LO = 1.42860677e-06             # ln2 - F_LN2_HI
# 1/k!, k = 2..8, rounded to float
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
    cdef float p = F_C8
    p = FASTACT_MADDF(p, r, F_C7)
    p = FASTACT_MADDF(p, r, F_C6)
    p = FASTACT_MADDF(p, r, F_C5)
    p = FASTACT_MADDF(p, r, F_C4)
    p = FASTACT_MADDF(p, r, F_C3)
    p = FASTACT_MADDF(p, r, F_C2)
    return FASTACT_MADDF(p * r, r, r)


cdef inline float _pow2f(float t) noexcept nogil:
    # 2^m for t = m + F_SHIFT, -126 <= m <= 127 (as _pow2 in scalar.pxi, 23-bit field)
    return fastact_u2f((fastact_f2u(t) + 127) << 23)


cdef inline float _expf(float x) noexcept nogil:
    # Cody-Waite as _exp: n = round(x / ln2), r = x - n ln2 in two parts, e^r by the
    # series, 2^n in two factors so subnormal results round once.  About 1 ULP.
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
    cdef float t, n, r, s
    x = F_EXPM1_LO if isless(x, F_EXPM1_LO) else x
    x = F_EXP_HI if isgreater(x, F_EXP_HI) else x
    t = x * F_LOG2E + F_SHIFT
    n = t - F_SHIFT
    r = (x - n * F_LN2_HI) - n * F_LN2_LO
    s = _pow2f(t)
    return x if x == F_ZERO else FASTACT_MADDF(s, _expm1_poly_f(r), s - F_ONE)


# ---- sigmoid ------------------------------------------------------------------------

cdef inline float sigmoid_fwd_f(float x) noexcept nogil:
    cdef float z = _expf(-fabsf(x))
    return (z if isless(x, F_ZERO) else F_ONE) / (F_ONE + z)

cdef inline float sigmoid_grad_f(float x) noexcept nogil:
    cdef float z = _expf(-fabsf(x))
    cdef float d = F_ONE + z
    cdef float r = z / (d * d)
    return F_HALF * F_HALF if isgreater(r, F_HALF * F_HALF) else r

cdef inline float sigmoid_grad_y_f(float y) noexcept nogil:
    return y * (F_ONE - y)


# ---- tanh ---------------------------------------------------------------------------

cdef inline float tanh_fwd_f(float x) noexcept nogil:
    cdef float m = _expm1f(-F_TWO * fabsf(x))
    return copysignf(-m / (F_TWO + m), x)

cdef inline float tanh_grad_f(float x) noexcept nogil:
    cdef float z = _expf(-F_TWO * fabsf(x))
    cdef float d = F_ONE + z
    return F_FOUR * z / (d * d)

cdef inline float tanh_grad_y_f(float y) noexcept nogil:
    return (F_ONE - y) * (F_ONE + y)


# ---- elu, selu, celu ----------------------------------------------------------------
# The same branches as scalar.pxi (x <= 0 takes the exp branch, so f'(0) = alpha), in
# float; the parameters arrive as float.  SELU's constants rounded to float (0.5 ULP of
# relative error, inside the bound).

cdef float F_SELU_SCALE = SELU_SCALE                  # scalar.pxi's, rounded to float
cdef float F_SELU_SA = SELU_SCALE * SELU_ALPHA

cdef inline float elu_fwd_f(float x, float alpha) noexcept nogil:
    return x if isgreater(x, F_ZERO) else alpha * _expm1f(x)

cdef inline float elu_grad_f(float x, float alpha) noexcept nogil:
    return F_ONE if isgreater(x, F_ZERO) else alpha * _expf(x)

cdef inline float elu_grad_y_f(float y, float alpha) noexcept nogil:
    return F_ONE if isgreater(y, F_ZERO) else y + alpha

cdef inline float selu_fwd_f(float x) noexcept nogil:
    # scale * x as one double product rounded once: with the float-rounded scale (above
    # the true one) x near FLT_MAX / scale overflowed where the true result rounds to FLT_MAX
    return <float>(SELU_SCALE * x) if isgreater(x, F_ZERO) else F_SELU_SA * _expm1f(x)

cdef inline float selu_grad_f(float x) noexcept nogil:
    return F_SELU_SCALE if isgreater(x, F_ZERO) else F_SELU_SA * _expf(x)

cdef inline float selu_grad_y_f(float y) noexcept nogil:
    # y + scale alpha with the double constant, rounded once: it cancels where y has
    # saturated, and the float-rounded constant would leave 0 instead of the last digits
    return F_SELU_SCALE if isgreater(y, F_ZERO) else <float>(y + SELU_SCALE * SELU_ALPHA)

cdef inline float celu_fwd_f(float x, float alpha) noexcept nogil:
    return x if isgreater(x, F_ZERO) else alpha * _expm1f(x / alpha)

cdef inline float celu_grad_f(float x, float alpha) noexcept nogil:
    return F_ONE if isgreater(x, F_ZERO) else _expf(x / alpha)

cdef inline float celu_grad_y_f(float y, float alpha) noexcept nogil:
    return F_ONE if isgreater(y, F_ZERO) else y / alpha + F_ONE

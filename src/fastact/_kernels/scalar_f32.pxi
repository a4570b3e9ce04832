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
    float FASTACT_MUL_LOF(float, float, float)

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
    # softplus's derivative, below: the shorter exp (_expf_r) on -x, and the subnormal tail
    # rescaled by e^32
    return _sigmoid_sc_f(x, F_ZERO)

cdef inline float sigmoid_grad_f(float x) noexcept nogil:
    cdef float z = _expf(-fabsf(x))
    cdef float d = F_ONE + z
    cdef float r = z / (d * d)
    return F_HALF * F_HALF if isgreater(r, F_HALF * F_HALF) else r

cdef inline float sigmoid_grad_y_f(float y) noexcept nogil:
    return y * (F_ONE - y)


# ---- tanh ---------------------------------------------------------------------------

cdef inline float tanh_fwd_f(float x) noexcept nogil:
    # -m / (2 + m), m = expm1(-2|x|), odd by copysign.  The expm1 is _expf_r's reduction
    # and polynomial (below) with 2^n (e^r - 1) + (2^n - 1) as _expm1f: -2|x| is clamped
    # at -18, where m rounds to -1 (tanh to 1), so 2^n is normal and one factor will do.
    cdef float a = -F_TWO * fabsf(x)
    cdef float s, p, m
    a = F_EXPM1_LO if isless(a, F_EXPM1_LO) else a
    p = _expf_r_parts(a, &s)
    m = FASTACT_MADDF(s, p, s - F_ONE)
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


# ---- a shorter exp for the kernels below (silu, softplus, log_sigmoid, gelu_tanh, mish) --
# _expf above handles the whole float range (clamps, 2^n in two factors for subnormal
# results).  These kernels clamp their own arguments (they have to anyway, for their
# limits and scaled branches), so _expf_r takes only -87 <= t <= 88: 2^n in one factor
# (n from -126 to 127, a normal result: e^-87 = 1.6e-38) and no clamps.  Reduction with
# FMA where the target has it (n * LN2_HI is exact either way: 16 bits times |n| <= 127),
# a degree-6 minimax polynomial for e^r on [-ln2/2, ln2/2] (relative error 3e-9, fitted on
# relative error; the constants below are its float-rounded coefficients), and
# 2^n (e^r - 1) + 2^n as one multiply-add.  Measured against exp in double over every
# float in [-87, 0]: at most 1.02 ULP.  NaN gives NaN.

cdef float F_EXPN_LO = -87.0                 # _expf_r's lower end
cdef float F_E2 = 0.49999994
cdef float F_E3 = 0.1666652
cdef float F_E4 = 0.041668393
cdef float F_E5 = 0.008368749
cdef float F_E6 = 0.0013814362

cdef inline float _expf_r_parts(float x, float* s) noexcept nogil:
    # e^x = s (1 + p): returns p = e^r - 1, sets s = 2^n (the caller combines them: e^x
    # here, expm1 in tanh_fwd_f)
    cdef float t, n, r, p
    t = FASTACT_MADDF(x, F_LOG2E, F_SHIFT)
    n = t - F_SHIFT
    r = FASTACT_MADDF(n, -F_LN2_HI, x)
    r = FASTACT_MADDF(n, -F_LN2_LO, r)
    p = FASTACT_MADDF(F_E6, r, F_E5)
    p = FASTACT_MADDF(p, r, F_E4)
    p = FASTACT_MADDF(p, r, F_E3)
    p = FASTACT_MADDF(p, r, F_E2)
    s[0] = _pow2f(t)
    return FASTACT_MADDF(p * r, r, r)

cdef inline float _expf_r(float x) noexcept nogil:
    cdef float s
    cdef float p = _expf_r_parts(x, &s)
    return FASTACT_MADDF(s, p, s)

cdef inline float _clampf(float x, float lo, float hi) noexcept nogil:
    # x limited to [lo, hi] by selects (NaN stays NaN)
    x = lo if isless(x, lo) else x
    return hi if isgreater(x, hi) else x


# ---- silu ---------------------------------------------------------------------------
# One exp per element, then selects, as scalar.pxi's silu, but on z = e^-x (not e^-|x|:
# x / (1 + z) and 1 + z (1 + x) need no sign select) above a threshold: -80 for the
# forward, -40 for the derivative (where (1 + z)^2 stays below e^81).  Below it, where
# silu(x) = x e^x and silu'(x) = e^x (1 + x) to float precision (the dropped factors are
# 1 + O(e^-40)), z = e^(x + 32) instead (x + 32 is exact for 32 <= |x| < 2^23) and the
# result is computed as (x z) e^-32, so that in the
# subnormal range (x < -87) it rounds once, at the last product (x * expf(x) would
# magnify expf's rounding in the subnormal range by |x|).  x is clamped to [-119, 87]:
# the exp's range; at -119 x e^x is below 2^-150 (the result -0, also for -inf), and at
# 87 the results have long been x and 1 (so +inf gives inf and 1 without inf * 0).
# Measured over every float32 input: forward 2.8 ULP (x = -90.55, subnormal), derivative
# 4.74 (x = -16.66), backward 4.32 (the double kernel: 0.5).

cdef float F_SILU_LO = -119.0
cdef float F_SILU_HI = 87.0
cdef float F_SILU_FWD_SCALED = -80.0
cdef float F_SILU_GRAD_SCALED = -40.0
cdef float F_SCALE_UP = 32.0
cdef float F_E_M32 = 1.26641655e-14              # e^-32, rounded to float

cdef inline float _silu_z(float x, float below, float* xl, bint* scaled) noexcept nogil:
    # z = e^-x, or e^(x + 32) where x < below (then scaled[0] is set); xl = max(x, -119)
    cdef float xc = _clampf(x, F_SILU_LO, F_SILU_HI)
    xl[0] = F_SILU_LO if isless(x, F_SILU_LO) else x
    scaled[0] = isless(x, below)
    return _expf_r(xc + F_SCALE_UP if scaled[0] else -xc)

cdef inline float silu_fwd_f(float x) noexcept nogil:
    # x / (1 + z); scaled: (x z) e^-32 (1 + z rounds to 1 there: z < e^-48).
    cdef bint sc
    cdef float xl
    cdef float z = _silu_z(x, F_SILU_FWD_SCALED, &xl, &sc)
    cdef float r = (xl * z if sc else xl) / (F_ONE + z)
    return r * F_E_M32 if sc else r

cdef inline float silu_grad_f(float x) noexcept nogil:
    # s (1 + x (1 - s)) with s = 1 / d, d = 1 + z: (1 + z (1 + x)) / d^2.  1 + x is exact
    # for x <= -1/2, so near the zero at -1.278 only z's rounding is amplified.
    # Scaled: (z (1 + x)) e^-32.
    cdef bint sc
    cdef float xl
    cdef float z = _silu_z(x, F_SILU_GRAD_SCALED, &xl, &sc)
    cdef float a = _clampf(x, F_SILU_LO, F_SILU_HI) + F_ONE
    cdef float d = F_ONE + z
    cdef float r = FASTACT_MADDF(z, a, F_ZERO if sc else F_ONE) / (F_ONE if sc else d * d)
    return r * F_E_M32 if sc else r


# ---- log1p, and log(1 + e^z) for softplus and log_sigmoid ---------------------------
# _log1pf(e) for 0 <= e <= 1 (the kernels' e = e^-|z|): fdlibm's method (as _log1p in
# scalar.pxi) in float, simplified by the range.  1 + e = 2^k (1 + f) with f = e (k = 0)
# below 1/2 and f = (e - 1)/2 (k = 1) from 1/2 on: both exact, so no correction term for
# the rounding of 1 + e is needed, f in [-1/4, 1/2).  log(1 + f) = f - (hfsq - s (hfsq +
# R(s^2))), s = f / (2 + f), hfsq = f^2/2, R(z) = (2 atanh(s) - 2s)/s to degree 3 in z
# (minimax on z <= 0.04, fitted here: error below 2^-28 relative to the result), and
# k ln2 in two parts.  Measured against log1p in double (every third float in [0, 1],
# without FMA): at most 0.90 ULP.  NaN gives NaN.

cdef float F_LG1 = 0.6666695
cdef float F_LG2 = 0.39957735
cdef float F_LG3 = 0.30362502
cdef uint32_t F_SIGN_BIT = 0x80000000

cdef inline float _nabsf(float x) noexcept nogil:
    # -|x| as one OR of the sign bit (-fabsf is an AND and an XOR)
    return fastact_u2f(fastact_f2u(x) | F_SIGN_BIT)

cdef inline float _log1pf(float e) noexcept nogil:
    # k as a float 0 or 1 and the rest by exact arithmetic on it (k * y and (1 - k) * y
    # are exact): with three selects on the one condition GCC duplicated everything
    # between them (two divisions, two polynomials) instead of blending
    cdef float k = F_ONE if isgreaterequal(e, F_HALF) else F_ZERO
    cdef float f = FASTACT_MADDF(k, F_HALF * (e - F_ONE), (F_ONE - k) * e)
    cdef float s = f / (F_TWO + f)
    cdef float z = s * s
    cdef float R = z * FASTACT_MADDF(FASTACT_MADDF(F_LG3, z, F_LG2), z, F_LG1)
    cdef float hfsq = F_HALF * f * f
    cdef float t = hfsq - FASTACT_MADDF(s, hfsq + R, k * F_LN2_LO)
    return k * F_LN2_HI - (t - f)

cdef float F_SP_SCALED = -80.0

cdef inline float _softplus1_f(float z, float zl, bint* scaled) noexcept nogil:
    # log(1 + e^(z + zl)) = max(z, 0) + log1p(e^-|z|); where e^z is near or below FLT_MIN
    # (z < -80: scaled[0] set) e^(z + 32) instead (z + 32 exact, and log1p(e) = e
    # there), to be multiplied by e^-32 as the caller's last step (see silu).  The exp's
    # argument is clamped at -87: e^-87 is as good as 0 beside max(z, 0) for z > 87, and
    # below z = -119 (-inf too) the scaled result is 0 either way.  zl: the low part of
    # an argument carried as z + zl (softplus's beta x), applied as e (1 +- zl).
    cdef float a, e
    scaled[0] = isless(z, F_SP_SCALED)
    a = z + F_SCALE_UP if scaled[0] else _nabsf(z)
    a = F_EXPN_LO if isless(a, F_EXPN_LO) else a
    e = _expf_r(a)
    e = FASTACT_MADDF(e, zl if islessequal(z, F_ZERO) else -zl, e)
    return (z if isgreater(z, F_ZERO) else F_ZERO) + _log1pf(e)

cdef inline float _sigmoid_sc_f(float z, float zl) noexcept nogil:
    # sigmoid(z + zl) = 1 / (1 + e^-z) for z >= -80 (e^-z <= e^80, no overflow), and
    # e^(z + 32) e^-32 below (1 + e^z rounds to 1 there), rounded once at the end as
    # in silu; z clamped to [-119, 87] for the exp (the results 0 and 1 beyond).  zl as
    # in _softplus1_f.
    cdef float zc = _clampf(z, F_SILU_LO, F_SILU_HI)
    cdef bint sc = isless(z, F_SP_SCALED)
    cdef float e = _expf_r(zc + F_SCALE_UP if sc else -zc)
    e = FASTACT_MADDF(e, zl if sc else -zl, e)
    cdef float r = (e if sc else F_ONE) / (F_ONE + e)
    return r * F_E_M32 if sc else r


cdef float F_LO_NEEDED = 128.0

cdef inline float _mul_lo_f(float a, float b, float p) noexcept nogil:
    # a b - p for p = a b rounded to float, exactly (FASTACT_MUL_LOF, config.h: an FMA, or
    # double arithmetic on the baseline).  0 where |p| >= 128 (or inf, NaN): the exps have
    # saturated there, and the low part of a huge product is itself huge.
    cdef float lo = FASTACT_MUL_LOF(a, b, p)
    return lo if isless(fabsf(p), F_LO_NEEDED) else F_ZERO


# ---- softplus -----------------------------------------------------------------------
# PyTorch's rule as scalar.pxi: x where beta x > threshold, log(1 + e^(beta x)) / beta
# elsewhere.  beta x is carried as z + zl (float, and its exact rounding error): rounded
# alone, its error (|beta x| 2^-24 relative) would reach the left tail's result, where
# the value is e^(beta x), as |beta x| / 2 ULP (40 ULP near the subnormal range) for
# betas other than the default 1 and powers of two.
# Measured over every float32 input (defaults beta = 1, threshold = 20): forward 1.75 ULP
# (x = -84.6), derivative 2.48, backward 2.34.

cdef inline float softplus_fwd_f(float x, float beta, float threshold) noexcept nogil:
    cdef bint sc
    cdef float z = beta * x
    cdef float r = _softplus1_f(z, _mul_lo_f(beta, x, z), &sc) / beta
    r = r * F_E_M32 if sc else r
    return x if isgreater(z, threshold) else r

cdef inline float softplus_grad_f(float x, float beta, float threshold) noexcept nogil:
    # (the sigmoid computed first, then selected: inside the conditional expression GCC
    # if-converted it into two masked divisions)
    cdef float z = beta * x
    cdef float r = _sigmoid_sc_f(z, _mul_lo_f(beta, x, z))
    return F_ONE if isgreater(z, threshold) else r


# ---- log_sigmoid --------------------------------------------------------------------
# log sigmoid(x) = -log(1 + e^-x), and its derivative sigmoid(-x): the softplus helpers
# at -x.  For x > 80 the result is -e^-x, scaled as softplus's left tail; -0 where it
# underflows (the double kernel's -log1p(0)).
# Measured over every float32 input: forward 1.75 ULP (x = 84.6), derivative 2.48,
# backward 2.36.

cdef inline float log_sigmoid_fwd_f(float x) noexcept nogil:
    cdef bint sc
    cdef float r = _softplus1_f(-x, F_ZERO, &sc)
    return -(r * F_E_M32 if sc else r)

cdef inline float log_sigmoid_grad_f(float x) noexcept nogil:
    return _sigmoid_sc_f(-x, F_ZERO)


# ---- gelu_tanh ----------------------------------------------------------------------
# x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3), as scalar.pxi.  For v << 0 the result
# is x e^v, whose relative error is the absolute error of v: v rounded to float would cost
# |v| / 2 ULP (50 ULP where the result reaches the subnormal range).  So v and
# w = x v' = 2 sqrt(2/pi) (x + 3 * 0.044715 x^3) are computed in double (x^2 exact there,
# a few 2^-53 relative: a handful of double operations, the same on every target, unlike
# a float double-float that needs FMA) and v split into vh + vl in float; then
# e^-|v| = e^-|vh| (1 -+ vl).  x is clamped to [-16, 16] first: beyond it v passes
# +-300 and the results are x and 1 (right) or -0 (left), which the formulas give from
# the clamped x without inf * 0.  Where v < -80 the exp is scaled by e^32 as in silu.
# Measured over every float32 input: forward 3.79 ULP (x = -1.82), derivative 6.14
# (x = -2.63), backward 5.26.

cdef float F_GT_LIM = 16.0

cdef inline float _gelu_tanh_zf(float x, float* xl, float* w, bint* neg, bint* sc) noexcept nogil:
    # zs = e^-|v| (1 -+ vl), or e^(v + 32) (1 + vl) where v < -80 (sc); xl = max(x, -16)
    cdef float xc = _clampf(x, -F_GT_LIM, F_GT_LIM)
    cdef double xd = xc
    cdef double s = xd * xd
    cdef double c = SQRT8_PI_HI * xd
    cdef double v = c * FASTACT_MADD(GELU_K, s, 1.0)
    cdef float vh = <float>v
    cdef float vl = <float>(v - <double>vh)
    cdef float a, e
    w[0] = <float>(c * FASTACT_MADD(3.0 * GELU_K, s, 1.0))
    xl[0] = xc if isless(x, F_ZERO) else x
    neg[0] = isless(vh, F_ZERO)
    sc[0] = isless(vh, F_SP_SCALED)
    a = vh + F_SCALE_UP if sc[0] else _nabsf(vh)
    a = F_EXPN_LO if isless(a, F_EXPN_LO) else a
    e = _expf_r(a)
    return FASTACT_MADDF(e, vl if neg[0] else -vl, e)   # e (1 -+ vl), rounded once

cdef inline float gelu_tanh_fwd_f(float x) noexcept nogil:
    # x zs / (1 + zs) for v < 0, x / (1 + zs) otherwise (1 + zs = 1 where scaled)
    cdef float xl, w
    cdef bint neg, sc
    cdef float zs = _gelu_tanh_zf(x, &xl, &w, &neg, &sc)
    cdef float r = (xl * zs if neg else xl) / (F_ONE + zs)
    return r * F_E_M32 if sc else r

cdef inline float gelu_tanh_grad_f(float x) noexcept nogil:
    # s + x v' s (1 - s) over d^2, d = 1 + zs: zs ((1 + w) + zs) for v < 0 (s = zs/d),
    # d + w zs otherwise (s = 1/d).  Near the zero at -0.7525 the sum cancels; 1 + w is
    # exact there (w in [-2, -1/2]), so it rounds once (d + w, with d rounded, gave an
    # exact 0 of the wrong sign next to the zero).
    cdef float xl, w
    cdef bint neg, sc
    cdef float zs = _gelu_tanh_zf(x, &xl, &w, &neg, &sc)
    cdef float d = F_ONE + zs
    cdef float num = zs * ((F_ONE + w) + zs) if neg else FASTACT_MADDF(w, zs, d)
    cdef float r = num / (d * d)
    return r * F_E_M32 if sc else r


# ---- mish ---------------------------------------------------------------------------
# With e = e^x: tanh(softplus(x)) = n / d, n = e (e + 2) = e^2 + 2e, d = n + 2, as
# scalar.pxi's left side, here for every x up to 20 (x is clamped to [-119, 20]: above
# 20, n / d rounds to 1 and the derivative to 1; n, d^2 and e Q below stay under e^80).
# The derivative tanh(sp) + x sech^2(sp) sigmoid(x) over the common denominator is
# e Q / d^2 with Q = (e + 2)(e^2 + 2e + 2) + 4x(1 + e), by Horner in e:
#   Q = ((e + 4) e + (6 + 4x)) e + 4 (1 + x).
# Its terms cancel only near the zero at -1.19 (at x = -2, where the double kernel's
# t + x sech2 sig cancels by a factor 3, Q is dominated by 4 (1 + x) = -4), and
# 1 + x, 6 + 4x are exact for x in [-2, -1/2].  Below -80 e = e^(x + 32) and the
# results are scaled by e^-32 at the end as in silu (n / d = e and e Q / d^2 = e (1 + x)
# there to float precision).
# Measured over every float32 input: forward 3.92 ULP (x = -13.80: expf's 1 ULP and four
# roundings, close to the bound of 4), derivative 6.31 (x = -0.185), backward 5.7.

cdef float F_MISH_HI = 20.0
cdef float F_SIX = 6.0

cdef inline float _mish_e(float x, float* xc, bint* sc) noexcept nogil:
    # e = e^x, or e^(x + 32) where x < -80 (sc); xc = x clamped to [-119, 20]
    xc[0] = _clampf(x, F_SILU_LO, F_MISH_HI)
    sc[0] = isless(x, F_SP_SCALED)
    return _expf_r(xc[0] + F_SCALE_UP if sc[0] else xc[0])

cdef inline float mish_fwd_f(float x) noexcept nogil:
    # x (n / d), n = e^2 + 2e in one rounding; -inf: the clamped x gives -0
    cdef float xc
    cdef bint sc
    cdef float e = _mish_e(x, &xc, &sc)
    cdef float n = FASTACT_MADDF(e, e, F_TWO * e)
    cdef float r = (F_SILU_LO if isless(x, F_SILU_LO) else x) * (n / (n + F_TWO))
    return r * F_E_M32 if sc else r

cdef inline float mish_grad_f(float x) noexcept nogil:
    cdef float xc
    cdef bint sc
    cdef float e = _mish_e(x, &xc, &sc)
    cdef float d = FASTACT_MADDF(e, e, F_TWO * e) + F_TWO
    cdef float q = FASTACT_MADDF(e + F_FOUR, e, FASTACT_MADDF(F_FOUR, xc, F_SIX))
    q = FASTACT_MADDF(q, e, F_FOUR * (F_ONE + xc))
    cdef float r = e * q / (d * d)
    r = r * F_E_M32 if sc else r
    return F_ONE if isgreater(x, F_MISH_HI) else r    # (e q / d^2 at 20 rounds to 1 + 2^-23)

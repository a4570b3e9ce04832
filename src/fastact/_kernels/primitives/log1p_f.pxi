# ---- log1p, and log(1 + e^z) (float) -------------------------------------------------
# _log1pf(e) for 0 <= e <= 1 (the kernels' e = e^-|z|): fdlibm's method (as _log1p) in
# float, simplified by the range.  1 + e = 2^k (1 + f) with f = e (k = 0) below 1/2 and
# f = (e - 1)/2 (k = 1) from 1/2 on: both exact, so no correction term for the rounding of
# 1 + e is needed, f in [-1/4, 1/2).  log(1 + f) = f - (hfsq - s (hfsq + R(s^2))),
# s = f / (2 + f), hfsq = f^2/2, R(z) = (2 atanh(s) - 2s)/s to degree 3 in z (minimax on
# z <= 0.04, fitted here: error below 2^-28 relative to the result), and k ln2 in two
# parts.  Measured against log1p in double (every third float in [0, 1], without FMA): at
# most 0.90 ULP.  NaN gives NaN.

cdef float F_LG1 = 0.6666695
cdef float F_LG2 = 0.39957735
cdef float F_LG3 = 0.30362502

cdef inline float _log1pf(float e) noexcept nogil:
    # k as a float 0 or 1 and the rest by exact arithmetic on it (k * y and (1 - k) * y
    # are exact): with three selects on the one condition GCC would duplicate everything
    # between them (two divisions, two polynomials) instead of blending
    # used by: _log1pexp_f
    cdef float k = F_ONE if isgreaterequal(e, F_HALF) else F_ZERO
    cdef float f = FASTACT_MADDF(k, F_HALF * (e - F_ONE), (F_ONE - k) * e)
    cdef float s = f / (F_TWO + f)
    cdef float z = s * s
    cdef float R = z * FASTACT_MADDF(FASTACT_MADDF(F_LG3, z, F_LG2), z, F_LG1)
    cdef float hfsq = F_HALF * f * f
    cdef float t = hfsq - FASTACT_MADDF(s, hfsq + R, k * F_LN2_LO)
    return k * F_LN2_HI - (t - f)

cdef inline float _log1pexp_f(float z, float zl, bint* scaled) noexcept nogil:
    # log(1 + e^(z + zl)) = max(z, 0) + log1p(e^-|z|); where e^z is near or below FLT_MIN
    # (z < -80: scaled[0] set) e^(z + 32) instead (z + 32 exact, and log1p(e) = e
    # there), to be multiplied by e^-32 as the caller's last step (see F_E_M32).  The exp's
    # argument is clamped at -87: e^-87 is as good as 0 beside max(z, 0) for z > 87, and
    # below z = -119 (-inf too) the scaled result is 0 either way.  zl: the low part of
    # an argument carried as z + zl (softplus's beta x), applied as e (1 +- zl).
    # used by: softplus_fwd_f, log_sigmoid_fwd_f
    cdef float a, e
    scaled[0] = isless(z, F_SCALED_BELOW)
    a = z + F_SCALE_UP if scaled[0] else _nabsf(z)
    a = F_EXPR_LO if isless(a, F_EXPR_LO) else a
    e = _expf_r(a)
    e = FASTACT_MADDF(e, zl if islessequal(z, F_ZERO) else -zl, e)
    return (z if isgreater(z, F_ZERO) else F_ZERO) + _log1pf(e)

cdef inline float _sigmoid_f(float z, float zl) noexcept nogil:
    # sigmoid(z + zl) = 1 / (1 + e^-z) for z >= -80 (e^-z <= e^80, no overflow), and
    # e^(z + 32) e^-32 below (1 + e^z rounds to 1 there), rounded once at the end (see
    # F_E_M32); z clamped to [-119, 87] for the exp (the results 0 and 1 beyond).  zl as
    # in _log1pexp_f (0 where the argument is a float).
    # used by: sigmoid_fwd_f, softplus_grad_f, log_sigmoid_grad_f
    cdef float zc = _clampf(z, F_SCALED_LO, F_EXPR_HI)
    cdef bint sc = isless(z, F_SCALED_BELOW)
    cdef float e = _expf_r(zc + F_SCALE_UP if sc else -zc)
    e = FASTACT_MADDF(e, zl if sc else -zl, e)
    cdef float r = (e if sc else F_ONE) / (F_ONE + e)
    return r * F_E_M32 if sc else r

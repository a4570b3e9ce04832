# gelu_tanh(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (PyTorch's
# approximate='tanh'); gelu_tanh'(x) = s + x s (1 - s) v', below.
# 0.5 x (1 + tanh(u)) = x sigmoid(v), v = 2u = 2 sqrt(2/pi) (x + 0.044715 x^3): the
# sigmoid form keeps relative accuracy for x < 0 where 1 + tanh(u) cancels.  There
# sigmoid(v) ~ e^v turns an absolute error d in v into a relative error d, |v| eps per ULP
# of v (up to 745 eps), so v is computed in double-double: x^2 exact by fma, the constants
# 2 sqrt(2/pi) and 0.044715 as hi + lo, every product's error kept by fma, and
# exp(vh + vl) = exp(vh) (1 + vl).  Measured in float64: 3.6 ULP forward, 6.1 ULP
# derivative away from its zero at x = -0.7525.  |x| > 1000 is saturated (v < -7e7) and
# would overflow x^3 further out.

# sqrt(2/pi) and 0.044715 (Hendrycks & Gimpel 2016), as PyTorch, as double-double
# constants (hi + lo, lo = the correctly rounded remainder; computed with mpmath at 200
# bits): exp(-a) turns an absolute error d in a into a relative error |a| d (v reaches
# -7e7).
cdef double GELU_K = 0.044715
cdef double GELU_K_LO = 2.1960211427085595e-18       # 0.044715 - (double)0.044715
cdef double SQRT8_PI_HI = 1.5957691216057308         # 2 sqrt(2/pi), gelu_tanh's 2u / x
cdef double SQRT8_PI_LO = -9.96930880911092e-17

cdef inline void _gelu_tanh_v(double x, double* vh, double* vl) noexcept nogil:
    cdef double s, sl, t, tl, w, bb, wl, p, pl, v
    s = x * x
    sl = fma(x, x, -s)                                  # x^2 = s + sl
    t = GELU_K * s
    tl = fma(GELU_K, s, -t) + (GELU_K * sl + GELU_K_LO * s)   # K x^2 = t + tl
    w = 1.0 + t
    bb = w - 1.0
    wl = ((1.0 - (w - bb)) + (t - bb)) + tl             # 1 + K x^2 = w + wl (TwoSum)
    p = x * w
    pl = fma(x, w, -p) + x * wl                         # x (1 + K x^2) = p + pl
    v = SQRT8_PI_HI * p
    vh[0] = v
    vl[0] = fma(SQRT8_PI_HI, p, -v) + (SQRT8_PI_HI * pl + SQRT8_PI_LO * p)

cdef inline double _gelu_tanh_z(double x, double* zs, double* scale, bint* neg) noexcept nogil:
    # One exp for both signs of v = vh + vl, as straight-line code with selects (so the
    # loop vectorizes): zs = e^-|v| (1 -+ vl), scaled by e^64 where e^v is subnormal
    # (v < -700) so that it rounds once, at the final multiplication by scale = e^-64.
    # Returns z = zs * scale.
    cdef double vh, vl, a, l
    cdef bint sc
    _gelu_tanh_v(x, &vh, &vl)
    neg[0] = isless(vh, 0.0)
    sc = isless(vh, SCALED_BELOW)
    a = vh if neg[0] else -vh
    l = vl if neg[0] else -vl
    zs[0] = _exp_nrm(a + 64.0 if sc else a) * (1.0 + l)   # (0 anyway where a + 64 < -708)
    scale[0] = E_M64 if sc else 1.0
    return zs[0] * scale[0]

cdef inline double gelu_tanh_fwd(double x) noexcept nogil:
    # x s(v): x z/(1+z) for v < 0 (no cancellation), x/(1+z) otherwise.
    cdef double zs, scale, z, r
    cdef bint neg
    z = _gelu_tanh_z(x, &zs, &scale, &neg)
    r = (x * (zs / (1.0 + z))) * scale if neg else x / (1.0 + z)
    return (x if isgreater(x, 0.0) else -0.0) if isgreater(fabs(x), 1000.0) else r

cdef inline double gelu_tanh_grad(double x) noexcept nogil:
    # d/dx [x s(v)] = s + x s (1 - s) v',  v' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2);
    # the same as PyTorch's 0.5(1+t) + 0.5x(1-t^2) u' with t = tanh(u), u = v/2.
    # With z = e^-|v|: s = z/(1+z) for v < 0, 1/(1+z) otherwise; s (1 - s) = z/(1+z)^2.
    cdef double zs, scale, z, d, dv, r
    cdef bint neg
    z = _gelu_tanh_z(x, &zs, &scale, &neg)
    dv = SQRT8_PI_HI * (1.0 + 3.0 * GELU_K * x * x)
    d = 1.0 + z
    r = ((zs / d) * (1.0 + x * dv / d)) * scale if neg else 1.0 / d + x * dv * (z / (d * d))
    return (1.0 if isgreater(x, 0.0) else -0.0) if isgreater(fabs(x), 1000.0) else r


# float32: for v << 0 the result is x e^v, whose relative error is the absolute error of
# v: v rounded to float would cost |v| / 2 ULP (50 ULP where the result reaches the
# subnormal range).  So v and w = x v' = 2 sqrt(2/pi) (x + 3 * 0.044715 x^3) are computed
# in double (x^2 exact there, a few 2^-53 relative: a handful of double operations, the
# same on every target, unlike a float double-float that needs FMA) and v split into
# vh + vl in float; then e^-|v| = e^-|vh| (1 -+ vl).  x is clamped to [-16, 16] first:
# beyond it v passes +-300 and the results are x and 1 (right) or -0 (left), which the
# formulas give from the clamped x without inf * 0.  Where v < -80 the exp is rescaled
# (F_E_M32).
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
    sc[0] = isless(vh, F_SCALED_BELOW)
    a = vh + F_SCALE_UP if sc[0] else _nabsf(vh)
    a = F_EXPR_LO if isless(a, F_EXPR_LO) else a
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
    # exact there (w in [-2, -1/2]), so it rounds once (d + w, with d rounded, would give
    # an exact 0 of the wrong sign next to the zero).
    cdef float xl, w
    cdef bint neg, sc
    cdef float zs = _gelu_tanh_zf(x, &xl, &w, &neg, &sc)
    cdef float d = F_ONE + zs
    cdef float num = zs * ((F_ONE + w) + zs) if neg else FASTACT_MADDF(w, zs, d)
    cdef float r = num / (d * d)
    return r * F_E_M32 if sc else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double gelu_tanh_grad2(double x) noexcept nogil:
    # d2/dx2 [x s(v)], v = 2 sqrt(2/pi) (x + 0.044715 x^3):
    #   s (1 - s) [2 v' + x v'' + x (1 - 2 s) v'^2],  2 v' + x v'' = S8 (2 + 12 K x^2),
    # s (1 - s) = z/(1+z)^2, x (1 - 2 s) = -|x| (1-z)/(1+z), z = e^-|v| (scaled by e^64
    # where it would be subnormal, for either sign of v, unlike _gelu_tanh_z).
    cdef double vh, vl, a, l, zs, scale, z, d, dv, c, r
    cdef bint sc
    _gelu_tanh_v(x, &vh, &vl)
    a = -fabs(vh)
    l = vl if isless(vh, 0.0) else -vl
    sc = isless(a, SCALED_BELOW)
    zs = _exp(a + 64.0 if sc else a) * (1.0 + l)
    scale = E_M64 if sc else 1.0
    z = zs * scale
    d = 1.0 + z
    dv = SQRT8_PI_HI * (1.0 + 3.0 * GELU_K * x * x)
    c = SQRT8_PI_HI * (2.0 + 12.0 * GELU_K * x * x) - fabs(x) * (dv * dv) * ((1.0 - z) / d)
    r = ((zs / (d * d)) * c) * scale
    return -0.0 if isgreater(fabs(x), 1000.0) else r

# silu(x) = x sigmoid(x) (swish); silu'(x) = s (1 + x (1 - s)), s = sigmoid(x).

cdef double SILU_LO = -772.0        # x e^x < 2^-1075 below; x + 64 >= -708 above

cdef inline double silu_fwd(double x) noexcept nogil:
    # x sigmoid(x) on z = e^-|x|; below -700, x e^x / (1 + e^x) = x e^x to double
    # precision, scaled (see E_M64): z = e^(x + 64), (x z) e^-64 rounded once.  One
    # division for both signs: (x z) / (1 + z) for x < 0, x / (1 + z) otherwise (the
    # numerator selected, not the quotient: a select of two quotients computes both);
    # scaled, 1 + z = 1 (z < e^-636).  x is clamped at -772 first: the result there
    # already rounds to -0 (-inf too), and the exp's argument x + 64 stays >= -708 (-|x|
    # is clamped there by _exp_nrm: x > 708 gives x).
    cdef bint sc
    cdef double z, r
    x = SILU_LO if isless(x, SILU_LO) else x
    sc = isless(x, SCALED_BELOW)
    z = _exp_nrm(x + 64.0 if sc else _nabs(x))
    r = (x * z if isless(x, 0.0) else x) / (1.0 + z)
    return r * E_M64 if sc else r

cdef inline double silu_grad(double x) noexcept nogil:
    # s (1 + x (1 - s)), with s = a / d and 1 - s = b / d both taken from z = exp(-|x|)
    # (a, b = z, 1 for x < 0, else 1, z; d = 1 + z) so neither cancels, over one
    # division: a (d + x b) / d^2; below -700 it is e^x (1 + x), scaled; beyond x = 746
    # and x = -800 the limits 1 and -0 (inf * 0 otherwise).
    cdef bint sc
    cdef double z = _exp_nabs(x, &sc)
    cdef bint neg = isless(x, 0.0)
    cdef double d = 1.0 + z
    cdef double r = ((z if neg else 1.0) * FASTACT_MADD(x, 1.0 if neg else z, d)) / (d * d)
    r = (z * (1.0 + x)) * E_M64 if sc else r
    r = 1.0 if isgreater(x, EXP_ZERO) else r
    return -0.0 if isless(x, -XEXP_ZERO) else r


# float32: one exp per element, then selects, as the double kernel, but on z = e^-x (not
# e^-|x|: x / (1 + z) and 1 + z (1 + x) need no sign select) above a threshold: -80 for
# the forward, -40 for the derivative (where (1 + z)^2 stays below e^81).  Below it, where
# silu(x) = x e^x and silu'(x) = e^x (1 + x) to float precision (the dropped factors are
# 1 + O(e^-40)), z = e^(x + 32) instead and the result is (x z) e^-32, rounded once at
# the last product (see F_E_M32).  x is clamped to [-119, 87]: the exp's range; at -119
# x e^x is below 2^-150 (the result -0, also for -inf), and at 87 the results have long
# been x and 1 (so +inf gives inf and 1 without inf * 0).
# Measured over every float32 input: forward 2.8 ULP (x = -90.55, subnormal), derivative
# 4.74 (x = -16.66), backward 4.32.

cdef float F_SILU_FWD_SCALED = -80.0
cdef float F_SILU_GRAD_SCALED = -40.0

cdef inline float _silu_z(float x, float below, float* xl, bint* scaled) noexcept nogil:
    # z = e^-x, or e^(x + 32) where x < below (then scaled[0] is set); xl = max(x, -119)
    cdef float xc = _clampf(x, F_SCALED_LO, F_EXPR_HI)
    xl[0] = F_SCALED_LO if isless(x, F_SCALED_LO) else x
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
    cdef float a = _clampf(x, F_SCALED_LO, F_EXPR_HI) + F_ONE
    cdef float d = F_ONE + z
    cdef float r = FASTACT_MADDF(z, a, F_ZERO if sc else F_ONE) / (F_ONE if sc else d * d)
    return r * F_E_M32 if sc else r


# ---- silu(x, beta) = x sigmoid(beta x): the general kernel (records/silu.py) ----------
# swish with a slope; f'(x) = s (1 + u (1 - s)), u = beta x, s = sigmoid(u) (d/dx of
# x s(beta x) is s + x beta s (1 - s)).  u is carried as u + e exactly, e = fma(beta, x,
# -u) the product's rounding: a rounded u alone would put |u| times its relative error
# into sigmoid's tails (350 ULP at u = -700).  z = e^-|u| is corrected to e^-|u + e| as
# z (1 -+ e) (|e| <= 2^-53 |u|, and z is 0 beyond |u| = 746: the dropped e^2 term is below
# 2^-80).  The tail u < -700 is x e^u, computed as (x e^(u + 700)) e^-700 so that it is
# rounded once into the subnormal range (as E_M64 above; u + 700 is exact there); below
# u = -1500 it is a signed zero for every double x (DBL_MAX e^-1500 < 2^-1075), the left
# limit.  The derivative depends on u alone.  At beta = 1 these return the functions above.

cdef double SILU_G_SCALED = -700.0
cdef double SILU_G_ZERO = -1500.0
cdef double E_M700 = 9.85967654375977e-305          # e^-700, correctly rounded

cdef inline double _silu_u(double x, double beta, double* e) noexcept nogil:
    # u = beta x rounded, e[0] = beta x - u exactly (0 where u is infinite); beta = 0
    # gives u = 0 at x = +-inf too (silu(x, 0) = x / 2), NaN for NaN
    cdef double u = beta * x
    cdef double err = fma(beta, x, -u)
    cdef bint zero_beta = beta == 0.0
    e[0] = 0.0 if (isinf(u) or zero_beta) else err
    return 0.0 if (zero_beta and isinf(x)) else u

cdef inline double _silu_bz(double u, double e) noexcept nogil:
    # e^-|u + e|, or e^(u + e + 700) where u < -700
    cdef bint neg = isless(u, 0.0)
    cdef double z = _exp(u + 700.0 if isless(u, SILU_G_SCALED) else -fabs(u))
    return FASTACT_MADD(z, e if neg else -e, z)

cdef inline double _silu_b_fwd(double x, double u, double e) noexcept nogil:
    cdef double z = _silu_bz(u, e)
    cdef double r = x * (z / (1.0 + z) if isless(u, 0.0) else 1.0 / (1.0 + z))
    r = (x * z) * E_M700 if isless(u, SILU_G_SCALED) else r
    return copysign(0.0, x) if isless(u, SILU_G_ZERO) else r

cdef inline double _silu_b_grad(double u, double e) noexcept nogil:
    # s (1 + (u + e)(1 - s)) with s and 1 - s both from z (neither cancels); the tail
    # e^u (1 + u), scaled; the limits 1 and -0 by select (inf * 0 otherwise)
    cdef double z = _silu_bz(u, e)
    cdef bint neg = isless(u, 0.0)
    cdef double s = z / (1.0 + z) if neg else 1.0 / (1.0 + z)
    cdef double sm = 1.0 / (1.0 + z) if neg else z / (1.0 + z)
    cdef double r = s * (1.0 + FASTACT_MADD(u, sm, e * sm))
    r = (z * (1.0 + u)) * E_M700 if isless(u, SILU_G_SCALED) else r
    r = 1.0 if isgreater(u, EXP_ZERO) else r
    return -0.0 if isless(u, SILU_G_ZERO) else r

cdef inline double silu_general_fwd(double x, double beta) noexcept nogil:
    cdef double e
    cdef double u = _silu_u(x, beta, &e)
    cdef double r = _silu_b_fwd(x, u, e)
    return silu_fwd(x) if beta == 1.0 else r

cdef inline double silu_general_grad(double x, double beta) noexcept nogil:
    cdef double e
    cdef double u = _silu_u(x, beta, &e)
    cdef double r = _silu_b_grad(u, e)
    return silu_grad(x) if beta == 1.0 else r


# float32: in double, where beta x is exact (e = 0, no fma), rounded once.

cdef inline double _silu_u_f(float x, float beta) noexcept nogil:
    cdef double u = <double>beta * <double>x
    return 0.0 if (beta == F_ZERO and isinf(x)) else u

cdef inline float silu_general_fwd_f(float x, float beta) noexcept nogil:
    cdef float r = <float>_silu_b_fwd(<double>x, _silu_u_f(x, beta), 0.0)
    return silu_fwd_f(x) if beta == F_ONE else r

cdef inline float silu_general_grad_f(float x, float beta) noexcept nogil:
    cdef float r = <float>_silu_b_grad(_silu_u_f(x, beta), 0.0)
    return silu_grad_f(x) if beta == F_ONE else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double _silu_grad2_z(double t, double z, bint sc) noexcept nogil:
    # d2/du2 [u s(u)] = s (1 - s) (2 + u (1 - 2 s)) = z/(1+z)^2 (2 - |u| (1-z)/(1+z)),
    # t = |u|, z = e^-|u| (1 - z by expm1), or e^(64 - |u|) where that is subnormal (sc:
    # scaled, see E_M64): there f'' = e^-|u| (2 - |u|) to well below an ULP.  Beyond
    # |u| = 1500: -0 (and no 0 * inf).
    cdef double m = -_expm1(-t)
    cdef double d = 1.0 + z
    cdef double r = (z / (d * d)) * (2.0 - t * (m / d))
    r = (z * (2.0 - t)) * E_M64 if sc else r
    return -0.0 if isgreater(t, 1500.0) else r

cdef inline double silu_grad2(double x) noexcept nogil:
    cdef double t = fabs(x)
    cdef bint sc = isgreater(t, -SCALED_BELOW)
    return _silu_grad2_z(t, _exp(64.0 - t if sc else -t), sc)

cdef inline double silu_general_grad2(double x, double beta) noexcept nogil:
    # beta f''_1(u), u + e = beta x exactly (_silu_u): z = e^-|u| (1 -+ e), so that the
    # rounding of beta x (|u| ULP of f'' in the tails) is not passed on
    cdef double e
    cdef double u = _silu_u(x, beta, &e)
    cdef double t = fabs(u)
    cdef bint sc = isgreater(t, -SCALED_BELOW)
    cdef double z = _exp(64.0 - t if sc else -t)
    z = FASTACT_MADD(z, e if isless(u, 0.0) else -e, z)
    cdef double r = beta * _silu_grad2_z(t, z, sc)
    return silu_grad2(x) if beta == 1.0 else r

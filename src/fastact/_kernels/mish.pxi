# mish(x) = x tanh(softplus(x)); mish'(x) = tanh(sp) + x sech^2(sp) sigmoid(x),
# sp = softplus(x).
# With e = exp(x): tanh(softplus(x)) = n / (n + 2), n = e (e + 2).  For x > 0 the same
# ratio is written with e = exp(-x): (1 + 2e) / (1 + 2e + 2e^2).  Both are free of
# cancellation and overflow; 1 - tanh^2 follows from the same n without subtracting.
# Both sides are computed from the one e = exp(-|x|) (_exp_nabs, with silu) and the right
# one is selected.

cdef inline void _mish_parts(double x, double e, double* t, double* sech2,
                             double* sig) noexcept nogil:
    cdef double n, d, num, den
    cdef bint pos = isgreater(x, 0.0)
    num = 1.0 + 2.0 * e                       # x > 0, e = exp(-x)
    den = num + 2.0 * e * e
    n = e * (e + 2.0)                         # x <= 0, e = exp(x)
    d = n + 2.0
    t[0] = num / den if pos else n / d
    sech2[0] = 2.0 * e * e * (num + den) / (den * den) if pos else 4.0 * (n + 1.0) / (d * d)
    sig[0] = 1.0 / (1.0 + e) if pos else e / (1.0 + e)

cdef inline double mish_fwd(double x) noexcept nogil:
    cdef double t, sech2, sig, r
    cdef bint sc
    cdef double e = _exp_nabs(x, &sc)
    _mish_parts(x, e, &t, &sech2, &sig)
    r = x * t
    # scaled: tanh(softplus(x)) = e^x (1 + O(e^x)) here: x e^x, scaled (see E_M64)
    r = (x * e) * E_M64 if sc else r
    r = x if isgreater(x, EXP_ZERO) else r    # (NaN: x * t is already NaN)
    return -0.0 if isless(x, -XEXP_ZERO) else r

cdef inline double mish_grad(double x) noexcept nogil:
    # tanh(sp) + x sech^2(sp) sigmoid(x).  Left of 0 the two terms have opposite signs
    # (their sum crosses zero at -1.19 and cancels by a factor 3 at -2): there one
    # fraction over the common denominator, [n d (1 + e) + 4 x e (n + 1)] / [d^2 (1 + e)]
    # with e = exp(x), n = e (e + 2), d = n + 2, which rounds fewer times than
    # t + x sech2 sig (7.9 ULP at x = -1.73).
    cdef double t, sech2, sig, r, n, d, s1
    cdef bint sc
    cdef double e = _exp_nabs(x, &sc)
    _mish_parts(x, e, &t, &sech2, &sig)
    n = e * (e + 2.0)
    d = n + 2.0
    s1 = 1.0 + e
    # fma, not FASTACT_MADD: the 7.9 ULP needs the fused rounding on every target
    r = fma(n * s1, d, 4.0 * x * e * (n + 1.0)) / (d * d * s1)
    r = r if isless(x, 0.0) else t + x * sech2 * sig
    r = (e * (1.0 + x)) * E_M64 if sc else r  # t = sig = e^x, sech2 = 1; scaled
    r = 1.0 if isgreater(x, EXP_ZERO) else r
    return -0.0 if isless(x, -XEXP_ZERO) else r


# float32: with e = e^x, tanh(softplus(x)) = n / d, n = e (e + 2) = e^2 + 2e, d = n + 2,
# as the double kernel's left side, here for every x up to 20 (x is clamped to [-119, 20]:
# above 20, n / d rounds to 1 and the derivative to 1; n, d^2 and e Q below stay under
# e^80).  The derivative tanh(sp) + x sech^2(sp) sigmoid(x) over the common denominator
# is e Q / d^2 with Q = (e + 2)(e^2 + 2e + 2) + 4x(1 + e), by Horner in e:
#   Q = ((e + 4) e + (6 + 4x)) e + 4 (1 + x).
# Its terms cancel only near the zero at -1.19 (at x = -2, where the double kernel's
# t + x sech2 sig cancels by a factor 3, Q is dominated by 4 (1 + x) = -4), and
# 1 + x, 6 + 4x are exact for x in [-2, -1/2].  Below -80 e = e^(x + 32) and the
# results are scaled by e^-32 at the end (see F_E_M32; n / d = e and e Q / d^2 = e (1 + x)
# there to float precision).
# Measured over every float32 input: forward 3.92 ULP (x = -13.80: expf's 1 ULP and four
# roundings, close to the bound of 4), derivative 6.31 (x = -0.185), backward 5.7.

cdef float F_MISH_HI = 20.0

cdef inline float _mish_e(float x, float* xc, bint* sc) noexcept nogil:
    # e = e^x, or e^(x + 32) where x < -80 (sc); xc = x clamped to [-119, 20]
    xc[0] = _clampf(x, F_SCALED_LO, F_MISH_HI)
    sc[0] = isless(x, F_SCALED_BELOW)
    return _expf_r(xc[0] + F_SCALE_UP if sc[0] else xc[0])

cdef inline float mish_fwd_f(float x) noexcept nogil:
    # x (n / d), n = e^2 + 2e in one rounding; -inf: the clamped x gives -0
    cdef float xc
    cdef bint sc
    cdef float e = _mish_e(x, &xc, &sc)
    cdef float n = FASTACT_MADDF(e, e, F_TWO * e)
    cdef float r = (F_SCALED_LO if isless(x, F_SCALED_LO) else x) * (n / (n + F_TWO))
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


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double mish_grad2(double x) noexcept nogil:
    # f'' = A (2 + x B), A = sech^2(sp) s, B = 1 - s - 2 tanh(sp) s (sp = softplus(x),
    # s = sigmoid(x)), as rationals in e = e^-|x|:
    #   x <= 0: n = e (e + 2), D = n + 2: A = 4 e (e + 1) / D^2, B = (D - 2 e n)/(D (1 + e))
    #   x > 0:  D = 1 + 2e + 2e^2: A = 4 e^2 (1 + e) / D^2,
    #           B = (2e^3 + 2e^2 - 3e - 2) / (D (1 + e))
    # (x > 0: the last factor e multiplied last, so that e^2 never rounds to a subnormal
    # where the result is normal); x < -700: e^x (2 + x), scaled (see E_M64).
    cdef bint sc
    cdef double e = _exp_nabs(x, &sc)
    cdef bint pos = isgreater(x, 0.0)
    cdef double n = e * (e + 2.0)
    cdef double dn = n + 2.0
    cdef double dp = 1.0 + 2.0 * e + 2.0 * e * e
    cdef double s1 = 1.0 + e
    cdef double A = (4.0 * s1 * e) / (dp * dp) if pos else 4.0 * e * s1 / (dn * dn)
    cdef double B = ((2.0 * e + 2.0) * e * e - (3.0 * e + 2.0)) / (dp * s1) if pos else (dn - 2.0 * e * n) / (dn * s1)
    cdef double r = A * (2.0 + x * B)
    r = r * e if pos else r
    r = (e * (2.0 + x)) * E_M64 if sc else r
    r = -0.0 if isgreater(x, XEXP_ZERO) else r      # e^-2x x: 0 (and no 0 * inf)
    return -0.0 if isless(x, -XEXP_ZERO) else r

# Shared primitives of the kernels: the math functions (exp, expm1, log1p, the erfcx-type
# polynomials) written as straight-line arithmetic that GCC vectorizes, exact-arithmetic
# helpers, and the constants that more than one kernel uses.  Each says what uses it
# ("used by:"); a helper or constant used by one kernel only lives in that kernel's file.
#
# The kernels themselves come after this file, one file per row of
# fastact._registry.KERNELS (<name>.pxi), included by _ufuncs.pyx.tp in the table's order.
# The rules all of them follow (no libm in loops, branches as selects, quiet comparisons,
# NaN in NaN out, limits by select) are in README.md beside this file.
#
# Sections: declarations; shared constants; double exp family; double log and log1p; double
# helpers; erfcx-type polynomials; float constants; float exp family; float log1p and
# log(1 + e^z); float helpers; row reductions and row storage (softmax-type kernels).

from libc.stdint cimport uint16_t, uint32_t, uint64_t

cdef extern from "<math.h>" nogil:
    double log(double)
    # one instruction (-fno-math-errno), vectorized; used by: sparse_plus, squareplus
    double sqrt(double)
    double fabs(double)
    double fma(double, double, double)
    double copysign(double, double)
    float fabsf(float)
    float copysignf(float, float)
    bint isless(double, double)
    bint isgreater(double, double)
    bint islessequal(double, double)
    bint isgreaterequal(double, double)
    bint isnan(double)
    bint isinf(double)
    const double INFINITY
    const double NAN

cdef extern from "config.h" nogil:
    # bit casts (memcpy: a register move, vectorized) and a*b + c fused where the target
    # has FMA in hardware, a multiply and an add on the baseline (see config.h)
    uint64_t fastact_d2u(double)
    double fastact_u2d(uint64_t)
    uint32_t fastact_f2u(float)
    float fastact_u2f(uint32_t)
    double FASTACT_MADD(double, double, double)
    float FASTACT_MADDF(float, float, float)
    float FASTACT_MUL_LOF(float, float, float)


# ---- shared constants (double) -------------------------------------------------------

# Beyond |x| = 746 exp(-|x|) is 0 in double, so x * sigmoid(x) and its relatives have
# reached their limits; the branch keeps inf * 0 out of the arithmetic.
# used by: silu_grad, mish_fwd, mish_grad
cdef double EXP_ZERO = 746.0

# Where e^x is subnormal (x < -708.4) a product x e^x computed as x * exp(x) magnifies
# exp's rounding in the subnormal range by |x| (371 ULP at silu(-745.13)).  Those tails
# are computed as (x * exp(x + 64)) * e^-64 instead: x + 64 is exact for 576 <= |x| < 2^58,
# exp(x + 64) is normal, and the one rounding into the subnormal range comes last (the
# relative errors before it, a few 2^-53, are far below a subnormal's ULP).
# used by: silu, mish (through _exp_nabs), gelu, gelu_tanh
cdef double E_M64 = 1.603810890548638e-28            # e^-64, correctly rounded
cdef double SCALED_BELOW = -700.0
# x e^x stays above 2^-1075 down to x = -751: the left limits of silu and mish (and their
# derivatives) are returned only below -800, where exp(x + 64) is 0 too.
# used by: silu, mish
cdef double XEXP_ZERO = 800.0

# 2^27 + 1: Dekker's (Veltkamp's) splitting constant, for exact products without fma
# (the baseline has none)
# used by: sparse_plus, logit
cdef double DEKKER_SPLIT = 134217729.0

# 1/sqrt(2 pi) = M_1_SQRT2PI + C_1_SQRT2PI_LO (correctly rounded, and the remainder).
# used by: _erfcx_half_asym, gelu_grad
cdef double M_1_SQRT2PI = 0.39894228040143267793994605993438
cdef double C_1_SQRT2PI_LO = -2.49232720227773e-17


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


# ---- log and log1p in plain arithmetic (double) ------------------------------------

cdef double SQRT2 = 1.4142135623730951
cdef double TWO52 = 4503599627370496.0                # 2^52
cdef uint64_t EXP_BITS_ONE = 0x3ff0000000000000     # bits of 1.0
cdef uint64_t MANT_MASK = 0x000fffffffffffff
cdef uint64_t TWO52_BITS = 0x4330000000000000       # bits of 2^52


cdef inline double _log_c(double u, double c, double kk) noexcept nogil:
    # log(u) + c + kk ln2 for a positive normal finite u, |c| <= 2^-50 (the relative
    # correction of a u that was rounded: log(u (1 + c)) = log(u) + c to 2^-100), kk an
    # integer (an exponent the caller scaled out of u), in plain arithmetic.  fdlibm's
    # s_log1p method: u = 2^k m with m in [sqrt(1/2), sqrt 2), f = m - 1 exact,
    # log(1 + f) = f - (hfsq - s (hfsq + R(s^2))) with s = f / (2 + f), R fdlibm's
    # degree-14 even minimax polynomial (Lg1..Lg7, error below 2^-58.45), c folded into the
    # last sums; fdlibm's bound: below 1 ULP.  k comes from the exponent bits, converted to
    # double by the 2^52 trick (no int-to-double vector instruction is needed); (k + kk)
    # LN2_HI is exact (LN2_HI has 32 bits, |k + kk| < 2^11).  Measured by the accuracy tool
    # through softplus, log_sigmoid and logit.
    # used by: _log1p, logit
    cdef uint64_t b = fastact_d2u(u)
    cdef double k = fastact_u2d((b >> 52) | TWO52_BITS) - (TWO52 + 1023.0)
    cdef double m = fastact_u2d((b & MANT_MASK) | EXP_BITS_ONE)   # in [1, 2)
    cdef double f, s, hfsq, zz, w, r
    cdef bint big = isgreater(m, SQRT2)
    m = 0.5 * m if big else m
    k = k + 1.0 if big else k
    k = k + kk
    f = m - 1.0
    s = f / (2.0 + f)
    zz = s * s
    w = zz * zz
    r = (zz * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
         + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01))))
    r = r + (w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01
             + w * 1.531383769920937332e-01)))
    hfsq = 0.5 * f * f
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)


cdef inline double _log1p(double z) noexcept nogil:
    # log(1 + z) for z >= 0 (the kernels' use: z = exp(-|x|) in [0, 1]): _log_c of
    # u = 1 + z rounded, with c = ((1 + z) - u) / u for its rounding (exact: u - z or
    # u - 1 is exact, Sterbenz).  z = +inf gives inf, NaN gives NaN.
    # used by: _log1pexp (softplus), log_sigmoid_fwd
    cdef double u = 1.0 + z
    cdef double c = (1.0 - (u - z) if isgreater(u, 2.0) else z - (u - 1.0)) / u
    return u if isinf(u) else _log_c(u, c, 0.0)


# ---- helpers (double) ---------------------------------------------------------------

cdef inline double _sigmoid(double x) noexcept nogil:
    # 1 / (1 + e^-x), computed on z = exp(-|x|) <= 1: no overflow for any x, full relative
    # accuracy in both tails (z/(1+z) for x < 0 does not cancel).
    # used by: sigmoid_fwd, softplus_grad, log_sigmoid_grad
    cdef double z = _exp(-fabs(x))
    return z / (1.0 + z) if isless(x, 0.0) else 1.0 / (1.0 + z)


cdef inline double _log1pexp(double x) noexcept nogil:
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no cancellation.
    # used by: softplus_fwd
    cdef double m = x if isgreater(x, 0.0) else 0.0
    return m + _log1p(_exp(-fabs(x)))


cdef inline double _exp_nabs(double x, bint* scaled) noexcept nogil:
    # e^-|x|, or e^(x + 64) where x < -700 (then scaled[0] is set): one exp for both signs
    # and for the subnormal tail (see E_M64), the branches as selects.
    # used by: silu, mish
    scaled[0] = isless(x, SCALED_BELOW)
    return _exp(x + 64.0 if scaled[0] else -fabs(x))


cdef inline double _step(double x, double below, double above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN.  (Early returns, which GCC
    # if-converts: the select form changes which NaN a backward's g * f' returns when g
    # and x are both NaN, or g is a signalling NaN.)
    # used by: relu_grad, relu_grad_y, leaky_relu_grad, leaky_relu_grad_y
    if isgreater(x, 0.0):
        return above
    if islessequal(x, 0.0):
        return below
    return x


cdef inline double _two_sum_err(double a, double b, double s) noexcept nogil:
    # the rounding error of s = a + b (Knuth's TwoSum): a + b = s + err exactly
    # used by: hardsigmoid_fwd, hardswish_fwd, hardswish_grad
    cdef double bb = s - a
    return (a - (s - bb)) + (b - bb)


cdef inline double _div_dd(double s, double e, double c, double inv) noexcept nogil:
    # (s + e) / c correctly rounded but for ties within 2^-50 ULP, with inv = 1/c rounded
    # and no division: q = s inv is within an ULP of s/c, the remainder s - q c is exact by
    # fma, and q + (s - q c + e) inv in one fma is off only by its last rounding (the
    # correction step of Markstein's division; the accuracy tool checks 0.5 ULP).
    # used by: hardsigmoid_fwd, hardswish_fwd, hardswish_grad
    cdef double q = s * inv
    return fma(fma(-q, c, s) + e, inv, q)


# ---- erfcx-type polynomials (double) ------------------------------------------------
# F(t) = exp(t^2/2) Phi(-t) = erfcx(t/sqrt 2) / 2, for gelu's Phi(-t) = exp(-t^2/2) F(t)
# (gelu.pxi).  Coefficients and their errors (relative, coefficients rounded to double,
# against mpmath) from tools/fit_erfcx.py:
#   * _erfcx_half: F on t in [0, 3) by three polynomials of degree 16 in s = t - c
#     (c = 0.5, 1.5, 2.5), the constant term as hi + lo, coefficients selected by
#     interval (_pick3): within 2^-56.1, 2^-55.2, 2^-57.5 on the three intervals.
#   * _erfcx_half_asym: t F(t) for t >= 3, A = 1/sqrt(2 pi) + v B(v), v = 1/t^2, B a
#     rational of degree (7, 7): B within 2^-53.1 and A within 2^-56.5; |v B / A| <= 1/8,
#     so B's error reaches A divided by 8.

cdef inline double _pick3(double t, double c0, double c1, double c2) noexcept nogil:
    # the coefficient for t's interval: [0, 1), [1, 2), [2, 3) (NaN: the first)
    # used by: _erfcx_half
    cdef double c = c1 if isgreaterequal(t, 1.0) else c0
    return c2 if isgreaterequal(t, 2.0) else c

cdef inline double _erfcx_half(double t, double* low) noexcept nogil:
    # F(t) = hi + low[0] for t < 3 (returns hi, the interval's constant term)
    # used by: gelu
    cdef double s, g
    s = t - (2.5 if isgreaterequal(t, 2.0) else (1.5 if isgreaterequal(t, 1.0) else 0.5))
    g = _pick3(t, 7.110831342128558e-09, 1.9149208459475916e-10, 7.734637050004155e-12)
    g = FASTACT_MADD(g, s, _pick3(t, -3.083889006037732e-08, -9.387254014742494e-10, -4.273690605435899e-11))
    g = FASTACT_MADD(g, s, _pick3(t, 1.2238509322852418e-07, 4.284392352943489e-09, 2.228877886215625e-10))
    g = FASTACT_MADD(g, s, _pick3(t, -4.982076325453996e-07, -1.9896889875844575e-08, -1.1763407088443166e-09))
    g = FASTACT_MADD(g, s, _pick3(t, 1.9651465230258797e-06, 8.990193903790403e-08, 6.06443055783109e-09))
    g = FASTACT_MADD(g, s, _pick3(t, -7.4689627900893254e-06, -3.937439062494305e-07, -3.0461819270050327e-08))
    g = FASTACT_MADD(g, s, _pick3(t, 2.731570002852776e-05, 1.6694233040872957e-06, 1.4892703538291367e-07))
    g = FASTACT_MADD(g, s, _pick3(t, -9.581453823294892e-05, -6.835272484159901e-06, -7.073959679214111e-07))
    g = FASTACT_MADD(g, s, _pick3(t, 0.00032106433072519905, 2.694714364606703e-05, 3.2577603566353227e-06))
    g = FASTACT_MADD(g, s, _pick3(t, -0.0010228632151317383, -0.00010193817273965355, -1.4510964779406877e-05))
    g = FASTACT_MADD(g, s, _pick3(t, 0.003079946249519383, 0.00036848440815306953, 6.233949479588681e-05))
    g = FASTACT_MADD(g, s, _pick3(t, -0.008700015618692812, -0.0012662938211207427, -0.0002574254904352725))
    g = FASTACT_MADD(g, s, _pick3(t, 0.02282968530658591, 0.004110347180603866, 0.001017600694863709))
    g = FASTACT_MADD(g, s, _pick3(t, -0.05491492074709732, -0.012496989876517645, -0.003831129189335927))
    g = FASTACT_MADD(g, s, _pick3(t, 0.11877620159989062, 0.03518687353719186, 0.01364822575279465))
    g = FASTACT_MADD(g, s, _pick3(t, -0.22413286304123364, -0.09027127993534065, -0.0456139519499944))
    low[0] = FASTACT_MADD(g, s, _pick3(t, 5.852285105716737e-18, -3.144494638440171e-18, 1.1713582016477226e-17))
    return _pick3(t, 0.34961883472039806, 0.2057806669773947, 0.1413313313805753)

cdef inline double _erfcx_half_asym(double v) noexcept nogil:
    # t F(t) for t >= 3, v = 1/t^2 <= 1/9
    # used by: gelu
    cdef double p, q
    p = -1869.9431953143667
    p = FASTACT_MADD(p, v, -60245.07410763168)
    p = FASTACT_MADD(p, v, -90461.1074493104)
    p = FASTACT_MADD(p, v, -41394.19897538515)
    p = FASTACT_MADD(p, v, -7895.260429654022)
    p = FASTACT_MADD(p, v, -695.0440902506541)
    p = FASTACT_MADD(p, v, -27.682292539991476)
    p = FASTACT_MADD(p, v, -0.39894228040143265)
    q = 226823.97416732827
    q = FASTACT_MADD(q, v, 597119.0882045395)
    q = FASTACT_MADD(q, v, 468793.04716696276)
    q = FASTACT_MADD(q, v, 155178.36285851643)
    q = FASTACT_MADD(q, v, 24642.79923125088)
    q = FASTACT_MADD(q, v, 1944.3848203002522)
    q = FASTACT_MADD(q, v, 72.3892171873489)
    q = FASTACT_MADD(q, v, 1.0)
    return M_1_SQRT2PI + FASTACT_MADD(v, p / q, C_1_SQRT2PI_LO)


# ---- float constants ----------------------------------------------------------------
# The float32-native kernels (records with float32="native": NAME_fwd_f, ...) compute in float,
# twice the SIMD width of double.  Every constant they use is a typed float: a double
# literal in an expression would promote it to double and halve the vector width.
# used by: every float kernel
cdef float F_ZERO = 0.0
cdef float F_HALF = 0.5
cdef float F_ONE = 1.0
cdef float F_TWO = 2.0
cdef float F_FOUR = 4.0
# used by: relu6, mish
cdef float F_SIX = 6.0
# used by: hardsigmoid, hardswish
cdef float F_THREE = 3.0
cdef float F_MTHREE = -3.0

# The rescaled tails of the float kernels: where e^z is near or below FLT_MIN (z < -80),
# e^(z + 32) is computed instead (z + 32 is exact for 32 <= |z| < 2^23) and the result
# multiplied by e^-32 as the last step, so that in the subnormal range it rounds once
# (x * expf(x) would magnify expf's rounding there by |x|).  Below -119 x e^x is below
# 2^-150 even so: the clamp floor of these arguments.
# used by: F_SCALED_BELOW: _log1pexp_f (softplus, log_sigmoid), _sigmoid_f, gelu_tanh,
# mish; F_SCALED_LO: silu, _sigmoid_f, mish; F_SCALE_UP and F_E_M32: silu, _sigmoid_f,
# _log1pexp_f, softplus, log_sigmoid, gelu_tanh, mish
cdef float F_SCALED_BELOW = -80.0
cdef float F_SCALED_LO = -119.0
cdef float F_SCALE_UP = 32.0
cdef float F_E_M32 = 1.26641655e-14              # e^-32, rounded to float


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


# ---- the shorter float exp, _expf_r -------------------------------------------------
# _expf handles the whole float range (clamps, 2^n in two factors for subnormal results).
# The kernels that use _expf_r clamp their own arguments (they have to anyway, for their
# limits and rescaled tails), so it takes only -87 <= x <= 88: 2^n in one factor (n from
# -126 to 127, a normal result: e^-87 = 1.6e-38) and no clamps.  Reduction with FMA where
# the target has it (n * LN2_HI is exact either way: 16 bits times |n| <= 127), a degree-6
# minimax polynomial for e^r on [-ln2/2, ln2/2] (relative error 3e-9, fitted on relative
# error; the constants below are its float-rounded coefficients), and 2^n (e^r - 1) + 2^n
# as one multiply-add.  Measured against exp in double over every float in [-87, 0]: at
# most 1.02 ULP.  NaN gives NaN.
# used by: F_EXPR_LO: _log1pexp_f, gelu_tanh; F_EXPR_HI: silu, _sigmoid_f

cdef float F_EXPR_LO = -87.0                 # _expf_r's lower end
cdef float F_EXPR_HI = 87.0                  # the clamp below its upper end, 88
cdef float F_E2 = 0.49999994
cdef float F_E3 = 0.1666652
cdef float F_E4 = 0.041668393
cdef float F_E5 = 0.008368749
cdef float F_E6 = 0.0013814362

cdef inline float _expf_r_parts(float x, float* s) noexcept nogil:
    # e^x = s (1 + p): returns p = e^r - 1, sets s = 2^n (the caller combines them: e^x
    # in _expf_r, expm1 in tanh_fwd_f)
    # used by: _expf_r, tanh_fwd_f
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
    # used by: silu, _log1pexp_f (softplus, log_sigmoid), _sigmoid_f, gelu_tanh, mish
    cdef float s
    cdef float p = _expf_r_parts(x, &s)
    return FASTACT_MADDF(s, p, s)


# exp(x - m) * 2^64 for the float32 softmax rows (softmax.pxi, log_softmax.pxi), x <= m.
# x - m = dh + dl exactly (Knuth's TwoSum), dl added to the reduced argument: rounded to
# float, x - m would carry an error of |x - m| 2^-24, a relative error of the exp of
# |x - m| ULP.  The bias 2^64 keeps every value that can matter normal: from x - m = -131
# on, e^(x - m) 2^64 is above FLT_MIN, so 2^n is one factor and no subnormal rounds twice;
# the row divides by its biased sum (the bias cancels), and the product of the normal
# e^(x - m) 2^64 and 1 / (2^64 s) rounds a subnormal softmax value once.  Below -131 the
# argument is clamped: those values, e^(x - m) / s < 2^-189, round to 0 whatever their e,
# and add nothing a double sum keeps.  Reduction and polynomial as _expf_r (degree-6
# minimax, relative error 3e-9): about 1 ULP.  NaN gives NaN (the clamp keeps it).
# used by: the float32 softmax and log_softmax rows
cdef float F_ROW_LO = -131.0
cdef double ROW_BIAS_LOG = 44.3614195558364998    # 64 ln 2: log of the bias

cdef inline float _exp_row_f(float x, float m) noexcept nogil:
    cdef float dh = x - m
    cdef float bb = dh - x
    cdef float dl = (x - (dh - bb)) + (-m - bb)
    cdef float t, n, r, p, s
    dl = F_ZERO if isless(dh, F_ROW_LO) else dl      # -inf - m: dl would be NaN; e is 0
    dh = F_ROW_LO if isless(dh, F_ROW_LO) else dh
    t = FASTACT_MADDF(dh, F_LOG2E, F_SHIFT)
    n = t - F_SHIFT
    r = FASTACT_MADDF(n, -F_LN2_HI, dh)
    r = FASTACT_MADDF(n, -F_LN2_LO, r) + dl
    p = FASTACT_MADDF(F_E6, r, F_E5)
    p = FASTACT_MADDF(p, r, F_E4)
    p = FASTACT_MADDF(p, r, F_E3)
    p = FASTACT_MADDF(p, r, F_E2)
    p = FASTACT_MADDF(p * r, r, r)
    s = fastact_u2f((fastact_f2u(t) + (127 + 64)) << 23)     # 2^(n + 64), n >= -189
    return FASTACT_MADDF(s, p, s)


# ---- float helpers ------------------------------------------------------------------

cdef uint32_t F_SIGN_BIT = 0x80000000

cdef inline float _clampf(float x, float lo, float hi) noexcept nogil:
    # x limited to [lo, hi] by selects (NaN stays NaN)
    # used by: silu, _sigmoid_f, gelu_tanh, mish
    x = lo if isless(x, lo) else x
    return hi if isgreater(x, hi) else x

cdef inline float _nabsf(float x) noexcept nogil:
    # -|x| as one OR of the sign bit (-fabsf is an AND and an XOR)
    # used by: _log1pexp_f, gelu_tanh
    return fastact_u2f(fastact_f2u(x) | F_SIGN_BIT)

cdef inline float _step_f(float x, float below, float above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN (as _step)
    # used by: relu_grad_f, relu_grad_y_f, leaky_relu_grad_f, leaky_relu_grad_y_f
    cdef float r = above if isgreater(x, F_ZERO) else below
    return x if x != x else r

cdef inline float _box_f(float x, float lo, float hi, float inside) noexcept nogil:
    # `inside` strictly between lo and hi, 0 at and beyond them, NaN for NaN
    # used by: hardtanh_grad_f, relu6_grad_f, hardsigmoid_grad_f
    cdef float r = inside if isgreater(x, lo) else F_ZERO
    r = r if isless(x, hi) else F_ZERO
    return x if x != x else r

cdef float F_LO_NEEDED = 128.0

cdef inline float _mul_lo_f(float a, float b, float p) noexcept nogil:
    # a b - p for p = a b rounded to float, exactly (FASTACT_MUL_LOF, config.h: an FMA, or
    # double arithmetic on the baseline).  0 where |p| >= 128 (or inf, NaN): the exps have
    # saturated there, and the low part of a huge product is itself huge.
    # used by: softplus
    cdef float lo = FASTACT_MUL_LOF(a, b, p)
    return lo if isless(fabsf(p), F_LO_NEEDED) else F_ZERO


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


# ---- erfcx-type polynomials (float) -------------------------------------------------
# For gelu's float kernel (gelu.pxi), which needs F(t) = erfcx(t/sqrt 2) / 2 only to
# about 2^-26 and so uses one polynomial for every t in a mapped variable instead of
# coefficients selected by interval: u = 1 / (1 + t/4) in [0.213, 1] (t in [0, 14.75]) and
# H(u) = F(t) (1 + t/4), so F(t) = u H(u).  tools/fit_erfcx.py --float32 fits them.
#   * _erfcx_u_f: H(u) of degree 10 in u, every t: float coefficients within 2^-29.0
#     relative of mpmath.  H grows from 0.0997 to 1/2 as u does, and Horner in u adds
#     terms that grow (about 1 ULP of rounding).
#   * _erfcx_s_f: H for t >= 1/2 only (u in [0.2133, 0.8889]), degree 9 in s = u - U0,
#     U0 = 0.49267578125 = 2018/4096, chosen so that H(U0) is within 2^-33.6 relative of
#     its float GF_S0 (the constant is the value at s = 0, which the other coefficients
#     cannot correct).  Float coefficients within 2^-29.4 relative of mpmath
#     (float32_fit_forward: Lawson, rounded one at a time and refitted, on u in
#     [0.2133, 0.8889] in s).  |s| < 0.4, so the terms shrink and the Horner rounding
#     stays near an ULP of H.
#   * _phi_series_f: Phi(x) = 1/2 + x B(x^2) for |x| < 1/2 from the Maclaurin series
#       Phi(x) = 1/2 + (1/sqrt(2 pi)) sum_k (-1)^k x^(2k+1) / (2^k k! (2k+1)),
#     GF_Bk = (1/sqrt(2 pi)) (-1)^k / (2^k k! (2k+1)) rounded to float, k = 0..6.  For
#     x^2 < 1/4 the first omitted term (k = 7) is 2^-37.2 relative of the sum and the
#     terms alternate and shrink, so the truncation is below that.

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
# H(U0 + s), coefficient k of s^k (tools/fit_erfcx.py --float32, float32_fit_forward)
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
# Phi's Maclaurin series, B(y) = sum_k GF_Bk y^k
cdef float GF_B0 = 0.3989423               # 1/sqrt(2 pi)
cdef float GF_B1 = -0.06649038             # -1/(6 sqrt(2 pi))
cdef float GF_B2 = 0.009973557             # 1/(40 sqrt(2 pi))
cdef float GF_B3 = -0.0011873282           # -1/(336 sqrt(2 pi))
cdef float GF_B4 = 0.00011543469           # 1/(3456 sqrt(2 pi))
cdef float GF_B5 = -9.444656e-06           # -1/(42240 sqrt(2 pi))
cdef float GF_B6 = 6.6596937e-07           # 1/(599040 sqrt(2 pi))

cdef inline float _erfcx_u_f(float u) noexcept nogil:
    # H(u), every t
    # used by: gelu_grad_f
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

cdef inline float _erfcx_s_f(float s) noexcept nogil:
    # H(U0 + s), t >= 1/2
    # used by: gelu_fwd_f
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

cdef inline float _phi_series_f(float y) noexcept nogil:
    # B(y), y = x^2 < 1/4: Phi(x) = 1/2 + x B(x^2)
    # used by: gelu_fwd_f
    cdef float b = GF_B6
    b = FASTACT_MADDF(b, y, GF_B5)
    b = FASTACT_MADDF(b, y, GF_B4)
    b = FASTACT_MADDF(b, y, GF_B3)
    b = FASTACT_MADDF(b, y, GF_B2)
    b = FASTACT_MADDF(b, y, GF_B1)
    return FASTACT_MADDF(b, y, GF_B0)


# ---- row reductions and row storage (softmax-type kernels) --------------------------
# Reductions (max, sum) run in LANES independent accumulators: C's left-to-right order for
# `s += e` forbids the compiler to vectorize the sum (that needs fast-math reassociation,
# which fastact never enables), while LANES partial sums in an array are plain
# elementwise work it vectorizes; the lanes are added at the end.
# used by: softmax, softmin, log_softmax

cdef extern from "<math.h>" nogil:
    bint isfinite(double)

cdef extern from "half.h" nogil:
    float fastact_half_to_float(uint16_t h)
    uint16_t fastact_float_to_half(float f)
    float fastact_bf16_to_float(uint16_t h)
    uint16_t fastact_float_to_bf16(float f)

cdef enum:
    LANES = 16


ctypedef fused real:
    float
    double


cdef inline real _max_c(const real* x, npy_intp n) noexcept nogil:
    return _max_c_s(x, n, <real>1)


cdef inline real _max_c_s(const real* x, npy_intp n, real sg) noexcept nogil:
    # max of sg * x, sg = +-1 (exact)
    cdef real acc[LANES]
    cdef real m = -INFINITY
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    for k in range(LANES):
        acc[k] = -INFINITY
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] = sg * x[i + k] if isgreater(sg * x[i + k], acc[k]) else acc[k]
    for i in range(nb, n):
        m = sg * x[i] if isgreater(sg * x[i], m) else m
    for k in range(LANES):
        m = acc[k] if isgreater(acc[k], m) else m
    return m


cdef inline double _sum_lanes(double* acc) noexcept nogil:
    cdef double s = 0.0
    cdef int k
    for k in range(LANES):
        s += acc[k]
    return s


# A row's general code (rows a contiguous kernel hands back, rows without memory for a
# buffer) computes in double from whatever the storage is: float16, float32 or float64,
# through these, so one function serves every dtype.
cdef enum:
    ST_HALF = 0
    ST_FLOAT = 1
    ST_DOUBLE = 2
    ST_BF16 = 3


cdef inline double _ld(const char* p, npy_intp i, npy_intp step, int st) noexcept nogil:
    # element i of a strided row, widened to double
    if st == ST_DOUBLE:
        return (<const double*>(p + i * step))[0]
    if st == ST_FLOAT:
        return (<const float*>(p + i * step))[0]
    if st == ST_BF16:
        return fastact_bf16_to_float((<const uint16_t*>(p + i * step))[0])
    return fastact_half_to_float((<const uint16_t*>(p + i * step))[0])


cdef inline void _st(char* p, npy_intp i, npy_intp step, int st, double v) noexcept nogil:
    # element i of a strided row, v rounded to the storage type (float16 through float:
    # the double rounding only matters at exact half-way cases of float16, in rows that
    # had no memory for a float32 buffer)
    if st == ST_DOUBLE:
        (<double*>(p + i * step))[0] = v
    elif st == ST_FLOAT:
        (<float*>(p + i * step))[0] = <float>v
    elif st == ST_BF16:
        (<uint16_t*>(p + i * step))[0] = fastact_float_to_bf16(<float>v)
    else:
        (<uint16_t*>(p + i * step))[0] = fastact_float_to_half(<float>v)


cdef inline int _row_max_st(const char* x, npy_intp sx, npy_intp n, int st, double sg,
                            double* m) noexcept nogil:
    # 1 if the row holds a NaN; else 0, and m receives the maximum of sg * x, sg = +-1
    # (-inf for n == 0)
    cdef npy_intp i
    cdef double v, mx = -INFINITY
    for i in range(n):
        v = sg * _ld(x, i, sx, st)
        if v != v:
            return 1
        if isgreater(v, mx):
            mx = v
    m[0] = mx
    return 0


cdef inline npy_intp _row_count_st(const char* x, npy_intp sx, npy_intp n, int st,
                                   double v) noexcept nogil:
    # how many entries equal v
    cdef npy_intp i, k = 0
    for i in range(n):
        if _ld(x, i, sx, st) == v:
            k += 1
    return k

# Scalar kernels: one family per row of fastact._registry.KERNELS.
#
# For a kernel NAME with parameters p...:
#   NAME_fwd(x, p...)     the forward f(x)
#   NAME_grad(x, p...)    the derivative f'(x)
#   NAME_grad_y(y, p...)  f' as a function of the output y = f(x) (only where it exists)
# The generated ufunc loops (_ufuncs.pyx.tp) call these one element at a time; backward is
# g * NAME_grad(x) in the same pass.  Every function works in double: float32 loops widen,
# compute and round once, so a float32 result is within about half an ULP of the true
# value, and float64 is as good as the formulas below (measured by the accuracy tool).
# The kernels in _registry.FLOAT32_NATIVE have float versions in scalar_f32.pxi instead.
#
# Rules every function here follows, because NumPy reports the CPU's floating-point flags
# after each ufunc call as RuntimeWarnings:
#   * Comparisons use the quiet C99 macros (isless, isgreater, ...).  The plain < and >
#     compile to signalling compares (comisd) that raise "invalid" on a NaN input.  GCC's
#     vectorizer still turns the quiet macros into signalling packed compares (cmpnlepd:
#     SSE2 has no quiet ordered compare), so every loop ends with _clear_fp_flags() (_ufuncs.pyx.tp), as
#     NumPy's own SIMD comparison loops clear the flag after themselves.  The price: a
#     NaN made from inf * 0 in a backward (an infinite gradient times a zero derivative)
#     comes out silently, as in PyTorch.
#   * No exp() of a large positive argument and no product that can overflow: each formula
#     is written on -|x| or clamped where the result has already saturated, so
#     sigmoid(+-1000), softplus(1e4) and the like raise no flag.
#   * No 0 * inf: the limits at +-inf are returned by a branch, not computed.
#   * NaN in gives NaN out: every branch either passes x through or computes with it.

from libc.stdint cimport uint64_t

cdef extern from "<math.h>" nogil:
    double log(double)
    double fabs(double)
    double fma(double, double, double)
    double copysign(double, double)
    bint isless(double, double)
    bint isgreater(double, double)
    bint islessequal(double, double)
    bint isgreaterequal(double, double)
    bint isnan(double)
    bint isinf(double)
    const double INFINITY
    const double NAN

# SELU constants (Klambauer et al. 2017, eq. 14), the digits PyTorch uses.
cdef double SELU_ALPHA = 1.6732632423543772848170429916717
cdef double SELU_SCALE = 1.0507009873554804934193349852946
# 1/sqrt(2 pi), correctly rounded.
cdef double M_1_SQRT2PI = 0.39894228040143267793994605993438
# GELU tanh form: sqrt(2/pi) and 0.044715 (Hendrycks & Gimpel 2016), as PyTorch.
cdef double GELU_C = 0.79788456080286535587989211986876
cdef double GELU_K = 0.044715
# Beyond |x| = 746 exp(-|x|) is 0 in double, so x * sigmoid(x) and its relatives have
# reached their limits; the branch keeps inf * 0 out of the arithmetic.
cdef double EXP_ZERO = 746.0

# Double-double constants (hi + lo, lo = the correctly rounded remainder; computed with
# mpmath at 200 bits) for the arguments whose rounding the tails amplify: exp(-a) turns an
# absolute error d in a into a relative error |a| d (gelu_tanh's v reaches -7e7).
cdef double SQRT8_PI_HI = 1.5957691216057308         # 2 sqrt(2/pi), gelu_tanh's 2u / x
cdef double SQRT8_PI_LO = -9.96930880911092e-17
cdef double GELU_K_LO = 2.1960211427085595e-18       # 0.044715 - (double)0.044715

# Where e^x is subnormal (x < -708.4) a product x e^x computed as x * exp(x) magnifies
# exp's rounding in the subnormal range by |x| (371 ULP at silu(-745.13)).  Those tails
# are computed as (x * exp(x + 64)) * e^-64 instead: x + 64 is exact for 576 <= |x| < 2^58,
# exp(x + 64) is normal, and the one rounding into the subnormal range comes last (the
# relative errors before it, a few 2^-53, are far below a subnormal's ULP).
cdef double E_M64 = 1.603810890548638e-28            # e^-64, correctly rounded
cdef double SCALED_BELOW = -700.0
# x e^x stays above 2^-1075 down to x = -751: the left limits of silu and mish (and their
# derivatives) are returned only below -800, where exp(x + 64) is 0 too.
cdef double XEXP_ZERO = 800.0


# ---- exp and expm1 in plain arithmetic ----------------------------------------------
# libm's exp is a call per element, which stops the loops from vectorizing; these are the
# same function as straight-line arithmetic the compiler turns into SIMD code.
# Method (Cody & Waite; as in fdlibm and XNNPACK): n = round(x / ln2) by the 1.5*2^52
# shifter, r = x - n ln2 in two parts (|r| <= ln2/2, exact: LN2_HI has 32 significant
# bits and |n| < 1100), e^r by its Taylor series to r^13 (truncation below 2^-57
# relative), then 2^n built from exponent bits in two factors so that results in the
# subnormal range are rounded once, at the last product.  Measured error: within 1 ULP
# (the accuracy tool checks every kernel that uses them).

cdef extern from "config.h" nogil:
    uint64_t fastact_d2u(double)
    double fastact_u2d(uint64_t)
    double FASTACT_MADD(double, double, double)

cdef double EXP_SHIFT = 6755399441055744.0            # 1.5 * 2^52
cdef double LOG2E = 1.4426950408889634                # 1/ln2
cdef double LN2_HI = 6.93147180369123816490e-01       # fdlibm's ln2_hi (32 bits)
cdef double LN2_LO = 1.90821492927058770002e-10       # ln2 - LN2_HI


cdef inline double _expm1_poly(double r) noexcept nogil:
    # e^r - 1 = r + r^2/2! + ... + r^13/13!, Horner; for |r| <= 0.347
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
    return fastact_u2d((fastact_d2u(t) + 1023) << 52)


cdef inline double _exp(double x) noexcept nogil:
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
    cdef double t, n, r, s
    x = -40.0 if isless(x, -40.0) else x
    x = 710.0 if isgreater(x, 710.0) else x
    t = x * LOG2E + EXP_SHIFT
    n = t - EXP_SHIFT
    r = (x - n * LN2_HI) - n * LN2_LO
    s = _pow2(t)                                       # n <= 1024: 2^1024 is inf, correct
    # expm1(-0) = -0 (the series would give +0 from -0 + (+0))
    return x if x == 0.0 else FASTACT_MADD(s, _expm1_poly(r), s - 1.0)


cdef double SQRT2 = 1.4142135623730951
cdef double TWO52 = 4503599627370496.0                # 2^52
cdef uint64_t EXP_BITS_ONE = 0x3ff0000000000000     # bits of 1.0
cdef uint64_t MANT_MASK = 0x000fffffffffffff
cdef uint64_t TWO52_BITS = 0x4330000000000000       # bits of 2^52


cdef inline double _log1p(double z) noexcept nogil:
    # log(1 + z) for z >= 0 (the kernels' use: z = exp(-|x|) in [0, 1]), in plain
    # arithmetic.  fdlibm's s_log1p method: u = 1 + z = 2^k m with m in [sqrt(1/2),
    # sqrt 2), f = m - 1 exact, log(1 + f) = f - (hfsq - s (hfsq + R(s^2))) with
    # s = f / (2 + f), R fdlibm's degree-14 even minimax polynomial (Lg1..Lg7, error below
    # 2^-58.45), plus c = ((1 + z) - u) / u for the rounding of 1 + z.  k comes from the
    # exponent bits, converted to double by the 2^52 trick (no int-to-double vector
    # instruction is needed).  Measured by the accuracy tool through softplus and
    # log_sigmoid.  z = +inf gives inf, NaN gives NaN.
    cdef double u = 1.0 + z
    cdef uint64_t b = fastact_d2u(u)
    cdef double k = fastact_u2d((b >> 52) | TWO52_BITS) - (TWO52 + 1023.0)
    cdef double m = fastact_u2d((b & MANT_MASK) | EXP_BITS_ONE)   # in [1, 2)
    cdef double c, f, s, hfsq, zz, w, r
    c = (1.0 - (u - z) if isgreater(u, 2.0) else z - (u - 1.0)) / u
    if isgreater(m, SQRT2):
        m = 0.5 * m
        k = k + 1.0
    f = m - 1.0
    s = f / (2.0 + f)
    zz = s * s
    w = zz * zz
    r = (zz * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
         + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01))))
    r = r + (w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01
             + w * 1.531383769920937332e-01)))
    hfsq = 0.5 * f * f
    r = k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)
    return u if isinf(u) else r


# ---- helpers ------------------------------------------------------------------------

cdef inline double _sigmoid(double x) noexcept nogil:
    # Computed on z = exp(-|x|) <= 1: no overflow for any x, full relative accuracy in
    # both tails (z/(1+z) for x < 0 does not cancel).
    cdef double z = _exp(-fabs(x))
    if isless(x, 0.0):
        return z / (1.0 + z)
    return 1.0 / (1.0 + z)


cdef inline double _sigmoid_grad(double x) noexcept nogil:
    # s (1 - s) = z / (1 + z)^2 with z = exp(-|x|): symmetric and cancellation-free,
    # unlike y (1 - y) which loses all digits once y rounds to 1.
    # Next to 0 the three roundings can land one ULP above the true maximum 0.25 (at
    # x = 1e-9: 0.25 + 2^-54); the true value is below 0.25 for x != 0, so cap there.
    cdef double z = _exp(-fabs(x))
    cdef double d = 1.0 + z
    cdef double r = z / (d * d)
    return 0.25 if isgreater(r, 0.25) else r


cdef inline double _softplus1(double x) noexcept nogil:
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no cancellation.
    cdef double m = x if isgreater(x, 0.0) else 0.0
    return m + _log1p(_exp(-fabs(x)))


cdef inline double _step(double x, double below, double above) noexcept nogil:
    # `above` for x > 0, `below` for x <= 0, NaN for NaN.
    if isgreater(x, 0.0):
        return above
    if islessequal(x, 0.0):
        return below
    return x


# ---- sigmoid ------------------------------------------------------------------------

cdef inline double sigmoid_fwd(double x) noexcept nogil:
    return _sigmoid(x)

cdef inline double sigmoid_grad(double x) noexcept nogil:
    return _sigmoid_grad(x)

cdef inline double sigmoid_grad_y(double y) noexcept nogil:
    return y * (1.0 - y)


# ---- tanh ---------------------------------------------------------------------------

cdef inline double tanh_fwd(double x) noexcept nogil:
    # tanh|x| = -m / (2 + m), m = expm1(-2|x|) in (-1, 0]: no cancellation (m keeps its
    # digits for small |x|, and 2 + m >= 1), 1 where m rounds to -1 (|x| > 19), odd by
    # copysign (tanh(-0) = -0).  Vectorizes, unlike libm's tanh.
    cdef double m = _expm1(-2.0 * fabs(x))
    return copysign(-m / (2.0 + m), x)

cdef inline double tanh_grad(double x) noexcept nogil:
    # 1 - tanh(x)^2 = sech(x)^2 = 4 z / (1 + z)^2, z = exp(-2|x|): no cancellation for
    # large |x| (where 1 - t*t would round to 0 long before the true value does).
    cdef double z, d
    if isgreater(fabs(x), 400.0):
        return 0.0                         # sech^2 < e^-798 (and -2|x| would overflow)
    z = _exp(-2.0 * fabs(x))
    d = 1.0 + z
    return 4.0 * z / (d * d)

cdef inline double tanh_grad_y(double y) noexcept nogil:
    # (1 - y)(1 + y): 1 - y is exact for y in [0.5, 1] (Sterbenz), so this keeps the
    # digits that 1 - y*y throws away.
    return (1.0 - y) * (1.0 + y)


# ---- relu ---------------------------------------------------------------------------

cdef inline double relu_fwd(double x) noexcept nogil:
    if islessequal(x, 0.0):
        return 0.0
    return x

cdef inline double relu_grad(double x) noexcept nogil:
    return _step(x, 0.0, 1.0)             # relu'(0) = 0, as PyTorch

cdef inline double relu_grad_y(double y) noexcept nogil:
    return _step(y, 0.0, 1.0)


# ---- leaky_relu (also prelu and rrelu, with the slope as an array) -------------------

cdef inline double leaky_relu_fwd(double x, double slope) noexcept nogil:
    if isgreater(x, 0.0):
        return x
    if isinf(x):                          # slope * -inf is -inf, 0, or +inf by the slope's sign
        return x * slope if slope != 0.0 else 0.0
    return x * slope

cdef inline double leaky_relu_grad(double x, double slope) noexcept nogil:
    return _step(x, slope, 1.0)           # leaky_relu'(0) = slope, as PyTorch

cdef inline double leaky_relu_grad_y(double y, double slope) noexcept nogil:
    return _step(y, slope, 1.0)           # needs slope >= 0 (checked by the API)


# ---- gelu (exact, x * Phi(x)) -------------------------------------------------------
# With t = |x|, Phi(-t) = exp(-t^2/2) F(t), F(t) = exp(t^2/2) Phi(-t) = erfcx(t/sqrt 2) / 2,
# and Phi(t) = 1 - Phi(-t): one exp per element for both signs, no erfc.  libm's erfc was a
# call per element that kept the loops scalar (55 Melem/s); this is straight-line arithmetic
# and selects, which GCC vectorizes.  The pieces, each chosen to add one rounding or less:
#   * exp(-t^2/2): x^2 = h + l exactly (fma), -h/2 exact, and -l/2 added to the reduced
#     argument of the exp (_gelu_exp); the exp is kept as 2^n (1 + m) and its 1 + m is
#     folded into the next product by an fma (X + X m), never rounded on its own.  Where
#     exp(-h/2) is subnormal (h/2 > 700) it is computed as exp(-h/2 + 64) and the result
#     multiplied by e^-64 last (see E_M64).
#   * F on t in [0, 3): three polynomials of degree 16 in s = t - c (c = 0.5, 1.5, 2.5),
#     the constant term as hi + lo; coefficients selected by interval (_gelu_c).
#   * t F(t) for t >= 3: A = 1/sqrt(2 pi) + v B(v), v = 1/t^2, B a rational of degree
#     (7, 7); |v B / A| <= 1/8, so B's error reaches A divided by 8.
# Coefficients and their errors (relative, coefficients rounded to double, against mpmath)
# from tools/fit_erfcx.py: F in region I within 2^-56.1, 2^-55.2, 2^-57.5 on the three
# intervals; B within 2^-53.1 and A within 2^-56.5.
# For x <= 0: gelu = x Phi(-t) (t < 3) or -exp(-t^2/2) A (t >= 3: x F = -A, no division by
# t); gelu' = exp(-t^2/2) (F - t/sqrt(2 pi)) = exp(-t^2/2) x (1/sqrt(2 pi) - v A) for t >= 3.
# For x > 0: gelu = x - x Phi(-t), gelu' = 1 - Phi(-t) + x phi(x).
# Measured (python -m fastact accuracy, full run, float64 against mpmath on 524,537
# points): 1.79 ULP forward, 2.73 ULP derivative away from its zero at -0.75 (0.31 eps
# absolute within 0.5 of it), 3.04 ULP backward; the libm erfc version measured 3.3 / 4.7 /
# 4.8.  float32 has its own kernel (gelu_f32.pxi); the baseline build's float32 forward
# is this one rounded once (0.5 ULP).

cdef double C_1_SQRT2PI_LO = -2.49232720227773e-17   # 1/sqrt(2 pi) - M_1_SQRT2PI

cdef inline double _gelu_c(double t, double c0, double c1, double c2) noexcept nogil:
    # the coefficient for t's interval: [0, 1), [1, 2), [2, 3) (NaN: the first)
    cdef double c = c1 if isgreaterequal(t, 1.0) else c0
    return c2 if isgreaterequal(t, 2.0) else c

cdef inline double _gelu_F(double t, double* low) noexcept nogil:
    # F(t) = hi + low[0] for t < 3 (return hi), hi the interval's constant term
    cdef double s, g
    s = t - (2.5 if isgreaterequal(t, 2.0) else (1.5 if isgreaterequal(t, 1.0) else 0.5))
    g = _gelu_c(t, 7.110831342128558e-09, 1.9149208459475916e-10, 7.734637050004155e-12)
    g = FASTACT_MADD(g, s, _gelu_c(t, -3.083889006037732e-08, -9.387254014742494e-10, -4.273690605435899e-11))
    g = FASTACT_MADD(g, s, _gelu_c(t, 1.2238509322852418e-07, 4.284392352943489e-09, 2.228877886215625e-10))
    g = FASTACT_MADD(g, s, _gelu_c(t, -4.982076325453996e-07, -1.9896889875844575e-08, -1.1763407088443166e-09))
    g = FASTACT_MADD(g, s, _gelu_c(t, 1.9651465230258797e-06, 8.990193903790403e-08, 6.06443055783109e-09))
    g = FASTACT_MADD(g, s, _gelu_c(t, -7.4689627900893254e-06, -3.937439062494305e-07, -3.0461819270050327e-08))
    g = FASTACT_MADD(g, s, _gelu_c(t, 2.731570002852776e-05, 1.6694233040872957e-06, 1.4892703538291367e-07))
    g = FASTACT_MADD(g, s, _gelu_c(t, -9.581453823294892e-05, -6.835272484159901e-06, -7.073959679214111e-07))
    g = FASTACT_MADD(g, s, _gelu_c(t, 0.00032106433072519905, 2.694714364606703e-05, 3.2577603566353227e-06))
    g = FASTACT_MADD(g, s, _gelu_c(t, -0.0010228632151317383, -0.00010193817273965355, -1.4510964779406877e-05))
    g = FASTACT_MADD(g, s, _gelu_c(t, 0.003079946249519383, 0.00036848440815306953, 6.233949479588681e-05))
    g = FASTACT_MADD(g, s, _gelu_c(t, -0.008700015618692812, -0.0012662938211207427, -0.0002574254904352725))
    g = FASTACT_MADD(g, s, _gelu_c(t, 0.02282968530658591, 0.004110347180603866, 0.001017600694863709))
    g = FASTACT_MADD(g, s, _gelu_c(t, -0.05491492074709732, -0.012496989876517645, -0.003831129189335927))
    g = FASTACT_MADD(g, s, _gelu_c(t, 0.11877620159989062, 0.03518687353719186, 0.01364822575279465))
    g = FASTACT_MADD(g, s, _gelu_c(t, -0.22413286304123364, -0.09027127993534065, -0.0456139519499944))
    low[0] = FASTACT_MADD(g, s, _gelu_c(t, 5.852285105716737e-18, -3.144494638440171e-18, 1.1713582016477226e-17))
    return _gelu_c(t, 0.34961883472039806, 0.2057806669773947, 0.1413313313805753)

cdef inline double _gelu_A(double v) noexcept nogil:
    # t F(t) for t >= 3, v = 1/t^2 <= 1/9
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

cdef inline double _gelu_exp(double a, double al, double* scale) noexcept nogil:
    # e^(a + al) = scale[0] (1 + m), returns m: _exp's method with the correction al
    # (|al| < 2^-40) added to the reduced argument, whose rounding is then below 2^-55
    # relative; scale = 2^n is normal (a is clamped at -700, where gelu is 0 anyway).
    cdef double t, n, r
    a = -700.0 if isless(a, -700.0) else a
    t = a * LOG2E + EXP_SHIFT
    n = t - EXP_SHIFT
    r = ((a - n * LN2_HI) - n * LN2_LO) + al
    scale[0] = _pow2(t)
    return _expm1_poly(r)

cdef inline void _gelu_parts(double x, double* m, double* scale, double* sub, double* v,
                             double* A, double* hi, double* low) noexcept nogil:
    # exp(-x^2/2) = scale (1 + m) (times sub = e^-64 where scaled); v = 1/t^2 and A = t F(t)
    # (meaningful for t >= 3); F(t) = hi + low (meaningful for t < 3).  Everything is
    # computed for every x, and the callers select: the loops vectorize.
    cdef double t = fabs(x)
    cdef double h = x * x
    cdef double l = fma(x, x, -h)
    cdef double a = -0.5 * h
    cdef bint sc = isless(a, SCALED_BELOW)
    m[0] = _gelu_exp(a + 64.0 if sc else a, -0.5 * l, scale)
    sub[0] = E_M64 if sc else 1.0
    v[0] = 1.0 / (9.0 if isless(t, 3.0) else (h if isless(h, 1e6) else 1e6))  # NaN: NaN
    A[0] = _gelu_A(v[0])
    hi[0] = _gelu_F(t, low)

cdef inline double gelu_fwd(double x) noexcept nogil:
    cdef double m, scale, sub, v, A, hi, low, X, r
    cdef bint big = isgreaterequal(fabs(x), 3.0)
    _gelu_parts(x, &m, &scale, &sub, &v, &A, &hi, &low)
    if islessequal(x, 0.0):
        X = -A if big else fma(x, hi, x * low)        # x F(t), one rounding for t < 3
        r = (scale * FASTACT_MADD(X, m, X)) * sub      # (+-0 stays +-0)
    else:
        X = A * (fabs(x) * v) if big else hi + low     # F(t)
        r = fma(-x, scale * FASTACT_MADD(X, m, X), x)  # x - x Phi(-t)
    if isgreater(x, 10.0):                 # Phi(x) > 1 - 8e-24: x
        r = x
    if isless(x, -40.0):                   # |gelu| < 2^-1100: -0
        r = -0.0
    return r

cdef inline double gelu_grad(double x) noexcept nogil:
    cdef double m, scale, sub, v, A, hi, low, X, r
    cdef bint big = isgreaterequal(fabs(x), 3.0)
    _gelu_parts(x, &m, &scale, &sub, &v, &A, &hi, &low)
    if islessequal(x, 0.0):
        X = x * FASTACT_MADD(-v, A, M_1_SQRT2PI) if big else FASTACT_MADD(x, M_1_SQRT2PI, hi + low)
        r = (scale * FASTACT_MADD(X, m, X)) * sub
    else:
        X = A * (x * v) if big else hi + low
        r = (1.0 - scale * FASTACT_MADD(X, m, X)) + x * (scale * FASTACT_MADD(M_1_SQRT2PI, m, M_1_SQRT2PI))
    if isgreater(x, 10.0):
        r = 1.0
    if isless(x, -40.0):                   # the true value is negative, below 2^-1100
        r = -0.0
    return r


# ---- gelu (tanh approximation) ------------------------------------------------------
# 0.5 x (1 + tanh(u)) = x sigmoid(v), v = 2u = 2 sqrt(2/pi) (x + 0.044715 x^3): the
# sigmoid form keeps relative accuracy for x < 0 where 1 + tanh(u) cancels.  There
# sigmoid(v) ~ e^v turns an absolute error d in v into a relative error d, |v| eps per ULP
# of v (up to 745 eps), so v is computed in double-double: x^2 exact by fma, the constants
# 2 sqrt(2/pi) and 0.044715 as hi + lo, every product's error kept by fma, and
# exp(vh + vl) = exp(vh) (1 + vl).  Measured in float64: 3.6 ULP forward (was 880 ULP),
# 6.1 ULP derivative away from its zero at x = -0.7525 (was 1234 ULP, and +0 for -0).  |x| > 1000 is saturated (v < -7e7) and would
# overflow x^3 further out.

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
    # Returns z = zs * scale; bit for bit the three-branch form it replaced.
    cdef double vh, vl, a, l
    cdef bint sc
    _gelu_tanh_v(x, &vh, &vl)
    neg[0] = isless(vh, 0.0)
    sc = isless(vh, SCALED_BELOW)
    a = vh if neg[0] else -vh
    l = vl if neg[0] else -vl
    zs[0] = _exp(a + 64.0 if sc else a) * (1.0 + l)
    scale[0] = E_M64 if sc else 1.0
    return zs[0] * scale[0]

cdef inline double gelu_tanh_fwd(double x) noexcept nogil:
    # x s(v): x z/(1+z) for v < 0 (no cancellation), x/(1+z) otherwise.
    cdef double zs, scale, z, r
    cdef bint neg
    z = _gelu_tanh_z(x, &zs, &scale, &neg)
    r = (x * (zs / (1.0 + z))) * scale if neg else x / (1.0 + z)
    if isgreater(fabs(x), 1000.0):
        r = x if x > 0.0 else -0.0
    return r

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
    if isgreater(fabs(x), 1000.0):
        r = 1.0 if x > 0.0 else -0.0
    return r


# ---- elu ----------------------------------------------------------------------------

cdef inline double elu_fwd(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return x
    return alpha * _expm1(x)               # expm1: exact digits near 0, -1 at -inf

cdef inline double elu_grad(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return 1.0
    return alpha * _exp(x)                 # elu'(0) takes this branch: alpha

cdef inline double elu_grad_y(double y, double alpha) noexcept nogil:
    if isgreater(y, 0.0):
        return 1.0
    return y + alpha                      # alpha e^x = y + alpha for x <= 0 (alpha >= 0)


# ---- linear -------------------------------------------------------------------------

cdef inline double linear_fwd(double x) noexcept nogil:
    return x

cdef inline double linear_grad(double x) noexcept nogil:
    return 1.0 if x == x else x           # NaN in, NaN out

cdef inline double linear_grad_y(double y) noexcept nogil:
    return 1.0 if y == y else y


# ---- silu (swish) and mish: one exp per element -------------------------------------
# Both need e^-|x|, and where e^x is subnormal (x < -700) they need it scaled by e^64 so
# that the result rounds once, at the final multiplication by e^-64.  One exp serves both
# cases; the branches are selects (the loops vectorize).

cdef inline double _exp_nabs(double x, bint* scaled) noexcept nogil:
    # e^-|x|, or e^(x + 64) where x < -700 (then scaled[0] is set)
    scaled[0] = isless(x, SCALED_BELOW)
    return _exp(x + 64.0 if scaled[0] else -fabs(x))

cdef inline double silu_fwd(double x) noexcept nogil:
    # x sigmoid(x); below -700, x e^x / (1 + e^x) = x e^x to double precision, scaled.
    cdef bint sc
    cdef double z = _exp_nabs(x, &sc)
    cdef double r = x * (z / (1.0 + z) if isless(x, 0.0) else 1.0 / (1.0 + z))
    if sc:
        r = (x * z) * E_M64
    if isless(x, -XEXP_ZERO):
        r = -0.0
    return r

cdef inline double silu_grad(double x) noexcept nogil:
    # s (1 + x (1 - s)), with s and 1 - s both taken from z = exp(-|x|) so neither
    # cancels; below -700 it is e^x (1 + x), scaled; beyond x = 746 and x = -800 the
    # limits 1 and -0 (inf * 0 otherwise).
    cdef bint sc
    cdef double z = _exp_nabs(x, &sc)
    cdef bint neg = isless(x, 0.0)
    cdef double s = z / (1.0 + z) if neg else 1.0 / (1.0 + z)
    cdef double sm = 1.0 / (1.0 + z) if neg else z / (1.0 + z)
    cdef double r = s * (1.0 + x * sm)
    if sc:
        r = (z * (1.0 + x)) * E_M64
    if isgreater(x, EXP_ZERO):
        r = 1.0
    if isless(x, -XEXP_ZERO):
        r = -0.0
    return r


# ---- mish ---------------------------------------------------------------------------
# With e = exp(x): tanh(softplus(x)) = n / (n + 2), n = e (e + 2).  For x > 0 the same
# ratio is written with e = exp(-x): (1 + 2e) / (1 + 2e + 2e^2).  Both are free of
# cancellation and overflow; 1 - tanh^2 follows from the same n without subtracting.
# Both sides are computed from the one e = exp(-|x|) and the right one is selected.

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
    if sc:
        # tanh(softplus(x)) = e^x (1 + O(e^x)) here: x e^x, scaled (see E_M64)
        r = (x * e) * E_M64
    if isgreater(x, EXP_ZERO):                # (NaN: x * t is already NaN)
        r = x
    if isless(x, -XEXP_ZERO):
        r = -0.0
    return r

cdef inline double mish_grad(double x) noexcept nogil:
    # tanh(sp) + x sech^2(sp) sigmoid(x), sp = softplus(x).  Left of 0 the two terms have
    # opposite signs (their sum crosses zero at -1.19 and cancels by a factor 3 at -2):
    # there one fraction over the common denominator, [n d (1 + e) + 4 x e (n + 1)] /
    # [d^2 (1 + e)] with e = exp(x), n = e (e + 2), d = n + 2, rounds fewer times than
    # t + x sech2 sig: 9.5 ULP at x = -1.73 before, 7.9 after.
    cdef double t, sech2, sig, r, n, d, s1
    cdef bint sc
    cdef double e = _exp_nabs(x, &sc)
    _mish_parts(x, e, &t, &sech2, &sig)
    r = t + x * sech2 * sig
    n = e * (e + 2.0)
    d = n + 2.0
    s1 = 1.0 + e
    if isless(x, 0.0):
        # fma, not FASTACT_MADD: the 7.9 ULP needs the fused rounding on every target
        r = fma(n * s1, d, 4.0 * x * e * (n + 1.0)) / (d * d * s1)
    if sc:
        r = (e * (1.0 + x)) * E_M64           # t = sig = e^x, sech2 = 1; scaled
    if isgreater(x, EXP_ZERO):
        r = 1.0
    if isless(x, -XEXP_ZERO):
        r = -0.0
    return r


# ---- softplus -----------------------------------------------------------------------

cdef inline double softplus_fwd(double x, double beta, double threshold) noexcept nogil:
    # PyTorch's rule: the identity where beta x > threshold, log(1 + exp(beta x)) / beta
    # elsewhere (evaluated without overflow by _softplus1).
    cdef double z = beta * x
    if isgreater(z, threshold):
        return x
    return _softplus1(z) / beta

cdef inline double softplus_grad(double x, double beta, double threshold) noexcept nogil:
    cdef double z = beta * x
    if isgreater(z, threshold):
        return 1.0
    return _sigmoid(z)


# ---- selu ---------------------------------------------------------------------------

cdef inline double selu_fwd(double x) noexcept nogil:
    if isgreater(x, 0.0):
        return SELU_SCALE * x
    return (SELU_SCALE * SELU_ALPHA) * _expm1(x)

cdef inline double selu_grad(double x) noexcept nogil:
    if isgreater(x, 0.0):
        return SELU_SCALE
    return (SELU_SCALE * SELU_ALPHA) * _exp(x)   # selu'(0): this branch

cdef inline double selu_grad_y(double y) noexcept nogil:
    if isgreater(y, 0.0):
        return SELU_SCALE
    return y + SELU_SCALE * SELU_ALPHA


# ---- celu ---------------------------------------------------------------------------

cdef inline double celu_fwd(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return x
    return alpha * _expm1(x / alpha)

cdef inline double celu_grad(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return 1.0
    return _exp(x / alpha)                 # celu'(0): this branch, 1

cdef inline double celu_grad_y(double y, double alpha) noexcept nogil:
    if isgreater(y, 0.0):
        return 1.0
    return y / alpha + 1.0


# ---- relu6 and hardtanh -------------------------------------------------------------

cdef inline double hardtanh_fwd(double x, double lo, double hi) noexcept nogil:
    if isless(x, lo):
        return lo
    if isgreater(x, hi):
        return hi
    return x                               # NaN passes through

cdef inline double hardtanh_grad(double x, double lo, double hi) noexcept nogil:
    # 1 strictly inside the bounds, 0 at and beyond them (PyTorch), NaN for NaN.
    if isgreater(x, lo) and isless(x, hi):
        return 1.0
    if isnan(x):
        return x
    return 0.0

cdef inline double hardtanh_grad_y(double y, double lo, double hi) noexcept nogil:
    return hardtanh_grad(y, lo, hi)

cdef inline double relu6_fwd(double x) noexcept nogil:
    if islessequal(x, 0.0):
        return 0.0
    return hardtanh_fwd(x, 0.0, 6.0)

cdef inline double relu6_grad(double x) noexcept nogil:
    return hardtanh_grad(x, 0.0, 6.0)

cdef inline double relu6_grad_y(double y) noexcept nogil:
    return hardtanh_grad(y, 0.0, 6.0)


# ---- hardsigmoid and hardswish ------------------------------------------------------

cdef inline double _div_dd(double s, double e, double c, double inv) noexcept nogil:
    # (s + e) / c correctly rounded but for ties within 2^-50 ULP, with inv = 1/c rounded
    # and no division: q = s inv is within an ULP of s/c, the remainder s - q c is exact by
    # fma, and q + (s - q c + e) inv in one fma is off only by its last rounding (the
    # correction step of Markstein's division; the accuracy tool checks 0.5 ULP).
    cdef double q = s * inv
    return fma(fma(-q, c, s) + e, inv, q)

cdef inline double _two_sum_err(double a, double b, double s) noexcept nogil:
    # the rounding error of s = a + b (Knuth's TwoSum): a + b = s + err exactly
    cdef double bb = s - a
    return (a - (s - bb)) + (b - bb)

cdef inline double hardsigmoid_fwd(double x) noexcept nogil:
    # (x + 3)/6 with x + 3 kept exact (TwoSum) and one rounding: 0.5 ULP (the plain
    # formula rounds twice: up to 1.2 ULP)
    cdef double s
    if islessequal(x, -3.0):
        return 0.0
    if isgreaterequal(x, 3.0):
        return 1.0
    s = x + 3.0
    return _div_dd(s, _two_sum_err(x, 3.0, s), 6.0, 1.0 / 6.0)

cdef inline double hardsigmoid_grad(double x) noexcept nogil:
    if isgreater(x, -3.0) and isless(x, 3.0):
        return 1.0 / 6.0
    if isnan(x):
        return x
    return 0.0

cdef inline double hardswish_fwd(double x) noexcept nogil:
    # x (x + 3) / 6 with x + 3 and the product kept exact (TwoSum, fma) and one rounding:
    # 0.5 ULP (the plain formula rounds three times: up to 1.7 ULP)
    cdef double s, e, p
    if islessequal(x, -3.0):
        return -0.0                        # x * 0, without inf * 0 at -inf
    if isgreaterequal(x, 3.0):
        return x
    if x == 0.0:
        return x                           # +-0 (the formula below gives +0 for -0)
    s = x + 3.0
    e = _two_sum_err(x, 3.0, s)
    p = x * s
    return _div_dd(p, fma(x, s, -p) + x * e, 6.0, 1.0 / 6.0)

cdef inline double hardswish_grad(double x) noexcept nogil:
    cdef double s
    # PyTorch's branches (its autograd, 2.13): 0 at and below -3, x/3 + 1/2 on (-3, 3),
    # 1 at and above 3.
    if islessequal(x, -3.0):
        return 0.0
    if isgreaterequal(x, 3.0):
        return 1.0
    s = x + 1.5                            # x/3 + 1/2 = (x + 1.5)/3, rounded once
    return _div_dd(s, _two_sum_err(x, 1.5, s), 3.0, 1.0 / 3.0)


# ---- log_sigmoid --------------------------------------------------------------------

cdef inline double log_sigmoid_fwd(double x) noexcept nogil:
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)); for x >= 0 written -log1p(...) so
    # that it is -0, not 0 - 0 = +0, where exp(-x) underflows (the true value is < 0).
    cdef double l = _log1p(_exp(-fabs(x)))
    if isless(x, 0.0):
        return x - l
    return -l

cdef inline double log_sigmoid_grad(double x) noexcept nogil:
    return _sigmoid(-x)                    # 1 - sigmoid(x), without the cancellation


# ---- softsign -----------------------------------------------------------------------

cdef inline double softsign_fwd(double x) noexcept nogil:
    if isinf(x):
        return copysign(1.0, x)
    return x / (1.0 + fabs(x))

cdef inline double softsign_grad(double x) noexcept nogil:
    cdef double t = 1.0 / (1.0 + fabs(x))  # t*t underflows to 0; (1+|x|)^2 would overflow
    return t * t

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
#
# Rules every function here follows, because NumPy reports the CPU's floating-point flags
# after each ufunc call as RuntimeWarnings:
#   * Comparisons use the quiet C99 macros (isless, isgreater, ...).  The plain < and >
#     compile to signalling compares (comisd) that raise "invalid" on a NaN input.  GCC's
#     vectorizer still turns the quiet macros into signalling packed compares (cmpnlepd:
#     SSE2 has no quiet ordered compare), so every loop ends with _clear_invalid(), as
#     NumPy's own SIMD comparison loops clear the flag after themselves.  The price: a
#     NaN made from inf * 0 in a backward (an infinite gradient times a zero derivative)
#     comes out silently, as in PyTorch.
#   * No exp() of a large positive argument and no product that can overflow: each formula
#     is written on -|x| or clamped where the result has already saturated, so
#     sigmoid(+-1000), softplus(1e4) and the like raise no flag.
#   * No 0 * inf: the limits at +-inf are returned by a branch, not computed.
#   * NaN in gives NaN out: every branch either passes x through or computes with it.

cdef extern from "<math.h>" nogil:
    double exp(double)
    double expm1(double)
    double log(double)
    double log1p(double)
    double tanh(double)
    double erfc(double)
    double fabs(double)
    double copysign(double, double)
    bint isless(double, double)
    bint isgreater(double, double)
    bint islessequal(double, double)
    bint isgreaterequal(double, double)
    bint isnan(double)
    bint isinf(double)
    const double INFINITY
    const double NAN

cdef extern from "<fenv.h>" nogil:
    int feclearexcept(int)
    int FE_INVALID

cdef inline void _clear_invalid() noexcept nogil:
    feclearexcept(FE_INVALID)

# SELU constants (Klambauer et al. 2017, eq. 14), the digits PyTorch uses.
cdef double SELU_ALPHA = 1.6732632423543772848170429916717
cdef double SELU_SCALE = 1.0507009873554804934193349852946
# 1/sqrt(2) and 1/sqrt(2 pi), correctly rounded.
cdef double M_SQRT1_2_ = 0.70710678118654752440084436210485
cdef double M_1_SQRT2PI = 0.39894228040143267793994605993438
# GELU tanh form: sqrt(2/pi) and 0.044715 (Hendrycks & Gimpel 2016), as PyTorch.
cdef double GELU_C = 0.79788456080286535587989211986876
cdef double GELU_K = 0.044715
# Beyond |x| = 746 exp(-|x|) is 0 in double, so x * sigmoid(x) and its relatives have
# reached their limits; the branch keeps inf * 0 out of the arithmetic.
cdef double EXP_ZERO = 746.0


# ---- helpers ------------------------------------------------------------------------

cdef inline double _sigmoid(double x) noexcept nogil:
    # Computed on z = exp(-|x|) <= 1: no overflow for any x, full relative accuracy in
    # both tails (z/(1+z) for x < 0 does not cancel).
    cdef double z = exp(-fabs(x))
    if isless(x, 0.0):
        return z / (1.0 + z)
    return 1.0 / (1.0 + z)


cdef inline double _sigmoid_grad(double x) noexcept nogil:
    # s (1 - s) = z / (1 + z)^2 with z = exp(-|x|): symmetric and cancellation-free,
    # unlike y (1 - y) which loses all digits once y rounds to 1.
    cdef double z = exp(-fabs(x))
    cdef double d = 1.0 + z
    return z / (d * d)


cdef inline double _softplus1(double x) noexcept nogil:
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no cancellation.
    cdef double m = x if isgreater(x, 0.0) else 0.0
    return m + log1p(exp(-fabs(x)))


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
    return tanh(x)

cdef inline double tanh_grad(double x) noexcept nogil:
    # 1 - tanh(x)^2 = sech(x)^2 = 4 z / (1 + z)^2, z = exp(-2|x|): no cancellation for
    # large |x| (where 1 - t*t would round to 0 long before the true value does).
    cdef double z = exp(-2.0 * fabs(x))
    cdef double d = 1.0 + z
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

cdef inline double gelu_fwd(double x) noexcept nogil:
    # Phi(x) = erfc(-x / sqrt 2) / 2: erfc keeps relative accuracy in the left tail where
    # 1 + erf would cancel.  Below x = -40, Phi(x) < 1e-300 and x Phi(x) underflows.
    if isless(x, -40.0):
        return -0.0
    return 0.5 * x * erfc(-x * M_SQRT1_2_)

cdef inline double gelu_grad(double x) noexcept nogil:
    # Phi(x) + x phi(x); beyond |x| = 40 it is 1 or -0 to double precision (and the
    # branch keeps inf * exp(-inf) out).
    if isgreater(fabs(x), 40.0):
        return 1.0 if x > 0.0 else -0.0
    return 0.5 * erfc(-x * M_SQRT1_2_) + x * M_1_SQRT2PI * exp(-0.5 * x * x)


# ---- gelu (tanh approximation) ------------------------------------------------------

cdef inline double gelu_tanh_fwd(double x) noexcept nogil:
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the sigmoid
    # form keeps relative accuracy for x < 0 where 1 + tanh(u) cancels.  |x| > 1000 is
    # saturated (2u < -7e7) and would overflow x^3 further out.
    if isgreater(fabs(x), 1000.0):
        return x if x > 0.0 else -0.0
    return x * _sigmoid(2.0 * GELU_C * x * (1.0 + GELU_K * x * x))

cdef inline double gelu_tanh_grad(double x) noexcept nogil:
    # d/dx [x s(2u)] = s + 2 x s (1 - s) u',  u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2);
    # the same as PyTorch's 0.5(1+t) + 0.5x(1-t^2) u' with t = tanh(u).
    cdef double u2, du
    if isgreater(fabs(x), 1000.0):
        return 1.0 if x > 0.0 else -0.0
    u2 = 2.0 * GELU_C * x * (1.0 + GELU_K * x * x)
    du = GELU_C * (1.0 + 3.0 * GELU_K * x * x)
    return _sigmoid(u2) + 2.0 * x * _sigmoid_grad(u2) * du


# ---- elu ----------------------------------------------------------------------------

cdef inline double elu_fwd(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return x
    return alpha * expm1(x)               # expm1: exact digits near 0, -1 at -inf

cdef inline double elu_grad(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return 1.0
    return alpha * exp(x)                 # elu'(0) takes this branch: alpha

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


# ---- silu (swish) -------------------------------------------------------------------

cdef inline double silu_fwd(double x) noexcept nogil:
    if isless(x, -EXP_ZERO):
        return -0.0
    return x * _sigmoid(x)

cdef inline double silu_grad(double x) noexcept nogil:
    # s (1 + x (1 - s)), with s and 1 - s both taken from z = exp(-|x|) so neither
    # cancels; beyond |x| = 746 the limits 1 and -0 are returned (inf * 0 otherwise).
    cdef double z, s, sm
    if isgreater(fabs(x), EXP_ZERO):
        return 1.0 if x > 0.0 else -0.0
    z = exp(-fabs(x))
    if isless(x, 0.0):
        s = z / (1.0 + z)
        sm = 1.0 / (1.0 + z)
    else:
        s = 1.0 / (1.0 + z)
        sm = z / (1.0 + z)
    return s * (1.0 + x * sm)


# ---- mish ---------------------------------------------------------------------------
# With e = exp(x): tanh(softplus(x)) = n / (n + 2), n = e (e + 2).  For x > 0 the same
# ratio is written with e = exp(-x): (1 + 2e) / (1 + 2e + 2e^2).  Both are free of
# cancellation and overflow; 1 - tanh^2 follows from the same n without subtracting.

cdef inline void _mish_parts(double x, double* t, double* sech2, double* sig) noexcept nogil:
    cdef double e, n, d, num, den
    if isgreater(x, 0.0):
        e = exp(-x)
        num = 1.0 + 2.0 * e
        den = num + 2.0 * e * e
        t[0] = num / den
        sech2[0] = 2.0 * e * e * (num + den) / (den * den)
        sig[0] = 1.0 / (1.0 + e)
    else:
        e = exp(x)
        n = e * (e + 2.0)
        d = n + 2.0
        t[0] = n / d
        sech2[0] = 4.0 * (n + 1.0) / (d * d)
        sig[0] = e / (1.0 + e)

cdef inline double mish_fwd(double x) noexcept nogil:
    cdef double t, sech2, sig
    if isgreater(fabs(x), EXP_ZERO) or isnan(x):
        return x if not isless(x, 0.0) else -0.0
    _mish_parts(x, &t, &sech2, &sig)
    return x * t

cdef inline double mish_grad(double x) noexcept nogil:
    # tanh(sp) + x sech^2(sp) sigmoid(x), sp = softplus(x)
    cdef double t, sech2, sig
    if isgreater(fabs(x), EXP_ZERO):
        return 1.0 if x > 0.0 else -0.0
    _mish_parts(x, &t, &sech2, &sig)
    return t + x * sech2 * sig


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
    return (SELU_SCALE * SELU_ALPHA) * expm1(x)

cdef inline double selu_grad(double x) noexcept nogil:
    if isgreater(x, 0.0):
        return SELU_SCALE
    return (SELU_SCALE * SELU_ALPHA) * exp(x)   # selu'(0): this branch

cdef inline double selu_grad_y(double y) noexcept nogil:
    if isgreater(y, 0.0):
        return SELU_SCALE
    return y + SELU_SCALE * SELU_ALPHA


# ---- celu ---------------------------------------------------------------------------

cdef inline double celu_fwd(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return x
    return alpha * expm1(x / alpha)

cdef inline double celu_grad(double x, double alpha) noexcept nogil:
    if isgreater(x, 0.0):
        return 1.0
    return exp(x / alpha)                 # celu'(0): this branch, 1

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

cdef inline double hardsigmoid_fwd(double x) noexcept nogil:
    if islessequal(x, -3.0):
        return 0.0
    if isgreaterequal(x, 3.0):
        return 1.0
    return (x + 3.0) / 6.0

cdef inline double hardsigmoid_grad(double x) noexcept nogil:
    if isgreater(x, -3.0) and isless(x, 3.0):
        return 1.0 / 6.0
    if isnan(x):
        return x
    return 0.0

cdef inline double hardswish_fwd(double x) noexcept nogil:
    if islessequal(x, -3.0):
        return -0.0                        # x * 0, without inf * 0 at -inf
    if isgreaterequal(x, 3.0):
        return x
    return x * (x + 3.0) / 6.0

cdef inline double hardswish_grad(double x) noexcept nogil:
    # PyTorch's branches: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above 3.
    if isless(x, -3.0):
        return 0.0
    if isgreater(x, 3.0):
        return 1.0
    return x / 3.0 + 0.5


# ---- log_sigmoid --------------------------------------------------------------------

cdef inline double log_sigmoid_fwd(double x) noexcept nogil:
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))
    cdef double m = x if isless(x, 0.0) else 0.0
    return m - log1p(exp(-fabs(x)))

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

# softplus(x, beta, threshold) = log(1 + e^(beta x)) / beta, and x where beta x > threshold
# (PyTorch's rule); softplus'(x) = sigmoid(beta x), and 1 where beta x > threshold.

cdef inline double softplus_fwd(double x, double beta, double threshold) noexcept nogil:
    # log(1 + exp(beta x)) evaluated without overflow by _log1pexp
    # (early returns, which GCC if-converts: the select form changes which NaN comes out
    # when x and beta are both NaN)
    cdef double z = beta * x
    if isgreater(z, threshold):
        return x
    return _log1pexp(z) / beta

cdef inline double softplus_grad(double x, double beta, double threshold) noexcept nogil:
    cdef double z = beta * x
    if isgreater(z, threshold):
        return 1.0
    return _sigmoid(z)


# float32: beta x is carried as z + zl (float, and its exact rounding error, _mul_lo_f):
# rounded alone, its error (|beta x| 2^-24 relative) would reach the left tail's result,
# where the value is e^(beta x), as |beta x| / 2 ULP (40 ULP near the subnormal range) for
# betas other than the default 1 and powers of two.  The tails are rescaled (F_E_M32).
# Measured over every float32 input (defaults beta = 1, threshold = 20): forward 1.75 ULP
# (x = -84.6), derivative 2.48, backward 2.34.

cdef inline float softplus_fwd_f(float x, float beta, float threshold) noexcept nogil:
    cdef bint sc
    cdef float z = beta * x
    cdef float r = _log1pexp_f(z, _mul_lo_f(beta, x, z), &sc) / beta
    r = r * F_E_M32 if sc else r
    return x if isgreater(z, threshold) else r

cdef inline float softplus_grad_f(float x, float beta, float threshold) noexcept nogil:
    # (the sigmoid computed first, then selected: inside the conditional expression GCC
    # if-converts it into two masked divisions)
    cdef float z = beta * x
    cdef float r = _sigmoid_f(z, _mul_lo_f(beta, x, z))
    return F_ONE if isgreater(z, threshold) else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double softplus_grad2(double x, double beta, double threshold) noexcept nogil:
    # beta s(z) (1 - s(z)), z = beta x; 0 from the threshold on (the identity above it;
    # at z = threshold too, as PyTorch's double backward gives)
    cdef double z = beta * x
    cdef double e = _exp(-fabs(z))
    cdef double d = 1.0 + e
    cdef double r = beta * (e / (d * d))
    return 0.0 if isgreaterequal(z, threshold) else r

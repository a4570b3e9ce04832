# sparse_plus(x) = 0 for x <= -1, (x + 1)^2 / 4 on (-1, 1), x for x >= 1 (JAX's
# jax.nn.sparse_plus; Blondel et al., "Learning with Fenchel-Young Losses", 2020);
# sparse_plus' = sparse_sigmoid = (x + 1) / 2 clipped to [0, 1], continuous, so the kinks
# at +-1 have one value (0 and 1).  From the output: sparse_plus' = sqrt(y) on (0, 1).
# float32: the plain formula in double, rounded once (below).

cdef inline double sparse_plus_fwd(double x) noexcept nogil:
    # (x + 1)^2 / 4 rounded once: x + 1 = t + e exactly (Fast2Sum: |x| < 1), and
    # t^2 = p + q exactly (Dekker's product, no fma: the baseline has none), summed as
    # p + (q + 2 t e); the dropped e^2 and the rounding of q + 2 t e are below 2^-104 p,
    # so the result is within 2^-50 ULP of correctly rounded (the plain formula rounds
    # three times: up to 1.5 ULP).  0.25 scales exactly (t >= 2^-53: no subnormal).
    cdef double t = x + 1.0
    cdef double e = x - (t - 1.0)
    cdef double c = DEKKER_SPLIT * t
    cdef double hi = c - (c - t)
    cdef double lo = t - hi
    cdef double p = t * t
    cdef double q = ((hi * hi - p) + 2.0 * hi * lo) + lo * lo
    cdef double r = (p + (q + 2.0 * t * e)) * 0.25
    r = 0.0 if islessequal(x, -1.0) else r
    r = x if isgreaterequal(x, 1.0) else r
    return x if x != x else r

cdef inline double sparse_plus_grad(double x) noexcept nogil:
    # (x + 1) / 2: x + 1 rounds once, the halving is exact: correctly rounded
    cdef double r = (x + 1.0) * 0.5
    r = 0.0 if islessequal(x, -1.0) else r
    r = 1.0 if isgreaterequal(x, 1.0) else r
    return x if x != x else r

cdef inline double sparse_plus_grad_y(double y) noexcept nogil:
    # y = ((x + 1) / 2)^2 on (-1, 1): f' = sqrt(y), 0 at y = 0 (x <= -1), 1 from y = 1
    cdef double r = sqrt(fabs(y))         # (fabs: no "invalid" from a negative y)
    r = 0.0 if islessequal(y, 0.0) else r
    r = 1.0 if isgreaterequal(y, 1.0) else r
    return y if y != y else r


# float32: (x + 1)^2 / 4 in double with the plain formula, rounded once: for float x the
# square of x + 1 (exact in double for |x| >= 2^-29, and rounding to 1/4 below) rounds
# once, 2^-53 relative, which moves the float32 result only where it lies that close to a
# rounding boundary; the accuracy tool checks every float32 input.  f' = (x + 1)/2 and
# sqrt(y) are the double kernels' rounded.

cdef inline float sparse_plus_fwd_f(float x) noexcept nogil:
    cdef double t = <double>x + 1.0
    cdef double r = (t * t) * 0.25
    r = 0.0 if islessequal(x, -1.0) else r
    r = <double>x if isgreaterequal(x, 1.0) else r
    return x if x != x else <float>r

cdef inline float sparse_plus_grad_f(float x) noexcept nogil:
    return <float>sparse_plus_grad(<double>x)

cdef inline float sparse_plus_grad_y_f(float y) noexcept nogil:
    return <float>sparse_plus_grad_y(<double>y)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double sparse_plus_grad2(double x) noexcept nogil:
    # 1/2 on the open interval (-1, 1), 0 at the kinks and outside
    cdef double r = 0.5 if (isgreater(x, -1.0) and isless(x, 1.0)) else 0.0
    return x if x != x else r

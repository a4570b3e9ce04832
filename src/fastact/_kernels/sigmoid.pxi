# sigmoid(x) = 1 / (1 + e^-x); sigmoid'(x) = s (1 - s) = y (1 - y).

cdef inline double sigmoid_fwd(double x) noexcept nogil:
    return _sigmoid(x)

cdef inline double sigmoid_grad(double x) noexcept nogil:
    # s (1 - s) = z / (1 + z)^2 with z = exp(-|x|): symmetric and cancellation-free,
    # unlike y (1 - y) which loses all digits once y rounds to 1.
    # Next to 0 the three roundings can land one ULP above the true maximum 0.25 (at
    # x = 1e-9: 0.25 + 2^-54); the true value is below 0.25 for x != 0, so cap there.
    cdef double z = _exp(-fabs(x))
    cdef double d = 1.0 + z
    cdef double r = z / (d * d)
    return 0.25 if isgreater(r, 0.25) else r

cdef inline double sigmoid_grad_y(double y) noexcept nogil:
    return y * (1.0 - y)


# float32: the forward is primitives' _sigmoid_f (the shorter exp _expf_r on -x, and the
# subnormal tail rescaled by e^32); the derivative as the double one, with _expf.

cdef inline float sigmoid_fwd_f(float x) noexcept nogil:
    return _sigmoid_f(x, F_ZERO)

cdef inline float sigmoid_grad_f(float x) noexcept nogil:
    cdef float z = _expf(-fabsf(x))
    cdef float d = F_ONE + z
    cdef float r = z / (d * d)
    return F_HALF * F_HALF if isgreater(r, F_HALF * F_HALF) else r

cdef inline float sigmoid_grad_y_f(float y) noexcept nogil:
    return y * (F_ONE - y)


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double _sigmoid_grad2(double x) noexcept nogil:
    # s (1 - s) (1 - 2 s) = -sign(x) z (1 - z) / (1 + z)^3, z = e^-|x|: 1 - z by expm1
    # (no cancellation near 0), z by exp (no cancellation in the tails); 0 at 0.
    # used by: sigmoid, log_sigmoid, softplus
    cdef double z = _exp(-fabs(x))
    cdef double m = -_expm1(-fabs(x))
    cdef double d = 1.0 + z
    return copysign((z / (d * d)) * (m / d), -x)

cdef inline double sigmoid_grad2(double x) noexcept nogil:
    return _sigmoid_grad2(x)

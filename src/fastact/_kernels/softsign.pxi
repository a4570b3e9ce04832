# softsign(x) = x / (1 + |x|); softsign'(x) = 1 / (1 + |x|)^2.  float32 widens to double.

cdef inline double softsign_fwd(double x) noexcept nogil:
    cdef double r = x / (1.0 + fabs(x))
    return copysign(1.0, x) if isinf(x) else r    # (inf / inf otherwise)

cdef inline double softsign_grad(double x) noexcept nogil:
    cdef double t = 1.0 / (1.0 + fabs(x))  # t*t underflows to 0; (1+|x|)^2 would overflow
    return t * t

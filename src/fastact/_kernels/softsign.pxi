# softsign(x) = x / (1 + |x|); softsign'(x) = 1 / (1 + |x|)^2.  float32 widens to double.

cdef inline double softsign_fwd(double x) noexcept nogil:
    cdef double r = x / (1.0 + fabs(x))
    return copysign(1.0, x) if isinf(x) else r    # (inf / inf otherwise)

cdef inline double softsign_grad(double x) noexcept nogil:
    cdef double t = 1.0 / (1.0 + fabs(x))  # t*t underflows to 0; (1+|x|)^2 would overflow
    return t * t


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double softsign_grad2(double x) noexcept nogil:
    # -2 sign(x) / (1 + |x|)^3, as t^3 with t = 1/(1 + |x|) (no overflow); 0 at 0, as
    # PyTorch's autograd gives (d|x|/dx = sign(0) = 0 there)
    cdef double t = 1.0 / (1.0 + fabs(x))
    cdef double r = copysign(2.0 * (t * t) * t, -x)
    return 0.0 if x == 0.0 else r

# exponential(x) = e^x (Keras' exponential); exponential'(x) = e^x = y.  The primitives'
# _exp and _expf: within 1 ULP, inf past the overflow threshold (no flag raised), 0 below
# the underflow one, NaN for NaN.  The backward is g times f' rounded: inf where e^x
# overflows the dtype, even where g e^x would not (docs/guide/backward.md).

cdef inline double exponential_fwd(double x) noexcept nogil:
    return _exp(x)

cdef inline double exponential_grad(double x) noexcept nogil:
    return _exp(x)

cdef inline double exponential_grad_y(double y) noexcept nogil:
    return y


cdef inline float exponential_fwd_f(float x) noexcept nogil:
    return _expf(x)

cdef inline float exponential_grad_f(float x) noexcept nogil:
    return _expf(x)

cdef inline float exponential_grad_y_f(float y) noexcept nogil:
    return y


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double exponential_grad2(double x) noexcept nogil:
    return _exp(x)

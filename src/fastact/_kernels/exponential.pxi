# exponential(x) = e^x (Keras' exponential); exponential'(x) = e^x = y.  The primitives'
# _exp: within 1 ULP, inf past the overflow threshold, 0 below the underflow
# one, NaN for NaN.  float32 computes in double (the record's float32_computes_in):
# g * e^x stays finite where e^x alone overflows float32 (x > 88.72) and g is small.

cdef inline double exponential_fwd(double x) noexcept nogil:
    return _exp(x)

cdef inline double exponential_grad(double x) noexcept nogil:
    return _exp(x)

cdef inline double exponential_grad_y(double y) noexcept nogil:
    return y


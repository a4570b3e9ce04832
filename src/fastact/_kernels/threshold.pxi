# threshold(x, t, v) = v for x <= t, x otherwise (torch.nn.functional.threshold's test,
# so that a NaN threshold passes every x through, as PyTorch's: x <= NaN is false);
# threshold'(x) = 0 for x <= t, 1 otherwise (PyTorch's threshold_backward), NaN for
# NaN (PyTorch passes NaN through the forward but gives its gradient 1).  Selections of x
# or a parameter: exact, so the float32 functions are the double kernel's results rounded.

cdef inline double threshold_fwd(double x, double t, double v) noexcept nogil:
    cdef double r = v if islessequal(x, t) else x
    return x if x != x else r

cdef inline double threshold_grad(double x, double t, double v) noexcept nogil:
    cdef double r = 0.0 if islessequal(x, t) else 1.0
    return x if x != x else r


cdef inline float threshold_fwd_f(float x, float t, float v) noexcept nogil:
    cdef float r = v if islessequal(x, t) else x
    return x if x != x else r

cdef inline float threshold_grad_f(float x, float t, float v) noexcept nogil:
    cdef float r = F_ZERO if islessequal(x, t) else F_ONE
    return x if x != x else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double threshold_grad2(double x, double t, double v) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included

# threshold(x, t, v) = x for x > t, v otherwise (torch.nn.functional.threshold);
# threshold'(x) = 1 for x > t, 0 at and below t (PyTorch's threshold_backward), NaN for
# NaN (PyTorch passes NaN through the forward but gives its gradient 1).  Selections of x
# or a parameter: exact, so the float32 functions are the double kernel's results rounded.

cdef inline double threshold_fwd(double x, double t, double v) noexcept nogil:
    cdef double r = x if isgreater(x, t) else v
    return x if x != x else r

cdef inline double threshold_grad(double x, double t, double v) noexcept nogil:
    cdef double r = 1.0 if isgreater(x, t) else 0.0
    return x if x != x else r


cdef inline float threshold_fwd_f(float x, float t, float v) noexcept nogil:
    cdef float r = x if isgreater(x, t) else v
    return x if x != x else r

cdef inline float threshold_grad_f(float x, float t, float v) noexcept nogil:
    cdef float r = F_ONE if isgreater(x, t) else F_ZERO
    return x if x != x else r


# ---- second derivative (f'', NAME_grad2: double only, see elementwise_loops.pxi.tp) ----

cdef inline double threshold_grad2(double x, double t, double v) noexcept nogil:
    return 0.0 if x == x else x            # piecewise linear: f'' = 0, kinks included

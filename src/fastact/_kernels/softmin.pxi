# softmin(x) = softmax(-x) along a row, as torch.nn.functional.softmin: softmax.pxi's
# kernels with the sign -1 (the negation is exact, so softmin(x) is bit for bit
# softmax(-x)); backward: dx = -y (g - <g, y>).  The conventions follow from softmax's with
# -x: a row of all +inf gives 0, k entries equal to -inf share the mass.

cdef inline int _softmin_c_f(const float* x, float* y, npy_intp n) noexcept nogil:
    return _softmax_sc_f(x, y, n, -1.0)


cdef inline int _softmin_c_d(const double* x, double* y, npy_intp n) noexcept nogil:
    return _softmax_sc_d(x, y, n, -1.0)


cdef inline void _softmin_backward_c(const real* g, const real* y, real* dx,
                                     npy_intp n) noexcept nogil:
    _softmax_backward_sc(g, y, dx, n, -1.0)


cdef void softmin_general(char** a, const npy_intp* cs, npy_intp n, int st) noexcept nogil:
    _softmax_s_general(a, cs, n, st, -1.0)


cdef void softmin_backward_general(char** a, const npy_intp* cs, npy_intp n,
                                   int st) noexcept nogil:
    _softmax_backward_s_general(a, cs, n, st, -1.0)


cdef double SOFTMIN_WHERE_FILL = INFINITY       # the weight of +inf is 0 in softmin


cdef inline void _softmin_backward_where_c(const real* g, const real* y,
                                           const unsigned char* w, real* dx,
                                           npy_intp n) noexcept nogil:
    _softmax_backward_where_sc(g, y, w, dx, n, -1.0)


cdef void softmin_backward_where_general(char** a, const npy_intp* cs, npy_intp n,
                                         int st) noexcept nogil:
    _softmax_backward_where_s_general(a, cs, n, st, -1.0)

# ---- row reductions and row storage (softmax-type kernels) --------------------------
# Reductions (max, sum) run in LANES independent accumulators: C's left-to-right order for
# `s += e` forbids the compiler to vectorize the sum (that needs fast-math reassociation,
# which fastact never enables), while LANES partial sums in an array are plain
# elementwise work it vectorizes; the lanes are added at the end.
# used by: softmax, softmin, log_softmax

cdef extern from "<math.h>" nogil:
    bint isfinite(double)

cdef extern from "half.h" nogil:
    float fastact_half_to_float(uint16_t h)
    uint16_t fastact_float_to_half(float f)
    float fastact_bf16_to_float(uint16_t h)
    uint16_t fastact_float_to_bf16(float f)

cdef enum:
    LANES = 16


ctypedef fused real:
    float
    double


cdef inline real _max_c(const real* x, npy_intp n) noexcept nogil:
    return _max_c_s(x, n, <real>1)


cdef inline real _max_c_s(const real* x, npy_intp n, real sg) noexcept nogil:
    # max of sg * x, sg = +-1 (exact)
    cdef real acc[LANES]
    cdef real m = -INFINITY
    cdef npy_intp i, nb = n - n % LANES
    cdef int k
    for k in range(LANES):
        acc[k] = -INFINITY
    for i in range(0, nb, 16):        # LANES
        for k in range(LANES):
            acc[k] = sg * x[i + k] if isgreater(sg * x[i + k], acc[k]) else acc[k]
    for i in range(nb, n):
        m = sg * x[i] if isgreater(sg * x[i], m) else m
    for k in range(LANES):
        m = acc[k] if isgreater(acc[k], m) else m
    return m


cdef inline double _sum_lanes(double* acc) noexcept nogil:
    cdef double s = 0.0
    cdef int k
    for k in range(LANES):
        s += acc[k]
    return s


# A row's general code (rows a contiguous kernel hands back, rows without memory for a
# buffer) computes in double from whatever the storage is: float16, float32 or float64,
# through these, so one function serves every dtype.
cdef enum:
    ST_HALF = 0
    ST_FLOAT = 1
    ST_DOUBLE = 2
    ST_BF16 = 3


cdef inline double _ld(const char* p, npy_intp i, npy_intp step, int st) noexcept nogil:
    # element i of a strided row, widened to double
    if st == ST_DOUBLE:
        return (<const double*>(p + i * step))[0]
    if st == ST_FLOAT:
        return (<const float*>(p + i * step))[0]
    if st == ST_BF16:
        return fastact_bf16_to_float((<const uint16_t*>(p + i * step))[0])
    return fastact_half_to_float((<const uint16_t*>(p + i * step))[0])


cdef inline void _st(char* p, npy_intp i, npy_intp step, int st, double v) noexcept nogil:
    # element i of a strided row, v rounded to the storage type (float16 through float:
    # the double rounding only matters at exact half-way cases of float16, in rows that
    # had no memory for a float32 buffer)
    if st == ST_DOUBLE:
        (<double*>(p + i * step))[0] = v
    elif st == ST_FLOAT:
        (<float*>(p + i * step))[0] = <float>v
    elif st == ST_BF16:
        (<uint16_t*>(p + i * step))[0] = fastact_float_to_bf16(<float>v)
    else:
        (<uint16_t*>(p + i * step))[0] = fastact_float_to_half(<float>v)


cdef inline int _row_max_st(const char* x, npy_intp sx, npy_intp n, int st, double sg,
                            double* m) noexcept nogil:
    # 1 if the row holds a NaN; else 0, and m receives the maximum of sg * x, sg = +-1
    # (-inf for n == 0)
    cdef npy_intp i
    cdef double v, mx = -INFINITY
    for i in range(n):
        v = sg * _ld(x, i, sx, st)
        if v != v:
            return 1
        if isgreater(v, mx):
            mx = v
    m[0] = mx
    return 0


cdef inline npy_intp _row_count_st(const char* x, npy_intp sx, npy_intp n, int st,
                                   double v) noexcept nogil:
    # how many entries equal v
    cdef npy_intp i, k = 0
    for i in range(n):
        if _ld(x, i, sx, st) == v:
            k += 1
    return k

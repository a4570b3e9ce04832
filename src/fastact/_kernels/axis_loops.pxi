# The outer loops of the axis kernels' generalized ufuncs (softmax-type, signature
# (n)->(n)): rows split across threads, 16-bit rows widened (included by
# kernel_module.pyx.tp into the modules that hold an axis kernel).

ctypedef void (*row_fn)(char** args, const npy_intp* cs, npy_intp n) noexcept nogil
ctypedef void (*general_fn)(char** args, const npy_intp* cs, npy_intp n, int st) noexcept nogil

cdef struct AxisLoop:
    row_fn row          # the row kernel (float32 one for the float16 loop)
    int nargs           # inputs + 1 output
    general_fn general  # the kernel's general code (the 16-bit rows' bufferless fallback)
    int size            # bytes per element of the storage type
    int bf16            # 16-bit rows: 0 float16, 1 bfloat16


cdef inline void _axis_row(AxisLoop* lp, char** args, const npy_intp* steps, npy_intp j,
                           npy_intp n) noexcept nogil:
    cdef char* a[MAXARGS]
    cdef int k
    for k in range(lp.nargs):
        a[k] = args[k] + j * steps[k]
    lp.row(a, steps + lp.nargs, n)


cdef inline void _extent(const char* p, npy_intp s1, npy_intp n1, npy_intp s2, npy_intp n2,
                         npy_intp size, const char** lo, const char** hi) noexcept nogil:
    # the bytes [lo, hi) that an N x n operand (outer stride s1, core stride s2) touches
    lo[0] = p + (0 if s1 >= 0 else (n1 - 1) * s1) + (0 if s2 >= 0 else (n2 - 1) * s2)
    hi[0] = p + ((n1 - 1) * s1 if s1 >= 0 else 0) + ((n2 - 1) * s2 if s2 >= 0 else 0) + size


cdef bint _rows_overlap(AxisLoop* lp, char** args, const npy_intp* steps, npy_intp N,
                        npy_intp n, npy_intp size) noexcept nogil:
    # Whether an input's rows share memory with the output's (see _overlap): then the
    # rows run in order on one thread.
    cdef int k, last = lp.nargs - 1
    cdef const npy_intp* core = steps + lp.nargs
    cdef const char *olo
    cdef const char *ohi
    cdef const char *ilo
    cdef const char *ihi
    _extent(args[last], steps[last], N, core[last], n, size, &olo, &ohi)
    for k in range(last):
        if args[k] == args[last] and steps[k] == steps[last] and core[k] == core[last]:
            continue        # exact aliasing: each row is read whole before it is written
        _extent(args[k], steps[k], N, core[k], n, size, &ilo, &ihi)
        if ilo < ohi and olo < ihi:
            return 1
    return 0


cdef void axis_loop(char** args, const npy_intp* dims, const npy_intp* steps,
                    void* data) noexcept nogil:
    # Generalized-ufunc outer loop: dims = (N, n); steps = N-strides then core strides.
    # Rows are independent, so large batches split across threads by rows.
    cdef AxisLoop* lp = <AxisLoop*>data
    cdef npy_intp j, N = dims[0], n = dims[1]
    cdef int nt = _threads_for(N * n) if N > 1 else 1
    if nt > 1 and _rows_overlap(lp, args, steps, N, n, lp.size):
        nt = 1
    if nt > 1:
        for j in prange(N, schedule="static", num_threads=nt):
            _axis_row(lp, args, steps, j, n)
    else:
        for j in range(N):
            _axis_row(lp, args, steps, j, n)
    _clear_fp_flags()


cdef void _half_rows(AxisLoop* lp, char** args, const npy_intp* steps, npy_intp j0,
                     npy_intp j1, npy_intp n) noexcept nogil:
    # Rows [j0, j1), each widened into a float32 buffer and run by the float32 row kernel.
    cdef char* a[MAXARGS]
    cdef char* r[MAXARGS]
    cdef npy_intp cs[MAXARGS]
    cdef npy_intp j, i
    cdef int k, last = lp.nargs - 1
    cdef const npy_intp* core = steps + lp.nargs
    cdef float* buf = <float*>_row_malloc(lp.nargs * n * sizeof(float))
    for k in range(lp.nargs):
        a[k] = <char*>(buf + k * n)
        cs[k] = sizeof(float)
    for j in range(j0, j1):
        if buf == NULL:
            for k in range(lp.nargs):
                r[k] = args[k] + j * steps[k]
            # no memory: straight from the 16-bit storage
            lp.general(r, core, n, ST_BF16 if lp.bf16 else ST_HALF)
            continue
        for k in range(last):
            _widen16(args[k] + j * steps[k], core[k], n, buf + k * n, lp.bf16)
        lp.row(a, cs, n)
        _narrow16(buf + last * n, n, args[last] + j * steps[last], core[last], lp.bf16)
    free(buf)


cdef void axis_loop_half(char** args, const npy_intp* dims, const npy_intp* steps,
                         void* data) noexcept nogil:
    # As axis_loop, with each float16 row widened into a float32 buffer first (one
    # buffer per thread); without memory for it, a row is done straight from float16.
    cdef AxisLoop* lp = <AxisLoop*>data
    cdef npy_intp N = dims[0], n = dims[1], chunk, c
    cdef int nt = _threads_for(N * n) if N > 1 else 1
    if n == 0:
        return
    if nt > 1 and _rows_overlap(lp, args, steps, N, n, lp.size):
        nt = 1
    if nt > 1:
        chunk = (N + nt - 1) // nt
        for c in prange(nt, schedule="static", num_threads=nt):
            if c * chunk < N:
                _half_rows(lp, args, steps, c * chunk,
                           N if (c + 1) * chunk > N else (c + 1) * chunk, n)
    else:
        _half_rows(lp, args, steps, 0, N, n)
    _clear_fp_flags()

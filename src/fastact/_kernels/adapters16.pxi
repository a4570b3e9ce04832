# The 16-bit (float16 and bfloat16) loops of every elementwise and gated ufunc: blocks
# widened to float32, run through the float32 loop, narrowed (included by
# kernel_module.pyx.tp; needs threads.pxi).

cdef enum:
    BLOCK = 256        # float16 elements converted per block (stack buffers)
    MAXARGS = 6        # g, x and up to 2 parameters, out; gated: g, a, b and 2 outputs


# NumPy's inner-loop signature; numpy.pxd's PyUFuncGenericFunction lacks nogil.
ctypedef void (*loop_fn)(char** args, const npy_intp* dims, const npy_intp* steps,
                         void* data) noexcept nogil

cdef struct HalfLoop:
    loop_fn floop          # the float32 loop to run on widened blocks
    int ndata                      # leading 16-bit operands (x, or g and x; gated: a, b
                                   # or g, a, b)
    int nparams                    # float32 parameters after them
    int nout                       # 16-bit outputs (1; the gated backwards: 2)
    int bf16                       # the 16-bit format: 0 float16, 1 bfloat16 (ml_dtypes)


# The 16-bit formats: float16 (NumPy's) and bfloat16 (ml_dtypes', registered at import
# when ml_dtypes is there, see register_bfloat16) share these adapters; both compute in
# float32 and round once.  The format test and the stride test are outside the element
# loops: contiguous operands (the usual case) go through the cvt_* loops, one plain loop
# per format and direction over straight-line conversions (half.h) that GCC vectorizes
# (setup.py's report lists them, tests/test_vectorized.py checks them); strided ones
# through an element loop (GCC does not vectorize 16-bit loads at a run-time stride).
cdef inline void cvt_bf16_to_float(const uint16_t* p, npy_intp m, float* out) noexcept nogil:
    cdef npy_intp i
    for i in range(m):
        out[i] = fastact_bf16_to_float(p[i])


cdef inline void cvt_half_to_float(const uint16_t* p, npy_intp m, float* out) noexcept nogil:
    cdef npy_intp i
    for i in range(m):
        out[i] = fastact_half_to_float(p[i])


cdef inline void cvt_float_to_bf16(const float* v, npy_intp m, uint16_t* p) noexcept nogil:
    cdef npy_intp i
    for i in range(m):
        p[i] = fastact_float_to_bf16(v[i])


cdef inline void cvt_float_to_half(const float* v, npy_intp m, uint16_t* p) noexcept nogil:
    cdef npy_intp i
    for i in range(m):
        p[i] = fastact_float_to_half(v[i])


cdef inline void _widen16(const char* p, npy_intp step, npy_intp m, float* out,
                          int bf16) noexcept nogil:
    cdef npy_intp i
    if step == sizeof(uint16_t):
        if bf16:
            cvt_bf16_to_float(<const uint16_t*>p, m, out)
        else:
            cvt_half_to_float(<const uint16_t*>p, m, out)
    elif bf16:
        for i in range(m):
            out[i] = fastact_bf16_to_float((<const uint16_t*>(p + i * step))[0])
    else:
        for i in range(m):
            out[i] = fastact_half_to_float((<const uint16_t*>(p + i * step))[0])


cdef inline void _narrow16(const float* v, npy_intp m, char* p, npy_intp step,
                           int bf16) noexcept nogil:
    cdef npy_intp i
    if step == sizeof(uint16_t):
        if bf16:
            cvt_float_to_bf16(v, m, <uint16_t*>p)
        else:
            cvt_float_to_half(v, m, <uint16_t*>p)
    elif bf16:
        for i in range(m):
            (<uint16_t*>(p + i * step))[0] = fastact_float_to_bf16(v[i])
    else:
        for i in range(m):
            (<uint16_t*>(p + i * step))[0] = fastact_float_to_half(v[i])


cdef void _half_range(HalfLoop* h, char** args, const npy_intp* steps, npy_intp start,
                      npy_intp end, npy_intp block) noexcept nogil:
    # Elements [start, end) in blocks of at most `block`: widen a block of each float16
    # operand into a float32 buffer, run the float32 loop on the buffers (parameters are
    # passed through as they are), narrow the output blocks.
    cdef float buf[5][BLOCK]
    cdef char* a[MAXARGS]
    cdef npy_intp st[MAXARGS]
    cdef npy_intp m
    cdef int k, o, nin = h.ndata + h.nparams
    while start < end:
        m = end - start if end - start < block else block
        for k in range(h.ndata):
            _widen16(args[k] + start * steps[k], steps[k], m, buf[k], h.bf16)
            a[k] = <char*>buf[k]
            st[k] = sizeof(float)
        for k in range(h.ndata, nin):
            a[k] = args[k] + start * steps[k]
            st[k] = steps[k]
        for o in range(h.nout):
            a[nin + o] = <char*>buf[h.ndata + o]
            st[nin + o] = sizeof(float)
        h.floop(a, &m, st, <void*>&_in_block)     # flags: cleared by half_loop
        for o in range(h.nout):
            _narrow16(buf[h.ndata + o], m, args[nin + o] + start * steps[nin + o],
                      steps[nin + o], h.bf16)
        start += m


cdef void half_loop(char** args, const npy_intp* dims, const npy_intp* steps,
                    void* data) noexcept nogil:
    # The float16 loop of every elementwise ufunc: blocks of BLOCK elements through the
    # float32 loop, split across threads for large arrays.  An input that overlaps an
    # output (accumulate, reduce, shifted views) is done one element at a time, in order,
    # as NumPy expects of a loop it hands such operands (see _overlap).
    cdef HalfLoop* h = <HalfLoop*>data
    cdef npy_intp n = dims[0], chunk, c, nchunks
    cdef int nt, nin = h.ndata + h.nparams
    if _any_overlap(args, steps, nin, h.nout, n, h.ndata, 2, 4):
        _half_range(h, args, steps, 0, n, 1)
        _clear_fp_flags()
        return
    nt = _threads_for(n)
    if nt > 1:
        chunk = ((n + nt - 1) // nt + BLOCK - 1) // BLOCK * BLOCK
        nchunks = (n + chunk - 1) // chunk
        for c in prange(nchunks, schedule="static", num_threads=nt):
            _half_range(h, args, steps, c * chunk,
                        n if (c + 1) * chunk > n else (c + 1) * chunk, BLOCK)
    else:
        _half_range(h, args, steps, 0, n, BLOCK)
    _clear_fp_flags()


# Run-time support every loop uses (included by kernel_module.pyx.tp into each kernel
# module, which then has its own copy of this state; fastact._dispatch sets all of them):
# the floating-point flags, the thread count and fork state, the overlap tests,
# the row buffers' allocation (with the tests' fault injection).

cdef extern from "<fenv.h>" nogil:
    int feclearexcept(int)
    int FE_INVALID
    int FE_OVERFLOW
    int FE_DIVBYZERO
    int FE_UNDERFLOW


cdef inline void _clear_fp_flags() noexcept nogil:
    # NumPy turns the CPU's floating-point flags into RuntimeWarnings after each loop.
    # fastact's loops promise none: "invalid" comes from the packed compares GCC makes of
    # the quiet C99 comparisons on NaN lanes (SSE2 has no quiet ordered compare, so NumPy
    # clears it after its own SIMD comparison loops too), and "overflow"/"divide" only
    # from intermediates such as beta*x or x/alpha at |x| near 1e308, whose results are
    # already the right limits; "underflow" from tails such as exp(-745) that are meant to
    # round to 0 or a subnormal.  So every loop ends by clearing them (a worker thread's
    # flags never reach NumPy, which reads the calling thread's).
    feclearexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO | FE_UNDERFLOW)


# The 16-bit adapters call the float32 loops once per block with data = &_in_block: those
# leave the flags to the adapter, which clears them once at the end of its call
# (feclearexcept saves and reloads the x87 environment, which costs more than a block's
# conversions).  NumPy calls every loop with its registered data, NULL for them.
cdef char _in_block = 0


cdef inline void _loop_done(void* data) noexcept nogil:
    if data != <void*>&_in_block:
        _clear_fp_flags()


cdef extern from "config.h" nogil:
    int fastact_max_threads()
    int fastact_thread_limit()
    int FASTACT_OPENMP
    const char* FASTACT_COMPILER

cdef enum:
    MAX_THREADS = 1024  # the most threads a loop starts (see _thread_cap)


# ---- threads ------------------------------------------------------------------------
# _num_threads 0 means "not set": use OpenMP's current maximum, which follows
# OMP_NUM_THREADS and threadpoolctl's limits.  fastact.set_num_threads() stores a fixed
# count here (checked against _thread_cap() in fastact._runtime).
#
# fork: GNU OpenMP's thread pool does not survive fork().  A child whose parent had
# started it (any parallel loop ran) would wait forever for the parent's threads at its
# first parallel loop, so fastact._dispatch's os.register_at_fork hook sets _serial here in
# such a child, and every loop there runs on the calling thread, for good.
# _pool_started records that a parallel loop ran in this process (the parent's side).

cdef int _num_threads = 0
cdef int _serial = 0
cdef int _pool_started = 0


cdef inline int _threads_for(npy_intp n) noexcept nogil:
    global _pool_started
    cdef int nt
    if n < GRAIN or _serial:
        return 1
    nt = _num_threads if _num_threads > 0 else fastact_max_threads()
    if nt > MAX_THREADS:
        nt = MAX_THREADS
    if nt > 1:
        _pool_started = 1
    return nt


cdef inline bint _overlap(const char* a, npy_intp sa, const char* b, npy_intp sb,
                          npy_intp n, npy_intp size_a, npy_intp size_b) noexcept nogil:
    # Whether n elements of a (stride sa, size_a bytes each) and of b share any byte,
    # other than exact aliasing (the same start and stride: element i is read before it is
    # written, by the same thread).  NumPy hands overlapping views to a loop uncopied when
    # an in-order loop is right for them (out=x[:-1] with x[1:] as input; accumulate reads
    # the element written just before); a loop that splits the range across threads, or
    # widens a block of inputs before writing the block's outputs, is not in order, so it
    # must see this and run element by element instead.
    cdef const char* alo = a if sa >= 0 else a + (n - 1) * sa
    cdef const char* ahi = (a + (n - 1) * sa if sa >= 0 else a) + size_a
    cdef const char* blo = b if sb >= 0 else b + (n - 1) * sb
    cdef const char* bhi = (b + (n - 1) * sb if sb >= 0 else b) + size_b
    if n <= 0 or (a == b and sa == sb and sa != 0):
        return 0
    return alo < bhi and blo < ahi


def _set_num_threads(int n):
    """Fix the thread count (n >= 1), or 0 to follow OpenMP's default again."""
    global _num_threads
    _num_threads = n


def _get_num_threads():
    """The number of threads a large loop uses now."""
    if _serial:
        return 1
    nt = _num_threads if _num_threads > 0 else fastact_max_threads()
    return min(nt, MAX_THREADS)


def _thread_cap():
    """The most threads a loop may use: MAX_THREADS, or OpenMP's thread limit
    (OMP_THREAD_LIMIT) if lower."""
    return min(MAX_THREADS, fastact_thread_limit())


def _pool_was_started():
    """Whether a parallel loop ran in this process (so OpenMP's pool exists)."""
    return bool(_pool_started)


def _run_serially():
    """From now on every loop runs on the calling thread (a forked child, see above)."""
    global _serial
    _serial = 1


def _is_serial():
    return bool(_serial)


# Fault injection for the tests: a softmax-type row whose work buffer would take more
# than this many bytes is done as if malloc had failed (-1: never).
cdef npy_intp _row_alloc_limit = -1


def _set_row_alloc_limit(npy_intp nbytes):
    global _row_alloc_limit
    _row_alloc_limit = nbytes


cdef inline void* _row_malloc(size_t nbytes) noexcept nogil:
    if _row_alloc_limit >= 0 and <npy_intp>nbytes > _row_alloc_limit:
        return NULL
    return malloc(nbytes)


cdef bint _any_overlap(char** args, const npy_intp* steps, int nin, int nout, npy_intp n,
                       int ndata, npy_intp dsize, npy_intp psize) noexcept nogil:
    # Whether any input overlaps any output, or the outputs each other (see _overlap):
    # the first ndata inputs and the outputs have dsize bytes per element, the rest psize.
    cdef int k, o
    for o in range(nout):
        for k in range(nin + o):
            if _overlap(args[k], steps[k], args[nin + o], steps[nin + o], n,
                        dsize if (k < ndata or k >= nin) else psize, dsize):
                return 1
    return 0


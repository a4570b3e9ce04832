# cython: language_level=3
"""The fused loss kernels behind fastact.losses: each computes the loss and its gradient
with respect to the logits in one sweep over them (no softmax or sigmoid array is made).

* cross-entropy, row by row (the class axis last and contiguous): the row's maximum m,
  s = sum exp(x - m) (the exps kept in the gradient's row), log s = log1p(s - 1) with
  s - 1 summed apart (exact when one class takes nearly all the mass), then one pass
  that adds the loss terms and writes the gradient.  Every loss term is a sum of non-negative
  parts, log s - (x_c - m) >= 0, so nothing cancels; the gradient is
  a p_c - b_c with p_c = e_c / s and a, b_c the target's weights (softmax minus one-hot,
  smoothing and class weights folded in; see losses.py for the formulas).
* binary cross-entropy with logits, elementwise: from z = exp(-|x|) alone,
  softplus(+-x) = max(+-x, 0) + log1p(z) and sigmoid(+-x) = 1/(1+z) or z/(1+z), so the
  loss t pw softplus(-x) + (1 - t) softplus(x) (PyTorch's (1 - t) x - lw log_sigmoid(x),
  rewritten without its cancellation) and the gradient (1 - t) sigmoid(x) - pw t
  sigmoid(-x) are exact for every x.

All arithmetic is in double (float32 data is widened on load and rounded once on store):
the float32 bounds (0.5 ULP for the loss) leave no room for float exps.  exp and log1p
are primitives.pxi's plain-arithmetic methods (a libm call per element keeps the loops
scalar; log1p is taken once per row for the cross-entropy), in copies here that fuse
their multiply-adds on the FMA targets (_exp_row, _exp_neg_t, _log_c_t), and the
cross-entropy rows' exps carry a 2^64 bias so that 2^n is one factor (see _exp_row).
Reductions run in LOSS_LANES accumulators, which the compiler vectorizes without
reassociating (as softmax.pxi); the row maximum is written with vector types (as lanes of
an array GCC kept it scalar); BCE's total adds the lanes up per block of LOSS_BLOCK
elements, compensated (its error does not grow with n).  A NaN logit makes its row's sum
NaN, so the row's loss and every gradient of the row are NaN.  The floating-point flags
that saturated intermediates and NaN compares raise are cleared at the end (fastact
raises no warnings).

Every kernel is compiled three times in this one module: for the x86-64 baseline, and with
GCC's target attributes for AVX2 + FMA and for AVX-512 (the row loops are inline
functions, so each target's wrapper gets its own SIMD code of them; setup.py builds the
module once, with the baseline flags).  At import the best target the CPU has is taken;
losses.py then follows fastact's kernels (FASTACT_ISA), so the losses run the target the
activations run.  The AVX2 and AVX-512 code give the same bits; the baseline (no FMA)
may differ from them in the last bit.  Only the wrappers (void_avx2 / void_avx512) and
what is inlined into them use the wider instructions: the module's other code runs on
any x86-64.  On aarch64 there is one target, "neon": the FUSED code (every aarch64 CPU
has FMA), which the activations' "sve" runs too.

Argument checking is the caller's (losses.py): these trust their shapes and indices.
"""

cimport cython
from libc.math cimport log1p
from libc.stdint cimport int64_t
from numpy cimport npy_intp

include "_kernels/primitives.pxi"

cdef extern from "<fenv.h>" nogil:
    int feclearexcept(int)
    int FE_INVALID, FE_OVERFLOW, FE_DIVBYZERO, FE_UNDERFLOW

# The targets: a function whose return type is void_avx2 / void_avx512 is compiled for
# that instruction set (the attribute rides on the return type's C name); the inline
# functions it calls are compiled into it (a callee's target may be a subset of its
# caller's).  On other compilers and CPUs the attributes are empty and every target is
# the baseline code.
cdef extern from *:
    """
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    #define FASTACT_LOSS_TARGETS 1
    #define FASTACT_LOSS_AVX2 __attribute__((target("avx2,fma")))
    #if defined(__clang__)
    #define FASTACT_LOSS_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
    #else
    #define FASTACT_LOSS_AVX512 __attribute__((target( \
        "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,prefer-vector-width=512")))
    #endif
    static int fastact_loss_cpu(void) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
                && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
                && __builtin_cpu_supports("fma"))
            return 2;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            return 1;
        return 0;
    }
    #elif defined(__aarch64__)
    /* every aarch64 CPU has FMA (ARMv8-A): the FUSED code, compiled for the default
       target (ASIMD), is the only one */
    #define FASTACT_LOSS_TARGETS 0
    #define FASTACT_LOSS_AVX2
    #define FASTACT_LOSS_AVX512
    static int fastact_loss_cpu(void) { return 1; }
    #else
    #define FASTACT_LOSS_TARGETS 0
    #define FASTACT_LOSS_AVX2
    #define FASTACT_LOSS_AVX512
    static int fastact_loss_cpu(void) { return 0; }
    #endif
    #if defined(__aarch64__)
    #define FASTACT_LOSS_ARM 1
    #else
    #define FASTACT_LOSS_ARM 0
    #endif
    """
    int fastact_loss_cpu()
    const bint FASTACT_LOSS_ARM
    ctypedef void void_avx2 "FASTACT_LOSS_AVX2 void"
    ctypedef void void_avx512 "FASTACT_LOSS_AVX512 void"


# The row maximum with GCC's vector extensions (portable C: a target without 64-byte
# vectors gets them in pieces): written as a loop over an array of lanes, GCC kept the
# lanes scalar.  One function per vector size, each target its own (a vector wider than
# the target's registers is split by GCC into scalar code).  NaN is skipped (a compare with NaN is false: the lane keeps its value);
# the signalling compare's "invalid" flag is cleared with the others at the end.
cdef extern from * nogil:
    """
    #include <string.h>
    #if defined(__GNUC__)
    typedef double fastact_v8d __attribute__((vector_size(64)));
    typedef long long fastact_v8l __attribute__((vector_size(64)));
    typedef float fastact_v16f __attribute__((vector_size(64)));
    typedef int fastact_v16i __attribute__((vector_size(64)));
    typedef double fastact_v4d __attribute__((vector_size(32)));
    typedef long long fastact_v4l __attribute__((vector_size(32)));
    typedef float fastact_v8f __attribute__((vector_size(32)));
    typedef int fastact_v8i __attribute__((vector_size(32)));
    typedef double fastact_v2d __attribute__((vector_size(16)));
    typedef long long fastact_v2l __attribute__((vector_size(16)));
    typedef float fastact_v4f __attribute__((vector_size(16)));
    typedef int fastact_v4i __attribute__((vector_size(16)));
    #define FASTACT_LOSS_MAX(NAME, T, V, VI, W)                                        \
    static inline __attribute__((always_inline)) double NAME(const T* x, npy_intp n) { \
        V a, b, v, u;                                                                  \
        VI c;                                                                          \
        T m = -INFINITY, lane[W];                                                      \
        npy_intp i, nb = n - n % (2 * W);                                              \
        int k;                                                                         \
        for (k = 0; k < W; k++) a[k] = b[k] = -INFINITY;                               \
        for (i = 0; i < nb; i += 2 * W) {                                              \
            memcpy(&v, x + i, sizeof v);                                               \
            memcpy(&u, x + i + W, sizeof u);                                           \
            c = v > a; a = (V)(((VI)v & c) | ((VI)a & ~c));                            \
            c = u > b; b = (V)(((VI)u & c) | ((VI)b & ~c));                            \
        }                                                                              \
        c = b > a; a = (V)(((VI)b & c) | ((VI)a & ~c));                                \
        memcpy(lane, &a, sizeof a);                                                    \
        for (k = 0; k < W; k++) m = isgreater(lane[k], m) ? lane[k] : m;               \
        for (i = nb; i < n; i++) m = isgreater(x[i], m) ? x[i] : m;                    \
        return m;                                                                      \
    }
    FASTACT_LOSS_MAX(fastact_loss_max_d64, double, fastact_v8d, fastact_v8l, 8)
    FASTACT_LOSS_MAX(fastact_loss_max_f64, float, fastact_v16f, fastact_v16i, 16)
    FASTACT_LOSS_MAX(fastact_loss_max_d32, double, fastact_v4d, fastact_v4l, 4)
    FASTACT_LOSS_MAX(fastact_loss_max_f32, float, fastact_v8f, fastact_v8i, 8)
    FASTACT_LOSS_MAX(fastact_loss_max_d16, double, fastact_v2d, fastact_v2l, 2)
    FASTACT_LOSS_MAX(fastact_loss_max_f16, float, fastact_v4f, fastact_v4i, 4)
    #else  /* no vector extensions (MSVC): a plain loop */
    #define FASTACT_LOSS_MAX(NAME, T)                                                  \
    static double NAME(const T* x, npy_intp n) {                                       \
        T m = -INFINITY;                                                               \
        npy_intp i;                                                                    \
        for (i = 0; i < n; i++) m = isgreater(x[i], m) ? x[i] : m;                     \
        return m;                                                                      \
    }
    FASTACT_LOSS_MAX(fastact_loss_max_d64, double)
    FASTACT_LOSS_MAX(fastact_loss_max_f64, float)
    FASTACT_LOSS_MAX(fastact_loss_max_d32, double)
    FASTACT_LOSS_MAX(fastact_loss_max_f32, float)
    FASTACT_LOSS_MAX(fastact_loss_max_d16, double)
    FASTACT_LOSS_MAX(fastact_loss_max_f16, float)
    #endif
    """
    double fastact_loss_max_d64(const double* x, npy_intp n)
    double fastact_loss_max_f64(const float* x, npy_intp n)
    double fastact_loss_max_d32(const double* x, npy_intp n)
    double fastact_loss_max_f32(const float* x, npy_intp n)
    double fastact_loss_max_d16(const double* x, npy_intp n)
    double fastact_loss_max_f16(const float* x, npy_intp n)


# FMA: primitives' FASTACT_MADD is fixed at compile time (a multiply and an add in this
# module, compiled for the baseline), so the functions here take a tag, a type for each
# target: the baseline passes PLAIN (a multiply and an add), the AVX2 wrappers FUSED
# (fma(), one instruction there), the AVX-512 ones WIDE (fma() too; and the row maximum's
# vectors are 64 bytes, against AVX2's 32 and the baseline's 16).
ctypedef signed char plain_t
ctypedef unsigned char fused_t
ctypedef short wide_t
ctypedef fused madd_t:
    plain_t
    fused_t
    wide_t
cdef plain_t PLAIN = 0
cdef fused_t FUSED = 0
cdef wide_t WIDE = 0


cdef inline double _madd(double a, double b, double c, madd_t tag) noexcept nogil:
    if madd_t is plain_t:
        return a * b + c
    else:
        return fma(a, b, c)


cdef inline double _expm1_poly_t(double r, madd_t tag) noexcept nogil:
    # primitives' _expm1_poly (Taylor to r^13, |r| <= 0.347), fused where tag says so
    cdef double p = 1.6059043836821613e-10            # 1/13!
    p = _madd(p, r, 2.08767569878681e-09, tag)        # 1/12!
    p = _madd(p, r, 2.505210838544172e-08, tag)       # 1/11!
    p = _madd(p, r, 2.755731922398589e-07, tag)       # 1/10!
    p = _madd(p, r, 2.7557319223985893e-06, tag)      # 1/9!
    p = _madd(p, r, 2.48015873015873e-05, tag)        # 1/8!
    p = _madd(p, r, 0.0001984126984126984, tag)       # 1/7!
    p = _madd(p, r, 0.001388888888888889, tag)        # 1/6!
    p = _madd(p, r, 0.008333333333333333, tag)        # 1/5!
    p = _madd(p, r, 0.041666666666666664, tag)        # 1/4!
    p = _madd(p, r, 0.16666666666666666, tag)         # 1/3!
    p = _madd(p, r, 0.5, tag)
    return _madd(p * r, r, r, tag)


cdef inline double _exp_neg_t(double y, madd_t tag) noexcept nogil:
    # e^y for y <= 0 (BCE's e^-|x|): _exp_row's biased 2^n in one factor, the bias taken
    # off by one product, which rounds a subnormal result once (as _exp's second factor);
    # 0 below -752, NaN gives NaN
    cdef double t, n, r
    cdef bint low = isless(y, ROW_LO)
    y = ROW_LO if low else y
    t = _madd(y, LOG2E, EXP_SHIFT, tag)
    n = t - EXP_SHIFT
    r = _madd(n, -LN2_HI, y, tag)
    r = _madd(n, -LN2_LO, r, tag)
    r = _madd(_expm1_poly_t(r, tag), _pow2(t + 64.0), _pow2(t + 64.0), tag) * BIAS_INV
    return 0.0 if low else r


cdef inline double _log_c_t(double u, double c, madd_t tag) noexcept nogil:
    # primitives' _log_c (kk = 0): log(u) + c for a positive normal finite u, |c| <= 2^-50,
    # its polynomials fused by tag
    cdef uint64_t b = fastact_d2u(u)
    cdef double k = fastact_u2d((b >> 52) | TWO52_BITS) - (TWO52 + 1023.0)
    cdef double m = fastact_u2d((b & MANT_MASK) | EXP_BITS_ONE)   # in [1, 2)
    cdef double f, s, hfsq, zz, w, r
    cdef bint big = isgreater(m, SQRT2)
    m = 0.5 * m if big else m
    k = k + 1.0 if big else k
    f = m - 1.0
    s = f / (2.0 + f)
    zz = s * s
    w = zz * zz
    r = zz * _madd(w, _madd(w, _madd(w, 1.479819860511658591e-01,
                                      1.818357216161805012e-01, tag),
                            2.857142874366239149e-01, tag), 6.666666666666735130e-01, tag)
    r = r + w * _madd(w, _madd(w, 1.531383769920937332e-01, 2.222219843214978396e-01, tag),
                      3.999999999940941908e-01, tag)
    hfsq = 0.5 * f * f
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)


# e^(x - m) * 2^64 for x <= m (the cross-entropy rows): x - m = d + dl exactly (TwoSum),
# dl added to the reduced argument (rounded, d would carry a relative error of the exp as
# large as |d| 2^-53: 12 ULP at d = -26, where a confident prediction's loss is e^d).
# The bias 2^64 keeps every result that can matter normal (e^d 2^64 >= 2^-1021 from
# d = -752 on), so 2^n is one factor: the row's sums carry it (it cancels in p = e / s, and
# the gradient's factor a / s takes its 2^-64, so a subnormal gradient rounds once, in
# that product).  Below -752 the result is 0 (e^d 2^64 < 2^-1021; e^d < 2^-1085, nothing
# a sum or a product with a bounded factor keeps).  NaN gives NaN.
cdef double ROW_LO = -752.0
cdef double BIAS = 18446744073709551616.0             # 2^64
cdef double BIAS_INV = 5.421010862427522e-20          # 2^-64


cdef inline double _exp_row(double x, double m, madd_t tag) noexcept nogil:
    cdef double d = x - m
    cdef double bb = d - x
    cdef double dl = (x - (d - bb)) + (-m - bb)
    cdef double t, n, r
    cdef bint low = isless(d, ROW_LO)
    dl = 0.0 if low else dl                             # d = -inf: dl is NaN
    d = ROW_LO if low else d
    t = _madd(d, LOG2E, EXP_SHIFT, tag)
    n = t - EXP_SHIFT
    r = _madd(n, -LN2_HI, d, tag)
    r = _madd(n, -LN2_LO, r, tag) + dl
    r = _madd(_expm1_poly_t(r, tag), _pow2(t + 64.0), _pow2(t + 64.0), tag)
    return 0.0 if low else r

# The targets and the level (the wrappers) each runs: on aarch64 one, "neon", which runs
# the FUSED wrappers (level 1; their attribute is empty there).  The activations' "sve"
# has no losses of its own: the losses run "neon" under it (losses.py).
TARGETS = ("neon",) if FASTACT_LOSS_ARM else ("baseline", "avx2", "avx512")
_LEVELS = [1] if FASTACT_LOSS_ARM else [0, 1, 2]
cdef int _cpu_level = fastact_loss_cpu()
cdef int _level = _cpu_level


def select(name):
    """Run the kernels of target `name` (one of TARGETS this CPU has); returns it."""
    if name not in TARGETS:
        raise ValueError(f"fastact._losses.select: no target {name!r} (one of {TARGETS})")
    global _level
    if _LEVELS[TARGETS.index(name)] > _cpu_level:
        raise ValueError(f"fastact._losses.select: this CPU cannot run {name!r}")
    _level = _LEVELS[TARGETS.index(name)]
    return name


def target():
    """The name of the target the kernels run."""
    return TARGETS[_LEVELS.index(_level)]


cdef enum:
    LOSS_LANES = 8      # (primitives.pxi's LANES, 16, is the softmax rows')
    LOSS_BLOCK = 512    # BCE: elements summed in lanes before the block joins the total


cdef inline void _clear_flags() noexcept nogil:
    feclearexcept(FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO | FE_UNDERFLOW)


cdef inline double _row_max(const real* x, npy_intp n, madd_t tag) noexcept nogil:
    # the maximum (NaN is skipped; the sum of exps carries it), in the data's type, with
    # the target's vectors
    if real is float:
        if madd_t is wide_t:
            return fastact_loss_max_f64(x, n)
        elif madd_t is fused_t:
            return fastact_loss_max_f32(x, n)
        else:
            return fastact_loss_max_f16(x, n)
    else:
        if madd_t is wide_t:
            return fastact_loss_max_d64(x, n)
        elif madd_t is fused_t:
            return fastact_loss_max_d32(x, n)
        else:
            return fastact_loss_max_d16(x, n)


cdef inline double _row_sum_exp(const real* x, real* e, npy_intp n, double m, bint keep,
                                double* rest, madd_t tag) noexcept nogil:
    # s = sum exp(x - m), each exp times 2^64 (_exp_row) stored in e when keep;
    # rest[0] = s - 1, computed as (the count of entries equal to m, less one) + the sum
    # of the others, so that log s = log1p(rest) keeps its digits when one class takes
    # nearly all the mass (s = 1 + tiny: log(s) of the rounded s would lose them); s itself
    # is the count plus that sum.  "Equal to m" is x - m == 0: an infinite maximum gives
    # inf - inf = NaN, which then reaches the sums (PyTorch's NaN), not the count
    cdef double racc[LOSS_LANES]
    cdef double kacc[LOSS_LANES]
    cdef double blk[LOSS_LANES]
    cdef double xd[LOSS_LANES]
    cdef double r = 0.0, cnt = 0.0, v
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        racc[k] = 0.0
        kacc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):  # widened first: float32 data then vectorizes as double
            xd[k] = x[i + k]
        for k in range(LOSS_LANES):
            v = _exp_row(xd[k], m, tag)
            blk[k] = v
            racc[k] += 0.0 if xd[k] - m == 0.0 else v
            kacc[k] += 1.0 if xd[k] - m == 0.0 else 0.0
        if keep:                     # a store of its own: a conditional one would not vectorize
            for k in range(LOSS_LANES):
                e[i + k] = <real>blk[k]
    for i in range(nb, n):
        v = _exp_row(x[i], m, tag)
        if keep:
            e[i] = <real>v
        r += 0.0 if x[i] - m == 0.0 else v
        cnt += 1.0 if x[i] - m == 0.0 else 0.0
    for k in range(LOSS_LANES):
        r += racc[k]
        cnt += kacc[k]
    r = r * BIAS_INV
    rest[0] = (cnt - 1.0) + r
    return cnt + r


cdef inline double _row_weighted_nll(const real* x, const double* q, npy_intp n, double m,
                                     double ls) noexcept nogil:
    # sum_c q_c (log s - (x_c - m)): the loss of target weights q (each term >= 0)
    cdef double acc[LOSS_LANES]
    cdef double r = 0.0
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        for k in range(LOSS_LANES):
            acc[k] += q[i + k] * (ls - (x[i + k] - m))
    for i in range(nb, n):
        r += q[i] * (ls - (x[i] - m))
    for k in range(LOSS_LANES):
        r += acc[k]
    return r


cdef inline void _ce_index_rows(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                                const double* weight, double wtotal, int64_t ignore_index,
                                double eps, double scale, double* loss, real* grad,
                                bint want_grad, madd_t tag) noexcept nogil:
    # ce_index's rows (want_grad a constant where it is inlined: each case its own loops)
    cdef npy_intp r, c
    cdef int64_t t
    cdef double m, s, ls, wt, a, lossr, sc, rest, pt, pm1, ec = eps / C
    cdef const real* row
    cdef real* g = NULL
    for r in range(R):
        t = target[r]
        row = x + r * C
        if want_grad:
            g = grad + r * C
        if t == ignore_index:
            loss[r] = 0.0
            if want_grad:
                for c in range(C):
                    g[c] = 0
            continue
        m = _row_max(row, C, tag)
        s = _row_sum_exp(row, g, C, m, want_grad, &rest, tag)
        ls = _log1p(rest)
        wt = weight[t]
        lossr = (1.0 - eps) * wt * (ls - (row[t] - m))
        if eps != 0.0:
            lossr = lossr + ec * _row_weighted_nll(row, weight, C, m, ls)
        loss[r] = lossr
        if want_grad:
            # the row holds e_c 2^64: p_c = e_c 2^64 (2^-64 / s)
            a = ((1.0 - eps) * wt + ec * wtotal) * ((scale / s) * BIAS_INV)
            sc = ec * scale
            pt = (g[t] / s) * BIAS_INV
            # p_t - 1 = -(s - e_t) / s, and where x_t is the maximum s - e_t is rest:
            # p_t near 1 would cancel in pt - 1
            pm1 = -rest / s if row[t] - m == 0.0 else pt - 1.0
            if eps != 0.0:
                for c in range(C):
                    g[c] = <real>(g[c] * a - sc * weight[c])
            else:
                for c in range(C):
                    g[c] = <real>(g[c] * a)
            g[t] = <real>(((1.0 - eps) * wt * scale) * pm1 + sc * (wtotal * pt - wt))


cdef inline void _ce_index_any(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                               const double* weight, double wtotal, int64_t ignore_index,
                               double eps, double scale, double* loss, real* grad,
                               bint want_grad, madd_t tag) noexcept nogil:
    if want_grad:
        _ce_index_rows(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss,
                       grad, True, tag)
    else:
        _ce_index_rows(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss,
                       grad, False, tag)


cdef void_avx2 _ce_index_avx2(const real* x, npy_intp R, npy_intp C, const int64_t* target,
                              const double* weight, double wtotal, int64_t ignore_index,
                              double eps, double scale, double* loss, real* grad,
                              bint want_grad) noexcept nogil:
    _ce_index_any(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss, grad,
                  want_grad, FUSED)


cdef void_avx512 _ce_index_avx512(const real* x, npy_intp R, npy_intp C,
                                  const int64_t* target, const double* weight, double wtotal,
                                  int64_t ignore_index, double eps, double scale,
                                  double* loss, real* grad, bint want_grad) noexcept nogil:
    _ce_index_any(x, R, C, target, weight, wtotal, ignore_index, eps, scale, loss, grad,
                  want_grad, WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_index(const real[:, ::1] x, const int64_t[::1] target, const double[::1] weight,
             double wtotal, int64_t ignore_index, double eps, double scale,
             double[::1] loss, real[:, ::1] grad, bint want_grad):
    """Cross-entropy with class indices, per row r of x (R, C):
    loss[r] = (1 - eps) w_t nll_t + (eps / C) sum_c w_c nll_c, nll_c = log s - (x_c - m),
    and, when want_grad, grad[r] = scale * (a p - (1 - eps) w_t onehot_t - (eps / C) w),
    a = (1 - eps) w_t + (eps / C) wtotal.  Rows whose target is ignore_index give 0."""
    cdef npy_intp R = x.shape[0], C = x.shape[1]
    if R == 0 or C == 0:
        return
    cdef real* g = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _ce_index_avx512(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                             eps, scale, &loss[0], g, want_grad)
        elif _level == 1:
            _ce_index_avx2(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                           eps, scale, &loss[0], g, want_grad)
        else:
            _ce_index_any(&x[0, 0], R, C, &target[0], &weight[0], wtotal, ignore_index,
                          eps, scale, &loss[0], g, want_grad, PLAIN)
        _clear_flags()


cdef inline void _ce_prob_rows(const real* x, npy_intp R, npy_intp C, const real* target,
                               const double* weight, double eps, double scale, double* loss,
                               real* grad, bint want_grad, double* q,
                               madd_t tag) noexcept nogil:
    cdef npy_intp r, c
    cdef double m, s, ls, Q, a, rest, ec = eps / C
    cdef const real* row
    cdef const real* tr
    cdef real* g = NULL
    for r in range(R):
        row = x + r * C
        tr = target + r * C
        if want_grad:
            g = grad + r * C
        Q = 0.0
        for c in range(C):
            q[c] = weight[c] * ((1.0 - eps) * tr[c] + ec)
            Q += q[c]
        m = _row_max(row, C, tag)
        s = _row_sum_exp(row, g, C, m, want_grad, &rest, tag)
        ls = _log1p(rest)
        loss[r] = _row_weighted_nll(row, q, C, m, ls)
        if want_grad:
            a = Q * ((scale / s) * BIAS_INV)     # the row holds e_c 2^64
            for c in range(C):
                g[c] = <real>(g[c] * a - scale * q[c])


cdef inline void _ce_prob_any(const real* x, npy_intp R, npy_intp C, const real* target,
                              const double* weight, double eps, double scale, double* loss,
                              real* grad, bint want_grad, double* q,
                              madd_t tag) noexcept nogil:
    if want_grad:
        _ce_prob_rows(x, R, C, target, weight, eps, scale, loss, grad, True, q, tag)
    else:
        _ce_prob_rows(x, R, C, target, weight, eps, scale, loss, grad, False, q, tag)


cdef void_avx2 _ce_prob_avx2(const real* x, npy_intp R, npy_intp C, const real* target,
                             const double* weight, double eps, double scale, double* loss,
                             real* grad, bint want_grad, double* q) noexcept nogil:
    _ce_prob_any(x, R, C, target, weight, eps, scale, loss, grad, want_grad, q, FUSED)


cdef void_avx512 _ce_prob_avx512(const real* x, npy_intp R, npy_intp C, const real* target,
                                 const double* weight, double eps, double scale,
                                 double* loss, real* grad, bint want_grad,
                                 double* q) noexcept nogil:
    _ce_prob_any(x, R, C, target, weight, eps, scale, loss, grad, want_grad, q, WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def ce_prob(const real[:, ::1] x, const real[:, ::1] target, const double[::1] weight,
            double eps, double scale, double[::1] loss, real[:, ::1] grad, bint want_grad,
            double[::1] q):
    """Cross-entropy with class probabilities, per row r of x (R, C): with
    q_c = w_c ((1 - eps) t_c + eps / C) and Q = sum q, loss[r] = sum_c q_c nll_c and,
    when want_grad, grad[r] = scale * (Q p - q).  q is a scratch row of C doubles."""
    cdef npy_intp R = x.shape[0], C = x.shape[1]
    if R == 0 or C == 0:
        return
    cdef real* g = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _ce_prob_avx512(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                            &loss[0], g, want_grad, &q[0])
        elif _level == 1:
            _ce_prob_avx2(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                          &loss[0], g, want_grad, &q[0])
        else:
            _ce_prob_any(&x[0, 0], R, C, &target[0, 0], &weight[0], eps, scale,
                         &loss[0], g, want_grad, &q[0], PLAIN)
        _clear_flags()


cdef inline double _bce_one(double x, double t, double w, double pw, double scale,
                            double* g, madd_t tag) noexcept nogil:
    # one element's loss w (t pw softplus(-x) + (1 - t) softplus(x)); g[0] = its gradient
    # times scale.  A term whose factor is 0 is 0 (so x = +-inf gives the limits, not
    # 0 * inf); NaN in x, t, w or pw reaches both results.
    cdef double z = _exp_neg_t(-fabs(x), tag)
    cdef double u = 1.0 + z
    cdef double inv = 1.0 / u
    # log1p(z) as primitives' _log1p (z in [0, 1]: u in [1, 2], finite), its correction
    # for the rounding of u taken with the inverse that sigmoid needs anyway (c is below
    # 2^-53 u: its own rounding is far below the result's), one division fewer
    cdef double l1p = _log_c_t(u, (z - (u - 1.0)) * inv, tag)
    cdef double sp_pos = (x if isgreater(x, 0.0) else 0.0) + l1p      # softplus(x)
    cdef double sp_neg = (0.0 if isgreaterequal(x, 0.0) else -x) + l1p  # softplus(-x)
    cdef double sig_pos = inv if isgreaterequal(x, 0.0) else z * inv   # sigmoid(x)
    cdef double sig_neg = z * inv if isgreaterequal(x, 0.0) else inv   # sigmoid(-x)
    cdef double a = 1.0 - t, b = pw * t
    cdef double la = 0.0 if a == 0.0 else a * sp_pos
    cdef double lb = 0.0 if b == 0.0 else b * sp_neg
    sp_pos = x if x != x else sig_pos                  # NaN x: NaN gradient
    g[0] = (w * scale) * (a * sp_pos - b * sig_neg)
    return w * (la + lb)


cdef inline void _add_compensated(double* total, double v) noexcept nogil:
    # total[0] + total[1] += v (Neumaier's summation: total[1] keeps what each addition
    # rounded off), so that the sum of many blocks carries no error growing with their
    # number (a running sum's does: 52 ULP over 1e6 elements)
    # (an infinite or NaN sum is left to carry itself: its correction would be NaN)
    cdef double s = total[0] + v
    cdef double c = (total[0] - s) + v if isgreaterequal(fabs(total[0]), fabs(v)) \
        else (v - s) + total[0]
    total[1] += c if isless(fabs(s), INFINITY) else 0.0
    total[0] = s


cdef inline void _bce_span(const real* x, const real* t, const double* w,
                           const double* pw, bint per_element, npy_intp n, double scale,
                           real* loss, real* grad, bint want_loss, bint want_grad,
                           double* total, madd_t tag) noexcept nogil:
    # n elements; w and pw per element (per_element) or one value each; writes the loss
    # when want_loss and the gradient when want_grad (constants where this is inlined:
    # what is not asked for is not computed); adds the loss's sum to the compensated
    # total[0] + total[1], one block of LOSS_BLOCK elements (summed in lanes) at a time.
    # Blocks of LOSS_LANES are computed into local arrays, then stored: conditional
    # stores inside the arithmetic would keep it from vectorizing.
    cdef double acc[LOSS_LANES]
    cdef double vl[LOSS_LANES]
    cdef double gl[LOSS_LANES]
    cdef double xd[LOSS_LANES]
    cdef double td[LOSS_LANES]
    cdef double part = 0.0, v, gv
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        if i % LOSS_BLOCK == 0 and i > 0:
            for k in range(LOSS_LANES):
                part += acc[k]
                acc[k] = 0.0
            _add_compensated(total, part)
            part = 0.0
        for k in range(LOSS_LANES):  # widened first: float32 data then vectorizes as double
            xd[k] = x[i + k]
            td[k] = t[i + k]
        if per_element:
            for k in range(LOSS_LANES):
                vl[k] = _bce_one(xd[k], td[k], w[i + k], pw[i + k], scale, &gl[k], tag)
        else:
            for k in range(LOSS_LANES):
                vl[k] = _bce_one(xd[k], td[k], w[0], pw[0], scale, &gl[k], tag)
        for k in range(LOSS_LANES):
            acc[k] += vl[k]
        if want_loss:
            for k in range(LOSS_LANES):
                loss[i + k] = <real>vl[k]
        if want_grad:
            for k in range(LOSS_LANES):
                grad[i + k] = <real>gl[k]
    for i in range(nb, n):
        v = _bce_one(x[i], t[i], w[i] if per_element else w[0],
                     pw[i] if per_element else pw[0], scale, &gv, tag)
        if want_loss:
            loss[i] = <real>v
        if want_grad:
            grad[i] = <real>gv
        part += v
    for k in range(LOSS_LANES):
        part += acc[k]
    _add_compensated(total, part)


cdef inline void _bce_rows(const real* x, const real* t, const double* w, const double* pw,
                           npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                           bint per_element, bint want_loss, bint want_grad,
                           double* total, madd_t tag) noexcept nogil:
    cdef npy_intp i
    for i in range(B):
        _bce_span(x + i * K, t + i * K, w, pw, per_element, K, scale,
                  loss + i * K if want_loss else NULL, grad + i * K if want_grad else NULL,
                  want_loss, want_grad, total, tag)


cdef inline void _bce_any(const real* x, const real* t, const double* w, const double* pw,
                          npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                          bint per_element, bint want_loss, bint want_grad,
                          double* total, madd_t tag) noexcept nogil:
    # each combination of the flags its own loops (forward alone computes no gradient)
    if per_element:
        if want_grad:
            if want_loss:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, True, True, total, tag)
            else:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, False, True, total, tag)
        elif want_loss:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, True, False, total, tag)
        else:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, True, False, False, total, tag)
    else:
        if want_grad:
            if want_loss:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, True, True, total, tag)
            else:
                _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, False, True, total, tag)
        elif want_loss:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, True, False, total, tag)
        else:
            _bce_rows(x, t, w, pw, B, K, scale, loss, grad, False, False, False, total, tag)


cdef void_avx2 _bce_avx2(const real* x, const real* t, const double* w, const double* pw,
                         npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                         bint per_element, bint want_loss, bint want_grad,
                         double* total) noexcept nogil:
    _bce_any(x, t, w, pw, B, K, scale, loss, grad, per_element, want_loss, want_grad, total,
             FUSED)


cdef void_avx512 _bce_avx512(const real* x, const real* t, const double* w, const double* pw,
                             npy_intp B, npy_intp K, double scale, real* loss, real* grad,
                             bint per_element, bint want_loss, bint want_grad,
                             double* total) noexcept nogil:
    _bce_any(x, t, w, pw, B, K, scale, loss, grad, per_element, want_loss, want_grad, total,
             WIDE)


@cython.boundscheck(False)
@cython.wraparound(False)
def bce(const real[:, ::1] x, const real[:, ::1] t, const double[::1] w,
        const double[::1] pw, double scale, real[:, ::1] loss, bint want_loss,
        real[:, ::1] grad, bint want_grad):
    """Binary cross-entropy with logits over x viewed as (B, K): w and pw hold K values
    (repeated along the leading axis) or one each.  Writes the elementwise loss when
    want_loss and the gradient times scale when want_grad; returns the loss's sum."""
    cdef npy_intp B = x.shape[0], K = x.shape[1]
    cdef bint per_element = w.shape[0] != 1
    cdef double total[2]
    total[0] = 0.0
    total[1] = 0.0
    if B == 0 or K == 0:
        return 0.0
    cdef real* lp = &loss[0, 0] if want_loss else NULL
    cdef real* gp = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _bce_avx512(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                        per_element, want_loss, want_grad, total)
        elif _level == 1:
            _bce_avx2(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                      per_element, want_loss, want_grad, total)
        else:
            _bce_any(&x[0, 0], &t[0, 0], &w[0], &pw[0], B, K, scale, lp, gp,
                     per_element, want_loss, want_grad, total, PLAIN)
        _clear_flags()
    return total[0] + total[1]


# ---- the pointwise losses: mse, huber, smooth_l1, binary cross-entropy on probabilities --
# One element's loss and its gradient (times scale, into g[0]) from (input, target); kind
# is a constant where _pw_span is inlined (each kind its own loop).  PyTorch's formulas,
# in its order of operations (but smooth_l1's square, below), so that NaN and inf come out
# where its do:
#   MSE_KIND:       d^2, 2 d;
#   HUBER_KIND:     |d| < delta ? d^2 / 2 : delta (|d| - delta / 2), clamp(d, -delta, delta);
#   SMOOTH_L1_KIND: |d| < beta ? (|d| / 2) (|d| / beta) : |d| - beta / 2,
#                   clamp(d / beta, -1, 1)
#                   (beta = 0: |d| and sign(d), the L1 loss);
#   BCE_KIND:       w ((t - 1) max(log1p(-x), -100) - t max(log x, -100)),
#                   w (x - t) / max((1 - x) x, BCE_EPS)  (x and t in [0, 1], checked by
#                   the caller).
# BCE_EPS is PyTorch's EPSILON, 1e-12 as a float: 9.999999960041972e-13 (its gradient at
# x = 1, t = 0 is 1000000003995.8029 in float64).
cdef double BCE_EPS = 9.999999960041972e-13

# huber's and smooth_l1's selects in C: Cython writes a conditional expression as if/else
# statements, which kept GCC from vectorizing the loop (4 ns an element against MSE's
# 0.4); as C ternaries they become vector blends.  A NaN d fails every compare and gives
# NaN (d itself, or d / beta), as PyTorch's; beta = 0 takes sign(d) (0 at 0, NaN at NaN).
cdef extern from * nogil:
    """
    static inline __attribute__((always_inline)) double
    fastact_huber(double d, double p, double s, double* g) {
        /* no selects but a min (GCC kept huber's as branches, 4 ns an element): with
           m = min(p, |d|) ("p < z ? p : z", the min instruction: a NaN z gives z), the
           gradient clamp(d, -p, p) is copysign(m, d) and the loss m (|d| - m / 2), which
           is d^2 / 2 below p (z - z / 2 = z / 2 exactly: one rounding, PyTorch's bits)
           and p (|d| - p / 2) above it */
        double z = fabs(d);
        double m = p < z ? p : z;
        *g = copysign(m, d) * s;
        return m * (z - 0.5 * m);
    }
    static inline __attribute__((always_inline)) double
    fastact_smooth_l1(double d, double p, double s, double* g) {
        double z = fabs(d);
        double sgn = d > 0.0 ? 1.0 : (d < 0.0 ? -1.0 : d);
        double q = z / p;                       /* p = 0: inf or NaN, not taken */
        *g = (p == 0.0 ? sgn : (d <= -p ? -1.0 : (d >= p ? 1.0 : d / p))) * s;
        return p == 0.0 ? z : (z < p ? (0.5 * z) * q : z - 0.5 * p);
    }
    """
    double fastact_huber(double d, double p, double s, double* g)
    double fastact_smooth_l1(double d, double p, double s, double* g)

cdef enum:
    MSE_KIND = 0
    HUBER_KIND = 1
    SMOOTH_L1_KIND = 2
    BCE_KIND = 3


cdef inline double _pw_one(int kind, double x, double t, double w, double p, double scale,
                           double* g) noexcept nogil:
    cdef double d, z, lx, l1x
    if kind == BCE_KIND:
        lx = log(x)
        l1x = log1p(-x)
        lx = -100.0 if isless(lx, -100.0) else lx        # PyTorch's clamp of each log
        l1x = -100.0 if isless(l1x, -100.0) else l1x
        z = (1.0 - x) * x
        g[0] = ((scale * (x - t)) / (BCE_EPS if isless(z, BCE_EPS) else z)) * w
        return ((t - 1.0) * l1x - t * lx) * w
    d = x - t
    if kind == MSE_KIND:
        g[0] = 2.0 * d * scale
        return d * d
    if kind == HUBER_KIND:
        return fastact_huber(d, p, scale, g)
    # smooth_l1: (z / 2) (z / beta), not PyTorch's z^2 / 2 / beta: z^2 overflows where the
    # loss, below beta / 2, does not (beta beyond 1e154); as accurate (three roundings)
    return fastact_smooth_l1(d, p, scale, g)


cdef inline void _pw_span(int kind, const real* x, const real* t, const double* w,
                          bint per_element, npy_intp n, double p, double scale, real* loss,
                          real* grad, bint want_loss, bint want_grad,
                          double* total) noexcept nogil:
    # _bce_span's loop for the pointwise kinds: blocks of LOSS_LANES computed into local
    # arrays, then stored; the loss's sum in lanes, per LOSS_BLOCK into the compensated
    # total[0] + total[1]
    cdef double acc[LOSS_LANES]
    cdef double vl[LOSS_LANES]
    cdef double gl[LOSS_LANES]
    cdef double part = 0.0, v, gv
    cdef npy_intp i, nb = n - n % LOSS_LANES
    cdef int k
    for k in range(LOSS_LANES):
        acc[k] = 0.0
    for i in range(0, nb, 8):        # LOSS_LANES
        if i % LOSS_BLOCK == 0 and i > 0:
            for k in range(LOSS_LANES):
                part += acc[k]
                acc[k] = 0.0
            _add_compensated(total, part)
            part = 0.0
        if per_element:
            for k in range(LOSS_LANES):
                vl[k] = _pw_one(kind, x[i + k], t[i + k], w[i + k], p, scale, &gl[k])
        else:
            for k in range(LOSS_LANES):
                vl[k] = _pw_one(kind, x[i + k], t[i + k], w[0], p, scale, &gl[k])
        for k in range(LOSS_LANES):
            acc[k] += vl[k]
        if want_loss:
            for k in range(LOSS_LANES):
                loss[i + k] = <real>vl[k]
        if want_grad:
            for k in range(LOSS_LANES):
                grad[i + k] = <real>gl[k]
    for i in range(nb, n):
        v = _pw_one(kind, x[i], t[i], w[i] if per_element else w[0], p, scale, &gv)
        if want_loss:
            loss[i] = <real>v
        if want_grad:
            grad[i] = <real>gv
        part += v
    for k in range(LOSS_LANES):
        part += acc[k]
    _add_compensated(total, part)


cdef inline void _pw_kind(int kind, const real* x, const real* t, const double* w,
                          npy_intp B, npy_intp K, double p, double scale, real* loss,
                          real* grad, bint per_element, bint want_loss, bint want_grad,
                          double* total) noexcept nogil:
    cdef npy_intp i
    for i in range(B):
        _pw_span(kind, x + i * K, t + i * K, w, per_element, K, p, scale,
                 loss + i * K if want_loss else NULL, grad + i * K if want_grad else NULL,
                 want_loss, want_grad, total)


cdef inline void _pw_any(int kind, const real* x, const real* t, const double* w,
                         npy_intp B, npy_intp K, double p, double scale, real* loss,
                         real* grad, bint per_element, bint want_loss, bint want_grad,
                         double* total) noexcept nogil:
    # each kind its own loops (a constant kind in each call)
    if kind == MSE_KIND:
        _pw_kind(MSE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)
    elif kind == HUBER_KIND:
        _pw_kind(HUBER_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)
    elif kind == SMOOTH_L1_KIND:
        _pw_kind(SMOOTH_L1_KIND, x, t, w, B, K, p, scale, loss, grad, per_element,
                 want_loss, want_grad, total)
    else:
        _pw_kind(BCE_KIND, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss,
                 want_grad, total)


cdef void_avx2 _pw_avx2(int kind, const real* x, const real* t, const double* w,
                        npy_intp B, npy_intp K, double p, double scale, real* loss,
                        real* grad, bint per_element, bint want_loss, bint want_grad,
                        double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total)


cdef void_avx512 _pw_avx512(int kind, const real* x, const real* t, const double* w,
                            npy_intp B, npy_intp K, double p, double scale, real* loss,
                            real* grad, bint per_element, bint want_loss, bint want_grad,
                            double* total) noexcept nogil:
    _pw_any(kind, x, t, w, B, K, p, scale, loss, grad, per_element, want_loss, want_grad,
            total)


POINTWISE = {"mse_loss": MSE_KIND, "huber_loss": HUBER_KIND,
             "smooth_l1_loss": SMOOTH_L1_KIND, "binary_cross_entropy": BCE_KIND}


@cython.boundscheck(False)
@cython.wraparound(False)
def pointwise(int kind, const real[:, ::1] x, const real[:, ::1] t, const double[::1] w,
              double p, double scale, real[:, ::1] loss, bint want_loss, real[:, ::1] grad,
              bint want_grad):
    """The pointwise loss `kind` (POINTWISE's values; p is huber's delta or smooth_l1's
    beta) over x viewed as (B, K): w holds K weights (repeated along the leading axis) or
    one.  Writes the elementwise loss when want_loss and the gradient times scale when
    want_grad; returns the loss's sum."""
    cdef npy_intp B = x.shape[0], K = x.shape[1]
    cdef bint per_element = w.shape[0] != 1
    cdef double total[2]
    total[0] = 0.0
    total[1] = 0.0
    if B == 0 or K == 0:
        return 0.0
    cdef real* lp = &loss[0, 0] if want_loss else NULL
    cdef real* gp = &grad[0, 0] if want_grad else NULL
    with nogil:
        if _level == 2:
            _pw_avx512(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                       per_element, want_loss, want_grad, total)
        elif _level == 1:
            _pw_avx2(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                     per_element, want_loss, want_grad, total)
        else:
            _pw_any(kind, &x[0, 0], &t[0, 0], &w[0], B, K, p, scale, lp, gp,
                    per_element, want_loss, want_grad, total)
        _clear_flags()
    return total[0] + total[1]

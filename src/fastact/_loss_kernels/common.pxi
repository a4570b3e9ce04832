# The losses' shared part: the primitives, the madd tags, the row exp, target selection,
# flags.  Included by _losses.pyx (see its docstring).

include "../_kernels/primitives.pxi"

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


# float32 rows: the maximum (as fastact_loss_max_*, in the same loop), and whether every x - m of the row is exact in double and at
# least -752 (then the row's exps need neither TwoSum nor the clamp: _exp_row_exact).  With
# A the largest |x| and u the smallest nonzero one, every x is a multiple of
# 2^(floor(log2 u) - 23) (float32's 24 bits; subnormals of 2^-149) and |x - m| <= 2A: it
# has at most 53 significant bits when A <= 2^27 u; and x - m >= -752 when A <= 376.  A and
# u come from the bits (|x|'s bits order as |x|; u from the unsigned minimum of bits - 1,
# where 0 wraps to the largest); a NaN's bits exceed every finite value's: not ok.
cdef extern from * nogil:
    """
    #if defined(__GNUC__)
    typedef unsigned int fastact_v16u __attribute__((vector_size(64)));
    typedef unsigned int fastact_v8u __attribute__((vector_size(32)));
    typedef unsigned int fastact_v4u __attribute__((vector_size(16)));
    #define FASTACT_LOSS_RANGE(NAME, V, VI, VU, W)                                     \
    static inline __attribute__((always_inline)) double NAME(const float* x, npy_intp n, \
                                                             int* ok) {               \
        V a, b, v, w;                                                                  \
        VI c;                                                                          \
        VU p, q, big, small, big2, small2, d;                                          \
        float m = -INFINITY, lane[W], fa, fu;                                          \
        unsigned int hi = 0, lo = 0xffffffffu, lane_hi[W], lane_lo[W], u;              \
        npy_intp i, nb = n - n % (2 * W);                                              \
        int k;                                                                         \
        for (k = 0; k < W; k++) {                                                      \
            a[k] = b[k] = -INFINITY;                                                   \
            big[k] = big2[k] = 0; small[k] = small2[k] = 0xffffffffu;                  \
        }                                                                              \
        for (i = 0; i < nb; i += 2 * W) {                                              \
            memcpy(&v, x + i, sizeof v);                                               \
            memcpy(&w, x + i + W, sizeof w);                                           \
            c = v > a; a = (V)(((VI)v & c) | ((VI)a & ~c));                            \
            c = w > b; b = (V)(((VI)w & c) | ((VI)b & ~c));                            \
            p = (VU)v & 0x7fffffffu; q = (VU)w & 0x7fffffffu;                          \
            d = (VU)(p > big); big = (p & d) | (big & ~d);                             \
            d = (VU)(q > big2); big2 = (q & d) | (big2 & ~d);                          \
            p -= 1u; q -= 1u;                                                          \
            d = (VU)(p < small); small = (p & d) | (small & ~d);                       \
            d = (VU)(q < small2); small2 = (q & d) | (small2 & ~d);                    \
        }                                                                              \
        c = b > a; a = (V)(((VI)b & c) | ((VI)a & ~c));                                \
        memcpy(lane, &a, sizeof a);                                                    \
        memcpy(lane_hi, &big, sizeof big);                                             \
        memcpy(lane_lo, &small, sizeof small);                                         \
        for (k = 0; k < W; k++) {                                                      \
            m = isgreater(lane[k], m) ? lane[k] : m;                                   \
            hi = lane_hi[k] > hi ? lane_hi[k] : hi;                                    \
            lo = lane_lo[k] < lo ? lane_lo[k] : lo;                                    \
        }                                                                              \
        memcpy(lane_hi, &big2, sizeof big);                                            \
        memcpy(lane_lo, &small2, sizeof small);                                        \
        for (k = 0; k < W; k++) {                                                      \
            hi = lane_hi[k] > hi ? lane_hi[k] : hi;                                    \
            lo = lane_lo[k] < lo ? lane_lo[k] : lo;                                    \
        }                                                                              \
        for (i = nb; i < n; i++) {                                                     \
            m = isgreater(x[i], m) ? x[i] : m;                                         \
            memcpy(&u, x + i, sizeof u);                                               \
            u &= 0x7fffffffu;                                                          \
            hi = u > hi ? u : hi;                                                      \
            lo = u - 1u < lo ? u - 1u : lo;                                            \
        }                                                                              \
        if (hi > 0x43bc0000u) *ok = 0;               /* A > 376, inf or NaN */         \
        else if (lo == 0xffffffffu) *ok = 1;         /* every x is 0 */                \
        else {                                                                         \
            lo += 1u;                                                                  \
            memcpy(&fa, &hi, sizeof fa);                                               \
            memcpy(&fu, &lo, sizeof fu);                                               \
            *ok = (double)fa <= (double)fu * 134217728.0;   /* A <= 2^27 u */          \
        }                                                                              \
        return m;                                                                      \
    }
    FASTACT_LOSS_RANGE(fastact_loss_maxr_f64, fastact_v16f, fastact_v16i, fastact_v16u, 16)
    FASTACT_LOSS_RANGE(fastact_loss_maxr_f32, fastact_v8f, fastact_v8i, fastact_v8u, 8)
    FASTACT_LOSS_RANGE(fastact_loss_maxr_f16, fastact_v4f, fastact_v4i, fastact_v4u, 4)
    #else  /* no vector extensions: the TwoSum path for every row */
    static double fastact_loss_maxr_f64(const float* x, npy_intp n, int* ok)
        { *ok = 0; return fastact_loss_max_f64(x, n); }
    static double fastact_loss_maxr_f32(const float* x, npy_intp n, int* ok)
        { *ok = 0; return fastact_loss_max_f32(x, n); }
    static double fastact_loss_maxr_f16(const float* x, npy_intp n, int* ok)
        { *ok = 0; return fastact_loss_max_f16(x, n); }
    #endif
    """
    double fastact_loss_maxr_f64(const float* x, npy_intp n, int* ok)
    double fastact_loss_maxr_f32(const float* x, npy_intp n, int* ok)
    double fastact_loss_maxr_f16(const float* x, npy_intp n, int* ok)


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
    # primitives' _expm1_poly (Taylor to r^13, |r| <= 0.347), fused where tag says so, as
    # r + r^2 q(r) with q (degree 11) by Estrin's scheme: pairs, then r^2, r^4, r^8 (four
    # multiply-adds deep, against Horner's twelve; the loops' latency, not their
    # instruction count, set their speed: an element's chain was longer than the
    # out-of-order window hides).  Each term of q is below 2^-53 q's relative to 1/2
    # except the first few, so the grouping changes the rounding only at q's last bit,
    # which the factor r^2 <= 0.121 takes below the result's.
    cdef double r2 = r * r
    cdef double r4 = r2 * r2
    cdef double a0 = _madd(0.16666666666666666, r, 0.5, tag)                     # 1/3!, 1/2
    cdef double a1 = _madd(0.008333333333333333, r, 0.041666666666666664, tag)   # 1/5!, 1/4!
    cdef double a2 = _madd(0.0001984126984126984, r, 0.001388888888888889, tag)  # 1/7!, 1/6!
    cdef double a3 = _madd(2.7557319223985893e-06, r, 2.48015873015873e-05, tag)  # 1/9!, 1/8!
    cdef double a4 = _madd(2.505210838544172e-08, r, 2.755731922398589e-07, tag)  # 1/11!, 1/10!
    cdef double a5 = _madd(1.6059043836821613e-10, r, 2.08767569878681e-09, tag)  # 1/13!, 1/12!
    a0 = _madd(a1, r2, a0, tag)
    a2 = _madd(a3, r2, a2, tag)
    a4 = _madd(a5, r2, a4, tag)
    a0 = _madd(_madd(a4, r4, a2, tag), r4, a0, tag)
    return _madd(r2, a0, r, tag)


cdef inline double _expm1_poly10_t(double r, madd_t tag) noexcept nogil:
    # e^r - 1 for |r| <= 0.347 to degree 10, for float32 results only: r + r^2 q(r), q of
    # degree 8 the near-minimax fit of (expm1(r) - r) / r^2 for the relative error of e^r
    # on [-ln2/2, ln2/2] (Lawson-weighted least squares at 200 Chebyshev nodes, mpmath at 50
    # digits; the coefficients below, rounded to double): at most 2.9e-16 = 2^-51.6
    # relative on a 2001-point grid, where the Taylor series to r^13 (_expm1_poly_t) has
    # 2^-58.  A float32 result rounded from a double within 2^-50 of the true value is off
    # by at most 0.5 + 2^-26 ULP (the accuracy tool counts 0.5 + 2^-30 C + 1e-6); three
    # multiply-adds fewer than _expm1_poly_t.  Estrin's scheme, as _expm1_poly_t.
    cdef double r2 = r * r
    cdef double r4 = r2 * r2
    cdef double a0 = _madd(0.1666666666661155, r, 0.49999999999998324, tag)
    cdef double a1 = _madd(0.00833333337087277, r, 0.041666666668136655, tag)
    cdef double a2 = _madd(0.00019841185232897244, r, 0.0013888888516193907, tag)
    cdef double a3 = _madd(2.7634992084138196e-06, r, 2.4801931743300622e-05, tag)
    a0 = _madd(a1, r2, a0, tag)
    a2 = _madd(a3, r2, a2, tag)
    a0 = _madd(_madd(2.7476790321871654e-07, r4, a2, tag), r4, a0, tag)
    return _madd(r2, a0, r, tag)


cdef inline double _pow2_64(double t) noexcept nogil:
    # _pow2(t + 64.0): 2^(n + 64) for t = n + EXP_SHIFT, the 64 added to the integer in
    # t's low bits (one instruction fewer than the double addition; the same bits)
    return fastact_u2d((fastact_d2u(t) + (1023 + 64)) << 52)


cdef inline double _exp_neg_t(double y, bint f32, madd_t tag) noexcept nogil:
    # e^y for y <= 0 (BCE's e^-|x|): _exp_row's biased 2^n in one factor, the bias taken
    # off by one product, which rounds a subnormal result once (as _exp's second factor);
    # y is clamped at -752, where that product is 2^-1085 (1 + expm1(0.07)) < 2^-1075: it
    # rounds to 0, the value for every y below (no select needed); NaN gives NaN.  f32 (a
    # constant where this is inlined): for a float32 result, _expm1_poly10_t
    cdef double t, n, r, p
    y = ROW_LO if isless(y, ROW_LO) else y
    t = _madd(y, LOG2E, EXP_SHIFT, tag)
    n = t - EXP_SHIFT
    r = _madd(n, -LN2_HI, y, tag)
    r = _madd(n, -LN2_LO, r, tag)
    p = _pow2_64(t)
    r = _expm1_poly10_t(r, tag) if f32 else _expm1_poly_t(r, tag)
    return _madd(r, p, p, tag) * BIAS_INV


cdef inline double _log1p_z(double z, madd_t tag) noexcept nogil:
    # log1p(z) for z in [0, 1] (BCE's e^-|x|; NaN gives NaN): primitives' _log_c (kk = 0),
    # its polynomials fused by tag, with one division.  u = 1 + z; below sqrt2 (k = 0) f
    # is z itself, exact (fdlibm's log1p for z < sqrt2 - 1): no correction.  Above, k = 1,
    # f = u/2 - 1 (exact) and the correction c = (z - (u - 1)) / u for the rounding of u,
    # |z - (u - 1)| <= 2^-53, takes 1/u in [1/2, 1/sqrt2] as its linear minimax
    # 1.19816 - 0.35355 u (relative error 1.8%): c is then off by less than 2^-59.3, which
    # is 2^-57.8 of the result (>= log(sqrt2)), where an exact 1/u cost a division.
    cdef double u = 1.0 + z
    cdef bint big = isgreater(u, SQRT2)
    cdef double f = 0.5 * u - 1.0 if big else z
    cdef double c = (z - (u - 1.0)) * _madd(-0.35355, u, 1.19816, tag) if big else 0.0
    cdef double k = 1.0 if big else 0.0
    cdef double s, hfsq, zz, w, r
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
    r = _madd(_expm1_poly_t(r, tag), _pow2_64(t), _pow2_64(t), tag)
    return 0.0 if low else r


cdef inline double _exp_row_exact(double x, double m, madd_t tag) noexcept nogil:
    # _exp_row where x - m is exact and at least ROW_LO (fastact_loss_maxr_*'s rows,
    # float32 only): the same operations without the TwoSum (dl = 0) and the clamp, and
    # with _expm1_poly10_t
    cdef double d = x - m
    cdef double t = _madd(d, LOG2E, EXP_SHIFT, tag)
    cdef double n = t - EXP_SHIFT
    cdef double r = _madd(n, -LN2_HI, d, tag)
    r = _madd(n, -LN2_LO, r, tag)
    return _madd(_expm1_poly10_t(r, tag), _pow2_64(t), _pow2_64(t), tag)

# The AVX-512 float32 exact rows (_row_sum_exp's case that passed _row_max_exact's check):
# the whole row loop in intrinsics, 16 elements a pass, e^d 2^64 = 2^(k + 64) 2^(j/16) e^r
# for d = x - m (exact), N = 16k + j = round(16 d / ln2), r = d - N ln2/16 by one fma with
# ln2/16 rounded to double (|r| <= ln2/32): 2^(j/16) from a 16-entry table by one
# vpermt2q (the index is t's low 4 bits), its exponent raised by one integer add of
# N << 48 (each entry stores bits(2^(j/16)) - (j << 48) + (64 << 52): N << 48 adds
# (k << 52) + (j << 48), the 2^(k + 64) and j's own offset; exponent >= 2 for d >= -752),
# and e^r - 1 by its Taylor series to r^6.  Error relative to e^d: the series' remainder
# |r|^7/7! e^|r| / e^r <= 2^-50.9 at |r| = ln2/32; the table's rounding 2^-53; r's: the
# fma's rounding (2^-53 |r| <= 2^-58.5) and |N| times ln2/16's (1.45e-18), |d| 2^-54.7
# (one constant: fdlibm's two parts cost a second fma, 1 of 10 on the FMA ports); the
# series' rounding (the last fma's, 2^-53 of |e^r - 1| <= 0.022) 2^-58.5 and the last
# fma 2^-53: at most 2^-50.2 + |d| 2^-54.7: 2^-48.3 for d >= -104, 2^-45 at d = -752 (and
# there e^d < 2^-1085, an absolute error far below any float32 loss's ULP, >= 2^-149): inside
# the 2^-44 a float32 loss needs.  Elements equal to m are counted (e is exactly
# 2^64 there), not summed, as _row_sum_exp does; the tail is one masked pass whose unused
# lanes load m (d = 0: neither counted nor summed).  Vector operations per 8 elements:
# 21 against the generic loop's 37.  Only where FASTACT_LOSS_TARGETS (x86, GCC or Clang):
# elsewhere WIDE never runs and the stub is dead code.
cdef extern from * nogil:
    """
    #if FASTACT_LOSS_TARGETS
    #include <immintrin.h>
    static const long long fastact_exp16_tbl[16] = {
        0x43f0000000000000LL, 0x43efb5586cf9890fLL, 0x43ef72b83c7d517bLL, 0x43ef387a6e756238LL,
        0x43ef06fe0a31b715LL, 0x43eedea64c123422LL, 0x43eebfdad5362a27LL, 0x43eeab07dd485429LL,
        0x43eea09e667f3bcdLL, 0x43eea11473eb0187LL, 0x43eeace5422aa0dbLL, 0x43eec49182a3f090LL,
        0x43eee89f995ad3adLL, 0x43ef199bdd85529cLL, 0x43ef5818dcfba487LL, 0x43efa4afa2a490daLL};
    static inline __attribute__((always_inline)) FASTACT_LOSS_AVX512 __m512d
    fastact_exp16_v(__m512d d, __m512i tlo, __m512i thi) {
        const __m512d shift = _mm512_set1_pd(6755399441055744.0);     /* 1.5 * 2^52 */
        __m512d t = _mm512_fmadd_pd(d, _mm512_set1_pd(16 * 1.4426950408889634), shift);
        __m512d n = _mm512_sub_pd(t, shift);
        __m512d r = _mm512_fmadd_pd(n, _mm512_set1_pd(-0.6931471805599453 / 16), d);
        __m512d r2, a, b, p, T;
        __m512i ti = _mm512_castpd_si512(t);
        T = _mm512_castsi512_pd(_mm512_add_epi64(_mm512_permutex2var_epi64(tlo, ti, thi),
                                                 _mm512_slli_epi64(ti, 48)));
        r2 = _mm512_mul_pd(r, r);
        a = _mm512_fmadd_pd(_mm512_set1_pd(1.0 / 6), r, _mm512_set1_pd(0.5));
        b = _mm512_fmadd_pd(_mm512_set1_pd(1.0 / 120), r, _mm512_set1_pd(1.0 / 24));
        b = _mm512_fmadd_pd(_mm512_set1_pd(1.0 / 720), r2, b);
        p = _mm512_fmadd_pd(r2, _mm512_fmadd_pd(b, r2, a), r);
        return _mm512_fmadd_pd(p, T, T);
    }
    #define FASTACT_CE16_STEP(S, K, XV, VALID)                                         \
        d = _mm512_sub_pd(_mm512_cvtps_pd(XV), mm);                                    \
        v = fastact_exp16_v(d, tlo, thi);                                              \
        z = _mm512_mask_cmp_pd_mask(VALID, d, zero, _CMP_EQ_OQ);                       \
        S = _mm512_mask_add_pd(S, (__mmask8)(VALID & ~z), S, v);                       \
        K = _mm512_mask_add_epi64(K, z, K, one);
    static FASTACT_LOSS_AVX512 double   /* not always_inline: its generic callers' bodies */
    fastact_loss_sumexp16(const float* x, float* e, npy_intp n, double m, int keep,
                          double* rest) {
        const __m512i tlo = _mm512_loadu_si512(fastact_exp16_tbl);
        const __m512i thi = _mm512_loadu_si512(fastact_exp16_tbl + 8);
        const __m512d mm = _mm512_set1_pd(m), zero = _mm512_setzero_pd();
        const __m512i one = _mm512_set1_epi64(1);
        const __m256 pad = _mm256_set1_ps((float)m);
        __m512d s0 = zero, s1 = zero, d, v;
        __m512i k0 = _mm512_setzero_si512(), k1 = k0;
        __mmask8 z, v0, v1;
        __m256 a, b;
        npy_intp i, nb = n - n % 16;
        double r, cnt;
        for (i = 0; i < nb; i += 16) {
            a = _mm256_loadu_ps(x + i);
            b = _mm256_loadu_ps(x + i + 8);
            FASTACT_CE16_STEP(s0, k0, a, (__mmask8)0xff)
            if (keep) _mm256_storeu_ps(e + i, _mm512_cvtpd_ps(v));
            FASTACT_CE16_STEP(s1, k1, b, (__mmask8)0xff)
            if (keep) _mm256_storeu_ps(e + i + 8, _mm512_cvtpd_ps(v));
        }
        if (nb < n) {
            v0 = (__mmask8)((1u << (n - nb > 8 ? 8 : n - nb)) - 1u);
            v1 = (__mmask8)(n - nb > 8 ? (1u << (n - nb - 8)) - 1u : 0u);
            a = _mm256_mask_loadu_ps(pad, v0, x + nb);
            FASTACT_CE16_STEP(s0, k0, a, v0)
            if (keep) _mm256_mask_storeu_ps(e + nb, v0, _mm512_cvtpd_ps(v));
            if (v1) {
                b = _mm256_mask_loadu_ps(pad, v1, x + nb + 8);
                FASTACT_CE16_STEP(s1, k1, b, v1)
                if (keep) _mm256_mask_storeu_ps(e + nb + 8, v1, _mm512_cvtpd_ps(v));
            }
        }
        r = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1)) * 5.421010862427522e-20;  /* 2^-64 */
        cnt = (double)_mm512_reduce_add_epi64(_mm512_add_epi64(k0, k1));
        *rest = (cnt - 1.0) + r;
        return cnt + r;
    }
    #define FASTACT_LOSS_TBL 1
    #else
    static double fastact_loss_sumexp16(const float* x, float* e, npy_intp n, double m,
                                        int keep, double* rest) { return 0.0; }
    #define FASTACT_LOSS_TBL 0
    #endif
    """
    const bint FASTACT_LOSS_TBL
    double fastact_loss_sumexp16(const float* x, float* e, npy_intp n, double m, bint keep,
                                 double* rest)


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


# shared by the losses' reductions (BCE with logits, the pointwise losses, nll)
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

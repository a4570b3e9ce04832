# ---- declarations -------------------------------------------------------------------
# the C functions and macros the primitives call: math.h, config.h's bit casts and FASTACT_MADD

from libc.stdint cimport uint16_t, uint32_t, uint64_t

cdef extern from "<math.h>" nogil:
    double log(double)
    # one instruction (-fno-math-errno), vectorized; used by: sparse_plus, squareplus
    double sqrt(double)
    double fabs(double)
    double fma(double, double, double)
    double copysign(double, double)
    float fabsf(float)
    float copysignf(float, float)
    bint isless(double, double)
    bint isgreater(double, double)
    bint islessequal(double, double)
    bint isgreaterequal(double, double)
    bint isnan(double)
    bint isinf(double)
    const double INFINITY
    const double NAN

cdef extern from "config.h" nogil:
    # bit casts (memcpy: a register move, vectorized) and a*b + c fused where the target
    # has FMA in hardware, a multiply and an add on the baseline (see config.h)
    uint64_t fastact_d2u(double)
    double fastact_u2d(uint64_t)
    uint32_t fastact_f2u(float)
    float fastact_u2f(uint32_t)
    double FASTACT_MADD(double, double, double)
    float FASTACT_MADDF(float, float, float)
    float FASTACT_MUL_LOF(float, float, float)
    bint FASTACT_HAS_FMA          # a constant: the fused forms are one rounding

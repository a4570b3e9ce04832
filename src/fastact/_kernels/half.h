/* IEEE 754 binary16 <-> binary32 conversion for fastact's float16 loops.
 *
 * float16 data is widened to float32, computed by the float32 kernel and narrowed back
 * with round-to-nearest-even, which is what NumPy's own float16 casts do (npy_half_*),
 * so a float16 result is the float32 result correctly rounded.  Written out here (plain
 * integer arithmetic, no F16C, no libnpymath) so that every compiler and ISA builds it.
 * NaN payloads keep their top bits and stay quiet; infinities and signed zeros round-trip.
 */
#ifndef FASTACT_HALF_H
#define FASTACT_HALF_H

#include <stdint.h>
#include <string.h>

static inline float fastact_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    uint32_t bits;
    float f;
    if (exp == 0x1fu) {                       /* inf or NaN */
        bits = sign | 0x7f800000u | (man << 13) | (man ? 0x00400000u : 0u);
    } else if (exp != 0) {                    /* normal */
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    } else if (man != 0) {                    /* subnormal: normalise */
        uint32_t e = 113u;
        while (!(man & 0x400u)) { man <<= 1; e--; }
        bits = sign | (e << 23) | ((man & 0x3ffu) << 13);
    } else {                                  /* zero */
        bits = sign;
    }
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint16_t fastact_float_to_half(float f)
{
    uint32_t bits, sign, exp, man;
    memcpy(&bits, &f, sizeof bits);
    sign = (bits >> 16) & 0x8000u;
    exp = (bits >> 23) & 0xffu;
    man = bits & 0x7fffffu;
    if (exp == 0xffu) {                       /* inf or NaN (kept quiet) */
        return (uint16_t)(sign | 0x7c00u | (man ? (0x200u | (man >> 13)) : 0u));
    }
    if (exp > 142u) {                         /* |f| >= 2^16: overflows to inf */
        return (uint16_t)(sign | 0x7c00u);
    }
    if (exp >= 113u) {                        /* normal half range */
        uint32_t h = ((exp - 112u) << 10) | (man >> 13);
        uint32_t rest = man & 0x1fffu;        /* 13 dropped bits */
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) {
            h++;                              /* may carry into the exponent: correct */
        }
        return (uint16_t)(sign | h);
    }
    if (exp >= 102u) {                        /* subnormal half (or rounds up to min normal) */
        uint32_t m = man | 0x800000u;         /* explicit leading bit */
        uint32_t shift = 126u - exp;          /* 14..24 */
        uint32_t h = m >> shift;
        uint32_t rest = m & ((1u << shift) - 1u);
        uint32_t halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (h & 1u))) {
            h++;
        }
        return (uint16_t)(sign | h);
    }
    return (uint16_t)sign;                    /* underflows to signed zero */
}

/* bfloat16 (the top half of a binary32: ml_dtypes' and PyTorch's) <-> binary32.  Widening
 * is exact (a shift); narrowing rounds to nearest even, as ml_dtypes' casts do, and keeps a
 * NaN a quiet NaN of the same sign (the rounding increment could otherwise carry a NaN
 * with a small payload into infinity).  Straight-line integer arithmetic: the block loops
 * vectorize. */
static inline float fastact_bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint16_t fastact_float_to_bf16(float f)
{
    uint32_t bits, rounded;
    memcpy(&bits, &f, sizeof bits);
    rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    return (uint16_t)(((bits & 0x7fffffffu) > 0x7f800000u) ? ((bits >> 16) | 0x40u) : rounded);
}

#endif

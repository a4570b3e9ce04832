/* IEEE 754 binary16 <-> binary32 conversion for fastact's float16 loops.
 *
 * float16 data is widened to float32, computed by the float32 kernel and narrowed back
 * with round-to-nearest-even, which is what NumPy's own float16 casts do (npy_half_*),
 * so a float16 result is the float32 result correctly rounded.  Written out here (plain
 * integer and float arithmetic, no F16C, no libnpymath) so that every compiler and ISA
 * builds it, as selects so that GCC vectorizes the block loops (_ufuncs.pyx.tp's
 * cvt_* functions; tests/test_vectorized.py checks them).  NaN payloads keep their top
 * bits and stay quiet; infinities and signed zeros round-trip.
 */
#ifndef FASTACT_HALF_H
#define FASTACT_HALF_H

#include <stdint.h>
#include <string.h>

static inline float fastact_half_to_float(uint16_t h)
{
    /* Every case computed, then selected (no branches: the block loops vectorize).
     * Normal: the exponent rebiased from 15 to 127 by an integer add.  Subnormal (and
     * zero): man * 2^-24 through an int -> float conversion, exact for 10 bits (no
     * subnormal float operand).  Inf/NaN: all-ones exponent, a NaN made quiet. */
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t em = h & 0x7fffu;                /* exponent and mantissa */
    uint32_t man = h & 0x3ffu;
    uint32_t normal = (em << 13) + 0x38000000u;
    uint32_t special = 0x7f800000u | (man << 13) | (man ? 0x00400000u : 0u);
    float sub_f = (float)(int32_t)man * 0x1p-24f;
    uint32_t sub, bits;
    float f;
    memcpy(&sub, &sub_f, sizeof sub);
    bits = em >= 0x7c00u ? special : (em < 0x400u ? sub : normal);
    bits |= sign;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint16_t fastact_float_to_half(float f)
{
    /* The three results computed, then selected (after F. Giesen's branch-free
     * float_to_half_fast3_rtne, public domain: https://gist.github.com/rygorous/2156668).
     * Normal half range: rebias the exponent (-112 << 23) and round the 13 dropped bits
     * to nearest even by adding 0xfff plus the kept mantissa's last bit (a carry into the
     * exponent is correct, up to 65520 -> inf).  Below 2^-14 (subnormal half or zero):
     * |f| + 0.5 puts the 10 mantissa bits at the bottom of 0.5's mantissa, and the float
     * addition rounds them to nearest even; subtracting 0.5's bits leaves them.  At
     * 2^16 and beyond: inf, or the NaN kept quiet with its top payload bits.  Identical
     * to the branchy integer conversion on all 2^32 inputs. */
    uint32_t bits, sign, a, special, normal, sub;
    float af, t;
    memcpy(&bits, &f, sizeof bits);
    sign = (bits >> 16) & 0x8000u;
    a = bits & 0x7fffffffu;
    special = (a > 0x7f800000u) ? (0x7e00u | ((bits & 0x7fffffu) >> 13)) : 0x7c00u;
    normal = (a + 0xc8000fffu + ((a >> 13) & 1u)) >> 13;
    memcpy(&af, &a, sizeof af);
    t = af + 0.5f;
    memcpy(&sub, &t, sizeof sub);
    sub -= 0x3f000000u;
    return (uint16_t)(sign | (a >= 0x47800000u ? special : (a < 0x38800000u ? sub : normal)));
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

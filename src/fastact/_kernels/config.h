/* Build facts the compiled module reports (fastact.show_config), the thread count, and
 * the few bit-level helpers the kernels need.  Without OpenMP (a compiler that lacks it)
 * the loops run on the calling thread. */
#ifndef FASTACT_CONFIG_H
#define FASTACT_CONFIG_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#define FASTACT_OPENMP 1
static inline int fastact_max_threads(void) { return omp_get_max_threads(); }
/* OMP_THREAD_LIMIT (INT_MAX when unset, in GNU OpenMP) */
static inline int fastact_thread_limit(void) { return omp_get_thread_limit(); }
#else
#define FASTACT_OPENMP 0
static inline int fastact_max_threads(void) { return 1; }
static inline int fastact_thread_limit(void) { return 1 << 30; }  /* no limit: loops are serial */
#endif

#if defined(__clang__)
#define FASTACT_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define FASTACT_COMPILER "gcc " __VERSION__
#elif defined(_MSC_VER)
#define FASTACT_COMPILER "msvc"
#else
#define FASTACT_COMPILER "unknown"
#endif

/* Bit casts for the exponent tricks in primitives.pxi's exp (memcpy: GCC and Clang turn it
 * into a register move, and vectorize it). */
static inline uint64_t fastact_d2u(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
static inline double fastact_u2d(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }

static inline uint32_t fastact_f2u(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static inline float fastact_u2f(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

/* Whether the target has FMA in hardware: the x86-64 AVX2 and AVX-512 builds, and every
 * aarch64 one (ARMv8-A has it; GCC and Clang turn fma() into one instruction there). */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
#define FASTACT_HAVE_FMA 1
#endif

/* a*b + c: one fused rounding where the target has FMA in hardware, a multiply and an
 * add on the x86-64 baseline, where fma() would be a slow libm call. */
#if defined(FASTACT_HAVE_FMA)
#define FASTACT_MADD(a, b, c) fma((a), (b), (c))
#else
#define FASTACT_MADD(a, b, c) ((a) * (b) + (c))
#endif

/* 1 where FASTACT_MADD and FASTACT_MADDF are fused (one rounding): a compile-time constant
 * kernels select on, for a float formula that is only accurate with FMA. */
#if defined(FASTACT_HAVE_FMA)
#define FASTACT_HAS_FMA 1
#else
#define FASTACT_HAS_FMA 0
#endif

#if defined(FASTACT_HAVE_FMA)
#define FASTACT_MADDF(a, b, c) fmaf((a), (b), (c))
#else
#define FASTACT_MADDF(a, b, c) ((a) * (b) + (c))
#endif

/* a*b - p exactly, for p = a*b rounded to float: one FMA where the target has it, else
 * in double (the product of two floats is exact there, and the difference has at most
 * 24 significant bits). */
#if defined(FASTACT_HAVE_FMA)
#define FASTACT_MUL_LOF(a, b, p) fmaf((a), (b), -(p))
#else
#define FASTACT_MUL_LOF(a, b, p) ((float)((double)(a) * (double)(b) - (double)(p)))
#endif

#endif

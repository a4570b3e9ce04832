/* Build facts the compiled module reports (fastact.show_config) and the thread count.
 * Without OpenMP (a compiler that lacks it) the loops run on the calling thread. */
#ifndef FASTACT_CONFIG_H
#define FASTACT_CONFIG_H

#ifdef _OPENMP
#include <omp.h>
#define FASTACT_OPENMP 1
static inline int fastact_max_threads(void) { return omp_get_max_threads(); }
#else
#define FASTACT_OPENMP 0
static inline int fastact_max_threads(void) { return 1; }
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

#endif

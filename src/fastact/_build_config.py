"""Build targets for fastact's kernels, shared by setup.py and fastact.show_config().

The ufunc template is compiled once per family of kernels and target below; at import the best target this CPU
supports is loaded (fastact._dispatch).  Pure Python with no imports from the package, so
setup.py can execute it before anything is built.
"""

# name -> (NumPy CPU features required at run time, GCC/Clang flags).  The baseline is
# the compiler's default for the platform (x86-64: SSE2).  No fast-math flags here or
# anywhere: the kernels rely on IEEE NaN and infinity semantics.
X86_TARGETS = {
    "baseline": ((), []),
    "avx2": (("AVX2", "FMA3"), ["-mavx2", "-mfma"]),
    "avx512": (("AVX512F", "AVX512DQ", "AVX512BW", "AVX512VL", "FMA3"),
               ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma",
                "-mprefer-vector-width=512"]),
}

# Flags for every target: -fno-math-errno lets the compiler inline sqrt and friends (it
# does not change results).  -ffp-contract=off stops GCC from fusing a*b + c into an FMA
# where it likes (its default with -mfma), so every target rounds the same way and the
# error analyses in the kernels' comments hold; kernels that want an FMA call fma().
# -fno-trapping-math says floating-point exceptions never trap (NumPy only reads the flags,
# and the loops clear them), so the compiler may compute both sides of a branch and
# select, which is how branchy kernels vectorize; it assumes nothing about NaN or inf.
# -g0 drops the debug information Python's own CFLAGS ask for (it tripled the wheel).
# OpenMP is added by setup.py where the compiler has it.
COMMON_FLAGS = ["-O3", "-g0", "-fno-math-errno", "-ffp-contract=off", "-fno-trapping-math"]
MSVC_FLAGS = ["/O2"]

# Loops of at least this many elements are split across threads (PyTorch's grain).
GRAIN = 32768

# The kernel modules: each target's ufuncs are compiled as one module per family below
# (setup.py; fastact._dispatch joins them), so an edit to one kernel file recompiles its
# family only, and the families compile in parallel.  A family is a list of records with a
# kernel file (<record>.pxi, or an axis kernel's); a record in none of them goes to the
# family "other", so a new activation needs no entry here.  A kernel file that uses another
# one's functions gets that file included too (setup.py finds which), so the grouping is
# free: families of similar compile time, each named for what its kernels have in common.
FAMILIES = {
    "piecewise": ("relu", "leaky_relu", "linear", "threshold", "hardtanh", "relu6",
                  "hardshrink", "softshrink", "hardsigmoid", "hardswish"),
    "sigmoid": ("sigmoid", "log_sigmoid", "softsign", "sparse_sigmoid", "logit", "silu"),
    "tanh": ("tanh", "tanhshrink", "mish", "softplus"),
    "exponential": ("elu", "celu", "selu", "exponential"),
    "gelu": ("gelu", "gelu_tanh", "sparse_plus", "squareplus"),
    "softmax": ("softmax", "log_softmax", "softmin"),
}

# Preference order at import: the first target whose features the CPU has wins.
PREFERENCE = ("avx512", "avx2", "baseline")

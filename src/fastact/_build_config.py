"""Build targets for fastact's kernels, shared by setup.py and fastact.show_config().

The ufunc template is compiled once per family of kernels and target below; at import the best target this CPU
supports is loaded (fastact._dispatch).  Pure Python with no imports from the package, so
setup.py can execute it before anything is built.
"""

# name -> (NumPy CPU features required at run time, GCC/Clang flags), per machine.  The
# x86-64 baseline is the compiler's default there (SSE2).  No fast-math flags here or
# anywhere: the kernels rely on IEEE NaN and infinity semantics.
X86_TARGETS = {
    "baseline": ((), []),
    "avx2": (("AVX2", "FMA3"), ["-mavx2", "-mfma"]),
    "avx512": (("AVX512F", "AVX512DQ", "AVX512BW", "AVX512VL", "FMA3"),
               ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma",
                "-mprefer-vector-width=512"]),
}

# aarch64: ASIMD (NEON) is part of ARMv8-A, so "neon" is every aarch64 CPU's target (the
# fallback there, as "baseline" is on x86-64); "sve" is vector-length agnostic code GCC
# autovectorizes with SVE (the same binary runs on 128- to 2048-bit vectors).  Both have
# FMA (config.h fuses a*b + c on them, as on AVX2).  The feature names are NumPy's; on
# Linux the kernel's HWCAP is read too (fastact._dispatch).
ARM_TARGETS = {
    "neon": ((), ["-march=armv8-a"]),
    "sve": (("SVE",), ["-march=armv8.2-a+sve"]),
}

# The machines with targets of their own (platform.machine(), lower case, and its
# aliases); any other builds the compiler's default only, as "baseline".
MACHINES = {"x86_64": X86_TARGETS, "amd64": X86_TARGETS,
            "aarch64": ARM_TARGETS, "arm64": ARM_TARGETS}
OTHER_TARGETS = {"baseline": ((), [])}

# Every target by name (the names differ between machines)
TARGETS = {**X86_TARGETS, **ARM_TARGETS}


def targets_for(machine):
    """The targets of a machine (platform.machine() or the build's target machine), in
    table order: the first is its fallback, the one every CPU of it runs."""
    return MACHINES.get((machine or "").lower(), OTHER_TARGETS)


def fallback(machine):
    """The target every CPU of the machine runs ("baseline", "neon" on aarch64)."""
    return next(iter(targets_for(machine)))


def build_targets(machine, only=None, features=None, windows=False):
    """The targets a build for `machine` compiles, {name: (features, flags)}: all of the
    machine's; on Windows (MSVC) those MSVC_TARGET_FLAGS has flags for (x86-64's three),
    else the fallback alone, built with MSVC's defaults; only those named in `only` ("baseline,avx2"; "local": the fallback and the
    best target whose CPU `features` are all true), which must include the fallback."""
    found, first = targets_for(machine), fallback(machine)
    if windows:
        found = {k: v for k, v in found.items() if k in MSVC_TARGET_FLAGS} or {first: ((), [])}
    if only == "local":
        feats = features or {}
        best = next((isa for isa in PREFERENCE if isa in found
                     and all(feats.get(f, False) for f in found[isa][0])), first)
        only = first + "," + best
    if only:
        found = {k: v for k, v in found.items() if k in only.split(",")}
        if first not in found:
            raise ValueError(f"FASTACT_TARGETS must include {first} (the fallback every "
                             f"{machine} CPU runs)")
    return found


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
# MSVC (Windows): /fp:precise is its IEEE mode (no contraction into FMA unless
# /fp:contract, NaN compares honoured; never /fp:fast), and each x86-64 target's /arch.
MSVC_FLAGS = ["/O2", "/fp:precise"]
MSVC_TARGET_FLAGS = {"baseline": [], "avx2": ["/arch:AVX2"], "avx512": ["/arch:AVX512"]}

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
PREFERENCE = ("avx512", "avx2", "sve", "neon", "baseline")

"""Pick the compiled kernels for this CPU at import.

setup.py builds the ufunc template once per family of kernels and target in _build_config
(baseline, AVX2+FMA, AVX-512 on x86-64; neon, SVE on aarch64): modules
fastact._kernels._ufuncs_<target>_<family>.  The first target of this machine in
PREFERENCE that was built and whose CPU features are detected (NumPy's, and on aarch64
Linux the kernel's HWCAP) is loaded, its family modules joined into one Target;
FASTACT_ISA=<name> forces one (an error if it is not available here, so a forced test run
cannot silently test something else).
"""

import importlib
import importlib.util
import os
import platform
import struct
import sys

from ._build_config import FAMILIES, PREFERENCE, fallback, targets_for

MACHINE = platform.machine()
TARGETS = targets_for(MACHINE)
"""This machine's targets (_build_config): {name: (CPU features, flags)}."""
FALLBACK = fallback(MACHINE)
"""The target every CPU of this machine runs: "baseline" (x86-64), "neon" (aarch64)."""

# every family a target may have: "other" holds the records no family lists (setup.py)
_FAMILY_NAMES = (*FAMILIES, "other")


def _names(isa):
    return [f"fastact._kernels._ufuncs_{isa}_{family}" for family in _FAMILY_NAMES]


class Target:
    """One CPU target's kernel modules (one per family) as one: all its ufuncs in UFUNCS,
    and the thread settings, fork state and bfloat16 loops applied to every module (each
    has its own copy of that state, see _kernels/threads.pxi)."""

    def __init__(self, isa, modules):
        self.isa, self.modules = isa, modules
        self.BUILD = modules[0].BUILD
        self.UFUNCS = {}
        for mod in modules:
            twice = self.UFUNCS.keys() & mod.UFUNCS.keys()
            if twice:
                raise ImportError(f"fastact: {mod.__name__} has ufuncs that another module of "
                                  f"target {isa} has too ({', '.join(sorted(twice))}): a "
                                  f"module left from an older build; rebuild from clean")
            self.UFUNCS.update(mod.UFUNCS)

    def __repr__(self):
        return f"<fastact kernels for {self.isa}: {len(self.modules)} modules>"

    def _set_num_threads(self, n):
        for mod in self.modules:
            mod._set_num_threads(n)

    def _set_row_alloc_limit(self, nbytes):
        for mod in self.modules:
            mod._set_row_alloc_limit(nbytes)

    def _run_serially(self):
        for mod in self.modules:
            mod._run_serially()

    def register_bfloat16(self, typenum):
        for mod in self.modules:
            mod.register_bfloat16(typenum)

    def _pool_was_started(self):
        return any(mod._pool_was_started() for mod in self.modules)

    def _is_serial(self):
        return all(mod._is_serial() for mod in self.modules)

    def _get_num_threads(self):
        return self.modules[0]._get_num_threads()

    def _thread_cap(self):
        return self.modules[0]._thread_cap()


# aarch64 Linux: the auxiliary vector's AT_HWCAP entry and its bits (<asm/hwcap.h>)
AT_HWCAP = 16
HWCAP_BITS = {"ASIMD": 1 << 1, "SVE": 1 << 22}


def parse_auxv(data):
    """{type: value} of /proc/self/auxv's contents (pairs of 64-bit little-endian words,
    as on aarch64 Linux; ends at AT_NULL)."""
    words = struct.unpack(f"<{len(data) // 8}Q", data[: len(data) // 16 * 16])
    out = {}
    for key, value in zip(words[::2], words[1::2]):
        if key == 0:
            break
        out[key] = value
    return out


def hwcap_features(hwcap):
    """The features (NumPy's names) an aarch64 AT_HWCAP value has."""
    return {name: bool(hwcap & bit) for name, bit in HWCAP_BITS.items()}


def cpuinfo_features(text):
    """The same from /proc/cpuinfo's text (its "Features" lines; every core must have it),
    or {} without such a line."""
    cores = [set(line.split(":", 1)[1].split()) for line in text.splitlines()
             if line.split(":", 1)[0].strip() == "Features" and ":" in line]
    if not cores:
        return {}
    return {name: all(name.lower() in flags for flags in cores) for name in HWCAP_BITS}


def _linux_arm_features():
    """What the kernel says this aarch64 CPU has (and lets user code use: SVE needs the
    kernel's support too): AT_HWCAP from /proc/self/auxv, else /proc/cpuinfo; {} if
    neither can be read."""
    try:
        with open("/proc/self/auxv", "rb") as f:
            hwcap = parse_auxv(f.read()).get(AT_HWCAP)
        if hwcap is not None:
            return hwcap_features(hwcap)
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            return cpuinfo_features(f.read())
    except OSError:
        return {}


def _cpu_features():
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:        # NumPy moved it: assume nothing beyond the baseline
        __cpu_features__ = {}
    feats = dict(__cpu_features__)
    if MACHINE.lower() in ("aarch64", "arm64") and sys.platform.startswith("linux"):
        feats.update(_linux_arm_features())      # the kernel's word where it can be read
    return feats


def built():
    """Targets compiled into this installation (found on disk; nothing is imported, since
    a module built for an ISA this CPU lacks must not be loaded)."""
    return [isa for isa in PREFERENCE
            if any(importlib.util.find_spec(name) is not None for name in _names(isa))]


def supported():
    """This machine's targets whose CPU features this CPU has (built or not), best first."""
    feats = _cpu_features()
    return [isa for isa in PREFERENCE
            if isa in TARGETS and all(feats.get(f, False) for f in TARGETS[isa][0])]


_targets = {}


def _import(isa):
    """The kernels built for isa (a Target), or None if they were not built here."""
    if isa in _targets:
        return _targets[isa]
    mods = []
    for name in _names(isa):
        if importlib.util.find_spec(name) is None:
            continue                  # a family this build does not have
        try:
            mods.append(importlib.import_module(name))
        except ImportError:
            return None
    if not mods:
        return None
    target = _targets[isa] = Target(isa, mods)
    if _forked_after_threads:
        target._run_serially()
    return target


# fork safety.  GNU OpenMP's thread pool does not survive fork(): in a child whose parent
# had run a parallel loop, the next parallel loop waits forever for threads that only the
# parent has (multiprocessing's 'fork' start method, PyTorch DataLoader workers, gunicorn
# workers).  So such a child runs every loop on its calling thread, for the rest of its
# life; set_num_threads cannot turn threads back on there (it warns).  A child forked
# before any parallel loop ran keeps its threads.  (PyTorch does the same for its
# intra-op pool.)  Python's os.fork() runs this hook; a fork from C code that then runs
# fastact is not covered.
_forked_after_threads = False


def _loaded():
    return list(_targets.values())


def _after_fork_in_child():
    global _forked_after_threads
    loaded = _loaded()
    if _forked_after_threads or any(m._pool_was_started() for m in loaded):
        _forked_after_threads = True
        for m in loaded:
            m._run_serially()


def forked_after_threads():
    """Whether this process is a fork of one that had started OpenMP's threads."""
    return _forked_after_threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def available():
    """Targets that were built and that this CPU can run, best first (imports them)."""
    return [isa for isa in supported() if _import(isa) is not None]


def modules():
    """The kernels (Targets) of available(): everything a thread setting must reach."""
    return [_import(isa) for isa in available()]


def load(isa=None):
    """The kernels (a Target) for `isa`, FASTACT_ISA, or the best available.  Imports only
    what it returns (and, for the best, the better targets that failed to import)."""
    isa = isa or os.environ.get("FASTACT_ISA") or None
    if isa is None:
        for best in supported():
            mod = _import(best)
            if mod is not None:
                return mod
        raise ImportError("fastact: no compiled kernels could be imported")
    mod = _import(isa) if isa in supported() else None
    if mod is None:
        raise ImportError(f"fastact: FASTACT_ISA={isa!r} is not available on this machine "
                          f"(built and supported: {', '.join(available())})")
    return mod


KERNELS = load()
UFUNCS = KERNELS.UFUNCS


def _bfloat16():
    """ml_dtypes' bfloat16 dtype, with loops for it registered on every ufunc; None when
    ml_dtypes (an optional dependency, the `bfloat16` extra) is not installed."""
    try:
        import ml_dtypes
    except ImportError:
        return None
    import numpy as np
    dt = np.dtype(ml_dtypes.bfloat16)
    KERNELS.register_bfloat16(dt.num)
    return dt


BFLOAT16 = _bfloat16()

# NumPy pickles a ufunc by its __name__ alone and pickle finds the module that holds an
# attribute of that name; so the ufuncs are attributes of this pure-Python module too,
# and a worker process (dask.distributed, multiprocessing) that unpickles one imports
# fastact._dispatch and gets the kernels best for *its* CPU.
globals().update(UFUNCS)

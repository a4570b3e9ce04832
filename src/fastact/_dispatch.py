"""Pick the compiled kernels for this CPU at import.

setup.py builds the ufunc template once per target in _build_config (baseline, AVX2+FMA,
AVX-512 on x86-64).  The first target in PREFERENCE that was built and whose CPU features
NumPy detects is loaded; FASTACT_ISA=<name> forces one (an error if it is not available
here, so a forced test run cannot silently test something else).
"""

import importlib
import importlib.util
import os
import sys

from ._build_config import PREFERENCE, X86_TARGETS


def _cpu_features():
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:        # NumPy moved it: assume nothing beyond the baseline
        return {}
    return __cpu_features__


def built():
    """Targets compiled into this installation (found on disk; nothing is imported, since
    a module built for an ISA this CPU lacks must not be loaded)."""
    return [isa for isa in PREFERENCE
            if importlib.util.find_spec(f"fastact._kernels._ufuncs_{isa}") is not None]


def supported():
    """Targets whose CPU features this CPU has (built or not), best first."""
    feats = _cpu_features()
    return [isa for isa in PREFERENCE
            if all(feats.get(f, False) for f in X86_TARGETS[isa][0])]


def _import(isa):
    """The kernel module built for isa, or None if it was not built here."""
    try:
        mod = importlib.import_module(f"fastact._kernels._ufuncs_{isa}")
    except ImportError:
        return None
    if _forked_after_threads:
        mod._run_serially()
    return mod


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
    return [m for m in (sys.modules.get(f"fastact._kernels._ufuncs_{isa}") for isa in PREFERENCE)
            if m is not None]


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
    """The kernel modules of available(): everything a thread setting must reach."""
    return [_import(isa) for isa in available()]


def load(isa=None):
    """The kernel module for `isa`, FASTACT_ISA, or the best available.  Imports only
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

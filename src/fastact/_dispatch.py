"""Pick the compiled kernels for this CPU at import.

setup.py builds the ufunc template once per target in _build_config (baseline, AVX2+FMA,
AVX-512 on x86-64).  The first target in PREFERENCE that was built and whose CPU features
NumPy detects is loaded; FASTACT_ISA=<name> forces one (an error if it is not available
here, so a forced test run cannot silently test something else).
"""

import importlib
import importlib.util
import os

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
        return importlib.import_module(f"fastact._kernels._ufuncs_{isa}")
    except ImportError:
        return None


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

# NumPy pickles a ufunc by its __name__ alone and pickle finds the module that holds an
# attribute of that name; so the ufuncs are attributes of this pure-Python module too,
# and a worker process (dask.distributed, multiprocessing) that unpickles one imports
# fastact._dispatch and gets the kernels best for *its* CPU.
globals().update(UFUNCS)

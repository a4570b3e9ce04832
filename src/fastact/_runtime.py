"""The run-time settings and facts: set_num_threads, get_num_threads, show_config.

(The build's own settings, the CPU targets and their flags, are _build_config's.)

The thread count of large loops (at least GRAIN elements) follows, in order:
fastact.set_num_threads(n); the FASTACT_NUM_THREADS environment variable (read at
import); OpenMP's own maximum, which is the core count unless OMP_NUM_THREADS or
threadpoolctl (which sees fastact's OpenMP runtime) says otherwise.
"""

import operator
import os
import platform
import sys
import warnings

import numpy as np

from . import _build_config, _dispatch


def set_num_threads(n):
    """Use n threads for large arrays (n >= 1); None goes back to the default.

    n may be at most 1024, or OMP_THREAD_LIMIT if that is lower.  The default (None)
    follows OpenMP's own count, which OMP_NUM_THREADS and threadpoolctl's
    ``threadpool_limits`` set.  In a process forked from one that had used threads, loops
    stay on one thread whatever n is (GNU OpenMP's threads do not survive fork; docs/guide/threads.md
    explains).  A build without OpenMP (``show_config()`` says ``openmp: False``) runs
    every loop on one thread: there n > 1 warns, and ``get_num_threads()`` is 1.

    >>> import fastact
    >>> fastact.set_num_threads(1)
    >>> fastact.get_num_threads()
    1
    >>> fastact.set_num_threads(None)          # back to FASTACT_NUM_THREADS / OpenMP
    """
    if n is None:
        n = 0
    else:
        try:
            if isinstance(n, bool):
                raise TypeError
            n = operator.index(n)
        except TypeError:
            raise ValueError(f"fastact.set_num_threads: n must be a positive int or None, "
                             f"got {n!r}") from None
        if n < 1:
            raise ValueError(f"fastact.set_num_threads: n must be a positive int or None, "
                             f"got {n!r}")
        cap = _dispatch.KERNELS._thread_cap()
        if n > cap:
            raise ValueError(
                f"fastact.set_num_threads: n={n} is more than the {cap} threads fastact "
                f"will start (the lower of 1024 and OpenMP's thread limit, OMP_THREAD_LIMIT). "
                f"threadpoolctl's threadpool_limits() and OMP_NUM_THREADS set the count used "
                f"when n is not set (set_num_threads(None)), within the same cap")
        if n > 1 and not threads_available():
            warnings.warn("fastact.set_num_threads: this fastact was built without OpenMP "
                          "(fastact.show_config() says openmp: False): loops run on one "
                          "thread", RuntimeWarning, stacklevel=2)
            n = 0
        elif n > 1 and _dispatch.forked_after_threads():
            warnings.warn("fastact.set_num_threads: this process was forked after fastact "
                          "had used threads, and GNU OpenMP's threads do not survive fork: "
                          "loops here stay on one thread", RuntimeWarning, stacklevel=2)
    for mod in _dispatch.modules():
        mod._set_num_threads(n)


def get_num_threads():
    """The number of threads fastact uses for an array of GRAIN elements or more.

    >>> import fastact
    >>> fastact.get_num_threads() >= 1
    True
    """
    if not threads_available():
        return 1
    return _dispatch.KERNELS._get_num_threads()


def threads_available():
    """Whether this build runs large loops on several threads (it was compiled with
    OpenMP).  Without it every loop runs on the calling thread, with the same results."""
    return bool(_dispatch.KERNELS.BUILD["openmp"])


def _from_environment():
    value = os.environ.get("FASTACT_NUM_THREADS")
    if not value:
        return
    try:
        n = int(value)
    except ValueError:
        n = 0
    try:
        set_num_threads(n)
    except ValueError as exc:
        raise ValueError(f"fastact: FASTACT_NUM_THREADS must be a positive integer no larger "
                         f"than {_dispatch.KERNELS._thread_cap()}, got {value!r}") from exc


def config():
    """The build and run-time facts as a dict (what show_config prints)."""
    build = dict(_dispatch.KERNELS.BUILD)
    msvc = build["compiler"] == "msvc"
    flags = (_build_config.MSVC_FLAGS + _build_config.MSVC_TARGET_FLAGS.get(build["isa"], [])
             if msvc else _build_config.COMMON_FLAGS + list(_dispatch.TARGETS[build["isa"]][1]))
    if build["openmp"]:
        flags.append("/openmp" if msvc else "-fopenmp")
    from . import __version__
    return {
        "fastact": __version__,
        "isa": build["isa"],
        "isa_built": _dispatch.built(),          # compiled into this installation
        "isa_supported": _dispatch.supported(),  # this CPU could run (built or not)
        "isa_available": _dispatch.available(),  # both: what FASTACT_ISA may name
        "isa_forced": os.environ.get("FASTACT_ISA") or None,
        "threads": get_num_threads(),
        "openmp": build["openmp"],
        "grain": build["grain"],
        "compiler": build["compiler"].strip(),     # (__clang_version__ ends in a space)
        "flags": " ".join(flags),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }


def show_config(file=None):
    """Print the build: version, the ISA loaded, the ISA variants built into this
    installation and those this CPU supports, threads, OpenMP, compiler and flags.

    ``fastact._runtime.config()`` returns the same facts as a dict.

    >>> import io, fastact
    >>> buf = io.StringIO()
    >>> fastact.show_config(file=buf)
    >>> "isa_built" in buf.getvalue() and "openmp" in buf.getvalue()
    True
    """
    cfg = config()
    for key, value in cfg.items():
        if isinstance(value, list):
            value = ", ".join(value)
        if key == "threads" and not cfg["openmp"]:
            value = f"{value} (built without OpenMP: no threads)"
        print(f"{key:>14}: {value}", file=file or sys.stdout)


# The public functions are fastact's: help() names that module, and they pickle by
# that name, whatever the private module they are defined in.
for _f in (set_num_threads, get_num_threads, show_config):
    _f.__module__ = "fastact"
del _f

_from_environment()

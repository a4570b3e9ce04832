"""Threads and build facts: set_num_threads, get_num_threads, show_config.

The thread count of large loops (at least GRAIN elements) follows, in order:
fastact.set_num_threads(n); the FASTACT_NUM_THREADS environment variable (read at
import); OpenMP's own maximum, which is the core count unless OMP_NUM_THREADS or
threadpoolctl (which sees fastact's OpenMP runtime) says otherwise.
"""

import os
import platform
import sys

import numpy as np

from . import _build_config, _dispatch


def set_num_threads(n):
    """Use n threads for large arrays (n >= 1); None goes back to the default.

    >>> import fastact
    >>> fastact.set_num_threads(1)
    >>> fastact.get_num_threads()
    1
    >>> fastact.set_num_threads(None)          # back to FASTACT_NUM_THREADS / OpenMP
    """
    if n is None:
        n = 0
    elif not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"fastact.set_num_threads: n must be a positive int or None, got {n!r}")
    for mod in _dispatch.modules():
        mod._set_num_threads(n)


def get_num_threads():
    """The number of threads fastact uses for an array of GRAIN elements or more.

    >>> import fastact
    >>> fastact.get_num_threads() >= 1
    True
    """
    return _dispatch.KERNELS._get_num_threads()


def _from_environment():
    value = os.environ.get("FASTACT_NUM_THREADS")
    if not value:
        return
    try:
        n = int(value)
        if n < 1:
            raise ValueError
    except ValueError:
        raise ValueError(f"fastact: FASTACT_NUM_THREADS must be a positive integer, "
                         f"got {value!r}") from None
    set_num_threads(n)


def config():
    """The build and run-time facts as a dict (what show_config prints)."""
    build = dict(_dispatch.KERNELS.BUILD)
    msvc = build["compiler"] == "msvc"
    flags = (_build_config.MSVC_FLAGS if msvc else _build_config.COMMON_FLAGS) \
        + list(_build_config.X86_TARGETS[build["isa"]][1])
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
        "compiler": build["compiler"],
        "flags": " ".join(flags),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }


def show_config(file=None):
    """Print the build: version, the ISA loaded, the ISA variants built into this
    installation and those this CPU supports, threads, OpenMP, compiler and flags.

    ``fastact._config.config()`` returns the same facts as a dict.

    >>> import io, fastact
    >>> buf = io.StringIO()
    >>> fastact.show_config(file=buf)
    >>> "isa_built" in buf.getvalue() and "openmp" in buf.getvalue()
    True
    """
    for key, value in config().items():
        if isinstance(value, list):
            value = ", ".join(value)
        print(f"{key:>14}: {value}", file=file or sys.stdout)


_from_environment()

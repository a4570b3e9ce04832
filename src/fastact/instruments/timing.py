"""Timing for the bench: the functions compared take turns, each sample a loop of calls
long enough to time (MIN_SAMPLE), with the garbage collector off, so that a change of
machine load falls on every implementation alike."""

import gc
import math
import time

MIN_SAMPLE = 0.002          # seconds per timed sample (a loop of calls at small n)


def kernel_target():
    """Which compiled target the timings ran on, for every report's header: the one
    dispatched, what this CPU supports and what was built (FASTACT_ISA forces one)."""
    from .. import _dispatch
    return (f"kernels: the {_dispatch.KERNELS.isa} target (this CPU supports "
            f"{', '.join(_dispatch.supported())}; built: {', '.join(_dispatch.built())}; "
            "FASTACT_ISA=<target> forces one)")


def _loop(fn, number, clock=time.perf_counter):
    t0 = clock()
    for _ in range(number):
        fn()
    return clock() - t0


def _calibrate(fn):
    """Warm up fn and return how many calls make one sample of about MIN_SAMPLE."""
    fn()
    t = _loop(fn, 1)
    return max(1, int(math.ceil(MIN_SAMPLE / max(t, 1e-9)))) if t < MIN_SAMPLE else 1


def time_interleaved(fns, repeats, clock=time.perf_counter):
    """{name: [seconds per call, one per repeat]}; the functions take turns.  ``clock``:
    wall time by default; ``time.thread_time`` counts the CPU time of this thread only,
    steadier on a loaded machine for single-threaded calls."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        numbers = {name: _calibrate(fn) for name, fn in fns.items()}
        samples = {name: [] for name in fns}
        for _ in range(repeats):
            for name, fn in fns.items():
                samples[name].append(_loop(fn, numbers[name], clock) / numbers[name])
        return samples
    finally:
        if gc_was_enabled:
            gc.enable()

"""NumPy's floating-point flags raised by a kernel call, and the input that raises them."""

import numpy as np

class FlagCatcher:
    """Collects NumPy's floating-point warnings of a call (np.errstate with 'call')."""

    def __init__(self):
        self.hits = []

    def __call__(self, kind, flag):
        self.hits.append(kind)

    def run(self, f, *args):
        self.hits = []
        with np.errstate(divide="call", over="call", invalid="call", under="ignore",
                         call=self):
            out = f(*args)
        return out, list(self.hits)


def locate_flag(f, args, data_idx):
    """Bisect the inputs of a call that raised a flag; returns the index of one culprit."""
    catcher = FlagCatcher()
    lo, hi = 0, len(args[data_idx[0]])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        sub = [a[lo:mid] if (j in data_idx) else a for j, a in enumerate(args)]
        _, hits = catcher.run(f, *sub)
        if hits:
            hi = mid
        else:
            lo = mid
    return lo


def call_checked(stats, ufunc, data, params, xs_for_report, dtype, legit=None):
    """Run a kernel with the FP-flag catcher; record flags with an input that raises.

    legit: mask of the inputs whose correctly rounded result overflows (a finite x with
    an infinite reference): an overflow flag there is IEEE's, as np.multiply's would be,
    so the call is repeated without them to see whether anything else raises."""
    p = [np.asarray(v, dtype) for v in params]
    catcher = FlagCatcher()
    y, hits = catcher.run(ufunc, *data, *p)
    if hits and legit is not None and legit.any():
        keep = ~legit
        data = [d[keep] for d in data]
        xs_for_report = xs_for_report[keep]
        _, hits = catcher.run(ufunc, *data, *p)
    if hits:
        j = locate_flag(ufunc, list(data) + p, list(range(len(data))))
        stats.flag(",".join(sorted(set(hits))), xs_for_report[j])
    return y



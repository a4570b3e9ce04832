"""The statistics of one row (kernel, kind, dtype): max ULP and where, the absolute error
near the zeros of f' and for the from-output forms, the failures over the bounds, the
special-value failures and floating-point flags; and the number formats of the rows."""

import math
import threading

import numpy as np

from .facts import SLACK, subject, ulp_bound

class Stats:
    """Accumulates one row: (kernel or axis name, kind, dtype)."""

    def __init__(self, name, kind, dtype, ulp_bound, abs_bound=None, abs_everywhere=False):
        self.name, self.kind, self.dtype = name, kind, dtype
        self.ulp_bound, self.abs_bound, self.abs_everywhere = ulp_bound, abs_bound, abs_everywhere
        self.n = 0
        self.max_ulp, self.max_ulp_at = 0.0, None
        self.max_abs, self.max_abs_at = 0.0, None
        self.n_over_1ulp = 0
        self.n_fail = 0
        self.fail_examples = []
        self.n_special = 0
        self.special_examples = []
        self.flags = []
        self.seconds = 0.0
        self.skipped = 0            # from-output points where f' is not a function of y
        self.unit_note = ""         # the absolute unit where f' is unbounded
        self.lock = threading.Lock()

    def special(self, what, x, got, expected):
        with self.lock:
            self.n_special += 1
            if len(self.special_examples) < 8:
                self.special_examples.append(
                    {"what": what, "x": fmt_num(x), "x_hex": hex_str(x), "got": fmt_num(got),
                     "expected": fmt_num(expected)})

    def add(self, n, x, y, r, err_ulp, err_abs, window, ok=None):
        """err_ulp: ULP errors (specials already set to 0); err_abs: absolute errors in
        eps * M (None if no point is in the abs window); window: bool mask or None (None
        means none, True means all)."""
        if window is True:
            away = None
            ulp_all = err_ulp
        elif window is None:
            away = err_ulp
            ulp_all = err_ulp
        else:
            away = np.where(window, 0.0, err_ulp)
            ulp_all = err_ulp
        with self.lock:
            self.n += n
            src = ulp_all if window is True else away
            if src is not None and src.size:
                i = int(np.argmax(src))
                if src[i] > self.max_ulp or self.max_ulp_at is None:
                    self.max_ulp = float(src[i])
                    self.max_ulp_at = (float(x[i]), float(y[i]), float(r[i]))
                if src[i] > 1.0:
                    self.n_over_1ulp += int(np.count_nonzero(src > 1.0))
            ub = -1.0 if self.ulp_bound is None else self.ulp_bound
            if ok is not None and window is None:
                if bool(ok.all()):
                    return
                bad = ~ok
            else:
                bad = ~(err_ulp <= ub + SLACK)
            # (a chunk may be empty: every point left out where y overflows)
            if err_abs is not None and window is not None and err_abs.size:
                w = np.ones_like(bad) if window is True else window
                aw = np.where(w, err_abs, 0.0)
                j = int(np.argmax(aw))
                if w[j] and (aw[j] > self.max_abs or self.max_abs_at is None):
                    self.max_abs = float(aw[j])
                    self.max_abs_at = (float(x[j]), float(y[j]), float(r[j]))
                bad &= ~(w & (err_abs <= self.abs_bound + SLACK))
            nb = int(np.count_nonzero(bad))
            if nb:
                self.n_fail += nb
                for k in np.flatnonzero(bad)[:max(0, 5 - len(self.fail_examples))]:
                    self.fail_examples.append(
                        {"x": fmt_num(x[k]), "x_hex": hex_str(x[k]), "got": fmt_num(y[k]),
                         "expected": fmt_num(r[k]), "ulp": float(err_ulp[k])})

    def flag(self, what, x):
        with self.lock:
            if len(self.flags) < 8:
                self.flags.append({"flag": what, "x": fmt_num(x), "x_hex": hex_str(x)})

    def row(self):
        def at(t):
            if t is None:
                return None
            return {"x": fmt_num(t[0], self.dtype), "x_hex": hex_str(t[0]),
                    "got": fmt_num(t[1], self.dtype), "reference": fmt_num(t[2])}
        ok = self.n_fail == 0 and self.n_special == 0 and not self.flags
        return {
            "function": self.name, "kind": self.kind, "dtype": self.dtype, "points": self.n,
            "max_ulp": json_float(self.max_ulp), "max_ulp_at": at(self.max_ulp_at),
            "over_1ulp": self.n_over_1ulp, "ulp_bound": self.ulp_bound,
            "max_abs_eps": json_float(self.max_abs) if self.abs_bound is not None else None,
            "max_abs_at": at(self.max_abs_at), "abs_bound_eps": self.abs_bound,
            "abs_where": ("everywhere" + self.unit_note if self.abs_everywhere else
                          "near zero crossings" + self.unit_note if self.abs_bound is not None
                          else None),
            "failures": self.n_fail, "failure_examples": self.fail_examples,
            "special_failures": self.n_special, "special_examples": self.special_examples,
            "fp_flags": self.flags, "skipped": self.skipped, "ok": ok, "seconds": round(self.seconds, 3),
        }


def json_float(v):
    if v != v or math.isinf(v):
        return str(v)
    return v


def fmt_num(v, dtype="float64"):
    v = float(v)
    if dtype == "float32" and math.isfinite(v):
        return str(np.float32(v))
    return repr(v)


def hex_str(v):
    v = float(v)
    if not math.isfinite(v):
        return repr(v)
    h = v.hex()                           # '-0x1.8000000000000p+1' -> '-0x1.8p+1'
    m, _, e = h.partition("p")
    if "." in m:
        m = m.rstrip("0").rstrip(".")
    return m + "p" + e



def what_went_wrong(got, expected):
    """The special-value failure of got where the exact value expected is due."""
    if expected != expected:
        return "number where NaN is due"
    if got != got:
        return "NaN where a number is due"
    if math.isinf(expected) or math.isinf(got):
        return "wrong limit or infinity"
    if got == expected == 0:
        return "wrong sign of zero"
    return "wrong value where an exact value is due"


def new_stats(name, kind, dtype):
    """The Stats of a kernel's kind with its record's bounds."""
    sub = subject(name)
    acc = sub.accuracy
    ub = ulp_bound(sub, kind)
    if kind == "forward":
        st = Stats(sub.name, kind, dtype, ub)
    elif "from_output" in kind:
        st = Stats(sub.name, kind, dtype, ub, acc.from_output_eps, True)
    else:
        st = Stats(sub.name, kind, dtype, ub, acc.abs_eps if acc.crossings else None)
    if not math.isfinite(sub.max_derivative):
        st.unit_note = " (f' unbounded: M = max(1, |f'(x)|))"
    return st

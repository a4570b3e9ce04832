"""The command line, ``python -m fastact accuracy``: the rows of every kernel (elementwise,
axis, gated, losses) and dtype, printed as a table and written as JSON; ``measure_kernel``
and ``measure`` return the rows as dicts for the tests."""

import argparse
import json
import os
import sys
import threading
import time

from ... import _registry
from . import functions, second
from .axis import measure_axis
from .facts import DTYPES, POINTS64, PREC, QUICK_POINTS64, QUICK_STRIDE32, kernel_names
from .float32 import measure_kernel32
from .float64 import measure_kernel64

def measure_kernel(name, dtype, quick=True, workers=1, progress=None, cache=None, points=None,
                   stride=None, seed=0):
    """All rows (one per kind) for one elementwise kernel (a name, or a facts.Subject) or
    axis kernel and dtype (or a gated activation: accuracy_gated; a loss:
    accuracy_losses)."""
    if name in LOSSES:
        from .. import accuracy_losses
        return accuracy_losses.measure(name, dtype, quick, seed)
    if name in FUNCTIONS:
        return functions.measure(name, dtype, quick, seed)
    if name in GATED:
        from .. import accuracy_gated
        return accuracy_gated.measure(name, dtype, quick, seed)
    if isinstance(name, str) and name in _registry.AXIS_KERNELS:
        return measure_axis(name, dtype, quick, workers, progress, seed)
    # then f'' (second.py), where the record gives it
    if dtype == "float64":
        return (measure_kernel64(name, quick, workers, progress, cache, points, seed)
                + second.measure(name, dtype, quick, seed))
    return measure_kernel32(name, quick, workers, progress, stride) + \
        second.measure(name, dtype, quick, stride=stride)


GATED = tuple(a.name for a in _registry.GATED)
LOSSES = ("cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
          "binary_cross_entropy", "mse_loss", "huber_loss",
          "smooth_l1_loss")                                         # accuracy_losses.LOSSES
FUNCTIONS = functions.FUNCTIONS          # logsumexp, sparsemax
_MEMO = {}


def measure(kernel_name, kind, dtype, quick=True):
    """One row: the kind's statistics (a dict, see the JSON output); memoized per kernel."""
    key = (kernel_name, dtype, quick)
    if key not in _MEMO:
        _MEMO[key] = {r["kind"]: r for r in measure_kernel(kernel_name, dtype, quick)}
    return _MEMO[key][kind]


class Progress:
    """A one-line progress bar on stderr (a line every 10% when stderr is not a TTY)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.lock = threading.Lock()

    def start(self, label, total):
        self.label, self.total, self.count = label, max(1, total), 0
        self.t0 = time.perf_counter()
        self.last = -1

    def step(self, k):
        with self.lock:
            self.count += k
            frac = min(1.0, self.count / self.total)
            el = time.perf_counter() - self.t0
            if self.tty:
                bar = "#" * int(frac * 30)
                eta = el / frac - el if frac > 0 else 0
                self.stream.write(f"\r{self.label} [{bar:<30}] {frac * 100:5.1f}% "
                                  f"{el:6.1f}s eta {eta:5.0f}s ")
                self.stream.flush()
            elif int(frac * 10) != self.last:
                self.last = int(frac * 10)
                self.stream.write(f"{self.label}: {frac * 100:3.0f}% {el:.1f}s\n")
                self.stream.flush()

    def done(self):
        el = time.perf_counter() - self.t0
        if self.tty:
            self.stream.write(f"\r{self.label}: done in {el:.1f}s" + " " * 40 + "\n")
            self.stream.flush()


def _fmt_ulp(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if v == 0:
        return "0"
    if v < 100:
        return f"{v:.3g}"
    return f"{v:.3e}"


def format_table(rows, header=""):
    cols = ("dtype", "function", "kind", "points", "max ulp", "at x (hex)", "at x",
            ">1ulp", "ulp bound", "max abs", "abs bound", "fails", "special", "status")
    lines = []
    body = []
    for r in rows:
        at = r.get("max_ulp_at") or {}
        if r.get("max_ulp") is None and r.get("max_abs_at"):
            at = r["max_abs_at"]
        body.append((
            r["dtype"], r["function"], r["kind"], f"{r['points']:,}", _fmt_ulp(r["max_ulp"]),
            at.get("x_hex", "-"), at.get("x", "-"), str(r["over_1ulp"]),
            _fmt_ulp(r["ulp_bound"]),
            _fmt_ulp(r["max_abs_eps"]) if r["max_abs_eps"] is not None else "-",
            (_fmt_ulp(r["abs_bound_eps"]) + ("" if r["function"] in FUNCTIONS else " eps*M"))
            if r["abs_bound_eps"] is not None else "-",
            str(r["failures"]), str(r["special_failures"] + len(r["fp_flags"])),
            "ok" if r["ok"] else "FAIL"))
    widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c)
              for i, c in enumerate(cols)]
    if header:
        lines.append(header)
    lines.append("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) for v, w in zip(b, widths)))
    details = []
    for r in rows:
        for ex in r["special_examples"]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: {ex['what']}: "
                           f"x={ex['x']} ({ex['x_hex']}) got {ex['got']}, expected {ex['expected']}")
        for ex in r["fp_flags"]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: FP flag {ex['flag']} "
                           f"at x={ex['x']} ({ex['x_hex']})")
        for ex in r["failure_examples"][:3]:
            details.append(f"  {r['dtype']} {r['function']} {r['kind']}: over the bound: "
                           f"x={ex['x']} ({ex['x_hex']}) got {ex['got']}, reference {ex['expected']}"
                           f" ({ex['ulp']:.3g} ulp)")
    if details:
        lines.append("")
        lines.append("failures:")
        lines += details
    # the from-output forms are measured only where f' is a function of y (facts)
    # and an unbounded f' has no global scale M (facts.abs_unit)
    notes = [f"  {r['dtype']} {r['function']} {r['kind']}: {r['skipped']:,} points left out "
             f"where y = f(x) overflows and f' is not a function of y"
             for r in rows if r.get("skipped")]
    notes += [f"  {r['dtype']} {r['function']} {r['kind']}: 'max abs' in eps * max(1, |f'(x)|) "
              f"(f' unbounded)" for r in rows if "unbounded" in (r.get("abs_where") or "")]
    notes += [f"  {r['dtype']} {r['function']} {r['kind']}: 'max abs' in {r['abs_where']}"
              for r in rows if r["function"] in FUNCTIONS and r["max_ulp"] is None]
    notes += [f"  {r['dtype']} {r['function']} {r['kind']}: {r['left_out']:,} points left out: "
              f"{r['left_out_why']}" for r in rows if r.get("left_out")]
    if notes:
        lines += ["", "notes:"] + notes
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m fastact accuracy",
        description="Measure the error of every fastact kernel in ULP against a reference "
                    "(float32: every input against the float64 kernel; float64: mpmath).")
    ap.add_argument("--quick", action="store_true",
                    help=f"a strided subset of float32 (every {QUICK_STRIDE32}th pattern) and "
                         f"{QUICK_POINTS64} float64 points per kernel, plus all special values")
    ap.add_argument("--only", default=None,
                    help="comma-separated kernel names (e.g. gelu,silu,softmax), gated "
                         "activations (swiglu, geglu, reglu, glu), functions (logsumexp, "
                         "sparsemax) or losses (cross_entropy, "
                         "binary_cross_entropy_with_logits, nll_loss, binary_cross_entropy, "
                         "mse_loss, huber_loss, smooth_l1_loss)")
    ap.add_argument("--dtype", choices=DTYPES, default=None, help="one dtype (default both)")
    ap.add_argument("--json", default=None, metavar="PATH", help="write the rows as JSON")
    ap.add_argument("--out", default=None, metavar="PATH", help="write the text table here too")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="threads (float32) and processes (mpmath) to use")
    ap.add_argument("--points", type=int, default=None,
                    help=f"float64 points per kernel (default {POINTS64}, quick {QUICK_POINTS64})")
    ap.add_argument("--stride", type=int, default=None,
                    help="float32: take every STRIDE-th bit pattern (default 1, quick "
                         f"{QUICK_STRIDE32})")
    ap.add_argument("--cache", default=None, metavar="DIR",
                    help="keep the mpmath reference values in DIR and reuse them")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)

    names = (kernel_names() + list(_registry.AXIS_KERNELS) + list(GATED) + list(FUNCTIONS)
             + list(LOSSES))
    if args.only:
        wanted = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            ap.error(f"unknown kernel(s): {', '.join(unknown)}; known: {', '.join(names)}")
        # an activation's name selects its general kernel too (hardsigmoid_general)
        names = [n for n in names if n in wanted or (
            n in _registry.KERNEL_BY_NAME and _registry.KERNEL_BY_NAME[n].record in wanted)]
    dtypes = [args.dtype] if args.dtype else list(DTYPES)
    progress = None if args.no_progress else Progress()
    rows = []
    t0 = time.perf_counter()
    timing = {}
    for dtype in dtypes:
        td = time.perf_counter()
        for name in names:
            rows += measure_kernel(name, dtype, args.quick, max(1, args.workers), progress,
                                   args.cache, args.points, args.stride, args.seed)
        timing[dtype] = time.perf_counter() - td
    total = time.perf_counter() - t0
    f64_note = ""
    f64_rows = [r for r in rows if r["dtype"] == "float64" and r["kind"] == "forward"
                and r["max_ulp"] is not None]
    if f64_rows:
        worst = max(float(r["max_ulp"]) for r in f64_rows)
        f64_note = (f"; the float64 forwards' worst error here, {worst:.3g} ULP64, is "
                    f"{worst * 2.0 ** -29:.2g} ULP32")
    mode = "quick" if args.quick else "full"
    header = (
        f"fastact accuracy ({mode}): errors in ULP of the correctly rounded reference; "
        f"'max abs' in eps * max|f'| (near zero crossings of f', everywhere for the "
        f"from-output forms)\n"
        f"float64 reference: mpmath at {PREC} bits; float32 reference: the float64 kernel on "
        f"the widened input (itself measured against mpmath{f64_note})\n"
        + ("losses (fastact.instruments.accuracy_losses): float32 and float64 against mpmath; 'grad' in "
           "ULP of the magnitude of its terms; bounds fastact.losses.ACCURACY, C = classes\n"
           if any(r["function"] in LOSSES for r in rows) else "")
        + ("functions (logsumexp, sparsemax; instruments/accuracy/functions.py): "
           "float32 and float64 against mpmath, in the units the notes give; bounds in "
           "each function's ACCURACY\n"
           if any(r["function"] in FUNCTIONS for r in rows) else "")
        + "".join(f"{d}: {timing[d]:.1f}s  " for d in dtypes) + f"total {total:.1f}s, "
        f"{max(1, args.workers)} worker(s)")
    text = format_table(rows, header)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"mode": mode, "prec_bits": PREC, "seconds": round(total, 2),
                       "seconds_by_dtype": {d: round(t, 2) for d, t in timing.items()},
                       "workers": args.workers, "rows": rows}, f, indent=1)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

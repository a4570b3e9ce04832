"""``python -m fastact bench``: how fast fastact is next to what a user would run instead.

For every activation (gelu twice: exact and tanh), each dtype (float32 and float64; with
``--dtype`` also float16 and bfloat16), forward and backward, it
times fastact and each installed peer (NumPy, SciPy, PyTorch, JAX, ONNX Runtime, numba;
their formulas are in the records, ``fastact.instruments.peers`` builds the table) on the same n
elements and prints Melem/s, the ratio of fastact to the fastest peer, and fastact's
speedup over the pure-Python reference (timed on fewer elements and compared per
element).  Then, unless ``--no-errors``, what each gives up for its speed: its maximum
error on the same case over a strided scan of inputs (fastact.instruments.peer_errors).
bfloat16 is ml_dtypes' dtype for fastact and NumPy, torch.bfloat16 on the same bits for
PyTorch and jnp.bfloat16 for JAX; a peer that does not compute in a 16-bit format
(raises on it, or returns float32) is left out of that case (fastact.instruments.peers.build).

Method: every implementation is warmed up, then called in a loop long enough to measure
(at least 2 ms per sample); the implementations of one case take turns, ``--repeats``
times, so that machine noise hits them alike; the best sample counts (noise only ever
adds time).  One thread by default: fastact and the peers that take a count (PyTorch,
ONNX Runtime, numba) run with ``--threads`` threads.
``--limits`` measures the two other targets instead: the memory-bound kernels against
``np.copyto`` at n = 1e7, and the cost of a call on 1000 float32 elements (each forward,
and calls with out=, parameters and the other methods), in CPU time (not the time the
process waits for a core).  ``--losses``, ``--masked`` and ``--functions`` time case
groups against their peers instead (fastact.instruments.bench_losses and bench_groups:
the losses; softmax with a causal ``where=`` mask; logsumexp and sparsemax).
Every report names the machine and the kernels' target.  Times vary from run to run on a busy machine: read the
ratios, not the absolutes, and never assert on them.
"""

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np

from .. import ACTIVATIONS, UFUNCS, __version__, _registry, set_num_threads
from . import peer_errors as _peer_errors, peers as _peers
from .timing import kernel_target, time_interleaved
from .._dispatch import BFLOAT16

DTYPE_NAMES = ("float32", "float64")                # the default run
DTYPE_CHOICES = DTYPE_NAMES + _peers.DTYPES16       # --dtype may also name the 16-bit ones


# ---- the run --------------------------------------------------------------------------

def _int(text):
    """'1e6', '1_000_000' or '1000000' -> 1000000."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"must be a positive whole number: {text!r}")
    return int(value)


def _int0(text):
    return 0 if text.strip() in ("0", "0.0") else _int(text)


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m fastact bench",
        description="Melem/s of fastact and its installed peers (NumPy, SciPy, PyTorch, JAX, "
                    "ONNX Runtime, numba) per activation, dtype, forward and backward, on "
                    "one thread, and each one's maximum error on a strided scan of inputs.",
        epilog="--losses, --masked, --functions and --limits combine: one run, under one "
               "header naming the machine and the kernels' target.  Read the ratios, not "
               "the absolutes: the figures move with machine load.")
    p.add_argument("--n", type=_int, default=1_000_000,
                   help="elements per call (default 1e6; softmax as rows of 1000)")
    p.add_argument("--repeats", type=_int, default=5,
                   help="timed samples per implementation; the best counts (default 5)")
    p.add_argument("--dtype", default="float32,float64",
                   help="comma-separated, of float32, float64, float16 and bfloat16 "
                        "(ml_dtypes'; PyTorch runs torch.bfloat16 on the same bits); "
                        "'all' for the four (default float32,float64)")
    p.add_argument("--only", metavar="NAME[,NAME]", default=None,
                   help="activations (or cases such as gelu_tanh) to run (default all)")
    p.add_argument("--threads", type=_int, default=1,
                   help="threads for fastact and every peer that takes a count (PyTorch, "
                        "ONNX Runtime, numba; default 1)")
    p.add_argument("--limits", action="store_true",
                   help="instead of the table: the memory-bound kernels at n = 1e7 against "
                        "np.copyto, and the cost of one call on 1000 float32 elements "
                        "against np.tanh")
    p.add_argument("--losses", action="store_true",
                   help="instead of the table: the losses (cross_entropy, "
                        "binary_cross_entropy_with_logits, nll_loss, binary_cross_entropy, "
                        "mse_loss, huber_loss, smooth_l1_loss), forward and value_and_grad, "
                        "against NumPy and PyTorch (fastact.instruments.bench_losses)")
    p.add_argument("--masked", action="store_true",
                   help="instead of the table: softmax with a causal mask as where= on 8 x "
                        "256 x 256, forward and backward, against NumPy and PyTorch's "
                        "masked_fill + softmax (fastact.instruments.bench_groups)")
    p.add_argument("--functions", action="store_true",
                   help="instead of the table: logsumexp and sparsemax, forward "
                        "and backward, against SciPy, PyTorch, JAX and NumPy "
                        "(fastact.instruments.bench_groups)")
    p.add_argument("--row", type=_int, default=_peers.SOFTMAX_ROW,
                   help="row length of the softmax-type and glu cases (default "
                        f"{_peers.SOFTMAX_ROW}; attention rows are 64 to 256)")
    p.add_argument("--ref-n", type=_int0, default=10_000, dest="ref_n",
                   help="elements for timing the pure-Python reference (default 1e4; 0 skips)")
    p.add_argument("--no-errors", action="store_false", dest="errors",
                   help="skip the error table (the scan: float32 every "
                        f"{_peer_errors.STRIDE32}th bit pattern, float64 "
                        f"{_peer_errors.POINTS64} points against mpmath, float16 and "
                        "bfloat16 every bit pattern)")
    p.add_argument("--json", metavar="PATH", default=None,
                   help="also write every sample and the table to PATH as JSON")
    return p


def _select(parser, args):
    dtypes = [s.strip() for s in args.dtype.split(",") if s.strip()]
    if dtypes == ["both"]:
        dtypes = list(DTYPE_NAMES)
    elif dtypes == ["all"]:
        dtypes = [d for d in DTYPE_CHOICES if d != "bfloat16" or BFLOAT16 is not None]
    bad = [d for d in dtypes if d not in DTYPE_CHOICES]
    if bad or not dtypes:
        parser.error(f"--dtype: choose from {', '.join(DTYPE_CHOICES)}; got {args.dtype!r}")
    if "bfloat16" in dtypes and BFLOAT16 is None:
        parser.error("--dtype bfloat16 needs ml_dtypes (pip install ml_dtypes, or "
                     "fastact[bfloat16])")
    only = None
    if args.only:
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        known = list(ACTIVATIONS) + [c.name for c in _peers.cases() if c.name not in ACTIVATIONS]
        unknown = sorted(only - set(known))
        if unknown:
            parser.error(f"--only: unknown {', '.join(unknown)}; known: {', '.join(known)}")
    return dtypes, _peers.cases(only)


class _Progress:
    """One status line on stderr, rewritten in place on a terminal."""

    def __init__(self, total, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, text):
        self.done += 1
        line = f"fastact bench [{self.done:>3}/{self.total}] {text}"
        if self.tty:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run(n=1_000_000, repeats=5, dtypes=DTYPE_NAMES, cases=None, ref_n=10_000, threads=1,
        progress=None, max_errors=True):
    """Time everything; return a list of result dicts (one per implementation and case).
    max_errors: also measure each implementation's maximum error ("max_error")."""
    cases = _peers.cases() if cases is None else cases
    results = []
    for dtype in dtypes:
        for case in cases:
            if progress:
                progress.step(f"{case.name} {dtype}")
            data = _peers.make_data(case, dtype, n)
            ref_data = _peers.make_data(case, dtype, ref_n) if ref_n else None
            scan = _peer_errors.Scan(case, dtype) \
                if max_errors and _peer_errors.scanned(case) else None
            for pass_ in _peers.PASSES:
                fns, errors, builders = {}, {}, {}
                for impl, builder in _peers.builders(case, pass_, reference=False).items():
                    try:
                        fns[impl] = _peers.build(impl, builder, data)
                        builders[impl] = builder
                    except _peers.Unsupported:     # the peer lacks this dtype: absent
                        pass
                    except Exception as exc:       # a peer that breaks is reported, not fatal
                        errors[impl] = f"{type(exc).__name__}: {exc}"
                samples = time_interleaved(fns, repeats)
                max_error = _peer_errors.errors(scan, pass_, builders) if scan else {}
                if ref_data is not None:
                    ref_fn = _peers.builders(case, pass_)["reference"](ref_data)
                    samples_ref = time_interleaved({"reference": ref_fn},
                                                   max(1, min(3, repeats)))
                    samples.update(samples_ref)
                for impl in list(fns) + (["reference"] if ref_data is not None else []):
                    elems = ref_data.n if impl == "reference" else data.n
                    best = min(samples[impl])
                    results.append({
                        "function": case.name, "activation": case.activation,
                        "kwargs": case.kwargs, "dtype": dtype, "pass": pass_, "impl": impl,
                        "n": elems, "threads": threads,
                        "backward_from": ("y" if case.from_output else "x")
                        if pass_ == "backward" else None,
                        "seconds_best": best,
                        "seconds_median": float(np.median(samples[impl])),
                        "samples": samples[impl],
                        "melem_per_s": elems / best / 1e6,
                        "max_error": _json_float(max_error.get(impl)),
                    })
                for impl, err in errors.items():
                    results.append({"function": case.name, "dtype": dtype, "pass": pass_,
                                    "impl": impl, "error": err})
    return results


def _json_float(v):
    """inf as the string "inf" (JSON has no infinity); None stays None."""
    return "inf" if v is not None and math.isinf(v) else v


# ---- the table ------------------------------------------------------------------------

def summarize(results, peers):
    """Rows (dtype, function, pass) -> fastact, peers, best peer, ratio, speedup vs ref,
    and each implementation's maximum error."""
    by = {}
    for r in results:
        by.setdefault((r["dtype"], r["function"], r["pass"]), {})[r["impl"]] = r
    rows = []
    for (dtype, function, pass_), impls in by.items():
        rate = {k: v.get("melem_per_s") for k, v in impls.items()}
        fa = rate.get("fastact")
        peer_rates = {p: rate[p] for p in peers if rate.get(p)}
        best_peer = max(peer_rates, key=peer_rates.get) if peer_rates else None
        ref = rate.get("reference")
        rows.append({
            "dtype": dtype, "function": function, "pass": pass_,
            "melem_per_s": {k: v for k, v in rate.items() if v},
            "max_error": {k: v["max_error"] for k, v in impls.items()
                          if v.get("max_error") is not None},
            "errors": {k: v["error"] for k, v in impls.items() if "error" in v},
            "best_peer": best_peer,
            "vs_best_peer": fa / peer_rates[best_peer] if fa and best_peer else None,
            "vs_reference": fa / ref if fa and ref else None,
        })
    return rows


def _rate(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _ratio(v):
    if v is None:
        return "-"
    if v < 1:
        return f"{v:.2g}x"       # two significant digits: 0.42x, 0.011x
    return f"{v:.2f}x" if v < 10 else f"{v:,.0f}x"


def _err(v):
    """A maximum error: 0, 0.5, 2.5, 104, 6.5e4, inf."""
    if v is None:
        return "-"
    v = float(v)
    if v == 0:
        return "0"
    if math.isinf(v):
        return "inf"
    if v < 10:
        return f"{v:.2g}"
    return f"{v:.0f}" if v < 1e4 else f"{v:.1e}".replace("e+0", "e").replace("e+", "e")


def _geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


HEADERS = {"onnxruntime": "onnxrt"}     # column headings (8 characters at most)
W = 8


def _grid(rows, cols, cell, name_w):
    """Lines of one table per dtype: a column per cols entry, forward | backward;
    cell(row, col) -> text (row None: the pass is missing)."""
    block = " ".join(f"{HEADERS.get(c, c):>{W}}" for c in cols)
    half = len(block)
    by_dtype = {}
    for r in rows:
        by_dtype.setdefault(r["dtype"], {}).setdefault(r["function"], {})[r["pass"]] = r
    lines = []
    for dtype, funcs in by_dtype.items():
        lines.append("")
        lines.append(f"{dtype:<{name_w}}  {'forward':^{half}}  |  {'backward':^{half}}")
        lines.append(f"{'function':<{name_w}}  {block}  |  {block}")
        for function, passes in funcs.items():
            cells = []
            for pass_ in _peers.PASSES:
                r = passes.get(pass_)
                cells.append(" ".join(f"{'' if r is None else cell(r, c):>{W}}" for c in cols))
            lines.append(f"{function:<{name_w}}  {cells[0]}  |  {cells[1]}")
    return lines


def format_table(rows, peers, meta):
    with_ref = any(r["vs_reference"] for r in rows)
    cols = ["fastact", *peers, "vs best"] + (["vs ref"] if with_ref else [])
    name_w = max([len("function")] + [len(r["function"]) for r in rows])
    threads = meta["threads"]
    lines = [
        f"fastact {meta['fastact']} bench: n = {meta['n']:,} elements per call, "
        f"best of {meta['repeats']} interleaved runs; {threads} thread(s) for fastact and "
        "every peer that takes a count (torch.set_num_threads, ONNX Runtime's "
        "intra_op_num_threads; numba one thread, or target='parallel' above 1; "
        "XLA:CPU one thread)",
        meta.get("target") or kernel_target(),
        "peers: " + (", ".join(f"{k} {v}" for k, v in meta["peers"].items())),
        "Melem/s (higher is better); vs best = fastact / fastest peer (> 1: fastact is faster)"
        + (f"; vs ref = speedup over the pure-Python reference (timed on "
           f"{meta['ref_n']:,} elements, per element)" if with_ref else ""),
        "backward = g * f'(.) from the forward's output y where f' is a function of y "
        "(as torch's autograd), else from x (JAX: jit of its vjp, always from x; "
        "ONNX Runtime: forward only); softmax: rows of "
        f"{min(meta['n'], meta.get('row', _peers.SOFTMAX_ROW))}",
    ]

    def speed(r, c):
        if c == "vs best":
            return _ratio(r["vs_best_peer"])
        if c == "vs ref":
            return _ratio(r["vs_reference"])
        return "err" if c in r["errors"] else _rate(r["melem_per_s"].get(c))

    lines += _grid(rows, cols, speed, name_w)
    lines.append("")
    for dtype in dict.fromkeys(r["dtype"] for r in rows):
        parts = []
        for pass_ in _peers.PASSES:
            rs = [r for r in rows if r["dtype"] == dtype and r["pass"] == pass_]
            ratios = [r["vs_best_peer"] for r in rs if r["vs_best_peer"]]
            if not ratios:
                continue
            wins = sum(1 for v in ratios if v >= 1)
            parts.append(f"{pass_} {_ratio(_geomean(ratios))} "
                         f"(faster than every peer in {wins}/{len(ratios)})")
        if parts:
            lines.append(f"{dtype}: geometric mean of fastact / best peer: " + "; ".join(parts))
    if any(r["max_error"] for r in rows):
        lines += [
            "",
            "What each gives up for its speed: maximum error on the same case over a strided "
            f"scan (float32: every {_peer_errors.STRIDE32}th bit pattern, the finite ones, "
            "against the float64 kernel; float64: "
            f"{_peer_errors.POINTS64} points over every binade against mpmath; both with the "
            "kinks and zeros of f'; float16 and bfloat16: every finite bit pattern against "
            "the float64 kernel), in ULP of the correctly rounded result (of the case's "
            "dtype)",
            "backward: near zeros of f' and where timed from y, the smaller of ULP and "
            "|error| / (eps max|f'| |g|), as the accuracy tool; not counted at the kinks "
            "themselves (f' there is a convention); softmax rows: the accuracy tool's "
            "row-scale units (ULP / (1 + |x_i - max| + n/8); log_softmax and backwards: eps "
            "times the terms' scale); inf: NaN or inf where a number is due, or beyond 1e308 "
            "ULP; a tail flushed to zero (or a subnormal input taken as 0) shows as a huge "
            "figure",
        ]
        lines += _grid(rows, ["fastact", *peers],
                       lambda r, c: _err(r["max_error"].get(c)), name_w)
    errs = [(r["function"], r["dtype"], r["pass"], k, v)
            for r in rows for k, v in r["errors"].items()]
    for e in errs:
        lines.append("error: {} {} {} {}: {}".format(*e))
    return "\n".join(lines)


def _machine():
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpu": cpu, "cpu_count": os.cpu_count()}


def _machine_line():
    """The machine a report's figures come from: CPU (count, widest vector ISA), OS,
    Python and NumPy."""
    from .bench_losses import _cpu
    m = _machine()
    return (f"machine: {_cpu()}; {m['platform']}; Python {m['python']}, "
            f"NumPy {np.__version__}")


# ---- --limits: the memory bound and the cost of a small call ---------------------------

# Memory-bound forwards: the piecewise-linear kernels (a select or one multiplication per
# element; their records' derivative bound is 0 ULP, exact).  With every from-output
# backward they are compared with np.copyto on arrays of the same size.
MEMORY_BOUND = tuple(k for k, acc in _registry.ACCURACY.items()
                     if acc.derivative == 0 and k in _registry.BY_NAME)   # not general kernels
LIMITS_N = 10_000_000
SMALL_N = 1000


def _required(f):
    """The example values of f's required parameters (threshold's), which every call
    passes: the records' `default` of a required Param."""
    return tuple(p.default for p in f.params if p.required)


def _small_calls(x):
    """{label: call} on x (float32, 1-d): the calls of issue 12, with out=, parameters by
    position and by keyword, the other methods, prelu's scalar weight, softmax's along
    the last axis (rows of 100), and the bare ufunc (the floor of them all)."""
    A = ACTIVATIONS
    g, y, o = np.cos(x), A["sigmoid"](x), np.empty_like(x)
    X = x.reshape(-1, 100) if x.size % 100 == 0 else x[None]
    G, O = np.cos(X), np.empty_like(X)
    Y, LY = A["softmax"](X), A["log_softmax"](X)
    return {
        "UFUNCS['tanh'](x)": lambda: UFUNCS["tanh"](x),
        "tanh(x, out=o)": lambda: A["tanh"](x, out=o),
        "leaky_relu(x, 0.2)": lambda: A["leaky_relu"](x, 0.2),
        "leaky_relu(x, negative_slope=0.2)": lambda: A["leaky_relu"](x, negative_slope=0.2),
        "elu(x, alpha=0.5, out=o)": lambda: A["elu"](x, alpha=0.5, out=o),
        "hardtanh(x, -2.0, 2.0, out=o)": lambda: A["hardtanh"](x, -2.0, 2.0, out=o),
        "elu.derivative(x, 0.5, out=o)": lambda: A["elu"].derivative(x, 0.5, out=o),
        "elu.backward(g, x, alpha=0.5, out=o)": lambda: A["elu"].backward(g, x, alpha=0.5,
                                                                          out=o),
        "leaky_relu.derivative_from_output(y, 0.2, out=o)":
            lambda: A["leaky_relu"].derivative_from_output(y, 0.2, out=o),
        "sigmoid.backward_from_output(g, y, out=o)":
            lambda: A["sigmoid"].backward_from_output(g, y, out=o),
        "prelu(x, 0.2)": lambda: A["prelu"](x, 0.2),
        "gelu(x, approximate='tanh')": lambda: A["gelu"](x, approximate="tanh"),
        "softmax(X)": lambda: A["softmax"](X),
        "softmax(X, axis=1, out=O)": lambda: A["softmax"](X, axis=1, out=O),
        "softmax.backward(G, X)": lambda: A["softmax"].backward(G, X),
        "softmax.backward_from_output(G, Y)": lambda: A["softmax"].backward_from_output(G, Y),
        "softmax.backward_from_output(G, Y, axis=1, out=O)":
            lambda: A["softmax"].backward_from_output(G, Y, axis=1, out=O),
        "log_softmax.backward_from_output(G, Y)":
            lambda: A["log_softmax"].backward_from_output(G, LY),
        "log_softmax.backward_from_output(G, Y, -1, out=O)":
            lambda: A["log_softmax"].backward_from_output(G, LY, -1, out=O),
    }


def run_limits(dtypes, repeats, n=LIMITS_N, small_n=SMALL_N, progress=None):
    """Lines of text: Melem/s of each memory-bound kernel / np.copyto's at n, then the
    microseconds of one forward call on small_n float32 elements / np.tanh's, and of the
    calls of _small_calls (all timed in turns with np.tanh)."""
    rng = np.random.default_rng(0)
    lines = [f"memory-bound kernels: n = {n:,}, Melem/s of CPU time (the process's: every "
             f"thread's, without the time it waits for a core), out= preallocated; "
             f"ratio = fastact / np.copyto(out, x) on the same arrays; the backwards read two "
             f"arrays, so also / np.multiply(g, y, out) (the same three streams)"]
    for dtype in dtypes:
        x = rng.standard_normal(n).astype(dtype)
        g = rng.standard_normal(n).astype(dtype)
        out = np.empty_like(x)
        fns = {"np.copyto": lambda: np.copyto(out, x),
               "np.multiply": lambda: np.multiply(g, x, out=out)}
        for name in MEMORY_BOUND:
            f = ACTIVATIONS[name]
            fns[name] = (lambda f, a: lambda: f(x, *a, out=out))(f, _required(f))
        for name, f in ACTIVATIONS.items():
            if hasattr(f, "derivative_from_output"):     # elementwise: not the softmax family
                a = _required(f)
                y = f(x, *a)
                fns[name + ".backward_from_output"] = (
                    lambda f, y, a: lambda: f.backward_from_output(g, y, *a, out=out))(f, y, a)
        if progress:
            progress.step(f"memory-bound {dtype}")
        samples = time_interleaved(fns, repeats, clock=time.process_time)
        base = n / min(samples["np.copyto"]) / 1e6
        base3 = n / min(samples["np.multiply"]) / 1e6
        lines.append(f"{dtype}: np.copyto {base:,.0f}, np.multiply {base3:,.0f}")
        for name in fns:
            if not name.startswith("np."):
                rate = n / min(samples[name]) / 1e6
                three = f"  {rate / base3:5.2f}x" if "backward" in name else ""
                lines.append(f"  {name:<34} {rate:>8,.0f}  {rate / base:5.2f}x{three}")
    x = rng.standard_normal(small_n).astype(np.float32)
    fns = {"np.tanh": lambda: np.tanh(x)}
    for name, f in ACTIVATIONS.items():
        fns[name] = (lambda f, a: lambda: f(x, *a))(f, _required(f))
    calls = _small_calls(x)
    fns.update(calls)
    if progress:
        progress.step("small calls")
    # CPU time of this thread: the calls run on it (1000 elements are one thread's work),
    # and the time the process waits for a core on a busy machine is not theirs
    samples = time_interleaved(fns, repeats, clock=time.thread_time)
    base = min(samples["np.tanh"]) * 1e6
    lines.append("")
    lines.append(f"one call on {small_n:,} float32 elements, CPU microseconds (this thread); "
                 f"ratio = fastact / np.tanh(x) ({base:.2f} us)")
    for name in fns:
        if name != "np.tanh" and name not in calls:
            t = min(samples[name]) * 1e6
            lines.append(f"  {name:<34} {t:8.2f}  {t / base:5.2f}x")
    lines.append("")
    lines.append("calls with out=, parameters and the other methods (the same elements; X: "
                 "rows of 100), CPU microseconds, ratio to np.tanh(x)")
    for name in calls:
        t = min(samples[name]) * 1e6
        lines.append(f"  {name:<48} {t:8.2f}  {t / base:5.2f}x")
    return lines


def _group_lines(group, repeats, dtypes):
    if group == "losses":
        from . import bench_losses
        return bench_losses.run(repeats, dtypes)
    if group == "limits":
        progress = _Progress(len(dtypes) + 1)
        try:
            lines = run_limits(dtypes, repeats, progress=progress)
        finally:
            progress.close()
        return [f"best of {repeats} interleaved runs"] + lines
    from . import bench_groups
    return bench_groups.run(group, repeats, dtypes)


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    dtypes, cases = _select(parser, args)
    groups = [g for g in ("losses", "masked", "functions", "limits") if getattr(args, g)]
    if groups:
        # one run of any of them together, under one header (issue 22: the speed page's
        # figures from one run, the machine and the target named)
        if set(dtypes) - set(DTYPE_NAMES):
            parser.error(f"--{groups[0]} takes float32 and float64 only")
        set_num_threads(args.threads)
        torch_threads = _peers.set_torch_threads(args.threads)
        print(f"fastact {__version__} bench --{' --'.join(groups)}: "
              f"fastact.set_num_threads({args.threads}), torch.set_num_threads"
              f"({args.threads if torch_threads is None else torch_threads}), "
              f"{time.strftime('%Y-%m-%d %H:%M %Z')}")
        print(_machine_line())
        print(kernel_target())
        for group in groups:
            print(f"\n--{group}")
            print("\n".join(_group_lines(group, args.repeats, dtypes)))
        return 0
    torch_threads = _peers.set_peer_threads(args.threads)
    set_num_threads(args.threads)               # the same thread count for fastact
    peers = [p for p in _peers.PEER_NAMES
             if any(_peers.peers_for(c, ps).get(p) for c in cases for ps in _peers.PASSES)]
    meta = {
        "fastact": __version__, "n": args.n, "row": args.row, "ref_n": args.ref_n,
        "repeats": args.repeats,
        "threads": args.threads, "torch_threads": torch_threads, "fastact_threads": args.threads,
        "dtypes": dtypes, "functions": [c.name for c in cases],
        "peers": _peers.peer_versions(), "machine": _machine(), "target": kernel_target(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    progress = _Progress(len(dtypes) * len(cases))
    t0 = time.perf_counter()
    row, _peers.SOFTMAX_ROW = _peers.SOFTMAX_ROW, args.row   # make_data and the scan read it
    try:
        results = run(args.n, args.repeats, dtypes, cases, args.ref_n, args.threads, progress,
                      args.errors)
    finally:
        _peers.SOFTMAX_ROW = row
        progress.close()
    meta["seconds"] = round(time.perf_counter() - t0, 1)
    rows = summarize(results, peers)
    print(format_table(rows, peers, meta))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "table": rows, "results": results}, fh, indent=1)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Instructions per element of every kernel, counted by valgrind's callgrind: a speed
guard that a noisy machine cannot fool (timings here move 10-50% between runs; the
instruction count of a build on given data does not move at all).

    python tools/instruction_counts.py            # measure, compare with the baseline
    python tools/instruction_counts.py --update   # measure, write the baseline

The baseline, benchmarks/instruction_counts.json, is updated in the same commit as the
change that moves a count on purpose; tests/test_instruction_counts.py fails when a
kernel's count grows by more than 5% against it (or a kernel has no entry).

What is counted: every ufunc of fastact._dispatch.UFUNCS (each activation's forward,
derivative, backward and from-output forms, the general kernels, the gated kernels and
their backwards, the softmax-family rows and their backwards, with and without where=), float32 and float64, on
the avx2 target (FASTACT_ISA=avx2: valgrind does not run AVX-512), one thread.  One
valgrind process runs them all: `--collect-atstart=no` and `--toggle-collect` on the
loop functions (`loop_<ufunc>_<float|double>`, and `<kernel>_row_<type>` of the axis
kernels) count only the loops and what they call; each kernel runs at N1 and then at N2
elements with a dump between the two passes (`--dump-before` on a marker function no
kernel calls), and its figure is (count at N2 - count at N1) / (N2 - N1): the fixed cost
of a call cancels.  Axis kernels run rows of ROW elements, so theirs includes the cost of
a row spread over its ROW elements.  Inputs are a fixed pattern of PATTERN values repeated
(branchy code sees the same mix at both sizes), in 64-byte aligned arrays.

Counts depend on the compiler: the baseline records it, and the test skips when the build
was made by another one (update the baseline with the compiler CI uses).
"""

import argparse
import glob
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASELINE = ROOT / "benchmarks" / "instruction_counts.json"
ISA = "avx2"
TOLERANCE = 0.05          # a count may grow by 5% before the test fails
N1, N2 = 2048, 4096       # elements per call in the two passes (multiples of any unroll)
ROW = 128                 # row length of the axis kernels (the README's attention rows)
PATTERN = 256             # inputs repeat every PATTERN elements
DTYPES = ("float32", "float64")

# Cython's names for a kernel module's C functions: __pyx_f_ + each dotted part as
# <len><part>, joined by "_" (__pyx_f_7fastact_8_kernels_22_ufuncs_avx2_piecewise_loop_relu_float).
# A target has one module per family of kernels (_build_config.FAMILIES; setup.py).
sys.path.insert(0, str(ROOT / "src" / "fastact"))
from _build_config import FAMILIES  # noqa: E402  (pure Python, nothing built needed)
sys.path.pop(0)
MODULES = [f"_ufuncs_{ISA}_{family}" for family in (*FAMILIES, "other")]


def _prefix(module):
    mangled = "_".join(f"{len(p)}{p}" for p in ("fastact", "_kernels", module))
    return f"__pyx_f_{mangled}_"


PREFIXES = [_prefix(m) for m in MODULES]
# the marker: a Python-level function of the kernel modules that nothing else calls while
# the kernels run (its Cython wrapper's symbol); the worker calls the first module's, and
# each call ends a dump
MARKER_NAME = "_is_serial"
MARKER = f"__pyx_pw_7fastact_8_kernels_*_ufuncs_{ISA}_*{MARKER_NAME}"


def _symbol(module, ufunc_name, axis, dtype):
    ctype = "float" if dtype == "float32" else "double"
    return _prefix(module) + (f"{ufunc_name}_row_{ctype}" if axis
                              else f"loop_{ufunc_name}_{ctype}")


# ---- the worker: runs under valgrind ------------------------------------------------

def _cases(np, ufuncs, registry, modules):
    """(name, dtype, symbol, run(n)) for every ufunc and dtype; run(n) calls the kernel on
    n elements with everything it needs allocated beforehand (only the call is counted).
    Inputs that are outputs of another kernel (y of the from-output forms) are computed
    here, in the setup pass whose counts are discarded."""
    suffixes = ("_backward_from_output", "_derivative_from_output", "_second_derivative",
                "_backward", "_derivative", "")

    def aligned(n, dtype):
        buf = np.empty(n * dtype.itemsize + 64, np.uint8)
        off = -buf.ctypes.data % 64
        return buf[off:off + n * dtype.itemsize].view(dtype)

    def pattern(n, dtype, lo, hi, mult):
        # PATTERN points spread over (lo, hi), in a fixed scrambled order (mult is odd,
        # so i * mult mod PATTERN is a permutation): neighbours differ, as in real data
        t = ((np.arange(PATTERN) * mult) % PATTERN + 0.5) / PATTERN
        a = aligned(n, dtype)
        a[:] = np.tile((lo + (hi - lo) * t).astype(dtype), n // PATTERN)
        return a

    cases = []
    for name in sorted(ufuncs):
        uf = ufuncs[name]
        axis = uf.signature is not None
        for dt in DTYPES:
            dtype = np.dtype(dt)
            byn = {}
            for n in (N1, N2):
                def x(lo=-8.0, hi=8.0, n=n):
                    return pattern(n, dtype, lo, hi, 97)
                g = pattern(n, dtype, -1.5, 1.5, 45)
                if axis:
                    shape = (n // ROW, ROW)
                    xs = x().reshape(shape)
                    # the where= kernels: a causal mask's pattern of rows (row j keeps
                    # its first j + 1 entries, modulo ROW); their backward takes y from
                    # the where= forward (0 at masked-out entries, as in a masked model)
                    base = name[:-len("_where")] if name.endswith("_where") else name
                    rows = np.arange(shape[0])[:, None] % ROW
                    mask = np.arange(ROW)[None, :] <= rows
                    if base.endswith("_backward"):
                        fwd = base[:-len("_backward")]
                        y = aligned(n, dtype).reshape(shape)
                        if base != name:
                            ufuncs[fwd + "_where"](xs, mask, out=y)
                        else:
                            ufuncs[fwd](xs, out=y)
                        args = (g.reshape(shape), y)
                    else:
                        args = (xs,)
                    if base != name:
                        args += (mask,)
                    outs = (aligned(n, dtype).reshape(shape),)
                elif name.startswith("gated_"):
                    args = (x(), g) if uf.nin == 2 else (g, x(), pattern(n, dtype, -2, 2, 29))
                    outs = tuple(aligned(n, dtype) for _ in range(uf.nout))
                else:
                    suffix = next(s for s in suffixes if name.endswith(s))
                    kname = name[:len(name) - len(suffix)]
                    params = tuple(dtype.type(p) for p in registry.KERNEL_BY_NAME[kname].accuracy_params)
                    lo, hi = registry.record_of_kernel(kname).domain
                    data = x(max(lo, -8.0), min(hi, 8.0))
                    if "from_output" in suffix:
                        data = ufuncs[kname](data, *params, out=aligned(n, dtype))
                    args = ((g,) if "backward" in suffix else ()) + (data,) + params
                    outs = (aligned(n, dtype),)
                byn[n] = (args, outs)
            cases.append((name, dt, _symbol(modules[name], name, axis, dt),
                          lambda n, uf=uf, byn=byn: uf(*byn[n][0], out=byn[n][1])))
    return cases


def _worker(inventory):
    # ml_dtypes (bfloat16) is not counted, and its import is most of the start-up time
    # under valgrind: fastact then runs as without it.
    sys.modules["ml_dtypes"] = None
    import numpy as np
    import fastact
    from fastact import _dispatch, _registry, _runtime
    fastact.set_num_threads(1)
    kernels = _dispatch.KERNELS
    if kernels.isa != ISA:
        raise SystemExit(f"instruction_counts: the {kernels.isa} kernels loaded, not {ISA}")
    marker = getattr(kernels.modules[0], MARKER_NAME)
    modules = {u: m.__name__.rsplit(".", 1)[1] for m in kernels.modules for u in m.UFUNCS}
    cases = _cases(np, _dispatch.UFUNCS, _registry, modules)
    marker()                       # dump 1: the setup
    for _, _, _, run in cases:
        run(N1)
    marker()                       # dump 2: every kernel at N1; the rest at exit: at N2
    for _, _, _, run in cases:
        run(N2)
    config = _runtime.config()
    with open(inventory, "w") as f:
        json.dump({"cases": [c[:3] for c in cases],
                   "compiler": config["compiler"], "flags": config["flags"]}, f)


# ---- the driver ---------------------------------------------------------------------

def _inclusive_costs(path):
    """(part number, {function: instructions}) of one callgrind output file (written with
    --compress-strings=no): every cost line in a function's blocks is either its own
    cost or the inclusive cost of a call it makes, so their sum is its inclusive cost."""
    part, costs, fn = None, {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("part:"):
                part = int(line.split()[1])
            elif line.startswith("fn="):
                fn = line[3:].strip()
            elif fn is not None and line[:1].isdigit():
                fields = line.split()
                costs[fn] = costs.get(fn, 0) + (int(fields[1]) if len(fields) > 1 else 0)
    return part, costs


def valgrind():
    """Why the counts cannot be taken here, or None if they can (valgrind's presence;
    the avx2 target is checked by the worker and by the test)."""
    if shutil.which("valgrind") is None:
        return "valgrind is not installed"
    return None


def measure():
    """{'counts': {ufunc: {dtype: instructions per element}}, 'compiler', 'flags',
    'valgrind'}, from one valgrind run."""
    why = valgrind()
    if why:
        raise RuntimeError(f"instruction_counts: {why}")
    version = subprocess.run(["valgrind", "--version"], capture_output=True,
                             text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="fastact-icount-") as tmp:
        out, inventory = os.path.join(tmp, "callgrind.out"), os.path.join(tmp, "cases.json")
        env = dict(os.environ, FASTACT_ISA=ISA, OMP_NUM_THREADS="1")
        env.pop("FASTACT_NUM_THREADS", None)
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
               "--compress-strings=no", "--compress-pos=no", f"--callgrind-out-file={out}",
               # (in this order: callgrind 3.19 misses the second pattern when the one
               # without a leading * comes first)
               *[f"--toggle-collect={p}*_row_*" for p in PREFIXES],
               *[f"--toggle-collect={p}loop_*" for p in PREFIXES],
               f"--dump-before={MARKER}",
               sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", inventory]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not os.path.exists(inventory):
            raise RuntimeError("instruction_counts: the run under valgrind failed "
                               f"(exit {proc.returncode}):\n" + proc.stderr[-3000:])
        with open(inventory) as f:
            info = json.load(f)
        parts = dict(_inclusive_costs(p) for p in glob.glob(out + "*"))
    if sorted(parts) != [1, 2, 3]:
        raise RuntimeError(f"instruction_counts: expected 3 callgrind dumps, got parts "
                           f"{sorted(parts)} (did the marker {MARKER} run?)")
    counts, missing = {}, []
    for name, dt, sym in info["cases"]:
        if sym not in parts[2] or sym not in parts[3]:
            missing.append(sym)
            continue
        counts.setdefault(name, {})[dt] = (parts[3][sym] - parts[2][sym]) / (N2 - N1)
    if missing:
        raise RuntimeError("instruction_counts: no count for these loop functions (a "
                           "stripped build, or NumPy chose another loop):\n  "
                           + "\n  ".join(missing))
    return {"counts": counts, "compiler": info["compiler"], "flags": info["flags"],
            "valgrind": version}


def _flat(counts):
    return {(name, dt): v for name, by in counts.items() for dt, v in by.items()}


def compare(baseline, measured, tolerance=TOLERANCE):
    """The failures: kernels whose count grew by more than tolerance, and kernels in the
    baseline but no longer measured (a stale baseline); one line each.  A kernel measured
    but not in the baseline yet (a new activation's) is not a failure: see unguarded()."""
    old, new = _flat(baseline), _flat(measured)
    problems = []
    for key in sorted(old.keys() & new.keys() | old.keys()):
        label = f"{key[0]} [{key[1]}]"
        if key not in new:
            problems.append(f"{label}: in the baseline ({old[key]:.3f}) but not measured")
        elif new[key] > old[key] * (1 + tolerance) + 1e-9:
            problems.append(f"{label}: {old[key]:.3f} -> {new[key]:.3f} instructions per "
                            f"element ({100 * (new[key] / old[key] - 1):+.1f}%)"
                            if old[key] else f"{label}: 0 -> {new[key]:.3f}")
    return problems


def unguarded(baseline, measured):
    """The kernels measured but not in the baseline: a new activation's, guarded from the
    commit that adds them to the baseline (--update); one line each."""
    old, new = _flat(baseline), _flat(measured)
    return [f"{k[0]} [{k[1]}]: not in the baseline yet (measured {new[k]:.3f})"
            for k in sorted(new.keys() - old.keys())]


def load_baseline(path=BASELINE):
    with open(path) as f:
        return json.load(f)


def write_baseline(m, path=BASELINE):
    # one kernel a line, so that a diff shows the kernels that moved
    head = {
        "about": "Instructions per element of every kernel (avx2 target, one thread), "
                 "counted by callgrind: tools/instruction_counts.py; "
                 "tests/test_instruction_counts.py fails when one grows by more than "
                 f"{TOLERANCE:.0%}. Update with `python tools/instruction_counts.py --update` "
                 "in the commit that changes them on purpose.",
        "isa": ISA, "compiler": m["compiler"], "flags": m["flags"], "valgrind": m["valgrind"],
        "sizes": [N1, N2], "row": ROW,
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    # (the figures are exact: a count over N2 - N1, a power of two, prints exactly)
    rows = [f"    {json.dumps(name)}: {json.dumps(dict(sorted(by.items())))}"
            for name, by in sorted(m["counts"].items())]
    text = "{\n" + "\n".join(lines) + '\n  "counts": {\n' + ",\n".join(rows) + "\n  }\n}\n"
    path.write_text(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help=f"write the baseline ({BASELINE.name})")
    ap.add_argument("--worker", metavar="INVENTORY", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return 0
    m = measure()
    if args.update:
        write_baseline(m)
        print(f"wrote {BASELINE} ({len(_flat(m['counts']))} kernels, {m['compiler']})")
        return 0
    base = load_baseline()
    old = _flat(base["counts"])
    print(f"{'kernel':40} {'dtype':8} {'baseline':>9} {'now':>9} {'change':>8}")
    for (name, dt), v in sorted(_flat(m["counts"]).items()):
        b = old.get((name, dt))
        change = f"{100 * (v / b - 1):+.1f}%" if b else "new"
        print(f"{name:40} {dt:8} {'-' if b is None else f'{b:.3f}':>9} {v:9.3f} {change:>8}")
    if base.get("compiler") != m["compiler"]:
        print(f"note: the baseline was counted on a build by {base.get('compiler')}, this "
              f"one by {m['compiler']}: differences may be the compiler's")
    problems = compare(base["counts"], m["counts"])
    for p in problems:
        print("FAIL", p)
    print(f"{len(problems)} problem(s) against {BASELINE.name} (tolerance {TOLERANCE:.0%})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

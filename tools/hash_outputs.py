"""Hash every ufunc's output, for refactors that must keep results bit-identical.

    python tools/hash_outputs.py > before.json      # on the old build
    python tools/hash_outputs.py > after.json       # on the new one
    python tools/hash_outputs.py --compare before.json after.json

Inputs: every STEP-th float32 bit pattern (--step) (NaNs, infinities and subnormals included),
260,000 float64 points (a wide log-spaced sweep, the [-10, 10] range densely, and special
values), their float16 roundings, and every float16 and bfloat16 bit pattern (bfloat16
with ml_dtypes); parameters at their defaults and at a second set.
Each ufunc is hashed per dtype, on the kernel module FASTACT_ISA selects (the best here
by default), so run it once per ISA for a full check.
"""

import argparse
import hashlib
import json
import sys

import numpy as np

STEP = 61     # every 61st float32 bit pattern: 70 million inputs, about 2 minutes an ISA


def inputs(step=STEP):
    f32 = (np.arange(0, 2**32, step, dtype=np.uint64).astype(np.uint32)).view(np.float32)
    mag = np.logspace(-320, 308, 100_000)
    f64 = np.concatenate([mag, -mag, np.linspace(-10, 10, 59_990),
                          [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1.7976931348623157e308,
                           -3.0, 3.0]])
    with np.errstate(all="ignore"):
        f16 = f64.astype(np.float16)
    out = {"float16": f16, "float32": f32, "float64": f64}
    # every 16-bit pattern too: the float16 and bfloat16 conversions see each one
    bits16 = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
    out["float16_all"] = bits16.view(np.float16)
    from fastact._dispatch import BFLOAT16
    if BFLOAT16 is not None:
        out["bfloat16"] = bits16.view(BFLOAT16)
    return out


def param_sets(nparams, name):
    if nparams == 0:
        return [()]
    from fastact import _registry
    for k in _registry.KERNELS:
        if k.record != k.name and name.startswith(k.name):
            # a general kernel (Record.general_kernel): at the defaults (the specialised kernel's
            # results) and at the set the accuracy tool measures
            rec = _registry.BY_NAME[k.record]
            if any(p.default is None for p in rec.params):
                return [tuple(k.accuracy_params)]         # None: the specialised kernel (logit's eps)
            return [tuple(float(p.default) for p in rec.params), tuple(k.accuracy_params)]
    if name.startswith("hardtanh"):
        return [(-1.0, 1.0), (-0.5, 2.0)]
    if name.startswith("softplus"):
        return [(1.0, 20.0), (0.7, 5.0)]
    if name.startswith("threshold"):          # (threshold, value): no defaults in PyTorch
        return [(0.0, 0.0), (1.0, -0.5)]
    return [(v,) * nparams for v in (0.01, 1.0, 1.7)]


def hashes(step=STEP):
    from fastact import UFUNCS
    data = inputs(step)
    out = {}
    for uname, u in sorted(UFUNCS.items()):
        ndata = 2 if "backward" in uname else 1
        where = uname.endswith("_where")        # the softmax family's where= kernels
        for dt, x in data.items():
            if where and x.dtype.itemsize < 4:
                continue                          # float32 and float64 loops only
            if u.signature:
                x = x[: x.size // 100 * 100].reshape(-1, 100)
            pdt = np.float32 if x.dtype.itemsize == 2 else x.dtype.type   # 16-bit: float32
            g = x[::-1].copy() if ndata == 2 else None
            for params in param_sets(0 if u.signature else u.nin - ndata, uname):
                args = ([g] if g is not None else []) + [x] + [pdt(p) for p in params]
                if where:                         # every third entry masked out
                    args.append(np.arange(x.size).reshape(x.shape) % 3 != 1)
                with np.errstate(all="ignore"):
                    r = u(*args)
                key = f"{uname}/{dt}/{params}"
                out[key] = hashlib.sha256(np.ascontiguousarray(r).tobytes()).hexdigest()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--step", type=int, default=STEP, help="every STEP-th float32 pattern")
    a = ap.parse_args()
    if a.compare:
        before, after = (json.load(open(p)) for p in a.compare)
        differ = sorted(k for k in before if before[k] != after.get(k))
        missing = sorted(set(after) - set(before))
        for k in differ:
            print("differs:", k)
        print(f"{len(before) - len(differ)} of {len(before)} identical; {len(differ)} differ;"
              f" {len(missing)} new")
        return 1 if differ else 0
    json.dump(hashes(a.step), sys.stdout, indent=0, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

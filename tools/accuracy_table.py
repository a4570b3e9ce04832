"""The accuracy summary of docs/accuracy.md, from the JSON of a full accuracy run.

    python -m fastact accuracy --out docs/accuracy.txt --json accuracy.json
    python tools/accuracy_table.py accuracy.json        # prints the Markdown table
    python tools/accuracy_table.py full.json gelu.json  # later runs replace their rows

One row per kernel: the maximum error of the forward, the derivative and the backward in
float32 and float64 (ULP; for softmax/log_softmax and where the tool measures an absolute
error, "eps*" marks eps times the scale of the terms), the ULP bounds of the forward and
derivative from fastact._registry.ACCURACY, and the special-value failures.  The losses'
rows (fastact.instruments.accuracy_losses) make a second table: each row's loss, the reduced loss and
the gradient, with their bounds (fastact.losses.ACCURACY; C is the number of classes).
"""

import json
import sys

KINDS = ("forward", "derivative", "backward")
LOSS_KINDS = ("loss", "loss_reduced", "grad")


def _num(v):
    if v is None:
        return "-"
    if v == 0:
        return "0.0"
    return f"{v:.2g}" if v < 10 else f"{v:.3g}"


def _cell(row):
    if row is None:
        return "-"
    if row.get("max_ulp") is None:          # rows measured in absolute terms only
        return _num(row.get("max_abs_eps")) + " eps*"
    return _num(row["max_ulp"])


def table(rows):
    by = {}
    order = []
    for r in rows:
        if r["kind"] in LOSS_KINDS:
            continue
        if r["function"] not in by:
            order.append(r["function"])
        by.setdefault(r["function"], {})[(r["dtype"], r["kind"])] = r
    lines = ["| kernel | float32 f / f' / backward | float64 f / f' / backward "
             "| bound f / f' (ULP) | special-value failures |",
             "|---|---|---|---|---|"]
    for name in order:
        cells = by[name]
        parts = [" / ".join(_cell(cells.get((dt, k))) for k in KINDS)
                 for dt in ("float32", "float64")]
        fwd = cells.get(("float64", "forward")) or cells.get(("float32", "forward"))
        der = cells.get(("float64", "derivative"))
        bound = (f"{_num(fwd.get('ulp_bound'))} / {_num(der.get('ulp_bound'))}"
                 if fwd and der and fwd.get("ulp_bound") is not None else "- / -")
        special = sum(r.get("special_failures", 0) for r in cells.values())
        lines.append(f"| {name} | {parts[0]} | {parts[1]} | {bound} | {special} |")
    return "\n".join(lines)


def loss_table(rows):
    by = {}
    for r in rows:
        if r["kind"] in LOSS_KINDS:
            by.setdefault(r["function"], {})[(r["dtype"], r["kind"])] = r
    lines = ["| loss | float32 loss / reduced / grad | float64 loss / reduced / grad "
             "| bound float32 | bound float64 | special-value failures |",
             "|---|---|---|---|---|---|"]
    for name, cells in by.items():
        parts = [" / ".join(_cell(cells.get((dt, k))) for k in LOSS_KINDS)
                 for dt in ("float32", "float64")]
        bounds = [" / ".join(str(cells[(dt, k)]["ulp_bound"]) if (dt, k) in cells else "-"
                             for k in LOSS_KINDS) for dt in ("float32", "float64")]
        special = sum(r.get("special_failures", 0) for r in cells.values())
        lines.append(f"| {name} | {parts[0]} | {parts[1]} | {bounds[0]} | {bounds[1]} "
                     f"| {special} |")
    return "\n".join(lines) if by else ""


def merged_rows(paths):
    """The rows of several runs; a (function, dtype, kind) row of a later run replaces an
    earlier one (a rerun of some kernels after a change)."""
    rows = {}
    for path in paths:
        with open(path) as fh:
            for r in json.load(fh)["rows"]:
                rows[(r["function"], r["dtype"], r["kind"])] = r
    return list(rows.values())


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    rows = merged_rows(argv)
    print(table(rows))
    losses = loss_table(rows)
    if losses:
        print()
        print(losses)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m fastact gallery --out DIR``: write the figures and index.html into DIR."""

import argparse
import io
import os
import platform
import sys
import tempfile
import time

import numpy as np

from ... import ACTIVATIONS, __version__
from . import experiments as ex

STEPS = 5


def _png(fig, dpi):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def check_out(path):
    """Create ``path`` if needed and make sure a file can be written there.

    Returns None when it can, else a message saying what is wrong.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        return f"--out {path!r} is a file, not a folder"
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        return f"--out {path!r}: cannot create the folder: {exc.strerror or exc}"
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"--out {path!r}: cannot write into the folder: {exc.strerror or exc}"
    return None


def build(out, seed=ex.SEED, n=1_000_000, repeats=5, stream=None):
    """Write every figure and index.html into the folder ``out`` (which must exist).

    Prints one progress line per step to ``stream`` (default: stdout; pass
    ``io.StringIO()`` to silence it).  Returns a dict with the experiments' results, the
    speeds and the written files (name -> path).
    """
    from . import figures, page
    stream = sys.stdout if stream is None else stream
    written, pngs = {}, {}
    t_all = time.perf_counter()

    def step(i, label):
        stream.write(f"[{i}/{STEPS}] {label} ... ")
        stream.flush()
        return time.perf_counter()

    def done(t0, what):
        stream.write(f"{what} ({time.perf_counter() - t0:.1f} s)\n")
        stream.flush()

    def save(key, fig, dpi=100):
        data = _png(fig, dpi)
        path = os.path.join(out, f"{key}.png")
        with open(path, "wb") as fh:
            fh.write(data)
        pngs[key] = (f"{key}.png", data)
        written[key] = path

    t0 = step(1, f"plotting {len(ACTIVATIONS)} activations, the overview and the losses")
    for name in ACTIVATIONS:
        save(name, figures.plot(name))
    save("overview", figures.overview(), dpi=80)
    save("gated", figures.plot_gated())
    save("losses", figures.plot_losses())
    done(t0, f"{len(ACTIVATIONS) + 2} figures")

    t0 = step(2, "vanishing-gradient experiment")
    van = ex.vanishing_gradients(seed=seed)
    save("vanishing", figures.plot_vanishing_gradients(van))
    sig = van["grad"].get("sigmoid")
    relu = van["grad"].get("relu")
    done(t0, f"{van['depth']} layers: ||dL/dz|| layer 1 / layer {van['depth']}: "
             f"sigmoid {sig[0] / sig[-1]:.2e}, relu {relu[0] / relu[-1]:.2f}")

    t0 = step(3, "dead-unit experiment")
    dead = ex.dead_neurons(seed=seed)
    save("dead", figures.plot_dead_neurons(dead))
    i = int(np.argmin(np.abs(dead["shifts"] - 4.0)))
    done(t0, f"dead at bias shift {dead['shifts'][i]:g}: "
             + ", ".join(f"{k} {100 * v[i]:.0f}%" for k, v in dead["dead"].items()))

    t0 = step(4, f"timing {len(ACTIVATIONS)} kernels ({n:,} float32, median of {repeats})")
    speed = ex.kernel_speed(n=n, repeats=repeats, seed=seed)
    rows = ex.guide_rows(speed)
    done(t0, "guide table")

    t0 = step(5, "writing index.html")
    import matplotlib
    meta = {
        "command": f"python -m fastact gallery --out {out}"
                   + (f" --seed {seed}" if seed != ex.SEED else ""),
        "versions": f"fastact {__version__}, NumPy {np.__version__}, matplotlib "
                    f"{matplotlib.__version__}, Python {platform.python_version()}",
        "speed_note": f"{n:,} float32 elements drawn from U(−4, 4), median of {repeats} runs "
                      f"after a warm-up, one thread, on {platform.machine() or 'this machine'} "
                      f"({os.cpu_count()} CPUs); millions of elements per second.",
    }
    html_text = page.render(pngs, van, dead, rows, meta)
    path = os.path.join(out, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(html_text)
    written["index"] = path
    done(t0, f"{len(html_text) / 1e6:.1f} MB, self-contained")
    stream.write(f"gallery written to {os.path.join(out, 'index.html')} in "
                 f"{time.perf_counter() - t_all:.1f} s\n")
    stream.flush()
    return {"vanishing": van, "dead": dead, "speed": speed, "files": written}


def main(argv=None):
    """The command; returns the exit status (0 on success)."""
    parser = argparse.ArgumentParser(
        prog="python -m fastact gallery",
        description="Write the activation gallery (one PNG per activation, an overview, the "
                    "vanishing-gradient and dead-unit experiments, a choosing guide with "
                    "measured kernel speeds) and a self-contained index.html into DIR. "
                    'Needs matplotlib: pip install "fastact[gallery]".')
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=ex.SEED,
                        help=f"seed of the experiments (default {ex.SEED})")
    parser.add_argument("--n", type=int, default=1_000_000,
                        help="elements per speed measurement (default 1000000)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed runs per kernel, the median is kept (default 5)")
    args = parser.parse_args(argv)
    prog = parser.prog
    if args.n < 1000 or args.repeats < 1:
        print(f"{prog}: error: --n must be at least 1000 and --repeats at least 1",
              file=sys.stderr)
        return 2
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        print(f"{prog}: error: --out {args.out!r} is a file, not a folder", file=sys.stderr)
        return 2
    try:
        import matplotlib
    except ImportError:
        print(f'{prog}: error: the gallery needs matplotlib, which is not installed.\n'
              f'Install it with:  pip install "fastact[gallery]"   (or: pip install matplotlib)',
              file=sys.stderr)
        return 1
    matplotlib.use("Agg")
    problem = check_out(args.out)
    if problem:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return 2
    build(args.out, seed=args.seed, n=args.n, repeats=args.repeats)
    return 0

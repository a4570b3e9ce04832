"""Command line: ``python -m fastact [demo|accuracy|accuracy16|bench|gallery] ...``.

With no command it runs the main job (``fastact.instruments.demo``): every activation,
gated activation and loss at a few points, value and derivative, and each kernel's speedup over
its pure-Python reference.
"""

import argparse
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m fastact", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="every public function's values, derivatives and speedups (the default)")
    demo.add_argument("--n", type=int, default=100_000, help="elements timed (default 100000)")
    demo.add_argument("--repeats", type=int, default=5)
    tools = {"accuracy": "ULP error of every kernel",
             "accuracy16": "ULP error of the float16 and bfloat16 loops over every input",
             "bench": "Melem/s and maximum error next to NumPy, SciPy, PyTorch, JAX, "
                      "ONNX Runtime and numba",
             "gallery": "figures, experiments and a page (needs fastact[gallery])"}
    for name, text in tools.items():
        sub.add_parser(name, help=f"{text} (see python -m fastact {name} --help)",
                       add_help=False)
    if argv[:1] and argv[0] in tools:
        import importlib
        return importlib.import_module(f"fastact.instruments.{argv[0]}").main(argv[1:])
    args = parser.parse_args(argv)
    from .instruments import demo as demo_mod
    if args.command is None:
        return demo_mod.run()
    return demo_mod.run(n=args.n, repeats=args.repeats)


if __name__ == "__main__":
    sys.exit(main())

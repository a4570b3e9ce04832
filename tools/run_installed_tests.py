"""Run fastact's test suite against the *installed* package.

Copies tests/ into a temporary directory and runs pytest there (rootdir = that
directory), so neither the source tree's src/ nor its pyproject.toml can be picked up;
refuses to run if ``import fastact`` does not come from the installed location.
Used by tools/check_wheel.sh and by cibuildwheel's test-command:

    python tools/run_installed_tests.py [PROJECT_DIR] [pytest args...]

With test paths among the arguments (tests/test_x.py ...) only those run
(tools/check_pythons.sh's subset); else the whole of tests/.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    project = pathlib.Path(argv[0] if argv else pathlib.Path(__file__).parent.parent).resolve()
    with tempfile.TemporaryDirectory(prefix="fastact-tests-") as tmp:
        run = pathlib.Path(tmp)
        shutil.copytree(project / "tests", run / "tests")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        check = ("import pathlib, fastact; p = pathlib.Path(fastact.__file__).resolve(); "
                 f"assert pathlib.Path({str(project)!r}) not in p.parents, "
                 "f'fastact imported from the source tree: {p}'; "
                 "print('fastact', fastact.__version__, 'from', p.parent); fastact.show_config()")
        subprocess.run([sys.executable, "-c", check], cwd=run, env=env, check=True)
        # pytest's arguments; the whole of tests/ unless they name files or directories there
        args = argv[1:] if any(a.startswith("tests") for a in argv[1:]) else ["tests", *argv[1:]]
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--rootdir", str(run), *args]
        return subprocess.run(cmd, cwd=run, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

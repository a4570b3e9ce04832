#!/usr/bin/env bash
# fastact built with Clang and without OpenMP (as on macOS without libomp), from a fresh
# clone of this repository's HEAD into a fresh virtual environment, then the suite's quick
# files (tools/test_subset.sh) and the vectorization check (Clang's optimization record,
# tests/test_vectorized.py) against the installed package.  Threads are off, so the
# threaded tests show that a serial build gives the same results and says it has one
# thread.  Only the baseline and this CPU's best target are built (FASTACT_TARGETS=local;
# GCC's build in CI's other stages has every target).  CI runs it.
#
# Usage: bash tools/check_clang.sh [python]
#   CC=clang-17 ...                     another Clang (default: clang)
#   FASTACT_OPENMP=auto                 Clang's OpenMP where it has it (libomp-dev)
#   FASTACT_TARGETS=baseline,avx2,avx512  every x86-64 target (default: local)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${1:-python3}
export CC=${CC:-clang}
export FASTACT_OPENMP=${FASTACT_OPENMP:-0} FASTACT_TARGETS=${FASTACT_TARGETS:-local}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fastact-clang.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
step() { echo "+ check_clang: $*"; }

if ! command -v "$CC" > /dev/null && [ "$CC" = clang ] && [ "$(id -u)" = 0 ] \
        && command -v apt-get > /dev/null; then
    step "installing Debian's clang (apt-get)"
    apt-get install -y -q clang > /dev/null 2>&1 \
        || { apt-get update -q > /dev/null 2>&1 && apt-get install -y -q clang > /dev/null; }
fi
command -v "$CC" > /dev/null || { echo "check_clang: $CC not found (apt-get install clang)" >&2; exit 1; }
"$CC" --version | head -1

step "fresh clone of HEAD ($(git rev-parse --short HEAD)); uncommitted changes are not in it"
git clone -q --no-hardlinks "$ROOT" "$WORK/src"

step "fresh venv; build requirements and the quick files' test dependencies"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "setuptools>=77" "Cython>=3.1" "numpy>=2.0" \
    "pytest>=7" "hypothesis>=6" "mpmath>=1.3" "threadpoolctl>=3"

step "pip install (CC=$CC FASTACT_OPENMP=$FASTACT_OPENMP FASTACT_TARGETS=$FASTACT_TARGETS)"
t0=$SECONDS
"$WORK/venv/bin/pip" install -v --no-build-isolation --no-deps "$WORK/src" \
    > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
grep -E "fastact: (compiler|.*ufunc loops vectorized)" "$WORK/build.log" || true
echo "check_clang: build done ($((SECONDS - t0)) s)"
grep -q "fastact: compiler clang;" "$WORK/build.log" \
    || { echo "check_clang: setup.py did not build with Clang" >&2; exit 1; }

# what the installed package says about itself: Clang, and OpenMP as asked
(cd "$WORK" && FASTACT_OPENMP=$FASTACT_OPENMP "$WORK/venv/bin/python" - <<'EOF'
import os, fastact
cfg = fastact._runtime.config()
assert cfg["compiler"].startswith("clang"), cfg["compiler"]
if os.environ["FASTACT_OPENMP"] == "0":
    assert cfg["openmp"] is False and cfg["threads"] == 1, cfg
print("check_clang: installed:", cfg["compiler"], "| openmp", cfg["openmp"],
      "| threads", cfg["threads"], "| built", ", ".join(cfg["isa_built"]))
EOF
)

source "$ROOT/tools/test_subset.sh"
step "tests against the installed package: ${SUBSET[*]} tests/test_vectorized.py"
t0=$SECONDS
"$WORK/venv/bin/python" "$WORK/src/tools/run_installed_tests.py" "$WORK/src" -ra \
    "${SUBSET[@]}" tests/test_vectorized.py
echo "check_clang: tests done ($((SECONDS - t0)) s)"
echo "check_clang: done ($SECONDS s)"

#!/usr/bin/env bash
# fastact on every other supported CPython this machine has (CI runs it after
# check_wheel.sh, which covers the default python3).  For each of
# 3.10-3.14 and the free-threaded 3.13t/3.14t, other than python3's own version: build the
# wheel with that Python (pip wheel from the tree: build isolation fetches the newest
# NumPy for it to build against; no sdist round trip and no auditwheel, which
# check_wheel.sh already proves and which do not depend on the Python), install it into a
# clean virtual environment and run SUBSET against the installed package.  The oldest of
# them runs SUBSET with the oldest NumPy pyproject.toml allows (numpy>=2.0: the newest
# 2.0.x) instead of the newest, against the same wheel.  A Python that is missing gets one line and is skipped.
#
# Usage: bash tools/check_pythons.sh [VERSION...]     (default: 3.10 3.11 3.12 3.13 3.14 3.13t 3.14t)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fastact-pythons.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

# The suite's quick files (tools/test_subset.sh says what they cover).
source "$ROOT/tools/test_subset.sh"
TEST_DEPS=("pytest>=7" "mpmath>=1.3" "threadpoolctl>=3")

# Only the CPU targets this machine can run: a target it cannot run would be compiled but
# never tested, and its C is the same on every Python (check_wheel.sh compiles all three).
# The targets compile in parallel, so the build takes about as long as the baseline alone.
targets=baseline
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true) "
[[ $flags == *" avx2 "* && $flags == *" fma "* ]] && targets+=,avx2
[[ $flags == *" avx512f "* && $flags == *" avx512dq "* && $flags == *" avx512bw "* \
   && $flags == *" avx512vl "* ]] && targets+=,avx512

# numpy>=X.Y in [project] dependencies -> "numpy==X.Y.*"
floor=$(sed -n 's/^dependencies = .*"numpy>=\([0-9][0-9.]*\)".*/\1/p' pyproject.toml)
[ -n "$floor" ] || { echo "check_pythons: no numpy>= floor found in pyproject.toml" >&2; exit 1; }

version_of() {   # "3.12" or "3.13t", as the interpreter itself says
    "$1" -c 'import sys, sysconfig; print("%d.%d" % sys.version_info[:2]
             + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""))' 2>/dev/null
}

find_python() {  # the interpreter of version $1 (3.12, 3.13t): pyenv's newest, else PATH
    local want=$1 p found=
    if command -v pyenv > /dev/null 2>&1; then
        for p in $(ls -d "$(pyenv root)"/versions/*/bin/python"$want" 2>/dev/null | sort -V); do
            [ "$(version_of "$p")" = "$want" ] && found=$p
        done
    fi
    if [ -z "$found" ] && p=$(command -v "python$want" 2>/dev/null) \
            && [ "$(version_of "$p")" = "$want" ]; then
        found=$p                      # (a pyenv shim of a version not selected fails here)
    fi
    echo "$found"
}

run_subset() {   # venv, label
    echo "+ check_pythons: $2: tests against the installed wheel (${#SUBSET[@]} files)"
    "$1/bin/python" "$ROOT/tools/run_installed_tests.py" "$ROOT" "${SUBSET[@]}"
}

default=$(version_of python3)
floor_done=
for v in ${*:-3.10 3.11 3.12 3.13 3.14 3.13t 3.14t}; do
    [ "$v" = "$default" ] && continue          # check_wheel.sh's
    py=$(find_python "$v")
    if [ -z "$py" ]; then
        echo "check_pythons: Python $v not found on this machine: skipped"
        continue
    fi
    t0=$SECONDS
    venv="$WORK/venv-$v"
    echo "+ check_pythons: Python $v ($py): build the wheel (targets $targets)"
    "$py" -m venv "$venv"
    FASTACT_TARGETS=$targets "$venv/bin/pip" wheel -v --no-deps -w "$WORK/dist-$v" "$ROOT" \
        > "$WORK/build-$v.log" 2>&1 || { tail -40 "$WORK/build-$v.log"; exit 1; }
    grep -E "fastact: (OpenMP|target)|Successfully installed" "$WORK/build-$v.log" || true
    wheel=$(ls "$WORK/dist-$v"/fastact-*.whl)
    "$venv/bin/pip" install -q "$wheel" "${TEST_DEPS[@]}" > "$WORK/install-$v.log" 2>&1 \
        || { cat "$WORK/install-$v.log"; exit 1; }
    if [[ $v == *t ]]; then
        # free-threaded: importing fastact must leave the GIL off (the modules declare
        # freethreading_compatible; an undeclared one would turn it on, with a warning)
        env -u PYTHON_GIL "$venv/bin/python" -W error -c "import sys, fastact; fastact.sigmoid([0.0])
assert not sys._is_gil_enabled(), 'importing fastact enabled the GIL'; print('GIL off')"
    fi
    # The oldest Python runs on the oldest NumPy allowed (the newer ones run the newest):
    # one run each keeps CI within its time.
    floor_label=
    if [ -z "$floor_done" ] && [[ $v != *t ]]; then
        if "$venv/bin/pip" install -q --only-binary=numpy "numpy==$floor.*" 2> "$WORK/floor.err"; then
            floor_done=$v
            floor_label="the oldest NumPy allowed: "
        else
            echo "check_pythons: Python $v: no numpy==$floor.* to install ($(tail -1 "$WORK/floor.err")); the floor waits for the next Python"
        fi
    fi
    run_subset "$venv" "Python $v, ${floor_label}numpy $("$venv/bin/python" -c 'import numpy; print(numpy.__version__)')"
    echo "check_pythons: Python $v done ($((SECONDS - t0)) s)"
done
if [ -z "$floor_done" ]; then
    echo "check_pythons: no Python here has a numpy $floor.x wheel: the NumPy floor was not tested"
fi

#!/usr/bin/env bash
# Cross-compiles fastact for aarch64 and runs it under QEMU user mode, on each aarch64
# target: "sve" (QEMU's -cpu max has SVE) and "neon" (a Cortex-A72 has none).  For each:
# that the dispatch picks the target, the quick test subset (tools/test_subset.sh) with
# the vectorization reports and the dispatch tests, and the accuracy tool's quick mode.
#
#     bash tools/check_aarch64.sh          # as root on Debian 12 (it apt-get installs)
#
# What it sets up, once, under $FASTACT_AARCH64_DIR (default /tmp/fastact-aarch64; kept, so
# a second run rebuilds only what changed):
# - qemu-user-static and gcc-aarch64-linux-gnu (apt);
# - sysroot/: Debian's arm64 CPython 3.11 and the libraries it loads, unpacked (dpkg -x)
#   from the arm64 packages, nothing installed: there is no binfmt handler, so every ARM
#   program runs as `qemu-aarch64-static PROGRAM` with QEMU_LD_PREFIX=sysroot;
# - site/: NumPy's aarch64 wheel (the version of the host's, which runs Cython and the
#   build) and the test dependencies, unzipped (PYTHONPATH);
# - cross/: the arm64 CPython's sysconfig data, which setup.py's build_ext then reads
#   (_PYTHON_SYSCONFIGDATA_NAME, _PYTHON_HOST_PLATFORM=linux-aarch64: the crossenv way):
#   the aarch64 compiler, the extension suffix, and setup.py's target tables for aarch64;
#   and sitecustomize.py, which points sys.executable at a script that starts the ARM
#   Python under QEMU, so the tests that run `sys.executable` (subprocesses, spawned
#   workers) work without binfmt.  FASTACT_EMULATED=1 tells the tests (conftest.py: no
#   Hypothesis "too slow" health check).
# Cython and the templates run on the host (Cython emits portable C); only the C compile
# and link are cross.  Environment: PYTHON (the host Python with NumPy, Cython and
# setuptools; default python3), FASTACT_AARCH64_CPUS (default "max:sve cortex-a72:neon",
# QEMU CPU : the target it must dispatch), FASTACT_AARCH64_TESTS (pytest arguments instead
# of the quick subset), FASTACT_AARCH64_ACCURACY (the accuracy tool's, default --quick).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${FASTACT_AARCH64_DIR:-/tmp/fastact-aarch64}
SYSROOT=$WORK/sysroot SITE=$WORK/site CROSS=$WORK/cross SRC=$WORK/src
PYTHON=${PYTHON:-python3}
CPUS=${FASTACT_AARCH64_CPUS:-max:sve cortex-a72:neon}
SYSCONFIG=_sysconfigdata__linux_aarch64-linux-gnu
START=$SECONDS
step() { echo "== $* ($((SECONDS - START)) s)"; }
mkdir -p "$WORK"

step "tools: qemu-user-static, gcc-aarch64-linux-gnu"
if ! command -v qemu-aarch64-static >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static gcc-aarch64-linux-gnu >/dev/null
fi

step "sysroot: the arm64 CPython 3.11 and its libraries"
if [ ! -x "$SYSROOT/usr/bin/python3.11" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        dpkg --add-architecture arm64
    fi
    apt-cache show python3.11-minimal:arm64 >/dev/null 2>&1 || apt-get update -qq
    rm -rf "$WORK/debs" "$SYSROOT" && mkdir -p "$WORK/debs" "$SYSROOT"
    # the interpreter, its standard library and headers, and every library they load
    (cd "$WORK/debs" && apt-get download -qq $(printf '%s:arm64 ' \
        python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libpython3.11-dev \
        libc6 zlib1g libffi8 libssl3 libexpat1 libbz2-1.0 liblzma5 libgomp1 libgcc-s1 \
        libstdc++6 libsqlite3-0 libncursesw6 libtinfo6 libreadline8 libuuid1 libcrypt1 \
        libnsl2 libtirpc3 libdb5.3) 2>&1 | grep -v "unsandboxed" || true)
    for deb in "$WORK"/debs/*.deb; do dpkg -x "$deb" "$SYSROOT"; done
fi

step "site: NumPy's aarch64 wheel and the test dependencies"
NUMPY=$("$PYTHON" -c "import numpy; print(numpy.__version__)")
PKGS="pytest hypothesis mpmath threadpoolctl"   # (not SciPy: one test skips without it)
if [ "$(cat "$SITE/.wheels" 2>/dev/null)" != "numpy==$NUMPY $PKGS" ]; then
    rm -rf "$SITE" "$WORK/wheels" && mkdir -p "$SITE" "$WORK/wheels"
    get() { "$PYTHON" -m pip download -q -d "$WORK/wheels" --only-binary=:all: \
                --platform manylinux_2_28_aarch64 --python-version 3.11 "$@"; }
    get "numpy==$NUMPY"
    # the host's versions where the index has them (the suite is tested with those)
    for pkg in $PKGS; do
        v=$("$PYTHON" -c "from importlib.metadata import version; print(version('$pkg'))" 2>/dev/null || true)
        get "$pkg==$v" 2>/dev/null || get "$pkg"
    done
    for whl in "$WORK"/wheels/*.whl; do "$PYTHON" -m zipfile -e "$whl" "$SITE"; done
    echo "numpy==$NUMPY $PKGS" >"$SITE/.wheels"
fi

step "cross: the arm64 sysconfig, the QEMU launcher"
mkdir -p "$CROSS/host" "$CROSS/arm"
# Debian's is a shared-libpython build; an extension must not link libpython (the
# interpreter has it built in), which setuptools does for Py_ENABLE_SHARED in a cross build
sed "s/'Py_ENABLE_SHARED': 1,/'Py_ENABLE_SHARED': 0,/" \
    "$SYSROOT/usr/lib/python3.11/$SYSCONFIG.py" >"$CROSS/host/$SYSCONFIG.py"
cat >"$CROSS/python3.11-aarch64" <<EOF
#!/bin/sh
# the arm64 CPython under QEMU (no binfmt: subprocesses of the tests come through here)
export QEMU_LD_PREFIX="$SYSROOT"
exec qemu-aarch64-static "$SYSROOT/usr/bin/python3.11" "\$@"
EOF
chmod +x "$CROSS/python3.11-aarch64"
cat >"$CROSS/arm/sitecustomize.py" <<EOF
# sys.executable is an aarch64 binary the host cannot exec without binfmt: the launcher
import sys
sys.executable = sys._base_executable = "$CROSS/python3.11-aarch64"
EOF

step "build: Cython on the host, C with aarch64-linux-gnu-gcc"
# the tree's sources (tracked and new, not what is ignored: no host build products)
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -z -co --exclude-standard | xargs -0 -r ls -d 2>/dev/null \
    | tar -cf - -T -) | tar -xf - -C "$SRC"
(
    cd "$SRC"
    export _PYTHON_HOST_PLATFORM=linux-aarch64 _PYTHON_SYSCONFIGDATA_NAME=$SYSCONFIG
    export PYTHONPATH=$CROSS/host CC=aarch64-linux-gnu-gcc LDSHARED="aarch64-linux-gnu-gcc -shared"
    # the arm64 Python's and NumPy's headers first (pyconfig.h, _numpyconfig.h differ;
    # Debian's pyconfig.h includes <aarch64-linux-gnu/python3.11/pyconfig.h>)
    export CFLAGS="-I$SYSROOT/usr/include/python3.11 -I$SYSROOT/usr/include -I$SITE/numpy/_core/include"
    "$PYTHON" setup.py -q build_ext --inplace
) >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
grep -E "^fastact: (OpenMP|.*vectorized|.*skipped|.*rejects)" "$WORK/build.log" || true

arm() {
    (cd "$WORK" && QEMU_CPU=$1 FASTACT_EMULATED=1 PYTHONPATH=$CROSS/arm:$SRC/src:$SITE \
        PYTHONDONTWRITEBYTECODE=1 "$CROSS/python3.11-aarch64" "${@:2}")
}

. "$ROOT/tools/test_subset.sh"
ACCURACY=${FASTACT_AARCH64_ACCURACY:---quick}
TESTS=${FASTACT_AARCH64_TESTS:-${SUBSET[*]} tests/test_vectorized.py tests/test_build_targets.py}
for pair in $CPUS; do
    cpu=${pair%%:*} want=${pair##*:}
    step "QEMU_CPU=$cpu: the dispatch picks $want"
    arm "$cpu" -c "
import platform, fastact
from fastact import _dispatch, recurrent
isa = _dispatch.KERNELS.isa
print(platform.machine(), 'built', _dispatch.built(), 'supported', _dispatch.supported(), 'loaded', isa,
      'recurrent', recurrent._recurrent.__name__)
assert isa == '$want', isa
assert recurrent._recurrent.__name__ == 'fastact._recurrent' + ('' if isa == _dispatch.FALLBACK else '_' + isa)"
    step "QEMU_CPU=$cpu: pytest $TESTS"
    (cd "$SRC" && QEMU_CPU=$cpu FASTACT_EMULATED=1 PYTHONPATH=$CROSS/arm:$SRC/src:$SITE PYTHONDONTWRITEBYTECODE=1 \
        "$CROSS/python3.11-aarch64" -m pytest -q -p no:cacheprovider $TESTS)
    step "QEMU_CPU=$cpu: python -m fastact accuracy $ACCURACY"
    arm "$cpu" -m fastact accuracy $ACCURACY --no-progress
done
step "done"

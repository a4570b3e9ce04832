#!/usr/bin/env bash
# The comparison tests: install the peers (PyTorch, JAX, ONNX Runtime, numba) into the
# test environment and run every test that compares fastact with one of them, which the
# plain `python -m pytest` skips when they are missing.  No such test may be skipped for
# a missing peer here (FASTACT_REQUIRE_PEERS=1 turns that skip into a failure), and the
# tests are selected by the `peer` marker that tests/conftest.py gives them (the same
# conftest fails, in any run, a test skipped for a missing peer that lacks the marker).
#
# Usage: . .venv/bin/activate && bash tools/check_peers.sh [pytest args]
# The environment is the active virtual environment (CI's first stage's .venv, where
# `pip install ".[test]"` put fastact), or .venv at the repo root when none is active.
# fastact is neither built nor reinstalled; numpy and ml_dtypes are held at the versions
# fastact was tested with, so the peers cannot change what is under test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

if [ -z "${VIRTUAL_ENV:-}" ] && [ -x .venv/bin/python ]; then
    . .venv/bin/activate
fi
PY=python
if ! "$PY" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    echo "check_peers: no virtual environment active (and no .venv): refusing to install" \
         "the peers into $(command -v "$PY")" >&2
    exit 1
fi
"$PY" -c 'import fastact' || { echo "check_peers: fastact does not import" >&2; exit 1; }

# what the peers must not move: numpy, ml_dtypes and fastact itself
held() {
    "$PY" -m pip freeze --all 2>/dev/null | grep -iE '^(numpy|ml[-_]dtypes|fastact)( |=|@)' || true
}
BEFORE=$(held)
CONSTRAINTS=$(mktemp "${TMPDIR:-/tmp}/fastact-peers.XXXXXX")
trap 'rm -f "$CONSTRAINTS"' EXIT
"$PY" -c 'import numpy; print(f"numpy=={numpy.__version__}")' > "$CONSTRAINTS"
"$PY" -c 'import ml_dtypes; print(f"ml_dtypes=={ml_dtypes.__version__}")' >> "$CONSTRAINTS" \
    2>/dev/null || true

echo "+ check_peers: pip install the peers (held: $(tr '\n' ' ' < "$CONSTRAINTS"))"
t0=$SECONDS
"$PY" -m pip install -q -c "$CONSTRAINTS" "torch==2.13.0" jax jaxlib onnxruntime onnx numba
echo "check_peers: installed in $((SECONDS - t0)) s"
if [ "$(held)" != "$BEFORE" ]; then
    echo "check_peers: installing the peers changed the tested environment:" >&2
    echo "before: $BEFORE" >&2
    echo "after:  $(held)" >&2
    exit 1
fi
"$PY" - <<'EOF'
import importlib
for m in ("torch", "jax", "jaxlib", "onnx", "onnxruntime", "numba"):
    print(f"  {m} {importlib.import_module(m).__version__}")
EOF

echo "+ check_peers: python -m pytest -m peer (a skip for a missing peer fails)"
t0=$SECONDS
FASTACT_REQUIRE_PEERS=1 "$PY" -m pytest -m peer -rs "$@"
echo "check_peers: tests ran in $((SECONDS - t0)) s"

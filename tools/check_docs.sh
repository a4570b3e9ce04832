#!/usr/bin/env bash
# Build the documentation site as CI does: into the active virtual environment (where
# fastact is installed) the docs' requirements, then every page, the API pages generated
# from the records and the executed gallery with warnings as errors, then every code
# example of the pages and docstrings as a doctest.  Usage: bash tools/check_docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
pip install -q -r docs/requirements.txt
rm -rf docs/_build docs/api/generated docs/auto_examples
# Matplotlib draws without a screen; the gallery's scripts run at build time.
export MPLBACKEND=Agg
python -m sphinx -W --keep-going -b html docs docs/_build/html
python -m sphinx -W --keep-going -b doctest docs docs/_build/doctest

#!/usr/bin/env bash
# Creates bench/splink/.venv and installs the pinned Splink stack from PyPI.
# Usage: bash bench/splink/setup.sh   (from anywhere; idempotent)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

# Splink 5 supports Python 3.10+.
"$python" - <<'PY'
import sys
if sys.version_info < (3, 10):
    sys.exit(f"Python 3.10+ required for Splink 5, found {sys.version.split()[0]}")
PY

if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --upgrade pip
"$here/.venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -c 'import splink, duckdb; print(f"splink {splink.__version__}, duckdb {duckdb.__version__} ready in '"$here"'/.venv")'

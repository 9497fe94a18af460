#!/usr/bin/env bash
# Regenerates the golden protobuf vectors in this folder with Python's official protobuf runtime.
#
#   packages/proto/testdata/golden/make-golden.sh
#
# 1. creates (or reuses) the venv /work/main/.venv/golden  (<repo>/.venv/ is git-ignored)
# 2. installs the pinned packages from requirements.txt, then seldon-core==1.18.2 with --no-deps
# 3. `make_golden.py generate` on protobuf's default upb (C) backend writes <name>.bin + manifest.json
# 4. `make_golden.py verify` re-parses every .bin on the pure-Python backend and checks that the
#    deterministic re-serialisation and the MessageToDict output are identical to what was written.
# Re-running must leave `git status` clean: the output is deterministic.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
VENV="${GOLDEN_VENV:-$REPO/.venv/golden}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "make-golden: creating venv $VENV" >&2
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install -r "$HERE/requirements.txt"
"${PIP[@]}" install --no-deps "seldon-core==1.18.2"

env -u PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION "$VENV/bin/python" "$HERE/make_golden.py" generate --out "$HERE"
PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python "$VENV/bin/python" "$HERE/make_golden.py" verify --out "$HERE"

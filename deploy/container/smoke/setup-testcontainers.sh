#!/usr/bin/env bash
# Creates the Python virtual environment of the container smoke test's testcontainers check at
# <repo>/.venv/testcontainers (git-ignored) with the pinned packages of
# requirements-testcontainers.txt. Re-running is cheap: nothing is installed when
# the environment already matches the requirements file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="$repo/.venv/testcontainers"
requirements="$here/requirements-testcontainers.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
echo "$want" > "$stamp"
echo "testcontainers environment ready: $venv"

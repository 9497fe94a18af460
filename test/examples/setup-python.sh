#!/usr/bin/env bash
# Creates the Python virtual environment of the example tests' requests/pandas/pyarrow snippets at
# <repo>/.venv/examples (git-ignored) with the pinned packages of requirements-examples.txt.
# Re-running is cheap: nothing is installed when the environment already matches the file. Installs
# hold a lock, so two test files starting at once do not build one venv twice.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv/examples"
requirements="$here/requirements-examples.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"
mkdir -p "$repo/.venv"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
(
  flock 9
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
  fi
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$requirements"
  echo "$want" > "$stamp"
  echo "examples environment ready: $venv" >&2
) 9>"$venv.lock"

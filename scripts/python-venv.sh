#!/usr/bin/env bash
# Creates, or reuses, the Python virtual environment <repo>/.venv/<name> (git-ignored) holding the
# pinned packages of scripts/python-venvs/<name>.txt, for the tests that run Python peers
# (tritonclient, MLServer, KServe, testcontainers). Only Python 3 is needed on the machine; the
# packages come from PyPI on first use and pip prints a line per package while they download.
# A later run with an unchanged requirements file returns at once. Installs hold a lock, so two
# test files starting together do not build one environment twice.
#
#   python-venv.sh <name>     prints the environment's directory when it is ready
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: python-venv.sh <name> (one of: $(cd "$root/scripts/python-venvs" && ls | sed 's/\.txt$//' | tr '\n' ' '))}"
requirements="$root/scripts/python-venvs/$name.txt"
[[ -f "$requirements" ]] || { echo "python-venv.sh: no $requirements" >&2; exit 2; }
venv="$root/.venv/$name"
mkdir -p "$root/.venv"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
(
  flock 9
  if [[ -x "$venv/bin/python" && "$(cat "$venv/.requirements.sha256" 2>/dev/null)" == "$want" ]]; then
    exit 0
  fi
  echo "python-venv.sh: installing .venv/$name from PyPI (first run only; pip lists each package)" >&2
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    --requirement "$requirements" >&2
  echo "$want" >"$venv/.requirements.sha256"
) 9>"$venv.lock"
echo "$venv"

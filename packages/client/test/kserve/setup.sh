#!/usr/bin/env bash
# Starts KServe's Python ModelServer (kserve from PyPI) serving a tiny iris model (iris_model.py),
# for the client's interoperability tests.
#
#   setup.sh install                     create or reuse the venv, then exit
#   setup.sh serve <http> <grpc>         install, serve until SIGTERM
#
# The venv is <repo>/.venv/kserve (the conformance suite's KServe peer uses the same one), built by
# scripts/python-venv.sh from the pinned scripts/python-venvs/kserve.txt: the first install
# downloads a few hundred MB and takes minutes, later runs take about a second. `serve` prints
# "kserve ready <version>" once the model answers /v2/models/iris/ready.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
venv="$root/.venv/kserve"

install() {
  bash "$root/scripts/python-venv.sh" kserve >/dev/null
}

serve() {
  local http_port="$1" grpc_port="$2"
  install
  "$venv/bin/python" "$here/iris_model.py" --http_port "$http_port" --grpc_port "$grpc_port" &
  local pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' TERM INT
  local version
  version="$("$venv/bin/python" -c "from importlib.metadata import version; print(version('kserve'))")"
  # Start-up imports numpy, FastAPI and grpcio: a few seconds, longer on a busy machine.
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "setup.sh: kserve exited during start-up" >&2
      exit 1
    fi
    if "$venv/bin/python" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$http_port/v2/models/iris/ready', timeout=1).status == 200 else 1)" 2>/dev/null; then
      echo "kserve ready $version"
      wait "$pid"
      exit $?
    fi
    sleep 0.5
  done
  echo "setup.sh: kserve not ready after 120 s" >&2
  kill -TERM "$pid"
  exit 1
}

case "${1:-}" in
  install) install ;;
  serve) shift; serve "$@" ;;
  *) echo "usage: setup.sh install | serve <http-port> <grpc-port>" >&2; exit 2 ;;
esac

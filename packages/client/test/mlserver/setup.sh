#!/usr/bin/env bash
# Starts MLServer (a real Open Inference Protocol server) serving a scikit-learn iris model, for the
# client's interoperability tests.
#
#   setup.sh install                                   create or reuse the venv, then exit
#   setup.sh serve <dir> <http> <grpc> <metrics>       install, train into <dir>, serve until killed
#
# The venv is <repo>/.venv/mlserver, built by scripts/python-venv.sh from the pinned
# scripts/python-venvs/mlserver.txt: the first install downloads a few hundred MB and takes
# minutes, later runs take about a second. `serve` prints "mlserver ready" once the server answers
# /v2/health/ready, and stops MLServer when it receives SIGTERM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
venv="$root/.venv/mlserver"

install() {
  bash "$root/scripts/python-venv.sh" mlserver >/dev/null
}

serve() {
  local dir="$1" http_port="$2" grpc_port="$3" metrics_port="$4"
  install
  mkdir -p "$dir/iris"
  "$venv/bin/python" "$here/train_iris.py" "$dir/iris/model.joblib"
  cat >"$dir/iris/model-settings.json" <<JSON
{
  "name": "iris",
  "implementation": "mlserver_sklearn.SKLearnModel",
  "parameters": { "uri": "./model.joblib", "version": "v1" }
}
JSON
  # parallel_workers 0 runs inference in the server process: no worker pool to start, so start-up
  # is seconds faster and SIGTERM has a single process to stop.
  cat >"$dir/settings.json" <<JSON
{
  "host": "127.0.0.1",
  "http_port": $http_port,
  "grpc_port": $grpc_port,
  "metrics_port": $metrics_port,
  "parallel_workers": 0,
  "load_models_at_startup": true
}
JSON
  "$venv/bin/mlserver" start "$dir" &
  local pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' TERM INT
  # Start-up imports scikit-learn and loads the model: a few seconds, longer on a busy machine.
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "setup.sh: mlserver exited during start-up" >&2
      exit 1
    fi
    if "$venv/bin/python" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$http_port/v2/models/iris/ready', timeout=1).status == 200 else 1)" 2>/dev/null; then
      echo "mlserver ready"
      wait "$pid"
      exit $?
    fi
    sleep 0.5
  done
  echo "setup.sh: mlserver not ready after 120 s" >&2
  kill -TERM "$pid"
  exit 1
}

case "${1:-}" in
  install) install ;;
  serve) shift; serve "$@" ;;
  *) echo "usage: setup.sh install | serve <dir> <http-port> <grpc-port> <metrics-port>" >&2; exit 2 ;;
esac

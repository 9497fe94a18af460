#!/usr/bin/env bash
# Installs and serves the peer servers the conformance suite reports on, for src/testing/peers.test.ts.
#
#   peer.sh install mlserver|kserve                        create or reuse the venv, then exit
#   peer.sh serve mlserver|kserve <http> <grpc> <metrics>  install, serve until SIGTERM
#
# Both venvs (<repo>/.venv/mlserver and .venv/kserve, shared with the client's interoperability
# tests) are built by scripts/python-venv.sh from the pinned scripts/python-venvs/<peer>.txt.
# MLServer 1.7.1 serves packages/conformance/models/ through the numpy fixture runtime in
# packages/conformance/mlserver/; KServe's Python ModelServer serves the same models through
# peers/kserve/conformance_server.py. `serve` prints "ready <version>" once /v2/health/ready
# answers 200.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
root="$(cd "$pkg/../.." && pwd)"
peer="${2:-}"

case "$peer" in
  mlserver | kserve) venv="$root/.venv/$peer" ;;
  *) echo "usage: peer.sh install|serve mlserver|kserve [<http> <grpc> <metrics>]" >&2; exit 2 ;;
esac

install() {
  bash "$root/scripts/python-venv.sh" "$peer" >/dev/null
}

serve() {
  local http_port="$1" grpc_port="$2" metrics_port="$3"
  install
  local pid
  if [[ "$peer" == mlserver ]]; then
    # parallel_workers 0 runs inference in the server process: the fixture runtime is imported
    # from PYTHONPATH, and SIGTERM has a single process to stop.
    PYTHONPATH="$pkg/mlserver" \
      MLSERVER_HOST=127.0.0.1 \
      MLSERVER_HTTP_PORT="$http_port" \
      MLSERVER_GRPC_PORT="$grpc_port" \
      MLSERVER_METRICS_PORT="$metrics_port" \
      MLSERVER_PARALLEL_WORKERS=0 \
      "$venv/bin/mlserver" start "$pkg/models" &
    pid=$!
  else
    "$venv/bin/python" "$pkg/peers/kserve/conformance_server.py" \
      --http_port "$http_port" --grpc_port "$grpc_port" &
    pid=$!
  fi
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' TERM INT
  local version
  version="$("$venv/bin/python" -c "from importlib.metadata import version; print(version('$peer'))")"
  # Start-up imports numpy and loads 17 models: seconds, longer on a busy machine.
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "peer.sh: $peer exited during start-up" >&2
      exit 1
    fi
    if "$venv/bin/python" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$http_port/v2/health/ready', timeout=1).status == 200 else 1)" 2>/dev/null; then
      echo "ready $version"
      wait "$pid"
      exit $?
    fi
    sleep 0.5
  done
  echo "peer.sh: $peer not ready after 120 s" >&2
  kill -TERM "$pid"
  exit 1
}

case "${1:-}" in
  install) install ;;
  serve) shift 2; serve "$@" ;;
  *) echo "usage: peer.sh install|serve mlserver|kserve [<http> <grpc> <metrics>]" >&2; exit 2 ;;
esac

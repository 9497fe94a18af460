#!/usr/bin/env bash
# podman with the settings it needs on the project's machines (rootful, no Docker engine, no
# overlayfs, no systemd): the vfs storage driver, the runc runtime, cgroupfs and the
# containers.conf beside this file. Used by the image scripts and the container smoke test;
# anywhere else plain `podman` or `docker` works as usual.
#   deploy/container/podman.sh build ...   deploy/container/podman.sh run ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
exec podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs "$@"

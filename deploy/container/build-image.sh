#!/usr/bin/env bash
# Builds the tensorwire image with podman from the local base (build-base.sh, built first if
# missing), as CI does. Elsewhere, `docker build -f Containerfile .` on the official base is enough.
#
#   deploy/container/build-image.sh [IMAGE]      # default localhost/tensorwire:dev; prints IMAGE
#
# A TLS-intercepting proxy's CA bundle, when NODE_EXTRA_CA_CERTS names one (as on the project's
# machines), reaches npm inside the build as the `ca-certificates` build secret; it is not stored in
# any layer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="${1:-localhost/tensorwire:dev}"

base="$("$here/build-base.sh")"
secret=()
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -s "$NODE_EXTRA_CA_CERTS" ]]; then
  secret=(--secret "id=ca-certificates,src=$NODE_EXTRA_CA_CERTS")
fi
"$here/podman.sh" build --format docker --network host "${secret[@]}" \
  --build-arg "BASE=$base" -t "$image" -f "$repo/Containerfile" "$repo" >&2
# On vfs storage every intermediate image is a full copy (the build stage is over 1 GB): drop those
# of earlier builds. The sources change between builds, so their layers would not be reused anyway.
"$here/podman.sh" image prune --force --filter label=org.tensorwire.stage >/dev/null
echo "$image"

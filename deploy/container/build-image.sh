#!/usr/bin/env bash
# Builds the tensorwire image with podman from the local base (build-base.sh, built first if
# missing), as CI does. Elsewhere, `docker build -f Containerfile .` on the official base is enough.
#
#   deploy/container/build-image.sh [IMAGE]      # default localhost/tensorwire:dev; prints IMAGE
#
# The machine's CA bundle (NODE_EXTRA_CA_CERTS, else SSL_CERT_FILE, else Debian's bundle) reaches
# npm inside the build as the `ca-certificates` build secret, so that a TLS-intercepting proxy the
# machine trusts (as on the project's machines) is trusted there too; it is stored in no layer.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="${1:-localhost/tensorwire:dev}"

base="$("$here/build-base.sh")"
secret=()
for bundle in "${NODE_EXTRA_CA_CERTS:-}" "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt; do
  if [[ -n "$bundle" && -s "$bundle" ]]; then
    secret=(--secret "id=ca-certificates,src=$bundle")
    break
  fi
done
"$here/podman.sh" build --format docker --network host "${secret[@]}" \
  --build-arg "BASE=$base" -t "$image" -f "$repo/Containerfile" "$repo" >&2
# On vfs storage every intermediate image is a full copy (the build stage is over 1 GB): drop those
# of earlier builds. The sources change between builds, so their layers would not be reused anyway.
"$here/podman.sh" image prune --force --filter label=org.tensorwire.stage >/dev/null
echo "$image"

#!/usr/bin/env bash
# Builds the local stand-in for the official `node:24-slim` image where registry images cannot be
# pulled: a Debian bookworm minbase root filesystem (debootstrap, Debian's packages) plus the Node
# binary the repo already installs from npm (the `node` dev dependency) and npm itself (the npm
# registry's `npm` package, the version the repo's `packageManager` names), laid out as the official
# image lays them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm). `podman import` turns
# it into an image; the Containerfile takes it as `--build-arg BASE=<the printed name>`.
#
#   deploy/container/build-base.sh            # prints the image name; builds only if it is missing
#
# Needs root, debootstrap and podman; run `npm ci` first (for the Node binary).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
podman="$here/podman.sh"
suite="${DEBIAN_SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

node_bin="$(readlink -f "$repo/node_modules/node/bin/node")"
if [[ ! -x "$node_bin" ]]; then
  echo "build-base: no Node binary at node_modules/node/bin/node; run npm ci first" >&2
  exit 1
fi
node_version="$("$node_bin" --version)"
npm_version="$("$node_bin" -p 'require(process.argv[1]).packageManager.split("@")[1]' "$repo/package.json")"
image="localhost/tensorwire-base:node${node_version#v}-npm${npm_version}-${suite}"

if "$podman" image exists "$image"; then
  echo "$image"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tensorwire-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >&2

install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
# npm's registry tarball bundles all of npm's own dependencies, so unpacking it is the install.
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# What an image needs no copy of: apt's package lists and downloaded .debs, docs and man pages.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/log/*.log

tar --numeric-owner -C "$rootfs" -c . |
  "$podman" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${node_version#v}" \
    --change 'CMD ["node"]' \
    - "$image" >&2
echo "$image"

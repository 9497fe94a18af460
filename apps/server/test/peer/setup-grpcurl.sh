#!/usr/bin/env bash
# Builds grpcurl (pinned) into <repo>/.cache/grpcurl/bin (git-ignored) with the Go toolchain, for
# the grpcurl peer test (the Go module proxy serves grpcurl's modules). Exits 3 without Go. Re-running is cheap once the binary exists.
set -euo pipefail

version="v1.9.3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
root="$repo/.cache/grpcurl"
bin="$root/bin/grpcurl"

if [[ -x "$bin" && "$(cat "$root/version" 2>/dev/null)" == "$version" ]]; then
  exit 0
fi
go="$(command -v go || true)"
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then
  go=/usr/local/go/bin/go
fi
if [[ -z "$go" ]]; then
  echo "no Go toolchain: cannot build grpcurl" >&2
  exit 3
fi
# The module and build caches stay Go's defaults (outside the repo), so a fresh clone rebuilds fast.
GOBIN="$root/bin" "$go" install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version"
echo "$version" > "$root/version"
echo "grpcurl ready: $bin"

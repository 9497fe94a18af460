#!/usr/bin/env bash
# Builds the manifest checks' tools into <repo>/.cache/deploy-tools/bin (git-ignored) with the Go
# toolchain and the Go module proxy: helm (pinned below) and this folder's validator. Exits 3
# without Go. Re-running is cheap: helm is kept while its version matches, and the validator's
# build is cached by Go.
set -euo pipefail

helm_version="v4.3.2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$repo/.cache/deploy-tools/bin"

go="$(command -v go || true)"
if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then
  go=/usr/local/go/bin/go
fi
if [[ -z "$go" ]]; then
  echo "no Go toolchain: cannot build helm and the manifest validator" >&2
  exit 3
fi
mkdir -p "$bin"
if [[ ! -x "$bin/helm" || "$(cat "$bin/helm.version" 2>/dev/null)" != "$helm_version" ]]; then
  GOBIN="$bin" "$go" install "helm.sh/helm/v4/cmd/helm@$helm_version"
  echo "$helm_version" > "$bin/helm.version"
fi
(cd "$here" && "$go" build -o "$bin/validate" .)
echo "$bin"

#!/usr/bin/env bash
# Copies the Kafka broker jars (and their dependencies) from Maven Central into
# <repo>/.cache/kafka/<version>/libs, once: broker.ts starts the JVM from there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
libs="$root/.cache/kafka/$version/libs"
if [ -f "$libs/.complete" ]; then
  echo "$libs"
  exit 0
fi
mkdir -p "$libs"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >&2
touch "$libs/.complete"
echo "$libs"

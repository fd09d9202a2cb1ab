#!/usr/bin/env bash
# (Re)create demo/archive/ from scratch with real Go runtime/pprof profiles:
# builds scripts/demo-gen into a temp dir and runs it once per service, each
# as its own process (own cumulative counters), one after the other (~60 s).
# Needs Go (scripts/install-deps.sh --demo-gen); stdlib only, no downloads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/demo/archive
command -v go >/dev/null || { echo "make-demo: go not found; run scripts/install-deps.sh --demo-gen" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=${HOME:-$tmp} GOCACHE=${GOCACHE:-$tmp/gocache} GOFLAGS=-mod=mod GO111MODULE=on
(cd "$root/scripts/demo-gen" && go build -trimpath -o "$tmp/demogen" .)

new=$tmp/archive
"$tmp/demogen" -service api     -out "$new" -rounds 4 -interval 2s
"$tmp/demogen" -service billing -out "$new" -rounds 4 -interval 2s -layout date
"$tmp/demogen" -service leaky   -out "$new" -rounds 4 -interval 2s

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$new" "$out"
echo "make-demo: $(find "$out" -type f | wc -l) profiles, $(du -sh "$out" | cut -f1) in ${out#"$root"/}"

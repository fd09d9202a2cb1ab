#!/usr/bin/env bash
# Start the Pyroscope test server (server.mjs) in the foreground, installing
# its pinned npm packages first when node_modules is missing (npm ci, from
# package-lock.json).  Arguments go to server.mjs.  Exit 77 (a skip) when
# node, npm or the packages cannot be had here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null; then
	echo "remote test server: SKIP: node is not installed (scripts/install-deps.sh)" >&2
	exit 77
fi
if [ ! -d "$HERE/node_modules/@connectrpc/connect-node" ]; then
	if ! command -v npm >/dev/null ||
	   ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
		echo "remote test server: SKIP: npm ci failed in $HERE" >&2
		exit 77
	fi
fi
exec node "$HERE/server.mjs" "$@"

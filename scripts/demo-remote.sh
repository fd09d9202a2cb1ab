#!/usr/bin/env bash
# make demo-remote: the demo archive served by the Pyroscope test server
# (tests/remote/server.mjs: querier.v1 over Connect, as an ingesting
# Pyroscope would), mounted through its URL, and shown around.  The server
# and the mount stay up for you to browse; the last lines say how to stop
# them.  Usage: scripts/demo-remote.sh [OUT_DIR]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-out}
MNT=${PYROFS_DEMO_MNT:-demo/mnt-remote}
PORT=${PYROFS_DEMO_PORT:-4040}
LOG=${TMPDIR:-/tmp}/pyrofs-demo-server.log

mkdir -p "$MNT"
if mountpoint -q "$MNT"; then
	fusermount3 -u "$MNT"
fi
rm -f "$LOG.port"
nohup tests/remote/start-server.sh --dir demo/archive --port "$PORT" \
	--port-file "$LOG.port" >"$LOG" 2>&1 &
SERVER=$!
for _ in $(seq 1 1200); do
	[ -s "$LOG.port" ] && break
	kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
	sleep 0.05
done
URL=http://127.0.0.1:$(cat "$LOG.port")
# step=1s: the demo's profiles are seconds apart, so each is a snapshot.
"$OUT/pyrofs" -o step=1s "$URL" "$MNT"

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}
show ls "$MNT"
show ls "$MNT/api/cpu"
show cat "$MNT/api/cpu/all/top.txt"
show ls "$MNT/api/cpu/all/labels/endpoint"
show getfattr -n user.pyrofs.sources --only-values "$MNT/api/cpu/all"
printf '\n'
show cat "$MNT/.pyrofs/stats"

cat <<MSG

pyrofs is serving the Pyroscope server $URL (the test server, pid $SERVER,
serving demo/archive) at $MNT.
  the same archive read directly:  make demo   (demo/mnt)
  unmount and stop:                fusermount3 -u $MNT; kill $SERVER
MSG

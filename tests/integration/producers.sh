#!/usr/bin/env bash
# Profiles as other producers write them (issue 17): go tool pprof's own
# archive.
#
#   tests/integration/producers.sh [OUT_DIR]   OUT_DIR holds pyrofs,
#                                              pyrofs-cat, tests/mkprofile
#
# go tool pprof saves every profile it fetches into PPROF_TMPDIR (default
# ~/pprof) as pprof.<binary>.<type>...<NNN>.pb.gz.  The files here are
# saved by the real go tool pprof, fetching:
#   - from tests/tools/pprofsrv.go built as `api.v2` (a binary name with a
#     dot) and run: a CPU profile (1 s) and a heap profile from its
#     net/http/pprof handlers;
#   - from `python3 -m http.server` serving mkprofile's fixed archive: its
#     Go CPU profile (binary /usr/local/bin/api) and its py-spy-like
#     profile, which has no mapping, so pprof saves it without a binary
#     (pprof.samples.001.pb.gz).
# All lie directly in ARCHIVE.  Mounted, each binary is a service (api,
# api.v2) and the profile without a binary stays in the service named
# after ARCHIVE; each node's folded and top.txt equal, byte for byte,
# pyrofs-cat's on a reference archive holding the same bytes in a service
# directory (the files as saved) or mkprofile's originals (what pprof
# fetched), and /.pyrofs/errors is empty.
#
# Skipped, with a note, without go or python3.  Exits 77 when FUSE is
# unusable.
set -u
export LC_ALL=C
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYROFS=$OUT/pyrofs
CAT=$OUT/pyrofs-cat
. "$(dirname "$0")/lib.sh"
it_begin producers

SRV_PID= HTTP_PID=
it_on_exit() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null && wait "$HTTP_PID" 2>/dev/null
	return 0
}

if ! command -v go >/dev/null || ! go tool pprof -h >/dev/null 2>&1 ||
   ! command -v python3 >/dev/null; then
	echo "producers: SKIP: go tool pprof's archive needs go and python3"
	skip=$((skip + 1))
	it_end
	exit
fi
[ -x "$OUT/tests/mkprofile" ] || { bad "missing $OUT/tests/mkprofile (make tools)"; it_abort; }

export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GOFLAGS= GO111MODULE=off GOTOOLCHAIN=local
mkdir -p "$ARCHIVE" "$TMP/bin"

# wait_file FILE: until it exists (the port of a server), 20 s at most.
wait_file() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# fetch URL: go tool pprof fetches it and saves it into ARCHIVE.
fetch() {
	PPROF_TMPDIR=$ARCHIVE go tool pprof -top -symbolize=none "$1" \
		>"$TMP/fetch.out" 2>&1 || { bad "go tool pprof $1: $(tail -3 "$TMP/fetch.out")"; return 1; }
	grep -q "^Saved profile in $ARCHIVE/" "$TMP/fetch.out" || bad "pprof saved nothing for $1"
}

# ---- a Go program's profiles --------------------------------------------
if go build -o "$TMP/bin/api.v2" "$ROOT/tests/tools/pprofsrv.go" 2>"$TMP/build.err"; then
	"$TMP/bin/api.v2" "$TMP/port" 2>"$TMP/srv.err" &
	SRV_PID=$!
	if wait_file "$TMP/port"; then
		PORT=$(cat "$TMP/port")
		fetch "http://127.0.0.1:$PORT/debug/pprof/profile?seconds=1"
		fetch "http://127.0.0.1:$PORT/debug/pprof/heap"
	else
		bad "pprofsrv did not listen: $(head -3 "$TMP/srv.err")"
	fi
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
else
	bad "go build pprofsrv: $(head -5 "$TMP/build.err")"
fi

# ---- files served over HTTP ------------------------------------------------
"$OUT/tests/mkprofile" "$TMP/mk" >/dev/null || bad "mkprofile"
(cd "$TMP/mk" && exec python3 -u -m http.server --bind 127.0.0.1 0) >"$TMP/http.log" 2>&1 &
HTTP_PID=$!
for ((i = 0; i < 400; i++)); do
	HPORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$TMP/http.log")
	[ -n "$HPORT" ] && break
	sleep 0.05
done
if [ -n "$HPORT" ]; then
	fetch "http://127.0.0.1:$HPORT/api/cpu-1795000000.pb.gz"
	fetch "http://127.0.0.1:$HPORT/billing/profile"
else
	bad "python3 -m http.server did not start: $(head -3 "$TMP/http.log")"
fi
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
HTTP_PID=

check_eq "pprof's file names" \
"pprof.api.samples.cpu.001.pb.gz
pprof.api.v2.alloc_objects.alloc_space.inuse_objects.inuse_space.001.pb.gz
pprof.api.v2.samples.cpu.001.pb.gz
pprof.samples.001.pb.gz" "$(ls "$ARCHIVE")"

# References: the saved files in service directories, and mkprofile's.
REF=$TMP/ref
mkdir -p "$REF/api" "$REF/api.v2" "$REF/archive"
cp "$ARCHIVE"/pprof.api.samples.* "$REF/api/"
cp "$ARCHIVE"/pprof.api.v2.* "$REF/api.v2/"
cp "$ARCHIVE"/pprof.samples.* "$REF/archive/"

# dirs DIR: its subdirectories' names (the services, types).
dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort; }

mount_fg || it_abort

check_eq "services" "api
api.v2
archive" "$(dirs "$MNT")"
check_eq "api.v2 types" "alloc_objects
alloc_space
cpu
inuse_objects
inuse_space
samples" "$(dirs "$MNT/api.v2")"
check_eq "api types" "cpu
samples" "$(dirs "$MNT/api")"
check_eq "archive types" "cpu" "$(dirs "$MNT/archive")"
check_eq "no errors" "" "$(cat "$MNT/.pyrofs/errors")"

for node in api.v2/cpu api.v2/inuse_space api.v2/alloc_objects api/cpu archive/cpu; do
	for f in folded top.txt; do
		check_eq "$node $f against a service directory" \
			"$("$CAT" "$REF" "$node/latest/$f")" "$(cat "$MNT/$node/latest/$f")"
	done
done
# What pprof fetched, read by pyrofs before and after pprof saved it.
check_eq "api cpu as fetched" "$("$CAT" "$TMP/mk" api/cpu/2026-11-18T11-06-40Z/folded)" \
	"$(cat "$MNT/api/cpu/latest/folded")"
check_eq "billing as fetched" "$("$CAT" "$TMP/mk" billing/cpu/latest/folded)" \
	"$(cat "$MNT/archive/cpu/latest/folded")"
[ -s "$MNT/api.v2/cpu/latest/folded" ] && ok || bad "api.v2 cpu has no samples"

unmount
[ "$DAEMON_RC" = 0 ] && ok || bad "daemon exit code $DAEMON_RC"
check_stderr "producers"
it_end

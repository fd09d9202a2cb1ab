#!/usr/bin/env bash
# Mount test of the remote source (issue 21): the Pyroscope test server
# (server.mjs) serving demo/archive, mounted with pyrofs, read like a user
# and compared with the same archive read locally under -o merge=pprof
# (pyrofs-cat: the same tree without FUSE).
#
#   tests/remote/run.sh [OUT_DIR]     OUT_DIR holds pyrofs, pyrofs-cat
#
# Checks: the same services, types, label keys and values; for every type
# of every service, every hour window, `all`, a FROM..TO range, `last-15m`
# and every label node of api/cpu: folded, and top.txt from "Showing
# nodes" on, equal; tenant and credentials sent; a wrong password fails the
# mount with one line; `grep -r` over the mount never has more queries in
# flight than -o max_queries and fetches no merge twice; a server that
# stops gives EIO while cached nodes keep being served, and its restart is
# picked up without remounting; an HTML page or JSON where protobuf belongs
# is a clear error; over HTTPS (a certificate made here by openssl) a mount
# with -o ca_file reads as over HTTP and one without fails with one line;
# with https_proxy in the daemon's environment its queries go through the
# proxy (proxy.mjs, which counts them).  Exit 77 (skip) without FUSE, node
# or the npm packages.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYROFS=$(cd "$OUT" && pwd)/pyrofs
CAT=$(cd "$OUT" && pwd)/pyrofs-cat
DEMO=$REPO/demo/archive
. "$REPO/tests/integration/lib.sh"

it_begin remote
SERVER_PID=
PORT=

# start_server [ARGS...]: the test server on $PORT (0: any), waits for it.
start_server() {
	rm -f "$TMP/port" "$TMP/tls-port"
	"$HERE/start-server.sh" --dir "$DEMO" --port "${PORT:-0}" --port-file "$TMP/port" \
		--tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --tls-port-file "$TMP/tls-port" \
		--basic u:p --tenant t1 "$@" 2>>"$TMP/server.log" &
	SERVER_PID=$!
	for _ in $(seq 1 1200); do
		[ -s "$TMP/port" ] && break
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID"
			[ $? = 77 ] && { echo "remote: SKIP: $(tail -1 "$TMP/server.log")"; exit 77; }
			bad "test server did not start: $(cat "$TMP/server.log")"
			it_end
			exit 1
		fi
		sleep 0.05
	done
	PORT=$(cat "$TMP/port")
	URL=http://127.0.0.1:$PORT
	TLS_URL=https://127.0.0.1:$(cat "$TMP/tls-port")
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

PROXY_PID=
cleanup_all() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	stop_server
	it_cleanup
}
trap cleanup_all EXIT

control() { curl -fsS -X POST "$URL$1" >/dev/null; }
stats() { curl -fsS "$URL/stats"; }

local_cat() { "$CAT" -o merge=pprof "$DEMO" "$1"; }
from_showing() { sed -n '/^Showing nodes/,$p'; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null ||
	{ bad "openssl req -x509 failed (scripts/install-deps.sh installs openssl)"; it_end; exit 1; }
start_server
umask 077
printf 'u:p\n' >"$TMP/auth"
printf 'u:wrong\n' >"$TMP/auth-bad"
ARCHIVE=$URL
# refresh=1d: every demo span is "open" (within refresh of the newest data)
# and so gets a new identity once per day; a day keeps the run in one.
OPTS=step=1s,refresh=1d,timeout=3s,max_queries=2,tenant=t1,auth_file=$TMP/auth,merge=pprof

# ---- a wrong password: one line, non-zero exit, no mount ------------------
out=$("$PYROFS" -f -o "step=1s,tenant=t1,auth_file=$TMP/auth-bad" "$URL" "$MNT" 2>&1)
rc=$?
check "wrong password exits non-zero" test "$rc" -ne 0
check_eq "wrong password message" "pyrofs: $URL: 401 Unauthorized (check -o auth_file)" "$out"
check "no mount after a wrong password" bash -c "! mountpoint -q '$MNT'"

mount_fg -o "$OPTS" || { it_end; exit 1; }

# ---- the same tree ----------------------------------------------------------
# Directories only, as readdir types them (find -type d): a glob such as
# */ stats every entry, and stat of a service's summary.txt builds it, with
# merges of points that tests below need uncached.
subdirs() { (cd "$1" && find . -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort); }
check_eq "services" "$(local_cat '' | grep '/$' | grep -v '^\.' | sort)" "$(subdirs "$MNT" | sed 's|$|/|' | sort)"
for svc in $(subdirs "$MNT"); do
	check_eq "types of $svc" "$(local_cat "$svc/" | grep '/$' | sort)" \
		"$(subdirs "$MNT/$svc" | sed 's|$|/|' | sort)"
done
check_eq "label keys" "$(local_cat api/cpu/all/labels/ | sort)" \
	"$(ls "$MNT/api/cpu/all/labels" | sed 's|$|/|')"
check_eq "label values" "$(local_cat api/cpu/all/labels/endpoint/ | sort)" \
	"$(ls "$MNT/api/cpu/all/labels/endpoint" | sed 's|$|/|')"

# ---- merges equal pprof's sums ------------------------------------------------
compare() { # compare PATH-OF-A-TIME-NODE
	check_eq "$1/folded" "$(local_cat "$1/folded")" "$(cat "$MNT/$1/folded")"
	check_eq "$1/top.txt" "$(local_cat "$1/top.txt" | from_showing)" \
		"$(from_showing <"$MNT/$1/top.txt")"
}
for svc in $(subdirs "$MNT"); do
	for type in $(subdirs "$MNT/$svc"); do
		d=$svc/$type
		[ -d "$MNT/$d" ] || continue
		snaps=$(local_cat "$d/" | grep -E 'Z/$' | tr -d /)
		first=$(echo "$snaps" | head -1)
		last=$(echo "$snaps" | tail -1)
		for w in $(local_cat "$d/" | grep -E '^[0-9-]+T[0-9]{2}/$' | tr -d /) \
			 all "$first..$last" last-15m; do
			compare "$d/$w"
		done
	done
done
for v in $(ls "$MNT/api/cpu/all/labels/endpoint"); do
	compare "api/cpu/all/labels/endpoint/$v"
done

# ---- headers ------------------------------------------------------------------
s=$(stats)
check "tenant sent" grep -q '"x-scope-orgid":"t1"' <<<"$s"
check "basic auth sent" grep -q '"authorization":"Basic dTpw"' <<<"$s"

# ---- not protobuf: a clear error, not a crash --------------------------------
control "/control?html=1"
check "HTML answer: EIO" bash -c "! cat '$MNT/billing/cpu/2026-11-26T04-40-21Z/top.txt' >/dev/null 2>&1"
check "HTML answer: reported" grep -q 'text/html' "$MNT/.pyrofs/errors"
control "/control?json=1"
check "JSON answer: EIO" bash -c "! cat '$MNT/billing/cpu/2026-11-26T04-40-25Z/top.txt' >/dev/null 2>&1"
check "JSON answer: reported" grep -q 'application/json answer' "$MNT/.pyrofs/errors"
control /control

# ---- the server stops mid-read, then comes back ---------------------------------
cached=$(cat "$MNT/api/cpu/all/top.txt")
stop_server
check_eq "cached node served while the server is down" "$cached" "$(cat "$MNT/api/cpu/all/top.txt")"
check "uncached node: EIO" bash -c "! cat '$MNT/leaky/cpu/2026-11-26T04-40-36Z/folded' >/dev/null 2>&1"
check "server down: reported" grep -q 'SelectMergeProfile' "$MNT/.pyrofs/errors"
start_server
check_eq "restarted server: read again" \
	"$(local_cat leaky/cpu/2026-11-26T04-40-36Z/folded)" \
	"$(cat "$MNT/leaky/cpu/2026-11-26T04-40-36Z/folded")"

# ---- one held answer holds up nothing else ------------------------------------
# The server holds every call until /release: the read that needs one waits
# (fs/loop.c's standby takes over reading), and reads of cached nodes,
# listings and the mount's own files are answered meanwhile.
in_flight() { stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["inFlight"])'; }
snap=api/cpu/$(local_cat api/cpu/ | grep -E 'Z/$' | sed -n 2p | tr -d /)
control "/control?hold=1"
cat "$MNT/$snap/folded" >/dev/null 2>&1 &
held=$!
for _ in $(seq 1 200); do
	[ "$(in_flight)" -ge 1 ] && break
	sleep 0.05
done
check "held answer: the read waits for it" kill -0 "$held"
check_eq "held answer: a cached node is read meanwhile" "$cached" "$(cat "$MNT/api/cpu/all/top.txt")"
check_eq "held answer: a listing meanwhile" "$(subdirs "$MNT/api" | head -1)" "$(local_cat api/ | grep '/$' | sort | head -1 | tr -d /)"
check "held answer: /.pyrofs/stats meanwhile" grep -q '^queries_sent [0-9]' "$MNT/.pyrofs/stats"
check "held answer: the read still waits" kill -0 "$held"
control /release
control /control
wait "$held"
check_eq "held answer: released, the node reads right" \
	"$(local_cat "$snap/folded")" "$(cat "$MNT/$snap/folded")"

# ---- grep -r: the cap, and no merge fetched twice ---------------------------
control /stats/reset
grep -r -q nothing-matches-this "$MNT" 2>/dev/null
s=$(stats)
check "grep -r: at most max_queries in flight" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
sys.exit(0 if s["maxInFlight"] <= 2 else 1)' "$s"
check "grep -r: no merge fetched twice" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
d = [r["digest"] for r in s["requests"] if r["method"] == "SelectMergeProfile"]
sys.exit(0 if d and len(d) == len(set(d)) else 1)' "$s"
grep -q '^queries_sent [0-9]' "$MNT/.pyrofs/stats" && ok || bad "/.pyrofs/stats"

unmount
check_eq "daemon exit status" 0 "$DAEMON_RC"
check_stderr remote

# ---- growth.txt over fewer points than the series has says so ---------------
check_eq "growth.txt header with growth_points=2" \
	"$(local_cat api/inuse_space/growth.txt | head -1 |
	   sed 's/over 4 snapshots (\(.*\))$/over 2 of 4 snapshots (\1, evenly spaced; the timeline has all)/')" \
	"$("$CAT" -o "$OPTS,growth_points=2" "$URL" api/inuse_space/growth.txt | head -1)"

# ---- https: -o ca_file; without it, one line naming the certificate problem --
out=$("$PYROFS" -f -o "step=1s,tenant=t1,auth_file=$TMP/auth" "$TLS_URL" "$MNT" 2>&1)
rc=$?
check "https without the CA exits non-zero" test "$rc" -ne 0
check_eq "https without the CA: one line" \
	"pyrofs: $TLS_URL: GetProfileStats: TLS: SSL certificate problem: self-signed certificate (system CAs; see -o ca_file)" \
	"$out"
check "no mount without the CA" bash -c "! mountpoint -q '$MNT'"

# ---- https through the environment's https_proxy ---------------------------
rm -f "$TMP/proxy-port"
node "$HERE/proxy.mjs" --port-file "$TMP/proxy-port" 2>>"$TMP/server.log" &
PROXY_PID=$!
for _ in $(seq 1 200); do [ -s "$TMP/proxy-port" ] && break; sleep 0.05; done
PROXY=http://127.0.0.1:$(cat "$TMP/proxy-port")
ARCHIVE=$TLS_URL
export https_proxy=$PROXY
mount_fg -o "$OPTS,ca_file=$TMP/cert.pem" || { it_end; exit 1; }
unset https_proxy
check_eq "https: api/cpu/all/folded" "$(local_cat api/cpu/all/folded)" "$(cat "$MNT/api/cpu/all/folded")"
check "https: the queries went through https_proxy" python3 -c '
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/stats"))
sys.exit(0 if s["connects"] >= 1 and all(t == sys.argv[2] for t in s["targets"]) else 1)' \
	"$PROXY" "${TLS_URL#https://}"
# ls -l of a service, as a file manager lists it: the listing carries
# summary.txt's size (its cached rendering's, else 0), so it makes no call
# at all.  Reading it builds
# the totals from the listing and merges only each type's newest snapshot,
# never the per-point merges of growth.txt.
control /stats/reset
ls -l "$MNT/leaky" >/dev/null
check "ls -l of a service: no call" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
sys.exit(0 if not s["calls"] else 1)' "$(stats)"
cat "$MNT/leaky/summary.txt" >/dev/null
check "summary.txt of a service: one merge per type" python3 -c '
import json, sys
s = json.loads(sys.argv[1])
sys.exit(0 if s["calls"] == {"SelectMergeProfile": int(sys.argv[2])} else 1)' \
	"$(stats)" "$(subdirs "$MNT/leaky" | wc -l)"
unmount
check_eq "https daemon exit status" 0 "$DAEMON_RC"
check_stderr remote-https
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null; PROXY_PID=
it_end

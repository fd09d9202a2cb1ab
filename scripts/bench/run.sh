#!/usr/bin/env bash
# The pyrofs benchmark (`make bench`): pyrofs through a real mount against
# the tools a user would run instead, in one run, on this machine.
#
#   scripts/bench/run.sh [OUT_DIR]        OUT_DIR holds pyrofs and bench/
#
# Knobs: BENCH_REPS (default 5) repetitions of every pyrofs and gzip/cat
# figure, BENCH_PEER_REPS (default 3) of the slow pprof/flamegraph.pl routes;
# the median is reported.  BENCH_DATA (default OUT_DIR/bench/data) keeps the
# generated profiles between runs.  BENCH_ONLY (a space-separated list of
# single, listing, merge, reads, remote, bigarchive) runs those sections
# only.  The table goes to stdout and to
# OUT_DIR/bench/results.md.  No figure here is a test: nothing fails on time.
#
# "Cold" means a fresh mount (nothing in pyrofs's caches) with the archive
# files in the OS page cache, as they are for the peers.  The persistent
# index cache lives in OUT_DIR/bench/cache (XDG_CACHE_HOME) so the bench
# never touches the user's.
set -u
export LC_ALL=C

OUT=${1:-out}
OUT=$(cd "$OUT" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REPS=${BENCH_REPS:-5}
PEER_REPS=${BENCH_PEER_REPS:-3}
B=$OUT/bench
DATA=${BENCH_DATA:-$B/data}
RES=$B/results.md
BT=$B/benchtool
GENPROF=$B/genprof
DECODEALL=$B/decodeall
PYROFS=$OUT/pyrofs
CORPUS=${PYRO_CORPUS:-$REPO/../shared/corpus}
LARGE_CPU=$CORPUS/profiles/pprof/testdata/large.cpu.pb.gz
export XDG_CACHE_HOME=$B/cache
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pyrofs-bench.XXXXXX")
MNT=$TMP/mnt
DPID=
mkdir -p "$MNT" "$DATA" "$XDG_CACHE_HOME"

log() { echo "bench: $*" >&2; }

# ---- mounts -------------------------------------------------------------

# The pid of the daemon serving $MNT: the process whose arguments end with
# our private mountpoint (we started it; nothing is matched by name).
daemon_pid() {
	local p
	for p in /proc/[0-9]*; do
		if [ "$(cat "$p/cmdline" 2>/dev/null | tr '\0' '\n' | tail -n 1)" = "$MNT" ] &&
		   [ "$(readlink "$p/exe" 2>/dev/null)" = "$PYROFS" ]; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

umount_it() {
	local i
	mountpoint -q "$MNT" 2>/dev/null &&
		{ fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -u -z "$MNT"; }
	if [ -n "$DPID" ]; then
		for i in $(seq 1 500); do
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.02
		done
	fi
	DPID=
}

SPID=
cleanup() {
	umount_it
	[ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mount_it ARCHIVE [OPTS...]: pyrofs returns once the mount is ready.
mount_it() {
	local a=$1
	shift
	"$PYROFS" "$@" "$a" "$MNT" || { log "mount of $a failed"; return 1; }
	DPID=$(daemon_pid) || { log "no daemon for $MNT"; return 1; }
}

hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$DPID/status" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status" 2>/dev/null || echo 0; }

# ---- numbers ------------------------------------------------------------

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maxof() { sort -g | tail -n 1; }
fmt_t() { awk -v t="$1" 'BEGIN { if (t == "nan" || t == "") print "-"; else if (t < 1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'; }
fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b + 0 == 0) print "nan"; else printf "%.2f", a / b }'; }
# check VALUE OP LIMIT -> met / MISSED
check() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "nan") { print "n/a"; exit } ok = op == ">=" ? v >= l : v <= l; print ok ? "met" : "**MISSED**" }'; }

# time_cmd N CMD...: N runs, one time per line
time_cmd() {
	local n=$1 i
	shift
	for i in $(seq 1 "$n"); do "$BT" run "$@" || { log "failed: $*"; echo nan; }; done
}

ROWS=()
NOTES=()
row() { ROWS+=("| $(printf '%s | ' "$@")"); }
# want SECTION: whether BENCH_ONLY (unset: every section) asks for it
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

# ---- peers ----------------------------------------------------------------

"$REPO/scripts/install-deps.sh" --peers >&2 || log "could not install the peers (see above)"
PPROF_OK=0
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	PPROF_OK=1
else
	NOTES+=("peer MISSING: go tool pprof (Debian golang-go): its columns say missing")
fi
FLAMEGRAPH=$(dpkg -L libdevel-nytprof-perl 2>/dev/null | grep '/flamegraph\.pl$' | head -n 1)
[ -n "$FLAMEGRAPH" ] || FLAMEGRAPH=$(command -v flamegraph.pl || true)
if [ -z "$FLAMEGRAPH" ] || ! command -v perl >/dev/null; then
	NOTES+=("peer MISSING: flamegraph.pl (Debian libdevel-nytprof-perl): flame rows say missing")
	FLAMEGRAPH=
fi
FOLD="perl $HERE/fold-raw.pl"

# ---- data -----------------------------------------------------------------

# gen NAME COMMAND...: make DATA/NAME once (again when what makes it changes).
gen() {
	local name=$1 stamp
	shift
	# What the data is made from: the generator's sources and its
	# arguments (not the binary, which every build of any worktree remakes:
	# a rebuilt but unchanged genprof must not wipe data that another run
	# sharing BENCH_DATA is reading).
	stamp="$(cat "$HERE/genprof.c" "$REPO/proto/profile.proto" | sha256sum | cut -d' ' -f1) ${*:2}"
	if [ -e "$DATA/$name.done" ] && [ "$(cat "$DATA/$name.done")" = "$stamp" ]; then
		return 0
	fi
	log "generating $name"
	rm -rf "${DATA:?}/$name" "$DATA/$name.done"
	mkdir -p "$DATA/$name"
	"$@" && printf '%s\n' "$stamp" >"$DATA/$name.done"
}
want single && gen big "$GENPROF" big "$DATA/big/big.pb.gz" -n 100000
for n in 100 1000 10000; do
	{ want listing || want reads; } && gen "arch-$n" "$GENPROF" archive "$DATA/arch-$n" -n "$n"
done
for n in 100 1000; do
	{ want merge || want remote; } && gen "merge-$n" "$GENPROF" archive "$DATA/merge-$n" -n "$n" -S 1 -k cpu
done
HAVE_LARGE=0
if [ -f "$LARGE_CPU" ]; then
	mkdir -p "$DATA/largecpu"
	cp -p "$LARGE_CPU" "$DATA/largecpu/large.cpu.pb.gz"
	HAVE_LARGE=1
else
	NOTES+=("large.cpu rows skipped: corpus not found at $CORPUS")
fi

# ---- 1-4, 7: one profile, cold and warm ------------------------------------

# single LABEL ARCHIVE SERVICE FILE: every row of one profile.
single() {
	local label=$1 arch=$2 svc=$3 file=$4
	local kind node cold warm hwm t peer gz cat_t size rawsize r
	gz=$(time_cmd "$REPS" gzip -dc "$file" | median)
	rawsize=$(gzip -dc "$file" | wc -c)
	for kind in top.txt folded flame.svg; do
		node=$MNT/$svc/cpu/latest/$kind
		: >"$TMP/cold"
		: >"$TMP/hwm"
		for r in $(seq 1 "$REPS"); do
			mount_it "$arch" || return 1
			"$BT" run cat "$node" >>"$TMP/cold"
			hwm_kb >>"$TMP/hwm"
			if [ "$r" = "$REPS" ]; then
				warm=$(time_cmd "$REPS" cat "$node" | median)
				cat "$node" >"$TMP/regular"
				size=$(wc -c <"$TMP/regular")
			fi
			umount_it
		done
		cold=$(median <"$TMP/cold")
		hwm=$(maxof <"$TMP/hwm")
		case $kind in
		top.txt)
			if [ $PPROF_OK = 1 ]; then
				peer=$(time_cmd "$PEER_REPS" go tool pprof -top "$file" | median)
			else peer=missing; fi
			pname="go tool pprof -top"
			;;
		folded)
			if [ $PPROF_OK = 1 ]; then
				peer=$(time_cmd "$PEER_REPS" sh -c "go tool pprof -raw '$file' 2>/dev/null | $FOLD" | median)
			else peer=missing; fi
			pname="pprof -raw + fold-raw.pl"
			;;
		flame.svg)
			if [ $PPROF_OK = 1 ] && [ -n "$FLAMEGRAPH" ]; then
				peer=$(time_cmd "$PEER_REPS" sh -c "go tool pprof -raw '$file' 2>/dev/null | $FOLD | perl '$FLAMEGRAPH'" | median)
			else peer=missing; fi
			pname="pprof -raw + fold + flamegraph.pl"
			;;
		esac
		local target="" status="" sp
		sp=$([ "$peer" = missing ] && echo nan || ratio "$peer" "$cold")
		# Issue 16: top.txt of both profiles at least 50x pprof.
		if [ "$kind" = top.txt ]; then
			target="≥ 50×"; status=$(check "$sp" ">=" 50)
		elif [ "$kind" = flame.svg ] && [ "$label" = big ]; then
			target="≥ 20×"; status=$(check "$sp" ">=" 20)
		fi
		row "$label" "cold \`cat $kind\`" "$(fmt_t "$cold")" "$pname" \
		    "$([ "$peer" = missing ] && echo MISSING || fmt_t "$peer")" \
		    "$([ "$sp" = nan ] && echo - || echo "${sp}× faster")" "$target" "$status" "$(fmt_mb "$hwm")"
		if [ "$kind" = top.txt ]; then
			local fr
			fr=$(ratio "$cold" "$gz")
			target=""; status=""
			# Issue 16: under the inflate floor, 0.7x gzip -dc.
			target="≤ 0.7×"; status=$(check "$fr" "<=" 0.7)
			row "$label" "cold \`cat top.txt\` vs floor" "$(fmt_t "$cold")" \
			    "gzip -dc ($(awk -v b="$rawsize" 'BEGIN{printf "%.1f MB", b/1048576}') out)" \
			    "$(fmt_t "$gz")" "${fr}× the floor" "$target" "$status" "$(fmt_mb "$hwm")"
		fi
		cat_t=$(time_cmd "$REPS" cat "$TMP/regular" | median)
		local wr
		wr=$(ratio "$warm" "$cat_t")
		row "$label" "warm \`cat $kind\` ($(awk -v b="$size" 'BEGIN{ if (b > 1048576) printf "%.1f MB", b/1048576; else printf "%.0f kB", b/1024 }'))" \
		    "$(fmt_t "$warm")" "cat of a regular file" "$(fmt_t "$cat_t")" "${wr}× cat" "≤ 2×" \
		    "$(check "$wr" "<=" 2)" ""
	done
}

# functions LABEL ARCHIVE SERVICE FILE: list latest/functions/ cold (a fresh
# daemon: decode, aggregate, one entry per function) and warm (stacks
# cached), against `go tool pprof -top -nodefraction=0` of the file (which
# prints every function too) and `ls -f` of a plain directory of as many
# entries.
functions() {
	local label=$1 arch=$2 svc=$3 file=$4 dir=$MNT/$3/cpu/latest/functions
	local cold warm n=0 peer plain r sp wr
	: >"$TMP/cold"
	for r in $(seq 1 "$REPS"); do
		mount_it "$arch" || return 1
		"$BT" run ls -f "$dir" >>"$TMP/cold"
		if [ "$r" = "$REPS" ]; then
			warm=$(time_cmd "$REPS" ls -f "$dir" | median)
			n=$(($(ls -f "$dir" | wc -l) - 2))
		fi
		umount_it
	done
	cold=$(median <"$TMP/cold")
	rm -rf "$TMP/plain"
	mkdir -p "$TMP/plain"
	(cd "$TMP/plain" && seq 1 "$n" | xargs touch)
	plain=$(time_cmd "$REPS" ls -f "$TMP/plain" | median)
	rm -rf "$TMP/plain"
	if [ $PPROF_OK = 1 ]; then
		peer=$(time_cmd "$PEER_REPS" go tool pprof -top -nodefraction=0 "$file" | median)
	else peer=missing; fi
	sp=$([ "$peer" = missing ] && echo nan || ratio "$peer" "$cold")
	row "$label" "cold \`ls functions/\` ($n functions)" "$(fmt_t "$cold")" \
	    "go tool pprof -top -nodefraction=0" \
	    "$([ "$peer" = missing ] && echo MISSING || fmt_t "$peer")" \
	    "$([ "$sp" = nan ] && echo - || echo "${sp}× faster")" "" "" ""
	wr=$(ratio "$warm" "$plain")
	row "$label" "warm \`ls functions/\` ($n functions)" "$(fmt_t "$warm")" \
	    "ls -f of a plain directory of $n files" "$(fmt_t "$plain")" "${wr}× ls" "" "" ""
}

if [ $HAVE_LARGE = 1 ] && want single; then
	log "large.cpu"
	single large.cpu "$DATA/largecpu" largecpu "$DATA/largecpu/large.cpu.pb.gz"
	functions large.cpu "$DATA/largecpu" largecpu "$DATA/largecpu/large.cpu.pb.gz"
fi
if want single; then
	log "100k-stack profile"
	single big "$DATA/big" big "$DATA/big/big.pb.gz"
	functions big "$DATA/big" big "$DATA/big/big.pb.gz"
fi

# ---- 5: mount + listing -------------------------------------------------------

listing() {
	local n=$1 arch=$DATA/arch-$1 gz cold cached hwm r files gzsize
	log "mount + listing, $n snapshots"
	files=$(find "$arch" -name '*.pb.gz' | wc -l)
	gzsize=$(du -sm "$arch" | cut -f1)
	gz=$(time_cmd "$PEER_REPS" sh -c "find '$arch' -name '*.pb.gz' -print0 | xargs -0 gzip -dc" | median)
	: >"$TMP/cold"
	: >"$TMP/hwm"
	for r in $(seq 1 "$REPS"); do
		rm -rf "$XDG_CACHE_HOME/pyrofs"
		"$BT" run sh -c "'$PYROFS' '$arch' '$MNT' && find '$MNT' -maxdepth 3" >>"$TMP/cold"
		DPID=$(daemon_pid)
		hwm_kb >>"$TMP/hwm"
		umount_it
	done
	cold=$(median <"$TMP/cold")
	: >"$TMP/cached"
	for r in $(seq 1 "$REPS"); do
		"$BT" run sh -c "'$PYROFS' '$arch' '$MNT' && find '$MNT' -maxdepth 3" >>"$TMP/cached"
		DPID=$(daemon_pid)
		hwm_kb >>"$TMP/hwm"
		umount_it
	done
	cached=$(median <"$TMP/cached")
	hwm=$(maxof <"$TMP/hwm")
	local target="" s1="" s2="" r1 r2
	r1=$(ratio "$cold" "$gz")
	r2=$(ratio "$cached" "$gz")
	if [ "$n" = 10000 ]; then target="≤ 1×"; s1=$(check "$r1" "<=" 1); s2=$(check "$r2" "<=" 1); fi
	row "$n snapshots" "mount + \`find -maxdepth 3\`, no index cache" "$(fmt_t "$cold")" \
	    "gzip -dc of all $files files (${gzsize} MB)" "$(fmt_t "$gz")" "${r1}× gzip" "$target" "$s1" "$(fmt_mb "$hwm")"
	row "$n snapshots" "mount + \`find -maxdepth 3\`, index cached" "$(fmt_t "$cached")" \
	    "gzip -dc of all $files files" "$(fmt_t "$gz")" "${r2}× gzip" "$target" "$s2" ""
}
want listing && for n in 100 1000 10000; do listing "$n"; done

# ---- 6: merges -------------------------------------------------------------------

MERGE_T=()
merge() {
	local n=$1 arch=$DATA/merge-$1 cold hwm peer gz r reps=$REPS preps=$PEER_REPS
	log "merge of $n snapshots"
	[ "$n" -ge 1000 ] && preps=1
	: >"$TMP/cold"
	: >"$TMP/hwm"
	for r in $(seq 1 "$reps"); do
		mount_it "$arch" || return 1
		"$BT" run cat "$MNT/api/cpu/all/top.txt" >>"$TMP/cold"
		hwm_kb >>"$TMP/hwm"
		umount_it
	done
	cold=$(median <"$TMP/cold")
	hwm=$(maxof <"$TMP/hwm")
	gz=$(time_cmd "$PEER_REPS" sh -c "find '$arch' -name '*.pb.gz' -print0 | xargs -0 gzip -dc" | median)
	if [ $PPROF_OK = 1 ]; then
		peer=$(time_cmd "$preps" sh -c "go tool pprof -top '$arch'/api/*.pb.gz" | median)
	else peer=missing; fi
	MERGE_T+=("$cold")
	local sp target="" status=""
	sp=$([ "$peer" = missing ] && echo nan || ratio "$peer" "$cold")
	if [ "$n" = 1000 ]; then target="≥ 30×"; status=$(check "$sp" ">=" 30); fi
	row "merge $n" "cold \`cat all/top.txt\`" "$(fmt_t "$cold")" "go tool pprof -top (all $n files)" \
	    "$([ "$peer" = missing ] && echo MISSING || fmt_t "$peer")" \
	    "$([ "$sp" = nan ] && echo - || echo "${sp}× faster")" "$target" "$status" "$(fmt_mb "$hwm")"
	row "merge $n" "same, vs the floor" "$(fmt_t "$cold")" "gzip -dc of the $n files" "$(fmt_t "$gz")" \
	    "$(ratio "$cold" "$gz")× gzip" "" "" ""
	# What the merge must do before adding a stack, on every core: read,
	# inflate and decode each member (as pyrofs does, one inflater thread
	# each), and for scale the reading and inflating alone.
	local load read files
	mapfile -t files < <(find "$arch" -name '*.pb.gz' | sort)
	load=$(for r in $(seq 1 "$reps"); do "$DECODEALL" load "${files[@]}" || echo nan; done | median)
	read=$(for r in $(seq 1 "$reps"); do "$DECODEALL" read "${files[@]}" || echo nan; done | median)
	row "merge $n" "same, vs decoding the $n members alone on $(nproc) threads (no stack added)" "$(fmt_t "$cold")" \
	    "decodeall load (read alone: $(fmt_t "$read"))" "$(fmt_t "$load")" "$(ratio "$cold" "$load")× decoding" "" "" ""
}
want merge && merge 100
want merge && merge 1000
if [ ${#MERGE_T[@]} = 2 ]; then
	lin=$(awk -v a="${MERGE_T[0]}" -v b="${MERGE_T[1]}" 'BEGIN { printf "%.2f", (b / 1000) / (a / 100) }')
	row "merge 100 → 1000" "time per snapshot, 1000 / 100" "$lin" "linear = 1.00" "" "" "≤ 1.2 (linear)" \
	    "$(check "$lin" "<=" 1.2)" ""
fi

# ---- 7: RSS after 10,000 distinct reads ---------------------------------------------

reads() {
log "10,000 reads of distinct nodes"
CACHE_LIMIT=64
mount_it "$DATA/arch-10000" -o cache_size=${CACHE_LIMIT}M
# Snapshot directories only (not all/, latest, windows or series files).
find "$MNT" -mindepth 3 -maxdepth 3 -type d |
	grep -E '/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z(-[0-9]+)?$' |
	sort | head -n 10000 | sed 's|$|/top.txt|' >"$TMP/nodes"
# The index: services are indexed when first looked into, so the RSS
# right after mounting holds none of it; the find above indexed them all
# and rendered nothing.
base_rss=$(rss_kb)
nreads=$(wc -l <"$TMP/nodes")
tr '\n' '\0' <"$TMP/nodes" >"$TMP/nodes0"
t=$("$BT" run xargs -0 -a "$TMP/nodes0" cat)
rss=$(rss_kb)
hwm=$(hwm_kb)
umount_it
# The biggest profile of the archive, decompressed (gzip's ISIZE trailer):
# "3x the decompressed size of what is rendered" is measured on it.
maxraw=$(find "$DATA/arch-10000" -name '*.pb.gz' -print0 |
	xargs -0 perl -e 'my $m = 0; for (@ARGV) { open(my $f, "<", $_) or next;
		seek($f, -4, 2); read($f, my $b, 4); my $v = unpack("V", $b); $m = $v if $v > $m }
		print "$m\n"' | sort -n | tail -n 1)
bound=$(awk -v b="$base_rss" -v m="${maxraw:-0}" -v c=$CACHE_LIMIT 'BEGIN { printf "%.0f", b + 3 * m / 1024 + c * 1024 }')
row "10,000 snapshots" "RSS after $nreads reads of distinct top.txt (cache_size=${CACHE_LIMIT}M)" \
    "$(fmt_mb "$rss") (peak $(fmt_mb "$hwm"))" \
    "bound: index $(fmt_mb "$base_rss") + 3 × $(awk -v m="${maxraw:-0}" 'BEGIN { printf "%.0f kB", m / 1024 }') + cache" \
    "$(fmt_mb "$bound")" "$(ratio "$hwm" "$bound")× bound" "≤ 1× bound" "$(check "$(ratio "$hwm" "$bound")" "<=" 1)" \
    "$(fmt_t "$t") for all reads"
row "10,000 snapshots" "$nreads reads of distinct top.txt, one after another" "$(fmt_t "$t")" \
    "" "" "" "< 20 s" "$(check "$t" "<=" 20)" ""
}
want reads && reads

# ---- 8: through a Pyroscope server ----------------------------------------------
# The test server (tests/remote/server.mjs) serving merge-100; an hour window
# of api/cpu (else all), cold (fresh mount) and warm; the peer fetches the same
# SelectMergeProfile (the query the node's user.pyrofs.sources names) with
# curl and runs go tool pprof -top on it.
remote() {
	local arch=$DATA/merge-100 url node q cold warm peer r i
	log "remote: the Pyroscope test server serving merge-100"
	rm -f "$TMP/port"
	"$REPO/tests/remote/start-server.sh" --dir "$arch" --port-file "$TMP/port" \
		2>"$TMP/server.log" &
	SPID=$!
	for i in $(seq 1 1200); do
		[ -s "$TMP/port" ] && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$TMP/port" ]; then
		NOTES+=("remote rows skipped: the test server did not start ($(tail -n 1 "$TMP/server.log"))")
		SPID=
		return 0
	fi
	url=http://127.0.0.1:$(cat "$TMP/port")
	: >"$TMP/cold"
	: >"$TMP/warm"
	for r in $(seq 1 "$REPS"); do
		mount_it "$url" -o step=1m || return 1
		node=$(ls "$MNT/api/cpu" | grep -E '^[0-9-]+T[0-9]{2}$' | head -n 1)
		node=$MNT/api/cpu/${node:-all}
		"$BT" run cat "$node/top.txt" >>"$TMP/cold"
		"$BT" run cat "$node/top.txt" >>"$TMP/warm"
		q=$(getfattr -n user.pyrofs.sources --only-values "$node" 2>/dev/null)
		umount_it
	done
	cold=$(median <"$TMP/cold")
	warm=$(median <"$TMP/warm")
	# The same query as protobuf (fields 1-4 of SelectMergeProfileRequest).
	python3 - "$q" "$TMP/query.pb" <<'PY'
import sys
f = dict(kv.split("=", 1) for kv in sys.argv[1].split(" ")[1:])
def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)
def field(num, wire, payload):
    return varint(num << 3 | wire) + payload
def string(num, s):
    b = s.encode()
    return field(num, 2, varint(len(b)) + b)
body = (string(1, f["profile_typeID"]) + string(2, f["label_selector"]) +
        field(3, 0, varint(int(f["start"]))) + field(4, 0, varint(int(f["end"]))))
open(sys.argv[2], "wb").write(body)
PY
	if [ $PPROF_OK = 1 ] && [ -s "$TMP/query.pb" ]; then
		peer=$(time_cmd "$PEER_REPS" sh -c "curl -fsS -H 'Content-Type: application/proto' \
			--data-binary @'$TMP/query.pb' -o '$TMP/merge.pb' \
			'$url/querier.v1.QuerierService/SelectMergeProfile' &&
			go tool pprof -top '$TMP/merge.pb' >/dev/null" | median)
	else peer=missing; fi
	row "Pyroscope server" "cold \`cat ${node##*/}/top.txt\` (merge-100, test server)" "$(fmt_t "$cold")" \
	    "curl SelectMergeProfile + go tool pprof -top" \
	    "$([ "$peer" = missing ] && echo MISSING || fmt_t "$peer")" \
	    "$([ "$peer" = missing ] && echo - || echo "$(ratio "$peer" "$cold")× faster")" "" "" ""
	row "Pyroscope server" "warm \`cat ${node##*/}/top.txt\`" "$(fmt_t "$warm")" "" "" "" "" "" ""
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}
want remote && remote

# ---- 9: big archives (issue 16) -------------------------------------------------------
# 100,000 snapshot files of realistic size (100 genprof cpu profiles per
# service, linked under 10,000 timestamped names each: 10 services) and
# 1,000,000 of small ones (100 services); a cpu profile is two snapshots
# (cpu and samples).  Generated into $TMP and removed after (a million
# links are quick to make, and better not left behind).

# cpu_ticks: the daemon's user + system clock ticks so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat" 2>/dev/null || echo 0; }
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$MNT/.pyrofs/stats"; }

bigarchive() {
	local n=$1 nsvc=$2 base=$3 label arch=$TMP/big-$1 r t cold cached first fm peer
	local rss0 rss1 snaps per idle t0 t1 load_all walk_idle
	label="$(awk -v n="$n" 'BEGIN { printf "%d", n / 1000 }')k files"
	log "big archive: $n snapshot files"
	python3 "$HERE/spread.py" "$base" "$arch" "$nsvc" $((n / nsvc)) || return 1
	rm -rf "$XDG_CACHE_HOME/pyrofs"
	# Mount + ls of the root, each time a fresh mount.
	: >"$TMP/t"
	for r in $(seq 1 "$REPS"); do
		"$BT" run sh -c "'$PYROFS' '$arch' '$MNT' && ls '$MNT'" >>"$TMP/t"
		DPID=$(daemon_pid)
		umount_it
	done
	t=$(median <"$TMP/t")
	row "$label" "mount + \`ls MNT\` ($nsvc services)" "$(fmt_t "$t")" "" "" "" "≤ 0.2 s" "$(check "$t" "<=" 0.2)" ""
	# First ls of one 10,000-file series: without, then with the index cache.
	: >"$TMP/cold"
	: >"$TMP/cached"
	for r in $(seq 1 "$REPS"); do
		rm -rf "$XDG_CACHE_HOME/pyrofs"
		mount_it "$arch" || return 1
		"$BT" run ls "$MNT/svc00$((r % 10))/cpu" >>"$TMP/cold"
		umount_it
		mount_it "$arch" || return 1
		"$BT" run ls "$MNT/svc00$((r % 10))/cpu" >>"$TMP/cached"
		umount_it
	done
	cold=$(median <"$TMP/cold")
	cached=$(median <"$TMP/cached")
	row "$label" "first \`ls MNT/svc/cpu\` (10,000 snapshots), no index cache" "$(fmt_t "$cold")" \
	    "" "" "" "≤ 1 s" "$(check "$cold" "<=" 1)" ""
	row "$label" "first \`ls MNT/svc/cpu\`, index cached" "$(fmt_t "$cached")" \
	    "" "" "" "≤ 1 s" "$(check "$cached" "<=" 1)" ""
	# A file manager on that directory: readdir + lstat + xattrs of each
	# entry, its service indexed (index cached) and the kernel's entries
	# expired; the peer is the same listing of a plain directory of as many
	# entries.
	mount_it "$arch" || return 1
	ls "$MNT/svc001" >/dev/null
	sleep 1.2
	first=$("$BT" run python3 "$HERE/fm-list.py" "$MNT/svc001/cpu")
	sleep 1.2
	fm=$("$BT" run python3 "$HERE/fm-list.py" "$MNT/svc001/cpu")
	entries=$(ls -A "$MNT/svc001/cpu" | wc -l)
	umount_it
	mkdir -p "$TMP/plain"
	[ -d "$TMP/plain/0" ] || python3 -c 'import os, sys
for i in range(10024): os.mkdir(os.path.join(sys.argv[1], str(i)))' "$TMP/plain"
	peer=$(time_cmd "$REPS" python3 "$HERE/fm-list.py" "$TMP/plain" | median)
	row "$label" "file manager lists a 10,000-snapshot type dir, first time" "$(fmt_t "$first")" \
	    "the same of a plain directory" "$(fmt_t "$peer")" "$(ratio "$first" "$peer")× plain" "≤ 0.5 s" "$(check "$first" "<=" 0.5)" ""
	row "$label" "same, again" "$(fmt_t "$fm")" \
	    "the same of a plain directory" "$(fmt_t "$peer")" "$(ratio "$fm" "$peer")× plain" "≤ 0.5 s" "$(check "$fm" "<=" 0.5)" ""
	# What that listing costs in wake-ups alone on this machine: the plain
	# listing plus two requests an entry (listxattr, getxattr; lstat is
	# answered from the kernel's cache), each of which wakes the caller
	# from the CPU that pyrofs answers on - about half a pipe round trip
	# between two CPUs (more on a busy machine, where the woken end waits
	# for its CPU too).
	read -r same cross < <("$BT" pingpong)
	floor=$(awk -v p="$peer" -v c="$cross" -v n="$entries" 'BEGIN { if (p == "nan" || c == "nan") print "nan"; else printf "%.4f", p + 2 * n * c / 2 / 1e6 }')
	row "$label" "that listing in wake-ups alone, on this machine: plain + 2 requests × $entries entries × a wake-up across CPUs" "$(fmt_t "$floor")" \
	    "a pipe round trip between 2 processes: on one CPU / across CPUs" "${same} / ${cross} µs" "" "" "" ""
	# Index memory and idle CPU: every service indexed, from the index
	# cache (a mount that indexed them all filled it).
	mount_it "$arch" || return 1
	ls "$MNT"/*/cpu >/dev/null
	umount_it
	mount_it "$arch" || return 1
	rss0=$(rss_kb)
	t0=$(date +%s.%N)
	ls "$MNT"/*/cpu >/dev/null
	t1=$(date +%s.%N)
	load_all=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	rss1=$(rss_kb)
	snaps=$(stat_of snapshots_indexed)
	per=$(awk -v a="$rss0" -v b="$rss1" -v s="$snaps" 'BEGIN { if (s > 0) printf "%.0f", (b - a) * 1024 / s; else print "nan" }')
	row "$label" "index memory: RSS growth indexing all $snaps snapshots / snapshot" "$per B" \
	    "" "" "$(fmt_t "$load_all") to index all (cached)" "≤ 200 B" "$(check "$per" "<=" 200)" "$(fmt_mb "$(hwm_kb)")"
	t0=$(cpu_ticks)
	sleep 10
	t1=$(cpu_ticks)
	idle=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz / 10 * 100 }')
	row "$label" "idle daemon, archive unchanged, everything indexed ($(head -1 "$MNT/.pyrofs/stats"))" "${idle}% of a core" \
	    "" "" "" "≤ 1%" "$(check "$idle" "<=" 1)" ""
	umount_it
	if [ "$n" -le 100000 ]; then
		# The fallback, for comparison: the walk stats every indexed file
		# each rescan period.
		mount_it "$arch" -o watch=walk || return 1
		ls "$MNT"/*/cpu >/dev/null
		t0=$(cpu_ticks)
		sleep 10
		t1=$(cpu_ticks)
		walk_idle=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz / 10 * 100 }')
		row "$label" "idle daemon, -o watch=walk (the fallback)" "${walk_idle}% of a core" "" "" "" "" "" ""
		umount_it
	fi
	rm -rf "$arch" "$XDG_CACHE_HOME/pyrofs"
}
if want bigarchive; then
	log "big archives: base profiles"
	rm -rf "$TMP/base-real" "$TMP/base-small"
	"$GENPROF" archive "$TMP/base-real" -n 800 -S 8 -k cpu -T 1
	python3 "$HERE/tinyprof.py" "$TMP/base-small" 100
	bigarchive 100000 10 "$TMP/base-real"
	bigarchive 1000000 100 "$TMP/base-small"
	NOTES+=("big archives: \`MNT/svc/cpu\` holds 10,000 snapshots (100k: + the samples type, a genprof cpu profile being two; 1M: tiny one-type profiles, tinyprof.py); 'no index cache' inflates every profile of the service; a file manager's listing stats the series files (timeline.txt, growth.txt, timeline.svg, index.html), which report the size of their cached rendering (0 before one) and so render nothing, and asks listxattr and getxattr of every entry: two FUSE round trips each, which the kernel never caches")
fi

# ---- the table -------------------------------------------------------------------------

{
	echo "# pyrofs benchmark"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr)"
	echo "pyrofs $("$PYROFS" --version 2>/dev/null | head -n 1 | awk '{ print $3 }'), $(go version 2>/dev/null || echo 'go missing'), median of $REPS runs (pprof routes: $PEER_REPS)."
	echo "Cold: fresh mount each run, profiles in the OS page cache. RSS: the daemon's VmHWM."
	echo
	echo "| profile | case | pyrofs | peer | peer time | ratio | target | status | pyrofs peak RSS |"
	echo "|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		printf -- '- %s\n' "${NOTES[@]}"
	fi
} >"$RES"
cat "$RES"
echo
echo "bench: written to $RES"

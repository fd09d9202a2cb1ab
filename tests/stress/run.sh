#!/usr/bin/env bash
# Stress test: many readers at once, and memory under many distinct nodes.
#
#   tests/stress/run.sh [OUT_DIR]     (OUT_DIR: out, out-asan or out-tsan)
#
# 1. Renders a reference copy of ~1,500 files of a copy of demo/archive with
#    pyrofs-cat (single-threaded), mounts the archive (rescanning every
#    0.2 s) and lets 8 threads do STRESS_READS (default 2000) random reads
#    each at random offsets while another process keeps adding and removing
#    profiles of a separate service; every read must equal the reference.
# 2. Remounts with -o cache_size=8M and reads 10,000 distinct nodes (ranges
#    and diffs, each a new render); the daemon's resident memory must stay
#    under 64 MiB + the cache bound.  Peak and final RSS are printed.
# The daemon runs in the foreground; its stderr must hold no sanitizer
# report.  Exits 77 when FUSE is unusable.
set -u
OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "$OUT" && pwd)
PYROFS=$OUT/pyrofs
READS=${STRESS_READS:-2000}

. "$HERE/../integration/lib.sh"
it_begin stress
mkdir -p "$TMP/ref"
cp -r "$ROOT/demo/archive" "$ARCHIVE"
# The churn loop below, if still running when the suite ends.
it_on_exit() { touch "$TMP/stop-churn"; [ -n "${CHURN:-}" ] && wait "$CHURN" 2>/dev/null; }
cc -O2 -pthread -o "$TMP/reader" "$HERE/reader.c" || { bad "cc reader.c"; it_abort; }

rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# ---- 1. readers against references, while the archive changes ------------
mount_fg -o rescan=0.2 || it_abort
# Everything but /.pyrofs/errors, which rightly changes while churn files
# are half-copied, the root's README.txt and index.html, which list the
# churn service once it appears, and but label nodes outside api/cpu: the
# heap's numeric labels alone would add some 30,000 files, each rendered by
# a pyrofs-cat of its own below.
(cd "$MNT" && find . -type f ! -path './.pyrofs/*' ! -path './README.txt' \
	! -path './index.html' \
	\( ! -path '*/labels/*' -o -path './api/cpu/*' \) | sed 's|^\./||' |
	LC_ALL=C sort) >"$TMP/listed"
{
	cat "$TMP/listed"
	# Unlisted nodes: ranges, relative windows and diffs.
	for t in api/cpu api/mutex_count leaky/inuse_space billing/block_duration; do
		snaps=($(ls "$MNT/$t" | grep -E '^[0-9]{4}-..-..T..-..-..Z$'))
		for f in top.txt folded flame.svg; do
			echo "$t/${snaps[0]}..${snaps[2]}/$f"
			echo "$t/last-10s/$f"
			echo "$t/diff/${snaps[0]}/latest/$f"
			echo "$t/diff/all/${snaps[1]}/$f"
		done
	done
} >"$TMP/list"
while read -r p; do
	mkdir -p "$TMP/ref/$(dirname "$p")"
	"$OUT/pyrofs-cat" "$ARCHIVE" "/$p" >"$TMP/ref/$p" 2>>"$TMP/cat.err" ||
		bad "pyrofs-cat $p"
done <"$TMP/list"
echo "stress: $(wc -l <"$TMP/list") files rendered single-threaded as reference"
# Churn: profiles come and go in a service nobody reads, so the daemon
# rescans and swaps its index all through the run.
churn() {
	local i=0 src=("$ARCHIVE"/api/cpu-*.pb.gz)
	mkdir -p "$ARCHIVE/churn"
	while [ ! -e "$TMP/stop-churn" ]; do
		cp "${src[$((i % ${#src[@]}))]}" "$ARCHIVE/churn/cpu-$i.pb.gz"
		[ $i -ge 3 ] && rm -f "$ARCHIVE/churn/cpu-$((i - 3)).pb.gz"
		ls "$MNT/churn/cpu" >/dev/null 2>&1
		i=$((i + 1))
		sleep 0.1
	done
	echo "$i" >"$TMP/churned"
}
churn &
CHURN=$!
if out=$("$TMP/reader" "$MNT" "$TMP/ref" "$TMP/list" 8 "$READS" 1); then
	ok
else
	bad "concurrent reads"
fi
touch "$TMP/stop-churn"
wait "$CHURN"
CHURN=
echo "stress: 8 readers x $READS random reads while $(cat "$TMP/churned") profiles were added and removed: $out"
rm -rf "$ARCHIVE/churn"
unmount
check_eq "daemon exit code (readers)" 0 "$DAEMON_RC"
check_stderr "readers"

# ---- 2. memory over 10,000 distinct nodes ------------------------------------
# Every diff pair, range and relative window is a node of its own: reading
# them renders each once.  RSS is taken after the first half and at the
# end: with the cache bounded it must plateau, not grow with the count.
mount_fg -o cache_size=8M || it_abort
base=$(rss_kb "$DAEMON_PID" VmRSS)
for svc in "$MNT"/*/; do
	for t in "$svc"*/; do
		rel=${t#"$MNT"/}
		names=($(ls "$t" | grep -E '^[0-9]{4}-|^all$'))
		for a in "${names[@]}"; do
			for b in "${names[@]}"; do
				for f in top.txt folded flame.svg icicle.svg; do
					echo "${rel}diff/$a/$b/$f"
					[[ $a < $b && $a != all && $b != all ]] && echo "$rel$a..$b/$f"
				done
			done
		done
		for s in $(seq 1 40); do
			echo "${rel}last-${s}s/top.txt"
			echo "${rel}last-${s}s/folded"
		done
	done
done | head -10000 >"$TMP/distinct"
n=$(wc -l <"$TMP/distinct")
head -5000 "$TMP/distinct" >"$TMP/half1"
tail -n +5001 "$TMP/distinct" >"$TMP/half2"
out1=$("$TMP/reader" "$MNT" /nonexistent "$TMP/half1" 4 0 0 2>"$TMP/distinct.err")
mid=$(rss_kb "$DAEMON_PID" VmRSS)
out2=$("$TMP/reader" "$MNT" /nonexistent "$TMP/half2" 4 0 0 2>>"$TMP/distinct.err")
head -3 "$TMP/distinct.err" >&2
peak=$(rss_kb "$DAEMON_PID" VmHWM)
final=$(rss_kb "$DAEMON_PID" VmRSS)
echo "stress: $n distinct nodes read ($out1; $out2); daemon RSS ${base} kB at start, ${mid} kB after 5000, ${final} kB after $n, peak ${peak} kB; cache bound 8192 kB"
# Sanitizer shadow memory makes RSS meaningless: check it on plain builds.
if grep -qa -e __tsan_init -e __asan_init "$OUT/pyrofs"; then
	echo "stress: RSS not checked (sanitizer build)"
	[ "$n" -ge 10000 ] && [ ! -s "$TMP/distinct.err" ] && ok ||
		bad "distinct nodes: $n read, errors: $(head -1 "$TMP/distinct.err")"
elif [ "$n" -ge 10000 ] && [ ! -s "$TMP/distinct.err" ] &&
   [ "$final" -le $((mid + 8192)) ] && [ "$peak" -lt $((64 * 1024 + 8192)) ]; then
	ok
else
	bad "memory: $n nodes, RSS ${mid} -> ${final} kB, peak ${peak} kB"
fi
unmount
check_eq "daemon exit code (10,000 nodes)" 0 "$DAEMON_RC"
check_stderr "10,000 nodes"
it_end

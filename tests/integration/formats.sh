#!/usr/bin/env bash
# Profiles as other profilers write them (issue 17): Node's .cpuprofile
# and .heapprofile, speedscope's file format, perf script text.
#
#   tests/integration/formats.sh [OUT_DIR]     OUT_DIR holds pyrofs, pyrofs-cat
#
# Real files from the real producers, made here:
#   - node --cpu-prof and --heap-prof on a small workload (work.js below);
#   - speedscope's own export of that .cpuprofile: speedscope's release
#     build (npm `speedscope`, pinned in tests/formats, `npm ci` there when
#     node_modules is missing) in headless Chromium (tests/formats/export.mjs);
#   - perf record -e cpu-clock -g on a small C program, then perf script.
# Mounted, each is a service; read like a user:
#   - node/cpu folded equals, byte for byte, ss/cpu folded: pyrofs's reading
#     of the .cpuprofile is speedscope's (its import, exported);
#   - node's samples total is the number of samples not on (idle) or
#     (root), counted from the JSON by a node one-liner; inuse_space and
#     inuse_objects are the heap's selfSize sum and the count of its
#     samples that name a node of the tree;
#   - perf's samples per comm are perf report's (-n --sort comm); the
#     program's stack main;leaf is there;
#   - bad files (truncated, wrong types, a cycle, unknown ids, a bad
#     frame) each give one line in /.pyrofs/errors naming file and reason,
#     and the good services read as before.
# Each producer that is missing (node, chromium/npm, perf) is a skip with a
# note.  Exits 77 when FUSE is unusable.
set -u
export LC_ALL=C
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYROFS=$OUT/pyrofs
CAT=$OUT/pyrofs-cat
. "$(dirname "$0")/lib.sh"
it_begin formats

mkdir -p "$ARCHIVE" "$TMP/work"
have_node=0 have_ss=0 have_perf=0

# ---- node ---------------------------------------------------------------------
cat >"$TMP/work/work.js" <<'JS'
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function alloc() { const a = []; for (let i = 0; i < 20000; i++) a.push({ i, s: 'x' + i }); return a; }
const keep = [];
const t = Date.now();
while (Date.now() - t < 300) { fib(20); keep.push(alloc()); if (keep.length > 20) keep.shift(); }
globalThis.keep = keep;
JS
if command -v node >/dev/null; then
	if (cd "$TMP/work" && node --cpu-prof --cpu-prof-name=app.cpuprofile \
		--heap-prof --heap-prof-name=app.heapprofile \
		--heap-prof-interval=4096 work.js) 2>"$TMP/node.err"; then
		mkdir -p "$ARCHIVE/node"
		cp "$TMP/work/app.cpuprofile" "$TMP/work/app.heapprofile" "$ARCHIVE/node/"
		have_node=1
	else
		bad "node --cpu-prof: $(head -3 "$TMP/node.err")"
	fi
else
	echo "formats: SKIP: node (no node here)"
	skip=$((skip + 1))
fi

# ---- speedscope's export of the .cpuprofile --------------------------------------
SS=$ROOT/tests/formats
if [ "$have_node" = 1 ] && command -v npm >/dev/null &&
   [ -x "${PYRO_CHROMIUM:-/usr/bin/chromium}" ]; then
	if [ ! -d "$SS/node_modules/speedscope" ] &&
	   ! (cd "$SS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "formats: SKIP: speedscope (npm ci failed in $SS)"
		skip=$((skip + 1))
	elif node "$SS/export.mjs" "$ARCHIVE/node/app.cpuprofile" \
		"$TMP/work/app.speedscope.json" 2>"$TMP/ss.err"; then
		mkdir -p "$ARCHIVE/ss"
		cp "$TMP/work/app.speedscope.json" "$ARCHIVE/ss/"
		have_ss=1
	else
		bad "speedscope export: $(head -3 "$TMP/ss.err")"
	fi
else
	echo "formats: SKIP: speedscope export (needs node, npm, chromium)"
	skip=$((skip + 1))
fi

# ---- perf --------------------------------------------------------------------------
cat >"$TMP/work/w.c" <<'C'
#include <stdio.h>
static volatile unsigned long sink;
__attribute__((noinline)) static void leaf(int n) { for (int i = 0; i < n; i++) sink += i * 7; }
int main(void) { for (int k = 0; k < 40; k++) leaf(3000000); printf("%lu\n", sink); return 0; }
C
if command -v perf >/dev/null && command -v cc >/dev/null &&
   cc -O1 -fno-omit-frame-pointer -o "$TMP/work/w" "$TMP/work/w.c" 2>"$TMP/cc.err" &&
   perf record -q -e cpu-clock -F 999 -g -o "$TMP/work/w.data" "$TMP/work/w" \
	>/dev/null 2>"$TMP/perf.err" &&
   perf script -i "$TMP/work/w.data" >"$TMP/work/w.perf.txt" 2>>"$TMP/perf.err"; then
	mkdir -p "$ARCHIVE/perf"
	cp "$TMP/work/w.perf.txt" "$ARCHIVE/perf/"
	have_perf=1
else
	echo "formats: SKIP: perf script (perf record failed here: $(head -2 "$TMP/perf.err" 2>/dev/null))"
	skip=$((skip + 1))
fi

# ---- bad files -------------------------------------------------------------------
mkdir -p "$ARCHIVE/bad"
if [ "$have_node" = 1 ]; then
	# Cut inside the last array (timeDeltas): truncated at the end.
	cut=$(($(stat -c %s "$ARCHIVE/node/app.cpuprofile") - 2))
	head -c "$cut" "$ARCHIVE/node/app.cpuprofile" >"$ARCHIVE/bad/cut.cpuprofile"
fi
printf '{"nodes":[{"id":1,"callFrame":{"functionName":"a"},"children":[2]},{"id":2,"callFrame":{"functionName":"b"},"children":[1]}],"samples":[2],"timeDeltas":[1]}' \
	>"$ARCHIVE/bad/cycle.cpuprofile"
printf '{"head":{"callFrame":{},"id":1,"selfSize":"big"}}' \
	>"$ARCHIVE/bad/types.heapprofile"
printf '{"nodes":[{"id":1,"callFrame":{"functionName":"a"}}],"samples":[1,7],"timeDeltas":[1,1]}' \
	>"$ARCHIVE/bad/unknown.cpuprofile"
printf '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","unit":"none","samples":"many"}]}' \
	>"$ARCHIVE/bad/types.speedscope.json"
printf 'w 1 1.5: 1 cpu-clock:\n\tzz f (/x)\n' >"$ARCHIVE/bad/frame.perf.txt"

# dirs DIR: its subdirectories' names (the services, types).
dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort; }
# total FILE: the sum of a folded file's values.
total() { awk '{ s += $NF } END { print s + 0 }' "$1"; }

mount_fg || it_abort

errors=$(cat "$MNT/.pyrofs/errors")
want_errors="bad/cycle.cpuprofile: v8 cpuprofile: the parents of node 2 form a cycle
bad/frame.perf.txt: perf script: line 2: bad frame address \"zz\"
bad/types.heapprofile: v8 heapprofile: at byte 42: expected a number
bad/types.speedscope.json: speedscope: at byte 153: expected an array
bad/unknown.cpuprofile: v8 cpuprofile: sample 1 names node 7, which is not in nodes"
if [ "$have_node" = 1 ]; then
	want_errors="bad/cut.cpuprofile: v8 cpuprofile: at byte $cut: truncated
$want_errors"
fi
check_eq "errors" "$want_errors" "$(printf '%s\n' "$errors" | sed 's/^[^ ]*bad\//bad\//' | sort)"
check_eq "bad has no types" "" "$(dirs "$MNT/bad" 2>/dev/null)"

if [ "$have_node" = 1 ]; then
	check_eq "node types" "cpu
inuse_objects
inuse_space
samples" "$(dirs "$MNT/node")"
	N=$MNT/node
	# Samples not on (idle) or (root): what samples/count holds.
	want=$(node -e '
		const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const name = new Map(p.nodes.map(n => [n.id, n.callFrame.functionName]));
		console.log(p.samples.filter(s => !["(idle)", "(root)"].includes(name.get(s))).length);
	' "$ARCHIVE/node/app.cpuprofile")
	check_eq "node samples total" "$want" "$(total "$N/samples/latest/folded")"
	heap=$(node -e '
		const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
		let size = 0;
		const ids = new Set();
		const walk = n => { size += n.selfSize; ids.add(n.id); (n.children || []).forEach(walk); };
		walk(p.head);
		// V8 writes samples of nodes left out of the tree: not counted.
		console.log(size, p.samples.filter(s => ids.has(s.nodeId)).length);
	' "$ARCHIVE/node/app.heapprofile")
	check_eq "inuse_space total" "${heap% *}" "$(total "$N/inuse_space/latest/folded")"
	check_eq "inuse_objects total" "${heap#* }" "$(total "$N/inuse_objects/latest/folded")"
	# The workload spends its time in fib; how deep a sample's stack
	# shows its recursion depends on V8's inlining (CI once had no
	# fib;fib), so the check is that fib is there, as a frame.
	grep -qE '(^|;)fib(;| )' "$N/cpu/latest/folded" && ok || bad "no fib frame in node cpu"
	grep -q 'alloc' "$N/inuse_space/latest/top.txt" && ok || bad "no alloc in inuse_space top.txt"
	grep -q '^Type: cpu$' "$N/cpu/latest/top.txt" && ok || bad "node cpu top.txt header"
	# -list works: the function's file is the script's url.
	grep -q "work.js" <(zcat "$N/cpu/latest/profile.pb.gz" | strings) && ok ||
		bad "profile.pb.gz lost work.js"
fi
if [ "$have_ss" = 1 ]; then
	check_eq "ss types" "cpu" "$(dirs "$MNT/ss")"
	check_eq "cpuprofile folded is speedscope's reading" \
		"$(cat "$MNT/ss/cpu/latest/folded")" "$(cat "$MNT/node/cpu/latest/folded")"
	check_eq "speedscope's profile name is a label" "profile" "$(ls "$MNT/ss/cpu/latest/labels")"
fi
if [ "$have_perf" = 1 ]; then
	P=$MNT/perf
	check_eq "perf types" "cpu
samples" "$(dirs "$P")"
	want=$(perf report -i "$TMP/work/w.data" --stdio -n --sort comm -q \
		--no-children -g none 2>/dev/null | awk '$3 == "w" { print $2 }')
	check_eq "perf samples of comm w" "$want" \
		"$(total "$P/samples/latest/labels/comm/w/folded")"
	grep -q 'main;leaf ' "$P/cpu/latest/folded" && ok || bad "no main;leaf stack in perf cpu"
fi

unmount
[ "$DAEMON_RC" = 0 ] && ok || bad "daemon exit code $DAEMON_RC"
check_stderr "formats"
it_end

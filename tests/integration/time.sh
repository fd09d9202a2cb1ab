#!/usr/bin/env bash
# Mount tests of time: windows, ranges, last-N, the series files (timeline,
# growth) and diffs, read through a real mount of a leaking service.
#
#   tests/integration/time.sh [OUT_DIR]     OUT_DIR holds pyrofs, tests/mkleak
#
# The archive is written by tests/tools/mkleak.c (its header lists every
# value); the expected numbers below are computed here from the same
# generator values.  When `go tool pprof` is installed, diff top.txt files
# are compared with `pprof -top -diff_base` (else that check is skipped, with
# a note).  The daemon runs in the foreground with its stderr captured, so
# sanitizer reports and error lines fail the run.  Exits 77 (skip) only when
# FUSE is unusable on this machine.
set -u

OUT=${1:-out}
PYROFS=$(cd "$OUT" && pwd)/pyrofs
MKLEAK=$(cd "$OUT" && pwd)/tests/mkleak

. "$(dirname "$0")/lib.sh"
it_begin time


# ---- the generator's values (tests/tools/mkleak.c) ------------------------
S0=1795514700                                   # 2026-11-24T10:05:00Z
SNAPS=(2026-11-24T10-05-00Z 2026-11-24T10-35-00Z 2026-11-24T11-05-00Z
	2026-11-24T11-35-00Z 2026-11-24T12-05-00Z 2026-11-24T12-35-00Z)
GC=(40960 81920 20480 61440 10240 51200)
MARSHAL=(8192 4096 16384 8192 12288 4096)
M1=(5 8 12 15 21 30)
M2=(2 2 3 5 5 6)
A_STACK='main.main;main.serve;main.cacheSession'
B_STACK='main.main;main.serve;main.handle'
C_STACK='main.main;runtime.gcBgMarkWorker'
D_STACK='main.main;main.serve;main.handle;encoding/json.Marshal'
M1_STACK='main.main;main.worker;sync.(*Mutex).Unlock'
M2_STACK='main.main;main.flush;sync.(*RWMutex).Unlock'
inuse() { # inuse STACK I: inuse_space of stack A..D in snapshot I
	case $1 in
	A) echo $((1048576 * ($2 + 1))) ;;
	B) echo 524288 ;;
	C) echo "${GC[$2]}" ;;
	D) echo "${MARSHAL[$2]}" ;;
	esac
}
heapfile() { echo "$ARCHIVE/leaky/heap-$((S0 + 1800 * $1)).pb.gz"; }
mutexfile() { echo "$ARCHIVE/leaky/mutex-$((S0 + 1800 * $1)).pb.gz"; }

"$MKLEAK" "$ARCHIVE" || { bad "mkleak failed"; it_abort; }
mount_fg || it_abort
T=$MNT/leaky

# ---- listings --------------------------------------------------------------
want="all
latest
prev
first
2026-11-24
2026-11-24T10
2026-11-24T11
2026-11-24T12
$(printf '%s\n' "${SNAPS[@]}")
growth.txt
timeline.svg
timeline.txt
index.html
diff
0-all
0-latest
0-growth.txt
0-timeline.svg
0-timeline.txt
0-index.html"
for type in inuse_space mutex_count alloc_space; do
	check_eq "ls -U $type (readdir order)" "$want" "$(ls -U "$T/$type")"
done
check_eq "latest" "${SNAPS[5]}" "$(readlink "$T/inuse_space/latest")"
check_eq "a window lists the rendered files" "flame.svg
folded
graph.dot
graph.svg
icicle.svg
labels
labels.txt
profile.pb.gz
top-cum.txt
top.txt
traces.txt
tree.txt" "$(ls "$T/mutex_count/2026-11-24T11")"
# A few bases (no day back: the series spans 2.5 hours), then latest.
check_eq "diff/ lists prev and first" "prev
first" "$(ls -U -A "$T/inuse_space/diff")"
check_eq "diff/<base>/ lists latest" "latest" "$(ls -A "$T/inuse_space/diff/${SNAPS[0]}")"
check_eq "diff/prev/ lists latest" "latest" "$(ls -A "$T/inuse_space/diff/prev")"
check "ls -R of diff/ ends" sh -c "ls -R '$T/inuse_space/diff' >/dev/null"
check_eq "find walks no point twice" 1 \
	"$(find "$T/inuse_space" -name top.txt -path "*${SNAPS[4]}/top.txt" | wc -l)"

# ---- names for "before" -----------------------------------------------------
check_eq "prev is a symlink to the one before latest" "${SNAPS[4]}" \
	"$(readlink "$T/inuse_space/prev")"
check_eq "first is a symlink to the oldest" "${SNAPS[0]}" \
	"$(readlink "$T/inuse_space/first")"
check_eq "latest~3 is three back" "$(cat "$T/inuse_space/${SNAPS[2]}/folded")" \
	"$(cat "$T/inuse_space/latest~3/folded")"
check_eq "latest-1h is the snapshot nearest 11:35" \
	"$(cat "$T/inuse_space/${SNAPS[3]}/folded")" \
	"$(cat "$T/inuse_space/latest-1h/folded")"
check_eq "latest-24h before the first is the first" \
	"$(cat "$T/inuse_space/${SNAPS[0]}/folded")" \
	"$(cat "$T/inuse_space/latest-24h/folded")"
check_eq "diff/prev/latest is diff/<prev>/<latest>" \
	"$(cat "$T/inuse_space/diff/${SNAPS[4]}/${SNAPS[5]}/folded")" \
	"$(cat "$T/inuse_space/diff/prev/latest/folded")"
check_eq "diff/first/latest~1" \
	"$(cat "$T/inuse_space/diff/${SNAPS[0]}/${SNAPS[4]}/folded")" \
	"$(cat "$T/inuse_space/diff/first/latest~1/folded")"
check_eq "prev..latest merges the last two" \
	"$(cat "$T/mutex_count/${SNAPS[4]}..${SNAPS[5]}/folded")" \
	"$(cat "$T/mutex_count/prev..latest/folded")"
check_eq "0-latest leads to latest" "latest" "$(readlink "$T/inuse_space/0-latest")"
check_eq "0-growth.txt is growth.txt" "$(cat "$T/inuse_space/growth.txt")" \
	"$(cat "$T/inuse_space/0-growth.txt")"
# summary.txt: the leak, found without knowing where to look.
check_eq "summary.txt, inuse_space" "inuse_space: 6 snapshots, 2026-11-24 10:05:00 UTC to 2026-11-24 12:35:00 UTC
  newest total 6.55MB, trend +1.99MB/hour (rose in 5, fell in 0 of 5 intervals)
  top functions of the newest snapshot (flat):
           6MB  91.56%  main.cacheSession
         512kB   7.63%  main.handle
          50kB   0.75%  runtime.gcBgMarkWorker
           4kB   0.06%  encoding/json.Marshal
  leak suspects (flat rose in every interval, never fell):
          +5MB  main.cacheSession" \
	"$(sed -n '/^inuse_space:/,/^$/p' "$T/summary.txt" | sed '$d')"
check "README.txt names the leaking service" \
	grep -q '^    cat leaky/inuse_space/growth.txt  *# leak suspects first$' "$MNT/README.txt"
check "latest~6 is no snapshot" sh -c "! ls '$T/inuse_space/latest~6' 2>/dev/null"
check "growth.txt is a file" [ -f "$T/inuse_space/growth.txt" ]
check "a range is a directory" [ -d "$T/mutex_count/${SNAPS[1]}..${SNAPS[3]}" ]

# ---- growth.txt ---------------------------------------------------------------
G=$T/inuse_space/growth.txt
check_eq "growth.txt header row" "growth share slope/hour flat first flat last cum first cum last verdict function" \
	"$(sed -n 7p "$G" | tr -s ' ' | sed 's/^ //')"
check_eq "growth.txt first row: the leak, a suspect" \
	"+5MB 1MB 6MB suspect: rose 5/5, never fell main.cacheSession" \
	"$(sed -n 8p "$G" | awk '{print $1, $4, $5, $8, $9, $10, $11, $12, $NF}')"
check "growth.txt: the leak's caller path below it" \
	sh -c "sed -n 9p '$G' | grep -Eq '^ +via [^ ]+\$'"
check_eq "growth.txt second row: the noisy grower, churn" \
	"+10kB churn: rose 3/5, fell 2/5 runtime.gcBgMarkWorker" \
	"$(sed -n 10p "$G" | awk '{print $1, $8, $9, $10, $11, $12, $NF}')"
check_eq "growth.txt has two rows, each with its path" 11 "$(wc -l <"$G")"

# ---- timeline.txt: exact totals ------------------------------------------------
exp_space= exp_objects= exp_count= exp_delay=
for i in 0 1 2 3 4 5; do
	s=0 o=0
	for st in A B C D; do
		v=$(inuse $st $i)
		s=$((s + v))
		o=$((o + v / 512))
	done
	exp_space+="${SNAPS[$i]} $s"$'\n'
	exp_objects+="${SNAPS[$i]} $o"$'\n'
	exp_count+="${SNAPS[$i]} $((M1[i] + M2[i]))"$'\n'
	exp_delay+="${SNAPS[$i]} $((M1[i] * 1000000 + M2[i] * 500000))"$'\n'
done
totals() { awk '/^2026-/ {print $1, $NF}' "$T/$1/timeline.txt"; }
check_eq "timeline.txt inuse_space totals" "${exp_space%$'\n'}" "$(totals inuse_space)"
check_eq "timeline.txt inuse_objects totals" "${exp_objects%$'\n'}" "$(totals inuse_objects)"
check_eq "timeline.txt mutex_count totals" "${exp_count%$'\n'}" "$(totals mutex_count)"
check_eq "timeline.txt mutex_duration totals" "${exp_delay%$'\n'}" "$(totals mutex_duration)"
check "timeline.txt inuse_space never went down" \
	grep -q 'rose in 5 of 5 intervals, never went down$' "$T/inuse_space/timeline.txt"
check "timeline.txt header" grep -qx 'Timeline: leaky inuse_space (inuse_space, bytes)' \
	"$T/inuse_space/timeline.txt"

# ---- timeline.svg -----------------------------------------------------------------
if command -v xmllint >/dev/null; then
	for type in inuse_space mutex_count; do
		check "xmllint $type/timeline.svg" xmllint --noout "$T/$type/timeline.svg"
	done
else
	echo "time: xmllint not installed: timeline.svg XML check skipped"
fi
check_eq "timeline.svg: one circle per snapshot" 6 "$(grep -o '<circle' "$T/inuse_space/timeline.svg" | wc -l)"

# ---- windows: Merge lines, members, values ---------------------------------------
merge_line() { grep '^Merge: ' "$T/$1/top.txt"; }
# window NAME TYPE MERGE FOLDED: the Merge: line and the folded file
window() {
	check_eq "$2/$1 Merge line" "$3" "$(merge_line "$2/$1")"
	check_eq "$2/$1 folded" "$4" "$(cat "$T/$2/$1/folded")"
}
# Cumulative: each window's increase is measured from the snapshot before.
window 2026-11-24T10 mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK ${M2[1]}
$M1_STACK ${M1[1]}"
window 2026-11-24T11 mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK $((M2[3] - M2[1]))
$M1_STACK $((M1[3] - M1[1]))"
window 2026-11-24T12 mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK $((M2[5] - M2[3]))
$M1_STACK $((M1[5] - M1[3]))"
window 2026-11-24 mutex_count "Merge: increase of 6 snapshots" \
	"$M2_STACK ${M2[5]}
$M1_STACK ${M1[5]}"
# last-1h: (11:35, 12:35], so 12:05 and 12:35 from the baseline 11:35.
window last-1h mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK $((M2[5] - M2[3]))
$M1_STACK $((M1[5] - M1[3]))"
window last-61m mutex_count "Merge: increase of 3 snapshots" \
	"$M2_STACK $((M2[5] - M2[2]))
$M1_STACK $((M1[5] - M1[2]))"
window last-1w mutex_count "Merge: increase of 6 snapshots" \
	"$M2_STACK ${M2[5]}
$M1_STACK ${M1[5]}"
# Ranges: snapshot ends, time ends at hour and minute precision, latest.
window "${SNAPS[1]}..${SNAPS[3]}" mutex_count "Merge: increase of 3 snapshots" \
	"$M2_STACK $((M2[3] - M2[0]))
$M1_STACK $((M1[3] - M1[0]))"
window "2026-11-24T11..latest" mutex_count "Merge: increase of 4 snapshots" \
	"$M2_STACK $((M2[5] - M2[1]))
$M1_STACK $((M1[5] - M1[1]))"
window "2026-11-24T10-35..2026-11-24T11-05" mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK $((M2[2] - M2[0]))
$M1_STACK $((M1[2] - M1[0]))"
window "2026-11-24T10:35..2026-11-24T11:05" mutex_count "Merge: increase of 2 snapshots" \
	"$M2_STACK $((M2[2] - M2[0]))
$M1_STACK $((M1[2] - M1[0]))"
# A gauge window is the mean of its members (no baseline needed).
window 2026-11-24T11 inuse_space "Merge: mean of 2 snapshots" \
	"$A_STACK $(( ($(inuse A 2) + $(inuse A 3)) / 2 ))
$B_STACK 524288
$D_STACK $(( (MARSHAL[2] + MARSHAL[3]) / 2 ))
$C_STACK $(( (GC[2] + GC[3]) / 2 ))"
window last-1h inuse_space "Merge: mean of 2 snapshots" \
	"$A_STACK $(( ($(inuse A 4) + $(inuse A 5)) / 2 ))
$B_STACK 524288
$D_STACK $(( (MARSHAL[4] + MARSHAL[5]) / 2 ))
$C_STACK $(( (GC[4] + GC[5]) / 2 ))"
check_eq "a snapshot has no Merge line" "" "$(merge_line "mutex_count/${SNAPS[2]}")"

# ---- malformed and empty names: ENOENT --------------------------------------------
enoent() { # enoent PATH: stat fails with ENOENT
	local msg
	msg=$(stat "$1" 2>&1)
	case $msg in
	*"No such file or directory"*) ok ;;
	*) bad "ENOENT for $1: got: $msg" ;;
	esac
}
for n in "..." "a.." "..b" "x..y" "2026-11-24T12..2026-11-24T10" \
	"latest..${SNAPS[0]}" "2026-11-25..2026-11-26" "2026-02-31..latest" \
	"2026-11-24T10..2026-11-24T13-99" "all..latest" "last-0h" "last-h" \
	"last-1y" "2026-11-24T13" "2026-11-25" "2026-11-24T10-06" \
	"$(printf 'x%.0s' $(seq 1 250))"; do
	enoent "$T/mutex_count/$n"
	enoent "$T/mutex_count/$n/top.txt"
done
enoent "$T/inuse_space/diff/x..y/latest/folded"
enoent "$T/inuse_space/diff/latest/x..y/folded"
enoent "$T/inuse_space/diff/latest/latest/nope"
msg=$(stat "$T/inuse_space/growth.txt/x" 2>&1)
case $msg in *"Not a directory"*) ok ;; *) bad "ENOTDIR under growth.txt: $msg" ;; esac

# ---- diffs ---------------------------------------------------------------------------
D=$T/inuse_space/diff/${SNAPS[0]}/${SNAPS[5]}
check_eq "diff folded: the leak" "$A_STACK $(inuse A 0) $(inuse A 5)" \
	"$(grep -F "$A_STACK " "$D/folded")"
check_eq "diff folded: a shrinking stack" "$D_STACK ${MARSHAL[0]} ${MARSHAL[5]}" \
	"$(grep -F "$D_STACK " "$D/folded")"
check_eq "diff folded: an unchanged stack keeps both counts" "$B_STACK 524288 524288" \
	"$(grep -F "$B_STACK " "$D/folded")"
check_eq "diff folded: four lines" 4 "$(wc -l <"$D/folded")"
check "diff top.txt: Time is the earlier" grep -qx 'Time: 2026-11-24 10:05:00 UTC' "$D/top.txt"
# Windows on both sides: each side merged by its own rules first.
check_eq "diff of hour windows (mutex_count)" \
	"$M2_STACK ${M2[1]} $((M2[5] - M2[3]))
$M1_STACK ${M1[1]} $((M1[5] - M1[3]))" \
	"$(cat "$T/mutex_count/diff/2026-11-24T10/2026-11-24T12/folded")"
check_eq "diff latest against itself" \
	"$M2_STACK ${M2[5]} ${M2[5]}
$M1_STACK ${M1[5]} ${M1[5]}" \
	"$(cat "$T/mutex_count/diff/latest/latest/folded")"
check "diff flame.svg renders" grep -q '</svg>' "$T/inuse_space/diff/last-1h/latest/flame.svg"

# pprof_diff TYPE SAMPLE_INDEX A B: diff/<A>/<B>/top.txt is pprof's, but Time:
pprof_diff() {
	local ours theirs
	ours=$(grep -v '^Time: ' "$T/$1/diff/${SNAPS[$3]}/${SNAPS[$4]}/top.txt")
	theirs=$(TZ=UTC go tool pprof -top -symbolize=none -sample_index="$2" \
		-diff_base="$5" "$6" 2>"$TMP/pprof.err" | grep -v '^Time: ')
	check_eq "diff/${SNAPS[$3]}/${SNAPS[$4]} $1 top.txt equals pprof -diff_base" \
		"$theirs" "$ours"
	[ -s "$TMP/pprof.err" ] && cat "$TMP/pprof.err" >&2
}
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	pprof_diff inuse_space inuse_space 0 5 "$(heapfile 0)" "$(heapfile 5)"
	pprof_diff inuse_space inuse_space 5 0 "$(heapfile 5)" "$(heapfile 0)"
	pprof_diff inuse_objects inuse_objects 1 2 "$(heapfile 1)" "$(heapfile 2)"
	pprof_diff mutex_count contentions 1 4 "$(mutexfile 1)" "$(mutexfile 4)"
	pprof_diff mutex_duration delay 0 3 "$(mutexfile 0)" "$(mutexfile 3)"
else
	echo "time: go tool pprof not installed: diff top.txt comparison skipped"
fi

# ---- sizes ---------------------------------------------------------------------------
# Series files report the size of their cached rendering (else 0): read
# first (opening one drops the kernel's attributes of it), then stat.
sizes_ok=1
sized=("$T/inuse_space/growth.txt" "$T/inuse_space/timeline.txt"
	"$T/inuse_space/timeline.svg" "$T/mutex_count/2026-11-24T11/top.txt"
	"$T/mutex_count/last-1h/folded" "$D/top.txt" "$D/folded")
bytes=()
for f in "${sized[@]}"; do bytes+=("$(wc -c <"$f")"); done
for i in "${!sized[@]}"; do
	[ "$(stat -c %s "${sized[$i]}")" = "${bytes[$i]}" ] ||
		{ sizes_ok=0; echo "  size of ${sized[$i]}" >&2; }
done
check "stat size equals bytes read" [ $sizes_ok = 1 ]
check_eq "window mtime is its newest member's" $((S0 + 1800 * 3)) \
	"$(stat -c %Y "$T/mutex_count/2026-11-24T11/top.txt")"

# ---- unmount is clean ------------------------------------------------------------------
check_eq "no archive problems" "" "$(cat "$MNT/.pyrofs/errors")"
unmount
check_eq "daemon exit code after fusermount3 -u" 0 "$DAEMON_RC"
check_stderr "time mount"

it_end

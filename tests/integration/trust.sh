#!/usr/bin/env bash
# Numbers and pictures on real profiles (issue 13), through a mount.
#
#   tests/integration/trust.sh [OUT_DIR]     OUT_DIR holds pyrofs, pyrofs-cat
#
# The archive is a copy of demo/archive (real runtime/pprof output) plus,
# when the shared corpus is there (../shared/corpus or $PYRO_CORPUS), its
# go-runtime series (three services, five snapshots each).
#
#   1. Differential flame.svg: for every pair of consecutive CPU snapshots
#      of every service, and all against latest, every frame's base and
#      target (data-b, data-t, title) equal the sums of the diff's own
#      two-column folded over that frame's call path (flamediff.py, an
#      independent computation); vanished frames are drawn; the subtitle
#      states the net change.
#   2. Totals with negative values: delta heap profiles made by pprof itself
#      from the demo's real heap profiles (`-proto -base`: samples of one
#      stack with opposite signs; `-proto -diff_base`: pprof::base samples).
#      top.txt equals `go tool pprof -top -symbolize=none` (total,
#      percentages, the Dropped cutoff), and tree.txt, labels.txt,
#      flame.svg's subtitle and timeline.txt state the same total.
#      Skipped, with a note, without `go`.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYROFS=$(cd "$OUT" && pwd)/pyrofs
CORPUS=${PYRO_CORPUS:-$REPO/../shared/corpus}

. "$HERE/lib.sh"
note() { echo "trust: $*"; }
it_begin trust
cp -r "$REPO/demo/archive" "$ARCHIVE"
if [ -d "$CORPUS/profiles/go-runtime" ]; then
	cp -r "$CORPUS/profiles/go-runtime/." "$ARCHIVE/"
else
	note "no corpus at $CORPUS: demo archive only"
fi
have_go=
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	have_go=1
	for svc in api leaky; do
		set -- "$REPO"/demo/archive/$svc/heap-*.pb.gz
		first=$1
		shift $(($# - 1))
		mkdir -p "$ARCHIVE/delta-$svc" "$ARCHIVE/diffbase-$svc"
		go tool pprof -proto -base="$first" "$1" \
			>"$ARCHIVE/delta-$svc/heap.pb.gz" 2>/dev/null
		go tool pprof -proto -diff_base="$first" "$1" \
			>"$ARCHIVE/diffbase-$svc/heap.pb.gz" 2>/dev/null
	done
else
	note "no go tool pprof: negative totals not compared"
fi
mount_fg || it_abort

# ---- 1. differential flame graphs --------------------------------------
ndiff=0
nvanished=0
for svc in "$MNT"/*/; do
	svc=${svc%/}
	[ -d "$svc/cpu" ] || continue
	snaps=$(cd "$svc/cpu" && ls -d 20*Z 2>/dev/null)
	prev=
	pairs="all latest"
	for s in $snaps; do
		[ -n "$prev" ] && pairs="$pairs $prev $s"
		prev=$s
	done
	set -- $pairs
	while [ $# -ge 2 ]; do
		d=$svc/cpu/diff/$1/$2
		shift 2
		if out=$(python3 "$HERE/flamediff.py" "$d/folded" "$d/flame.svg"); then
			ok
			ndiff=$((ndiff + 1))
			v=${out##*vanished=}
			nvanished=$((nvanished + v))
		else
			bad "flame.svg of ${d#$MNT/} against its folded"
			printf '%s\n' "$out" | head -5 >&2
		fi
	done
done
note "flame.svg of $ndiff diffs checked frame by frame ($nvanished vanished frames drawn)"
check "diffs were checked" [ "$ndiff" -ge 4 ]
check "vanished frames are drawn" [ "$nvanished" -gt 0 ]

# ---- 2. totals with negative values --------------------------------------
if [ -n "$have_go" ]; then
	n=0
	for svc in delta-api delta-leaky diffbase-api diffbase-leaky; do
		for t in alloc_objects alloc_space inuse_objects inuse_space; do
			node=$MNT/$svc/$t/latest
			want=$(go tool pprof -top -symbolize=none -sample_index=$t \
				"$ARCHIVE/$svc/heap.pb.gz" 2>/dev/null | sed 1,3d)
			check_eq "$svc/$t: top.txt as pprof -top" "$want" \
				"$(sed 1,3d "$node/top.txt")"
			# pprof scales its total its own way (2372.94MB); the
			# exact figure must round to it, and every other file
			# print the same figure as timeline.txt
			shown=$(printf '%s\n' "$want" | sed -n 's/.* of \(.*\) total$/\1/p')
			exact=$(getfattr --only-values -n user.pyrofs.total "$node" 2>/dev/null ||
				python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.pyrofs.total").decode())' "$node")
			check "$svc/$t: total $exact is pprof's $shown" python3 -c '
import sys
units = {"": 1, "B": 1, "kB": 1024, "MB": 1 << 20, "GB": 1 << 30}
n, u = sys.argv[1], sys.argv[2]
i = len(u) - len(u.lstrip("0123456789.-"))
v, unit = float(u[:i]), u[i:]
sys.exit(abs(int(n) - v * units[unit]) > 0.0051 * units[unit])' "$exact" "$shown"
			total=$(awk '$1 ~ /^20/ { print $2 }' "$MNT/$svc/$t/timeline.txt")
			check_eq "$svc/$t: timeline.txt exact total" "$exact" \
				"$(awk '$1 ~ /^20/ { print $NF }' "$MNT/$svc/$t/timeline.txt")"
			check_eq "$svc/$t: tree.txt total" "Total: $total" \
				"$(grep '^Total: ' "$node/tree.txt")"
			check_eq "$svc/$t: labels.txt total" "Total: $total (1 snapshot)" \
				"$(grep '^Total: ' "$node/labels.txt")"
			check "$svc/$t: flame.svg total" grep -q \
				">Total: $total[ <;]" "$node/flame.svg"
			n=$((n + 1))
		done
	done
	note "totals of $n delta profiles made by pprof match go tool pprof -top"
fi

unmount
check_stderr "daemon stderr"
it_end

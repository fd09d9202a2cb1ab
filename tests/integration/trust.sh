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

unmount
check_stderr "daemon stderr"
it_end

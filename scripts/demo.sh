#!/usr/bin/env bash
# make demo: mount the bundled demo archive (real Go runtime profiles) and
# show around.  The mount stays up for you to browse; the last lines say how
# to unmount.  Usage: scripts/demo.sh [OUT_DIR]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-out}
ARCHIVE=demo/archive
MNT=${PYROFS_DEMO_MNT:-demo/mnt}

mkdir -p "$MNT"
if mountpoint -q "$MNT"; then
	fusermount3 -u "$MNT"
fi
"$OUT/pyrofs" "$ARCHIVE" "$MNT"

show() {
	printf '\n$ %s\n' "$*"
	"$@"
}
show ls "$MNT"
show ls "$MNT/api"
show ls "$MNT/api/mutex_count"
show cat "$MNT/api/mutex_count/latest/top.txt"
printf '\n$ head -5 %s\n' "$MNT/leaky/inuse_space/latest/folded"
head -5 "$MNT/leaky/inuse_space/latest/folded"
show cat "$MNT/.pyrofs/errors"

cat <<MSG

pyrofs is serving $ARCHIVE at $MNT.
  flame graph:  chromium $MNT/api/cpu/latest/flame.svg   (or xdg-open)
  everything:   ls -R $MNT | less
  unmount:      fusermount3 -u $MNT
MSG

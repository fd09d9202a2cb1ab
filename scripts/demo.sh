#!/usr/bin/env bash
# make demo: mount the bundled demo archive (real Go runtime profiles) and
# show around: what is slow now, is something leaking, what changed.  The
# mount stays up for you to browse; the last lines say how to unmount.
# Usage: scripts/demo.sh [OUT_DIR]
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

# show N CMD...: the command, then the first N lines of its output.
show() {
	local n=$1
	shift
	printf '\n$ %s | head -%s\n' "$*" "$n"
	"$@" | head -"$n"
}
# The oldest snapshot of api/cpu, the base of the diff.
first=$(ls "$MNT/api/cpu" | grep -m1 -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z')

printf '\n# What is in the archive\n'
show 10 ls "$MNT" "$MNT/api"
printf '\n# What is slow now\n'
show 14 cat "$MNT/api/cpu/latest/top.txt"
printf '\n# Is something leaking: the leaky service'"'"'s memory, top suspects first\n'
show 14 cat "$MNT/leaky/inuse_space/growth.txt"
printf '\n# What changed: CPU now minus the first snapshot (%s)\n' "$first"
show 14 cat "$MNT/api/cpu/diff/$first/latest/top.txt"
printf '\n# Who calls main.handleSearch, and what it calls (functions/ is not listed: type it)\n'
show 14 cat "$MNT/api/cpu/latest/functions/main.handleSearch/peek.txt"
printf '\n# Only the stacks through main.handleSearch, sorted by cum (focus= is a path segment)\n'
show 10 cat "$MNT/api/cpu/latest/focus=handleSearch/top-cum.txt"
printf '\n# Files the archive holds that are not profiles\n'
show 5 cat "$MNT/.pyrofs/errors"

cat <<MSG

pyrofs is serving $ARCHIVE at $MNT.
  flame graph:  chromium $MNT/api/cpu/latest/flame.svg   (or xdg-open)
  call graph:   chromium $MNT/api/cpu/latest/graph.svg   (drag to pan, wheel to zoom)
  leak chart:   chromium $MNT/leaky/inuse_space/timeline.svg
  everything:   ls -R $MNT | less
  unmount:      fusermount3 -u $MNT
MSG

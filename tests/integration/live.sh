#!/usr/bin/env bash
# A live archive: change it under a mount, as collectors do, and check the
# tree follows - with no stale bytes and no crash.
#
#   tests/integration/live.sh [OUT_DIR]
#
# The mount rescans every 0.2 s (-o rescan=0.2), following changes through
# inotify, or with PYROFS_LIVE_WATCH=walk (live-walk.sh) by stat-walking:
# both must see the same.  After each change the
# script waits (polling, at most 10 s: a readiness wait, not a timing
# assertion) for the tree to show it.  Profiles are real Go profiles from
# demo/archive.  Exits 77 when FUSE is unusable.
set -u
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/demo/archive
PYROFS=$OUT/pyrofs

. "$(dirname "$0")/lib.sh"
WATCH=${PYROFS_LIVE_WATCH:-inotify}
if [ "$WATCH" = inotify ]; then it_begin live; else it_begin "live-$WATCH"; fi
A=$ARCHIVE
mkdir -p "$A/api"

# The demo's api cpu profiles, oldest first, and their snapshot names.
CPU=($(ls "$DEMO"/api/cpu-*.pb.gz | sort))
names() { ls "$MNT/api/cpu" 2>/dev/null | grep -E '^[0-9]{4}-..-..T..-..-..Z$'; }
# until DESC COMMAND...: poll until the command succeeds (10 s at most).
until_ok() {
	local desc=$1 i
	shift
	for i in $(seq 1 200); do
		"$@" >/dev/null 2>&1 && { ok; return 0; }
		sleep 0.05
	done
	bad "$desc"
	return 1
}

cp "${CPU[0]}" "$A/api/"
mount_fg -o rescan=0.2,watch="$WATCH" || it_abort
# /.pyrofs/stats says which way changes are followed (tmpfs: no fallback).
case $WATCH in
inotify) check_eq "stats: inotify in use" "watch inotify" "$(head -1 "$MNT/.pyrofs/stats")" ;;
*) check_eq "stats: the walk in use" "watch walk (-o watch=walk)" "$(head -1 "$MNT/.pyrofs/stats")" ;;
esac
first=$(names)
check "one snapshot at first" [ "$(names | wc -l)" = 1 ]
before=$(cat "$MNT/api/cpu/all/top.txt")

# A new snapshot appears; latest moves; all includes it (no stale bytes).
cp "${CPU[1]}" "$A/api/"
until_ok "new snapshot listed" sh -c "[ \$(ls '$MNT/api/cpu' | grep -cE '^[0-9]{4}-..-..T..-..-..Z\$') = 2 ]"
second=$(names | tail -1)
check "latest moved" [ "$(readlink "$MNT/api/cpu/latest")" = "$second" ]
check "all merges both" grep -q '^Merge: sum of 2 snapshots$' "$MNT/api/cpu/all/top.txt"
check "all/top.txt changed" [ "$(cat "$MNT/api/cpu/all/top.txt")" != "$before" ]
check "stat size equals bytes read" [ "$(stat -c %s "$MNT/api/cpu/all/top.txt")" = "$(wc -c <"$MNT/api/cpu/all/top.txt")" ]

# A file written slowly: reported while incomplete, served once complete.
f=$(basename "${CPU[2]}")
head -c 300 "${CPU[2]}" >"$A/api/$f"
until_ok "half-written file reported" grep -q "^api/$f: " "$MNT/.pyrofs/errors"
tail -c +301 "${CPU[2]}" >>"$A/api/$f"
until_ok "completed file no longer reported" sh -c "! grep -q '^api/$f: ' '$MNT/.pyrofs/errors'"
until_ok "completed file served" sh -c "[ \$(ls '$MNT/api/cpu' | grep -cE '^[0-9]{4}-..-..T..-..-..Z\$') = 3 ]"

# Replaced atomically (temp file + rename, as collectors write).
f=$(basename "${CPU[3]}")
cp "${CPU[3]}" "$A/api/.$f.tmp"
mv "$A/api/.$f.tmp" "$A/api/$f"
until_ok "renamed-in file served" grep -q '^Merge: sum of 4 snapshots$' "$MNT/api/cpu/all/top.txt"

# Rewritten in place under the same name (cp over it): new bytes served.
f=$(basename "${CPU[3]}")
cat "$MNT/api/cpu/all/top.txt" >"$TMP/top.before"
cp "${CPU[0]}" "$A/api/$f"
until_ok "rewritten file served" sh -c "! cat '$MNT/api/cpu/all/top.txt' | cmp -s - '$TMP/top.before'"
cp "${CPU[3]}" "$A/api/$f"
until_ok "rewritten back" sh -c "cat '$MNT/api/cpu/all/top.txt' | cmp -s - '$TMP/top.before'"

# A snapshot deleted: gone from the listing and from all.
rm "$A/api/$(basename "${CPU[3]}")"
until_ok "deleted snapshot gone" grep -q '^Merge: sum of 3 snapshots$' "$MNT/api/cpu/all/top.txt"

# A service appears, and disappears while one of its files is open.
mkdir -p "$A/billing"
cp "$(ls "$DEMO"/billing/*/*/*/cpu-*.pb.gz | head -1)" "$A/billing/"
until_ok "new service listed" test -e "$MNT/billing/cpu/latest/top.txt"
exec 4<"$MNT/billing/cpu/all/folded"
rm -rf "$A/billing"
until_ok "removed service gone" sh -c "! test -e '$MNT/billing'"
# Read the descriptor without fstat: the kernel asks attributes by path,
# and the path is gone (README "A live archive").
check "open file still reads whole" [ "$(head -c 100000000 <&4 | wc -c)" -gt 0 ]
exec 4<&-

# Symlinks: followed inside the archive, never out of it.
ln -s "${CPU[3]}" "$A/api/outside.pb.gz"
ln -s "$(basename "${CPU[1]}")" "$A/api/inside-link.pb.gz"
until_ok "outside symlink reported" grep -q '^api/outside.pb.gz: symlink leads outside the archive' "$MNT/.pyrofs/errors"
until_ok "inside symlink served (same time: a -2 snapshot)" sh -c "ls '$MNT/api/cpu' | grep -q -- 'Z-2\$'"
rm "$A/api/outside.pb.gz" "$A/api/inside-link.pb.gz"

# The whole archive directory removed: an empty tree that says why.
mv "$A" "$TMP/moved"
until_ok "archive gone: reported" grep -q '^\.: archive unreadable' "$MNT/.pyrofs/errors"
check_eq "archive gone: no services, only the pages" \
	"0-README.txt 0-index.html README.txt index.html" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
mv "$TMP/moved" "$A"
until_ok "archive back" test -e "$MNT/api/cpu/latest/top.txt"
check "daemon alive" kill -0 "$DAEMON_PID"

unmount
check_eq "clean exit" 0 "$DAEMON_RC"
check_stderr "live mount"
it_end

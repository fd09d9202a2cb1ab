#!/usr/bin/env bash
# Lazy indexing (issue 16): a mount lists its services at once and indexes
# each when first looked into; the tree it serves must be the one an eager
# index (-o index=eager) serves, name for name and byte for byte.
#
#   tests/integration/lazy.sh [OUT_DIR]
#
# Mounts a copy of demo/archive twice, lazily and eagerly, and compares a
# full `find` and the bytes of every file (the lazy mount indexes services
# in whatever order find walks them).  /.pyrofs/stats says how much is
# indexed.  Exits 77 when FUSE is unusable.
set -u
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYROFS=$OUT/pyrofs
. "$(dirname "$0")/lib.sh"
it_begin lazy
cp -r "$ROOT/demo/archive" "$ARCHIVE"
# A service made of a root file too (go tool pprof's saved name).
cp "$(ls "$ARCHIVE"/api/cpu-*.pb.gz | head -1)" "$ARCHIVE/pprof.api.samples.cpu.001.pb.gz"
EAGER=$TMP/eager
mkdir -p "$EAGER"
it_on_exit() {
	is_mounted "$EAGER" && fusermount3 -u "$EAGER"
}
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1/.pyrofs/stats"; }

mount_fg || it_abort
check_eq "stats: lazy" "lazy" "$(stat_of "$MNT" index)"
check_eq "root lists every service" "api billing leaky" "$(ls "$MNT" | grep -v -e '\.' -e '^0-' | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing indexed by listing the root" 0 "$(stat_of "$MNT" services_indexed)"
stat "$MNT/billing" >/dev/null
check_eq "nor by a stat of a service" 0 "$(stat_of "$MNT" services_indexed)"
ls "$MNT/api" >/dev/null
check_eq "listing a service indexes it alone" 1 "$(stat_of "$MNT" services_indexed)"
check "it holds its types" test -d "$MNT/api/cpu"
cat "$MNT/billing/summary.txt" >/dev/null
check_eq "a file beneath a service indexes it" 2 "$(stat_of "$MNT" services_indexed)"
cat "$MNT/README.txt" >/dev/null
check_eq "README.txt indexes every service" 3 "$(stat_of "$MNT" services_indexed)"

"$PYROFS" -o index=eager "$ARCHIVE" "$EAGER" 2>>"$STDERR" || it_abort
check_eq "stats: eager" 3 "$(stat_of "$EAGER" services_indexed)"
unmount
mount_fg || it_abort
(cd "$MNT" && find . | LC_ALL=C sort) >"$TMP/lazy.find"
(cd "$EAGER" && find . | LC_ALL=C sort) >"$TMP/eager.find"
check "find: same tree" cmp "$TMP/lazy.find" "$TMP/eager.find"
check "find: a big tree" [ "$(wc -l <"$TMP/lazy.find")" -gt 1000 ]
diffs=0 files=0
while read -r f; do
	[ -f "$EAGER/$f" ] || continue
	[ "${f#./.pyrofs/stats}" = "$f" ] || continue   # counts differ by design
	files=$((files + 1))
	cmp -s <(cat "$MNT/$f") <(cat "$EAGER/$f") || { diffs=$((diffs + 1)); echo "differs: $f" >&2; }
done <"$TMP/eager.find"
check_eq "bytes: every file equal ($files files)" 0 "$diffs"
fusermount3 -u "$EAGER"
unmount
check_eq "clean exit" 0 "$DAEMON_RC"
check_stderr "lazy mount"
it_end

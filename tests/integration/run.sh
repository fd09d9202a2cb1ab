#!/usr/bin/env bash
# Mount tests: make a known archive, mount it with pyrofs, read it as a user
# would (ls, cat, stat, dd, find), check exact bytes, and unmount.
#
#   tests/integration/run.sh [OUT_DIR]      OUT_DIR holds pyrofs, tests/mkprofile
#   tests/integration/run.sh --update [OUT_DIR]
#                       rewrite tests/integration/expected/ from the current
#                       build (review the diff before committing it)
#
# Every file under expected/ mirrors a path of the mounted tree and must be
# byte-identical to it; expected/LISTING is `find` of the whole tree.
# The daemon runs in the foreground with its stderr captured, so sanitizer
# reports and error lines fail the run.  Exits 77 (skip) only when FUSE is
# unusable on this machine.
set -u

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
EXPECTED=$HERE/expected
PYROFS=$(cd "$OUT" && pwd)/pyrofs
MKPROFILE=$(cd "$OUT" && pwd)/tests/mkprofile

. "$(dirname "$0")/lib.sh"
it_begin integration


"$MKPROFILE" "$ARCHIVE" || { bad "mkprofile failed"; it_abort; }

# ---- the tree, exactly --------------------------------------------------
# functions/ is not listed (it resolves in every time node): the one of
# api/cpu/all is pinned whole too.
tree() { # tree FIND-ARGS...: find of the tree, and of that functions/
	find . "$@" -print
	find ./api/cpu/all/functions "$@" -print
}
mount_fg || it_abort
# Files whose rendering needs a whole series: a listing gives them the size
# of their cached rendering, else 0 (the unit test test_sized_by_cache
# pins that; the kernel keeps a listing's attributes for a second, too
# short to assert here), and a stat by name on a fresh mount is exact, as
# a browser opening file:// needs.
SERIES_FILES="api/cpu/timeline.txt api/cpu/timeline.svg api/cpu/growth.txt
api/cpu/index.html api/summary.txt"
sizes=$(cd "$MNT" && stat -c %s $SERIES_FILES)      # before any read
check_eq "series files: stat by name on a fresh mount is exact" \
	"$(cd "$MNT" && for f in $SERIES_FILES; do cat "$f" | wc -c; done)" "$sizes"
(cd "$MNT" && tree | LC_ALL=C sort) >"$TMP/listing"
if [ $update = 1 ]; then
	rm -rf "$EXPECTED"
	mkdir -p "$EXPECTED"
	cp "$TMP/listing" "$EXPECTED/LISTING"
	# Text files and pages of every node, graph.dot too; flame.svg is
	# pinned by unit goldens.
	(cd "$MNT" && tree -type f \( -name '*.txt' -o -name '*.html' -o -name folded \
		-o -name errors -o -name '*.dot' \)) |
	while read -r f; do
		mkdir -p "$EXPECTED/$(dirname "$f")"
		cat "$MNT/$f" >"$EXPECTED/$f"
	done
	# Symlink targets are part of the contract too.
	(cd "$MNT" && find . -type l | LC_ALL=C sort | while read -r l; do
		echo "$l -> $(readlink "$l")"; done) >"$EXPECTED/LINKS"
	echo "integration: expected/ rewritten; review with git diff"
	exit 0
fi
if cmp -s "$EXPECTED/LISTING" "$TMP/listing"; then
	ok
else
	bad "tree listing"
	diff "$EXPECTED/LISTING" "$TMP/listing" | head -20 >&2
fi
links=$(cd "$MNT" && find . -type l | LC_ALL=C sort | while read -r l; do
	echo "$l -> $(readlink "$l")"; done)
check_eq "symlink targets" "$(cat "$EXPECTED/LINKS")" "$links"
# Through cat: the listing above gave series files the size of their
# cached rendering (0 when not read yet), which the kernel keeps for a
# second, and cmp takes two regular files of different sizes for different.
(cd "$EXPECTED" && find . -type f ! -name LISTING ! -name LINKS) | while read -r f; do
	if cat "$MNT/$f" | cmp -s "$EXPECTED/$f" -; then echo ok; else
		echo "FAIL: content of $f" >&2; diff "$EXPECTED/$f" "$MNT/$f" | head -10 >&2; echo bad; fi
done >"$TMP/content"
pass=$((pass + $(grep -c '^ok$' "$TMP/content")))
fail=$((fail + $(grep -c '^bad$' "$TMP/content")))

# ---- stat, sizes, offsets -----------------------------------------------
# Every file read whole first, so that series files have a cached
# rendering (opening one drops the kernel's attributes of it); then stat
# must say exactly the bytes read, for every file.
find "$MNT" -type f | while read -r f; do echo "$(wc -c <"$f") $f"; done >"$TMP/bytes"
sizes_ok=1
while read -r bytes f; do
	size=$(stat -c %s "$f")
	[ "$size" = "$bytes" ] || { sizes_ok=0; echo "  $f: stat $size, read $bytes" >&2; }
done <"$TMP/bytes"
check "stat size equals bytes read, every file (series files once read)" [ $sizes_ok = 1 ]
check "series files: stat after a read says the bytes a full read gives" \
	[ "$(cd "$MNT" && stat -c %s $SERIES_FILES)" = "$(cd "$MNT" && for f in $SERIES_FILES; do wc -c <"$f"; done)" ]
check "series files: not empty" [ "$(cd "$MNT" && cat $SERIES_FILES | wc -c)" -gt 1000 ]

f=$MNT/api/cpu/latest/folded
for off in 0 1 7 100 4095 4096 100000; do
	a=$(dd if="$f" bs=1 skip=$off count=64 2>/dev/null | od -An -c)
	b=$(tail -c +$((off + 1)) "$f" | head -c 64 | od -An -c)
	check_eq "read at offset $off" "$b" "$a"
done
check "read past the end is empty" [ -z "$(dd if="$f" bs=4096 skip=1000 2>/dev/null)" ]

ino1=$(stat -c %i "$MNT/api/cpu/all/top.txt")
ino2=$(stat -c %i "$MNT/api/cpu/all/top.txt")
check_eq "stable inode" "$ino1" "$ino2"
check_eq "root inode" "1" "$(stat -c %i "$MNT")"
t=$(readlink "$MNT/api/cpu/latest")
check_eq "latest and its target are one file" \
	"$(stat -c %i "$MNT/api/cpu/$t/top.txt")" "$(stat -L -c %i "$MNT/api/cpu/latest/top.txt")"
check_eq "snapshot mtime is the profile time" "1795000010" \
	"$(stat -c %Y "$MNT/api/cpu/$t/top.txt")"

# Names may hold spaces (labels/region/eu west/): no word splitting.
if command -v xmllint >/dev/null; then
	check "xmllint, every flame.svg and icicle.svg" sh -c \
		"find '$MNT' -name '*.svg' -print0 | xargs -0 xmllint --noout"
fi
# graph.svg is graph.dot (pinned in expected/) laid out by Graphviz: one
# drawn node per DOT node and one for the legend, and the pan/zoom script.
g=$MNT/api/cpu/all
check_eq "graph.svg draws graph.dot's nodes and legend" \
	"$(($(grep -c '^N[0-9]* \[label=' "$g/graph.dot") + 1))" \
	"$(grep -c '^<g id="node[0-9]*" class="node">' "$g/graph.svg")"
check "graph.svg carries its pan/zoom script" grep -q 'graph.js - pan and zoom' "$g/graph.svg"

# ---- filters and functions/ ---------------------------------------------------
# Not listed, resolved on lookup, nesting; '/' in an expression is %2F.
L=$MNT/api/cpu/latest
check_eq "focus= folded" "main.main;main.serve;main.handle;main.parse 10000000" \
	"$(cat "$L/focus=parse/folded")"
check_eq "nested hide= and focus= folded" "main.handle;main.parse 10000000" \
	"$(cat "$L/focus=parse/hide=^main\.(main|serve)$/folded")"
check_eq "show_from= folded, RE2 syntax" "$(printf 'main.handle 50000000\nmain.handle;main.parse 10000000')" \
	"$(cat "$L/show_from=(?i)^MAIN\.h\w+/folded")"
check_eq "a regex with %2F" "$(cat "$L/focus=runtime|main%2Fnothing/folded")" \
	"$(cat "$L/focus=runtime/folded")"
check "filters are not listed" sh -c "! ls '$L' | grep -q '='"
check "functions/ is not listed" sh -c "! ls '$L' | grep -qx functions"
check_eq "functions/" "$(printf 'main.handle\nmain.main\nmain.parse\nmain.serve\nruntime.gcBgMarkWorker\nruntime.mallocgc')" \
	"$(ls "$L/functions")"
check_eq "callers/ lists files only" "flame.svg folded graph.dot graph.svg icicle.svg profile.pb.gz top-cum.txt top.txt traces.txt tree.txt" \
	"$(ls "$L/functions/main.handle/callers" | tr '\n' ' ' | sed 's/ $//')"
check "stat of a filtered file" test -s "$L/ignore=runtime/top.txt"
msg=$(cat "$L/focus=(/top.txt" 2>&1)
case $msg in
*"Invalid argument"*) ok ;;
*) bad "a bad regular expression: expected EINVAL, got: $msg" ;;
esac
check "a bad regular expression is in /.pyrofs/errors" \
	grep -q "^api/cpu/[^ ]*/focus=(: bad regular expression" "$MNT/.pyrofs/errors"
check "a second focus= is ENOENT" sh -c "! test -e '$L/focus=a/focus=b'"

# ---- read-only ------------------------------------------------------------
rofs() { # rofs NAME COMMAND...: must fail with EROFS
	local name=$1 msg
	shift
	msg=$("$@" 2>&1)
	case $msg in
	*"Read-only file system"*) ok ;;
	*) bad "$name: expected EROFS, got: $msg" ;;
	esac
}
rofs "touch" touch "$MNT/new"
rofs "mkdir" mkdir "$MNT/api/x"
rofs "rm" rm -f "$MNT/api/cpu/all/top.txt"
rofs "rmdir" rmdir "$MNT/api/cpu/all"
rofs "mv" mv "$MNT/api/cpu/all" "$MNT/api/cpu/all2"
rofs "append" sh -c "echo x >>'$MNT/api/cpu/all/top.txt'"
rofs "truncate" truncate -s 0 "$MNT/api/cpu/all/top.txt"
rofs "chmod" chmod 777 "$MNT/api/cpu/all/top.txt"
rofs "ln -s" ln -s x "$MNT/api/link"
rofs "setfattr" python3 -c "import os; os.setxattr('$MNT/api/cpu/all/top.txt', 'user.x', b'1')"
check "missing file is ENOENT" sh -c "! cat '$MNT/api/cpu/all/nope' 2>/dev/null"

# ---- unmount is clean -----------------------------------------------------
unmount
check_eq "daemon exit code after fusermount3 -u" 0 "$DAEMON_RC"
check_stderr "first mount"

# ---- options and signals ----------------------------------------------------
mount_fg -o merge=pprof,cache_size=1M,noauto,x-systemd.automount || it_abort
check "merge=pprof sums" grep -q '^Merge: sum of 2 snapshots$' "$MNT/api/mutex_count/all/top.txt"
check "fsname and subtype" sh -c "grep -q '^$ARCHIVE $MNT fuse.pyrofs ro,' /proc/mounts"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
DAEMON_RC=$?
DAEMON_PID=
check_eq "SIGTERM unmounts and exits 0" "0 no" \
	"$DAEMON_RC $(mountpoint -q "$MNT" && echo yes || echo no)"
check_stderr "second mount"

# Without -f, pyrofs returns once the mount is ready (the readiness signal).
"$PYROFS" "$ARCHIVE" "$MNT" 2>"$TMP/stderr"
check "daemon mode: mounted on return" [ -e "$MNT/api/cpu/latest/top.txt" ]
fusermount3 -u "$MNT"

# ---- command-line errors ----------------------------------------------------
err=$("$PYROFS" "$TMP/missing" "$MNT" 2>&1)
check_eq "missing archive" "pyrofs: archive $TMP/missing: No such file or directory" "$err"
err=$("$PYROFS" "$ARCHIVE" "$ARCHIVE/api" 2>&1)
check_eq "non-empty mountpoint" "pyrofs: mountpoint $ARCHIVE/api is not an empty directory" "$err"
err=$("$PYROFS" -o cache_size=lots "$ARCHIVE" "$MNT" 2>&1)
check_eq "bad option value" "pyrofs: bad option value: cache_size=lots (a size: bytes, or with K, M, G as in 256M)" "$err"
err=$("$PYROFS" -o merge=pprf "$ARCHIVE" "$MNT" 2>&1)
check_eq "a merge= typo lists the allowed values" "pyrofs: bad option value: merge=pprf (allowed values: auto, pprof)" "$err"
# pyrofs-cat has no FUSE to hand unknown keys to: a typo is an error.
err=$("${PYROFS}-cat" -o cache_sise=1M "$ARCHIVE" / 2>&1; echo "exit $?")
check_eq "pyrofs-cat: an unknown -o key" "pyrofs-cat: unknown option: cache_sise=1M
usage: pyrofs-cat [-o opt[,opt...]] ARCHIVE [PATH]" "$(printf '%s\n' "$err" | head -n 2)"
check "... and exits 2" sh -c "printf '%s\n' \"\$1\" | tail -n 1 | grep -qx 'exit 2'" sh "$err"
check "--version names pyrofs and FUSE" sh -c "'$PYROFS' --version 2>&1 | grep -q '^pyrofs version' && '$PYROFS' --version 2>&1 | grep -qi 'fuse library version'"
check "--help shows our options then FUSE's" sh -c "'$PYROFS' --help 2>&1 | grep -q 'cache_size' && '$PYROFS' --help 2>&1 | grep -q -- '-d   -o debug'"
# An archive without any profile mounts (collectors may fill it), saying so.
# (Files lying in the root are read at mount; a service directory only when
# looked into, so a directory without profiles is listed until then.)
mkdir -p "$TMP/noprof" && echo notes >"$TMP/noprof/README"
err=$("$PYROFS" "$TMP/noprof" "$MNT" 2>&1)
check "an archive without a profile mounts" is_mounted "$MNT"
check_eq "... with a warning on stderr" "pyrofs: warning: no profile found in $TMP/noprof (mounting anyway: new profiles appear within rescan seconds; unreadable files are listed in MOUNTPOINT/.pyrofs/errors)" "$err"
is_mounted "$MNT" && fusermount3 -u "$MNT"
help=$("$PYROFS" --help 2>&1)
check "--help: rescan, the time names and examples before FUSE's options" sh -c '
	printf "%s\n" "$1" | awk "/rescan=SECONDS/ { o = NR } /^Time names/ { t = NR }
		/^Examples:/ { e = NR } /^FUSE options:/ { f = NR }
		END { exit !(o && t > o && e > t && f > e) }" &&
	[ "$(printf "%s\n" "$1" | grep -c "^    cat /mnt/prof/")" = 3 ]' sh "$help"

it_end

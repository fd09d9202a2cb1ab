#!/usr/bin/env bash
# Hostile changes under a mount (issue 20, items 1, 2, 4 and 6): a
# directory swapped for a symlink that leads out, a FIFO swapped in for a
# profile, FIFOs, sockets and devices at indexing, a profile rewritten in
# place with its size and mtime kept, odd names, a second mount.
#
#   tests/integration/swap.sh [OUT_DIR]      OUT_DIR holds pyrofs, pyrofs-cat
#
# Nothing outside the archive may ever be read: after the swap a read must
# fail or show the archive's own bytes, never the outside file's.  Reads that
# could hang run under `timeout 10` (a hang fails; no timing is asserted).
# Waits for a rescan poll for at most 10 s.  Exits 77 when FUSE is unusable.
set -u
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/demo/archive
PYROFS=$OUT/pyrofs
. "$(dirname "$0")/lib.sh"
it_begin swap
export XDG_CACHE_HOME=$TMP/cache

CPU=($(ls "$DEMO"/api/cpu-*.pb.gz | sort))
NAME=$(basename "${CPU[0]}")
OUTSIDE=$TMP/elsewhere

# rd FILE: its bytes, failing on an error or a hang.
rd() { timeout 10 cat -- "$1"; }
# until_ok DESC COMMAND...: poll until the command succeeds (10 s at most).
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
errors_have() { grep -qxF -- "$1" "$MNT/.pyrofs/errors"; }

# The archive: svc/NAME (the demo's first cpu profile).  Outside it, a
# different profile under the same name: what a swap would lead to.
fresh_archive() {
	rm -rf "$ARCHIVE" "$OUTSIDE"
	mkdir -p "$ARCHIVE/svc" "$OUTSIDE"
	cp "${CPU[0]}" "$ARCHIVE/svc/$NAME"
	cp "${CPU[1]}" "$OUTSIDE/$NAME"
}
fresh_archive
mine=$("$OUT/pyrofs-cat" "$ARCHIVE" /svc/cpu/latest/folded)
mkdir -p "$TMP/o/svc" && cp "${CPU[1]}" "$TMP/o/svc/$NAME"
theirs=$("$OUT/pyrofs-cat" "$TMP/o" /svc/cpu/latest/folded)
check "swap: the two profiles differ" [ -n "$mine" -a "$mine" != "$theirs" ]

# ---- 1. a directory swapped for a symlink that leads out ------------------------
for opt in rescan=0 rescan=2; do
	fresh_archive
	mount_fg -o "$opt" || break
	ls "$MNT/svc/cpu" >/dev/null             # indexed; nothing decoded yet
	mv "$ARCHIVE/svc" "$ARCHIVE/.svc-old"
	ln -s "$OUTSIDE" "$ARCHIVE/svc"
	got=$(rd "$MNT/svc/cpu/latest/folded" 2>/dev/null)
	rc=$?
	check "swap ($opt): the outside file is never served" [ "$got" != "$theirs" ]
	check "swap ($opt): the read fails or shows the archive's own bytes" \
		[ "$rc" != 0 -a "$rc" != 124 -o "$got" = "$mine" ]
	if [ "$opt" = rescan=0 ]; then
		check_eq "swap ($opt): EIO" 1 "$rc"
		check "swap ($opt): the reason is in errors" \
			errors_have "svc/$NAME: symlink in path: not followed (svc)"
	else
		# The rescan sees a symlinked service that leads out.
		until_ok "swap ($opt): the rescan lists the symlink" \
			errors_have "svc: symlink leads outside the archive: not followed"
		check "swap ($opt): svc is gone" [ ! -e "$MNT/svc" ]
	fi
	unmount
	check_eq "swap ($opt): daemon exit code" 0 "$DAEMON_RC"
	check_stderr "swap ($opt)"
done

# A file swapped for a symlink, and a deeper directory, with rescan=0.
fresh_archive
mkdir -p "$ARCHIVE/svc/deep/er"
mv "$ARCHIVE/svc/$NAME" "$ARCHIVE/svc/deep/er/$NAME"
mount_fg -o rescan=0
ls "$MNT/svc/cpu" >/dev/null
mv "$ARCHIVE/svc/deep/er" "$ARCHIVE/svc/deep/.er-old"
ln -s "$OUTSIDE" "$ARCHIVE/svc/deep/er"
got=$(rd "$MNT/svc/cpu/latest/folded" 2>/dev/null)
check_eq "swap (deep): EIO" 1 "$?"
check "swap (deep): the outside file is never served" [ "$got" != "$theirs" ]
check "swap (deep): the reason names the symlink" \
	errors_have "svc/deep/er/$NAME: symlink in path: not followed (svc/deep/er)"
unmount

# ---- 2. a FIFO swapped in for a profile: an error at once, no hang -----------
fresh_archive
mount_fg -o rescan=0
ls "$MNT/svc/cpu" >/dev/null
rm "$ARCHIVE/svc/$NAME"
mkfifo "$ARCHIVE/svc/$NAME"
# A daemon that blocks in open(2) leaves the reader in D state, which
# `timeout` cannot kill: a writer opening the FIFO after 10 s releases it,
# so a regression fails here instead of hanging the suite.
( sleep 10; timeout 5 sh -c ": >'$ARCHIVE/svc/$NAME'" ) 2>/dev/null &
watchdog=$!
rd "$MNT/svc/cpu/latest/folded" >/dev/null 2>&1
check_eq "fifo swapped in: EIO, not a hang" 1 "$?"
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null
check "fifo swapped in: the reason is in errors" \
	errors_have "svc/$NAME: not a regular file (fifo)"
check "fifo swapped in: the daemon still answers" \
	timeout 10 cat "$MNT/.pyrofs/errors" >/dev/null
unmount
check_eq "fifo swapped in: daemon exit code" 0 "$DAEMON_RC"

# ---- 2b. FIFOs, sockets, devices and loops found while indexing -------------------
fresh_archive
mkfifo "$ARCHIVE/svc/pipe"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$ARCHIVE/svc/sock"
have_dev=0
mknod "$ARCHIVE/svc/null" c 1 3 2>/dev/null && have_dev=1
ln -s loop "$ARCHIVE/svc/loop"
ln -s "$NAME" "$ARCHIVE/svc/link"         # inside: read as its target
mount_fg -o rescan=0
check "indexing: a fifo is listed" errors_have "svc/pipe: not a regular file (fifo)"
check "indexing: a socket is listed" errors_have "svc/sock: not a regular file (socket)"
if [ "$have_dev" = 1 ]; then
	check "indexing: a device is listed" \
		errors_have "svc/null: not a regular file (character device)"
fi
check "indexing: a self-looping symlink is a loop" errors_have "svc/loop: symlink loop"
snaps() { ls "$MNT/svc/cpu" | grep -E '^[0-9]{4}-..-..T..-..-..Z(-[0-9]+)?$'; }
check_eq "indexing: the inside symlink is a second snapshot" 2 "$(snaps | wc -l)"
check_eq "indexing: the inside symlink reads its target" "$mine" \
	"$(rd "$MNT/svc/cpu/$(snaps | tail -1)/folded")"
unmount
check_stderr "indexing"

# ---- 4. a rewrite in place keeping size and mtime --------------------------------
rm -rf "$ARCHIVE" && mkdir -p "$ARCHIVE/svc"
F=$ARCHIVE/svc/cpu-1795668008.txt
printf 'main;alpha 7\n' >"$F"
touch -d @1795668008 "$F"
mount_fg -o rescan=0.2
check_eq "rewrite: before" "main;alpha 7" "$(rd "$MNT/svc/cpu/latest/folded")"
printf 'main;omega 7\n' 1<>"$F"             # same inode, same size
touch -d @1795668008 "$F"                   # mtime restored (as cp -p, touch -r)
until_ok "rewrite: latest/ serves the new bytes" \
	sh -c "[ \"\$(cat '$MNT/svc/cpu/latest/folded')\" = 'main;omega 7' ]"
check_eq "rewrite: all/ agrees" "main;omega 7" "$(rd "$MNT/svc/cpu/all/folded")"
unmount

# ---- 6. names, the sources xattr, a second mount, permissions ----------------------
rm -rf "$ARCHIVE" && mkdir -p "$ARCHIVE"
long=$(printf 'a%.0s' $(seq 1 255))
esc="a$(printf '%%%.0s' $(seq 1 100))"
ctl=$(printf 'c\001tl')
for d in "$long" "$esc" ctl; do
	mkdir -p "$ARCHIVE/$d"
done
cp "${CPU[0]}" "$ARCHIVE/$long/"
cp "${CPU[0]}" "$ARCHIVE/$esc/"
cp "${CPU[0]}" "$ARCHIVE/ctl/$ctl.pb.gz"
mount_fg
check "names: a 255-byte name needing no escape is whole" [ -d "$MNT/$long" ]
check "names: a long escaped name is cut between escapes" \
	sh -c "ls '$MNT' | grep -Eqx 'a(%25){76}%~[0-9a-f]{16}'"
check_eq "xattr: sources escapes control bytes" 'ctl/c\x01tl.pb.gz' \
	"$(getfattr --only-values -n user.pyrofs.sources "$MNT/ctl/cpu/all" 2>/dev/null)"
err=$("$PYROFS" "$ARCHIVE" "$MNT" 2>&1)
check_eq "second mount: exit code" 1 "$?"
check_eq "second mount: says why" "pyrofs: mountpoint $MNT is already a mount point (a FUSE filesystem is mounted there)" "$err"
check "mount: default_permissions is on" \
	sh -c "grep ' $MNT fuse.pyrofs ' /proc/mounts | grep -q default_permissions"
check_eq "mount: files 0444, directories 0555" "444 555" \
	"$(stat -c %a "$MNT/ctl/cpu/all/folded") $(stat -c %a "$MNT/ctl/cpu")"
unmount
check_eq "names: daemon exit code" 0 "$DAEMON_RC"
check_stderr "names"

it_end

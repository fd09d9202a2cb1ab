#!/usr/bin/env bash
# tests/deb/run.sh [OUT] - the Debian package end to end, on this machine.
#
#   1. Build it: scripts/build-deb.sh OUT/deb (dpkg-buildpackage -us -uc -b
#      with the unit tests in dh_auto_test, then lintian: no error, no
#      warning).
#   2. dpkg -i.  The package holds exactly the files we mean it to, dpkg -L
#      agrees with the .deb, Depends names fuse3 and libfuse3, pyrofs
#      --version and the man pages say debian/changelog's version, the README
#      is ours and the examples are the README's fstab line and mount unit.
#   3. mount -t fuse.pyrofs ARCHIVE MNT -o ro: mount(8) runs mount.fuse3,
#      which runs `pyrofs` found in its shell's default PATH.  That PATH puts
#      /usr/local first, where `make install` puts its own pyrofs, so this
#      part runs in a private mount namespace (unshare -m) in which
#      /usr/local/bin and /usr/local/sbin are empty: the daemon must be
#      /usr/bin/pyrofs.  The mount is fuse.pyrofs and ro; files read through
#      it equal what OUT/pyrofs-cat (the build tree's) prints; umount; the
#      daemon exits.
#   4. dpkg -r: the programs are gone.  dpkg -P: dpkg knows no pyrofs, and
#      no path of `dpkg -L` that was absent before the install exists.
#      Whatever `make install` put under /usr/local is as it was.
#
# Leaves the machine as it found it, on any exit (lib.sh's trap calls
# it_on_exit): the daemon is stopped, the namespace and its mount die with
# it, and a package this run installed is purged.  Needs root: skips (77)
# when not root, when FUSE is unusable, and when a pyrofs package is already
# installed (the test would replace it and then remove it).  Two runs at once
# (two worktrees' make check) take turns.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$(cd "$OUT" && pwd) || exit 2
PYROFS_CAT=$OUT/pyrofs-cat

. "$REPO/tests/integration/lib.sh"
note() { echo "deb: $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "deb: SKIP: needs root (dpkg -i, mount)"
	exit 77
fi
it_begin deb
for tool in dpkg-buildpackage lintian unshare mount.fuse3; do
	command -v "$tool" >/dev/null || { bad "$tool missing (scripts/install-deps.sh --deb)"; it_abort; }
done
[ -x "$PYROFS_CAT" ] || { bad "$PYROFS_CAT missing: make all first"; it_abort; }

pkg_status() { dpkg-query -W -f='${db:Status-Status}' pyrofs 2>/dev/null; }

# dpkg refuses to run while another dpkg or apt holds its lock (another
# helper installing packages): wait for it rather than fail.
dpkg_retry() {
	local i out rc
	for ((i = 0; i < 60; i++)); do
		out=$(dpkg "$@" 2>&1)
		rc=$?
		if [ $rc = 0 ] || ! grep -qi 'lock' <<<"$out"; then
			[ -n "$out" ] && echo "$out" >"$TMP/dpkg.out"
			return $rc
		fi
		sleep 2
	done
	echo "$out" >"$TMP/dpkg.out"
	return 1
}

DAEMON=
INSTALLED=0
it_on_exit() {
	if [ -n "$DAEMON" ] && kill -0 "$DAEMON" 2>/dev/null; then
		kill "$DAEMON" 2>/dev/null
	fi
	if [ "$INSTALLED" = 1 ] && [ -n "$(pkg_status)" ] && [ "$(pkg_status)" != not-installed ]; then
		note "cleanup: purging the package this run installed"
		dpkg_retry -P pyrofs >/dev/null || note "cleanup: dpkg -P pyrofs failed: $(cat "$TMP/dpkg.out")"
	fi
}

# /usr/local as `make install` may have left it: compared at the end.
local_state() {
	find /usr/local/bin /usr/local/sbin /usr/local/share/man/man1 -maxdepth 1 \
		-name 'pyrofs*' -exec sha256sum {} + 2>/dev/null | sort
}
LOCAL_BEFORE=$(local_state)

# ---- 1. build --------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
if ! "$REPO/scripts/build-deb.sh" "$OUT/deb" >"$TMP/build.out" 2>&1; then
	tail -30 "$TMP/build.out" >&2
	bad "scripts/build-deb.sh (dpkg-buildpackage, lintian)"
	it_abort
fi
ok
DEB=$(tail -1 "$TMP/build.out")
check_eq ".deb name" "pyrofs_${version}_$(dpkg-architecture -q DEB_HOST_ARCH).deb" "$(basename "$DEB")"
note "built $DEB"

# ---- 2. install --------------------------------------------------------------
# Hold the lock from here to the purge: a second run waits.  flock on
# dpkg's directory: it exists everywhere, creates no file, and dpkg's own
# locks (fcntl, on files inside it) do not see it.
exec 9</var/lib/dpkg
flock -w 900 9 || { bad "another deb test held the lock for 15 minutes"; it_abort; }
st=$(pkg_status)
if [ -n "$st" ] && [ "$st" != not-installed ]; then
	echo "deb: SKIP: a pyrofs package is already here ($st); this test would replace and remove it"
	exit 77
fi

# Which of the package's paths exist before it is installed (/usr, ...).
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed -e 's|^\.||' -e 's|/$||' -e 's|^$|/|' |
	sort >"$TMP/deb-paths"
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] && echo "$p"
done <"$TMP/deb-paths" >"$TMP/pre-existing"

INSTALLED=1
if ! dpkg_retry -i "$DEB"; then
	bad "dpkg -i: $(cat "$TMP/dpkg.out")"
	it_abort
fi
check_eq "installed" installed "$(pkg_status)"
dpkg -L pyrofs | sed 's|^/\.$|/|' | sort >"$TMP/dpkg-L"
check_eq "dpkg -L lists what the .deb holds" "$(cat "$TMP/deb-paths")" "$(cat "$TMP/dpkg-L")"
check_eq "the package's files" "/usr/bin/pyrofs
/usr/bin/pyrofs-cat
/usr/share/doc/pyrofs/README.md.gz
/usr/share/doc/pyrofs/changelog.gz
/usr/share/doc/pyrofs/copyright
/usr/share/doc/pyrofs/examples/fstab
/usr/share/doc/pyrofs/examples/mnt-prof.mount
/usr/share/man/man1/pyrofs-cat.1.gz
/usr/share/man/man1/pyrofs.1.gz" "$(while read -r p; do [ -f "$p" ] && echo "$p"; done <"$TMP/dpkg-L")"

depends=$(dpkg-query -W -f='${Depends}' pyrofs)
check "Depends has fuse3: $depends" grep -qE '(^|, )fuse3(,|$)' <<<"$depends"
check "Depends has libfuse3 (shlibs): $depends" grep -qE '(^|, )libfuse3-[0-9]+ ' <<<"$depends"
check_eq "pyrofs --version" "pyrofs version $version" "$(/usr/bin/pyrofs --version | head -1)"
for m in pyrofs pyrofs-cat; do
	check_eq "$m.1 .TH version" "\"pyrofs $version\"" \
		"$(zcat "/usr/share/man/man1/$m.1.gz" | awk '/^\.TH/ { print $5, $6; exit }')"
done
check "README.md.gz is the README" cmp -s <(zcat /usr/share/doc/pyrofs/README.md.gz) "$REPO/README.md"
ex=/usr/share/doc/pyrofs/examples
fstab_line=$(grep -v '^#' "$ex/fstab")
check "examples/fstab: the README's line: $fstab_line" grep -qxF "    $fstab_line" "$REPO/README.md"
check_eq "examples/mnt-prof.mount: the README's unit" \
	"$(awk '/^    \[Unit\]/ { p = 1 } p { sub(/^    /, ""); print } p && /^WantedBy=/ { exit }' "$REPO/README.md")" \
	"$(grep -v '^#' "$ex/mnt-prof.mount")"

# ---- 3. mount(8) -> mount.fuse3 -> /usr/bin/pyrofs --------------------------
cp -r "$REPO/demo/archive" "$ARCHIVE"
mkdir -p "$TMP/empty" "$TMP/got"
FILES="api/cpu/latest/top.txt api/cpu/latest/folded leaky/inuse_space/all/top.txt"
# env -i: no HOME, no XDG_CACHE_HOME, so the daemon writes no index cache.
timeout 120 unshare -m --propagation private bash -s >"$TMP/ns.out" 2>&1 <<EOF
for d in /usr/local/bin /usr/local/sbin; do
	[ -d \$d ] && { mount --bind "$TMP/empty" \$d || exit 1; }
done
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin mount -t fuse.pyrofs "$ARCHIVE" "$MNT" -o ro
echo "mount \$?"
awk -v m="$MNT" '\$2 == m { split(\$4, o, ","); print "mounted", \$3, o[1] }' /proc/self/mounts
for p in /proc/[0-9]*; do
	tr '\0' '\n' 2>/dev/null <\$p/cmdline | grep -qxF "$MNT" || continue
	exe=\$(readlink \$p/exe) || continue
	case \$exe in */pyrofs) echo \${p#/proc/} >"$TMP/daemon.pid"; echo "daemon \$exe" ;; esac
done
n=0
for f in $FILES; do
	cat "$MNT/\$f" >"$TMP/got/\$n" || echo "read \$f failed"
	n=\$((n + 1))
done
umount "$MNT"
echo "umount \$?"
EOF
DAEMON=$(cat "$TMP/daemon.pid" 2>/dev/null)
check_eq "mount -t fuse.pyrofs ARCHIVE MNT -o ro, read, umount" "mount 0
mounted fuse.pyrofs ro
daemon /usr/bin/pyrofs
umount 0" "$(cat "$TMP/ns.out")"
n=0
for f in $FILES; do
	"$PYROFS_CAT" "$ARCHIVE" "/$f" >"$TMP/want" 2>"$TMP/cat.err" || bad "$PYROFS_CAT /$f: $(cat "$TMP/cat.err")"
	check "$f through the mount = the build tree's pyrofs-cat" cmp "$TMP/want" "$TMP/got/$n"
	check "/usr/bin/pyrofs-cat $f = the build tree's" cmp "$TMP/want" <(/usr/bin/pyrofs-cat "$ARCHIVE" "/$f")
	n=$((n + 1))
done
check "top.txt read through the mount is not empty" test -s "$TMP/got/0"
# After umount the daemon exits by itself (a bounded readiness wait, not a
# timing check); it_on_exit kills it otherwise.
if [ -n "$DAEMON" ]; then
	for ((i = 0; i < 200; i++)); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
	check "the daemon exited after umount" sh -c "! kill -0 $DAEMON 2>/dev/null"
fi
check "no mount left behind" sh -c "! grep -qF '$TMP' /proc/mounts"

# ---- 4. remove, purge, nothing left ------------------------------------------
if dpkg_retry -r pyrofs; then ok; else bad "dpkg -r: $(cat "$TMP/dpkg.out")"; fi
check "dpkg -r removed /usr/bin/pyrofs" test ! -e /usr/bin/pyrofs
check "dpkg -r removed /usr/bin/pyrofs-cat" test ! -e /usr/bin/pyrofs-cat
if dpkg_retry -P pyrofs; then ok; else bad "dpkg -P: $(cat "$TMP/dpkg.out")"; fi
st=$(pkg_status)
check "dpkg knows no pyrofs after -P (status '$st')" test -z "$st" -o "$st" = not-installed
INSTALLED=0
while read -r p; do
	{ [ -e "$p" ] || [ -L "$p" ]; } && ! grep -qxF "$p" "$TMP/pre-existing" && echo "$p"
done <"$TMP/dpkg-L" >"$TMP/left"
check_eq "nothing of dpkg -L left behind" "" "$(cat "$TMP/left")"
check_eq "no dpkg metadata left" "" "$(ls /var/lib/dpkg/info/pyrofs.* /var/lib/dpkg/info/pyrofs:* 2>/dev/null)"
check_eq "/usr/local (make install) untouched" "$LOCAL_BEFORE" "$(local_state)"

it_end

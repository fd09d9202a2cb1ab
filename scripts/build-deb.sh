#!/usr/bin/env bash
# build-deb.sh DIR - build the Debian package from a copy of this source tree
# in DIR, check it with lintian, and print the .deb's path last.
#
# dpkg-buildpackage cleans the tree it builds and writes the .deb, .buildinfo
# and .changes into that tree's parent: building a copy, DIR/pyrofs-VERSION,
# keeps both away from the working tree (and the parent of a worktree).  The
# copy holds the files git knows, tracked or untracked but not ignored, so
# uncommitted changes are built; outside a git checkout, the tree less out*/.
# DEB_BUILD_OPTIONS passes through (nocheck: no unit tests; parallel=N).
# Lintian fails the build on any error or warning.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
DIR=$(cd "$1" && pwd)

version=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
src=$DIR/pyrofs-$version
deb=$DIR/pyrofs_${version}_$arch.deb

# Only what a previous run of this script left in DIR.
rm -rf "$DIR"/pyrofs-*/
rm -f "$DIR"/pyrofs_* "$DIR"/pyrofs-dbgsym_*
mkdir -p "$src"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# --ignore-failed-read: a file deleted but not yet committed.
	git -C "$REPO" ls-files -z --cached --others --exclude-standard |
		tar -C "$REPO" --null -T - --ignore-failed-read -cf - 2>/dev/null |
		tar -C "$src" -xf -
else
	tar -C "$REPO" --exclude='./out*' --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

# A make above us (make deb) exports its command-line variables (O=, SAN=,
# WERROR=) in MAKEFLAGS: they must not reach debian/rules' own make.
case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc 2>/dev/null || echo 1)" ;;
esac
export DEB_BUILD_OPTIONS
echo "build-deb: dpkg-buildpackage -us -uc -b in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	dpkg-buildpackage -us -uc -b >"$DIR/build.log" 2>&1) || {
	tail -40 "$DIR/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed; the whole log: $DIR/build.log" >&2
	exit 1
}
[ -f "$deb" ] || { echo "build-deb: $deb was not built" >&2; exit 1; }

changes=$DIR/pyrofs_${version}_$arch.changes
echo "build-deb: lintian $changes"
# (Its advice against running as root is not a finding about the package.)
lintian --fail-on error,warning "$changes" 2> >(grep -v '^running with root privileges' >&2)
echo "$deb"

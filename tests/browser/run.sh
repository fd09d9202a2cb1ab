#!/usr/bin/env bash
# Browser test of flame.svg and icicle.svg: what a person sees in Chromium.
#
#   tests/browser/run.sh [OUT_DIR]        OUT_DIR holds pyrofs (default out)
#
# 1. corpus-xml.sh: every sample type of every corpus profile renders a
#    flame.svg and icicle.svg that xmllint accepts (skipped without corpus).
# 2. flame.test.js in headless Debian Chromium, driven by playwright-core
#    (tests/browser/package.json; `npm ci` here when node_modules is
#    missing): mounts a copy of demo/archive (plus the corpus's large.cpu as
#    service "large" when present) with `pyrofs -f`, opens the files through
#    file://, and checks loading without console errors or fetches, zoom,
#    hover, search, the case toggle, URL state after a reload, the static
#    picture without JavaScript, for api/cpu (flame and icicle) and
#    leaky/inuse_space.  Screenshots go to OUT_DIR/browser-artifacts/.
#    Load times are printed as figures, never asserted.
# 3. entry.test.js on the same mount: index.html from the root, every page
#    it links checked in the browser (no script error, no request outside
#    the mount, no broken link), a service named `x<&"y` (a copy of api's
#    cpu profiles) shown exactly, and the links followed by clicking down to
#    a flame graph and a timeline.  Screenshots entry-*.png.
#
# Ends with "browser: N passed, M failed" (", 1 skipped" when the browser
# part cannot run: no /usr/bin/chromium, node or usable /dev/fuse; install
# with scripts/install-deps.sh --browser).  Exit status 0 unless a check
# failed.  Every path unmounts.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CORPUS=${PYRO_CORPUS:-$REPO/../shared/corpus}
CHROMIUM=${PYRO_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$OUT/pyrofs" ] || [ ! -x "$OUT/pyrofs-cat" ]; then
	echo "browser: $OUT/pyrofs not built (run make first)" >&2
	exit 2
fi
OUT=$(cd "$OUT" && pwd)
PYROFS=$OUT/pyrofs
ARTIFACTS=$OUT/browser-artifacts
mkdir -p "$ARTIFACTS"

# Counting, mounting, unmounting on exit: tests/integration/lib.sh.  The
# corpus part needs no FUSE, so the suite starts with it_init, not it_begin.
. "$HERE/../integration/lib.sh"
it_init browser
STDERR_ALARM='AddressSanitizer|runtime error|ERROR'

# ---- 1. every corpus profile is valid XML -------------------------------
if "$HERE/corpus-xml.sh" "$OUT" "$CORPUS/profiles"; then
	ok
else
	case $? in
	77) ;;                  # no corpus or no xmllint: said so, not a check
	*) bad "corpus-xml.sh" ;;
	esac
fi

# ---- 2. the browser -------------------------------------------------------
why=
if [ ! -x "$CHROMIUM" ]; then
	why="no $CHROMIUM (scripts/install-deps.sh --browser)"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	why="no node/npm (scripts/install-deps.sh --browser)"
elif ! fuse_usable; then
	why="/dev/fuse or fusermount3 unusable here"
fi
if [ -n "$why" ]; then
	echo "browser: SKIP: $why"
	skip=1
	it_end
	exit
fi

if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
	echo "browser: npm ci (playwright-core, no browser download)"
	if ! (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	      npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
		bad "npm ci in $HERE"
		it_abort
	fi
fi

cp -r "$REPO/demo/archive" "$ARCHIVE"
LARGE=$CORPUS/profiles/pprof/testdata/large.cpu.pb.gz
if [ -f "$LARGE" ]; then
	mkdir -p "$ARCHIVE/large"
	cp "$LARGE" "$ARCHIVE/large/"
fi
HOSTILE='x<&"y'
mkdir "$ARCHIVE/$HOSTILE"
cp "$ARCHIVE"/api/cpu-*.pb.gz "$ARCHIVE/$HOSTILE/"
mount_fg || it_abort

# run_js SCRIPT ARGS...: its "ok"/"FAIL" lines counted here.
run_js() {
	local js=$1 rc n_ok n_bad
	shift
	node "$HERE/$js" "$@" | tee "$TMP/node.log"
	rc=${PIPESTATUS[0]}
	n_ok=$(grep -c '^ok ' "$TMP/node.log")
	n_bad=$(grep -c '^FAIL ' "$TMP/node.log")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	if [ "$rc" -ne 0 ] && [ "$n_bad" -eq 0 ]; then
		bad "$js exited $rc"
	fi
}
run_js flame.test.js "$MNT" "$ARTIFACTS" "$CHROMIUM"
run_js entry.test.js "$MNT" "$ARTIFACTS" "$CHROMIUM" "$HOSTILE"

unmount
check_stderr "browser mount"
echo "browser: screenshots in $ARTIFACTS"
it_end

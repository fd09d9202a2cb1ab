#!/usr/bin/env bash
# Desktop test: a real file manager (PCManFM) on a mounted demo archive,
# under Xvfb.  Not part of `make test`: `make desktop-test` installs what it
# needs (scripts/install-deps.sh --desktop) and runs it.
#
#   tests/desktop/run.sh [OUT_DIR]      OUT_DIR holds pyrofs
#
# What it measures, from the daemon's own FUSE debug log (pyrofs -d):
#   - which files of a node directory the file manager looked up, opened
#     and read, and so which ones pyrofs rendered (a file is rendered on its
#     first lookup or stat, for its exact size, then cached);
#   - how long from starting PCManFM on MOUNT/api/cpu/latest until its
#     window showed, and until the last request of the burst (the directory
#     listed, every icon and thumbnail done);
#   - that negative lookups (.hidden, .Trash-0, autorun.inf, ...) answer
#     ENOENT without rendering anything, and that the kernel remembers them
#     (pyrofs sets negative_timeout=1): a second stat within the second
#     sends no request.
#   - that a thumbnail of flame.svg shows a flame graph, not a thin strip.
#     PCManFM keeps its thumbnails in memory (nothing reaches the cache on
#     disk), so the file is thumbnailed again, from the mount, by the
#     desktop's SVG thumbnailer (gdk-pixbuf-thumbnailer: librsvg, no
#     script, as PCManFM's own loader), at 128 px: at least 40% as tall as
#     wide, and frames covering a tenth of the square it is shown in (the
#     thin strip of before covered 7%).  The thumbnails and the screenshots, where
#     PCManFM's own show, are kept.
# It saves a screenshot and the report under OUT_DIR/desktop-artifacts/
# and fails when a check fails.  Exits 77 (skip) when FUSE, Xvfb or PCManFM
# is unavailable.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYROFS=$(cd "$OUT" && pwd)/pyrofs
ART=$(cd "$OUT" && pwd)/desktop-artifacts
NODE=api/cpu/latest

. "$HERE/../integration/lib.sh"
it_begin desktop
for tool in Xvfb pcmanfm import identify convert xdotool gdk-pixbuf-thumbnailer; do
	if ! command -v $tool >/dev/null; then
		echo "desktop: SKIP: $tool missing (scripts/install-deps.sh --desktop)"
		exit 77
	fi
done

mkdir -p "$TMP/home" "$ART"
cp -r "$REPO/demo/archive" "$ARCHIVE"
XVFB_PID= FM_PID=
# Before lib.sh unmounts: the file manager and the X server.
it_on_exit() {
	[ -n "$FM_PID" ] && kill "$FM_PID" 2>/dev/null
	[ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
}

now() { date +%s.%N; }
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# A private home: fresh PCManFM settings and thumbnail cache, so every run
# starts cold; the daemon's index cache stays out of the real home too.
export HOME=$TMP/home XDG_CACHE_HOME=$TMP/home/.cache XDG_CONFIG_HOME=$TMP/home/.config
export XDG_RUNTIME_DIR=$TMP/run NO_AT_BRIDGE=1
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# ---- the mount, with every FUSE request logged (-d: its stderr) ------------
STDERR_ALARM='AddressSanitizer|runtime error|ERROR'
mount_fg -d || it_abort
LOG=$STDERR

# ---- the X server and the file manager --------------------------------------
DISP=:$((90 + RANDOM % 9))
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY=$DISP
for _ in $(seq 1 100); do
	xdotool getdisplaygeometry >/dev/null 2>&1 && break
	sleep 0.05
done

files_re='/(top\.txt|folded|flame\.svg|icicle\.svg|tree\.txt|profile\.pb\.gz)$'
series_re='/(timeline\.txt|timeline\.svg|growth\.txt)$'

# Per path: the requests of a log excerpt.  The high-level FUSE debug log
# names the path of every LOOKUP, getattr, open, opendir, getxattr; reads
# name the open file handle.
summary() {
	awk '
	/^LOOKUP \//                 { lookup[$2]++ }
	/^getattr\[/                 { getattr[$2]++ }
	/^open flags: /              { open[$4]++ }
	/^   open\[/                 { fh = $1; sub(/.*\[/, "", fh); sub(/\].*/, "", fh); path[fh] = $4 }
	/^read\[/                    { fh = $1; sub(/.*\[/, "", fh); sub(/\].*/, "", fh); reads[path[fh]]++ }
	/^   read\[.* bytes from/    { fh = $1; sub(/.*\[/, "", fh); sub(/\].*/, "", fh); bytes[path[fh]] += $2 }
	/^getxattr /                 { getxattr[$2]++ }
	END {
		for (p in lookup) seen[p] = 1
		for (p in getattr) seen[p] = 1
		for (p in open) seen[p] = 1
		for (p in getxattr) seen[p] = 1
		for (p in seen)
			printf "%-58s lookup %d getattr %d open %d read %d (%d bytes) getxattr %d\n",
			       p, lookup[p], getattr[p], open[p], reads[p], bytes[p], getxattr[p]
	}' "$1" | sort
}

# browse TAG DIR: show DIR in a PCManFM window (the first call starts
# PCManFM, later ones open a window in the running instance), wait for the
# burst of requests to end (the log quiet for 1.5 s), take a screenshot and
# write OUT/desktop-artifacts/TAG.{png,txt}.  Sets T_WINDOW, T_LAST (ms),
# SUMMARY (file).  Every kernel cache entry has expired before (sleep 1.1 s:
# entry and attribute timeouts are 1 s), so each view starts cold.
browse() {
	local tag=$1 dir=$2 before cur last quiet=0 t0 win=
	sleep 1.1
	before=$(wc -l <"$LOG")
	t0=$(now)
	if [ -z "$FM_PID" ]; then
		# No session bus: PCManFM runs without one, and a dbus-launch
		# would outlive the test.
		DBUS_SESSION_BUS_ADDRESS=disabled: pcmanfm --no-desktop "$dir" \
			>"$TMP/fm.log" 2>&1 &
		FM_PID=$!
	else
		DBUS_SESSION_BUS_ADDRESS=disabled: pcmanfm --no-desktop "$dir" \
			>>"$TMP/fm.log" 2>&1 &
	fi
	for _ in $(seq 1 400); do
		win=$(xdotool search --onlyvisible --name "^$(basename "$dir")\$" 2>/dev/null | tail -1)
		[ -n "$win" ] && break
		sleep 0.025
	done
	T_WINDOW=$(ms_since "$t0")
	check "$tag: PCManFM window appeared" [ -n "$win" ]
	# T_LAST: when the log last grew, to the 50 ms poll (the window
	# time if everything came before the window showed).
	last=$(wc -l <"$LOG")
	T_LAST=0
	[ "$last" -gt "$before" ] && T_LAST=$T_WINDOW
	for _ in $(seq 1 600); do
		sleep 0.05
		cur=$(wc -l <"$LOG")
		if [ "$cur" = "$last" ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 30 ] && break
		else
			quiet=0 last=$cur T_LAST=$(ms_since "$t0")
		fi
	done
	[ -n "$win" ] && xdotool windowactivate --sync "$win" >/dev/null 2>&1
	import -window root "$ART/$tag.png"
	check "$tag: screenshot saved" [ -s "$ART/$tag.png" ]
	tail -n +"$((before + 1))" "$LOG" >"$TMP/$tag.log"
	cp "$TMP/$tag.log" "$ART/$tag-fuse.log"
	SUMMARY=$TMP/$tag.summary
	summary "$TMP/$tag.log" >"$SUMMARY"
	{
		echo "# PCManFM on MOUNT/${dir#"$MNT"/}, cold"
		echo "window shown after:         ${T_WINDOW} ms"
		echo "last FUSE request after:    ${T_LAST} ms"
		echo "FUSE requests:              $(grep -c '^unique: .*opcode' "$TMP/$tag.log")"
		echo "rendered files looked up:   $(awk '{ print $1 }' "$SUMMARY" | grep -Ec "$files_re|$series_re")"
		echo "rendered files read:        $(awk '$9 > 0 { print $1 }' "$SUMMARY" | grep -E "$files_re|$series_re" | sed 's|.*/||' | paste -sd' ')"
		echo "absent names looked up:     $(awk '{ print $1 }' "$SUMMARY" | grep -E '/\.[^/]*$|/autorun\.inf$|/desktop\.ini$' | sed 's|.*/||' | paste -sd' ')"
		echo
		echo "# per path"
		cat "$SUMMARY"
	} >"$ART/$tag.txt"
	cat "$ART/$tag.txt"
	echo
}

# 1. A time node: six rendered files, two of them SVG (thumbnails).
browse node "$MNT/$NODE"
check "node: every file of the node looked up" \
	[ "$(awk '{ print $1 }' "$SUMMARY" | grep -Ec "$files_re")" = 6 ]

# 2. A type directory: its time directories and series files.  Listing it
# must not render anything inside the time directories.
browse type "$MNT/api/cpu"
check "type: nothing below a time directory rendered" \
	[ "$(awk '{ print $1 }' "$SUMMARY" | grep -Ec "$files_re")" = 0 ]

# thumb TAG FILE: FILE thumbnailed as a file manager does, kept as
# OUT/desktop-artifacts/TAG-thumb.png and checked.
thumb() {
	local tag=$1 file=$2 out=$ART/$1-thumb.png size w h frames
	rm -f "$out"
	gdk-pixbuf-thumbnailer -s 128 "$file" "$out" 2>"$TMP/thumb.err"
	check "$tag: thumbnail made" [ -s "$out" ]
	[ -s "$out" ] || { cat "$TMP/thumb.err"; return 0; }
	size=$(identify -format '%w %h' "$out")
	w=${size% *} h=${size#* }
	# Pixels that are not the background gradient (#eeeeee at the top to
	# #eeeeb0 at the bottom, flame.c): frames and text.  Counted against
	# the square a file manager shows the thumbnail in (w x w), since a
	# thin strip covers little of it however full the strip is.
	frames=$(convert "$out" -alpha off -depth 8 txt:- | awk -F'[(),: ]+' -v w="$w" -v h="$h" '
		NR > 1 {
			t = (($2 + 0.5) / h - 0.05) / 0.9
			t = t < 0 ? 0 : t > 1 ? 1 : t
			d = abs($3 - 238) + abs($4 - 238) + abs($5 - (238 - t * 62))
			f += d > 48
		}
		function abs(v) { return v < 0 ? -v : v }
		END { printf "%.3f", f / (w * w) }')
	echo "$tag thumbnail: ${w}x${h} px, frames and text cover $frames of its square"
	check "$tag: thumbnail is not a thin strip (${w}x${h})" [ $((h * 10)) -ge $((w * 4)) ]
	check "$tag: thumbnail shows frames ($frames of its square, want >= 0.10)" \
		awk -v f="$frames" 'BEGIN { exit !(f >= 0.10) }'
}
thumb node-flame "$MNT/$NODE/flame.svg"

# 3. A shallow memory profile: its thumbnail was "a thin green line".
browse leaky "$MNT/leaky/inuse_space/latest"
thumb leaky-flame "$MNT/leaky/inuse_space/latest/flame.svg"

# ---- negative lookups: cheap, and cached by the kernel ---------------------------
node_dir=$(dirname "$MNT/$NODE")/$(readlink "$MNT/$NODE")
neg_ok=1 neg_report=
for name in .hidden .Trash-0 .Trash autorun.inf .directory desktop.ini; do
	before=$(wc -l <"$LOG")
	# Two stats in the node directory and two at the root, timed in one
	# process: the first of each pair is a FUSE round trip, the second
	# must come from the kernel's negative cache.
	times=$(python3 - "$node_dir/$name" "$MNT/$name" <<'EOF'
import os, sys, time
out = []
for path in sys.argv[1:]:
    for _ in range(2):
        t = time.perf_counter()
        try:
            os.stat(path)
            out.append("EXISTS")
        except FileNotFoundError:
            out.append("%.3f" % ((time.perf_counter() - t) * 1000))
print(" ".join(out))
EOF
)
	case $times in *EXISTS*) neg_ok=0 ;; esac
	tail -n +"$((before + 1))" "$LOG" >"$TMP/neg.log"
	lookups=$(grep -c "^LOOKUP .*/$name\$" "$TMP/neg.log")
	# Resolving an absent name renders nothing: no getattr, open or read
	# of any rendered file in between.
	renders=$(grep -Ec "^(getattr\[|open flags).*$files_re" "$TMP/neg.log")
	[ "$lookups" = 2 ] && [ "$renders" = 0 ] || neg_ok=0
	neg_report="$neg_report
$(printf '%-12s %s FUSE lookups for 4 stats; stat ms: %s' "$name" "$lookups" "$times")"
done
check "negative lookups: ENOENT, nothing rendered, second stat from the kernel" [ $neg_ok = 1 ]

# Wait 1.2 s: the kernel forgets, the next stat asks again.
before=$(wc -l <"$LOG")
sleep 1.2
stat "$node_dir/.hidden" >/dev/null 2>&1
check "negative entries expire after negative_timeout" \
	[ "$(tail -n +"$((before + 1))" "$LOG" | grep -c '^LOOKUP .*/\.hidden$')" = 1 ]

{
	echo "# negative lookups: node dir twice, mount root twice (ms per stat)"
	echo "$neg_report" | sed '/^$/d'
} >"$ART/negative.txt"
cat "$ART/negative.txt"

# ---- the mount's own entry page, as a user opens it from the root ----------------
# The root as the file manager shows it, then index.html in Chromium on the
# same display (what a double-click hands to the browser): the window shows
# the page's title, and the screenshot is not blank.
browse root "$MNT"
if [ -x /usr/bin/chromium ]; then
	/usr/bin/chromium --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TMP/chromium" --window-size=1200,800 \
		"file://$MNT/index.html" >"$TMP/chromium.log" 2>&1 &
	BROWSER_PID=$!
	win=
	for _ in $(seq 1 600); do
		win=$(xdotool search --onlyvisible --name 'pyrofs' 2>/dev/null | tail -1)
		[ -n "$win" ] && break
		sleep 0.05
	done
	check "index.html: a browser window titled by the page" [ -n "$win" ]
	sleep 2         # let it paint
	import -window root "$ART/index-html.png"
	sd=$(convert "$ART/index-html.png" -colorspace Gray -format '%[fx:standard_deviation]' info: 2>/dev/null)
	check "index.html: screenshot is not blank (sd ${sd:-none})" \
		awk -v v="${sd:-0}" 'BEGIN { exit !(v > 0.02) }'
	kill "$BROWSER_PID" 2>/dev/null
	wait "$BROWSER_PID" 2>/dev/null
else
	echo "desktop: SKIP index.html in a browser: no /usr/bin/chromium"
fi

check "PCManFM is still running" kill -0 "$FM_PID"
kill "$FM_PID" 2>/dev/null
wait "$FM_PID" 2>/dev/null
FM_PID=
unmount
check_eq "daemon exits 0" 0 "$DAEMON_RC"
check_stderr "desktop mount (FUSE debug log)"

echo "desktop: screenshots and reports in $ART/"
it_end

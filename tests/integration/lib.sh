# lib.sh - what every mount suite shares; source it after setting PYROFS.
# Used by tests/integration/*.sh, tests/stress, tests/conformance,
# tests/browser and tests/desktop, so that mounting, readiness, unmounting on
# exit, the daemon's stderr and the closing line work the same everywhere.
#
#   . "$(dirname "$0")/lib.sh"       (or .../integration/lib.sh)
#   it_begin NAME              skip (exit 77) unless FUSE is usable, then
#                              it_init NAME
#   it_init NAME               make $TMP, $ARCHIVE (not created) and $MNT,
#                              point XDG_CACHE_HOME (the index cache) into
#                              $TMP, and on exit call it_on_exit (when the
#                              suite defines it), unmount, remove $TMP
#   fuse_usable                0 when /dev/fuse and fusermount3 work here
#   mount_fg [OPTIONS...]      start "$PYROFS -f OPTIONS $ARCHIVE $MNT" with
#                              its stderr in $STDERR ($TMP/stderr, emptied
#                              per mount), and wait until the mount answers
#                              (a readiness wait of at most $MOUNT_WAIT
#                              seconds, no timing asserted).  Several mounts
#                              one after the other: set ARCHIVE (and MNT)
#                              before each, unmount after it
#   unmount                    fusermount3 -u (even after a daemon died),
#                              then $DAEMON_RC = the daemon's exit code
#   ok / bad MSG / check NAME CMD... / check_eq NAME EXPECTED ACTUAL
#   stderr_alarm               0 when $STDERR holds a sanitizer report or an
#                              error: ERE $STDERR_ALARM, case-insensitive
#                              when STDERR_ICASE=1
#   check_stderr WHAT          a check that stderr_alarm finds nothing
#   it_abort                   the closing line now, and exit 1
#   it_end                     "NAME: N passed, N failed" (", N skipped"
#                              when $skip > 0); its exit status

# Any UBSan report is fatal (the SAN=1 build also has -fno-sanitize-recover)
# and lands in the scanned stderr with its stack.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

pass=0
fail=0
skip=0
MOUNT_WAIT=${MOUNT_WAIT:-20}
STDERR_ALARM=${STDERR_ALARM:-'Sanitizer|runtime error|ERROR|fuse: '}
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { # check NAME COMMAND...: the command must succeed
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}
check_eq() { # check_eq NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		ok
	else
		bad "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20 | cut -c1-300 >&2
	fi
}

fuse_usable() {
	command -v fusermount3 >/dev/null && (exec 3<>/dev/fuse) 2>/dev/null
}

it_begin() {
	IT_NAME=$1
	if ! fuse_usable; then
		echo "$IT_NAME: SKIP: /dev/fuse or fusermount3 unusable here"
		exit 77
	fi
	it_init "$1"
}

it_init() {
	IT_NAME=$1
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/pyrofs-$IT_NAME.XXXXXX") || exit 2
	ARCHIVE=$TMP/archive
	MNT=$TMP/mnt
	STDERR=$TMP/stderr
	DAEMON_PID=
	DAEMON_RC=
	mkdir -p "$MNT"
	export XDG_CACHE_HOME=$TMP/cache
	trap it_cleanup EXIT
	trap 'exit 130' INT TERM
}

# A daemon that died leaves its mount behind ("Transport endpoint is not
# connected"): /proc/self/mountinfo, not mountpoint(1) alone, says so.
is_mounted() {
	awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo 2>/dev/null ||
		mountpoint -q "$1" 2>/dev/null
}

unmount() {
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -u -z "$MNT"
	fi
	if [ -n "$DAEMON_PID" ]; then
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_RC=$?
		DAEMON_PID=
	fi
}

it_cleanup() {
	declare -F it_on_exit >/dev/null && it_on_exit
	unmount
	rm -rf "$TMP"
}

mount_fg() {
	local i
	STDERR=$TMP/stderr
	: >"$STDERR"
	"$PYROFS" -f "$@" "$ARCHIVE" "$MNT" 2>>"$STDERR" &
	DAEMON_PID=$!
	for ((i = 0; i < MOUNT_WAIT * 20; i++)); do
		# Not .pyrofs/errors: its problems need every service indexed,
		# and a mount indexes each service when first looked into.
		[ -d "$MNT/.pyrofs" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	bad "mount of $ARCHIVE did not come up: $(head -5 "$STDERR")"
	unmount
	return 1
}

stderr_alarm() {
	local flags=-Eq
	[ "${STDERR_ICASE:-0}" = 1 ] && flags=-Eqi
	grep "$flags" -- "$STDERR_ALARM" "$STDERR"
}

check_stderr() {
	if stderr_alarm; then
		bad "daemon stderr ($1):"
		head -30 "$STDERR" >&2
	else
		ok
	fi
}

it_end() {
	if [ "$skip" -gt 0 ]; then
		echo "$IT_NAME: $pass passed, $fail failed, $skip skipped"
	else
		echo "$IT_NAME: $pass passed, $fail failed"
	fi
	[ "$fail" -eq 0 ]
}

it_abort() {
	it_end
	exit 1
}

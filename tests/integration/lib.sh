# lib.sh - what every mount test shares; source it after setting PYROFS.
#
#   . "$(dirname "$0")/lib.sh"
#   it_begin NAME              skip (exit 77) unless FUSE is usable, make
#                              $TMP, $ARCHIVE (not created) and $MNT, and
#                              unmount + remove everything on exit
#   mount_fg [OPTIONS...]      start "$PYROFS -f" on $ARCHIVE $MNT, stderr to
#                              $TMP/stderr, and wait until the mount answers
#                              (a readiness wait, no timing asserted)
#   unmount                    fusermount3 -u, then $DAEMON_RC = exit code
#   ok / bad MSG / check NAME CMD... / check_eq NAME EXPECTED ACTUAL
#   check_stderr WHAT          no sanitizer report or error in the stderr
#   it_end                     "NAME: N passed, N failed"; its exit status

# Any UBSan report is fatal (the SAN=1 build also has -fno-sanitize-recover)
# and lands in the scanned stderr with its stack.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

pass=0
fail=0
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
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20 >&2
	fi
}

it_begin() {
	IT_NAME=$1
	if ! command -v fusermount3 >/dev/null || ! (exec 3<>/dev/fuse) 2>/dev/null; then
		echo "$IT_NAME: SKIP: /dev/fuse or fusermount3 unusable here"
		exit 77
	fi
	TMP=$(mktemp -d "/tmp/pyrofs-$IT_NAME.XXXXXX")
	ARCHIVE=$TMP/archive
	MNT=$TMP/mnt
	DAEMON_PID=
	DAEMON_RC=
	mkdir -p "$MNT"
	trap it_cleanup EXIT
}

unmount() {
	if mountpoint -q "$MNT" 2>/dev/null; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -u -z "$MNT"
	fi
	if [ -n "$DAEMON_PID" ]; then
		wait "$DAEMON_PID"
		DAEMON_RC=$?
		DAEMON_PID=
	fi
}

it_cleanup() {
	unmount
	rm -rf "$TMP"
}

mount_fg() {
	: >"$TMP/stderr"
	"$PYROFS" -f "$@" "$ARCHIVE" "$MNT" 2>>"$TMP/stderr" &
	DAEMON_PID=$!
	for _ in $(seq 1 200); do
		[ -e "$MNT/.pyrofs/errors" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	bad "mount did not come up: $(cat "$TMP/stderr")"
	return 1
}

check_stderr() {
	if grep -Eq 'Sanitizer|runtime error|ERROR|fuse: ' "$TMP/stderr"; then
		bad "daemon stderr ($1):"
		head -30 "$TMP/stderr" >&2
	else
		ok
	fi
}

it_end() {
	echo "$IT_NAME: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

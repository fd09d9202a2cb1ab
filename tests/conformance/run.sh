#!/usr/bin/env bash
# shellcheck disable=SC2010,SC2012,SC2015,SC2059,SC2086  # names are the corpus's own
# Conformance: top.txt and folded of every real profile we have, compared
# with what pprof says about them (the corpus goldens), through a real mount.
#
#   tests/conformance/run.sh [OUT_DIR]     OUT_DIR holds pyrofs (default out)
#
# The corpus lives outside the repository: ${PYRO_CORPUS:-<repo>/../shared/corpus}
# (its README.md describes profiles/ and golden/).  Without it the suite
# fails (exit 1) under CI=true or PYRO_REQUIRE_CORPUS=1 (make check sets it),
# else says SKIP and exits 0; without a usable /dev/fuse it exits 77.
#
# Three mounts, daemon in the foreground with its stderr captured:
#   A  every profile of profiles/pprof and profiles/pyroscope as a service of
#      its own (named after its corpus path, '/' -> '__', holding the file
#      under its original base name), plus profiles/bad as service "bad":
#      latest/{top.txt,folded} of every sample type against the goldens,
#      type directory names against expected-types.tsv, /.pyrofs/errors;
#      latest/{top-cum.txt,traces.txt,graph.dot} against what `go tool
#      pprof` (Go 1.19 here) prints now for -top -cum, -traces and -dot
#      (see check_views for the normalising: Time: layout, hidden labels).
#   B  profiles/go-runtime as is, -o merge=pprof: every snapshot against its
#      goldens (and the three views against pprof, as in A), all/ against
#      the <kind>-ALL goldens (pprof's plain sum).
#   C  profiles/go-runtime as is, default merge rules: all/ of cumulative
#      types equals latest, of rate types the pprof sum, of gauges the
#      per-stack mean of the five snapshot goldens (computed here).
#   D  a few profiles against the `go tool pprof` found here (no goldens):
#      focus=, ignore=, hide=, show=, show_from= and nested filters'
#      top.txt against -focus ... with a handful of expressions each, and
#      functions/<name>/peek.txt and callees/top.txt against -peek and
#      -show_from '^name$' for some functions.  Go 1.19's pprof prints the
#      Time: line in an older layout than pyrofs's top.txt (today's
#      pprof), so that line is left out of both sides.  Without go the
#      section fails under CI=true or PYRO_REQUIRE_CORPUS=1, else SKIPs.
# Every mismatch prints profile, sample type, file and the first differing
# line; the run continues and ends with "conformance: N passed, M failed".
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CORPUS=${PYRO_CORPUS:-$REPO/../shared/corpus}
TYPES_TSV=$HERE/expected-types.tsv

if [ ! -d "$CORPUS/profiles" ] || [ ! -d "$CORPUS/golden" ]; then
	if [ "${CI:-}" = true ] || [ "${PYRO_REQUIRE_CORPUS:-}" = 1 ]; then
		echo "FAIL: conformance: corpus not found at $CORPUS (needs profiles/ and golden/; set PYRO_CORPUS)" >&2
		echo "conformance: 0 passed, 1 failed"
		exit 1
	fi
	echo "conformance: SKIP: corpus not found at $CORPUS (make check and CI fail here)"
	exit 0
fi
CORPUS=$(cd "$CORPUS" && pwd)
PROF=$CORPUS/profiles
GOLD=$CORPUS/golden
if [ ! -x "$OUT/pyrofs" ]; then
	echo "conformance: $OUT/pyrofs not built (run make first)" >&2
	exit 2
fi
PYROFS=$(cd "$OUT" && pwd)/pyrofs

# Mounting, unmounting on exit, the daemon's stderr: tests/integration/lib.sh.
# The temporary directory's path is never part of an archive-relative path,
# so its name cannot influence type naming (mutex/block).
. "$HERE/../integration/lib.sh"
it_begin conformance
mkdir -p "$TMP/got"
STDERR_ALARM='sanitizer|runtime error|error|warning|fuse: |pyrofs: |==[0-9]+=='
STDERR_ICASE=1

# ---- bookkeeping ---------------------------------------------------------
# Categories of the breakdown, in print order.
CATS="top folded folded_sha256 folded_wellformed merge_pprof_top merge_pprof_folded
merge_auto_top merge_auto_folded top_cum traces graph_dot types bad foreign filters peek callees stderr"
declare -A P F
for c in $CATS; do P[$c]=0; F[$c]=0; done
ok() { P[$1]=$((P[$1] + 1)); }
fail() { # fail CATEGORY MESSAGE...
	local c=$1
	shift
	F[$c]=$((F[$c] + 1))
	printf 'FAIL: %s\n' "$*"
}

# show_lines EXPECTED GOT LINE: line LINE of both files, made visible; a
# long line is cut to 200 bytes around the first byte where the two differ.
show_lines() {
	awk -v want="$3" -v g="$2" '
	function get(file,    l, i) {
		for (i = 1; i <= want; i++)
			if ((getline l < file) <= 0)
				return "\001EOF"
		return l
	}
	function cut(l, c) {
		if (l == "\001EOF")
			return "<end of file>"
		if (length(l) <= 200)
			return l
		if (c > 80)
			return "..." substr(l, c - 60, 200) (length(l) > c + 139 ? "..." : "")
		return substr(l, 1, 200) "..."
	}
	BEGIN {
		e = get(ARGV[1]); o = get(g)
		for (c = 1; c <= length(e) && substr(e, c, 1) == substr(o, c, 1); c++)
			;
		printf "    expected: %s\n    got:      %s\n", cut(e, c), cut(o, c)
	}' "$1" | cat -v
}

# compare CATEGORY LABEL EXPECTED GOT: byte for byte; on a mismatch print the
# first differing line of both.
compare() {
	local cat=$1 label=$2 exp=$3 got=$4 msg byte line
	if cmp -s -- "$exp" "$got"; then
		ok "$cat"
		return 0
	fi
	msg=$(cmp -- "$exp" "$got" 2>&1)
	# "A B differ: byte|char N, line L", "EOF on B after byte N, ...",
	# "EOF on B which is empty": N is where they part.
	case $msg in
	*" differ: "*) byte=$(printf '%s' "$msg" | sed -n 's/.* differ: [a-z]* \([0-9]*\).*/\1/p') ;;
	*"after byte "*) byte=$(printf '%s' "$msg" | sed -n 's/.*after byte \([0-9]*\).*/\1/p'); byte=$((byte + 1)) ;;
	*) byte=1 ;;
	esac
	[ -n "$byte" ] || byte=1
	line=$(($(head -c $((byte - 1)) -- "$exp" | tr -dc '\n' | wc -c) + 1))
	fail "$cat" "$label: line $line differs (expected $(wc -c <"$exp") bytes, got $(wc -c <"$got"))"
	show_lines "$exp" "$got" "$line"
	return 1
}

# read_node FILE DEST: copy a file of the mount; 1 (and a message) on error.
read_node() {
	timeout 120 cat -- "$1" >"$2" 2>"$TMP/read.err" && return 0
	READ_ERR=$(tr '\n' ' ' <"$TMP/read.err")
	[ -n "$READ_ERR" ] || READ_ERR="read failed"
	return 1
}

# type_of TOPFILE: the sample type named by a top.txt header.
type_of() {
	head -n 12 -- "$1" | sed -n 's/^Type: //p' | head -n 1
}

# without_merge IN OUT: drop the first "Merge: " line (there must be one);
# MERGE_LINE gets it.
without_merge() {
	MERGE_LINE=$(grep -m 1 '^Merge: ' -- "$1")
	awk '!done && /^Merge: / { done = 1; next } { print }' "$1" >"$2"
	[ -n "$MERGE_LINE" ]
}

# Folded goldens over 2 MB: path -> sha256.
declare -A SKIP_SHA
while IFS=$'\t' read -r path _ sha; do
	[ -n "$path" ] && SKIP_SHA[$path]=$sha
done <"$GOLD/SKIPPED.tsv"

# expected-types.tsv: profile path -> sorted type directory names.
declare -A TYPES
while IFS=$'\t' read -r path names; do
	case $path in '' | '#'*) continue ;; esac
	TYPES[$path]=$names
done <"$TYPES_TSV"

# check_stderr LABEL: after unmounting, the daemon said nothing alarming.
check_stderr() {
	if stderr_alarm; then
		fail stderr "daemon stderr ($1):"
		head -n 40 "$STDERR" | sed 's/^/    /'
	else
		ok stderr
		[ -s "$STDERR" ] && sed 's/^/    note: daemon stderr: /' "$STDERR"
	fi
}

# ---- the views pprof computes on the spot (no corpus golden) -------------
# PPROF (default `go tool pprof`) is run on the profile file VIEW_SRC with
# -sample_index=T.  Normalising, both sides: the Time: line (older pprof,
# as Go 1.19's, prints "Oct 18, 2022 at 3:39pm (UTC)"; top.txt's Time: is
# checked against the goldens above, and every view prints it with the same
# code).  graph.dot: pprof runs with -taghide=. (stacks carry no labels, so
# pyrofs draws none of pprof's label "nodelets") and the legend's line for
# that filter is removed.  traces.txt: pprof runs with -taghide=. too and
# its samples of value 0 are removed (traces.txt has no empty stacks);
# pyrofs prints each distinct stack once, so a profile whose samples repeat
# a stack (with different labels) is not comparable and counted apart.
PPROF=${PPROF:-go tool pprof}
VIEWS_UNCOMPARABLE=0
VIEWS_REORDERED=0
VIEWS_OFF=
if ! $PPROF -h >/dev/null 2>&1 && ! command -v go >/dev/null 2>&1; then
	if [ "${CI:-}" = true ] || [ "${PYRO_REQUIRE_CORPUS:-}" = 1 ]; then
		fail top_cum "no pprof ($PPROF) to compare top-cum.txt, traces.txt, graph.dot with"
	fi
	VIEWS_OFF=1
fi

# pprof_view VIEW T FILE OUT: what pprof prints, normalised.
pprof_view() {
	local view=$1 t=$2 src=$3 out=$4
	case $view in
	top-cum.txt) (cd "$TMP" && TZ=UTC $PPROF -top -cum -symbolize=none -sample_index="$t" "$src") ;;
	traces.txt) (cd "$TMP" && TZ=UTC $PPROF -traces -symbolize=none -taghide=. -sample_index="$t" "$src") ;;
	graph.dot) (cd "$TMP" && TZ=UTC $PPROF -dot -symbolize=none -taghide=. -sample_index="$t" "$src") |
		sed 's/Active filters:\\l   taghide=\.\\l//' ;;
	esac 2>"$TMP/pprof.err" | normalise_time "$view" >"$out"
}

normalise_time() {
	if [ "$1" = graph.dot ]; then
		sed 's/\\lTime: [^\\]*\\l/\\lTime: -\\l/'
	else
		sed 's/^Time: .*/Time: -/'
	fi
}

# drop_zero_traces: a -traces output without its samples of value 0
# (traces.txt leaves them out, as every file here leaves out stacks of 0).
drop_zero_traces() {
	awk '/^-----------\+/ { if (blk != "" && !zero) printf "%s", blk
			       blk = $0 "\n"; zero = 0; first = 1; next }
	     { if (first && $1 == "0") zero = 1
	       first = 0; blk = blk $0 "\n" }
	     END { printf "%s", blk }'
}

# traces_sorted FILE: the traces of a -traces output, one a line, sorted.
traces_sorted() {
	awk '/^-----------\+/ { if (st != "") print st; st = ""; next }
	     { st = st "|" $0 } END { if (st != "") print st }' "$1" | LC_ALL=C sort
}

# traces_repeat FILE: 0 if two samples of a -traces output have the same
# frames (the value column aside).
traces_repeat() {
	awk '/^-----------\+/ { if (st != "") n[st]++; st = ""; next }
	     { sub(/^ *[^ ]*   /, ""); st = st "\n" $0 }
	     END { for (k in n) if (n[k] > 1) exit 0; exit 1 }' "$1"
}

# check_views LABEL T NODEDIR: top-cum.txt, traces.txt, graph.dot of one
# (profile, sample type) against pprof on VIEW_SRC.
check_views() {
	local label=$1 t=$2 dir=$3 v cat
	[ -n "$VIEWS_OFF" ] && return 0
	for v in top-cum.txt traces.txt graph.dot; do
		case $v in top-cum.txt) cat=top_cum ;; traces.txt) cat=traces ;; *) cat=graph_dot ;; esac
		if ! read_node "$dir/$v" "$TMP/got/view.raw"; then
			fail $cat "$label $t $v: $READ_ERR"
			continue
		fi
		normalise_time $v <"$TMP/got/view.raw" >"$TMP/got/view"
		pprof_view $v "$t" "$VIEW_SRC" "$TMP/got/view.want"
		if [ -s "$TMP/pprof.err" ] && [ ! -s "$TMP/got/view.want" ]; then
			fail $cat "$label $t $v: pprof failed: $(head -n 1 "$TMP/pprof.err")"
			continue
		fi
		if [ $v = traces.txt ]; then
			# A stack seen twice (zero samples too: they fix where
			# pyrofs's one stack stands) is one stack here.
			if traces_repeat "$TMP/got/view.want"; then
				VIEWS_UNCOMPARABLE=$((VIEWS_UNCOMPARABLE + 1))
				continue
			fi
			drop_zero_traces <"$TMP/got/view.want" >"$TMP/got/view.nz"
			mv "$TMP/got/view.nz" "$TMP/got/view.want"
			# pprof merges samples of equal stack and labels into the
			# first, zero or not; pyrofs's stacks keep no zero sample,
			# so a stack first seen with 0 stands later: the same
			# traces in another order, counted apart.
			if ! cmp -s "$TMP/got/view.want" "$TMP/got/view" &&
			   [ "$(traces_sorted "$TMP/got/view.want")" = "$(traces_sorted "$TMP/got/view")" ]; then
				VIEWS_REORDERED=$((VIEWS_REORDERED + 1))
				echo "note: $label $t traces.txt: pprof's traces in another order (a stack first seen with value 0)"
				continue
			fi
		fi
		compare $cat "$label $t $v" "$TMP/got/view.want" "$TMP/got/view"
	done
}

# check_case LABEL GOLDENDIR T TOP FOLDED: one (profile, sample type).
check_case() {
	local label=$1 gdir=$2 t=$3 top=$4 folded=$5 rel sha got_sha
	compare top "$label $t top.txt" "$gdir/$t.top.txt" "$top"
	rel=${gdir#"$GOLD"/}/$t.folded
	if [ -f "$gdir/$t.folded" ]; then
		compare folded "$label $t folded" "$gdir/$t.folded" "$folded"
	elif [ -n "${SKIP_SHA[$rel]:-}" ]; then
		sha=${SKIP_SHA[$rel]}
		got_sha=$(sha256sum <"$folded")
		got_sha=${got_sha%% *}
		if [ "$sha" = "$got_sha" ]; then
			ok folded_sha256
		else
			fail folded_sha256 "$label $t folded (golden over 2 MB, by sha256): expected $sha, got $got_sha ($(wc -c <"$folded") bytes, $(wc -l <"$folded") lines)"
		fi
	elif [ -f "$gdir/$t.folded.ERROR.txt" ]; then
		NO_GOLDEN=$((NO_GOLDEN + 1))
		check_wellformed "$label $t folded (no golden)" "$folded" "$gdir/$t.top.txt"
	else
		fail folded "$label $t folded: no golden $rel in the corpus"
	fi
}
NO_GOLDEN=0

# check_wellformed LABEL FOLDED: every line "stack value", no raw control
# byte, and no name that could split a frame or a line (README: ';' and
# control bytes written \xNN).
check_wellformed() {
	local label=$1 f=$2 gtop=${3:-} bad n
	bad=$(grep -avnE '^.* -?[0-9]+$' "$f" | head -n 1)
	if [ -z "$bad" ]; then
		n=$(tr -dc '\000-\011\013-\037\177' <"$f" | wc -c)
		[ "$n" != 0 ] && bad="$n raw control bytes in names"
	fi
	if [ -z "$bad" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] && [ -s "$f" ]; then
		bad="no final newline"
	fi
	# A name holding every byte (og-pprof/invalid_utf8) must appear as one
	# frame, escaped exactly as README says.
	if [ -z "$bad" ] && [ -n "$gtop" ] && [ "$(tr -dc '\000' <"$gtop" | wc -c)" != 0 ]; then
		all_bytes_escaped >"$TMP/allbytes"
		if ! grep -aqF -f "$TMP/allbytes" "$f"; then
			bad="the name of bytes 0x00-0xff is not one frame escaped as \\xNN (';' -> \\x3b)"
		fi
	fi
	if [ -z "$bad" ]; then
		ok folded_wellformed
	else
		fail folded_wellformed "$label: $(printf '%s' "$bad" | cut -b1-240 | cat -v)"
	fi
}

# all_bytes_escaped: bytes 0x00-0xff as one folded frame name: ';' and
# control bytes (< 0x20, 0x7f) as \xNN, the rest raw.
all_bytes_escaped() {
	local i
	for ((i = 0; i < 256; i++)); do
		if ((i < 32 || i == 59 || i == 127)); then
			printf '\\x%02x' "$i"
		else
			printf "\\$(printf '%03o' "$i")"
		fi
	done
	printf '\n'
}

# ---- A: one service per profile ------------------------------------------
ARCH_A=$TMP/a
mkdir -p "$ARCH_A/bad"
mapfile -t PROFILES < <(cd "$PROF" && find -L pprof pyroscope -type f \
	! -name LICENSE ! -name 'README*' ! -name '*.md' ! -name '*.txt' \
	! -name '*.tsv' ! -name '*.json' | sort)
for p in "${PROFILES[@]}"; do
	svc=${p//\//__}
	mkdir -p "$ARCH_A/$svc"
	cp -- "$PROF/$p" "$ARCH_A/$svc/"
done
mapfile -t BADS < <(cd "$PROF/bad" && find -L . -type f ! -name 'README*' \
	! -name '*.md' ! -name '*.txt' | sed 's|^\./||' | sort)
for b in "${BADS[@]}"; do
	cp -- "$PROF/bad/$b" "$ARCH_A/bad/"
done
# Files pprof rejects but pyrofs reads as another profiler's format
# (model/format.h): the corpus files them under bad/ by pprof's verdict;
# here each is compared with that format's own reader instead (below).
FOREIGN=(dump1.jfr.gz)
mkdir -p "$ARCH_A/foreign"
for f in "${FOREIGN[@]}"; do
	[ -f "$PROF/bad/$f" ] || fail foreign "bad/$f: not in the corpus any more"
	mv -- "$ARCH_A/bad/$f" "$ARCH_A/foreign/"
	BADS=("${BADS[@]/$f}")
done
mapfile -t BADS < <(printf '%s\n' "${BADS[@]}" | grep -v '^$')

# check_foreign_jfr: bad/dump1.jfr.gz is async-profiler's JFR recording
# from Pyroscope's testdata, which pprof rejects.  Mounted, its `cpu` folded
# must equal the JDK's own reading of it (`jfr print`, summed into stacks by
# tests/tools/jfr_folded.py) at the sampling interval the recording states
# in its jdk.ActiveSetting events.  The JDK comes from install-deps.sh, so a
# missing `jfr` is a failure, not a skip.
check_foreign_jfr() {
	local rec=$TMP/dump1.jfr interval
	if ! command -v jfr >/dev/null; then
		fail foreign "jfr (openjdk-17-jdk-headless) is missing: scripts/install-deps.sh installs it"
		return
	fi
	gzip -dc -- "$PROF/bad/dump1.jfr.gz" >"$rec"
	interval=$(jfr print --events jdk.ActiveSetting "$rec" |
		awk '/name = "interval"/ { getline; gsub(/[^0-9]/, ""); print; exit }')
	if [ -z "$interval" ] ||
	   ! python3 "$REPO/tests/tools/jfr_folded.py" "$rec" jdk.ExecutionSample \
		"const:$interval" >"$TMP/jfr.exp"; then
		fail foreign "bad/dump1.jfr.gz: the JDK's reader failed on it"
	elif ! read_node "$MNT/foreign/cpu/latest/folded" "$TMP/jfr.got"; then
		fail foreign "bad/dump1.jfr.gz: cpu/latest/folded: $READ_ERR"
	elif cmp -s "$TMP/jfr.exp" "$TMP/jfr.got"; then
		ok foreign
		echo "conformance: bad/dump1.jfr.gz (async-profiler JFR): cpu folded = jfr print's, $(wc -l <"$TMP/jfr.got") stacks, interval $interval ns"
	else
		fail foreign "bad/dump1.jfr.gz: cpu folded differs from jfr print's"
		diff "$TMP/jfr.exp" "$TMP/jfr.got" | head -6
	fi
}

# type_dirs DIR: the type directories of service DIR, sorted, one a line
# (a service also holds index.html, summary.txt and their 0- links).
type_dirs() {
	find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>&1 | sort
}

# check_types LABEL DIR EXPECTED: sorted directory names of DIR.
check_types() {
	local got
	got=$(type_dirs "$2" | tr '\n' ' ')
	got=${got% }
	if [ "$got" = "$3" ]; then
		ok types
	else
		fail types "$1: type directories: expected \"$3\", got \"$got\""
	fi
}

# map_types LABEL GOLDENDIR TOPDIR_PATTERN DIRS...: find, for every sample
# type of GOLDENDIR, the type directory whose top.txt header names it; the
# top.txt read is kept in $TMP/got/<dir>.top.  Fills MAP[T]=dir.
declare -A MAP
map_types() {
	local label=$1 gdir=$2 sub=$3 d t g
	shift 3
	MAP=()
	for d in "$@"; do
		if ! read_node "$sub/$d/${SNAP}/top.txt" "$TMP/got/$d.top"; then
			fail top "$label: $d/$SNAP/top.txt: $READ_ERR"
			continue
		fi
		t=$(type_of "$TMP/got/$d.top")
		if [ -z "$t" ]; then
			fail top "$label: $d/$SNAP/top.txt has no Type: line"
		elif [ -n "${MAP[$t]:-}" ]; then
			fail top "$label: both $d and ${MAP[$t]} say Type: $t"
		else
			MAP[$t]=$d
		fi
	done
	for g in "$gdir"/*.top.txt; do
		t=${g##*/}
		t=${t%.top.txt}
		if [ -z "${MAP[$t]:-}" ]; then
			fail top "$label: no type directory says Type: $t"
			fail folded "$label: $t folded: no type directory"
		fi
	done
}

# check_profile LABEL GOLDENDIR SERVICEDIR SNAP TYPES: every sample type of
# one profile file, read at SERVICEDIR/<type>/SNAP.
check_profile() {
	local label=$1 gdir=$2 sdir=$3 t d g
	SNAP=$4
	# shellcheck disable=SC2086
	map_types "$label" "$gdir" "$sdir" $5
	for t in "${!MAP[@]}"; do
		[ -f "$gdir/$t.top.txt" ] ||
			fail top "$label: ${MAP[$t]} says Type: $t, which pprof does not show"
	done
	for g in "$gdir"/*.top.txt; do
		t=${g##*/}
		t=${t%.top.txt}
		d=${MAP[$t]:-}
		[ -n "$d" ] || continue
		if ! read_node "$sdir/$d/$SNAP/folded" "$TMP/got/$d.folded"; then
			compare top "$label $t top.txt" "$gdir/$t.top.txt" "$TMP/got/$d.top"
			fail folded "$label $t folded: $READ_ERR"
			continue
		fi
		check_case "$label" "$gdir" "$t" "$TMP/got/$d.top" "$TMP/got/$d.folded"
		check_views "$label" "$t" "$sdir/$d/$SNAP"
	done
}

# The corpus and expected-types.tsv describe the same profiles.
if [ ${#PROFILES[@]} = 0 ]; then
	fail types "no profile found under $PROF/pprof and $PROF/pyroscope"
fi
for k in "${!TYPES[@]}"; do
	[ -f "$PROF/$k" ] || fail types "$k: listed in $TYPES_TSV but not in the corpus"
done

START=$SECONDS
echo "conformance: corpus $CORPUS, ${#PROFILES[@]} profiles + ${#BADS[@]} bad, $PYROFS"
ARCHIVE=$ARCH_A
if mount_fg; then
	# Bad files first: decode everything they seem to offer (a profile that
	# fails only when fully decoded is reported then), the good ones must
	# serve afterwards.
	for f in "$MNT"/bad/*/latest/top.txt "$MNT"/bad/*/latest/folded; do
		[ -e "$f" ] && cat -- "$f" >/dev/null 2>&1
	done
	for p in "${PROFILES[@]}"; do
		svc=${p//\//__}
		rm -f "$TMP"/got/*
		if [ -z "${TYPES[$p]+x}" ]; then
			fail types "$p: no row in $TYPES_TSV"
		else
			check_types "$p" "$MNT/$svc" "${TYPES[$p]}"
		fi
		if [ -f "$GOLD/$p/ERROR.txt" ]; then
			fail top "$p: pprof rejects it ($(head -n 1 "$GOLD/$p/ERROR.txt")); no test for that here"
			continue
		fi
		VIEW_SRC=$PROF/$p
		check_profile "$p" "$GOLD/$p" "$MNT/$svc" latest "$(type_dirs "$MNT/$svc" 2>/dev/null)"
	done
	# Every bad file listed with a reason, and nothing else.
	if read_node "$MNT/.pyrofs/errors" "$TMP/errors"; then
		for b in "${BADS[@]}"; do
			reason=$(grep -aF -- "bad/$b: " "$TMP/errors" | head -n 1)
			reason=${reason#"bad/$b: "}
			if [ -n "$reason" ]; then
				ok bad
				BAD_REPORT+="    bad/$b: $reason (pprof: $(head -n 1 "$GOLD/bad/$b/ERROR.txt" 2>/dev/null))"$'\n'
			else
				fail bad "bad/$b: not listed in /.pyrofs/errors"
			fi
		done
		if grep -av '^bad/' "$TMP/errors" >"$TMP/errors.other"; then
			fail bad "/.pyrofs/errors lists good profiles:"
			sed 's/^/    /' "$TMP/errors.other" | cut -b1-240
		else
			ok bad
		fi
	else
		fail bad "/.pyrofs/errors: $READ_ERR"
	fi
	check_foreign_jfr
	unmount
	check_stderr "one service per profile"
else
	fail stderr "mount A failed"
fi
T_A=$((SECONDS - START))

# ---- B: Go runtime archive, merge=pprof ----------------------------------
ARCH_G=$PROF/go-runtime
mapfile -t GO_SERVICES < <(cd "$ARCH_G" && find -L . -mindepth 1 -maxdepth 1 -type d | sed 's|^\./||' | sort)

# snap_dir GOLDENDIR: the snapshot directory name of a profile, from the
# Time: line of its goldens ("2026-11-26 04:12:12 UTC" -> 2026-11-26T04-12-12Z).
snap_dir() {
	local g
	for g in "$1"/*.top.txt; do
		sed -n 's/^Time: \([0-9-]*\) \([0-9]*\):\([0-9]*\):\([0-9]*\) UTC$/\1T\2-\3-\4Z/p' "$g" | head -n 1
		return
	done
}

# union of the type directories of the files of one go-runtime service
svc_types() {
	local s=$1 k
	for k in "${!TYPES[@]}"; do
		case $k in "go-runtime/$s/"*) printf '%s\n' ${TYPES[$k]} ;; esac
	done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# kind_dirs SERVICE KIND: "T:dir" pairs of a kind (from expected-types.tsv
# and the goldens of its first snapshot, matched by the Type: line).
declare -A KIND_OF # type dir -> kind, e.g. mutex_count -> mutex

ARCHIVE=$ARCH_G
if mount_fg -o merge=pprof; then
	for s in "${GO_SERVICES[@]}"; do
		check_types "go-runtime/$s" "$MNT/$s" "$(svc_types "$s")"
		while read -r f; do
			p=go-runtime/$s/$f
			rm -f "$TMP"/got/*
			if [ -z "${TYPES[$p]+x}" ]; then
				fail types "$p: no row in $TYPES_TSV"
				continue
			fi
			snap=$(snap_dir "$GOLD/$p")
			VIEW_SRC=$ARCH_G/$s/$f
			check_profile "$p" "$GOLD/$p" "$MNT/$s" "$snap" "${TYPES[$p]}"
			kind=${f%%-*}
			for d in ${TYPES[$p]}; do KIND_OF[$s/$d]=$kind; done
		done < <(cd "$ARCH_G/$s" && ls | sort)
		# Type directories hold one snapshot directory per file (named
		# by its time to the second, as 2026-11-26T04-12-02Z), beside
		# latest, all, day/hour windows, series files and diff/.
		for d in $(svc_types "$s"); do
			want=$(awk -F '\t' -v p="go-runtime/$s/" -v d="$d" '
				index($1, p) == 1 { n2 = split($2, a, " ")
					for (i = 1; i <= n2; i++) if (a[i] == d) c++ }
				END { print c + 0 }' "$TYPES_TSV")
			have=$(ls -- "$MNT/$s/$d" |
				grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z(-[0-9]+)?$')
			if [ "$want" = "$have" ]; then ok types; else
				fail types "go-runtime/$s/$d: $have snapshot directories, expected $want"
			fi
		done
		# all/ = pprof -top f1..f5 (plain sum), one Merge line aside.
		for d in $(svc_types "$s"); do
			kind=${KIND_OF[$s/$d]:-}
			gdir=$GOLD/go-runtime/$s/$kind-ALL
			label="go-runtime/$s/$kind-ALL ($d, merge=pprof)"
			n=$(ls "$ARCH_G/$s" | grep -c "^$kind-")
			if ! read_node "$MNT/$s/$d/all/top.txt" "$TMP/got/all.top"; then
				fail merge_pprof_top "$label top.txt: $READ_ERR"
				continue
			fi
			t=$(type_of "$TMP/got/all.top")
			if [ ! -f "$gdir/$t.top.txt" ]; then
				fail merge_pprof_top "$label: Type: $t has no golden in $gdir"
				continue
			fi
			if ! without_merge "$TMP/got/all.top" "$TMP/got/all.top.nm"; then
				fail merge_pprof_top "$label $t top.txt: no Merge: line"
			elif [ "$MERGE_LINE" != "Merge: sum of $n snapshots" ]; then
				fail merge_pprof_top "$label $t top.txt: \"$MERGE_LINE\", expected \"Merge: sum of $n snapshots\""
			else
				compare merge_pprof_top "$label $t top.txt (Merge line removed)" "$gdir/$t.top.txt" "$TMP/got/all.top.nm"
			fi
			if read_node "$MNT/$s/$d/all/folded" "$TMP/got/all.folded"; then
				compare merge_pprof_folded "$label $t folded" "$gdir/$t.folded" "$TMP/got/all.folded"
			else
				fail merge_pprof_folded "$label $t folded: $READ_ERR"
			fi
		done
	done
	unmount
	check_stderr "go-runtime, merge=pprof"
else
	fail stderr "mount B failed"
fi
T_B=$((SECONDS - START - T_A))

# ---- C: Go runtime archive, default merge rules --------------------------
# mean_folded N FILES...: per-stack mean of N snapshot folded files (absent =
# 0), rounded half away from zero, zeros dropped, sorted bytewise by stack.
mean_folded() {
	local n=$1
	shift
	awk -v n="$n" '
	{
		if (!match($0, / -?[0-9]+$/)) { print "bad golden line: " $0 > "/dev/stderr"; exit 1 }
		st = substr($0, 1, RSTART - 1)
		sum[st] += substr($0, RSTART + 1)
	}
	END {
		for (st in sum) {
			s = sum[st]; a = s < 0 ? -s : s
			q = int(a / n); r = a - q * n
			if (2 * r >= n) q++
			if (s < 0) q = -q
			if (q != 0) printf "%s\001%.0f\n", st, q
		}
	}' "$@" | sort | tr '\001' ' '
}

ARCHIVE=$ARCH_G
if mount_fg; then
	for s in "${GO_SERVICES[@]}"; do
		for d in $(svc_types "$s"); do
			kind=${KIND_OF[$s/$d]:-}
			gdir=$GOLD/go-runtime/$s/$kind-ALL
			label="go-runtime/$s/$d/all"
			n=$(ls "$ARCH_G/$s" | grep -c "^$kind-")
			rm -f "$TMP"/got/*
			if ! read_node "$MNT/$s/$d/all/top.txt" "$TMP/got/all.top" ||
			   ! read_node "$MNT/$s/$d/all/folded" "$TMP/got/all.folded"; then
				fail merge_auto_top "$label: $READ_ERR"
				continue
			fi
			t=$(type_of "$TMP/got/all.top")
			without_merge "$TMP/got/all.top" "$TMP/got/all.top.nm"
			case $d in
			alloc_* | mutex_* | block_*) rule=increase ;;
			inuse_* | goroutines) rule=mean ;;
			*) rule=sum ;;
			esac
			label="$label ($rule, Type: $t)"
			if [ "$MERGE_LINE" != "Merge: $rule of $n snapshots" ]; then
				fail merge_auto_top "$label top.txt: \"$MERGE_LINE\", expected \"Merge: $rule of $n snapshots\""
				MERGE_BAD=1
			else
				MERGE_BAD=0
			fi
			case $rule in
			increase)
				# = latest, except Time (the earliest snapshot's, as pprof's
				# merge says) and the Merge line.
				read_node "$MNT/$s/$d/latest/top.txt" "$TMP/got/latest.top" &&
				read_node "$MNT/$s/$d/latest/folded" "$TMP/got/latest.folded" ||
					{ fail merge_auto_top "$label latest: $READ_ERR"; continue; }
				want_time=$(grep -m 1 '^Time: ' "$gdir/$t.top.txt")
				got_time=$(grep -m 1 '^Time: ' "$TMP/got/all.top.nm")
				grep -v '^Time: ' "$TMP/got/latest.top" >"$TMP/got/latest.top.nt"
				grep -v '^Time: ' "$TMP/got/all.top.nm" >"$TMP/got/all.top.nt"
				if [ "$want_time" != "$got_time" ]; then
					fail merge_auto_top "$label top.txt: \"$got_time\", expected \"$want_time\" (earliest snapshot)"
				elif [ $MERGE_BAD = 0 ]; then
					compare merge_auto_top "$label top.txt vs latest/top.txt (Merge, Time lines removed)" \
						"$TMP/got/latest.top.nt" "$TMP/got/all.top.nt"
				fi
				compare merge_auto_folded "$label folded vs latest/folded" \
					"$TMP/got/latest.folded" "$TMP/got/all.folded"
				;;
			sum)
				[ $MERGE_BAD = 0 ] && compare merge_auto_top "$label top.txt (Merge line removed)" \
					"$gdir/$t.top.txt" "$TMP/got/all.top.nm"
				compare merge_auto_folded "$label folded" "$gdir/$t.folded" "$TMP/got/all.folded"
				;;
			mean)
				members=()
				for g in "$GOLD/go-runtime/$s/$kind"-[0-9]*; do
					members+=("$g/$t.folded")
				done
				if mean_folded "${#members[@]}" "${members[@]}" >"$TMP/got/mean.folded"; then
					compare merge_auto_folded "$label folded vs mean of ${#members[@]} snapshot goldens" \
						"$TMP/got/mean.folded" "$TMP/got/all.folded"
				else
					fail merge_auto_folded "$label: cannot compute the mean of the goldens"
				fi
				# top.txt: the total is the sum of the rounded stacks (checked
				# where pprof prints it as a plain count).
				got_total=$(sed -n 's/^Showing nodes accounting for .* of \([^ ]*\) total$/\1/p' "$TMP/got/all.top.nm")
				want_total=$(awk '{ s += $NF } END { printf "%.0f", s }' "$TMP/got/mean.folded")
				case $got_total in
				'' | *[!0-9]*) [ $MERGE_BAD = 0 ] && ok merge_auto_top ;;
				*)
					if [ "$got_total" = "$want_total" ]; then
						[ $MERGE_BAD = 0 ] && ok merge_auto_top
					else
						fail merge_auto_top "$label top.txt: total $got_total, expected $want_total (sum of the rounded mean stacks)"
					fi ;;
				esac
				;;
			esac
		done
	done
	unmount
	check_stderr "go-runtime, default merges"
else
	fail stderr "mount C failed"
fi
T_C=$((SECONDS - START - T_A - T_B))

# ---- D: filters and functions/ against go tool pprof --------------------
# Profiles: corpus path, type directory, pprof's -sample_index (or "").
# The expressions are RE2 as pprof takes them; some match the profiles'
# mapping paths (\d, bin%2F, ^$ for an empty one).  In a path, '/' is %2F.
D_PROFILES="pprof/testdata/large.cpu.pb.gz cpu -
pprof/testdata/sample.cpu.pb.gz cpu -
go-runtime/api-gateway/cpu-1795666363.pb.gz cpu -
go-runtime/api-gateway/heap-1795666363.pb.gz inuse_space inuse_space
pyroscope/pprof/go.cpu.labels.pprof cpu -
pyroscope/pprof/profile_python cpu -"
D_FILTERS=(
	'focus=runtime\.' 'ignore=runtime\.' 'hide=runtime\.' 'show=runtime\.'
	'show_from=^main\.' 'focus=(?i)GC' 'hide=\.func[0-9]+$'
	'focus=runtime\./ignore=(?i)gc' 'hide=^runtime\./show_from=(?i)^main'
	'show=(?i)gc|alloc/hide=mallocgc' 'focus=runtime%2Fpprof|net%2Fhttp'
	'show_from=.*?Serve' 'focus=\Qruntime.\E(mallocgc|scanobject)'
	'focus=utility/hide=server\.py' 'ignore=^(main\.main|runtime\.main)$'
	'focus=\d' 'ignore=^$' 'hide=bin%2F|exe' 'show_from=build'
)
D_NFUNC=4
START_D=$SECONDS
# pct_decode TEXT: %XX as the byte XX, the rest as is.
pct_decode() {
	local s=$1 out=
	while [[ $s == *%* ]]; do
		out+=${s%%\%*}
		s=${s#*%}
		out+=$(printf "\\x${s:0:2}")
		s=${s:2}
	done
	printf '%s' "$out$s"
}
# pprof_args SEGMENTS: one -flag=RE line per filter segment, decoded.
pprof_args() {
	local seg
	printf '%s\n' "$1" | tr '/' '\n' | while IFS= read -r seg; do
		printf -- '-%s\n' "$(pct_decode "$seg")"
	done
}
# quote_meta NAME: Go's regexp.QuoteMeta.
quote_meta() {
	printf '%s' "$1" | sed 's/[][\\.+*?(){}|^$]/\\&/g'
}
# pprof_top OUT SAMPLE_INDEX FILE ARGS...: pprof's -top, Time: line out.
pprof_cmp_out() {
	local out=$1 si=$2 file=$3
	shift 3
	if [ "$si" != - ]; then set -- "-sample_index=$si" "$@"; fi
	go tool pprof "$@" "$file" 2>/dev/null | grep -v '^Time: ' >"$out"
}
if ! command -v go >/dev/null; then
	if [ "${CI:-}" = true ] || [ "${PYRO_REQUIRE_CORPUS:-}" = 1 ]; then
		fail filters "D: go tool pprof not found (scripts/install-deps.sh --pprof)"
	else
		echo "conformance: D: SKIP: go tool pprof not found"
	fi
else
	ARCH_D=$TMP/d
	while read -r rel _ _; do
		mkdir -p "$ARCH_D/${rel//\//__}"
		cp -- "$PROF/$rel" "$ARCH_D/${rel//\//__}/"
	done <<<"$D_PROFILES"
	ARCHIVE=$ARCH_D
	if mount_fg; then
		while read -r rel tdir si; do
			node=$MNT/${rel//\//__}/$tdir/latest
			file=$PROF/$rel
			for f in "${D_FILTERS[@]}"; do
				mapfile -t args < <(pprof_args "$f")
				pprof_cmp_out "$TMP/got/d.want" "$si" "$file" -top "${args[@]}"
				if read_node "$node/$f/top.txt" "$TMP/got/d.top"; then
					grep -v '^Time: ' "$TMP/got/d.top" >"$TMP/got/d.got"
					compare filters "$rel $f top.txt (pprof -top ${args[*]})" \
						"$TMP/got/d.want" "$TMP/got/d.got"
				else
					fail filters "$rel $f/top.txt: $READ_ERR"
				fi
			done
			# The first functions of the listing, and the heaviest of top.txt.
			mapfile -t funcs < <({ ls -- "$node/functions" | head -n $D_NFUNC
				sed -n '/^ *flat /,$p' "$node/top.txt" | sed -n '2,4p' |
					sed 's/^ *[^ ]* *[^ ]* *[^ ]* *[^ ]* *[^ ]*  //; s/ (inline)$//; s/ (partial-inline)$//' |
					sed 's/%/%25/g; s|/|%2F|g'; } | awk '!seen[$0]++')
			for fn in "${funcs[@]}"; do
				name=$(pct_decode "$fn")
				re="^$(quote_meta "$name")\$"
				pprof_cmp_out "$TMP/got/d.want" "$si" "$file" -peek "$re"
				if read_node "$node/functions/$fn/peek.txt" "$TMP/got/d.top"; then
					grep -v '^Time: ' "$TMP/got/d.top" >"$TMP/got/d.got"
					compare peek "$rel functions/$fn/peek.txt (pprof -peek '$re')" \
						"$TMP/got/d.want" "$TMP/got/d.got"
				else
					fail peek "$rel functions/$fn/peek.txt: $READ_ERR"
				fi
				pprof_cmp_out "$TMP/got/d.want" "$si" "$file" -top "-show_from=$re"
				if read_node "$node/functions/$fn/callees/top.txt" "$TMP/got/d.top"; then
					grep -v '^Time: ' "$TMP/got/d.top" >"$TMP/got/d.got"
					compare callees "$rel functions/$fn/callees/top.txt (pprof -top -show_from='$re')" \
						"$TMP/got/d.want" "$TMP/got/d.got"
				else
					fail callees "$rel functions/$fn/callees/top.txt: $READ_ERR"
				fi
			done
		done <<<"$D_PROFILES"
		unmount
		check_stderr "filters"
	else
		fail stderr "mount D failed"
	fi
fi
T_D=$((SECONDS - START_D))

# ---- summary --------------------------------------------------------------
total_p=0
total_f=0
for c in $CATS; do
	total_p=$((total_p + P[$c]))
	total_f=$((total_f + F[$c]))
done
line() { # line TEXT CATEGORIES...
	local text=$1 p=0 f=0 c
	shift
	for c in "$@"; do p=$((p + P[$c])); f=$((f + F[$c])); done
	printf '  %-58s %4d passed, %d failed\n' "$text" "$p" "$f"
}
echo
echo "conformance: breakdown (cases compared):"
line "profiles x sample types: top.txt" top
line "profiles x sample types: folded (byte for byte)" folded
line "profiles x sample types: folded (golden > 2 MB, sha256)" folded_sha256
line "profiles x sample types: folded well-formed (no golden: $NO_GOLDEN)" folded_wellformed
line "merges, merge=pprof (<kind>-ALL goldens): top.txt" merge_pprof_top
line "merges, merge=pprof (<kind>-ALL goldens): folded" merge_pprof_folded
line "merges, default rules: top.txt" merge_auto_top
line "merges, default rules: folded" merge_auto_folded
line "profiles x sample types: top-cum.txt (pprof -top -cum)" top_cum
line "profiles x sample types: traces.txt (pprof -traces)" traces
printf '  %-58s %4d\n' "  traces not comparable (samples repeat a stack)" "$VIEWS_UNCOMPARABLE"
printf '  %-58s %4d\n' "  traces equal in another order (see the notes)" "$VIEWS_REORDERED"
line "profiles x sample types: graph.dot (pprof -dot)" graph_dot
line "type directory listings" types
line "bad files listed with a reason (+ no good one listed)" bad
line "pprof's bad files read as other formats = their own reader" foreign
line "filters (focus=, ... nested) vs go tool pprof: top.txt" filters
line "functions/<name>/peek.txt vs go tool pprof -peek" peek
line "functions/<name>/callees/top.txt vs pprof -show_from" callees
line "daemon stderr clean (per mount)" stderr
if [ -n "${BAD_REPORT:-}" ]; then
	echo "conformance: /.pyrofs/errors for profiles/bad:"
	printf '%s' "$BAD_REPORT"
fi
echo "conformance: time ${T_A}s + ${T_B}s + ${T_C}s + ${T_D}s (one service per profile, merge=pprof, default merges, filters)"
pass=$total_p
fail=$((fail + total_f))     # lib.sh's bad (a mount that did not come up) counts too
it_end

#!/usr/bin/env bash
# Bad input: a clear error, the rest still served (issue 6).
#
#   tests/integration/hostile.sh [OUT_DIR]     OUT_DIR holds pyrofs, tests/mkhostile
#
# Mounts the archive of out/tests/mkhostile (service `good`: two valid Go
# CPU profiles; service `bad`: one file per hostile case) with
# -o max_profile_size=8M, reads every file of `bad` (some problems only
# show on a full decode), then checks that every broken file is in
# /.pyrofs/errors with its exact reason (printed as a table), that the
# extreme but valid profiles (10,000-frame stacks, 1 M samples, hostile
# function names, negative values) render, that `good` reads the same bytes
# before and after, and that the daemon stayed up with a clean stderr.
# Every read has a time limit, so a hang fails instead of blocking.  Exits
# 77 when FUSE is unusable.
set -u
OUT=$(cd "${1:-out}" && pwd)
PYROFS=$OUT/pyrofs
MKHOSTILE=$OUT/tests/mkhostile
READ_LIMIT=${HOSTILE_READ_LIMIT:-120}   # seconds per read: a hang, not a timing test

# rd FILE: its bytes on stdout, failing on a read error or a hang.
rd() { timeout "$READ_LIMIT" cat -- "$1"; }

. "$(dirname "$0")/lib.sh"
it_begin hostile
A=$ARCHIVE

"$MKHOSTILE" "$A" || { bad "mkhostile failed"; it_abort; }
mount_fg -o max_profile_size=8M || it_abort
ok

alive() { kill -0 "$DAEMON_PID" 2>/dev/null && mountpoint -q "$MNT"; }

# ---- good, before -------------------------------------------------------------
# sums FILE_LIST: "sha256  path" of every file, "READ ERROR path" when unreadable.
sums() {
	local f
	while IFS= read -r f; do
		if h=$(set -o pipefail; rd "$MNT/$f" | sha256sum); then
			echo "${h%% *}  $f"
		else
			echo "READ ERROR  $f"
		fi
	done
}
(cd "$MNT" && LC_ALL=C find good -type f 2>"$TMP/find-good.err" | LC_ALL=C sort) >"$TMP/good.list"
check_eq "find good: no error" "" "$(cat "$TMP/find-good.err")"
check "good has files" [ "$(wc -l <"$TMP/good.list")" -gt 20 ]
sums <"$TMP/good.list" >"$TMP/good.before"
check "every file of good reads" sh -c "! grep -q '^READ ERROR' '$TMP/good.before'"
grep '^READ ERROR' "$TMP/good.before" | head -5 >&2
top_before=$(rd "$MNT/good/cpu/all/top.txt")
check "good/cpu/all/top.txt merges both" grep -q '^Merge: sum of 2 snapshots$' <<<"$top_before"

# ---- read every node of bad ------------------------------------------------------
# Valid but extreme profiles each have a type of their own; every one of
# their files must read.  Files of the broken ones may fail (EIO).
VALID_TYPES="negative recursion deep million names abyss"   # and overflow_total: below
(cd "$MNT" && LC_ALL=C find bad -type f 2>"$TMP/find-bad.err" | LC_ALL=C sort) >"$TMP/bad.list"
# functions/ and filters are not listed: one function's files per valid
# type, and a few filters, are read with the rest.
for t in $VALID_TYPES; do
	fn=$(ls "$MNT/bad/$t/latest/functions" 2>/dev/null | head -n 1)
	for f in "functions/$fn/peek.txt" "functions/$fn/callees/top.txt" \
		"functions/$fn/callers/flame.svg" "functions/$fn/callers/tree.txt" \
		"focus=./hide=%5Cd/show_from=.*/top.txt" "ignore=%2F%2F|^%24/folded"; do
		[ -n "$fn" ] && echo "bad/$t/latest/$f"
	done
done >>"$TMP/bad.list"
check "bad has files" [ "$(wc -l <"$TMP/bad.list")" -gt 50 ]
# Expected errors, checked rather than printed: a series holding a broken
# file cannot list the labels/ of a node whose members include it (its
# label set needs a full decode), so find meets EIO there and only there.
labels_eio='^find: '"'"'bad/[^/]+/[^/]+/labels'"'"': Input/output error$'
only_labels_eio() { ! grep -Eqv "$labels_eio" "$TMP/find-bad.err"; }
check "find bad: every error is EIO on a labels/ directory" only_labels_eio
grep -Ev "$labels_eio" "$TMP/find-bad.err" | head -5 >&2
for t in $VALID_TYPES; do
	check_eq "find bad/$t: no error" "" "$(grep "^find: 'bad/$t/" "$TMP/find-bad.err")"
done
echo "hostile: find met EIO on $(wc -l <"$TMP/find-bad.err") labels/ directories of series with a broken member (expected)"

# ---- entry pages over hostile content ---------------------------------------
# Unreadable members are said in summary.txt, never an error of the page;
# hostile function names stay escaped (every page parses as XML).
for f in README.txt index.html bad/index.html bad/summary.txt good/summary.txt \
	ovf/summary.txt; do
	check "entry page $f reads" sh -c "cat '$MNT/$f' >/dev/null"
done
check "bad/summary.txt says what it could not read" \
	grep -q '^  (history unreadable: see .pyrofs/errors)$' "$MNT/bad/summary.txt"
if command -v xmllint >/dev/null; then
	check "xmllint, every index.html" sh -c \
		"find '$MNT' -maxdepth 3 -name index.html -type f -print0 | xargs -0 xmllint --noout"
fi
: >"$TMP/bad.readerr"
while IFS= read -r f; do
	rd "$MNT/$f" >/dev/null 2>"$TMP/rd.err"
	rc=$?
	[ $rc = 124 ] && bad "read of $f hung (${READ_LIMIT}s)"
	[ $rc = 0 ] || echo "$f: rc $rc: $(head -c 200 "$TMP/rd.err")" >>"$TMP/bad.readerr"
	alive || { bad "daemon died reading $f"; break; }
done <"$TMP/bad.list"
for t in $VALID_TYPES; do
	n=$(grep -c "^bad/$t/" "$TMP/bad.readerr")
	check_eq "every file of bad/$t reads" 0 "$n"
	[ "$n" = 0 ] || grep "^bad/$t/" "$TMP/bad.readerr" | head -5 >&2
done
check "mount up after reading bad" alive

# ---- /.pyrofs/errors ---------------------------------------------------------------
# case file (in bad/) -> the exact reason.
expected_errors() {
	cat <<'EOF'
bad/bomb.pb.gz: decompressed size exceeds max_profile_size (8388608 bytes)
bad/duplicate-function-id.pb.gz: malformed profile: duplicate function id 1
bad/empty.pb.gz: empty file
bad/evil\x0a\x1b[31mred.pb.gz: not a pprof profile (invalid protobuf wire format)
bad/function-id-0.pb.gz: malformed profile: function with reserved id 0
bad/gzip-of-garbage.pb.gz: not a pprof profile (invalid protobuf wire format)
bad/gzip-of-text.pb.gz: not a pprof profile (invalid protobuf wire format)
bad/missing-function.pb.gz: malformed profile: location 1 references missing function 99
bad/missing-location.pb.gz: malformed profile: sample 0 references missing location 99
bad/no-sample-types.pb.gz: not a pprof profile (no sample types and no period type)
bad/overflow.pb.gz: sample values overflow 64 bits
bad/raw-garbage.pb.gz: not a pprof profile (invalid protobuf wire format)
bad/string-index.pb.gz: bad protobuf: function name string index 999 outside the string table (9 entries)
bad/truncated-gzip.pb.gz: truncated gzip data
bad/value-count.pb.gz: malformed profile: sample 1 has 1 values for 2 sample types
EOF
}
rd "$MNT/.pyrofs/errors" >"$TMP/errors"
check_eq "/.pyrofs/errors lists every hostile file with its reason" \
	"$(expected_errors)" "$(grep -v -e '^bad/overflow-total\.pb\.gz: ' -e '^ovf/' "$TMP/errors")"
# Two stacks of INT64_MAX: each stack fits, the total does not.  The
# renderers refuse it (EOVERFLOW); the file must also say why in errors.
check "errors: overflow-total reported as an overflow" \
	grep -q '^bad/overflow-total\.pb\.gz: .*overflow' "$TMP/errors"
echo "hostile: case -> reason in /.pyrofs/errors (after reading every node):"
while IFS= read -r line; do
	printf '  %-34s %s\n' "${line%%: *}" "${line#*: }"
done <"$TMP/errors"
echo "  (valid, served, not listed: bad/{negative,recursion,deep,million,names,abyss}.pb.gz)"
grep -q '^bad/overflow-total' "$TMP/errors" ||
	echo "  bad/overflow-total.pb.gz           (not listed; top.txt etc. fail with EOVERFLOW)"
check "errors: no good file listed" sh -c "! grep -q '^good/' '$TMP/errors'"
check "errors: overflow reported" grep -q '^bad/overflow\.pb\.gz: .*overflow' "$TMP/errors"
check "errors: bomb names max_profile_size" grep -q '^bad/bomb\.pb\.gz: .*max_profile_size' "$TMP/errors"
check "errors: no raw ESC byte" sh -c "! grep -q \$'\\e' '$TMP/errors'"
check "errors: no raw control byte but newline" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TMP/errors'"
check_eq "errors: evil name on one line, escaped" 1 \
	"$(grep -cF 'bad/evil\x0a\x1b[31mred.pb.gz: ' "$TMP/errors")"

# ---- good, after --------------------------------------------------------------------
sums <"$TMP/good.list" >"$TMP/good.after"
if cmp -s "$TMP/good.before" "$TMP/good.after"; then ok; else
	bad "files of good changed after reading bad"
	diff "$TMP/good.before" "$TMP/good.after" | head -10 >&2
fi
check_eq "good/cpu/all/top.txt identical" "$top_before" "$(rd "$MNT/good/cpu/all/top.txt")"
check_eq "good listing unchanged" "$(cat "$TMP/good.list")" \
	"$(cd "$MNT" && find good -type f 2>&1 | LC_ALL=C sort)"

# ---- deep stacks, 1 M samples -------------------------------------------------------
# render TYPE: top.txt, folded and flame.svg of bad/TYPE/latest read whole.
render() {
	local f
	for f in top.txt folded flame.svg icicle.svg tree.txt; do
		check "bad/$1 $f renders" sh -c "timeout $READ_LIMIT cat '$MNT/bad/$1/latest/$f' >'$TMP/$1.$f'"
	done
	if command -v xmllint >/dev/null; then
		check "bad/$1 flame.svg is XML" xmllint --noout "$TMP/$1.flame.svg"
	fi
}
render deep
# Stacks over 1024 frames keep the 512 outermost and 511 innermost around
# one "[truncated N frames]" frame (README "Bounds").
exp=$( (
	{ seq -f 'deep.f%05g' 0 511; echo '[truncated 8977 frames]'; seq -f 'deep.f%05g' 9489 9999; } |
		paste -sd';' | sed 's/$/ 7/'
	echo 'deep.f00000;deep.side 1'))
check_eq "deep: folded, cut" "$exp" "$(cat "$TMP/deep.folded")"
check_eq "deep: depth 1024" 1024 "$(head -1 "$TMP/deep.folded" | tr ';' '\n' | wc -l)"
check "deep: top.txt names the leaf" grep -q ' deep\.f09999$' "$TMP/deep.top.txt"
check "deep: tree.txt says where it was cut" grep -q '  \[truncated 8977 frames\]$' "$TMP/deep.tree.txt"

render recursion
exp=$( (echo 'main.main;main.other 2'; printf 'main.main'
	for _ in $(seq 511); do printf ';rec.recurse'; done
	printf ';[truncated 8978 frames]'
	for _ in $(seq 511); do printf ';rec.recurse'; done; echo ' 5'))
check_eq "recursion: folded" "$exp" "$(cat "$TMP/recursion.folded")"
check "recursion: top.txt counts rec.recurse once per sample" \
	grep -Eq '^ +5 71\.43% +[0-9.]+% +5 71\.43%  rec\.recurse$' "$TMP/recursion.top.txt"

# One function 100,000 deep (issue 20): uncut, tree.txt needs ~10 GB and
# `ls -l`, which stats and so renders, never returned.
check "abyss: ls -l of the snapshot returns" \
	sh -c "timeout $READ_LIMIT ls -l '$MNT/bad/abyss/latest/' >'$TMP/abyss.ls'"
check "abyss: ls -l lists tree.txt" grep -q ' tree\.txt$' "$TMP/abyss.ls"
render abyss
check "abyss: tree.txt under 4 MiB" [ "$(stat -c %s "$TMP/abyss.tree.txt")" -lt 4194304 ]
check "abyss: tree.txt says where it was cut" \
	grep -q '  \[truncated 98978 frames\]$' "$TMP/abyss.tree.txt"
check_eq "abyss: folded depth 1024" 1024 "$(head -1 "$TMP/abyss.folded" | tr ';' '\n' | wc -l)"

render million
check_eq "million: folded" "main.main;million.f0 250000
main.main;million.f1 500000
main.main;million.f2 750000
main.main;million.f3 1000000" "$(cat "$TMP/million.folded")"
check_eq "million: total" 2500000 \
	"$(getfattr --only-values -n user.pyrofs.total "$MNT/bad/million/latest" 2>/dev/null)"

# ---- totals over 64 bits ------------------------------------------------------------
check_eq "overflow_total: folded (each stack fits)" \
	"main.main;main.a 9223372036854775807
main.main;main.b 9223372036854775807" "$(rd "$MNT/bad/overflow_total/latest/folded")"
for f in top.txt tree.txt flame.svg; do
	check "overflow_total: $f refused or unwrapped" \
		sh -c "! timeout $READ_LIMIT cat '$MNT/bad/overflow_total/latest/$f' 2>/dev/null | grep -q -- '-[0-9]'"
done

# ---- two snapshots whose sum overflows (issue 20) ---------------------------------------
# all/ leaves the second out, says so in errors, and serves the first.
check_eq "ovf: all/top.txt still serves" 0 \
	"$(timeout "$READ_LIMIT" cat "$MNT/ovf/pair/all/top.txt" >"$TMP/ovf.top" 2>&1; echo $?)"
check "ovf: all/top.txt merged one snapshot" grep -q '^Merge: sum of 1 snapshot' "$TMP/ovf.top"
check "ovf: all/top.txt has the first's total" grep -q 'pair\.a$' "$TMP/ovf.top"
check "ovf: errors names the snapshot left out" \
	grep -q '^ovf/pair-1795200060\.pb\.gz: left out of merges: .*overflow 64 bits' \
	<(rd "$MNT/.pyrofs/errors")
check_eq "ovf: first snapshot folded" "main.main;pair.a 9223372036854775797" \
	"$(rd "$MNT/ovf/pair/all/folded")"

# ---- negative values ------------------------------------------------------------------
render negative
check_eq "negative: folded" "main.main;main.fell -1000000
main.main;main.grew 3
main.main;main.shrank -5" "$(cat "$TMP/negative.folded")"

# ---- hostile function names -------------------------------------------------------------
render names
if command -v xmllint >/dev/null; then
	check "names: icicle.svg is XML" xmllint --noout "$TMP/names.icicle.svg"
else
	echo "hostile: xmllint absent: SVG well-formedness not checked"
fi
for f in flame.svg icicle.svg; do
	check "names: $f has no raw <script>alert" sh -c "! grep -q '<script>alert' '$TMP/names.$f'"
	check "names: $f has no raw ]]> from a name" sh -c "! grep -q '>]]><' '$TMP/names.$f'"
done
check_eq "names: folded escapes ; and control bytes" \
	"main.main;<script>alert(1)</script>;]]> 4
main.main;amp&lt\x3bquote\"'<![CDATA[x]]>&#0\x3b 1
main.main;bad$(printf '\377\376')utf8$(printf '\303(\355\240\200') 2
main.main;ctl\x01\x1b[31mred\x7f\x08\x0d 3" "$(cat "$TMP/names.folded")"
# pyrofs's own text outputs never let a name's control bytes reach a
# terminal raw.  top.txt is the exception, on purpose: it is byte-identical
# to pprof -top, which prints names raw (README "Rendered files").
for f in folded tree.txt; do
	check "names: $f has no raw control byte" \
		sh -c "! tr -d '\n' <'$TMP/names.$f' | LC_ALL=C grep -q '[[:cntrl:]]'"
done
check "names: top.txt keeps pprof's raw bytes" \
	sh -c "tr -d '\n' <'$TMP/names.top.txt' | LC_ALL=C grep -q '[[:cntrl:]]'"

# ---- max_file_size (issue 20) -----------------------------------------------------------------
# A second daemon with a 64 KiB bound: the abyss tree.txt (about 1 MiB)
# answers EFBIG to stat and read, and errors names it with the bound;
# small files still serve.
MNT2=$TMP/mnt2
mkdir -p "$MNT2"
it_on_exit() { mountpoint -q "$MNT2" 2>/dev/null && fusermount3 -u -z "$MNT2"; }
"$PYROFS" -f -o max_profile_size=8M,max_file_size=64K "$A" "$MNT2" 2>"$TMP/stderr2" &
PID2=$!
for _ in $(seq 1 400); do
	[ -e "$MNT2/.pyrofs/errors" ] && break
	kill -0 "$PID2" 2>/dev/null || break
	sleep 0.05
done
check "max_file_size mount up" [ -e "$MNT2/.pyrofs/errors" ]
out=$(timeout "$READ_LIMIT" cat "$MNT2/bad/abyss/latest/tree.txt" 2>&1 >/dev/null)
check "max_file_size: read answers EFBIG" grep -q 'File too large' <<<"$out"
out=$(timeout "$READ_LIMIT" stat "$MNT2/bad/abyss/latest/tree.txt" 2>&1 >/dev/null)
check "max_file_size: stat answers EFBIG" grep -q 'File too large' <<<"$out"
check "max_file_size: errors names the file and the bound" \
	grep -Eq '^bad/abyss/[^/]+/tree\.txt: rendered file exceeds max_file_size \(65536 bytes\)$' \
	<(rd "$MNT2/.pyrofs/errors")
check_eq "max_file_size: small files still serve" "$top_before" "$(rd "$MNT2/good/cpu/all/top.txt")"
fusermount3 -u "$MNT2"
wait "$PID2"
check_eq "max_file_size daemon exit code" 0 "$?"
if grep -Eq -- "$STDERR_ALARM" "$TMP/stderr2"; then
	bad "second daemon stderr:"
	head -30 "$TMP/stderr2" >&2
else
	ok
fi

# ---- still up, clean exit, clean stderr ----------------------------------------------------
check "daemon alive and mounted at the end" alive
check_eq "good/cpu/all/top.txt still served" "$top_before" "$(rd "$MNT/good/cpu/all/top.txt")"
unmount
check_eq "daemon exit code" 0 "$DAEMON_RC"
check_stderr "hostile mount"
it_end

#!/usr/bin/env bash
# Numbers and pictures on real profiles (issue 13), through a mount.
#
#   tests/integration/trust.sh [OUT_DIR]     OUT_DIR holds pyrofs, pyrofs-cat
#
# The archive is a copy of demo/archive (real runtime/pprof output) plus,
# when the shared corpus is there (../shared/corpus or $PYRO_CORPUS), its
# go-runtime series (three services, five snapshots each).
#
#   1. Differential flame.svg: for every pair of consecutive CPU snapshots
#      of every service, and all against latest, every frame's base and
#      target (data-b, data-t, title) equal the sums of the diff's own
#      two-column folded over that frame's call path (flamediff.py, an
#      independent computation); vanished frames are drawn; the subtitle
#      states the net change.
#   2. Totals with negative values: delta heap profiles made by pprof itself
#      from the demo's real heap profiles (`-proto -base`: samples of one
#      stack with opposite signs; `-proto -diff_base`: pprof::base samples).
#      top.txt equals `go tool pprof -top -symbolize=none` (total,
#      percentages, the Dropped cutoff), and tree.txt, labels.txt,
#      flame.svg's subtitle and timeline.txt state the same total.
#      Skipped, with a note, without `go`.
#   3. A collapsed file whose frames include empty ones (a real folded
#      with one function's name emptied): top.txt names them <unknown>,
#      as pprof names a function without a name.
#   4. A two-column collapsed file (a real diff's folded, the layout
#      difffolded.pl writes): its value is the last column, as
#      flamegraph.pl sizes it (checked against flamegraph.pl when
#      installed) and as the target's folded says.
#   6. Labels: numeric keys (the heap profiles' bytes) are in labels.txt
#      only, as a histogram; no listed label value has a zero total;
#      labels.txt shows values unescaped; `find MNT | wc -l` stays within
#      1.5 times that of the same tree mounted with -o labels=off.
#   8. Names pprof shortens (C++ "(anonymous namespace)::", Rust
#      "<... as ...>::"): top.txt prints them as `go tool pprof -top
#      -symbolize=none` does, and plain `go tool pprof -top` differs on
#      exactly those lines (corpus and go only).
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYROFS=$(cd "$OUT" && pwd)/pyrofs
PYROFS_CAT=$(cd "$OUT" && pwd)/pyrofs-cat
CORPUS=${PYRO_CORPUS:-$REPO/../shared/corpus}

. "$HERE/lib.sh"
note() { echo "trust: $*"; }
it_begin trust
cp -r "$REPO/demo/archive" "$ARCHIVE"
if [ -d "$CORPUS/profiles/go-runtime" ]; then
	cp -r "$CORPUS/profiles/go-runtime/." "$ARCHIVE/"
	mkdir -p "$ARCHIVE/names-cpp" "$ARCHIVE/names-rust"
	cp "$CORPUS/profiles/pprof/synthetic/long_name_funcs.pb.gz" "$ARCHIVE/names-cpp/"
	cp "$CORPUS/profiles/pyroscope/pprof/profile_rust" "$ARCHIVE/names-rust/"
else
	note "no corpus at $CORPUS: demo archive only"
fi
# Collapsed files made from real profiles, before mounting (pyrofs-cat).
first=$("$PYROFS_CAT" "$ARCHIVE" api/cpu/ | sed -n 's|/$||p' | grep '^20.*Z$' | head -1)
mkdir -p "$ARCHIVE/emptyframe" "$ARCHIVE/twocol"
"$PYROFS_CAT" "$ARCHIVE" api/cpu/latest/folded |
	sed 's/runtime\/pprof\.Do;/;/' >"$ARCHIVE/emptyframe/cpu.folded"
"$PYROFS_CAT" "$ARCHIVE" "api/cpu/diff/$first/latest/folded" \
	>"$ARCHIVE/twocol/cpu-diff.folded"
"$PYROFS_CAT" "$ARCHIVE" api/cpu/latest/folded >"$TMP/target.folded"

have_go=
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	have_go=1
	for svc in api leaky; do
		set -- "$REPO"/demo/archive/$svc/heap-*.pb.gz
		first=$1
		shift $(($# - 1))
		mkdir -p "$ARCHIVE/delta-$svc" "$ARCHIVE/diffbase-$svc"
		go tool pprof -proto -base="$first" "$1" \
			>"$ARCHIVE/delta-$svc/heap.pb.gz" 2>/dev/null
		go tool pprof -proto -diff_base="$first" "$1" \
			>"$ARCHIVE/diffbase-$svc/heap.pb.gz" 2>/dev/null
	done
else
	note "no go tool pprof: negative totals not compared"
fi
mount_fg || it_abort

# ---- 1. differential flame graphs --------------------------------------
ndiff=0
nvanished=0
for svc in "$MNT"/*/; do
	svc=${svc%/}
	[ -d "$svc/cpu" ] || continue
	snaps=$(cd "$svc/cpu" && ls -d 20*Z 2>/dev/null)
	prev=
	pairs="all latest"
	for s in $snaps; do
		[ -n "$prev" ] && pairs="$pairs $prev $s"
		prev=$s
	done
	set -- $pairs
	while [ $# -ge 2 ]; do
		d=$svc/cpu/diff/$1/$2
		shift 2
		if out=$(python3 "$HERE/flamediff.py" "$d/folded" "$d/flame.svg"); then
			ok
			ndiff=$((ndiff + 1))
			v=${out##*vanished=}
			nvanished=$((nvanished + v))
		else
			bad "flame.svg of ${d#$MNT/} against its folded"
			printf '%s\n' "$out" | head -5 >&2
		fi
	done
done
note "flame.svg of $ndiff diffs checked frame by frame ($nvanished vanished frames drawn)"
check "diffs were checked" [ "$ndiff" -ge 4 ]
check "vanished frames are drawn" [ "$nvanished" -gt 0 ]

# ---- 2. totals with negative values --------------------------------------
if [ -n "$have_go" ]; then
	n=0
	for svc in delta-api delta-leaky diffbase-api diffbase-leaky; do
		for t in alloc_objects alloc_space inuse_objects inuse_space; do
			node=$MNT/$svc/$t/latest
			want=$(go tool pprof -top -symbolize=none -sample_index=$t \
				"$ARCHIVE/$svc/heap.pb.gz" 2>/dev/null | sed 1,3d)
			check_eq "$svc/$t: top.txt as pprof -top" "$want" \
				"$(sed 1,3d "$node/top.txt")"
			# pprof scales its total its own way (2372.94MB); the
			# exact figure must round to it, and every other file
			# print the same figure as timeline.txt
			shown=$(printf '%s\n' "$want" | sed -n 's/.* of \(.*\) total$/\1/p')
			exact=$(getfattr --only-values -n user.pyrofs.total "$node" 2>/dev/null ||
				python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.pyrofs.total").decode())' "$node")
			check "$svc/$t: total $exact is pprof's $shown" python3 -c '
import sys
units = {"": 1, "B": 1, "kB": 1024, "MB": 1 << 20, "GB": 1 << 30}
n, u = sys.argv[1], sys.argv[2]
i = len(u) - len(u.lstrip("0123456789.-"))
v, unit = float(u[:i]), u[i:]
sys.exit(abs(int(n) - v * units[unit]) > 0.0051 * units[unit])' "$exact" "$shown"
			total=$(awk '$1 ~ /^20/ { print $2 }' "$MNT/$svc/$t/timeline.txt")
			check_eq "$svc/$t: timeline.txt exact total" "$exact" \
				"$(awk '$1 ~ /^20/ { print $NF }' "$MNT/$svc/$t/timeline.txt")"
			check_eq "$svc/$t: tree.txt total" "Total: $total" \
				"$(grep '^Total: ' "$node/tree.txt")"
			check_eq "$svc/$t: labels.txt total" "Total: $total (1 snapshot)" \
				"$(grep '^Total: ' "$node/labels.txt")"
			check "$svc/$t: flame.svg total" grep -q \
				">Total: $total[ <;]" "$node/flame.svg"
			n=$((n + 1))
		done
	done
	note "totals of $n delta profiles made by pprof match go tool pprof -top"
fi

# ---- 3. empty frames ---------------------------------------------------------
want=$(awk '/(^|;);/ { s += $NF } END { printf "%.0f\n", s }' "$ARCHIVE/emptyframe/cpu.folded")
check "empty frames exist in the input" [ "${want:-0}" -gt 0 ]
check_eq "an empty frame is <unknown> in top.txt, with its cum" "$want" \
	"$(awk '$NF == "<unknown>" { print $4 }' "$MNT/emptyframe/cpu/latest/top.txt")"
check "no empty name in top.txt" sh -c "! grep -q '%  *\$' '$MNT/emptyframe/cpu/latest/top.txt'"

# ---- 4. two count columns --------------------------------------------------
check "the input has two count columns" \
	awk 'NF < 3 || $(NF-1) !~ /^[0-9]+$/ { exit 1 }' "$ARCHIVE/twocol/cpu-diff.folded"
check_eq "a two-column file counts its last column (the target)" \
	"$(awk '$NF > 0' "$TMP/target.folded")" "$(cat "$MNT/twocol/cpu/latest/folded")"
check "the reading is reported" grep -q \
	"twocol/cpu-diff.folded: two count columns, the first (a diff's base) ignored" \
	"$MNT/.pyrofs/errors"
fg=$(dpkg -L libdevel-nytprof-perl 2>/dev/null | grep '/flamegraph.pl$' | head -1)
if [ -n "$fg" ]; then
	ours=$(getfattr --only-values -n user.pyrofs.total "$MNT/twocol/cpu/latest" 2>/dev/null ||
		python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.pyrofs.total").decode())' \
		"$MNT/twocol/cpu/latest")
	theirs=$(perl "$fg" "$ARCHIVE/twocol/cpu-diff.folded" 2>/dev/null |
		sed -n 's/.*<title>all (\([0-9,]*\) samples.*/\1/p' | tr -d , | head -1)
	check_eq "flamegraph.pl sizes it by the same column" "$ours" "$theirs"
else
	note "no flamegraph.pl: two-column sizes not compared with it"
fi

# ---- 6. labels ------------------------------------------------------------------
node=$MNT/api/inuse_space/latest
check_eq "numeric keys are not directories" "" "$(ls "$node/labels")"
check "labels.txt: numeric keys as a histogram" \
	grep -q ' bytes (numbers in bytes; [0-9]* values, by powers of two)$' "$node/labels.txt"
check "labels.txt: values as they are" grep -q '  endpoint=/users$' "$MNT/api/cpu/latest/labels.txt"
check "labels.txt: no path escapes" sh -c "! grep -q '%2F' '$MNT/api/cpu/latest/labels.txt'"
zero=0
nval=0
for d in "$MNT"/*/*/latest/labels/*/*/; do
	[ -d "$d" ] || continue
	nval=$((nval + 1))
	t=$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.pyrofs.total").decode())' "$d")
	[ "$t" = 0 ] && zero=$((zero + 1)) && echo "zero total: ${d#$MNT/}" >&2
done
check "label values listed ($nval) have non-zero totals" [ "$zero" = 0 -a "$nval" -gt 0 ]
entries=$(find "$MNT" | wc -l)
check_eq "no numeric key under labels/" "" \
	"$(find "$MNT" -path '*/labels/bytes' | head -3)"
unmount
check_stderr "daemon stderr"
mount_fg -o labels=off || it_abort
check "labels=off: no labels/" [ ! -e "$MNT/api/cpu/latest/labels" ]
check "labels=off: labels.txt stays" [ -s "$MNT/api/cpu/latest/labels.txt" ]
bare=$(find "$MNT" | wc -l)
unmount
check_stderr "daemon stderr (labels=off)"
mount_fg -o labels=all || it_abort
every=$(find "$MNT" | wc -l)
note "find | wc -l: $entries entries; $bare with -o labels=off, $every with -o labels=all"
check "find | wc -l within 1.5x of the tree without labels/ ($entries vs $bare)" \
	[ $((entries * 2)) -le $((bare * 3)) ]
# The string labels of the demo and the corpus (endpoint, plan, worker)
# are directories in every time node; numeric keys were nearly all.
check "the default tree is a fraction of labels=all" [ $((entries * 3)) -le "$every" ]
unmount
check_stderr "daemon stderr (labels=all)"
mount_fg || it_abort

# ---- 8. names pprof shortens ------------------------------------------------
if [ -n "$have_go" ] && [ -d "$MNT/names-cpp" ]; then
	for svc in names-cpp names-rust; do
		f=$(ls "$ARCHIVE/$svc")
		for t in $(cd "$MNT/$svc" && ls -d */ | tr -d /); do
			top=$MNT/$svc/$t/latest/top.txt
			st=$(sed -n 's/^Type: //p' "$top")
			none=$(go tool pprof -top -symbolize=none -sample_index="$st" \
				"$ARCHIVE/$svc/$f" 2>/dev/null | sed 1,3d)
			plain=$(go tool pprof -top -sample_index="$st" \
				"$ARCHIVE/$svc/$f" 2>/dev/null | sed 1,3d)
			check_eq "$svc/$t: top.txt as pprof -top -symbolize=none" \
				"$none" "$(sed 1,3d "$top")"
			# plain pprof differs only where it shortened a name
			ndiff=$(diff <(printf '%s\n' "$none") <(printf '%s\n' "$plain") |
				grep '^<' | grep -cvE '::|<|\[' || true)
			check_eq "$svc/$t: plain pprof -top differs only on shortened names" 0 "$ndiff"
		done
	done
fi

unmount
check_stderr "daemon stderr"
it_end

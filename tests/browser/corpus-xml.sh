#!/usr/bin/env bash
# Every corpus profile's flame.svg and icicle.svg is well-formed XML.
#
#   tests/browser/corpus-xml.sh [OUT_DIR [PROFILES_DIR]]
#
# Each file under PROFILES_DIR (default <repo>/../shared/corpus/profiles)
# becomes a service of its own in a temporary archive; for every sample type
# of every service, `pyrofs-cat` prints latest/flame.svg and icicle.svg and
# `xmllint --noout` checks them.  Files that are not profiles and profiles
# that fail to decode (the corpus has a few on purpose, under bad/) are
# counted apart.  No FUSE.
# Exit 0 when all pass, 1 on a failure, 77 when the corpus or xmllint is
# missing (skipped, said so).
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
PROFILES=${2:-$HERE/../../../shared/corpus/profiles}
CAT=$OUT/pyrofs-cat

if [ ! -d "$PROFILES" ]; then
	echo "corpus-xml: SKIP: no corpus at $PROFILES"
	exit 77
fi
if ! command -v xmllint >/dev/null; then
	echo "corpus-xml: SKIP: no xmllint (apt-get install libxml2-utils)"
	exit 77
fi
if [ ! -x "$CAT" ]; then
	echo "corpus-xml: $CAT not built" >&2
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pyrofs-xml.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/archive"

# Service names: s0001, s0002, ... in sorted path order; map kept for messages.
n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	svc=$(printf 's%04d' "$n")
	mkdir -p "$TMP/archive/$svc"
	cp "$f" "$TMP/archive/$svc/"
	printf '%s\t%s\n' "$svc" "${f#"$PROFILES"/}" >>"$TMP/map"
done < <(find "$PROFILES" -type f ! -name '*.md' ! -name '.*' -print0 | sort -z)

files=0 svgs=0 bad=0 none=0 undecodable=0
while IFS=$'\t' read -r svc rel; do
	files=$((files + 1))
	# Type directories only: pyrofs-cat marks directories with a '/'
	# (the service also holds index.html, summary.txt and 0- links).
	types=$("$CAT" "$TMP/archive" "$svc" 2>/dev/null | sed -n 's|/$||p') ||
		{ none=$((none + 1)); continue; }
	[ -n "$types" ] || { none=$((none + 1)); continue; }
	for t in $types; do
		t=${t%/}
		for kind in flame.svg icicle.svg; do
			if ! "$CAT" "$TMP/archive" "$svc/$t/latest/$kind" >"$TMP/out.svg" 2>"$TMP/err"; then
				# EIO: the profile fails to decode (listed in
				# /.pyrofs/errors); anything else is a render failure.
				if grep -q 'Input/output error' "$TMP/err"; then
					undecodable=$((undecodable + 1))
					continue
				fi
				bad=$((bad + 1))
				echo "FAIL: $rel $t $kind: $(head -1 "$TMP/err")" >&2
				continue
			fi
			svgs=$((svgs + 1))
			if ! xmllint --noout "$TMP/out.svg" 2>"$TMP/err"; then
				bad=$((bad + 1))
				echo "FAIL: $rel $t $kind: not well-formed XML:" >&2
				head -3 "$TMP/err" >&2
			fi
		done
	done
done <"$TMP/map"

echo "corpus-xml: $files corpus files, $((files - none)) profiles:" \
     "$svgs SVGs (flame + icicle of each sample type) checked, $bad failed;" \
     "$undecodable undecodable (EIO, as .pyrofs/errors says), $none not profiles"
[ "$bad" -eq 0 ]

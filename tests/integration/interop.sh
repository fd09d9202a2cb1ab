#!/usr/bin/env bash
# Interop tests: the mount as other tools see it.
#
#   tests/integration/interop.sh [OUT_DIR]     OUT_DIR holds pyrofs, pyrofs-cat
#
#   1. profile.pb.gz round trip: on every listed time node of a copy of
#      demo/archive, `go tool pprof -top -symbolize=none profile.pb.gz`
#      prints top.txt, less the Time: line (Go 1.19's pprof prints another
#      layout) and our Merge: line.  Skipped, with a note, without `go`.
#      A diff node's export holds target minus base: read back by pyrofs,
#      its folded equals the diff's folded with the two counts subtracted.
#      On every snapshot node, `go tool pprof -top -lines` and `-list .`
#      (file names and line numbers) of profile.pb.gz equal the same on
#      the snapshot's own file.
#   2. tree.txt: in every node, starting with the Type: header.
#   3. Extended attributes: the user.pyrofs.* values against top.txt,
#      folded and the archive; size probing, ERANGE, ENODATA, EROFS through
#      the syscalls (python3 ctypes), and getfattr(1) when installed.
#   4. mount(8): as root, `mount -t fuse.pyrofs ARCHIVE MNT -o ...`, an fstab
#      line through `mount -T FSTAB MNT` and `mount -a -T FSTAB`, and the
#      systemd mount unit of the README (its What/Where/Type/Options, as
#      systemd would hand them to mount(8); `systemd-analyze verify` when it
#      runs).  mount(8) clears PATH before it runs mount.fuse3, whose shell
#      then looks for `pyrofs` in /usr/local/sbin:/usr/local/bin:...; so
#      this part runs in a private mount namespace (unshare -m) where a
#      directory holding a logging `pyrofs` wrapper is bind-mounted over
#      /usr/local/bin: nothing outside the test sees it.  Skipped, with a
#      note, when not root or without unshare.
#   5. Labels: labels/ and label nodes of the demo (string labels; numeric
#      ones in labels.txt only), their totals against folded and across a
#      merge; then, mounted again with -o labels=all, numeric label nodes
#      and every snapshot's label nodes (up to 4 values per key) against
#      `go tool pprof -top -tagfocus` of the profile (skipped without go).
#
# The daemon runs in the foreground with its stderr captured, so sanitizer
# reports and error lines fail the run.  Exits 77 (skip) only when FUSE is
# unusable on this machine.
set -u
export LC_ALL=C

OUT=${1:-out}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PYROFS=$(cd "$OUT" && pwd)/pyrofs
PYROFS_CAT=$(cd "$OUT" && pwd)/pyrofs-cat

. "$(dirname "$0")/lib.sh"
note() { echo "interop: $*"; }
xattr() { # xattr PATH NAME: the value, or "ERR <errno name>"
	python3 - "$1" "$2" <<'EOF'
import errno, os, sys
try:
    sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())
except OSError as e:
    sys.stdout.write("ERR " + errno.errorcode[e.errno])
EOF
}
it_begin interop
cp -r "$REPO/demo/archive" "$ARCHIVE"


mount_fg || it_abort

# Every listed time node: <service>/<type>/<time> directories.
(cd "$MNT" && find . -mindepth 3 -maxdepth 3 -type d ! -name diff | sed 's|^\./||' |
	sort) >"$TMP/nodes"

# ---- 1. profile.pb.gz through go tool pprof ---------------------------------
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	n=0 same=0
	while read -r node; do
		n=$((n + 1))
		TZ=UTC go tool pprof -top -symbolize=none "$MNT/$node/profile.pb.gz" \
			2>"$TMP/pprof.err" | grep -av '^Time: ' >"$TMP/a"
		grep -av '^Time: \|^Merge: ' "$MNT/$node/top.txt" >"$TMP/b"
		if cmp -s "$TMP/a" "$TMP/b"; then
			same=$((same + 1))
		else
			echo "  $node:" >&2
			diff "$TMP/a" "$TMP/b" | head -6 >&2
			head -3 "$TMP/pprof.err" >&2
		fi
	done <"$TMP/nodes"
	note "round trip: go tool pprof -top equals top.txt on $same of $n nodes"
	check_eq "go tool pprof -top of every profile.pb.gz equals top.txt" "$n" "$same"
	check "at least 200 nodes compared" [ "$n" -ge 200 ]
	# Source lines: on every snapshot node, pprof's per-line report
	# (-top -lines) and its annotated source (-list, the Go sources found
	# through -source_path; the demo's own files are not there, and pprof
	# says so alike) equal those of the snapshot's own file.
	G=$(go env GOROOT 2>/dev/null)/src
	n=0 same=0
	grep -E '/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z$' \
		"$TMP/nodes" >"$TMP/snaps"
	while read -r node; do
		n=$((n + 1))
		src=$ARCHIVE/$(xattr "$MNT/$node" user.pyrofs.sources)
		st=$(sed -n 's/^Type: //p' "$MNT/$node/top.txt" | head -1)
		for f in "$MNT/$node/profile.pb.gz" "$src"; do
			go tool pprof -top -lines -symbolize=none -sample_index="$st" "$f" 2>&1 |
				grep -av '^Time: '
			go tool pprof -list . -symbolize=none -source_path "$G" \
				-sample_index="$st" "$f" 2>&1
			echo "----"
		done >"$TMP/lines"
		# the export's report, then the source's
		sed -n '1,/^----$/p' "$TMP/lines" >"$TMP/a"
		sed '1,/^----$/d' "$TMP/lines" >"$TMP/b"
		if cmp -s "$TMP/a" "$TMP/b" && grep -q ':[0-9]' "$TMP/a"; then
			same=$((same + 1))
		else
			echo "  $node (lines):" >&2
			diff "$TMP/a" "$TMP/b" | head -6 >&2
		fi
	done <"$TMP/snaps"
	note "source lines: pprof -top -lines and -list agree with the source file on $same of $n snapshots"
	check_eq "pprof -lines and -list of a snapshot's profile.pb.gz equal its file's" "$n" "$same"
	check "at least 50 snapshots compared" [ "$n" -ge 50 ]
	# A merge that sums (cpu: a rate) keeps them too: pprof's per-line
	# report of api/cpu/all is that of `pprof -proto` of its members.
	n=$MNT/api/cpu/all
	(cd "$ARCHIVE" && go tool pprof -proto -symbolize=none \
		$(xattr "$n" user.pyrofs.sources) 2>/dev/null) >"$TMP/members.pb.gz"
	go tool pprof -top -lines -symbolize=none "$n/profile.pb.gz" 2>&1 |
		grep -av '^Time: ' >"$TMP/a"
	go tool pprof -top -lines -symbolize=none "$TMP/members.pb.gz" 2>&1 |
		grep -av '^Time: ' >"$TMP/b"
	check "pprof -top -lines of a sum merge equals pprof -proto of its members" \
		cmp "$TMP/a" "$TMP/b"
	check "  ... and holds line numbers" grep -q ':[0-9]' "$TMP/a"
	d=api/cpu/diff/all/latest
	check "go tool pprof reads a diff's export" \
		sh -c "go tool pprof -top -symbolize=none '$MNT/$d/profile.pb.gz' 2>/dev/null | grep -q '^Type: cpu'"
else
	note "SKIP round trip through go tool pprof: go is not installed"
fi

# A diff exports target minus base: pyrofs reads its own export back.
d=api/cpu/diff/all/latest
mkdir -p "$TMP/back/svc"
cat "$MNT/$d/profile.pb.gz" >"$TMP/back/svc/diff.pb.gz"
# Its one type directory (the service also lists its pages and 0- links).
type=$("$PYROFS_CAT" "$TMP/back" svc | sed -n 's|/$||p' | head -1)
want=$(awk '{ v = $NF - $(NF-1); l = $0; sub(/ [^ ]+ [^ ]+$/, "", l); if (v) print l " " v }' \
	"$MNT/$d/folded" | sort)
got=$("$PYROFS_CAT" "$TMP/back" "svc/$type/latest/folded" | sort)
check_eq "a diff's export is target minus base" "$want" "$got"
check "the diff changes something" [ -n "$want" ]

# gzip, and byte-stable across reads.
f=$MNT/api/cpu/all/profile.pb.gz
check "profile.pb.gz is gzip" sh -c "gzip -t '$f'"
check "profile.pb.gz reads the same twice" cmp -s "$f" <(cat "$f")

# ---- 2. tree.txt ------------------------------------------------------------
trees_ok=1
while read -r node; do
	head -1 "$MNT/$node/tree.txt" | grep -q '^Type: ' || { trees_ok=0; echo "  $node" >&2; }
done <"$TMP/nodes"
check "tree.txt in every node" [ $trees_ok = 1 ]

# ---- 3. extended attributes -------------------------------------------------
folded_sum() { awk '{ s += $NF } END { printf "%.0f", s }' "$1"; }

n=$MNT/api/cpu/latest
snap=$(readlink "$n")
check_eq "total of a snapshot = sum of folded" "$(folded_sum "$n/folded")" "$(xattr "$n" user.pyrofs.total)"
check_eq "total on its files too" "$(xattr "$n" user.pyrofs.total)" "$(xattr "$n/top.txt" user.pyrofs.total)"
check_eq "unit" nanoseconds "$(xattr "$n/flame.svg" user.pyrofs.unit)"
check_eq "type" cpu "$(xattr "$n" user.pyrofs.type)"
check_eq "rule of a snapshot" single "$(xattr "$n" user.pyrofs.rule)"
src=$(xattr "$n" user.pyrofs.sources)
check_eq "sources of a snapshot" "api/cpu-1795668020.pb.gz" "$src"
check "the source is in the archive" [ -f "$ARCHIVE/$src" ]

n=$MNT/api/alloc_space/all
check_eq "rule of a cumulative merge" increase "$(xattr "$n" user.pyrofs.rule)"
check_eq "unit bytes" bytes "$(xattr "$n" user.pyrofs.unit)"
check_eq "sources of all" "$(cd "$ARCHIVE" && ls api/heap-*.pb.gz)" "$(xattr "$n" user.pyrofs.sources)"
check_eq "total of a merge = sum of folded" "$(folded_sum "$n/folded")" "$(xattr "$n/tree.txt" user.pyrofs.total)"
check_eq "rule of a gauge merge" mean "$(xattr "$MNT/leaky/inuse_space/all" user.pyrofs.rule)"
check_eq "rule of a rate merge" sum "$(xattr "$MNT/billing/cpu/all" user.pyrofs.rule)"

# A range after the first snapshot is measured from the one before it.
s=($(cd "$MNT/api/alloc_space" && ls -d 20*Z))
n=$MNT/api/alloc_space/${s[1]}..latest
check_eq "range sources" "$(cd "$ARCHIVE" && ls api/heap-*.pb.gz | tail -n +2)" "$(xattr "$n" user.pyrofs.sources)"
check_eq "range baseline" "$(cd "$ARCHIVE" && ls api/heap-*.pb.gz | head -1)" "$(xattr "$n" user.pyrofs.baseline)"
check_eq "no baseline on all" "ERR ENODATA" "$(xattr "$MNT/api/alloc_space/all" user.pyrofs.baseline)"

n=$MNT/api/cpu/diff/all/latest
check_eq "diff: base sources" "$(cd "$ARCHIVE" && ls api/cpu-*.pb.gz)" "$(xattr "$n" user.pyrofs.base_sources)"
check_eq "diff: sources" "api/cpu-1795668020.pb.gz" "$(xattr "$n" user.pyrofs.sources)"
check_eq "diff: total is target minus base" \
	"$(awk '{ s += $NF - $(NF-1) } END { printf "%.0f", s }' "$n/folded")" \
	"$(xattr "$n/top.txt" user.pyrofs.total)"

check_eq "unknown name: ENODATA" "ERR ENODATA" "$(xattr "$MNT/api/cpu/all" user.pyrofs.nope)"
check_eq "other namespace: ENODATA" "ERR ENODATA" "$(xattr "$MNT/api/cpu/all/top.txt" security.selinux)"
check_eq "no attributes on a service" "ERR ENODATA" "$(xattr "$MNT/api" user.pyrofs.total)"
check_eq "no attributes on a series file" "ERR ENODATA" "$(xattr "$MNT/api/cpu/timeline.txt" user.pyrofs.total)"

# The syscalls themselves: size probing, ERANGE, lists, EROFS.
out=$(python3 - "$MNT" <<'EOF'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
mnt = sys.argv[1]
def get(path, name, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    r = libc.getxattr(path.encode(), name.encode(), buf if size else None, ctypes.c_size_t(size))
    return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
def lst(path, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    r = libc.listxattr(path.encode(), buf if size else None, ctypes.c_size_t(size))
    return (r, buf.raw[:r]) if r >= 0 else (errno.errorcode[ctypes.get_errno()], b"")
f = mnt + "/api/cpu/all/top.txt"
total = os.getxattr(f, "user.pyrofs.total")
print("probe", get(f, "user.pyrofs.total", 0) == len(total))
print("erange", get(f, "user.pyrofs.total", len(total) - 1))
print("exact", get(f, "user.pyrofs.total", len(total)) == len(total))
n, _ = lst(f, 0)
r, names = lst(f, n)
print("list", r == n, names.split(b"\0")[:-1] == [s.encode() for s in os.listxattr(f)])
print("list erange", lst(f, n - 1)[0])
print("names", " ".join(os.listxattr(mnt + "/api/cpu/all")))
print("service list", lst(mnt + "/api", 0)[0])
for op in ("set", "remove"):
    try:
        if op == "set":
            os.setxattr(f, "user.pyrofs.total", b"1")
        else:
            os.removexattr(f, "user.pyrofs.total")
        print(op, "succeeded")
    except OSError as e:
        print(op, errno.errorcode[e.errno])
EOF
)
check_eq "xattr syscalls" "probe True
erange ERANGE
exact True
list True True
list erange ERANGE
names user.pyrofs.total user.pyrofs.unit user.pyrofs.type user.pyrofs.rule user.pyrofs.sources
service list 0
set EROFS
remove EROFS" "$out"

if command -v getfattr >/dev/null; then
	got=$(cd "$MNT" && getfattr --absolute-names -d -m - api/cpu/latest/top.txt 2>&1)
	check_eq "getfattr -d" "# file: api/cpu/latest/top.txt
user.pyrofs.rule=\"single\"
user.pyrofs.sources=\"api/cpu-1795668020.pb.gz\"
user.pyrofs.total=\"$(folded_sum "$MNT/api/cpu/latest/folded")\"
user.pyrofs.type=\"cpu\"
user.pyrofs.unit=\"nanoseconds\"" "$got"
	check_eq "getfattr --only-values" "increase" \
		"$(getfattr --absolute-names --only-values -n user.pyrofs.rule "$MNT/api/alloc_space/all")"
else
	note "SKIP getfattr checks: getfattr not installed (scripts/install-deps.sh installs attr)"
fi

# ---- 5. labels -----------------------------------------------------------------
n=$MNT/api/cpu/latest
check_eq "labels/ lists the keys" "endpoint" "$(ls "$n/labels")"
check_eq "labels/<key>/ lists the values, '/' encoded" "%2Forders
%2Fsearch
%2Fusers" "$(ls "$n/labels/endpoint")"
check_eq "a label node has the stack files" "flame.svg
folded
graph.dot
graph.svg
icicle.svg
profile.pb.gz
top-cum.txt
top.txt
traces.txt
tree.txt" "$(ls "$n/labels/endpoint/%2Fusers")"
check_eq "label xattr" "endpoint=/users" "$(xattr "$n/labels/endpoint/%2Fusers" user.pyrofs.label)"
check_eq "label node total = sum of its folded" \
	"$(folded_sum "$n/labels/endpoint/%2Fusers/folded")" \
	"$(xattr "$n/labels/endpoint/%2Fusers/top.txt" user.pyrofs.total)"
check "unknown label key: ENOENT" sh -c "! ls '$n/labels/nope' 2>/dev/null"
check "unknown label value: ENOENT" sh -c "! ls '$n/labels/endpoint/nope' 2>/dev/null"
# By default (-o labels=string) a numeric key such as a heap profile's
# bytes is in labels.txt only, as a histogram.
check_eq "numeric keys are not directories by default" "" \
	"$(ls "$MNT/api/inuse_space/latest/labels")"
check "labels.txt: numeric keys as a histogram" \
	grep -q '^ *[0-9.]*kB *[0-9.]*%  bytes (numbers in bytes; [0-9]* values, by powers of two)$' \
	"$MNT/api/inuse_space/latest/labels.txt"
check "labels.txt: values as they are" \
	grep -q '^ *[0-9.]*m*s *[0-9.]*%  endpoint=/users$' "$n/labels.txt"

# -o labels=all: numeric keys too, each number a directory.
unmount
check_eq "daemon exit code (labels=string)" 0 "$DAEMON_RC"
check_stderr "daemon stderr (labels=string)"
mount_fg -o labels=all || it_abort
check "numeric label values are numbers" \
	sh -c "ls '$MNT/api/inuse_space/latest/labels/bytes' | grep -qx 131072"
check "labels.txt names numeric units" \
	grep -q '^ *[0-9.]*kB *[0-9.]*%  bytes (numbers in bytes)$' "$MNT/api/inuse_space/latest/labels.txt"

# A sum merge's label node adds up its snapshots' label nodes.
sum=0
for d in $(cd "$MNT/billing/cpu" && ls -d 20*Z); do
	v=$(xattr "$MNT/billing/cpu/$d/labels/plan/free" user.pyrofs.total)
	sum=$((sum + v))
done
check_eq "all/labels/plan/free = sum over the snapshots" "$sum" \
	"$(xattr "$MNT/billing/cpu/all/labels/plan/free" user.pyrofs.total)"

# Every label node of every snapshot (at most 4 values per key) against
# `go tool pprof -top -tagfocus=KEY=VALUE` of the snapshot's profile.
# A snapshot does not list labels/ (only merges do), but resolves it.
find "$MNT" -mindepth 3 -maxdepth 3 -type d -name '20*Z' | sort |
	while read -r snap; do
		for d in "$snap"/labels/*/*; do [ -d "$d" ] && echo "$d"; done
	done |
	awk -F/ '{ k = $(NF-1); if (++seen[$(NF-4) "/" $(NF-3) "/" $(NF-2) "/" k] <= 4) print }' \
	>"$TMP/label-nodes"
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	n=0 same=0
	while read -r node; do
		n=$((n + 1))
		src=$(xattr "$node" user.pyrofs.sources)
		# The filter as top.txt spells it for pprof: a number of
		# bytes needs its unit there ("bytes=96bytes").
		tagfocus=$(sed -n 's/^   tagfocus=//p' "$node/top.txt")
		TZ=UTC go tool pprof -top -symbolize=none \
			-sample_index="$(xattr "$node" user.pyrofs.type)" \
			-tagfocus="$tagfocus" "$ARCHIVE/$src" \
			2>"$TMP/pprof.err" | grep -av '^Time: ' >"$TMP/a"
		grep -av '^Time: ' "$node/top.txt" >"$TMP/b"
		if cmp -s "$TMP/a" "$TMP/b"; then
			same=$((same + 1))
		else
			echo "  ${node#$MNT/}:" >&2
			diff "$TMP/a" "$TMP/b" | head -6 >&2
		fi
	done <"$TMP/label-nodes"
	note "labels: top.txt equals go tool pprof -tagfocus on $same of $n label nodes"
	check_eq "label nodes' top.txt = go tool pprof -top -tagfocus" "$n" "$same"
	check "label nodes of snapshots found ($n)" [ "$n" -gt 100 ]
	check "at least 100 label nodes compared" [ "$n" -ge 100 ]
else
	note "SKIP label nodes against go tool pprof: go is not installed"
fi

unmount
check_eq "daemon exit code" 0 "$DAEMON_RC"
check_stderr "interop mount"

# ---- 4. mount(8), fstab, systemd ----------------------------------------------
unit_value() { sed -n "s/^$1=//p" "$TMP/mnt-prof.mount"; }
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v mount.fuse3 >/dev/null; then
	note "SKIP mount(8) checks: need root, unshare and mount.fuse3"
else
	mkdir -p "$TMP/bin" "$TMP/m1" "$TMP/m2" "$TMP/m3" "$TMP/m4"
	# A `pyrofs` that logs how mount.fuse3 calls it.
	cat >"$TMP/bin/pyrofs" <<EOF
#!/bin/sh
echo "\$*" >>"$TMP/args"
XDG_CACHE_HOME="$TMP/cache" exec "$PYROFS" "\$@" 2>>"$TMP/stderr"
EOF
	chmod +x "$TMP/bin/pyrofs"
	# The README's fstab line and unit, pointed at the test archive, plus
	# a line without noauto for mount -a.
	line=$(grep -m1 -E '^ +/srv/profiles +/mnt/prof +fuse\.pyrofs ' "$REPO/README.md" |
		sed -e 's/^ *//' -e "s|/srv/profiles|$ARCHIVE|" -e "s|/mnt/prof|$TMP/m2|")
	check "README has an fstab line" [ -n "$line" ]
	printf '%s\n%s\n' "$line" \
		"$ARCHIVE $TMP/m3 fuse.pyrofs ro,nofail,_netdev,cache_size=64M,merge=pprof 0 0" \
		>"$TMP/fstab"
	sed -n '/^    \[Unit\]/,/^    WantedBy=/s/^    //p' "$REPO/README.md" |
		sed -e "s|^What=.*|What=$ARCHIVE|" -e "s|^Where=.*|Where=$TMP/m4|" \
		>"$TMP/mnt-prof.mount"
	check "README has a mount unit" grep -q '^Type=fuse.pyrofs$' "$TMP/mnt-prof.mount"
	: >"$TMP/stderr"
	: >"$TMP/args"
	timeout 60 unshare -m --propagation private bash -s >"$TMP/ns.out" 2>&1 <<EOF
mount --bind "$TMP/bin" /usr/local/bin || exit 1
res() { echo "\$1 \$2"; }
mount -t fuse.pyrofs "$ARCHIVE" "$TMP/m1" -o cache_size=1M,noauto,nofail; res mount-t \$?
res read-t "\$(head -c 5 "$TMP/m1/api/cpu/latest/top.txt")"
res type-t "\$(awk '\$2 == "$TMP/m1" { print \$3, \$4 }' /proc/self/mounts | cut -d, -f1)"
umount "$TMP/m1"; res umount-t \$?
mount -T "$TMP/fstab" "$TMP/m2"; res mount-T \$?
res read-T "\$(head -c 5 "$TMP/m2/api/cpu/latest/top.txt")"
umount "$TMP/m2"; res umount-T \$?
mount -a -T "$TMP/fstab"; res mount-a \$?
res noauto-skipped "\$(mountpoint -q "$TMP/m2" && echo mounted || echo no)"
res merge-a "\$(grep -c '^Merge: sum of' "$TMP/m3/api/mutex_count/all/top.txt")"
umount "$TMP/m3"; res umount-a \$?
mount -t "$(unit_value Type)" "$(unit_value What)" "$(unit_value Where)" -o "$(unit_value Options)"; res mount-unit \$?
res read-unit "\$(head -c 5 "$TMP/m4/api/cpu/latest/top.txt")"
umount "$TMP/m4"; res umount-unit \$?
EOF
	check_eq "mount(8) through mount.fuse3, fstab, systemd unit" "mount-t 0
read-t File:
type-t fuse.pyrofs ro
umount-t 0
mount-T 0
read-T File:
umount-T 0
mount-a 0
noauto-skipped no
merge-a 1
umount-a 0
mount-unit 0
read-unit File:
umount-unit 0" "$(cat "$TMP/ns.out")"
	# How mount.fuse3 calls pyrofs: ARCHIVE MNT -o OPTIONS, where util-linux
	# 2.38 and fuse 3.14 pass rw or ro, drop noauto, nofail, x-* and
	# _netdev, and add dev,suid for root.  pyrofs must take all of it.
	note "mount.fuse3 ran: $(sed "s|$TMP/||g; s|^|pyrofs |" "$TMP/args" | paste -sd';' | sed 's/;/; /g')"
	check_eq "mount.fuse3 ran pyrofs four times" 4 "$(wc -l <"$TMP/args")"
	check "as pyrofs ARCHIVE MNT -o OPTIONS" \
		sh -c "! grep -v '^$ARCHIVE $TMP/m[1-4] -o [^ ]*cache_size=[^ ]*\$' '$TMP/args'"
	check_stderr "mount(8)"
	# The namespace is gone with its last process; nothing stays mounted.
	check "no mount left behind" sh -c "! grep -q '$TMP' /proc/mounts"
	if command -v systemd-analyze >/dev/null; then
		cp "$TMP/mnt-prof.mount" "$TMP/$(systemd-escape -p --suffix=mount "$TMP/m4")"
		if out=$(systemd-analyze verify "$TMP/$(systemd-escape -p --suffix=mount "$TMP/m4")" 2>&1); then
			ok
		elif echo "$out" | grep -qi 'system has not been booted\|failed to connect\|No such file or directory.*bus'; then
			note "SKIP systemd-analyze verify: $out"
		else
			bad "systemd-analyze verify: $out"
		fi
	fi
fi

it_end

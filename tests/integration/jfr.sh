#!/usr/bin/env bash
# Java Flight Recorder recordings (issue 18), checked against the JDK's own
# reader.
#
#   tests/integration/jfr.sh [OUT_DIR]   OUT_DIR holds pyrofs, tests/mkjfr
#
# A small Java program written here (CPU-bound, allocating, four threads
# contending for a monitor, one thread parking) runs under
#   java -XX:StartFlightRecording=filename=...,settings=T.jfc
# where T.jfc is the JDK's profile.jfc with the TLAB allocation events
# turned on and the execution-sample period set to 20 ms.  The program
# starts and stops a second recording twice, which makes JFR begin new
# chunks, so the recording has several.
#
# The archive: service jvm holds that recording, the same recording cut in
# half, and tests/mkjfr's flawed recordings (a constant-pool cycle, a huge
# count, a bad metadata event, a truncated chunk, a bad event size);
# service synthetic holds mkjfr's good one; service wall holds mkjfr's
# recording as async-profiler writes it in wall-clock mode (no JVM here
# writes profiler.WallClockSample events, so it is synthetic).  Mounted:
#   - every type pyrofs maps that the recording has events for is a type
#     directory, and its folded equals tests/tools/jfr_folded.py's sums of
#     `jfr print --json` (the JDK's reader), stack for stack;
#   - threads are labels (the contending threads' names);
#   - wall's folded equals jfr_folded.py's sums of the JDK's reading of
#     wall.jfr's profiler.WallClockSample events, samples x 50 ms (its wall
#     interval setting), and its cpu the same as synthetic's;
#   - each bad file is one line of /.pyrofs/errors, and nothing else is
#     lost: the good recording reads in full.
#
# Skipped, with a note, without java, javac, jfr or python3.  Exits 77 when
# FUSE is unusable.
set -u
export LC_ALL=C
OUT=$(cd "${1:-out}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYROFS=$OUT/pyrofs
. "$(dirname "$0")/lib.sh"
it_begin jfr

for tool in java javac jfr python3; do
	if ! command -v $tool >/dev/null; then
		echo "jfr: SKIP: needs java, javac, jfr (a JDK) and python3; no $tool"
		skip=$((skip + 1))
		it_end
		exit
	fi
done
[ -x "$OUT/tests/mkjfr" ] || { bad "missing $OUT/tests/mkjfr (make tools)"; it_abort; }

# ---- the recording --------------------------------------------------------
mkdir -p "$TMP/java" "$ARCHIVE/jvm" "$ARCHIVE/synthetic" "$ARCHIVE/wall"
cat >"$TMP/java/Work.java" <<'EOF'
import java.util.concurrent.locks.LockSupport;

public class Work {
    static final Object lock = new Object();
    static volatile long sink;

    static long spin(long n) {
        long s = 0;
        for (long i = 0; i < n; i++)
            s += i * i % 7;
        return s;
    }

    static void cpu(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end)
            sink += spin(100000);
    }

    static void alloc(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            byte[][] a = new byte[64][];
            for (int i = 0; i < 64; i++)
                a[i] = new byte[1000 + i * 100];
            byte[] big = new byte[1 << 20];     /* outside a TLAB */
            sink += a.length + big.length;
        }
    }

    static void contend(long ms) throws InterruptedException {
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                long end = System.currentTimeMillis() + ms;
                while (System.currentTimeMillis() < end)
                    synchronized (lock) { sink += spin(200000); }
            }, "contender-" + t);
            ts[t].start();
        }
        for (Thread t : ts)
            t.join();
    }

    static void park(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end)
            LockSupport.parkNanos(30_000_000L);
    }

    /* Starting and stopping a recording makes JFR begin a new chunk. */
    static void rotate() {
        jdk.jfr.Recording r = new jdk.jfr.Recording();
        r.start();
        r.stop();
        r.close();
    }

    public static void main(String[] args) throws Exception {
        long ms = Long.parseLong(args[0]);
        Thread p = new Thread(() -> park(3 * ms), "parker");
        p.start();
        cpu(ms);
        rotate();
        alloc(ms);
        rotate();
        contend(ms);
        p.join();
    }
}
EOF
JAVA_HOME_DIR=$(java -XshowSettings:properties -version 2>&1 |
		sed -n 's/^ *java.home = //p')
PROFILE_JFC=$JAVA_HOME_DIR/lib/jfr/profile.jfc
[ -f "$PROFILE_JFC" ] || { bad "no $PROFILE_JFC"; it_abort; }
sed -e '/"jdk.ObjectAllocation\(InNew\|Outside\)TLAB"/,/<\/event>/s/>false</>true</' \
    -e '/"jdk.ExecutionSample"/,/<\/event>/s/>[0-9]* ms</>20 ms</' \
    "$PROFILE_JFC" >"$TMP/t.jfc"
REC=$ARCHIVE/jvm/recording.jfr
if ! javac -d "$TMP/java" "$TMP/java/Work.java" 2>"$TMP/javac.err"; then
	bad "javac: $(head -5 "$TMP/javac.err")"
	it_abort
fi
if ! java -XX:StartFlightRecording=filename="$REC",settings="$TMP/t.jfc" \
	-cp "$TMP/java" Work 700 >"$TMP/java.out" 2>&1; then
	bad "java: $(tail -5 "$TMP/java.out")"
	it_abort
fi
chunks=$(jfr summary "$REC" | sed -n 's/^ *Chunks: *//p')
check "several chunks (got ${chunks:-none})" test "${chunks:-0}" -ge 2

# The bad ones.
head -c $(($(stat -c %s "$REC") / 2)) "$REC" >"$ARCHIVE/jvm/cut.jfr"
mkdir -p "$TMP/mk"
"$OUT/tests/mkjfr" "$TMP/mk" || { bad "mkjfr"; it_abort; }
for f in cycle huge badmeta truncated badevent; do
	cp "$TMP/mk/$f.jfr" "$ARCHIVE/jvm/"
done
cp "$TMP/mk/good.jfr" "$ARCHIVE/synthetic/"
cp "$TMP/mk/wall.jfr" "$ARCHIVE/wall/"

# ---- mounted ----------------------------------------------------------------
mount_fg || it_abort

# type event value: the types pyrofs maps, the JDK's event, what one weighs.
MAPPED="cpu jdk.ExecutionSample const:20000000
alloc_in_new_tlab_objects jdk.ObjectAllocationInNewTLAB count
alloc_in_new_tlab_bytes jdk.ObjectAllocationInNewTLAB field:tlabSize
alloc_outside_tlab_objects jdk.ObjectAllocationOutsideTLAB count
alloc_outside_tlab_bytes jdk.ObjectAllocationOutsideTLAB field:allocationSize
alloc_sample_objects jdk.ObjectAllocationSample count
alloc_sample_bytes jdk.ObjectAllocationSample field:weight
mutex_count jdk.JavaMonitorEnter count
mutex_duration jdk.JavaMonitorEnter duration
block_count jdk.ThreadPark count
block_duration jdk.ThreadPark duration"

jfr summary "$REC" >"$TMP/summary"
# The JDK's reading of every mapped event, once (each jfr run starts a JVM).
jfr print --json --stack-depth 2048 --events "$(cut -d' ' -f2 <<<"$MAPPED" |
	sort -u | paste -sd,)" "$REC" >"$TMP/jdk.json" || bad "jfr print"
# events NAME: how many the recording has.
events() { awk -v e="$1" '$1 == e { print $2 }' "$TMP/summary"; }
dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort; }

expected_types=
while read -r type event value; do
	n=$(events "$event")
	[ "${n:-0}" -gt 0 ] || continue
	expected_types="$expected_types$type"$'\n'
	"$ROOT/tests/tools/jfr_folded.py" "$TMP/jdk.json" "$event" "$value" >"$TMP/exp.$type" ||
		{ bad "jfr_folded.py $event"; continue; }
	sort "$MNT/jvm/$type/latest/folded" >"$TMP/got.$type"
	if cmp -s "$TMP/exp.$type" "$TMP/got.$type"; then
		ok
	else
		bad "$type: folded differs from the JDK's reader"
		diff "$TMP/exp.$type" "$TMP/got.$type" | head -6 | cut -c1-300 >&2
	fi
done <<<"$MAPPED"
check_eq "types of jvm" "$(sort <<<"${expected_types%$'\n'}")" "$(dirs "$MNT/jvm")"
# The workload makes these for sure; the others depend on the GC.
for t in cpu alloc_sample_objects mutex_count block_count; do
	check "jvm has $t" test -d "$MNT/jvm/$t"
done
check_eq "contending threads are labels" "contender-0
contender-1
contender-2
contender-3" "$(ls "$MNT/jvm/mutex_count/latest/labels/thread_name/" 2>&1 |
		grep contender | sort)"

check_eq "synthetic cpu" "app.Main.main;app.Main.work 120000000
app.Main.main;app.Main.work;app.util.Spin.spin 40000000" \
	"$(sort "$MNT/synthetic/cpu/latest/folded")"

# async-profiler's wall-clock samples, against the JDK's reading of them.
if "$ROOT/tests/tools/jfr_folded.py" "$TMP/mk/wall.jfr" profiler.WallClockSample \
	scaled:samples:50000000 >"$TMP/exp.wall"; then
	check_eq "wall: folded is the JDK's reading" "$(cat "$TMP/exp.wall")" \
		"$(sort "$MNT/wall/wall/latest/folded")"
else
	bad "jfr_folded.py profiler.WallClockSample"
fi
check_eq "wall: 700 ms in all" "app.Main.main;app.Main.work 400000000
app.Main.main;app.Main.work;app.util.Spin.spin 300000000" "$(cat "$TMP/exp.wall")"
check_eq "wall: types" "cpu
mutex_count
mutex_duration
wall" "$(dirs "$MNT/wall")"
check_eq "wall: cpu as synthetic's" "$(sort "$MNT/synthetic/cpu/latest/folded")" \
	"$(sort "$MNT/wall/cpu/latest/folded")"
check_eq "wall: threads are labels" "os-thread
worker" "$(ls "$MNT/wall/wall/latest/labels/thread_name/" 2>&1 | sort)"

errors=$(cat "$MNT/.pyrofs/errors")
check_eq "errors: the flawed recordings" \
"jvm/badevent.jfr: JFR: chunk 1 (offset 0): bad event size at offset 123
jvm/badmeta.jfr: JFR: chunk 1 (offset 0): metadata: field gcId has unknown class 999
jvm/cycle.jfr: JFR: chunk 1: jdk.ExecutionSample event at offset 88: references or nesting deeper than 32 (a loop?)
jvm/huge.jfr: JFR: chunk 1 (offset 0): constant pool of jdk.types.StackTrace: a count larger than the bytes left" \
	"$(grep -v 'cut.jfr\|truncated.jfr' <<<"$errors")"
check "errors: truncated.jfr" grep -q \
	'^jvm/truncated.jfr: JFR: chunk 2 (offset [0-9]*): chunk of [0-9]* bytes, [0-9]* there (truncated)$' \
	<<<"$errors"
check "errors: cut.jfr" grep -q \
	'^jvm/cut.jfr: JFR: chunk [0-9]* (offset [0-9]*): .*truncated' <<<"$errors"
check_eq "errors: six lines" 6 "$(wc -l <<<"$errors")"

unmount
check_eq "daemon exit" 0 "$DAEMON_RC"
check_stderr "daemon stderr"
it_end

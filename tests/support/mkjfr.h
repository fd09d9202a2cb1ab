/*
 * mkjfr.h - write small synthetic Java Flight Recorder recordings for tests
 * (unit tests, the fuzz seeds, the mount test's bad recordings).
 *
 * Real recordings come from the JDK in tests/integration/jfr.sh; these are
 * the ones a JVM never writes: a flaw placed on purpose, and a recording
 * small enough to be a fuzz seed.  Each chunk (compressed integers, 1e6
 * ticks per second) holds, in this order: events, one constant pool, the
 * metadata; so pools and metadata come after the events that use them.
 *
 *   threads    1 "worker" (Java name), 2 no Java name, OS name "os-thread"
 *   methods    app/Main.main, app/Main.work (its name a pooled string),
 *              app/util/Spin.spin
 *   stacks     1: main:3 > work:12     2: main:3 > work:14 > spin:7
 *   events     jdk.ActiveSetting period of jdk.ExecutionSample = "20 ms";
 *              jdk.ExecutionSample: 3 on (worker, stack 1), 1 on
 *              (os-thread, stack 2); jdk.JavaMonitorEnter: 1 on (worker,
 *              stack 2) lasting 2000 ticks (2 ms); one event of a type the
 *              reader does not map (jdk.GCPhase)
 *
 * So per chunk, cpu folded is "app.Main.main;app.Main.work 60000000" and
 * "app.Main.main;app.Main.work;app.util.Spin.spin 20000000"; mutex_count
 * is 1 and mutex_duration 2000000 on the second stack.
 *
 * MKJFR_WALL is not a flaw: the recording as async-profiler writes it in
 * wall-clock mode, beside the above.  Its metadata adds
 * jdk.types.ThreadState and profiler.WallClockSample (startTime,
 * sampledThread, stackTrace, state, samples), its pool two thread states,
 * and its events (after the above) the jdk.ActiveSettings (45, "event",
 * "wall"), (jdk.ExecutionSample, "interval", "20000000") and
 * (profiler.WallClockSample, "interval", "50000000") then three
 * WallClockSamples: 4 samples on (worker, stack 1, sleeping), 2 on
 * (os-thread, stack 2), 1 on (worker, stack 2).  So per chunk, wall
 * folded is stack 1 200000000 and stack 2 150000000.
 */
#ifndef PYRO_TEST_MKJFR_H
#define PYRO_TEST_MKJFR_H

#include "../../model/buf.h"

enum mkjfr_flaw {
	MKJFR_GOOD,
	MKJFR_CP_CYCLE,         /* pooled string 7 is a reference to itself */
	MKJFR_HUGE_COUNT,       /* stack 1 says it has 2^31 - 1 frames */
	MKJFR_BAD_META,         /* a field of an unknown class */
	MKJFR_TRUNCATED,        /* the last chunk cut in half */
	MKJFR_BAD_EVENT,        /* an event size past the chunk's end */
	MKJFR_WALL,             /* good, plus async-profiler wall samples */
};

/* Append a recording of nchunks chunks with the flaw to out.  Cannot fail
 * (aborts on out of memory, as a test helper may). */
void mkjfr_build(struct pyro_buf *out, enum mkjfr_flaw flaw, int nchunks);

#endif

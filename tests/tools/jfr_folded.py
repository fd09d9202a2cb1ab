#!/usr/bin/env python3
"""jfr_folded.py - the JDK's own reading of a JFR recording, as folded stacks.

    jfr_folded.py FILE.jfr EVENT VALUE
    jfr_folded.py FILE.json EVENT VALUE

Runs `jfr print --json --stack-depth 2048 --events EVENT FILE.jfr` (the
JDK's reader, not pyrofs's), or reads what it printed (FILE.json, which may
hold several event types), and sums the EVENT events into
`root;...;leaf VALUE` lines, sorted, as
pyrofs's `folded` prints a type: a frame is the class name with '/' as '.',
then '.', then the method name.  VALUE is what one event weighs:

    count            1
    const:N          N (the CPU period in nanoseconds)
    field:NAME       the event's field NAME (tlabSize, allocationSize, weight)
    duration         the event's duration in nanoseconds
    scaled:NAME:N    the event's field NAME times N (async-profiler's
                     profiler.WallClockSample: samples x the wall interval)

Stacks whose sum is zero are left out, as pyrofs's folded leaves them out.
"""
import json
import re
import subprocess
import sys
from collections import defaultdict


def duration_ns(text):
    """An ISO-8601 duration as java.time.Duration prints it: PT1M2.000000003S."""
    m = re.fullmatch(r"(-?)PT(?:(\d+)H)?(?:(\d+)M)?(?:(-?\d+)(?:\.(\d+))?S)?", text)
    if not m:
        raise ValueError("duration " + text)
    sign, h, mi, s, frac = m.groups()
    ns = (int(h or 0) * 3600 + int(mi or 0) * 60 + int(s or 0)) * 10**9
    ns += int((frac or "0").ljust(9, "0")[:9])
    return -ns if sign else ns


def frame_name(frame):
    method = frame.get("method") or {}
    cls = method.get("type") or {}
    name = method.get("name") or "?"
    if cls.get("name") is not None:
        return cls["name"].replace("/", ".") + "." + name
    return name


def main():
    path, event, value = sys.argv[1:4]
    if path.endswith(".json"):
        with open(path, "rb") as f:
            out = f.read()
    else:
        out = subprocess.run(["jfr", "print", "--json", "--stack-depth",
                              "2048", "--events", event, path],
                             check=True, stdout=subprocess.PIPE).stdout
    events = json.loads(out)["recording"]["events"]
    sums = defaultdict(int)
    for ev in events:
        if ev["type"] != event:
            continue
        vals = ev["values"]
        if value == "count":
            v = 1
        elif value.startswith("const:"):
            v = int(value[6:])
        elif value.startswith("field:"):
            v = int(vals[value[6:]])
        elif value.startswith("scaled:"):
            name, n = value[7:].rsplit(":", 1)
            v = int(vals[name]) * int(n)
        elif value == "duration":
            v = duration_ns(vals["duration"])
        else:
            raise SystemExit("unknown VALUE " + value)
        st = vals.get("stackTrace")
        frames = (st or {}).get("frames") or []
        stack = ";".join(frame_name(f) for f in reversed(frames))
        sums[stack] += v
    for stack in sorted(sums):
        if sums[stack]:
            print(f"{stack} {sums[stack]}")


main()

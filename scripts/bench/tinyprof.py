#!/usr/bin/env python3
"""tinyprof.py - a few tiny pprof cpu profiles for the million-file bench.

    tinyprof.py DIR [N]

Writes DIR/s<k>/cpu-<k>.pb.gz for k < N (default 8): one sample type
(cpu nanoseconds), three stacks, no time_nanos (the name dates a link to
it), gzipped: a few hundred bytes that index in microseconds, so that a
million links to them measure pyrofs's indexing, not inflating.
"""
import gzip
import os
import sys


def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    """A length-delimited field."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def num(num_, v):
    return varint(num_ << 3) + varint(v)


def packed(num_, vals):
    return field(num_, b"".join(varint(v) for v in vals))


def profile(k):
    strings = ["", "cpu", "nanoseconds", "main", "work", "idle", "tick%d" % k]
    p = field(1, num(1, 1) + num(2, 2))
    for stack, v in (([2, 1], 30 + k), ([3, 1], 10), ([4, 2, 1], 5)):
        p += field(2, packed(1, stack) + packed(2, [v]))
    for i in range(1, 5):
        p += field(4, num(1, i) + field(4, num(1, i)))
        p += field(5, num(1, i) + num(2, 2 + i))
    for s in strings:
        p += field(6, s.encode())
    return gzip.compress(p)


def main():
    d, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8
    for k in range(n):
        os.makedirs(os.path.join(d, "s%d" % k), exist_ok=True)
        with open(os.path.join(d, "s%d" % k, "cpu-%d.pb.gz" % k), "wb") as f:
            f.write(profile(k))


main()

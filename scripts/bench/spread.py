#!/usr/bin/env python3
"""spread.py - a big archive made of hard links to a few profiles.

    spread.py BASE OUT SERVICES PER_SERVICE

Makes OUT/svcNNN/cpu-<unix seconds>.pb.gz, PER_SERVICE names in each of
SERVICES service directories, 10 s apart, each a hard link to one of the
profiles under BASE (cycled, BASE's own services taken in turn).  BASE's
profiles carry no time_nanos (genprof -T 1), so every name is a snapshot of
its own, dated by the name: the bench gets 100,000 or 1,000,000 snapshot
files in seconds and little disk, with the sizes of the profiles given.
(ext4 allows 65,000 links to a file: give BASE enough files.)
"""
import os
import sys


def main():
    base, out, nsvc, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    groups = []
    for d in sorted(os.listdir(base)):
        files = sorted(os.path.join(base, d, f) for f in os.listdir(os.path.join(base, d)))
        if files:
            groups.append(files)
    if not groups:
        sys.exit("spread.py: no profiles under " + base)
    t0 = 1795564800
    for s in range(nsvc):
        files = groups[s % len(groups)]
        d = os.path.join(out, "svc%03d" % s)
        os.makedirs(d, exist_ok=True)
        for k in range(per):
            os.link(files[k % len(files)], os.path.join(d, "cpu-%d.pb.gz" % (t0 + 10 * k)))


main()

#!/usr/bin/env python3
"""flamediff.py FOLDED SVG: check a differential flame.svg against its folded.

An independent computation: from the diff's two-column folded (`stack BASE
TARGET`, as difffolded.pl writes it) sum both sides over every stack prefix,
then read every box of the SVG (its call path rebuilt from the preorder of
the boxes and their rows, its name from the <title>) and compare its data-b
and data-t, its title's words and its colour with that sum.  Also: every
prefix wide enough to be drawn (>= 0.5 px of |base| + |target|) is drawn,
frames that vanished (target 0) are drawn, the subtitle states the net
change.  Prints one line per problem (at most 20) and exits 1 if any; on
success prints "frames=N vanished=N".
"""
import html
import re
import sys


def main():
    folded, svg_path = sys.argv[1], sys.argv[2]
    sums = {}
    tb = tt = 0
    for line in open(folded, encoding="utf-8", errors="replace"):
        stack, b, t = line.rstrip("\n").rsplit(" ", 2)
        b, t = int(b), int(t)
        tb += b
        tt += t
        frames = stack.split(";") if stack else []
        for i in range(len(frames) + 1):
            key = tuple(frames[:i])
            s = sums.setdefault(key, [0, 0, 0])
            s[0] += b
            s[1] += t
            s[2] += abs(b) + abs(t)
    svg = open(svg_path, encoding="utf-8").read()
    probs = []
    m = re.search(r'id="subtitle"[^>]*>([^<]*)<', svg)
    sub = html.unescape(m.group(1)) if m else ""
    if not sub.startswith("Change: ") or "\u2192" not in sub:
        probs.append("subtitle without the net change: %r" % sub)
    boxes = re.findall(r'<g data-o="\d+" data-v="\d+" data-b="(-?\d+)" '
                       r'data-t="(-?\d+)"><title>([^<]*)</title><rect x="[^"]*" '
                       r'y="(\d+)" width="[^"]*" height="\d+" fill="#([0-9a-f]{6})"',
                       svg)
    if not boxes:
        probs.append("no diff boxes")
    ymax = max(int(b[3]) for b in boxes) if boxes else 0
    path = []
    seen = set()
    vanished = 0
    for b, t, title, y, fill in boxes:
        b, t, y = int(b), int(t), int(y)
        title = html.unescape(title)
        name = title[:title.rfind(" (")]
        depth = (ymax - y) // 16
        if depth == 0:
            path = []
        else:
            path = path[:depth - 1] + [name]
        key = tuple(path)
        seen.add(key)
        want = sums.get(key)
        if want is None:
            probs.append("drawn frame not in folded: %s" % ";".join(key))
            continue
        if [b, t] != want[:2]:
            probs.append("%s: svg base %d target %d, folded %d %d" %
                         (";".join(key) or "all", b, t, want[0], want[1]))
        stat = title[title.rfind(" (") + 2:]
        if not stat.startswith("base ") or ", target " not in stat or \
           ", change " not in stat:
            probs.append("%s: title %r" % (";".join(key), title))
        r, g, bl = int(fill[0:2], 16), int(fill[2:4], 16), int(fill[4:6], 16)
        grey = r == g == bl
        faint = abs(t - b) <= 0.01 * (abs(t) + abs(b))
        if (grey and not faint) or (not grey and (t > b) != (r > bl)):
            probs.append("%s: colour #%s for %d -> %d" % (";".join(key), fill, b, t))
        if t == 0 and b > 0:
            vanished += 1
    if ymax and sums[()][:2] != [tb, tt]:
        probs.append("root sums")
    total = sums[()][2]
    nwide = sum(1 for k, v in sums.items() if v[2] * 1200 / total >= 0.5) if total else 0
    if nwide <= 2500:
        for k, v in sums.items():
            if v[2] * 1200 / total >= 0.5 and k not in seen:
                probs.append("wide frame not drawn: %s (%d %d)" % (";".join(k), v[0], v[1]))
    for p in probs[:20]:
        print(p)
    if probs:
        return 1
    print("frames=%d vanished=%d" % (len(boxes), vanished))
    return 0


sys.exit(main())

#!/usr/bin/env python3
"""fm-list.py - list a directory as a file manager does.

    fm-list.py DIR

readdir, then lstat of every entry and the extended attributes a file
manager asks for (listxattr, and getxattr of user.xdg.comment, answered
ENODATA or not): what Nautilus or Dolphin do before showing a directory.
Prints the number of entries.
"""
import errno
import os
import sys


def main():
    d = sys.argv[1]
    n = 0
    with os.scandir(d) as it:
        for e in it:
            os.lstat(e.path)
            try:
                os.listxattr(e.path, follow_symlinks=False)
                os.getxattr(e.path, "user.xdg.comment", follow_symlinks=False)
            except OSError as x:
                if x.errno not in (errno.ENODATA, errno.ENOTSUP, errno.EPERM):
                    raise
            n += 1
    print(n)


main()

/*
 * safeopen.h - the one way archive files are opened: beneath the archive's
 * root descriptor, never through a symlink, never blocking, regular files
 * only.
 *
 * "Nothing outside ARCHIVE is ever read" must hold whatever happens to the
 * archive while it is mounted.  O_NOFOLLOW on a whole path guards only its
 * last component: `mv A/svc A/.old; ln -s /elsewhere A/svc` turns
 * A/svc/cpu.pb.gz into /elsewhere/cpu.pb.gz.  So every archive file is
 * opened relative to a descriptor of the root, with openat2(2)
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel has it, else one
 * component at a time with O_NOFOLLOW; a component that is a symlink, a
 * ".." or an absolute path fails the open.
 *
 * A FIFO swapped in for a profile would block open(2) until a writer comes
 * (in a FUSE daemon: a reader stuck in D state): files are opened with
 * O_NONBLOCK, checked with fstat, and refused unless regular; O_NONBLOCK is
 * cleared afterwards.
 *
 * Errors are a negative errno with a short reason in why (for
 * /.pyrofs/errors): -ELOOP "symlink in path: not followed (svc)" for a
 * component that is a symlink, -EINVAL "not a regular file (fifo)", -EXDEV
 * "path leaves the archive" for "..", "." or absolute paths, else the errno
 * of the failing call.
 */
#ifndef PYRO_SAFEOPEN_H
#define PYRO_SAFEOPEN_H

#include <sys/stat.h>

#include "profile.h"    /* PYRO_ERR_MAX */

/* Open the archive root dir as an anchor (O_PATH | O_DIRECTORY, the last
 * component not followed).  Returns the descriptor (owned by the caller:
 * close it) or a negative errno: -ELOOP if root is a symlink, -ENOTDIR if
 * it is not a directory. */
int pyro_root_open(const char *root);

/* Open the regular file at relpath (relative, '/'-separated, no "." or ".."
 * component) beneath rootfd for reading.  Returns a descriptor (owned by the
 * caller) or a negative errno with why filled.  st, if not NULL, receives
 * fstat of the opened file. */
int pyro_open_beneath(int rootfd, const char *relpath, struct stat *st,
		      char why[PYRO_ERR_MAX]);

/* pyro_open_beneath without trying openat2: the component walk that
 * kernels without openat2 get.  For tests, so both ways are checked. */
int pyro_open_beneath_walk(int rootfd, const char *relpath, struct stat *st,
			   char why[PYRO_ERR_MAX]);

/* fstat of whatever is at relpath beneath rootfd (same rules, nothing
 * opened for reading: a FIFO is stat'ed, not waited on). */
int pyro_stat_beneath(int rootfd, const char *relpath, struct stat *st,
		      char why[PYRO_ERR_MAX]);

/* Open the directory at relpath ("" or "." for the root itself) beneath
 * rootfd, for reading its entries (fdopendir).  Same rules. */
int pyro_opendir_beneath(int rootfd, const char *relpath,
			 char why[PYRO_ERR_MAX]);

/* Open name in dirfd as pyro_open_beneath opens its last component: no
 * symlink, no blocking, regular files only.  dirfd may be AT_FDCWD and name
 * a whole path (then only its last component is guarded: for tools and
 * tests that read a file they were given, not for archive files). */
int pyro_open_regular_at(int dirfd, const char *name, struct stat *st,
			 char why[PYRO_ERR_MAX]);

/* "fifo", "socket", "character device", "block device", "directory",
 * "symlink", "regular file" or "unknown type" for a mode. */
const char *pyro_mode_name(mode_t mode);

#endif

/*
 * safeopen.c - open archive files beneath the root, without symlinks,
 * without blocking; see safeopen.h.
 *
 * openat2(2) does the whole walk in the kernel, atomically; kernels before
 * 5.6 (or sandboxes that filter it) answer ENOSYS, and then the walk is done
 * here, one openat(2) per component with O_NOFOLLOW.  Both refuse the same
 * paths.  When openat2 fails on a symlink, the walk is redone by hand only
 * to name the component that was a symlink in the reason.
 */
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

const char *pyro_mode_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "unknown type";
	}
}

/* Refuse what is not a regular file, then make reads blocking again. */
static int check_regular(int fd, struct stat *st, char why[PYRO_ERR_MAX])
{
	struct stat tmp;
	int fl;

	if (!st)
		st = &tmp;
	if (fstat(fd, st) != 0) {
		int e = errno;

		snprintf(why, PYRO_ERR_MAX, "fstat: %s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, PYRO_ERR_MAX, "not a regular file (%s)",
			 pyro_mode_name(st->st_mode));
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		int e = errno;

		snprintf(why, PYRO_ERR_MAX, "fcntl: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* The reason an openat(dirfd, name, ... O_NOFOLLOW) failed with e. */
static int open_failed(int dirfd, const char *name, const char *shown, int e,
		       char why[PYRO_ERR_MAX])
{
	struct stat st;

	if ((e == ELOOP || e == ENOTDIR) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		snprintf(why, PYRO_ERR_MAX, "symlink in path: not followed (%s)",
			 shown);
		return -ELOOP;
	}
	snprintf(why, PYRO_ERR_MAX, "open: %s", strerror(e));
	return -e;
}

int pyro_open_regular_at(int dirfd, const char *name, struct stat *st,
			 char why[PYRO_ERR_MAX])
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
			O_NONBLOCK | O_NOCTTY);
	int rc;

	if (fd < 0)
		return open_failed(dirfd, name, name, errno, why);
	rc = check_regular(fd, st, why);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int pyro_root_open(const char *root)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int e = errno;
	struct stat st;

	if (fd >= 0)
		return fd;
	/* O_PATH | O_NOFOLLOW opens a symlink itself, which O_DIRECTORY then
	 * refuses as ENOTDIR: tell the two apart. */
	if (e == ENOTDIR && lstat(root, &st) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -e;
}

/* relpath's components are plain names: no "", ".", "..", leading '/'. */
static int check_relpath(const char *relpath, char why[PYRO_ERR_MAX])
{
	const char *p = relpath;

	while (1) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			snprintf(why, PYRO_ERR_MAX, "path leaves the archive: "
				 "not followed");
			return -EXDEV;
		}
		if (n > NAME_MAX) {
			snprintf(why, PYRO_ERR_MAX, "open: %s",
				 strerror(ENAMETOOLONG));
			return -ENAMETOOLONG;
		}
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* Walk the directories of relpath up to its last component by hand: the
 * descriptor of the last directory (rootfd itself if none: do not close
 * it then), *last set to the last component. */
static int walk_dirs(int rootfd, const char *relpath, const char **last,
		     char why[PYRO_ERR_MAX])
{
	char name[NAME_MAX + 1];
	const char *p = relpath, *slash;
	int dirfd = rootfd;

	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);
		int fd;

		memcpy(name, p, n);
		name[n] = '\0';
		fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0) {
			char shown[PATH_MAX];
			int e = errno;

			snprintf(shown, sizeof(shown), "%.*s",
				 (int)(slash - relpath), relpath);
			e = open_failed(dirfd, name, shown, e, why);
			if (dirfd != rootfd)
				close(dirfd);
			return e;
		}
		if (dirfd != rootfd)
			close(dirfd);
		dirfd = fd;
		p = slash + 1;
	}
	*last = p;
	return dirfd;
}

/* openat2 beneath rootfd with no symlink anywhere: a descriptor, a
 * negative errno, or -ENOSYS where the kernel lacks it. */
static int open2(int rootfd, const char *relpath, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOFOLLOW);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, rootfd, relpath, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The common part: open relpath beneath rootfd with flags, by openat2 or
 * by hand. */
static int open_beneath(int rootfd, const char *relpath, int flags,
			int fast, char why[PYRO_ERR_MAX])
{
	const char *last = relpath;
	int dirfd, fd, rc;

	rc = check_relpath(relpath, why);
	if (rc)
		return rc;
	fd = fast ? open2(rootfd, relpath, flags) : -ENOSYS;
	if (fd >= 0)
		return fd;
	/* Any other failure is diagnosed (or, ENOSYS, done) by hand. */
	if (fd != -ENOSYS && fd != -ELOOP && fd != -ENOTDIR && fd != -EXDEV) {
		snprintf(why, PYRO_ERR_MAX, "open: %s", strerror(-fd));
		return fd;
	}
	dirfd = walk_dirs(rootfd, relpath, &last, why);
	if (dirfd < 0)
		return dirfd;
	fd = openat(dirfd, last, flags | O_CLOEXEC | O_NOFOLLOW);
	rc = fd >= 0 ? fd : open_failed(dirfd, last, relpath, errno, why);
	if (dirfd != rootfd)
		close(dirfd);
	return rc;
}

/* A regular file beneath rootfd, by openat2 first if fast. */
static int open_file(int rootfd, const char *relpath, struct stat *st,
		     int fast, char why[PYRO_ERR_MAX])
{
	int fd = open_beneath(rootfd, relpath,
			      O_RDONLY | O_NONBLOCK | O_NOCTTY, fast, why);
	int rc;

	if (fd < 0)
		return fd;
	rc = check_regular(fd, st, why);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int pyro_open_beneath(int rootfd, const char *relpath, struct stat *st,
		      char why[PYRO_ERR_MAX])
{
	return open_file(rootfd, relpath, st, 1, why);
}

int pyro_open_beneath_walk(int rootfd, const char *relpath, struct stat *st,
			   char why[PYRO_ERR_MAX])
{
	return open_file(rootfd, relpath, st, 0, why);
}

int pyro_stat_beneath(int rootfd, const char *relpath, struct stat *st,
		      char why[PYRO_ERR_MAX])
{
	int fd = open_beneath(rootfd, relpath, O_PATH, 1, why);
	int rc = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) != 0) {
		rc = -errno;
		snprintf(why, PYRO_ERR_MAX, "fstat: %s", strerror(-rc));
	}
	close(fd);
	return rc;
}

int pyro_opendir_beneath(int rootfd, const char *relpath,
			 char why[PYRO_ERR_MAX])
{
	if (!relpath[0] || !strcmp(relpath, ".")) {
		int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		int e = errno;

		if (fd < 0) {
			snprintf(why, PYRO_ERR_MAX, "%s", strerror(e));
			return -e;
		}
		return fd;
	}
	return open_beneath(rootfd, relpath, O_RDONLY | O_DIRECTORY, 1, why);
}

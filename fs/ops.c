/*
 * ops.c - FUSE glue: each operation resolves its path to a node with one
 * call and hands the work to the rest of fs/ (fs.h).  Nothing here knows about profiles or
 * output formats; everything is read-only and every write answers EROFS.
 *
 * An open file holds a reference to its rendered bytes in fi->fh, so all
 * reads of one open see the same bytes even if the cache evicts them, and
 * reads at any offset are plain slices.
 */
#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fs.h"

static struct pyro_fs *ctx_fs(void)
{
	return fuse_get_context()->private_data;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;               /* our inode numbers: see kinds.c */
	cfg->readdir_ino = 1;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	/* File managers probe for .hidden, .Trash, autorun.inf, ...: let the
	 * kernel remember that they are absent. */
	cfg->negative_timeout = 1.0;
	/* read and release work from fi->fh alone: an open file keeps
	 * reading after its path has gone from the tree. */
	cfg->nullpath_ok = 1;
	/* Here, not in main(): init runs in the daemon after its fork. */
	if (pyro_fs_watch(ctx_fs()))
		fprintf(stderr, "pyrofs: cannot start watching the archive; "
			"changes will not show\n");
	return ctx_fs();
}

/* fstat of an open file whose path has gone (nullpath_ok): what it holds. */
static int stat_open_file(const struct fuse_file_info *fi, struct stat *st)
{
	const struct pyro_blob *b = (const struct pyro_blob *)(uintptr_t)fi->fh;

	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_size = (off_t)b->len;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((b->len + 511) / 512);
	return 0;
}

static int op_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct pyro_node n;
	int rc;

	if (!path)
		return fi && fi->fh ? stat_open_file(fi, st) : -ENOENT;
	rc = pyro_resolve(ctx_fs(), path, &n);
	if (rc)
		return rc;
	rc = pyro_node_stat(ctx_fs(), &n, st);
	/* fstat of an open file: the size of the bytes it reads, which a
	 * file sized by its cache may not have in the cache (any more). */
	if (!rc && fi && fi->fh && S_ISREG(st->st_mode)) {
		const struct pyro_blob *b = (const struct pyro_blob *)(uintptr_t)fi->fh;

		st->st_size = (off_t)b->len;
		st->st_blocks = (blkcnt_t)((b->len + 511) / 512);
	}
	pyro_node_release(&n);
	return rc;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct pyro_node n;
	const char *target;
	int rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;

	if (rc)
		return rc;
	rc = pyro_node_readlink(&n, &target);
	if (!rc && size == 0)
		rc = -EINVAL;
	if (!rc) {
		strncpy(buf, target, size - 1);
		buf[size - 1] = '\0';
	}
	pyro_node_release(&n);
	return rc;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct pyro_node n;
	struct pyro_blob *b;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;
	if (rc)
		return rc;
	rc = pyro_node_bytes(ctx_fs(), &n, &b);
	if (!rc) {
		/* The open file keeps its bytes, not the index: reads see one
		 * rendering however the archive changes meanwhile. */
		fi->fh = (uint64_t)(uintptr_t)b;
		/* See pyro_node_immutable: snapshot files keep their pages
		 * (unless rewritten in place: pyro_node_keep_pages);
		 * everything that may change bypasses the page cache. */
		fi->keep_cache = pyro_node_keep_pages(ctx_fs(), &n);
		fi->direct_io = !pyro_node_immutable(ctx_fs(), &n);
		/* A listing may have given it size 0 (not rendered yet):
		 * drop the kernel's attributes now, so the fstat that
		 * follows an open asks again and learns the size.  Browsers reading
		 * file:// (Chromium) read as many bytes as fstat says.  The
		 * notice is processed before this open returns; -ENOENT
		 * (a path the kernel has forgotten) is no error. */
		if (pyro_node_sized_by_cache(&n))
			(void)fuse_invalidate_path(fuse_get_context()->fuse, path);
	}
	pyro_node_release(&n);
	return rc;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	const struct pyro_blob *b = (const struct pyro_blob *)(uintptr_t)fi->fh;

	(void)path;
	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= b->len)
		return 0;
	if (size > b->len - (size_t)off)
		size = b->len - (size_t)off;
	memcpy(buf, b->data + off, size);
	return (int)size;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	pyro_obj_put((struct pyro_obj *)(uintptr_t)fi->fh);
	return 0;
}

/* One entry of a directory listing, with what readdirplus may say of it. */
struct dir_entry {
	char *name;                     /* owned */
	struct stat st;
	int exact;                      /* st is what getattr answers */
};

/* An open directory.  With nullpath_ok, readdir gets no path: it is kept
 * here.  The listing is taken whole at offset 0 and handed out from here
 * by offset: libfuse 3.14 passes readdirplus attributes to the kernel only
 * for entries filled with their offsets, and one listing keeps the chunks
 * of one `ls` consistent while the archive changes. */
struct dir_handle {
	char *path;                     /* owned */
	struct dir_entry *ents;         /* owned; "." and ".." first */
	size_t n, cap;
	int rc;                         /* -ENOMEM while listing */
};

static void dir_clear(struct dir_handle *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->ents[i].name);
	free(h->ents);
	h->ents = NULL;
	h->n = h->cap = 0;
	h->rc = 0;
}

/* Add name (st NULL: "." or "..", no attributes) to h's listing. */
static int dir_add(struct dir_handle *h, const char *name,
		   const struct stat *st, int exact)
{
	struct dir_entry *e;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;

		e = realloc(h->ents, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		h->ents = e;
		h->cap = cap;
	}
	e = &h->ents[h->n];
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	if (st)
		e->st = *st;
	else
		memset(&e->st, 0, sizeof(e->st));
	e->exact = st ? exact : -1;
	h->n++;
	return 0;
}

struct fill_ctx {
	struct pyro_fs *fs;
	struct dir_handle *h;
};

static int fill_one(void *arg, const char *name, const struct pyro_node *c)
{
	struct fill_ctx *ctx = arg;
	struct stat st;
	/* readdirplus: an entry with its attributes is one lookup the kernel
	 * need not make (a file manager's listing is a lookup per entry).
	 * Which entries carry them, and why, is pyro_node_stat_listed's. */
	int exact = pyro_node_stat_listed(ctx->fs, c, &st);

	ctx->h->rc = dir_add(ctx->h, name, &st, exact);
	return ctx->h->rc != 0;
}

static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct pyro_node n;
	struct stat st;
	struct dir_handle *h;
	int rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;

	if (rc)
		return rc;
	pyro_node_stat_cheap(ctx_fs(), &n, &st);
	pyro_node_release(&n);
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->path = strdup(path);
	if (!h->path) {
		free(h);
		return -ENOMEM;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct dir_handle *h = (struct dir_handle *)(uintptr_t)fi->fh;

	(void)path;
	if (h) {
		dir_clear(h);
		free(h->path);
		free(h);
	}
	return 0;
}

/* Take the listing of h->path into h. */
static int dir_list(struct dir_handle *h)
{
	struct fill_ctx ctx = { ctx_fs(), h };
	struct pyro_node n;
	int rc;

	dir_clear(h);
	rc = pyro_resolve(ctx.fs, h->path, &n);
	if (rc)
		return rc;
	rc = dir_add(h, ".", NULL, 0);
	if (!rc)
		rc = dir_add(h, "..", NULL, 0);
	if (!rc)
		rc = pyro_node_list(ctx.fs, &n, fill_one, &ctx);
	if (!rc)
		rc = h->rc;
	pyro_node_release(&n);
	if (rc)
		dir_clear(h);
	return rc;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct dir_handle *h = fi ? (struct dir_handle *)(uintptr_t)fi->fh : NULL;
	enum fuse_fill_dir_flags plus = 0;
	size_t i;
	int rc;

	(void)path;
	if (!h)
		return -ENOENT;
	if (off < 0)
		return -EINVAL;
	/* Offset 0 is a new listing (opendir, or rewinddir). */
	if (off == 0 || !h->ents) {
		rc = dir_list(h);
		if (rc)
			return rc;
	}
	if (flags & FUSE_READDIR_PLUS)
		plus = FUSE_FILL_DIR_PLUS;
	for (i = (size_t)off; i < h->n; i++) {
		const struct dir_entry *e = &h->ents[i];

		if (filler(buf, e->name, e->exact < 0 ? NULL : &e->st,
			   (off_t)(i + 1), e->exact > 0 ? plus : 0))
			break;
	}
	return 0;
}

static int op_access(const char *path, int mask)
{
	struct pyro_node n;
	int rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;

	if (rc)
		return rc;
	pyro_node_release(&n);
	return (mask & W_OK) ? -EROFS : 0;
}

static int op_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = 4096;
	sv->f_frsize = 4096;
	sv->f_namemax = 255;
	sv->f_flag = ST_RDONLY;
	return 0;
}

/* Files are always ready, and the kernel says so itself once poll answers
 * ENOSYS.  We answer it rather than leave .poll unset because libfuse 3.14
 * then leaks the poll handle of the first request (Go's runtime polls
 * every file it opens, so `go tool pprof profile.pb.gz` would leak). */
static int op_poll(const char *path, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph, unsigned *reventsp)
{
	(void)path;
	(void)fi;
	(void)reventsp;
	if (ph)
		fuse_pollhandle_destroy(ph);
	return -ENOSYS;
}

/* ---- extended attributes (read-only) ----------------------------------- */

/* Copy b into value as getxattr(2)/listxattr(2) want: size 0 asks for the
 * size, a smaller buffer is ERANGE. */
static int xattr_reply(const struct pyro_buf *b, char *value, size_t size)
{
	if (b->len > INT32_MAX)
		return -E2BIG;
	if (size == 0)
		return (int)b->len;
	if (b->len > size)
		return -ERANGE;
	if (b->len)
		memcpy(value, b->data, b->len);
	return (int)b->len;
}

static int op_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_node n;
	int rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;

	if (rc)
		return rc;
	rc = pyro_node_xattr(ctx_fs(), &n, name, &b);
	if (!rc)
		rc = xattr_reply(&b, value, size);
	pyro_buf_release(&b);
	pyro_node_release(&n);
	return rc;
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	struct pyro_node n;
	int rc = path ? pyro_resolve(ctx_fs(), path, &n) : -ENOENT;

	if (rc)
		return rc;
	rc = pyro_node_xattr_list(&n, &b);
	if (!rc)
		rc = xattr_reply(&b, list, size);
	pyro_buf_release(&b);
	pyro_node_release(&n);
	return rc;
}

/* ---- every write answers EROFS ---------------------------------------- */

static int rofs_path(const char *path)
{
	(void)path;
	return -EROFS;
}

static int rofs_mode(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return -EROFS;
}

static int rofs_two(const char *from, const char *to)
{
	(void)from;
	(void)to;
	return -EROFS;
}

static int op_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)dev;
	return rofs_mode(path, mode);
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	(void)flags;
	return rofs_two(from, to);
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)fi;
	return rofs_mode(path, mode);
}

static int op_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	(void)uid;
	(void)gid;
	(void)fi;
	return rofs_path(path);
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)size;
	(void)fi;
	return rofs_path(path);
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)buf;
	(void)size;
	(void)off;
	(void)fi;
	return rofs_path(path);
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)fi;
	return rofs_mode(path, mode);
}

static int op_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	return rofs_path(path);
}

static int op_removexattr(const char *path, const char *name)
{
	(void)name;
	return rofs_path(path);
}

static int op_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	(void)tv;
	(void)fi;
	return rofs_path(path);
}

static int op_fallocate(const char *path, int mode, off_t off, off_t len,
			struct fuse_file_info *fi)
{
	(void)mode;
	(void)off;
	(void)len;
	(void)fi;
	return rofs_path(path);
}

const struct fuse_operations pyro_fuse_ops = {
	.init = op_init,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.open = op_open,
	.read = op_read,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.access = op_access,
	.statfs = op_statfs,
	.mknod = op_mknod,
	.mkdir = rofs_mode,
	.unlink = rofs_path,
	.rmdir = rofs_path,
	.symlink = rofs_two,
	.rename = op_rename,
	.link = rofs_two,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.write = op_write,
	.create = op_create,
	.poll = op_poll,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.setxattr = op_setxattr,
	.removexattr = op_removexattr,
	.utimens = op_utimens,
	.fallocate = op_fallocate,
};

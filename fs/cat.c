/*
 * cat.c - pyrofs-cat: print one node of the pyrofs tree without mounting.
 *
 *   pyrofs-cat [-o opt[,opt]] ARCHIVE [PATH]
 *
 * A file prints its bytes, a directory its entries (one per line, '/' after
 * directories, "name -> target" for links), exactly as the mounted tree
 * would show them.  It links the same library as the daemon and no FUSE, so
 * it is both a debugging oracle for the mount and proof that fs/ logic does
 * not depend on FUSE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

static void usage(FILE *f)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	fprintf(f, "usage: pyrofs-cat [-o opt[,opt...]] ARCHIVE [PATH]\n"
		   "Print a file or list a directory of the pyrofs tree of ARCHIVE.\n"
		   "options:\n%s", pyro_fs_opts_help);
	if (!pyro_src_help(&b) && b.len)
		fprintf(f, "%.*s", (int)b.len, b.data);
	pyro_buf_release(&b);
}

static int print_entry(void *ctx, const char *name, const struct pyro_node *c)
{
	const struct pyro_fs *fs = ctx;
	const char *target;
	struct stat st;

	pyro_node_stat_cheap(fs, c, &st);
	if (!pyro_node_readlink(c, &target))
		printf("%s -> %s\n", name, target);
	else
		printf("%s%s\n", name, S_ISDIR(st.st_mode) ? "/" : "");
	return 0;
}

static int apply_opts(struct pyro_fs_opts *o, char *list)
{
	char err[PYRO_ERR_MAX], *save = NULL, *kv;

	for (kv = strtok_r(list, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		int rc = pyro_fs_opt(o, kv, err);

		if (rc < 0) {
			fprintf(stderr, "pyrofs-cat: %s\n", err);
			return rc;
		}
		/* pyrofs hands keys that are not ours to FUSE; here nothing
		 * would take them, and a typo must not pass in silence. */
		if (rc > 0) {
			fprintf(stderr, "pyrofs-cat: unknown option: %s\n", kv);
			return -EINVAL;
		}
	}
	return 0;
}

/* Print the node n (resolved, referenced). */
static int show_node(struct pyro_fs *fs, const struct pyro_node *n)
{
	struct pyro_blob *b;
	const char *target;
	struct stat st;
	int rc;

	if (!pyro_node_readlink(n, &target)) {
		printf("%s\n", target);
		return 0;
	}
	pyro_node_stat_cheap(fs, n, &st);
	if (S_ISDIR(st.st_mode))
		return pyro_node_list(fs, n, print_entry, fs);
	rc = pyro_node_bytes(fs, n, &b);
	if (rc)
		return rc;
	if (fwrite(b->data, 1, b->len, stdout) != b->len)
		rc = -EIO;
	pyro_obj_put(&b->obj);
	return rc;
}

static int show(struct pyro_fs *fs, const char *path)
{
	struct pyro_node n;
	int rc = pyro_resolve(fs, path, &n);

	if (rc)
		return rc;
	rc = show_node(fs, &n);
	pyro_node_release(&n);
	return rc;
}

int main(int argc, char **argv)
{
	struct pyro_fs_opts opts;
	struct pyro_fs *fs = NULL;
	char err[PYRO_ERR_MAX];
	const char *path;
	int c, rc;

	pyro_fs_opts_init(&opts);
	while ((c = getopt(argc, argv, "ho:")) != -1) {
		if (c == 'o' && apply_opts(&opts, optarg) == 0)
			continue;
		usage(c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	path = optind + 1 < argc ? argv[optind + 1] : "/";
	rc = pyro_fs_open(argv[optind], &opts, &fs, err);
	if (rc) {
		fprintf(stderr, "pyrofs-cat: %s\n", err);
		return 1;
	}
	rc = show(fs, path);
	if (rc)
		fprintf(stderr, "pyrofs-cat: %s: %s\n", path, strerror(-rc));
	pyro_fs_close(fs);
	return rc ? 1 : 0;
}

/*
 * main.c - the pyrofs command line.
 *
 *   pyrofs [options] ARCHIVE MOUNTPOINT
 *
 * Options parse straight into struct cli: our -o keys (and those a source
 * kind claims) go to pyro_fs_opt(),
 * fstab-only keys (noauto, nofail, _netdev, x-*, ...) are dropped, and the
 * rest (-f, -d, -s, FUSE's -o keys) pass through to libfuse.  The source
 * (ARCHIVE: what pyro_src_open takes) is opened and indexed before
 * mounting, so a mount that appears is ready to serve, and
 * the parent process returns only then (fuse_main daemonizes after mount).
 * Teardown runs in reverse order of setup through the goto ladder.
 */
#include "ops.h"

#include <dirent.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

#include "fs.h"
#include "loop.h"

struct cli {
	struct pyro_fs_opts opts;
	const char *source;             /* ARCHIVE, borrowed from argv */
	const char *mountpoint;         /* borrowed from argv */
	int show_help;
	int show_version;
	int bad;                        /* an option failed to parse */
};

enum { KEY_HELP, KEY_VERSION };

static const struct fuse_opt cli_spec[] = {
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END
};

/* mount(8) and systemd keys that mean nothing to a FUSE filesystem. */
static int fstab_only(const char *opt)
{
	static const char *const keys[] = {
		"auto", "noauto", "nofail", "user", "users", "nouser", "owner",
		"group", "_netdev", "defaults", "rw",
	};
	size_t i;

	if (!strncmp(opt, "x-", 2) || !strncmp(opt, "comment=", 8))
		return 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(opt, keys[i]))
			return 1;
	return 0;
}

static int cli_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct cli *cli = data;
	char err[PYRO_ERR_MAX];
	int rc;

	(void)outargs;
	switch (key) {
	case KEY_HELP:
		cli->show_help = 1;
		return 0;
	case KEY_VERSION:
		cli->show_version = 1;
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		if (!cli->source) {
			cli->source = arg;
			return 0;
		}
		if (!cli->mountpoint) {
			cli->mountpoint = arg;
			return 1;       /* libfuse mounts it */
		}
		fprintf(stderr, "pyrofs: unexpected argument: %s\n", arg);
		cli->bad = 1;
		return -1;
	case FUSE_OPT_KEY_OPT:
		rc = pyro_fs_opt(&cli->opts, arg, err);
		if (rc < 0) {
			fprintf(stderr, "pyrofs: %s\n", err);
			cli->bad = 1;
			return -1;
		}
		if (rc == 0 || fstab_only(arg))
			return 0;
		return 1;
	default:
		return 1;
	}
}

/* What goes where <time> does (README "Time names"). */
static const char time_names_help[] =
	"Time names (a directory under <service>/<type>/, and both sides of\n"
	"diff/<base>/<time>/):\n"
	"    2026-11-24T10-15-00Z   one snapshot (ls the type directory)\n"
	"    latest, all            the newest snapshot; every snapshot merged\n"
	"    2026-11-24, 2026-11-24T10\n"
	"                           a UTC day, a UTC hour, merged\n"
	"    FROM..TO               a range: 2026-11-24T10-05..2026-11-24T10-20\n"
	"    last-15m, last-24h     the window ending at the newest snapshot\n"
	"                           (units s, m, h, d, w)\n";

static const char examples_help[] =
	"Examples:\n"
	"    pyrofs /srv/profiles /mnt/prof\n"
	"    cat /mnt/prof/api/cpu/latest/top.txt          # what is slow now\n"
	"    cat /mnt/prof/api/inuse_space/growth.txt      # is something leaking\n"
	"    cat /mnt/prof/api/cpu/diff/2026-11-24/latest/top.txt\n"
	"                                    # what changed since that day\n";

static void usage(const char *prog)
{
	struct pyro_buf b = PYRO_BUF_INIT;

	printf("usage: %s [options] ARCHIVE MOUNTPOINT\n\n"
	       "Mount a directory of pprof profiles read-only as\n"
	       "MOUNTPOINT/<service>/<type>/<time>/{top.txt,folded,flame.svg}.\n"
	       "Unmount with: fusermount3 -u MOUNTPOINT\n\n"
	       "pyrofs options:\n"
	       "    -f                     stay in the foreground\n"
	       "    -d                     FUSE debug output (implies -f)\n"
	       "    -s                     single-threaded\n%s\n", prog,
	       pyro_fs_opts_help);
	if (!pyro_src_help(&b) && b.len)
		printf("%.*s\n", (int)b.len, b.data);
	pyro_buf_release(&b);
	printf("%s\n%s\n", time_names_help, examples_help);
}

/* 1 if something is mounted on mp (stat st): its device differs from its
 * parent's (or it is "/").  A mounted pyrofs is also "not empty": say
 * what it really is.  An empty mount point of another filesystem stays
 * usable, as before. */
static int is_mount_point(const char *mp, const struct stat *st)
{
	char parent[PATH_MAX];
	struct stat pst;

	if (snprintf(parent, sizeof(parent), "%s/..", mp) >= (int)sizeof(parent) ||
	    stat(parent, &pst) != 0)
		return 0;
	return pst.st_dev != st->st_dev || pst.st_ino == st->st_ino;
}

/* One-line diagnosis of a mountpoint we cannot use, or 0. */
static int check_mountpoint(const char *mp)
{
	struct dirent *de;
	struct statfs sf;
	struct stat st;
	DIR *d;
	int empty = 1, mounted, fuse;

	if (stat(mp, &st) != 0) {
		int e = errno;

		fprintf(stderr, "pyrofs: mountpoint %s: %s%s\n", mp, strerror(e),
			e == ENOTCONN ? " (a dead FUSE mount: fusermount3 -u it)" : "");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "pyrofs: mountpoint %s is not a directory\n", mp);
		return -1;
	}
	mounted = is_mount_point(mp, &st);
	fuse = mounted && statfs(mp, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC;
	if (fuse) {
		fprintf(stderr, "pyrofs: mountpoint %s is already a mount point "
			"(a FUSE filesystem is mounted there)\n", mp);
		return -1;
	}
	d = opendir(mp);
	if (!d) {
		fprintf(stderr, "pyrofs: mountpoint %s: %s\n", mp, strerror(errno));
		return -1;
	}
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	if (!empty && mounted) {
		fprintf(stderr, "pyrofs: mountpoint %s is already a mount point\n", mp);
		return -1;
	}
	if (!empty) {
		fprintf(stderr, "pyrofs: mountpoint %s is not an empty directory\n", mp);
		return -1;
	}
	return 0;
}

static int check_dev_fuse(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "pyrofs: cannot open /dev/fuse (%s): is FUSE "
			"available here (modprobe fuse; apt-get install fuse3)?\n",
			strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* -o fsname=SOURCE,subtype=pyrofs,default_permissions,ro (the source's
 * name escaped: an archive's real path).  default_permissions: the kernel
 * checks the modes the tree reports (0444 files, 0555 directories, less
 * with umask=), so with allow_other, uid=, gid= and umask= mean what they
 * say; without it the kernel would let every user of allow_other read
 * everything. */
static int add_mount_opts(struct fuse_args *args, const char *source)
{
	char *opts = NULL, *fsname;
	int rc = -1;

	if (asprintf(&fsname, "fsname=%s", source) < 0)
		return -1;
	if (!fuse_opt_add_opt_escaped(&opts, fsname) &&
	    !fuse_opt_add_opt(&opts, "subtype=pyrofs") &&
	    !fuse_opt_add_opt(&opts, "default_permissions") &&
	    !fuse_opt_add_opt(&opts, "ro") &&
	    !fuse_opt_add_arg(args, "-o") && !fuse_opt_add_arg(args, opts))
		rc = 0;
	free(opts);
	free(fsname);
	return rc;
}

/* Print our help or version, then libfuse's. */
static void show_info(const struct cli *cli, const char *prog,
		      struct fuse_args *args)
{
	if (cli->show_help) {
		usage(prog);
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lib_help(args);
	} else {
		printf("pyrofs version %s\nFUSE library version %s\n",
		       PYRO_VERSION, fuse_pkgversion());
		fflush(stdout);
		fuse_lowlevel_version();
	}
}

/* libfuse's loops return the number of the signal that stopped them;
 * SIGINT, SIGTERM and SIGHUP are a clean stop (exit 0, as systemd
 * expects), which fuse_main would report as a failure. */
static int loop_exit(int res)
{
	return res == 0 || res == SIGINT || res == SIGTERM || res == SIGHUP ? 0 : 1;
}

/* Serve until unmounted or stopped by a signal: our loop (loop.c), unless
 * -s asks for one thread or -o clone_fd for libfuse's loop (the one that
 * clones /dev/fuse per thread). */
static int serve(struct fuse *fuse, const struct fuse_cmdline_opts *fo)
{
	struct fuse_loop_config *cfg;
	int res;

	if (fo->singlethread)
		return loop_exit(fuse_loop(fuse));
	if (!fo->clone_fd) {
		/* What fuse_loop_mt does around its loop: the thread that
		 * forgets nodes after -o remember's time. */
		if (fuse_start_cleanup_thread(fuse) != 0)
			return 1;
		res = pyro_loop_serve(fuse_get_session(fuse), fo->max_threads);
		fuse_stop_cleanup_thread(fuse);
		if (res < 0)
			fprintf(stderr, "pyrofs: serving: %s\n", strerror(-res));
		return res < 0;
	}
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		return 1;
	fuse_loop_cfg_set_clone_fd(cfg, (unsigned int)fo->clone_fd);
	fuse_loop_cfg_set_max_threads(cfg, fo->max_threads);
	/* Unset, it is UINT_MAX, which 3.14 rejects with a warning. */
	if (fo->max_idle_threads != UINT_MAX)
		fuse_loop_cfg_set_idle_threads(cfg, fo->max_idle_threads);
	res = fuse_loop_mt(fuse, cfg);
	fuse_loop_cfg_destroy(cfg);
	return loop_exit(res);
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts fo = { 0 };
	struct fuse *fuse = NULL;
	struct pyro_fs *fs = NULL;
	struct cli cli = { 0 };
	char err[PYRO_ERR_MAX];
	int ret = 1;

	/* glibc gives each thread that allocates an arena of its own (up to 8
	 * per core), and freed memory stays in them: with FUSE's worker
	 * threads and the merge decoders, RSS grew with the number of threads
	 * that once rendered something.  One arena: memory one thread freed
	 * serves the next read whichever thread takes it.  Against two, the
	 * peak RSS after 3,000 distinct reads (cache_size=64M) went from
	 * 88.1-90.6 MB to 87.4-88.1 MB, daemon CPU unchanged within noise.
	 * Since the cache charges its frees (cache.c), two arenas give 10,000
	 * distinct reads 1.03x their bound against 1.004-1.009x, for merges
	 * ~10 % faster (`all` of 1,000: medians 0.39 against 0.46 s). */
	mallopt(M_ARENA_MAX, 1);
	pyro_fs_opts_init(&cli.opts);
	if (fuse_opt_parse(&args, &cli, cli_spec, cli_proc) != 0 || cli.bad)
		goto out_args;
	if (cli.show_help || cli.show_version) {
		show_info(&cli, argv[0], &args);
		ret = 0;
		goto out_args;
	}
	if (!cli.source || !cli.mountpoint) {
		fprintf(stderr, "usage: %s [options] ARCHIVE MOUNTPOINT "
			"(--help for more)\n", argv[0]);
		goto out_args;
	}
	if (pyro_src_check(cli.source, err) != 0) {
		fprintf(stderr, "pyrofs: %s\n", err);
		goto out_args;
	}
	if (check_mountpoint(cli.mountpoint) || check_dev_fuse())
		goto out_args;
	if (pyro_fs_open(cli.source, &cli.opts, &fs, err) != 0) {
		fprintf(stderr, "pyrofs: %s\n", err);
		goto out_args;
	}
	if (pyro_fs_nservices(fs) == 0)
		fprintf(stderr, "pyrofs: warning: no profile found in %s (mounting "
			"anyway: new profiles appear within rescan seconds; "
			"unreadable files are listed in MOUNTPOINT/.pyrofs/errors)\n",
			cli.source);
	if (add_mount_opts(&args, pyro_fs_source_name(fs)) != 0 ||
	    fuse_parse_cmdline(&args, &fo) != 0)
		goto out_fs;
	fuse = fuse_new(&args, &pyro_fuse_ops, sizeof(pyro_fuse_ops), fs);
	if (!fuse)
		goto out_fs;
	if (fuse_mount(fuse, fo.mountpoint) != 0)
		goto out_new;
	/* The source is indexed and the mount is live: only now does the
	 * parent process return, so scripts can use the mount at once. */
	if (fuse_daemonize(fo.foreground) != 0 ||
	    fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
		goto out_mount;
	ret = serve(fuse, &fo);
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out_mount:
	fuse_unmount(fuse);
out_new:
	fuse_destroy(fuse);
out_fs:
	free(fo.mountpoint);
	pyro_fs_close(fs);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}

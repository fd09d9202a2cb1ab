/*
 * fuzz_path.c - libFuzzer target: paths through the resolver (fs/resolve.c).
 *
 * Every path a process can look up under the mount reaches pyro_resolve;
 * whatever the bytes, it must yield a node or -ENOENT, and a node's
 * attributes, listing and (for files) bytes must be computable.  The
 * archive is made once per run with the test profile writer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fs.h"
#include "tests/support/mkprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pyro_fs *fs;

static struct mkprof *cpu(int i)
{
	struct mkprof *p = mkprof_new();

	mkprof_sample_type(p, "samples", "count");
	mkprof_sample_type(p, "cpu", "nanoseconds");
	mkprof_mapping(p, "/usr/bin/api");
	mkprof_time(p, (1795515300LL + 1800 * i) * 1000000000);
	mkprof_duration(p, 10000000000LL);
	mkprof_sample(p, (int64_t[]){ 1 + i, 10 + i }, "main;serve;handle+parse");
	mkprof_label(p, "endpoint", i % 2 ? "/users" : "a b%");
	mkprof_num_label(p, "bytes", 4096 * i, NULL);
	mkprof_sample(p, (int64_t[]){ 2, 20 }, "main;gc;@0x4f1984");
	return p;
}

static char dir[MKPROF_PATH_MAX];

static void cleanup(void)
{
	pyro_fs_close(fs);
	mkprof_rmtree(dir);
}

static void setup(void)
{
	struct pyro_fs_opts o;
	char err[PYRO_ERR_MAX], path[MKPROF_PATH_MAX + 32];
	int i;

	if (mkprof_tmpdir(dir))
		abort();
	for (i = 0; i < 4; i++) {
		struct mkprof *p = cpu(i);

		snprintf(path, sizeof(path), "%s/api/cpu-%d.pb.gz", dir, i);
		if (mkprof_write(p, path, 1))
			abort();
		mkprof_free(p);
	}
	pyro_fs_opts_init(&o);
	o.cache_size = 1 << 20;
	if (pyro_fs_open(dir, &o, &fs, err))
		abort();
	atexit(cleanup);
}

static int count(void *ctx, const char *name, const struct pyro_node *c)
{
	(void)name;
	(void)c;
	return ++*(int *)ctx > 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyro_node n;
	struct pyro_blob *b;
	struct stat st;
	char path[1024];
	int entries = 0;

	if (!fs)
		setup();
	if (size >= sizeof(path))
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	if (pyro_resolve(fs, path, &n))
		return 0;
	pyro_node_stat_cheap(fs, &n, &st);
	if (S_ISDIR(st.st_mode))
		pyro_node_list(fs, &n, count, &entries);
	else if (S_ISREG(st.st_mode) && pyro_node_bytes(fs, &n, &b) == 0)
		pyro_obj_put(&b->obj);
	pyro_node_release(&n);
	return 0;
}

/*
 * mkjfr.c - write the synthetic JFR recordings of tests/support/mkjfr.h to
 * files, for the mount test and the fuzz seeds.
 *
 *   mkjfr DIR     writes DIR/good.jfr (two chunks), DIR/cycle.jfr,
 *                 DIR/huge.jfr, DIR/badmeta.jfr, DIR/truncated.jfr,
 *                 DIR/badevent.jfr, DIR/wall.jfr (async-profiler's
 *                 wall-clock samples besides good.jfr's events)
 */
#include <stdio.h>

#include "../support/mkjfr.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum mkjfr_flaw flaw;
	} files[] = {
		{ "good.jfr", MKJFR_GOOD }, { "cycle.jfr", MKJFR_CP_CYCLE },
		{ "huge.jfr", MKJFR_HUGE_COUNT }, { "badmeta.jfr", MKJFR_BAD_META },
		{ "truncated.jfr", MKJFR_TRUNCATED },
		{ "badevent.jfr", MKJFR_BAD_EVENT }, { "wall.jfr", MKJFR_WALL },
	};
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkjfr DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct pyro_buf b = PYRO_BUF_INIT;
		char path[4096];
		FILE *f;

		mkjfr_build(&b, files[i].flaw, 2);
		snprintf(path, sizeof(path), "%s/%s", argv[1], files[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) {
			perror(path);
			return 1;
		}
		pyro_buf_release(&b);
	}
	return 0;
}

/*
 * opts.c - the options of every mount (-o key=value), the one list that
 * main.c and pyrofs-cat both parse with; a source kind's own options are
 * claimed by it (pyro_src_opt) and kept for pyro_fs_open.
 */
#include "fs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pyro_parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if ((*end == 'i' || *end == 'I') && shift)
		end++;
	if ((*end == 'b' || *end == 'B'))
		end++;
	if (*end || v > (SIZE_MAX >> shift))
		return -EINVAL;
	*out = (size_t)(v << shift);
	return 0;
}

int pyro_parse_merge(const char *s, enum pyro_merge_policy *out)
{
	if (!strcmp(s, "auto"))
		*out = PYRO_POLICY_AUTO;
	else if (!strcmp(s, "pprof"))
		*out = PYRO_POLICY_PPROF;
	else
		return -EINVAL;
	return 0;
}

int pyro_parse_labels(const char *s, enum pyro_labels_mode *out)
{
	if (!strcmp(s, "string"))
		*out = PYRO_LABELS_STRING;
	else if (!strcmp(s, "all"))
		*out = PYRO_LABELS_ALL;
	else if (!strcmp(s, "off"))
		*out = PYRO_LABELS_OFF;
	else
		return -EINVAL;
	return 0;
}

void pyro_fs_opts_init(struct pyro_fs_opts *o)
{
	o->cache_size = PYRO_DEFAULT_CACHE_SIZE;
	o->max_profile_size = PYRO_DEFAULT_MAX_PROFILE_SIZE;
	o->max_file_size = 0;  /* derived at pyro_fs_open */
	o->merge = PYRO_POLICY_AUTO;
	o->labels = PYRO_LABELS_STRING;
	o->rescan = PYRO_DEFAULT_RESCAN;
	o->src_opts_len = 0;
}

const char pyro_fs_opts_help[] =
	"    -o cache_size=SIZE     memory for rendered files and decoded profiles,\n"
	"                           entries and freed memory included (K, M, G\n"
	"                           suffixes; default 256M)\n"
	"    -o max_profile_size=SIZE\n"
	"                           refuse profiles that inflate to more than SIZE\n"
	"                           (default 512M)\n"
	"    -o max_file_size=SIZE  refuse (EFBIG) a rendered file larger than SIZE\n"
	"                           (default 4 x max_profile_size, at most 256M)\n"
	"    -o merge=auto|pprof    how snapshots merge: auto (increase of cumulative\n"
	"                           series, mean of gauges, sum of rates; default) or\n"
	"                           pprof (always a plain sum, as `pprof a b c`)\n"
	"    -o labels=string|all|off\n"
	"                           label keys under <time>/labels/: those with\n"
	"                           string values (default), all (numeric keys too,\n"
	"                           one directory per number), or none\n"
	"    -o rescan=SECONDS      check the archive for new, changed and removed\n"
	"                           profiles this often (default 2; 0: never)\n";

/* "2", "0.5": a non-negative number of seconds, at most a day. */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0 && v <= 86400))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Keep kv for the source if a source kind claims it (see fs.h). */
static int keep_src_opt(struct pyro_fs_opts *o, const char *kv,
			char err[PYRO_ERR_MAX])
{
	size_t len = strlen(kv) + 1;
	int rc = pyro_src_opt(kv, err);

	if (rc)
		return rc;
	if (len > sizeof(o->src_opts) - o->src_opts_len) {
		snprintf(err, PYRO_ERR_MAX, "too many source options: %s", kv);
		return -EINVAL;
	}
	memcpy(o->src_opts + o->src_opts_len, kv, len);
	o->src_opts_len += len;
	return 0;
}

/* What an option of ours takes, for the error that names a bad value. */
static const char *allowed_values(const char *key, size_t klen)
{
	static const struct { const char *key, *values; } hints[] = {
		{ "cache_size", "a size: bytes, or with K, M, G as in 256M" },
		{ "max_profile_size", "a size above 0: bytes, or with K, M, G as in 512M" },
		{ "max_file_size", "a size above 0: bytes, or with K, M, G as in 64M" },
		{ "merge", "allowed values: auto, pprof" },
		{ "rescan", "seconds from 0 (never) to 86400; fractions work" },
	};
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strlen(hints[i].key) == klen && !strncmp(key, hints[i].key, klen))
			return hints[i].values;
	return "see --help";
}

int pyro_fs_opt(struct pyro_fs_opts *o, const char *kv, char err[PYRO_ERR_MAX])
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	const char *v = eq ? eq + 1 : NULL;
	int rc;

#define IS(k) (klen == strlen(k) && !strncmp(kv, k, klen))
	if (IS("cache_size"))
		rc = pyro_parse_size(v, &o->cache_size);
	else if (IS("max_profile_size"))
		rc = pyro_parse_size(v, &o->max_profile_size);
	else if (IS("max_file_size"))
		rc = pyro_parse_size(v, &o->max_file_size) ? -EINVAL :
		     o->max_file_size ? 0 : -EINVAL;
	else if (IS("merge"))
		rc = v ? pyro_parse_merge(v, &o->merge) : -EINVAL;
	else if (IS("labels"))
		rc = v ? pyro_parse_labels(v, &o->labels) : -EINVAL;
	else if (IS("rescan"))
		rc = parse_seconds(v, &o->rescan);
	else
		return keep_src_opt(o, kv, err);
#undef IS
	if (!rc && o->max_profile_size == 0)
		rc = -EINVAL;
	if (rc)
		snprintf(err, PYRO_ERR_MAX, "bad option value: %s (%s)", kv,
			 allowed_values(kv, klen));
	return rc;
}

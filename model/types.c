/*
 * types.c - sample type naming; see types.h and README "Type names".
 */
#include "types.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void pyro_safe_name(const char *in, char out[PYRO_NAME_MAX])
{
	size_t i, n = 0;

	for (i = 0; in[i] && n < PYRO_NAME_MAX - 1; i++) {
		unsigned char c = (unsigned char)in[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		out[n++] = ok ? (char)c : '_';
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, PYRO_NAME_MAX, "unknown");
	else if (!strcmp(out, ".") || !strcmp(out, ".."))
		memset(out, '_', n);
}

static int has_type(const struct pyro_profile_header *h, const char *type)
{
	size_t i;

	for (i = 0; i < h->ntypes; i++)
		if (!strcasecmp(h->types[i].type, type))
			return 1;
	return 0;
}

/* "mutex" or "block" for a contentions/delay profile: the path decides
 * (file name first, then directories from the nearest), then the period
 * type, else mutex. */
static const char *contention_kind(const struct pyro_profile_header *h,
				   const char *path)
{
	const char *end = path + strlen(path);

	while (end > path) {
		const char *start = end;
		const char *m, *b;
		char part[256];
		size_t n;

		while (start > path && start[-1] != '/')
			start--;
		n = (size_t)(end - start) < sizeof(part) - 1 ?
		    (size_t)(end - start) : sizeof(part) - 1;
		memcpy(part, start, n);
		part[n] = '\0';
		m = strcasestr(part, "mutex");
		b = strcasestr(part, "block");
		if (m && (!b || m < b))
			return "mutex";
		if (b)
			return "block";
		end = start > path ? start - 1 : path;
	}
	if (h->period_type.type && strcasestr(h->period_type.type, "block"))
		return "block";
	return "mutex";
}

void pyro_type_name(const struct pyro_profile_header *h, size_t index,
		    const char *path, char name[PYRO_NAME_MAX])
{
	const char *t = h->types[index].type;
	const char *pt = h->period_type.type;

	if (!strcasecmp(t, "cpu")) {
		snprintf(name, PYRO_NAME_MAX, "cpu");
	} else if ((!strcmp(t, "samples") || !strcmp(t, "sample")) &&
		   h->ntypes == 1 && (!pt || !*pt || !strcasecmp(pt, "cpu"))) {
		/* py-spy, rbspy: sample counts are their CPU profile. */
		snprintf(name, PYRO_NAME_MAX, "cpu");
	} else if (!strcmp(t, "objects") && has_type(h, "space")) {
		snprintf(name, PYRO_NAME_MAX, "inuse_objects");
	} else if (!strcmp(t, "space") && has_type(h, "objects")) {
		snprintf(name, PYRO_NAME_MAX, "inuse_space");
	} else if (!strcmp(t, "goroutine") || !strcmp(t, "goroutines")) {
		snprintf(name, PYRO_NAME_MAX, "goroutines");
	} else if (!strcmp(t, "contentions")) {
		snprintf(name, PYRO_NAME_MAX, "%s_count", contention_kind(h, path));
	} else if (!strcmp(t, "delay")) {
		snprintf(name, PYRO_NAME_MAX, "%s_duration", contention_kind(h, path));
	} else if (!strcasecmp(t, "wall")) {
		snprintf(name, PYRO_NAME_MAX, "wall");
	} else {
		pyro_safe_name(t, name);
	}
}

enum pyro_series_kind pyro_type_kind(const char *n)
{
	static const char *const cumulative[] = {
		"alloc_objects", "alloc_space", "mutex_count", "mutex_duration",
		"block_count", "block_duration",
	};
	static const char *const gauge[] = {
		"inuse_objects", "inuse_space", "goroutines",
	};
	size_t i;

	for (i = 0; i < sizeof(cumulative) / sizeof(cumulative[0]); i++)
		if (!strcmp(n, cumulative[i]))
			return PYRO_KIND_CUMULATIVE;
	for (i = 0; i < sizeof(gauge) / sizeof(gauge[0]); i++)
		if (!strcmp(n, gauge[i]))
			return PYRO_KIND_GAUGE;
	return PYRO_KIND_RATE;
}

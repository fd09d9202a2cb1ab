/*
 * stacks_builder.c - hand-built stack sets for tests; see stacks_builder.h.
 */
#include "stacks_builder.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SB_MAX_DEPTH 256

/* Intern one frame token [p, end) and store its reference in *ref. */
static int add_frame(struct pyro_stacks *s, const char *p, const char *end,
		     uint32_t *ref)
{
	uint32_t flag = 0, id;
	const char *eq;
	int rc;

	if (p < end && *p == '^') {
		flag = PYRO_REF_INLINE;
		p++;
	}
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq)
		rc = pyro_stacks_frame(s, p, (size_t)(eq - p), eq + 1,
				       (size_t)(end - eq - 1), &id);
	else
		rc = pyro_stacks_frame(s, p, (size_t)(end - p), p,
				       (size_t)(end - p), &id);
	*ref = id | flag;
	return rc;
}

/* Parse one non-blank line [p, end). */
static int add_line(struct pyro_stacks *s, const char *p, const char *end)
{
	uint32_t refs[SB_MAX_DEPTH], depth = 0;
	const char *sp = end, *semi;
	char num[32], *num_end;
	int64_t value;
	int rc;

	while (sp > p && sp[-1] != ' ')
		sp--;
	if (sp == p || (size_t)(end - sp) >= sizeof(num) || sp == end)
		return -EINVAL;
	memcpy(num, sp, (size_t)(end - sp));
	num[end - sp] = '\0';
	value = strtoll(num, &num_end, 10);
	if (*num_end)
		return -EINVAL;
	for (end = sp - 1; p < end; p = semi + 1) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (!semi)
			semi = end;
		if (depth == SB_MAX_DEPTH)
			return -E2BIG;
		rc = add_frame(s, p, semi, &refs[depth++]);
		if (rc)
			return rc;
	}
	return pyro_stacks_add(s, refs, depth, value, NULL);
}

int sb_build(struct pyro_stacks *s, const char *text)
{
	const char *p = text, *nl;
	int rc;

	rc = pyro_stacks_init(s);
	while (!rc && *p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p)
			rc = add_line(s, p, nl);
		p = *nl ? nl + 1 : nl;
	}
	if (rc)
		pyro_stacks_release(s);
	return rc;
}

int sb_set(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !(copy = strdup(value)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int sb_type(struct pyro_stacks *s, const char *type, const char *unit)
{
	int rc = sb_set(&s->meta.sample_type, type);

	return rc ? rc : sb_set(&s->meta.sample_unit, unit);
}

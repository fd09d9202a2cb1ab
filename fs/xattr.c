/*
 * xattr.c - extended attributes "user.pyrofs.*" of time nodes and their
 * files (fs.h lists them): figures for scripts, without parsing files.
 *
 * Which attributes a node has follows from its kind (the row's xattrs
 * bit) and its derivation (PYRO_XA_* bits); the values come from the
 * series, from the source (sources), or from the node's stacks.
 */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define XATTR_PREFIX "user.pyrofs."

/* Attributes in listing order; `needs` is the derivation bit an attribute
 * needs (0: every time node has it). */
static const struct {
	const char *name;               /* after XATTR_PREFIX */
	unsigned needs;                 /* PYRO_XA_* */
} xattrs[] = {
	{ "total", 0 },
	{ "unit", 0 },
	{ "type", 0 },
	{ "rule", 0 },
	{ "sources", 0 },
	{ "baseline", PYRO_XA_BASELINE },
	{ "base_sources", PYRO_XA_BASE },
	{ "label", PYRO_XA_LABEL },
};

#define NXATTRS (sizeof(xattrs) / sizeof(xattrs[0]))

/* Whether attribute i exists on n (a node with attributes). */
static int xattr_present(const struct pyro_node *n, size_t i)
{
	unsigned need = xattrs[i].needs;

	if (need && !(deriv_of(&n->deriv)->xattrs & need))
		return 0;
	return need != PYRO_XA_BASELINE || n->time.span.has_baseline;
}

int pyro_node_xattr_list(const struct pyro_node *n, struct pyro_buf *out)
{
	size_t i;
	int rc = 0;

	if (!kind_of(n)->xattrs)
		return 0;
	for (i = 0; i < NXATTRS && !rc; i++) {
		if (!xattr_present(n, i))
			continue;
		rc = pyro_buf_printf(out, "%s%s", XATTR_PREFIX, xattrs[i].name);
		if (!rc)
			rc = pyro_buf_add(out, "", 1);  /* each name ends in NUL */
	}
	return rc;
}

/* total, rule and label need the node's stacks (built, or cached). */
static int xattr_from_stacks(struct pyro_fs *fs, const struct pyro_node *n,
			     const char *attr, struct pyro_buf *out)
{
	struct pyro_shared_stacks *ss;
	struct pyro_tview v;
	int64_t total = 0;
	size_t k;
	int rc;

	pyro_tview_of(n, &v);
	rc = pyro_content_stacks(fs, &v, &ss);
	if (rc)
		return rc;
	if (!strcmp(attr, "rule")) {
		rc = pyro_buf_puts(out, pyro_merge_rule_name(ss->s.meta.rule));
	} else if (!strcmp(attr, "label")) {
		rc = pyro_buf_puts(out, ss->s.meta.filter ? ss->s.meta.filter : "");
	} else if (deriv_of(&n->deriv)->signed_total) {
		/* A diff's total is the signed change, target minus base. */
		for (k = 0; k < ss->s.nstacks && !rc; k++)
			if (__builtin_add_overflow(total, ss->s.stacks[k].value,
						   &total))
				rc = -EOVERFLOW;
		if (!rc)
			rc = pyro_buf_printf(out, "%lld", (long long)total);
	} else {
		rc = pyro_stacks_total(&ss->s, &total);
		if (!rc)
			rc = pyro_buf_printf(out, "%lld", (long long)total);
	}
	pyro_obj_put(&ss->obj);
	return rc;
}

/* What span sp of n's series was built from, by the source. */
static int put_sources(struct pyro_fs *fs, const struct pyro_node *n,
		       const struct pyro_span *sp, struct pyro_buf *out)
{
	return fs->src->ops->sources(fs->src, n->ix, n->series, sp, out);
}

int pyro_node_xattr(struct pyro_fs *fs, const struct pyro_node *n,
		    const char *name, struct pyro_buf *out)
{
	const struct pyro_index_series *se = n->series;
	const struct pyro_span *sp = &n->time.span;
	struct pyro_span one = { PYRO_SPAN_SNAPSHOT, 0, 1, 0 };
	const char *attr;
	size_t i;

	if (!kind_of(n)->xattrs ||
	    strncmp(name, XATTR_PREFIX, strlen(XATTR_PREFIX)))
		return -ENODATA;
	attr = name + strlen(XATTR_PREFIX);
	for (i = 0; i < NXATTRS; i++)
		if (!strcmp(attr, xattrs[i].name))
			break;
	if (i == NXATTRS || !xattr_present(n, i))
		return -ENODATA;
	if (!strcmp(attr, "unit"))
		return pyro_buf_puts(out, se->sample_unit ? se->sample_unit : "");
	if (!strcmp(attr, "type"))
		return pyro_buf_puts(out, se->sample_type ? se->sample_type : "");
	if (!strcmp(attr, "sources"))
		return put_sources(fs, n, sp, out);
	if (!strcmp(attr, "baseline")) {
		one.first = sp->first - 1;
		return put_sources(fs, n, &one, out);
	}
	if (!strcmp(attr, "base_sources"))
		return put_sources(fs, n, &n->deriv.arg.base.span, out);
	return xattr_from_stacks(fs, n, attr, out);
}

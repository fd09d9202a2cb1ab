/*
 * jfr_meta.c - a JFR chunk's metadata event (see jfr_parse.h): its string
 * table and its tree of elements, read into the classes and fields that
 * jfr_parse.c walks values with.
 *
 * Only what the reader needs is kept: classes (id, name, kind) and their
 * fields (name, class, constant pool or not, array or not); the other
 * elements (annotations, settings, the region) are walked and dropped.
 * Errors say what is wrong: a class without a name or id, a field of an
 * unknown class or apart from its class's other fields, a string index
 * outside the table, elements nested past PYRO_JFR_DEPTH_MAX.  Classes
 * end sorted by id, for pyro_jfr_class_by_id.
 */
#include "jfr_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void meta_zero(struct pyro_jfr_meta *m)
{
	memset(m, 0, sizeof(*m));
}

void pyro_jfr_meta_release(struct pyro_jfr_meta *m)
{
	size_t i;

	for (i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->classes);
	free(m->fields);
	meta_zero(m);
}

/* Parsing state: capacities beside the metadata's arrays. */
struct meta_rd {
	struct pyro_jfr_meta *m;
	size_t class_cap, field_cap;
	char *err;
};

static int meta_str(struct meta_rd *mr, struct pyro_jfr_rd *r,
		    const char **s)
{
	int32_t i;
	int rc = pyro_jfr_int(r, &i);

	if (rc)
		return rc;
	if (i < 0 || (size_t)i >= mr->m->nstrings || !mr->m->strings[i]) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: string index %" PRId32
			 " out of range", i);
		return -EINVAL;
	}
	*s = mr->m->strings[i];
	return 0;
}

static enum pyro_jfr_kind kind_of(const char *name)
{
	static const struct {
		const char *name;
		enum pyro_jfr_kind kind;
	} prims[] = {
		{ "boolean", PYRO_JFR_BOOLEAN }, { "byte", PYRO_JFR_BYTE },
		{ "char", PYRO_JFR_CHAR }, { "short", PYRO_JFR_SHORT },
		{ "int", PYRO_JFR_INT }, { "long", PYRO_JFR_LONG },
		{ "float", PYRO_JFR_FLOAT }, { "double", PYRO_JFR_DOUBLE },
		{ "java.lang.String", PYRO_JFR_STRING },
	};
	size_t i;

	for (i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
		if (!strcmp(name, prims[i].name))
			return prims[i].kind;
	return PYRO_JFR_STRUCT;
}

static int parse_id(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return (!*s || *end || errno) ? -EINVAL : 0;
}

/* The attributes of an element we care about. */
struct meta_attrs {
	const char *name, *id, *cls, *cp, *dim;
};

static int meta_attrs(struct meta_rd *mr, struct pyro_jfr_rd *r,
		      struct meta_attrs *a)
{
	size_t n, i;
	int rc = pyro_jfr_count(r, &n);

	memset(a, 0, sizeof(*a));
	for (i = 0; i < n && !rc; i++) {
		const char *k, *v;

		rc = meta_str(mr, r, &k);
		if (!rc)
			rc = meta_str(mr, r, &v);
		if (rc)
			break;
		if (!strcmp(k, "name"))
			a->name = v;
		else if (!strcmp(k, "id"))
			a->id = v;
		else if (!strcmp(k, "class"))
			a->cls = v;
		else if (!strcmp(k, "constantPool"))
			a->cp = v;
		else if (!strcmp(k, "dimension"))
			a->dim = v;
	}
	return rc;
}

static int meta_field(struct meta_rd *mr, const struct meta_attrs *a)
{
	struct pyro_jfr_meta *m = mr->m;
	struct pyro_jfr_field *f;
	struct pyro_jfr_class *owner;

	if (!m->nclasses || !a->name || !a->cls) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: a field outside a "
			 "class or without a name or class");
		return -EINVAL;
	}
	if (pyro_grow_array(&m->fields, &mr->field_cap, m->nfields + 1,
			    sizeof(*m->fields)))
		return -ENOMEM;
	f = &m->fields[m->nfields];
	memset(f, 0, sizeof(*f));
	f->name = a->name;
	if (parse_id(a->cls, &f->type)) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: field %s has class "
			 "\"%s\"", a->name, a->cls);
		return -EINVAL;
	}
	f->cp = a->cp && !strcmp(a->cp, "true");
	f->array = a->dim && strcmp(a->dim, "0");
	owner = &m->classes[m->nclasses - 1];
	if (owner->field0 + owner->nfields != m->nfields) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: fields of class %s "
			 "are not together", owner->name);
		return -EINVAL;
	}
	owner->nfields++;
	m->nfields++;
	return 0;
}

static int meta_class(struct meta_rd *mr, const struct meta_attrs *a)
{
	struct pyro_jfr_meta *m = mr->m;
	struct pyro_jfr_class *c;

	if (!a->name || !a->id) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: a class without a "
			 "name or id");
		return -EINVAL;
	}
	if (pyro_grow_array(&m->classes, &mr->class_cap, m->nclasses + 1,
			    sizeof(*m->classes)))
		return -ENOMEM;
	c = &m->classes[m->nclasses];
	memset(c, 0, sizeof(*c));
	c->name = a->name;
	if (parse_id(a->id, &c->id)) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: class %s has id "
			 "\"%s\"", a->name, a->id);
		return -EINVAL;
	}
	c->kind = kind_of(a->name);
	c->field0 = m->nfields;
	m->nclasses++;
	return 0;
}

/* One element and its children; `parent` is the enclosing element's name
 * ("" for the root), so a field is recognised only inside a class. */
static int meta_element(struct meta_rd *mr, struct pyro_jfr_rd *r,
			const char *parent, int depth)
{
	struct meta_attrs a;
	const char *name;
	size_t n = 0, i;
	int rc;

	if (depth >= PYRO_JFR_DEPTH_MAX) {
		snprintf(mr->err, PYRO_ERR_MAX, "metadata: elements nest "
			 "deeper than %d", PYRO_JFR_DEPTH_MAX);
		return -EINVAL;
	}
	rc = meta_str(mr, r, &name);
	if (!rc)
		rc = meta_attrs(mr, r, &a);
	if (rc)
		return rc;
	if (!strcmp(name, "class"))
		rc = meta_class(mr, &a);
	else if (!strcmp(name, "field") && !strcmp(parent, "class"))
		rc = meta_field(mr, &a);
	if (!rc)
		rc = pyro_jfr_count(r, &n);
	for (i = 0; i < n && !rc; i++)
		rc = meta_element(mr, r, name, depth + 1);
	return rc;
}

static int class_cmp(const void *a, const void *b)
{
	const struct pyro_jfr_class *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int meta_strings(struct meta_rd *mr, struct pyro_jfr_rd *r)
{
	struct pyro_jfr_meta *m = mr->m;
	size_t n, i;
	int rc = pyro_jfr_count(r, &n);

	if (rc)
		return rc;
	m->strings = calloc(n ? n : 1, sizeof(*m->strings));
	if (!m->strings)
		return -ENOMEM;
	m->nstrings = n;
	for (i = 0; i < n; i++) {
		struct pyro_buf s = PYRO_BUF_INIT;
		int is_null;

		/* No chunk: a pooled string in the metadata is an error. */
		rc = pyro_jfr_string(NULL, r, &s, &is_null);
		if (!rc)
			rc = pyro_buf_putc(&s, '\0');
		if (rc) {
			pyro_buf_release(&s);
			return rc;
		}
		m->strings[i] = pyro_buf_detach(&s, NULL);
	}
	return 0;
}

int pyro_jfr_meta_parse(struct pyro_jfr_rd *r, struct pyro_jfr_meta *m,
			char err[PYRO_ERR_MAX])
{
	struct meta_rd mr = { .m = m, .err = err };
	int64_t skip;
	size_t i;
	int rc = 0;

	meta_zero(m);
	/* start time, duration, metadata id */
	for (i = 0; i < 3 && !rc; i++)
		rc = pyro_jfr_long(r, &skip);
	if (!rc)
		rc = meta_strings(&mr, r);
	if (!rc)
		rc = meta_element(&mr, r, "", 0);
	if (rc && rc != -ENOMEM && !err[0])
		snprintf(err, PYRO_ERR_MAX, "metadata: %s", pyro_jfr_why(rc));
	if (rc)
		return rc;
	if (m->nclasses)
		qsort(m->classes, m->nclasses, sizeof(*m->classes), class_cmp);
	for (i = 0; i < m->nfields; i++) {
		if (!pyro_jfr_class_by_id(m, m->fields[i].type)) {
			snprintf(err, PYRO_ERR_MAX, "metadata: field %s has "
				 "unknown class %" PRIu64, m->fields[i].name,
				 m->fields[i].type);
			return -EINVAL;
		}
	}
	return 0;
}

const struct pyro_jfr_class *pyro_jfr_class_by_id(const struct pyro_jfr_meta *m,
						  uint64_t id)
{
	size_t lo = 0, hi = m->nclasses;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->classes[mid].id == id)
			return &m->classes[mid];
		if (m->classes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct pyro_jfr_class *pyro_jfr_class_by_name(const struct pyro_jfr_meta *m,
						    const char *name)
{
	size_t i;

	for (i = 0; i < m->nclasses; i++)
		if (!strcmp(m->classes[i].name, name))
			return &m->classes[i];
	return NULL;
}

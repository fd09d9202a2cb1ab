/*
 * labels.c - label sets, their merges and their directory names; see
 * labels.h.
 *
 * Building.  Keys and values live in plain arrays (a key owns its values);
 * two open-addressing hashes find them while counting: one over key bytes,
 * one over (key index, value bytes).  finish() sorts the arrays, which
 * invalidates the indexes, so the hashes are dropped then.
 *
 * Merging builds the union of the members' keys and values in a building
 * set, gives every total of it a slot (node total, per key its total and
 * `without`, per value its total), folds the members in slot by slot as
 * merge.c folds stacks, then writes the chosen result back and finishes.
 */
#include "labels.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

/* ---- small helpers ------------------------------------------------------ */

static char *dup_n(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c) {
		if (len)
			memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

static uint64_t value_hash(size_t key, const char *s, size_t len)
{
	return pyro_hash_bytes(s, len, PYRO_HASH_SEED ^ ((uint64_t)key * 0x9e3779b97f4a7c15ULL));
}

/* ---- building ------------------------------------------------------------ */

int pyro_label_set_init(struct pyro_label_set *ls, const char *sample_type,
			const char *sample_unit)
{
	memset(ls, 0, sizeof(*ls));
	ls->sample_type = strdup(sample_type ? sample_type : "");
	ls->sample_unit = strdup(sample_unit ? sample_unit : "");
	ls->nsnapshots = 1;
	return ls->sample_type && ls->sample_unit ? 0 : -ENOMEM;
}

void pyro_label_set_release(struct pyro_label_set *ls)
{
	size_t i, j;

	for (i = 0; i < ls->nkeys; i++) {
		struct pyro_label_key *k = &ls->keys[i];

		for (j = 0; j < k->nvalues; j++) {
			free(k->values[j].text);
			free(k->values[j].name);
		}
		free(k->values);
		free(k->text);
		free(k->name);
		free(k->unit);
	}
	free(ls->keys);
	free(ls->key_slots);
	free(ls->value_slots);
	free(ls->sample_type);
	free(ls->sample_unit);
	memset(ls, 0, sizeof(*ls));
}

int pyro_label_set_sample(struct pyro_label_set *ls, int64_t amount)
{
	if (amount == INT64_MIN ||
	    __builtin_add_overflow(ls->total, amount < 0 ? -amount : amount,
				   &ls->total))
		return -EOVERFLOW;
	return 0;
}

/* Rehash keys into a table of nslots (a power of two). */
static int rehash_keys(struct pyro_label_set *ls, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < ls->nkeys; i++) {
		const struct pyro_label_key *k = &ls->keys[i];
		size_t s = pyro_hash_bytes(k->text, k->len, PYRO_HASH_SEED) & (nslots - 1);

		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = (uint32_t)(i + 1);
	}
	free(ls->key_slots);
	ls->key_slots = slots;
	ls->key_nslots = nslots;
	return 0;
}

static int rehash_values(struct pyro_label_set *ls, size_t nslots)
{
	uint64_t *slots = calloc(nslots, sizeof(*slots));
	size_t i, j;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < ls->nkeys; i++) {
		const struct pyro_label_key *k = &ls->keys[i];

		for (j = 0; j < k->nvalues; j++) {
			const struct pyro_label_value *v = &k->values[j];
			size_t s = value_hash(i, v->text, v->len) & (nslots - 1);

			while (slots[s])
				s = (s + 1) & (nslots - 1);
			slots[s] = ((uint64_t)(i + 1) << 32) | j;
		}
	}
	free(ls->value_slots);
	ls->value_slots = slots;
	ls->value_nslots = nslots;
	return 0;
}

/* The index of key[0..len) in a building set: 0, or -ENOENT. */
static int lookup_key(const struct pyro_label_set *ls, const char *key,
		      size_t len, size_t *idx)
{
	size_t s;

	if (!ls->key_nslots)
		return -ENOENT;
	s = pyro_hash_bytes(key, len, PYRO_HASH_SEED) & (ls->key_nslots - 1);
	for (; ls->key_slots[s]; s = (s + 1) & (ls->key_nslots - 1)) {
		const struct pyro_label_key *k = &ls->keys[ls->key_slots[s] - 1];

		if (k->len == len && !memcmp(k->text, key, len)) {
			*idx = ls->key_slots[s] - 1;
			return 0;
		}
	}
	return -ENOENT;
}

static int lookup_value(const struct pyro_label_set *ls, size_t ki,
			const char *text, size_t len, size_t *idx)
{
	const struct pyro_label_key *k = &ls->keys[ki];
	size_t s;

	if (!ls->value_nslots)
		return -ENOENT;
	s = value_hash(ki, text, len) & (ls->value_nslots - 1);
	for (; ls->value_slots[s]; s = (s + 1) & (ls->value_nslots - 1)) {
		uint64_t e = ls->value_slots[s];
		const struct pyro_label_value *v;

		if ((e >> 32) != ki + 1)
			continue;
		v = &k->values[(uint32_t)e];
		if (v->len == len && !memcmp(v->text, text, len)) {
			*idx = (uint32_t)e;
			return 0;
		}
	}
	return -ENOENT;
}

/* The index of key[0..len), added if new. */
static int find_key(struct pyro_label_set *ls, const char *key, size_t len,
		    size_t *idx)
{
	struct pyro_label_key *k;
	size_t s;
	int rc;

	if (lookup_key(ls, key, len, idx) == 0)
		return 0;
	if (ls->nkeys >= UINT32_MAX - 1)
		return -EOVERFLOW;
	if ((rc = pyro_grow_array(&ls->keys, &ls->keys_cap, ls->nkeys + 1, sizeof(*ls->keys))))
		return rc;
	k = &ls->keys[ls->nkeys];
	memset(k, 0, sizeof(*k));
	if (!(k->text = dup_n(key, len)))
		return -ENOMEM;
	k->len = len;
	*idx = ls->nkeys++;
	/* Keep the load at most one half. */
	if (ls->nkeys * 2 > ls->key_nslots)
		return rehash_keys(ls, ls->key_nslots ? ls->key_nslots * 2 : 16);
	s = pyro_hash_bytes(key, len, PYRO_HASH_SEED) & (ls->key_nslots - 1);
	while (ls->key_slots[s])
		s = (s + 1) & (ls->key_nslots - 1);
	ls->key_slots[s] = (uint32_t)(*idx + 1);
	return 0;
}

static int find_value(struct pyro_label_set *ls, size_t ki, const char *text,
		      size_t len, size_t *idx)
{
	struct pyro_label_key *k = &ls->keys[ki];
	struct pyro_label_value *v;
	size_t s;
	int rc;

	if (lookup_value(ls, ki, text, len, idx) == 0)
		return 0;
	if (k->nvalues >= UINT32_MAX)
		return -EOVERFLOW;
	if ((rc = pyro_grow_array(&k->values, &k->values_cap, k->nvalues + 1,
			     sizeof(*k->values))))
		return rc;
	v = &k->values[k->nvalues];
	memset(v, 0, sizeof(*v));
	if (!(v->text = dup_n(text, len)))
		return -ENOMEM;
	v->len = len;
	*idx = k->nvalues++;
	ls->nvalues++;
	if (ls->nvalues * 2 > ls->value_nslots)
		return rehash_values(ls, ls->value_nslots ? ls->value_nslots * 2 : 16);
	s = value_hash(ki, text, len) & (ls->value_nslots - 1);
	while (ls->value_slots[s])
		s = (s + 1) & (ls->value_nslots - 1);
	ls->value_slots[s] = ((uint64_t)(ki + 1) << 32) | *idx;
	return 0;
}

int pyro_label_set_add(struct pyro_label_set *ls, const char *key,
		       size_t key_len, const char *text, size_t text_len,
		       unsigned kinds, int64_t num, const char *unit,
		       size_t unit_len, int64_t amount, uint64_t sample)
{
	struct pyro_label_key *k;
	struct pyro_label_value *v;
	size_t ki, vi;
	int rc;

	if (ls->finished)
		return -EINVAL;
	if ((rc = find_key(ls, key, key_len, &ki)) ||
	    (rc = find_value(ls, ki, text, text_len, &vi)))
		return rc;
	k = &ls->keys[ki];
	v = &k->values[vi];
	if ((kinds & PYRO_LABEL_NUMBER) && !k->unit) {
		/* The key's unit: the first given; "" stands for "none yet". */
		if (!(k->unit = dup_n(unit ? unit : "", unit ? unit_len : 0)))
			return -ENOMEM;
	} else if ((kinds & PYRO_LABEL_NUMBER) && !*k->unit && unit && unit_len) {
		free(k->unit);
		if (!(k->unit = dup_n(unit, unit_len)))
			return -ENOMEM;
	}
	if (kinds & PYRO_LABEL_NUMBER)
		v->num = num;
	v->kinds |= kinds;
	if (sample && k->stamp != sample) {
		if (__builtin_add_overflow(k->total, amount, &k->total))
			return -EOVERFLOW;
		k->stamp = sample;
	}
	if (sample && v->stamp != sample) {
		if (__builtin_add_overflow(v->total, amount, &v->total))
			return -EOVERFLOW;
		v->stamp = sample;
	}
	return 0;
}

/* Total desc, then text bytewise (a shorter prefix first). */
static int cmp_total_text(int64_t ta, const char *a, size_t la,
			  int64_t tb, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	int c;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	c = n ? memcmp(a, b, n) : 0;
	return c ? c : la < lb ? -1 : la > lb;
}

static int cmp_key(const void *x, const void *y)
{
	const struct pyro_label_key *a = x, *b = y;

	return cmp_total_text(a->total, a->text, a->len, b->total, b->text, b->len);
}

static int cmp_value(const void *x, const void *y)
{
	const struct pyro_label_value *a = x, *b = y;

	return cmp_total_text(a->total, a->text, a->len, b->total, b->text, b->len);
}

static char *encoded(const char *s, size_t len)
{
	struct pyro_buf b = PYRO_BUF_INIT;
	char *c;

	if (pyro_label_encode(s, len, &b)) {
		pyro_buf_release(&b);
		return NULL;
	}
	c = pyro_buf_detach(&b, NULL);
	return c ? c : strdup("");
}

/* finish(), computing each key's `without` unless a merge folded it. */
static int finish(struct pyro_label_set *ls, int set_without)
{
	size_t i, j;

	free(ls->key_slots);
	free(ls->value_slots);
	ls->key_slots = NULL;
	ls->value_slots = NULL;
	ls->key_nslots = ls->value_nslots = 0;
	ls->finished = 1;
	for (i = 0; i < ls->nkeys; i++) {
		struct pyro_label_key *k = &ls->keys[i];

		if (set_without &&
		    __builtin_sub_overflow(ls->total, k->total, &k->without))
			return -EOVERFLOW;
		if (k->unit && !*k->unit) {
			const char *u = k->len == 7 && !memcmp(k->text, "request", 7) ? "bytes" :
					k->len == 9 && !memcmp(k->text, "alignment", 9) ? "bytes" :
					NULL;

			free(k->unit);
			k->unit = u ? strdup(u) : dup_n(k->text, k->len);
			if (!k->unit)
				return -ENOMEM;
		}
		if (k->nvalues > 1)
			qsort(k->values, k->nvalues, sizeof(*k->values), cmp_value);
		if (!k->name && !(k->name = encoded(k->text, k->len)))
			return -ENOMEM;
		for (j = 0; j < k->nvalues; j++) {
			struct pyro_label_value *v = &k->values[j];

			v->stamp = 0;
			if (!v->name && !(v->name = encoded(v->text, v->len)))
				return -ENOMEM;
		}
		k->stamp = 0;
	}
	if (ls->nkeys > 1)
		qsort(ls->keys, ls->nkeys, sizeof(*ls->keys), cmp_key);
	return 0;
}

int pyro_label_set_finish(struct pyro_label_set *ls)
{
	return finish(ls, 1);
}

/* ---- combining ---------------------------------------------------------- */

/* Per slot accumulators, as merge.c keeps them per stack. */
struct slots {
	int64_t *sum, *inc, *prev, *cur;
	size_t n;
};

static int slots_init(struct slots *sl, size_t n)
{
	memset(sl, 0, sizeof(*sl));
	sl->n = n;
	sl->sum = calloc(n, sizeof(int64_t));
	sl->inc = calloc(n, sizeof(int64_t));
	sl->prev = calloc(n, sizeof(int64_t));
	sl->cur = calloc(n, sizeof(int64_t));
	return sl->sum && sl->inc && sl->prev && sl->cur ? 0 : -ENOMEM;
}

static void slots_release(struct slots *sl)
{
	free(sl->sum);
	free(sl->inc);
	free(sl->prev);
	free(sl->cur);
}

/* As merge.c's rise(): a rise that does not fit (a hostile negative p)
 * counts c whole. */
static int64_t slot_rise(int64_t c, int64_t p, int first)
{
	int64_t d;

	if (first || c < p || __builtin_sub_overflow(c, p, &d))
		return c;
	return d;
}

/* Whether folding cur in keeps every sum and increase within 64 bits. */
static int slots_fit(const struct slots *sl, int first)
{
	int64_t x;
	size_t i;

	for (i = 0; i < sl->n; i++)
		if (__builtin_add_overflow(sl->sum[i], sl->cur[i], &x) ||
		    __builtin_add_overflow(sl->inc[i],
					   slot_rise(sl->cur[i], sl->prev[i], first),
					   &x))
			return 0;
	return 1;
}

/* Fold cur in; first: the first member without a baseline.  The caller
 * checked that it fits (slots_fit). */
static void slots_fold(struct slots *sl, int first)
{
	size_t i;

	for (i = 0; i < sl->n; i++) {
		int64_t c = sl->cur[i], p = sl->prev[i];

		sl->sum[i] += c;
		sl->inc[i] += slot_rise(c, p, first);
		sl->prev[i] = c;
		sl->cur[i] = 0;
	}
}

static void slots_baseline(struct slots *sl)
{
	memcpy(sl->prev, sl->cur, sl->n * sizeof(int64_t));
	memset(sl->cur, 0, sl->n * sizeof(int64_t));
}

/* Slot numbering of the union u (building, unsorted): 0 the node total;
 * key i: base[i] its total, base[i] + 1 its without, base[i] + 2 + j its
 * value j. */
static int slot_bases(const struct pyro_label_set *u, size_t **base, size_t *n)
{
	size_t i, s = 1;

	*base = malloc((u->nkeys ? u->nkeys : 1) * sizeof(**base));
	if (!*base)
		return -ENOMEM;
	for (i = 0; i < u->nkeys; i++) {
		(*base)[i] = s;
		s += 2 + u->keys[i].nvalues;
	}
	*n = s;
	return 0;
}

/* Put set m's totals into the slots of the union u (cur).  Keys and values
 * u lacks (a baseline's) are skipped; a key m lacks has all of m's samples
 * without it. */
static void slots_load(const struct pyro_label_set *u, const size_t *base,
		       const struct pyro_label_set *m, struct slots *sl)
{
	size_t i, j, ki, vi;

	sl->cur[0] = m->total;
	for (ki = 0; ki < u->nkeys; ki++)
		sl->cur[base[ki] + 1] = m->total;
	for (i = 0; i < m->nkeys; i++) {
		const struct pyro_label_key *mk = &m->keys[i];

		if (lookup_key(u, mk->text, mk->len, &ki))
			continue;
		sl->cur[base[ki]] = mk->total;
		sl->cur[base[ki] + 1] = mk->without;
		for (j = 0; j < mk->nvalues; j++)
			if (!lookup_value(u, ki, mk->values[j].text,
					  mk->values[j].len, &vi))
				sl->cur[base[ki] + 2 + vi] = mk->values[j].total;
	}
}

/* The union of the members' keys and values (with units) into out. */
static int merge_union(struct pyro_label_set *out,
		       const struct pyro_label_set *const *members, size_t n)
{
	size_t i, j, k, ki, vi;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		const struct pyro_label_set *m = members[i];

		for (k = 0; k < m->nkeys && !rc; k++) {
			const struct pyro_label_key *mk = &m->keys[k];

			rc = find_key(out, mk->text, mk->len, &ki);
			if (!rc && mk->unit && !out->keys[ki].unit &&
			    !(out->keys[ki].unit = strdup(mk->unit)))
				rc = -ENOMEM;
			for (j = 0; j < mk->nvalues && !rc; j++) {
				const struct pyro_label_value *mv = &mk->values[j];
				struct pyro_label_value *v;

				rc = find_value(out, ki, mv->text, mv->len, &vi);
				if (rc)
					break;
				v = &out->keys[ki].values[vi];
				v->kinds |= mv->kinds;
				if (mv->kinds & PYRO_LABEL_NUMBER)
					v->num = mv->num;
			}
		}
	}
	return rc;
}

int pyro_label_set_merge(struct pyro_label_set *out,
			 const struct pyro_label_set *const *members, size_t n,
			 const struct pyro_label_set *baseline,
			 enum pyro_merge_rule rule)
{
	struct slots sl = { 0 };
	size_t *base = NULL, nslots = 0, i, ki, vi, folded = 0;
	int with_base = baseline && rule == PYRO_MERGE_INCREASE;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -EINVAL;
	rc = pyro_label_set_init(out, members[0]->sample_type, members[0]->sample_unit);
	if (!rc)
		rc = merge_union(out, members, n);
	if (!rc)
		rc = slot_bases(out, &base, &nslots);
	if (!rc)
		rc = slots_init(&sl, nslots);
	if (rc)
		goto out;
	if (with_base) {
		slots_load(out, base, baseline, &sl);
		slots_baseline(&sl);
	}
	out->nsnapshots = 0;
	for (i = 0; i < n; i++) {
		slots_load(out, base, members[i], &sl);
		/* A member overflowing the sums is left out, as merge.c
		 * leaves it out of the stacks (and names it there). */
		if (!slots_fit(&sl, folded == 0 && !with_base)) {
			memset(sl.cur, 0, sl.n * sizeof(int64_t));
			continue;
		}
		slots_fold(&sl, folded == 0 && !with_base);
		out->nsnapshots += members[i]->nsnapshots;
		folded++;
	}
	if (!folded) {
		rc = -EOVERFLOW;
		goto out;
	}
	for (i = 0; i < nslots; i++) {
		if (rule == PYRO_MERGE_INCREASE)
			sl.sum[i] = sl.inc[i];
		else if (rule == PYRO_MERGE_MEAN)
			sl.sum[i] = pyro_merge_mean(sl.sum[i], (int64_t)folded);
	}
	out->total = sl.sum[0];
	for (ki = 0; ki < out->nkeys; ki++) {
		struct pyro_label_key *k = &out->keys[ki];

		k->total = sl.sum[base[ki]];
		k->without = sl.sum[base[ki] + 1];
		for (vi = 0; vi < k->nvalues; vi++)
			k->values[vi].total = sl.sum[base[ki] + 2 + vi];
	}
	rc = finish(out, 0);
out:
	slots_release(&sl);
	free(base);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

const struct pyro_label_key *pyro_label_set_key(const struct pyro_label_set *ls,
						const char *name)
{
	size_t i;

	for (i = 0; i < ls->nkeys; i++)
		if (ls->keys[i].name && !strcmp(ls->keys[i].name, name))
			return &ls->keys[i];
	return NULL;
}

const struct pyro_label_value *pyro_label_key_value(const struct pyro_label_key *k,
						    const char *name)
{
	size_t i;

	for (i = 0; i < k->nvalues; i++)
		if (k->values[i].name && !strcmp(k->values[i].name, name))
			return &k->values[i];
	return NULL;
}

size_t pyro_label_set_bytes(const struct pyro_label_set *ls)
{
	size_t n = sizeof(*ls) + ls->keys_cap * sizeof(*ls->keys) +
		   ls->key_nslots * sizeof(*ls->key_slots) +
		   ls->value_nslots * sizeof(*ls->value_slots), i, j;

	for (i = 0; i < ls->nkeys; i++) {
		const struct pyro_label_key *k = &ls->keys[i];

		n += k->values_cap * sizeof(*k->values) + 2 * k->len + 2 +
		     (k->unit ? strlen(k->unit) + 1 : 0);
		for (j = 0; j < k->nvalues; j++)
			n += k->values[j].len + 1 +
			     (k->values[j].name ? strlen(k->values[j].name) + 1 : 0);
	}
	return n;
}

/* ---- names -------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

#define SHORT_KEEP (PYRO_LABEL_NAME_MAX - 19)   /* prefix of a shortened name */

int pyro_label_encode(const char *s, size_t len, struct pyro_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t start = out->len, keep = 0, i = 0;
	int rc = 0;

	if (len == 0)
		return pyro_buf_putc(out, '%');
	while (i < len && !rc) {
		size_t n = u[i] >= 0x80 ? utf8_len(u + i, len - i) : 0;

		if (n) {
			rc = pyro_buf_add(out, s + i, n);
			i += n;
		} else if (u[i] < 0x20 || u[i] >= 0x7f || u[i] == '/' || u[i] == '%' ||
			   (i == 0 && u[i] == '.')) {
			char e[3] = { '%', hex[u[i] >> 4], hex[u[i] & 15] };

			rc = pyro_buf_add(out, e, 3);
			i++;
		} else {
			rc = pyro_buf_putc(out, s[i]);
			i++;
		}
		/* The longest whole-character prefix that fits a short name. */
		if (!rc && out->len - start <= SHORT_KEEP)
			keep = out->len - start;
	}
	if (rc || out->len - start <= PYRO_LABEL_NAME_MAX)
		return rc;
	out->len = start + keep;
	out->data[out->len] = '\0';
	return pyro_buf_printf(out, "%%~%016" PRIx64,
			       pyro_hash_bytes(s, len, PYRO_HASH_SEED));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pyro_label_decode(const char *name, struct pyro_buf *out)
{
	struct pyro_buf again = PYRO_BUF_INIT;
	size_t start = out->len, i;
	int rc = 0;

	if (!strcmp(name, "%"))
		return 0;       /* the empty string */
	if (!*name)
		return -EINVAL;
	for (i = 0; name[i] && !rc; i++) {
		int hi, lo;

		if (name[i] != '%') {
			rc = pyro_buf_putc(out, name[i]);
			continue;
		}
		if (name[i + 1] == '~') {
			rc = -ENAMETOOLONG;
			break;
		}
		hi = hexval(name[i + 1]);
		lo = hi < 0 ? -1 : hexval(name[i + 2]);
		if (hi < 0 || lo < 0) {
			rc = -EINVAL;
			break;
		}
		rc = pyro_buf_putc(out, (char)(hi << 4 | lo));
		i += 2;
	}
	/* Only the one name encoding gives: "%41", "%2e" or a raw '/' are
	 * refused, so a value has exactly one directory name. */
	if (!rc)
		rc = pyro_label_encode(out->data ? out->data + start : "",
				       out->len - start, &again);
	if (!rc && strcmp(again.data ? again.data : "", name))
		rc = -EINVAL;
	pyro_buf_release(&again);
	if (rc && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}

int pyro_label_key_numeric(const struct pyro_label_key *k)
{
	size_t i;

	for (i = 0; i < k->nvalues; i++)
		if (k->values[i].kinds & PYRO_LABEL_STRING)
			return 0;
	return 1;
}

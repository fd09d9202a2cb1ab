/*
 * labels.h - sample labels (pprof labels, Pyroscope tags) of a node: which
 * keys and values its samples carry, and how much of the node's value each
 * one accounts for.
 *
 * A pprof sample carries labels: string labels `endpoint=/users` and
 * numeric labels `bytes=4096` with a unit.  A label set lists, for one
 * sample type, every key and every value of it with its total: the summed
 * values of the samples carrying it.  Counting rules:
 *   - a sample counts once per key and once per (key, value), however many
 *     times it repeats the label, so a value's total is exactly the total of
 *     the node restricted to that label (pyro_profile_stacks_filtered), and
 *     the values of a key add up to more than the key only when samples
 *     carry several values of it;
 *   - a value is its text: a string label's bytes, a numeric label's
 *     decimal integer ("4096", "-3").  A string "5" and a number 5 of one
 *     key are one value;
 *   - as pprof reads labels, a label with neither string nor number nor
 *     unit (all 0) does not exist, and one whose strings lie outside the
 *     string table is ignored (pprof refuses the file; we keep the samples);
 *   - a numeric key's unit is the first unit given with it, else "bytes"
 *     for the keys "request" and "alignment", else the key itself: pprof's
 *     NumLabelUnits.
 *
 * Directory names.  labels/<key>/<value>/ needs a name for arbitrary bytes.
 * pyro_label_encode writes, for a key or value:
 *   - bytes 0x00-0x1f, 0x7f, '/' and '%' as "%XX" (uppercase hex), a
 *     leading '.' as "%2E" (so no name is ".", ".." or hidden), and bytes
 *     that are not part of well-formed UTF-8 as "%XX"; everything else as is
 *     (spaces, '=', ':' and UTF-8 text stay readable);
 *   - the empty string as "%" alone (which no other encoding produces);
 *   - a result over PYRO_LABEL_NAME_MAX bytes is shortened: its first
 *     whole characters up to 181 bytes, then "%~" and 16 lowercase hex
 *     digits of a 64-bit hash of the whole text.  Such a name cannot be
 *     decoded (-ENAMETOOLONG): find it in the set instead.
 * Every other name decodes back to its bytes, and decoding accepts only
 * names that encoding produces (one name per value: "%41" is refused).
 *
 * A set is built in two phases: pyro_label_set_add() counts into it (a
 * hash finds entries), then pyro_label_set_finish() sorts keys and values
 * by total, largest first, then name bytewise, and sets the directory
 * names; afterwards it is read-only (and may be read from many threads).
 *
 * Ownership: a set owns all its strings and arrays; release it with
 * pyro_label_set_release() even after a failure.
 * Errors: 0 or a negative errno.
 */
#ifndef PYRO_LABELS_H
#define PYRO_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "stacks.h"

#define PYRO_LABEL_NAME_MAX 200         /* bytes of an encoded name, at most */

/* Kinds of a value (bit mask). */
#define PYRO_LABEL_STRING 1u
#define PYRO_LABEL_NUMBER 2u

struct pyro_label_value {
	char *text;             /* owned: the value; NUL-terminated but may
				 * hold NUL bytes (len is the truth) */
	size_t len;
	char *name;             /* owned: directory name, set by finish */
	unsigned kinds;         /* PYRO_LABEL_STRING and/or PYRO_LABEL_NUMBER */
	int64_t num;            /* the number, if PYRO_LABEL_NUMBER */
	int64_t total;          /* values of the samples carrying it */
	uint64_t stamp;         /* building only: last sample counted */
};

struct pyro_label_key {
	char *text;             /* owned: the key, as text above */
	size_t len;
	char *name;             /* owned: directory name, set by finish */
	char *unit;             /* owned: numeric values' unit, or NULL if the
				 * key has no numeric value */
	int64_t total;          /* values of the samples carrying the key */
	int64_t without;        /* values of the samples not carrying it */
	struct pyro_label_value *values;        /* by total desc after finish */
	size_t nvalues;
	size_t values_cap;
	uint64_t stamp;         /* building only: last sample counted */
};

struct pyro_label_set {
	char *sample_type;      /* owned: as stored, e.g. "cpu" */
	char *sample_unit;      /* owned: e.g. "nanoseconds" */
	int64_t total;          /* values of all samples, labelled or not */
	unsigned nsnapshots;    /* snapshots combined into it */
	struct pyro_label_key *keys;    /* by total desc after finish */
	size_t nkeys;
	size_t keys_cap;
	uint32_t *key_slots;    /* building only: hash of keys, index + 1 */
	size_t key_nslots;
	uint64_t *value_slots;  /* building only: hash of values,
				 * (key index + 1) << 32 | value index */
	size_t value_nslots;
	size_t nvalues;         /* values of all keys */
	int finished;
};

/* ---- building ---------------------------------------------------------- */

/* Set up an empty set for a sample type (copied; NULL is ""). */
int pyro_label_set_init(struct pyro_label_set *ls, const char *sample_type,
			const char *sample_unit);

/* Free everything; ls may be zeroed. */
void pyro_label_set_release(struct pyro_label_set *ls);

/* Add one sample's |value| to the node total: pprof's total is the sum
 * of absolute sample values, so shares of a profile with negative samples
 * (a delta) match top.txt's percentages. */
int pyro_label_set_sample(struct pyro_label_set *ls, int64_t amount);

/* Count a label of a sample: key=text (kinds says what it is: a string
 * label, or a number `num` whose text is its decimal integer, with unit
 * unit[0..unit_len), NULL or "" if none).  `sample` identifies the sample
 * (any value but 0, the same for all labels of one sample, different for
 * the next sample): a second label of the same sample adds nothing to a
 * key or value it already counted.  -EOVERFLOW if a total would overflow. */
int pyro_label_set_add(struct pyro_label_set *ls, const char *key,
		       size_t key_len, const char *text, size_t text_len,
		       unsigned kinds, int64_t num, const char *unit,
		       size_t unit_len, int64_t amount, uint64_t sample);

/* Compute the keys' `without`, apply the default units, sort, set the
 * directory names and drop the hashes.  The set is read-only afterwards. */
int pyro_label_set_finish(struct pyro_label_set *ls);

/* ---- combining --------------------------------------------------------- */

/* The label set of a merged node, from its members' finished sets
 * (members[0..n), oldest first, n >= 1) by the rule the node's stacks were
 * merged with (merge.h), applied to each total on its own - the node
 * total, each key's total and `without`, each value's total:
 *   PYRO_MERGE_SINGLE, PYRO_MERGE_SUM  the sum;
 *   PYRO_MERGE_MEAN                    the mean, rounded half away from 0;
 *   PYRO_MERGE_INCREASE                the first member counts whole, then
 *                                      each later one adds its rise over
 *                                      the previous, a fall counts whole;
 *                                      `baseline` (may be NULL) is the
 *                                      member before the first.
 * A key or value missing from a member counts 0 there; the baseline adds
 * no key or value.  Units and the sample type come from the first member
 * having them.  A member whose totals would overflow 64 bits summed with
 * those before it is left out (as pyro_merge_build leaves it out);
 * -EOVERFLOW only if none is left.  out is initialised here and
 * finished. */
int pyro_label_set_merge(struct pyro_label_set *out,
			 const struct pyro_label_set *const *members, size_t n,
			 const struct pyro_label_set *baseline,
			 enum pyro_merge_rule rule);

/* ---- reading a finished set -------------------------------------------- */

/* The key or value whose directory name is `name`, or NULL. */
const struct pyro_label_key *pyro_label_set_key(const struct pyro_label_set *ls,
						const char *name);
const struct pyro_label_value *pyro_label_key_value(const struct pyro_label_key *k,
						    const char *name);

/* Whether k is numeric: none of its values is a string label (a heap
 * profile's `bytes`).  Such keys have a value per allocation size, so the
 * tree leaves them out of labels/ by default (fs.h, -o labels). */
int pyro_label_key_numeric(const struct pyro_label_key *k);

/* Bytes ls holds allocated: what a cache should charge for keeping it. */
size_t pyro_label_set_bytes(const struct pyro_label_set *ls);

/* ---- names ------------------------------------------------------------- */

/* Append the directory name of s[0..len) to out (see above). */
int pyro_label_encode(const char *s, size_t len, struct pyro_buf *out);

/* Append the bytes a directory name stands for to out.  -EINVAL for a name
 * that encoding does not produce (a malformed or needless escape, '/', a
 * control byte, a leading '.'), -ENAMETOOLONG for a shortened name. */
int pyro_label_decode(const char *name, struct pyro_buf *out);

#endif

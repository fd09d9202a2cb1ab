/*
 * source_archive_priv.h - what the local archive source's files share:
 * the source (struct archive_src), its parts, and the published index that
 * is a view of them (source_archive.c builds and follows them), and the
 * operations that read a published index (source_archive_read.c).  Not a
 * public interface: source.h is.
 */
#ifndef PYRO_SOURCE_ARCHIVE_PRIV_H
#define PYRO_SOURCE_ARCHIVE_PRIV_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "archive.h"
#include "archive_watch.h"
#include "decode_pool.h"
#include "source.h"

struct archive_src {
	struct pyro_src base;           /* first: the handle fs/ holds */
	struct pyro_src_conf conf;      /* opts not kept (borrowed at open) */
	int eager;                      /* -o index=eager: every part at once */
	struct pyro_watch w;            /* inotify or the walk; the parts
					 * to index again */
	int rootfd;                     /* the root as indexed (O_PATH) or -1 */
	dev_t root_dev;
	ino_t root_ino;
	int gone;                       /* the current index says ARCHIVE is
					 * unreadable */
	atomic_size_t nservices, nindexed, nsnapshots;  /* of the newest index */
	atomic_size_t nloads, nrebuilds;
	struct pyro_decode_pool *pool;  /* every part's merges decode on it
					 * (owned) */
};

/* One part of the archive; shared by the indexes that hold it. */
struct part {
	atomic_uint refs;
	char *name;                     /* the service; NULL: the root part */
	int64_t mtime;                  /* pending: its directory's mtime */
	struct pyro_archive *a;         /* one reference; NULL: pending */
	struct pyro_point *points;      /* a's snapshots, service by service,
					 * series by series */
	int with_root;                  /* holds the root files of its service */
};

/* What a service of the view points to (its priv). */
struct svc_ref {
	struct pyro_archive *a;         /* borrowed from its part */
	const struct pyro_service *svc; /* NULL while pending */
	struct part *part;
};

/* A published index: a view of parts. */
struct archive_index {
	struct pyro_index ix;
	struct part **parts;            /* directory parts, sorted by name;
					 * one reference each */
	size_t nparts;
	struct part *root;              /* the root files' part, or NULL */
	struct pyro_archive *gone;      /* ARCHIVE unreadable: the empty
					 * archive that says so; else NULL */
	struct svc_ref *refs;           /* per service */
};

static inline struct archive_src *to_src(struct pyro_src *src)
{
	return (struct archive_src *)src;
}

static inline const struct archive_index *view_of(const struct pyro_index *ix)
{
	return (const struct archive_index *)ix;
}

static inline const struct svc_ref *ref_of(const struct pyro_index_series *se)
{
	return se->service->priv;
}

/* ---- source_archive_read.c: the source operations that read an index -- */

int pyro_asrc_stacks(struct pyro_src *src, const struct pyro_index *ix,
		     const struct pyro_index_series *se,
		     const struct pyro_span *sp, const char *span_name,
		     const struct pyro_merge_filter *f,
		     struct pyro_stacks *out, char err[PYRO_ERR_MAX]);
int pyro_asrc_labels(struct pyro_src *src, const struct pyro_index *ix,
		     const struct pyro_index_series *se,
		     const struct pyro_span *sp, enum pyro_merge_rule rule,
		     struct pyro_label_set *out, char err[PYRO_ERR_MAX]);
int pyro_asrc_history(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se,
		      struct pyro_history *out, char err[PYRO_ERR_MAX]);
void pyro_asrc_ident(struct pyro_src *src, const struct pyro_index *ix,
		     const struct pyro_index_series *se,
		     const struct pyro_span *sp, uint64_t *h, int *open);
int pyro_asrc_sources(struct pyro_src *src, const struct pyro_index *ix,
		      const struct pyro_index_series *se,
		      const struct pyro_span *sp, struct pyro_buf *out);
int pyro_asrc_problems(struct pyro_src *src, const struct pyro_index *ix,
		       struct pyro_buf *out);
int pyro_asrc_problem(struct pyro_src *src, const struct pyro_index *ix,
		      const char *what, const char *reason);

#endif

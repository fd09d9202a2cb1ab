/*
 * remote_call.c - the Pyroscope source's calls to the server: one Connect
 * call packed and unpacked (pyro_remote_rpc), the label selector every
 * query carries, and SelectSeries.  Split from remote_list.c, which lists
 * a server into an index with them; source_remote.c's operations use them
 * too.  remote_source.h is what these files share.
 */
#include "remote_source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.pb-c.h"

/* ---- calls ------------------------------------------------------------ */

/* Pack req, call method, unpack the answer as resp_desc (NULL: keep the
 * raw bytes in *raw instead).  *status gets the HTTP status. */
int pyro_remote_rpc(struct remote *r, const char *method, const ProtobufCMessage *req,
		    const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
		    struct pyro_buf *raw, long *status, char err[PYRO_ERR_MAX])
{
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t *buf = malloc(len ? len : 1);
	struct pyro_buf ans = PYRO_BUF_INIT;
	long st = 0;
	int rc;

	if (!buf) {
		snprintf(err, PYRO_ERR_MAX, "%s: out of memory", method);
		return -ENOMEM;
	}
	protobuf_c_message_pack(req, buf);
	rc = pyro_http_call(r->http, method, buf, len, raw ? raw : &ans, &st, err);
	free(buf);
	if (status)
		*status = st;
	if (!rc && resp_desc) {
		*resp = protobuf_c_message_unpack(resp_desc, NULL, ans.len,
						  (const uint8_t *)(ans.data ? ans.data : ""));
		if (!*resp) {
			snprintf(err, PYRO_ERR_MAX, "%s: undecodable answer (%zu bytes)",
				 method, ans.len);
			rc = -EIO;
		}
	}
	pyro_buf_release(&ans);
	return rc;
}

/* Append `"value"` with '\\' and '"' escaped. */
static int put_quoted(struct pyro_buf *b, const char *v, size_t len)
{
	size_t i;
	int rc = pyro_buf_putc(b, '"');

	for (i = 0; i < len && !rc; i++) {
		if (v[i] == '"' || v[i] == '\\')
			rc = pyro_buf_putc(b, '\\');
		if (!rc)
			rc = pyro_buf_putc(b, v[i] == '\n' ? ' ' : v[i]);
	}
	return rc ? rc : pyro_buf_putc(b, '"');
}

/* The label selector {service_name="svc", <-o selector>, key="value"}:
 * svc and key may be NULL. */
int pyro_remote_selector(const struct remote *r, const char *svc, const char *key,
			 size_t key_len, const char *value, size_t value_len,
			 struct pyro_buf *out)
{
	int rc = pyro_buf_putc(out, '{'), any = 0;

	if (!rc && svc) {
		rc = pyro_buf_puts(out, "service_name=");
		if (!rc)
			rc = put_quoted(out, svc, strlen(svc));
		any = 1;
	}
	if (!rc && r->o.selector && *r->o.selector) {
		rc = pyro_buf_printf(out, "%s%s", any ? ", " : "", r->o.selector);
		any = 1;
	}
	if (!rc && key) {
		rc = pyro_buf_printf(out, "%s%.*s=", any ? ", " : "", (int)key_len, key);
		if (!rc)
			rc = put_quoted(out, value, value_len);
	}
	return rc ? rc : pyro_buf_putc(out, '}');
}

/* SelectSeries: *resp owned by the caller (free_unpacked). */
int pyro_remote_select_series(struct remote *r, const char *type_id, const char *sel,
			      int64_t start, int64_t end, int64_t step_ms, int average,
			      char **group_by, size_t ngroup,
			      Querier__V1__SelectSeriesResponse **resp, char err[PYRO_ERR_MAX])
{
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;

	req.profile_typeid = (char *)type_id;
	req.label_selector = (char *)sel;
	req.start = start;
	req.end = end;
	req.step = (double)step_ms / 1000.0;
	req.aggregation = average ? TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_AVERAGE :
		TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_SUM;
	req.group_by = group_by;
	req.n_group_by = ngroup;
	return pyro_remote_rpc(r, "SelectSeries", &req.base, &querier__v1__select_series_response__descriptor,
		   (ProtobufCMessage **)resp, NULL, NULL, err);
}

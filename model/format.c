/*
 * format.c - the table of foreign profile formats and the one place that
 * converts them (see format.h).
 */
#include "format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const struct pyro_format pyro_formats[] = {
	{ "v8 cpuprofile", pyro_v8_cpu_sniff, pyro_v8_cpu_to_pprof },
	{ "v8 heapprofile", pyro_v8_heap_sniff, pyro_v8_heap_to_pprof },
	{ "speedscope", pyro_speedscope_sniff, pyro_speedscope_to_pprof },
	{ "perf script", pyro_perf_sniff, pyro_perf_to_pprof },
	{ "JFR", pyro_jfr_sniff, pyro_jfr_to_pprof },
	{ NULL, NULL, NULL },
};

const struct pyro_format *pyro_format_find(const char *head, size_t len)
{
	const struct pyro_format *f;

	if (len > PYRO_FORMAT_SNIFF_MAX)
		len = PYRO_FORMAT_SNIFF_MAX;
	for (f = pyro_formats; f->name; f++)
		if (f->sniff(head, len))
			return f;
	return NULL;
}

int pyro_format_convert(struct pyro_buf *data, size_t max_size,
			char err[PYRO_ERR_MAX])
{
	const struct pyro_format *f = pyro_format_find(data->data, data->len);
	struct pyro_buf out = PYRO_BUF_INIT;
	char why[PYRO_ERR_MAX] = "";
	int rc;

	if (!f)
		return 0;
	rc = f->to_pprof(data->data, data->len, max_size, &out, why);
	if (rc) {
		pyro_buf_release(&out);
		if (rc == -EFBIG)
			snprintf(why, sizeof(why), "as pprof it is over "
				 "max_profile_size (%zu bytes)", max_size);
		else if (!why[0])
			snprintf(why, sizeof(why), "%s", strerror(-rc));
		snprintf(err, PYRO_ERR_MAX, "%s: %s", f->name, why);
		return rc;
	}
	pyro_buf_release(data);
	*data = out;
	return 0;
}

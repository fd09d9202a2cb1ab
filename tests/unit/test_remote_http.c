/*
 * test_remote_http.c - Connect calls over libcurl (model/remote_http.c)
 * against the Pyroscope test server (tests/remote/server.mjs) serving
 * demo/archive with basic auth "u:p" and tenant "t1" required.
 *
 * Failures are the server's own (its /control knobs): Connect errors, an
 * HTML page, JSON where protobuf belongs, a dropped connection, a slow
 * answer.  The cap and coalescing are checked with calls held by the server
 * until released, so no test depends on timing.  The server also speaks
 * HTTPS with a certificate made by openssl for the run (TLS with and without
 * -o ca_file), and a small proxy (tests/remote/proxy.mjs) counts the calls
 * that the environment's http_proxy/https_proxy send through it.  Every
 * test skips when node or the server's npm packages cannot be had.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../model/remote_http.h"
#include "../support/remote_server.h"
#include "types.pb-c.h"

static struct test_server server;
static int server_rc = -1;

static int group_setup(void **state)
{
	static const char *const args[] = { "--basic", "u:p", "--tenant", "t1", NULL };

	server_rc = test_server_start_tls(&server, "demo/archive", args);
	return server_rc == 0 || server_rc == 77 ? 0 : -1;
}

static int group_teardown(void **state)
{
	test_server_stop(&server);
	return 0;
}

static int setup(void **state)
{
	if (server_rc == 77)
		skip();
	return test_server_control(&server, "/control", NULL);
}

static struct pyro_http *client_at(const char *url, const char *ca_file,
				   const char *auth, const char *tenant,
				   long timeout_ms, unsigned max_queries)
{
	struct pyro_http_conf c = {
		.url = url, .tenant = tenant, .auth = auth, .ca_file = ca_file,
		.timeout_ms = timeout_ms, .max_queries = max_queries,
		.max_size = 1 << 20,
	};
	char err[PYRO_ERR_MAX];
	struct pyro_http *h;

	assert_int_equal(pyro_http_new(&c, &h, err), 0);
	return h;
}

static struct pyro_http *client(const char *auth, const char *tenant,
				long timeout_ms, unsigned max_queries)
{
	return client_at(server.url, NULL, auth, tenant, timeout_ms, max_queries);
}

#define GOOD_AUTH "Basic dTpw"          /* base64("u:p") */

/* LabelValues(name): 0 or the error; on success names joined by ','. */
static int label_values(struct pyro_http *h, const char *name, char *out,
			size_t cap, long *status, char err[PYRO_ERR_MAX])
{
	Types__V1__LabelValuesRequest req = TYPES__V1__LABEL_VALUES_REQUEST__INIT;
	Types__V1__LabelValuesResponse *resp;
	struct pyro_buf ans = PYRO_BUF_INIT;
	uint8_t packed[256];
	size_t len, i;
	int rc;

	req.name = (char *)name;
	len = types__v1__label_values_request__pack(&req, packed);
	rc = pyro_http_call(h, "LabelValues", packed, len, &ans, status, err);
	if (rc)
		goto out;
	resp = types__v1__label_values_response__unpack(NULL, ans.len, (uint8_t *)ans.data);
	assert_non_null(resp);
	out[0] = '\0';
	for (i = 0; i < resp->n_names; i++) {
		strncat(out, i ? "," : "", cap - strlen(out) - 1);
		strncat(out, resp->names[i], cap - strlen(out) - 1);
	}
	types__v1__label_values_response__free_unpacked(resp, NULL);
out:
	pyro_buf_release(&ans);
	return rc;
}

static void test_call(void **state)
{
	struct pyro_http *h = client(GOOD_AUTH, "t1", 30000, 4);
	struct pyro_buf st = PYRO_BUF_INIT;
	char names[256], err[PYRO_ERR_MAX];
	long status;

	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err), 0);
	assert_string_equal(names, "api,billing,leaky");
	assert_int_equal(status, 200);
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_non_null(strstr(st.data, "\"authorization\":\"Basic dTpw\""));
	assert_non_null(strstr(st.data, "\"x-scope-orgid\":\"t1\""));
	pyro_buf_release(&st);
	pyro_http_free(h);
}

static void test_unauthorized(void **state)
{
	struct pyro_http *h = client("Basic dTp4", "t1", 30000, 4);   /* u:x */
	char names[256], err[PYRO_ERR_MAX];
	long status;

	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EACCES);
	assert_int_equal(status, 401);
	assert_string_equal(err, "LabelValues: HTTP 401: unauthenticated: invalid credentials");
	pyro_http_free(h);

	h = client(GOOD_AUTH, NULL, 30000, 4);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EACCES);
	assert_string_equal(err, "LabelValues: HTTP 401: unauthenticated: no org id");
	pyro_http_free(h);
}

/* One knob of the server, and the error a call then gets. */
static void expect_failure(const char *knob, int want_rc, long want_status,
			   const char *want_err)
{
	struct pyro_http *h = client(GOOD_AUTH, "t1", 1000, 4);
	char names[256], err[PYRO_ERR_MAX] = "";
	long status = -1;

	assert_int_equal(test_server_control(&server, knob, NULL), 0);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 want_rc);
	if (want_status >= 0)
		assert_int_equal(status, want_status);
	if (!strstr(err, want_err))
		fail_msg("error \"%s\" lacks \"%s\"", err, want_err);
	pyro_http_free(h);
	assert_int_equal(test_server_control(&server, "/control", NULL), 0);
}

static void test_connect_error(void **state)
{
	expect_failure("/control?fail=unavailable", -EIO, 503,
		       "LabelValues: HTTP 503: unavailable: injected failure: unavailable");
}

static void test_html(void **state)
{
	expect_failure("/control?html=1", -EIO, 502,
		       "LabelValues: HTTP 502 Bad Gateway (a text/html answer, not a Connect error)");
}

static void test_json_answer(void **state)
{
	expect_failure("/control?json=1", -EIO, 200,
		       "LabelValues: HTTP 200 with a application/json answer, not application/proto");
}

static void test_dropped(void **state)
{
	expect_failure("/control?drop=1", -EIO, 0, "LabelValues: ");
}

static void test_timeout(void **state)
{
	expect_failure("/control?delay_ms=5000", -ETIMEDOUT, 0,
		       "LabelValues: no answer within 1000 ms");
}

static void test_refused(void **state)
{
	struct pyro_http_conf c = {
		.url = "http://127.0.0.1:1/", .timeout_ms = 5000, .max_queries = 1,
		.max_size = 1 << 20,
	};
	char names[64], err[PYRO_ERR_MAX];
	struct pyro_http *h;
	long status;

	assert_int_equal(pyro_http_new(&c, &h, err), 0);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EIO);
	assert_non_null(strstr(err, "LabelValues: "));
	assert_int_equal(status, 0);
	pyro_http_free(h);

	c.url = "ftp://example/";
	assert_int_equal(pyro_http_new(&c, &h, err), -EINVAL);
	assert_null(h);
}

static void test_too_big(void **state)
{
	struct pyro_http_conf c = {
		.url = server.url, .tenant = "t1", .auth = GOOD_AUTH,
		.timeout_ms = 5000, .max_queries = 1, .max_size = 8,
	};
	char names[64], err[PYRO_ERR_MAX];
	struct pyro_http *h;
	long status;

	assert_int_equal(pyro_http_new(&c, &h, err), 0);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EIO);
	assert_string_equal(err, "LabelValues: answer over max_profile_size (8 bytes)");
	pyro_http_free(h);
}

static void test_keepalive(void **state)
{
	struct pyro_http *h = client(GOOD_AUTH, "t1", 30000, 4);
	struct pyro_buf st = PYRO_BUF_INIT;
	char names[256], err[PYRO_ERR_MAX];
	long status;
	int i;

	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(label_values(h, "service_name", names, sizeof(names),
					      &status, err), 0);
	/* One connection for the five calls, one for this /stats query. */
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "connections"), 2);
	pyro_buf_release(&st);
	pyro_http_free(h);
}

struct caller {
	pthread_t thread;
	struct pyro_http *h;
	const char *name;
	int rc;
	char names[256];
};

static void *call_thread(void *arg)
{
	struct caller *c = arg;
	char err[PYRO_ERR_MAX];
	long status;

	c->rc = label_values(c->h, c->name, c->names, sizeof(c->names), &status, err);
	return NULL;
}

/* Poll the server until key (in /stats) reaches want; a bounded wait. */
static long wait_stat(const char *key, long want)
{
	long v = -1;
	int i;

	for (i = 0; i < 600 && v != want; i++) {
		struct pyro_buf st = PYRO_BUF_INIT;

		if (i)
			usleep(20000);
		assert_int_equal(test_server_control(&server, "/stats", &st), 0);
		v = test_json_int(st.data, key);
		pyro_buf_release(&st);
	}
	return v;
}

static void test_cap(void **state)
{
	static const char *const names[] = {
		"service_name", "__name__", "__type__", "__unit__", "endpoint", "__period_type__",
	};
	struct pyro_http *h = client(GOOD_AUTH, "t1", 30000, 2);
	struct caller c[6];
	struct pyro_http_stats hs;
	struct pyro_buf st = PYRO_BUF_INIT;
	size_t i;

	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	assert_int_equal(test_server_control(&server, "/control?hold=1", NULL), 0);
	for (i = 0; i < 6; i++) {
		c[i] = (struct caller){ .h = h, .name = names[i] };
		assert_int_equal(pthread_create(&c[i].thread, NULL, call_thread, &c[i]), 0);
	}
	/* Two calls reach the server and are held; the other four wait. */
	assert_int_equal(wait_stat("inFlight", 2), 2);
	assert_int_equal(test_server_control(&server, "/control", NULL), 0);
	assert_int_equal(test_server_control(&server, "/release", NULL), 0);
	for (i = 0; i < 6; i++) {
		pthread_join(c[i].thread, NULL);
		assert_int_equal(c[i].rc, 0);
	}
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "maxInFlight"), 2);
	assert_int_equal(test_json_int(st.data, "LabelValues"), 6);
	pyro_http_get_stats(h, &hs);
	assert_int_equal(hs.sent, 6);
	assert_true(hs.max_in_flight <= 2);
	pyro_buf_release(&st);
	pyro_http_free(h);
}

static void test_coalesce(void **state)
{
	struct pyro_http *h = client(GOOD_AUTH, "t1", 30000, 4);
	struct caller c[4];
	struct pyro_http_stats hs;
	struct pyro_buf st = PYRO_BUF_INIT;
	size_t i;

	assert_int_equal(test_server_control(&server, "/stats/reset", NULL), 0);
	assert_int_equal(test_server_control(&server, "/control?hold=1", NULL), 0);
	for (i = 0; i < 4; i++) {
		c[i] = (struct caller){ .h = h, .name = "service_name" };
		assert_int_equal(pthread_create(&c[i].thread, NULL, call_thread, &c[i]), 0);
	}
	assert_int_equal(wait_stat("inFlight", 1), 1);
	for (i = 0; i < 600; i++) {     /* until the other three have joined it */
		pyro_http_get_stats(h, &hs);
		if (hs.coalesced == 3)
			break;
		usleep(20000);
	}
	assert_int_equal(hs.coalesced, 3);
	assert_int_equal(test_server_control(&server, "/control", NULL), 0);
	assert_int_equal(test_server_control(&server, "/release", NULL), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(c[i].thread, NULL);
		assert_int_equal(c[i].rc, 0);
		assert_string_equal(c[i].names, "api,billing,leaky");
	}
	assert_int_equal(test_server_control(&server, "/stats", &st), 0);
	assert_int_equal(test_json_int(st.data, "LabelValues"), 1);
	pyro_http_get_stats(h, &hs);
	assert_int_equal(hs.sent, 1);
	pyro_buf_release(&st);
	pyro_http_free(h);
}

static void test_qps(void **state)
{
	struct pyro_http_conf conf = {
		.url = server.url, .tenant = "t1", .auth = GOOD_AUTH,
		.timeout_ms = 5000, .max_queries = 4, .qps = 50, .max_size = 1 << 20,
	};
	char names[256], err[PYRO_ERR_MAX];
	struct pyro_http *h;
	long status;
	int i;

	assert_int_equal(pyro_http_new(&conf, &h, err), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(label_values(h, "service_name", names, sizeof(names),
					      &status, err), 0);
		assert_string_equal(names, "api,billing,leaky");
	}
	pyro_http_free(h);
}

/* HTTPS: verified against -o ca_file; without it (the system's CAs) the
 * self-signed certificate fails with curl's reason. */
static void test_tls(void **state)
{
	struct pyro_http *h;
	char names[256], err[PYRO_ERR_MAX];
	long status;

	h = client_at(server.tls_url, server.ca_file, GOOD_AUTH, "t1", 30000, 4);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err), 0);
	assert_string_equal(names, "api,billing,leaky");
	assert_int_equal(status, 200);
	pyro_http_free(h);

	h = client_at(server.tls_url, NULL, GOOD_AUTH, "t1", 30000, 4);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EIO);
	assert_string_equal(err, "LabelValues: TLS: SSL certificate problem: "
			    "self-signed certificate (system CAs; see -o ca_file)");
	pyro_http_free(h);

	/* A CA file that is not one: curl cannot load it. */
	h = client_at(server.tls_url, "/dev/null", GOOD_AUTH, "t1", 30000, 4);
	assert_int_equal(label_values(h, "service_name", names, sizeof(names), &status, err),
			 -EIO);
	assert_non_null(strstr(err, "LabelValues: TLS: "));
	assert_non_null(strstr(err, "(CAs from -o ca_file)"));
	pyro_http_free(h);
}

/* The proxy's count of forwarded requests (http) or CONNECT tunnels. */
static long proxy_count(const struct test_server *proxy, const char *key)
{
	struct pyro_buf st = PYRO_BUF_INIT;
	long n;

	assert_int_equal(test_server_control(proxy, "/stats", &st), 0);
	n = test_json_int(st.data, key);
	pyro_buf_release(&st);
	return n;
}

static void proxied_call(const char *url, const char *ca_file)
{
	struct pyro_http *h = client_at(url, ca_file, GOOD_AUTH, "t1", 30000, 4);
	char names[256], err[PYRO_ERR_MAX];

	assert_int_equal(label_values(h, "service_name", names, sizeof(names), NULL, err), 0);
	assert_string_equal(names, "api,billing,leaky");
	pyro_http_free(h);
}

/* libcurl reads http_proxy, https_proxy and no_proxy from the environment
 * at every transfer; HTTP_PROXY (upper case) it ignores, by design. */
static struct test_server proxy;

static int proxy_teardown(void **state)
{
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("no_proxy");
	test_server_stop(&proxy);
	return 0;
}

static void test_proxy(void **state)
{
	int rc = test_proxy_start(&proxy);

	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
	assert_int_equal(setenv("http_proxy", proxy.url, 1), 0);
	proxied_call(server.url, NULL);
	assert_int_equal(proxy_count(&proxy, "forwarded"), 1);

	assert_int_equal(setenv("no_proxy", "127.0.0.1", 1), 0);
	proxied_call(server.url, NULL);
	assert_int_equal(proxy_count(&proxy, "forwarded"), 1);
	unsetenv("no_proxy");
	unsetenv("http_proxy");

	assert_int_equal(setenv("HTTP_PROXY", proxy.url, 1), 0);
	proxied_call(server.url, NULL);
	assert_int_equal(proxy_count(&proxy, "forwarded"), 1);
	unsetenv("HTTP_PROXY");

	assert_int_equal(setenv("https_proxy", proxy.url, 1), 0);
	proxied_call(server.tls_url, server.ca_file);
	assert_int_equal(proxy_count(&proxy, "connects"), 1);
	unsetenv("https_proxy");
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_auth_file(void **state)
{
	char dir[] = "/tmp/pyrofs-auth.XXXXXX", path[64], err[PYRO_ERR_MAX], *hdr;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/auth", dir);
	write_file(path, "u:p\n", 0644);
	assert_int_equal(pyro_http_auth_file(path, &hdr, err), -EPERM);
	assert_null(hdr);
	assert_non_null(strstr(err, "accessible by group or others"));
	write_file(path, "u:p\nignored\n", 0600);
	assert_int_equal(pyro_http_auth_file(path, &hdr, err), 0);
	assert_string_equal(hdr, GOOD_AUTH);
	free(hdr);
	write_file(path, "glc_token-1\r\n", 0400);
	assert_int_equal(pyro_http_auth_file(path, &hdr, err), 0);
	assert_string_equal(hdr, "Bearer glc_token-1");
	free(hdr);
	write_file(path, "\n", 0600);
	assert_int_equal(pyro_http_auth_file(path, &hdr, err), -EINVAL);
	unlink(path);
	assert_int_equal(pyro_http_auth_file(path, &hdr, err), -ENOENT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_call, setup),
		cmocka_unit_test_setup(test_unauthorized, setup),
		cmocka_unit_test_setup(test_connect_error, setup),
		cmocka_unit_test_setup(test_html, setup),
		cmocka_unit_test_setup(test_json_answer, setup),
		cmocka_unit_test_setup(test_dropped, setup),
		cmocka_unit_test_setup(test_timeout, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_too_big, setup),
		cmocka_unit_test_setup(test_keepalive, setup),
		cmocka_unit_test_setup(test_cap, setup),
		cmocka_unit_test_setup(test_coalesce, setup),
		cmocka_unit_test_setup(test_qps, setup),
		cmocka_unit_test_setup(test_tls, setup),
		cmocka_unit_test_setup_teardown(test_proxy, setup, proxy_teardown),
		cmocka_unit_test(test_auth_file),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

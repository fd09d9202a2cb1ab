/*
 * remote_server.h - run the Pyroscope test server (tests/remote/server.mjs)
 * from a unit test, and talk to its control endpoints.
 *
 * Tests run from the repository root (make unit), so the server script is
 * found at tests/remote/start-server.sh.  Starting waits until the server
 * has written its port (a readiness wait, bounded, nothing timed).
 */
#ifndef PYRO_TEST_REMOTE_SERVER_H
#define PYRO_TEST_REMOTE_SERVER_H

#include <sys/types.h>

#include "../../model/buf.h"

struct test_server {
	pid_t pid;
	int port;
	char url[64];           /* "http://127.0.0.1:PORT" */
	char tls_url[64];       /* "https://127.0.0.1:PORT", or "" */
	char ca_file[96];       /* the HTTPS certificate (self-signed, for
				 * 127.0.0.1), or "" */
	char dir[64];           /* temporary directory of the port file */
};

/* Start the server on archive dir with extra server.mjs arguments (NULL
 * terminated, may be NULL).  0; 77 when node or its packages are missing
 * (skip); -1 on any other failure (message on stderr). */
int test_server_start(struct test_server *s, const char *archive,
		      const char *const *args);

/* The same, also serving HTTPS at tls_url with a certificate made by
 * `openssl req -x509` in the server's directory (ca_file).  77 also when
 * openssl is missing. */
int test_server_start_tls(struct test_server *s, const char *archive,
			  const char *const *args);

/* Start tests/remote/proxy.mjs, an HTTP proxy (forwarding and CONNECT)
 * that counts what passes; s->url is its address and GET s->url/stats its
 * counts.  0, 77 (no node) or -1.  Stop it with test_server_stop. */
int test_proxy_start(struct test_server *s);

/* Stop it (SIGTERM, then wait) and remove its directory; idempotent. */
void test_server_stop(struct test_server *s);

/* POST (or GET for "/stats") path_query, e.g. "/control?delay_ms=500", and
 * append the answer to out if not NULL.  0 or -1. */
int test_server_control(const struct test_server *s, const char *path_query,
			struct pyro_buf *out);

/* The integer after "\"key\":" in JSON text, or -1. */
long test_json_int(const char *json, const char *key);

#endif

/*
 * remote_server.c - the Pyroscope test server for unit tests; see
 * remote_server.h.
 */
#include "remote_server.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Run argv (argv[0] a script) and wait until it writes a port number to
 * DIR/port; then s->pid, s->port, s->url are set. */
static int start_and_wait(struct test_server *s, const char **argv)
{
	char pf[128];
	int i, st;

	snprintf(pf, sizeof(pf), "%s/port", s->dir);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	/* Up to 60 s: the first start may run npm ci. */
	for (i = 0; i < 1200; i++) {
		FILE *f = fopen(pf, "r");

		if (f) {
			if (fscanf(f, "%d", &s->port) == 1) {
				fclose(f);
				snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
				return 0;
			}
			fclose(f);
		}
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			test_server_stop(s);
			return WIFEXITED(st) && WEXITSTATUS(st) == 77 ? 77 : -1;
		}
		usleep(50000);
	}
	fprintf(stderr, "test server did not start\n");
	test_server_stop(s);
	return -1;
}

/* A self-signed certificate for 127.0.0.1 in s->dir; 0, 77 or -1. */
static int make_cert(struct test_server *s)
{
	char cmd[512];
	int rc;

	if (system("command -v openssl >/dev/null 2>&1"))
		return 77;
	snprintf(s->ca_file, sizeof(s->ca_file), "%s/cert.pem", s->dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
		 "-keyout %s/key.pem -out %s 2>/dev/null", s->dir, s->ca_file);
	rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

static int start_server(struct test_server *s, const char *archive,
			const char *const *args, int tls)
{
	char pf[128], cert[128], key[128], tpf[128];
	const char *argv[40];
	int n = 0, i, rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/pyrofs-srv.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(pf, sizeof(pf), "%s/port", s->dir);
	argv[n++] = "tests/remote/start-server.sh";
	argv[n++] = "--dir";
	argv[n++] = archive;
	argv[n++] = "--port-file";
	argv[n++] = pf;
	if (tls) {
		rc = make_cert(s);
		if (rc) {
			test_server_stop(s);
			return rc;
		}
		snprintf(cert, sizeof(cert), "%s/cert.pem", s->dir);
		snprintf(key, sizeof(key), "%s/key.pem", s->dir);
		snprintf(tpf, sizeof(tpf), "%s/tls-port", s->dir);
		argv[n++] = "--tls-cert";
		argv[n++] = cert;
		argv[n++] = "--tls-key";
		argv[n++] = key;
		argv[n++] = "--tls-port-file";
		argv[n++] = tpf;
	}
	for (i = 0; args && args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	rc = start_and_wait(s, argv);
	if (rc == 0 && tls) {
		FILE *f = fopen(tpf, "r");      /* written before the plain port */
		int port = 0;

		if (!f || fscanf(f, "%d", &port) != 1) {
			if (f)
				fclose(f);
			test_server_stop(s);
			return -1;
		}
		fclose(f);
		snprintf(s->tls_url, sizeof(s->tls_url), "https://127.0.0.1:%d", port);
	}
	return rc;
}

int test_server_start(struct test_server *s, const char *archive,
		      const char *const *args)
{
	return start_server(s, archive, args, 0);
}

int test_server_start_tls(struct test_server *s, const char *archive,
			  const char *const *args)
{
	return start_server(s, archive, args, 1);
}

int test_proxy_start(struct test_server *s)
{
	char pf[128];
	const char *argv[] = { "/usr/bin/env", "node", "tests/remote/proxy.mjs",
			       "--port-file", pf, NULL };

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/pyrofs-proxy.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(pf, sizeof(pf), "%s/port", s->dir);
	if (system("command -v node >/dev/null 2>&1")) {
		test_server_stop(s);
		return 77;
	}
	return start_and_wait(s, argv);
}

void test_server_stop(struct test_server *s)
{
	char pf[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0]) {
		static const char *const files[] = { "port", "tls-port", "cert.pem", "key.pem" };
		size_t i;

		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(pf, sizeof(pf), "%s/%s", s->dir, files[i]);
			unlink(pf);
		}
		rmdir(s->dir);
		s->dir[0] = '\0';
	}
}

static size_t sink(char *p, size_t size, size_t n, void *userp)
{
	struct pyro_buf *b = userp;

	return b && pyro_buf_add(b, p, size * n) ? 0 : size * n;
}

int test_server_control(const struct test_server *s, const char *path_query,
			struct pyro_buf *out)
{
	char url[512];
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (!c)
		return -1;
	snprintf(url, sizeof(url), "%s%s", s->url, path_query);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");     /* tests set http_proxy */
	if (strcmp(path_query, "/stats"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return rc == CURLE_OK && status == 200 ? 0 : -1;
}

long test_json_int(const char *json, const char *key)
{
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

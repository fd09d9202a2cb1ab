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

int test_server_start(struct test_server *s, const char *archive,
		      const char *const *args)
{
	char pf[128];
	const char *argv[32];
	int n = 0, i, st;

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
	for (i = 0; args && args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
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

void test_server_stop(struct test_server *s)
{
	char pf[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0]) {
		snprintf(pf, sizeof(pf), "%s/port", s->dir);
		unlink(pf);
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

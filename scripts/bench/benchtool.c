/*
 * benchtool.c - the benchmark's stopwatch.
 *
 *   benchtool run CMD [ARG...]
 *
 * Runs CMD once with stdout and stderr sent to /dev/null and prints its
 * wall-clock time in seconds (monotonic clock, from before fork to after
 * wait), so pyrofs and its peers are timed the same way, process start-up
 * included.  Exits with CMD's status (128 + signal if it was killed).
 *
 *   benchtool pingpong
 *
 * Prints the microseconds of a round trip through two pipes between two
 * processes, both on CPU 0 and then on CPUs 0 and 1 ("nan" with one CPU).
 * A FUSE request whose caller sleeps is woken like this, so the figures are
 * the machine's floor for rows made of round trips (the file manager's).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

#define TRIPS 20000

/* Microseconds per round trip with the two ends on CPUs a and b; < 0 on
 * failure. */
static double pingpong(int a, int b)
{
	int to[2], from[2], i, st, ok = 1;
	char c = 'x';
	double t0, t1;
	pid_t pid;

	if (pipe(to) || pipe(from))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (pin(b))
			_exit(1);
		for (i = 0; i < TRIPS; i++)
			if (read(to[0], &c, 1) != 1 || write(from[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	if (pin(a))
		ok = 0;
	t0 = now();
	for (i = 0; ok && i < TRIPS; i++)
		if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
			ok = 0;
	t1 = now();
	close(to[1]);
	close(from[0]);
	close(to[0]);
	close(from[1]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		ok = 0;
	return ok ? (t1 - t0) / TRIPS * 1e6 : -1;
}

static int run_pingpong(void)
{
	double same = pingpong(0, 0);
	double cross = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? pingpong(0, 1) : 0;

	if (same < 0 || cross < 0) {
		fprintf(stderr, "benchtool: pingpong failed\n");
		return 2;
	}
	if (cross > 0)
		printf("%.2f %.2f\n", same, cross);
	else
		printf("%.2f nan\n", same);
	return 0;
}

int main(int argc, char **argv)
{
	double t0, t1;
	pid_t pid;
	int st;

	if (argc == 2 && !strcmp(argv[1], "pingpong"))
		return run_pingpong();
	if (argc < 3 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: benchtool run CMD [ARG...] | benchtool pingpong\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("benchtool: fork");
		return 2;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("benchtool: waitpid");
		return 2;
	}
	t1 = now();
	printf("%.6f\n", t1 - t0);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

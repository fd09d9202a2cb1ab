/*
 * benchtool.c - the benchmark's stopwatch.
 *
 *   benchtool run CMD [ARG...]
 *
 * Runs CMD once with stdout and stderr sent to /dev/null and prints its
 * wall-clock time in seconds (monotonic clock, from before fork to after
 * wait), so pyrofs and its peers are timed the same way, process start-up
 * included.  Exits with CMD's status (128 + signal if it was killed).
 */
#include <fcntl.h>
#include <stdio.h>
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

int main(int argc, char **argv)
{
	double t0, t1;
	pid_t pid;
	int st;

	if (argc < 3 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: benchtool run CMD [ARG...]\n");
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

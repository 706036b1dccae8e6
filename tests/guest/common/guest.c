// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the guest test programs; see guest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "guest.h"


uint64_t tsc_per_ms;

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "# ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}


void calibrate_tsc(void)
{
	struct timespec a, b;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	usleep(50000);
	t1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	tsc_per_ms = (t1 - t0) * 1000000ULL /
		((b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec);
	if (!tsc_per_ms)
		tsc_per_ms = 1;
}

/* Busy-wait without entering the kernel. */
void spin_ms(uint64_t ms)
{
	uint64_t end = __rdtsc() + ms * tsc_per_ms;

	while (__rdtsc() < end)
		_mm_pause();
}

/* Spin until *flag becomes non-zero or @ms pass; no kernel entry. */
bool spin_until(volatile int *flag, uint64_t ms)
{
	uint64_t end = __rdtsc() + ms * tsc_per_ms;

	while (!*flag && __rdtsc() < end)
		_mm_pause();
	return *flag;
}

int open_dev(void)
{
	int fd = isol_open(0);

	CHECK(fd >= 0, "open %s: %s", ISOL_DEVICE_PATH, strerror(-fd));
	return fd;
}

/*
 * Fault in what an isolated test touches, as a real isolated program does
 * at start-up, so that the first break is the one the test provokes: the
 * stack, the code of the calls it makes, and every mapping (mlockall).
 */
void warm_up(int fd)
{
	volatile char stack[64 * 1024];
	struct isol_state st;

	memset((char *)stack, 0, sizeof(stack));
	syscall(SYS_getppid);
	isol_get_state(fd, &st);
	spin_ms(1);
	CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: %s", strerror(errno));
}

/* Pin to @cpu, open the device and warm up; exits the child on failure. */
int prepare(int cpu)
{
	int fd;

	CHECK(isol_pin(cpu) == 0, "pin to CPU %d", cpu);
	fd = open_dev();
	warm_up(fd);
	return fd;
}

void arm(int fd, unsigned int mode, int sig, unsigned int flags)
{
	struct isol_opts o = { .mode = mode, .signal = sig, .flags = flags,
			       .quiesce_timeout_ns = 2000000000ULL };
	struct isol_enable res;
	int ret, tries;

	/* Quiescing may need a retry while the CPU settles. */
	for (tries = 0; tries < 5; tries++) {
		ret = isol_enable(fd, &o, &res);
		if (ret != -EAGAIN)
			break;
		diag("enable: EAGAIN busy=0x%x tick_dep=0x%x", res.busy, res.tick_dep);
	}
	CHECK(ret == 0, "enable on CPU %d: %s (%s)", res.cpu, strerror(-ret),
	      isol_reason_str(res.reason));
}

int isolate(int cpu, unsigned int mode, int sig, unsigned int flags)
{
	int fd = prepare(cpu);

	arm(fd, mode, sig, flags);
	return fd;
}

volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

void catch_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
}

struct isol_state state_of(int fd)
{
	struct isol_state st;
	int ret = isol_get_state(fd, &st);

	CHECK(ret == 0, "GET_STATE: %s", strerror(-ret));
	return st;
}

/* State after a strict-mode break signalled with SIGUSR1. */
struct isol_state expect_broken(int fd, unsigned int cause)
{
	struct isol_state st;

	CHECK(spin_until(&got_usr1, 5000), "no SIGUSR1 within 5 s");
	st = state_of(fd);
	CHECK(st.state == ISOL_STATE_ENDED && st.end_cause == ISOL_END_BREAK,
	      "state %u end %u", st.state, st.end_cause);
	CHECK(!cause || st.last_break.cause == cause, "cause %s (%s), expected %s",
	      isol_cause_str(st.last_break.cause), st.last_break.desc,
	      isol_cause_str(cause));
	diag("break: %s", st.last_break.desc);
	return st;
}

long read_value(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * A task shows S from set_current_state() on, but stays queued until
 * schedule() takes it off the runqueue; one preempted in between is moved
 * by another CPU as a queued task, not woken there. Only the block itself
 * counts a voluntary switch, and a task just forked has none.
 */
bool wait_asleep(pid_t pid, unsigned int ms)
{
	char path[64], line[128];
	unsigned int waited;
	long switches;
	bool sleeping;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	for (waited = 0; waited <= ms; waited++) {
		f = fopen(path, "r");
		if (!f)
			return false;
		sleeping = false;
		switches = 0;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "State:", 6))
				sleeping = strstr(line, "S (sleeping)");
			sscanf(line, "voluntary_ctxt_switches: %ld", &switches);
		}
		fclose(f);
		if (sleeping && switches > 0)
			return true;
		usleep(1000);
	}
	return false;
}

long read_module_value(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS_DIR "%s", name);
	return read_value(path);
}


struct shared *shared_new(void)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset((void *)s, 0, sizeof(*s));
	return s;
}

/*
 * A forked child maps shared pages lazily: write them once before isolating
 * so that the handshake itself is not a page fault.
 */
void shared_touch(struct shared *s)
{
	/* Nobody else writes ready before the child has touched the page. */
	s->ready = 0;
}

/*
 * Fork a child that isolates on @cpu, with SIGUSR1 caught, and says so.
 * Returns 0 in the child, with *fd its descriptor, and the child's pid in
 * the parent once the child is isolated.
 */
pid_t fork_isolated(struct shared *s, int cpu, unsigned int mode,
			   int sig, int *fd)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		catch_usr1();
		shared_touch(s);
		*fd = isolate(cpu, mode, sig, 0);
		s->ready = 1;
		return 0;
	}
	/* A child whose enable failed has exited: say so, never wait on. */
	while (!s->ready) {
		int status = 0;

		CHECK(waitpid(pid, &status, WNOHANG) == 0,
		      "task for CPU %d ended before it was isolated: status 0x%x",
		      cpu, status);
		usleep(1000);
	}
	return pid;
}

/* Reap @pid, which must have exited with status 0. */
void expect_exit_ok(pid_t pid, const char *who)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "%s: status 0x%x", who, status);
}

#define SKIP_STATUS	77
#define SKIP_REASON	"/tmp/isol_test_skip"

void skip_test(const char *fmt, ...)
{
	FILE *f = fopen(SKIP_REASON, "w");
	va_list ap;

	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fclose(f);
	}
	_exit(SKIP_STATUS);
}

/* 1: passed, 0: failed, -1: skipped (the reason in @why). */
static int run_test(const struct test *t, char *why, size_t len)
{
	FILE *f;
	int status;
	pid_t c;

	fflush(NULL);
	c = fork();
	if (!c) {
		alarm(t->timeout);
		t->fn(t->arg);
		_exit(99);
	}
	if (waitpid(c, &status, 0) != c) {
		perror("waitpid");
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_STATUS) {
		f = fopen(SKIP_REASON, "r");
		if (!f || !fgets(why, len, f))
			snprintf(why, len, "no reason given");
		if (f)
			fclose(f);
		unlink(SKIP_REASON);
		return -1;
	}
	if (t->expect_signal)
		return WIFSIGNALED(status) && WTERMSIG(status) == t->expect_signal;
	if (WIFSIGNALED(status))
		diag("%s: killed by signal %d", t->name, WTERMSIG(status));
	else if (WEXITSTATUS(status))
		diag("%s: exit status %d", t->name, WEXITSTATUS(status));
	return WIFEXITED(status) && !WEXITSTATUS(status);
}


int run_tests(const struct test *tests, size_t n, int argc, char **argv,
	      unsigned int retries)
{
	int failed = 0, a, ok;
	unsigned int tries;
	char why[256];
	size_t i;

	for (i = 0; i < n; i++) {
		if (argc > 1) {
			for (a = 1; a < argc && strcmp(argv[a], tests[i].name); a++)
				;
			if (a == argc)
				continue;
		}
		diag("running %s", tests[i].name);
		ok = run_test(&tests[i], why, sizeof(why));
		for (tries = 0; !ok && tries < retries; tries++) {
			diag("running %s again", tests[i].name);
			ok = run_test(&tests[i], why, sizeof(why));
		}
		if (ok < 0)
			printf("ok - %s # SKIP %s\n", tests[i].desc, why);
		else
			printf("%sok - %s\n", ok ? "" : "not ", tests[i].desc);
		failed += !ok;
	}
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/* What 'make demo' shows: isolation held, broken, and accounted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "isol.h"

static volatile int got_usr1;
static uint64_t tsc_per_ms;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void spin_ms(uint64_t ms)
{
	uint64_t end = __rdtsc() + ms * tsc_per_ms;

	while (__rdtsc() < end && !got_usr1)
		_mm_pause();
}

static void calibrate(void)
{
	uint64_t t0 = __rdtsc();

	usleep(100000);
	tsc_per_ms = (__rdtsc() - t0) / 100;
}

static unsigned long long quiesce_us;

/* Prints nothing: once armed, a write() would be the first break. */
static int isolate(int cpu, unsigned int mode, int sig)
{
	struct isol_opts o = { .mode = mode, .signal = sig };
	struct isol_enable res;
	int fd, ret, i;

	isol_pin(cpu);
	fd = isol_open(0);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", ISOL_DEVICE_PATH, strerror(-fd));
		exit(1);
	}
	for (i = 0; i < 5; i++) {
		ret = isol_enable(fd, &o, &res);
		if (ret != -EAGAIN)
			break;
	}
	if (ret) {
		fprintf(stderr, "enable on CPU %d: %s: %s\n", cpu, strerror(-ret),
			isol_reason_str(res.reason));
		exit(1);
	}
	quiesce_us = res.quiesce_ns / 1000;
	return fd;
}

static void report(int fd)
{
	struct isol_state st;
	int c;

	isol_get_state(fd, &st);
	printf("  isolated on CPU %d (%s) after quiescing for %llu us\n", st.cpu,
	       st.mode == ISOL_MODE_STRICT ? "strict" : "log-only", quiesce_us);
	printf("  state: %s%s%s%s, %llu breaks\n",
	       st.state == ISOL_STATE_ISOLATED ? "isolated" : "ended",
	       st.state == ISOL_STATE_ENDED ? " (" : "",
	       st.state == ISOL_STATE_ENDED ? isol_end_str(st.end_cause) : "",
	       st.state == ISOL_STATE_ENDED ? ")" : "",
	       (unsigned long long)st.nr_breaks);
	for (c = 1; c < ISOL_CAUSE_MAX; c++)
		if (st.nr_by_cause[c])
			printf("    %-18s %llu (%s), %llu us in the kernel\n",
			       isol_cause_str(c),
			       (unsigned long long)st.nr_by_cause[c],
			       ISOL_CAUSE_IS_SELF(c) ? "self-inflicted" : "stolen",
			       (unsigned long long)st.ns_by_cause[c] / 1000);
	printf("  longest undisturbed stretch: %llu ms\n",
	       (unsigned long long)st.max_quiet_ns / 1000000);
	if (st.last_break.cause)
		printf("  last break: %s%s%s\n", st.last_break.desc,
		       st.last_func[0] ? ", ran " : "", st.last_func);
}

/* One record of the monitor stream, as a person reads it. */
static void print_record(const struct isol_record *r)
{
	unsigned int i;

	printf("  break on CPU %u, task %s[%d]: %s\n", r->brk.cpu, r->brk.comm,
	       r->brk.pid, isol_cause_str(r->brk.cause));
	if (r->brk.sender_cpu >= 0)
		printf("    sent by CPU %d, task %s[%d]\n", r->brk.sender_cpu,
		       r->brk.sender_comm, r->brk.sender_pid);
	if (r->func[0])
		printf("    function: %s\n", r->func);
	for (i = 0; i < r->nr_stack && i < ISOL_STACK_DEPTH; i++)
		printf("    %s %s\n", i ? "   " : "at", r->stack[i]);
}

static char *victim;
static volatile int ready;

static void *isolated_thread(void *arg)
{
	int fd;

	(void)arg;
	victim[0] = 1;
	fd = isolate(2, ISOL_MODE_STRICT, SIGUSR1);
	ready = 1;
	spin_ms(5000);
	isol_disable(fd);
	return NULL;
}

/* A sibling thread unmaps memory: the TLB shootdown IPI, attributed. */
static void attributed_break(void)
{
	struct isol_record rec;
	pthread_t th;
	int mon;

	got_usr1 = 0;
	isol_pin(0);
	mon = open(ISOL_DEVICE_PATH, O_RDONLY | O_NONBLOCK);
	victim = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_create(&th, NULL, isolated_thread, NULL);
	while (!ready)
		usleep(1000);
	usleep(20000);
	munmap(victim, 4096);
	pthread_join(th, NULL);
	printf("  the monitor stream (read() on %s) says:\n", ISOL_DEVICE_PATH);
	while (isol_monitor_read(mon, &rec, 1) == 1)
		if (rec.type == ISOL_REC_BREAK)
			print_record(&rec);
	close(mon);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	char *page;
	pid_t a, b;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	calibrate();
	/* Fault in everything mapped now, as an isolated program does. */
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlockall(MCL_CURRENT);
	munlock(page, 4096);
	madvise(page, 4096, MADV_DONTNEED);

	printf("1. A busy loop, strict mode, 3 s:\n");
	fd = isolate(2, ISOL_MODE_STRICT, SIGUSR1);
	spin_ms(3000);
	isol_disable(fd);
	report(fd);

	printf("2. Log-only mode: the program makes a syscall and touches a new page:\n");
	fd = isolate(2, ISOL_MODE_LOG_ONLY, 0);
	syscall(SYS_getppid);
	page[0] = 1;
	spin_ms(200);
	isol_disable(fd);
	report(fd);

	printf("3. Strict mode on CPU 3; another process is then pinned onto CPU 3:\n");
	a = fork();
	if (!a) {
		/* fork() made every private page copy-on-write: fault them in. */
		mlockall(MCL_CURRENT);
		fd = isolate(3, ISOL_MODE_STRICT, SIGUSR1);
		spin_ms(5000);
		report(fd);
		printf("  %s\n", got_usr1 ? "SIGUSR1 received" : "no signal");
		_exit(0);
	}
	usleep(300000);
	b = fork();
	if (!b) {
		isol_pin(3);
		_exit(0);
	}
	waitpid(b, NULL, 0);
	waitpid(a, NULL, 0);

	printf("4. Strict mode on CPU 2; a sibling thread on CPU 0 unmaps memory:\n");
	attributed_break();
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A command for isolctl run to isolate, unmodified:
 *   isol_spin spin MS        busy-loop MS ms on the vDSO clock, no syscall
 *   isol_spin sleep N MS     sleep N times MS ms: N nanosleep syscalls
 *   isol_spin touch N        write N fresh pages: N page faults
 *   isol_spin lcores N MS    N worker threads, each isolating itself with
 *                            isol_enter() on CPU 2, 3, ...: MS ms of
 *                            polling, one syscall, then isol_exit()
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "isol.h"

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static unsigned long long lcore_ms;

/* One DPDK-style lcore: its own CPU, its own isolation. */
static void *lcore(void *arg)
{
	struct isol_config cfg = { .cpu = (int)(long)arg,
				   .mode = ISOL_MODE_LOG_ONLY };
	unsigned long long end;
	struct isol_handle *h = isol_enter(&cfg, NULL);

	if (!h)
		return (void *)1L;
	end = now_ms() + lcore_ms;
	while (now_ms() < end)
		__builtin_ia32_pause();
	syscall(SYS_getppid);
	return (void *)(long)(isol_exit(h, NULL) != 0);
}

static int lcores(long n, unsigned long long ms)
{
	pthread_t th[8];
	void *ret;
	long i;
	int bad = 0;

	if (n < 1 || n > 8)
		return 2;
	lcore_ms = ms;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, lcore, (void *)(2 + i)))
			return 1;
	for (i = 0; i < n; i++) {
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long long end;
	struct timespec ts;
	long n, i;
	char *p;

	if (argc == 3 && !strcmp(argv[1], "spin")) {
		end = now_ms() + strtoul(argv[2], NULL, 0);
		while (now_ms() < end)
			__builtin_ia32_pause();
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "sleep")) {
		n = strtol(argv[2], NULL, 0);
		ts.tv_sec = strtol(argv[3], NULL, 0) / 1000;
		ts.tv_nsec = strtol(argv[3], NULL, 0) % 1000 * 1000000;
		for (i = 0; i < n; i++)
			nanosleep(&ts, NULL);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "touch")) {
		n = strtol(argv[2], NULL, 0);
		p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (i = 0; i < n; i++)
			p[i * 4096] = 1;
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "lcores"))
		return lcores(strtol(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: isol_spin spin MS | sleep N MS | touch N | lcores N MS\n");
	return 2;
}

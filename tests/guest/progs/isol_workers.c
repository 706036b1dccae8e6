// SPDX-License-Identifier: GPL-2.0
/*
 * A program that knows nothing of isolation, linked statically, as
 * isolctl run meets programs it cannot change:
 *
 *   isol_workers N CPU DELAY_MS SPIN_MS
 *
 * starts N worker threads at once (they inherit the main thread's
 * affinity); after DELAY_MS ms each pins itself to CPU + i with
 * pthread_setaffinity_np(), as a DPDK EAL pins its lcores, and busy-polls
 * for SPIN_MS ms on the vDSO clock, making no system call. Exits 0 when
 * every pin worked. DELAY_MS written @MS is a CLOCK_MONOTONIC time
 * instead, so that two processes started apart pin at the same moment.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long pin_at_ms, spin_ms;
static long first_cpu;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void *worker(void *arg)
{
	long i = (long)arg;
	unsigned long long end;
	char name[16];
	cpu_set_t set;

	snprintf(name, sizeof(name), "worker%ld", i);
	pthread_setname_np(pthread_self(), name);
	while (now_ms() < pin_at_ms)
		__builtin_ia32_pause();
	CPU_ZERO(&set);
	CPU_SET(first_cpu + i, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		return (void *)1;
	end = now_ms() + spin_ms;
	while (now_ms() < end)
		__builtin_ia32_pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[8];
	long n, i;
	void *ret;
	int bad = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: isol_workers N CPU [@]DELAY_MS SPIN_MS\n");
		return 2;
	}
	n = strtol(argv[1], NULL, 0);
	first_cpu = strtol(argv[2], NULL, 0);
	if (argv[3][0] == '@')
		pin_at_ms = strtoull(argv[3] + 1, NULL, 0);
	else
		pin_at_ms = now_ms() + strtoull(argv[3], NULL, 0);
	spin_ms = strtoull(argv[4], NULL, 0);
	if (n < 1 || n > 8 || first_cpu < 0)
		return 2;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			return 1;
	for (i = 0; i < n; i++) {
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

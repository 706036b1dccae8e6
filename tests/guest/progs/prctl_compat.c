// SPDX-License-Identifier: GPL-2.0
/*
 * A program written for the task isolation patch series: it calls prctl()
 * directly and knows nothing of /dev/task_isolation. Run it with
 * LD_PRELOAD=libisol-prctl.so. Prints one TAP-style line per check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PR_SET_TASK_ISOLATION		48
#define PR_GET_TASK_ISOLATION		49
#define PR_TASK_ISOLATION_ENABLE	(1 << 0)
#define PR_TASK_ISOLATION_USERSIG	(1 << 1)
#define PR_TASK_ISOLATION_SET_SIG(sig)	(((sig) & 0x7f) << 8)

static int failed;
static volatile int got_usr1;

static void check(int ok, const char *what)
{
	printf("%sok - prctl ABI: %s\n", ok ? "" : "not ", what);
	if (!ok) {
		printf("# errno %d (%m)\n", errno);
		failed = 1;
	}
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The patch series asks callers to retry while the CPU settles. */
static int enable(unsigned long flags)
{
	int ret, tries = 0;

	do
		ret = prctl(PR_SET_TASK_ISOLATION, flags, 0, 0, 0);
	while (ret < 0 && errno == EAGAIN && ++tries < 5);
	return ret;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long log_only = PR_TASK_ISOLATION_ENABLE | PR_TASK_ISOLATION_USERSIG;
	unsigned long usr1 = log_only | PR_TASK_ISOLATION_SET_SIG(SIGUSR1);
	char name[16];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	check(prctl(PR_SET_NAME, "compat") == 0 && prctl(PR_GET_NAME, name) == 0 &&
	      name[0] == 'c', "other prctl options pass through");

	ret = enable(PR_TASK_ISOLATION_ENABLE);
	check(ret == -1 && errno == EINVAL, "EINVAL when not affinitized to one CPU");
	pin(0);
	ret = enable(PR_TASK_ISOLATION_ENABLE);
	check(ret == -1 && errno == EINVAL, "EINVAL on a CPU that is not nohz_full");
	pin(3);
	ret = prctl(PR_SET_TASK_ISOLATION, PR_TASK_ISOLATION_ENABLE, 1, 0, 0);
	check(ret == -1 && errno == EINVAL, "EINVAL for a non-zero argument 3");

	mlockall(MCL_CURRENT);
	ret = enable(log_only);
	check(ret == 0, "USERSIG|SET_SIG(0) enables log-only isolation");
	ret = prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0);
	check(ret == (int)log_only, "PR_GET_TASK_ISOLATION reads the flags back");
	check(prctl(PR_SET_TASK_ISOLATION, 0, 0, 0, 0) == 0, "flags 0 turns isolation off");
	check(prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0) == 0, "PR_GET_TASK_ISOLATION is 0 when off");

	ret = enable(usr1);
	syscall(SYS_getppid);
	while (!got_usr1)
		;
	check(ret == 0 && got_usr1, "strict mode with SET_SIG(SIGUSR1) signals a syscall");
	check(prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0) == 0, "the break ended isolation");
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A program written for the task isolation patch series: it calls prctl()
 * directly and knows nothing of /dev/task_isolation. Run it with
 * LD_PRELOAD=libisol-prctl.so. Prints one TAP-style line per check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PR_SET_TASK_ISOLATION		48
#define PR_GET_TASK_ISOLATION		49
#define PR_TASK_ISOLATION_ENABLE	(1 << 0)
#define PR_TASK_ISOLATION_USERSIG	(1 << 1)
#define PR_TASK_ISOLATION_SET_SIG(sig)	(((sig) & 0x7f) << 8)

/* The CPU the checks isolate: nohz_full in the guests (1-3). */
#define ISOL_CPU			3

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

/*
 * Run @body in a child pinned to the isolated CPU after @setup and
 * prctl(@flags); returns its wait status (exit 99: enabling failed, 96-98:
 * the setup failed).
 */
static int run_child(unsigned long flags, void (*setup)(void), void (*body)(void))
{
	int status;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (!c) {
		/* As the series' selftest: the chosen signal's default action. */
		signal(SIGUSR1, SIG_DFL);
		mlockall(MCL_CURRENT);
		pin(ISOL_CPU);
		if (setup)
			setup();
		if (enable(flags)) {
			cpu_set_t set;
			int err = errno;

			CPU_ZERO(&set);
			sched_getaffinity(0, sizeof(set), &set);
			printf("# enabling failed: %s; on CPU %d, allowed %d CPUs, CPU %d %s\n",
			       strerror(err), sched_getcpu(), CPU_COUNT(&set), ISOL_CPU,
			       CPU_ISSET(ISOL_CPU, &set) ? "among them" : "not among them");
			_exit(99);
		}
		body();
		_exit(0);
	}
	waitpid(c, &status, 0);
	return status;
}

static int killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void do_syscall(void)
{
	syscall(SYS_getppid);
	_exit(20);
}

static volatile char *fault_page;

/* A shared file page not yet mapped in: touching it is a page fault. */
static void setup_fault(void)
{
	char path[] = "/tmp/prctl-fault-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || ftruncate(fd, 4096))
		_exit(98);
	fault_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unlink(path);
	if (fault_page == MAP_FAILED)
		_exit(98);
}

static void do_fault(void)
{
	*fault_page = 1;
	_exit(20);
}

static void on_segv(int sig)
{
	(void)sig;
	/* Un-isolated here: a syscall is fine. */
	_exit(write(1, "# SIGSEGV handler ran\n", 22) == 22 ? 0 : 21);
}

static void setup_segv(void)
{
	signal(SIGSEGV, on_segv);
}

/* Not a constant, so the compiler cannot see the bad access coming. */
static volatile uintptr_t segv_addr;

static void do_segv(void)
{
	*(volatile int *)segv_addr = 0;
	_exit(20);
}

static volatile int munmap_go;

/* Unmaps once the isolated thread says so: enabling can take a while. */
static void *munmap_later(void *p)
{
	time_t give_up = time(NULL) + 10;

	while (!munmap_go && time(NULL) <= give_up)
		usleep(1000);
	munmap(p, 4096);
	return NULL;
}

/* A thread on CPU 0 unmaps memory of this mm: a TLB-flush IPI here. */
static void setup_munmap(void)
{
	pthread_t thr;
	void *p;

	/* Written now: the go signal must not be a page fault break. */
	munmap_go = 0;
	pin(0);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_ANONYMOUS | MAP_PRIVATE | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED || pthread_create(&thr, NULL, munmap_later, p))
		_exit(98);
	pin(ISOL_CPU);
}

static volatile int *intruder_go;

/* A process that moves onto the CPU once told to. */
static void setup_schedule(void)
{
	intruder_go = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_ANONYMOUS | MAP_SHARED, -1, 0);
	if (intruder_go == MAP_FAILED)
		_exit(98);
	/* Mapped in now: the go signal must not be a page fault break. */
	*intruder_go = 0;
	if (pin(0))
		_exit(97);
	if (!fork()) {
		time_t give_up = time(NULL) + 10;

		/* Gone with the child if it fails before the go signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);

		while (!*intruder_go)
			if (time(NULL) > give_up)
				_exit(1);
		pin(ISOL_CPU);
		_exit(0);
	}
	if (pin(ISOL_CPU))
		_exit(96);
}

static void spin_5s(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while (b.tv_sec - a.tv_sec < 5);
}

static void do_schedule(void)
{
	*intruder_go = 1;
	spin_5s();
	_exit(20);
}

static void do_munmap(void)
{
	munmap_go = 1;
	spin_5s();
	_exit(20);
}

/* Asking is not breaking: GET twice, then off, in strict mode. */
static void do_get(void)
{
	unsigned long want = PR_TASK_ISOLATION_ENABLE;

	if (prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0) != (int)want ||
	    prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0) != (int)want)
		_exit(22);
	if (prctl(PR_SET_TASK_ISOLATION, 0, 0, 0, 0))
		_exit(23);
	/* Off now: a syscall is fine. */
	syscall(SYS_getppid);
	_exit(0);
}

/* The series' strict-mode cases: SIGKILL by default, or the chosen signal. */
static void strict_cases(void)
{
	static const struct {
		const char *what;
		void (*setup)(void);
		void (*body)(void);
	} cases[] = {
		{ "a syscall", NULL, do_syscall },
		{ "a page fault", setup_fault, do_fault },
		{ "a TLB flush from a thread's munmap() on CPU 0", setup_munmap, do_munmap },
		{ "another process scheduled onto the CPU", setup_schedule, do_schedule },
	};
	unsigned long usr1 = PR_TASK_ISOLATION_ENABLE | PR_TASK_ISOLATION_USERSIG |
			     PR_TASK_ISOLATION_SET_SIG(SIGUSR1);
	char what[128];
	unsigned int i;
	int st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = run_child(PR_TASK_ISOLATION_ENABLE, cases[i].setup, cases[i].body);
		snprintf(what, sizeof(what), "strict: %s kills with SIGKILL (status 0x%x)",
			 cases[i].what, st);
		check(killed_by(st, SIGKILL), what);
		st = run_child(usr1, cases[i].setup, cases[i].body);
		snprintf(what, sizeof(what), "strict: %s kills with SET_SIG(SIGUSR1) (status 0x%x)",
			 cases[i].what, st);
		check(killed_by(st, SIGUSR1), what);
	}
	st = run_child(PR_TASK_ISOLATION_ENABLE, setup_segv, do_segv);
	snprintf(what, sizeof(what),
		 "strict: a SIGSEGV handler runs un-isolated, no SIGKILL (status 0x%x)", st);
	check(WIFEXITED(st) && !WEXITSTATUS(st), what);
	st = run_child(PR_TASK_ISOLATION_ENABLE, NULL, do_get);
	snprintf(what, sizeof(what),
		 "strict: PR_GET_TASK_ISOLATION and turning it off are no break (status 0x%x)",
		 st);
	check(WIFEXITED(st) && !WEXITSTATUS(st), what);
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
	pin(ISOL_CPU);
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
	strict_cases();
	return failed;
}

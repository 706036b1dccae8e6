// SPDX-License-Identifier: GPL-2.0
/*
 * Stress test, run in the guest:
 *
 *   isol_stress [-t SECONDS]
 *
 * In epochs of about 20 s: one armer per nohz_full CPU (1-3) forks tasks
 * that arm isolation and then disarm, break it, exec, exit, start threads
 * that arm too, or just spin; meanwhile other processes SIGKILL them at
 * random, change their affinity, ptrace-attach and detach them, and take
 * CPU 3 offline and back. Between epochs, with nobody isolated, the module
 * is removed and loaded again.
 *
 * Each armer checks every task it forked through GET_STATE on the shared
 * open file: a task that was isolated must have ended, and a task whose
 * isolation ended by a break must have a recorded break. Prints TAP lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define NR_ARMERS	3
#define EPOCH_SECONDS	20

enum scenario { DISARM, BREAK_STRICT, EXEC, EXEC_KEEP, EXIT, THREADS, SPIN,
		NR_SCENARIOS };

struct stress_shared {
	volatile int stop;			/* end of epoch */
	volatile pid_t victims[NR_ARMERS];	/* tasks chaos may hit */
	volatile long cycles, armed, not_armed, killed, bad;
	volatile long by_end[8];
	char first_bad[256];
};

static struct stress_shared *sh;
static unsigned int seed;
static const char *self;

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void bad(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED) == 1) {
		va_start(ap, fmt);
		vsnprintf(sh->first_bad, sizeof(sh->first_bad), fmt, ap);
		va_end(ap);
	}
}

static unsigned int rnd(unsigned int n)
{
	return rand_r(&seed) % n;
}

static void *arming_thread(void *arg)
{
	struct isol_opts o = { .mode = ISOL_MODE_LOG_ONLY };
	int fd = *(int *)arg;

	/* Another armer probably holds this CPU: EBUSY is fine. */
	if (!isol_pin(1 + rnd(NR_ARMERS)))
		isol_enable(fd, &o, NULL);
	spin_ms(rnd(20));
	isol_disable(fd);
	return NULL;
}

/* The isolated task of one cycle; its exit status is its scenario's. */
static void victim(int cpu, int fd, enum scenario sc)
{
	struct isol_opts o = { .mode = ISOL_MODE_LOG_ONLY,
			       .quiesce_timeout_ns = 200000000 };
	pthread_t th[2];
	int i;

	if (isol_pin(cpu))
		_exit(3);	/* CPU offline: never armed */
	warm_up(fd);
	if (sc == BREAK_STRICT)
		o.mode = ISOL_MODE_STRICT;
	if (sc == EXEC_KEEP)
		o.flags = ISOL_F_KEEP_ON_EXEC;
	if (isol_enable(fd, &o, NULL))
		_exit(3);
	spin_ms(rnd(30));
	switch (sc) {
	case DISARM:
		isol_disable(fd);
		_exit(0);
	case BREAK_STRICT:
		syscall(SYS_getppid);	/* SIGKILL from the module */
		_exit(4);
	case EXEC:
	case EXEC_KEEP:
		execl(self, self, "exec-exit", (char *)NULL);
		_exit(5);
	case EXIT:
		_exit(0);
	case THREADS:
		for (i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, arming_thread, &fd);
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		isol_disable(fd);
		_exit(0);
	default:
		spin_ms(200);
		isol_disable(fd);
		_exit(0);
	}
}

/* Judge one finished victim by its exit status and its record. */
static void judge(int fd, pid_t pid, int status)
{
	struct isol_state st;
	int ret = isol_get_state_of(fd, pid, &st);

	__atomic_add_fetch(&sh->cycles, 1, __ATOMIC_RELAXED);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		__atomic_add_fetch(&sh->not_armed, 1, __ATOMIC_RELAXED);
		return;
	}
	if (WIFSIGNALED(status))
		__atomic_add_fetch(&sh->killed, 1, __ATOMIC_RELAXED);
	if (ret == -ESRCH) {
		/* Killed before it armed. */
		if (!WIFSIGNALED(status))
			bad("pid %d exited 0x%x with no record", pid, status);
		return;
	}
	if (ret) {
		bad("GET_STATE of %d: %s", pid, strerror(-ret));
		return;
	}
	__atomic_add_fetch(&sh->armed, 1, __ATOMIC_RELAXED);
	if (st.state != ISOL_STATE_ENDED) {
		bad("pid %d gone (status 0x%x) but state %u", pid, status, st.state);
		return;
	}
	if (st.end_cause < 8)
		__atomic_add_fetch(&sh->by_end[st.end_cause], 1, __ATOMIC_RELAXED);
	if (st.end_cause == ISOL_END_BREAK && !st.nr_breaks)
		bad("pid %d ended by a break, none recorded", pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	    st.end_cause == ISOL_END_BREAK && st.mode != ISOL_MODE_STRICT)
		bad("pid %d: log-only isolation ended by a break", pid);
	/* 4: its syscall found isolation already ended: not a failure. */
	if (WIFEXITED(status) && WEXITSTATUS(status) > 4)
		bad("pid %d exited %d (state %u end %u)", pid, WEXITSTATUS(status),
		    st.state, st.end_cause);
}

static void armer(int idx)
{
	int cpu = 1 + idx, fd, status;
	pid_t pid;

	seed ^= getpid();
	fd = isol_open(1);
	if (fd < 0) {
		bad("open: %s", strerror(-fd));
		_exit(1);
	}
	while (!sh->stop) {
		enum scenario sc = rnd(NR_SCENARIOS);

		pid = fork();
		if (pid < 0) {
			bad("fork: %s", strerror(errno));
			break;
		}
		if (!pid) {
			seed ^= getpid();
			victim(cpu, fd, sc);
		}
		sh->victims[idx] = pid;
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
		sh->victims[idx] = 0;
		judge(fd, pid, status);
	}
	close(fd);
	_exit(0);
}

static pid_t random_victim(void)
{
	return sh->victims[rnd(NR_ARMERS)];
}

static void pause_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* SIGKILL at random moments. */
static void chaos_kill(void)
{
	pid_t v;

	while (!sh->stop) {
		pause_ms(5 + rnd(60));
		v = random_victim();
		if (v > 0)
			kill(v, SIGKILL);
	}
	_exit(0);
}

/* Affinity changes from outside. */
static void chaos_affinity(void)
{
	cpu_set_t set;
	pid_t v;

	while (!sh->stop) {
		pause_ms(5 + rnd(80));
		v = random_victim();
		CPU_ZERO(&set);
		CPU_SET(rnd(4), &set);
		if (v > 0)
			sched_setaffinity(v, sizeof(set), &set);
	}
	_exit(0);
}

/* ptrace attach, stop, detach. */
static void chaos_ptrace(void)
{
	int status;
	pid_t v;

	while (!sh->stop) {
		pause_ms(10 + rnd(100));
		v = random_victim();
		if (v <= 0 || ptrace(PTRACE_SEIZE, v, 0, 0))
			continue;
		if (!ptrace(PTRACE_INTERRUPT, v, 0, 0))
			waitpid(v, &status, __WALL);
		ptrace(PTRACE_DETACH, v, 0, 0);
	}
	_exit(0);
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -1;
	close(fd);
	return ret;
}

/* CPU 3 goes offline and comes back, isolated task or not. */
static void chaos_hotplug(void)
{
	const char *online = "/sys/devices/system/cpu/cpu3/online";

	while (!sh->stop) {
		pause_ms(1000 + rnd(2000));
		if (write_file(online, "0") == 0) {
			pause_ms(50 + rnd(200));
			if (write_file(online, "1"))
				bad("CPU 3 did not come back online");
		}
	}
	write_file(online, "1");
	_exit(0);
}

static pid_t start(void (*fn)(void))
{
	pid_t pid = fork();

	if (!pid)
		fn();
	return pid;
}

/*
 * With nobody isolated and every file closed, unload and load again. The
 * loads alternate between keeping the hooks (the default) and removing
 * them as the last task leaves, so that epochs alternate too: the second
 * races registering and unregistering against arms, kills and hotplug.
 */
static int reload_module(int times)
{
	static const char *const load[] = {
		"modprobe task_isolation", "modprobe task_isolation hooks_linger_ms=0",
	};
	static unsigned int loads;
	int i, done = 0, tries;

	for (i = 0; i < times; i++) {
		/* Records go after a grace period; rmmod needs them gone. */
		for (tries = 0; tries < 50 && read_module_value("records"); tries++)
			pause_ms(20);
		if (read_module_value("isolated") != 0)
			bad("tasks still isolated between epochs");
		if (system("rmmod task_isolation") || system(load[loads++ % 2])) {
			bad("rmmod/modprobe failed between epochs");
			break;
		}
		done++;
	}
	return done;
}

int main(int argc, char **argv)
{
	static void (*const chaos[])(void) = { chaos_kill, chaos_affinity,
					       chaos_ptrace, chaos_hotplug };
	pid_t pids[NR_ARMERS + 4];
	int seconds = 300, opt, i, n, epochs = 0, reloads = 0, status;
	time_t end;

	self = "/proc/self/exe";
	if (argc == 2 && !strcmp(argv[1], "exec-exit"))
		return 0;
	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: isol_stress [-t SECONDS]\n");
			return 2;
		}
		seconds = atoi(optarg);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	calibrate_tsc();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	seed = time(NULL);
	printf("# isol_stress: %d s, seed %u\n", seconds, seed);
	isol_pin(0);
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		sh->stop = 0;
		n = 0;
		for (i = 0; i < NR_ARMERS; i++) {
			pids[n] = fork();
			if (!pids[n])
				armer(i);
			n++;
		}
		for (i = 0; i < 4; i++)
			pids[n++] = start(chaos[i]);
		pause_ms(1000 * (time(NULL) + EPOCH_SECONDS < end ?
				 EPOCH_SECONDS : end - time(NULL)));
		sh->stop = 1;
		for (i = 0; i < n; i++)
			waitpid(pids[i], &status, 0);
		epochs++;
		reloads += reload_module(3);
		printf("# epoch %d: %ld cycles so far, %ld bad\n", epochs, sh->cycles,
		       sh->bad);
	}

	printf("# %ld cycles in %d epochs: %ld armed, %ld never armed, %ld killed\n",
	       sh->cycles, epochs, sh->armed, sh->not_armed, sh->killed);
	printf("# ends: disabled %ld, break %ld, exec %ld, exit %ld, migrated %ld\n",
	       sh->by_end[ISOL_END_DISABLED], sh->by_end[ISOL_END_BREAK],
	       sh->by_end[ISOL_END_EXEC], sh->by_end[ISOL_END_EXIT],
	       sh->by_end[ISOL_END_MIGRATED]);
	if (sh->bad)
		printf("# %ld bad outcomes; first: %s\n", sh->bad, sh->first_bad);
	printf("%sok - stress: %ld arm/disarm cycles on CPUs 1-3 with kills, affinity, ptrace, hotplug\n",
	       sh->cycles > 100 && sh->armed > 50 ? "" : "not ", sh->cycles);
	printf("%sok - stress: every isolated task ended, killed with a recorded break or disarmed cleanly\n",
	       sh->bad ? "not " : "");
	printf("%sok - stress: rmmod/modprobe %d times with nobody isolated, no record left\n",
	       reloads == 3 * epochs && read_module_value("records") == 0 ? "" : "not ",
	       reloads);
	return sh->bad ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * isolctl run: isolate the command's other threads. A program need not know
 * about isolation: when one of its threads (or a thread of a process it
 * started) comes to run alone pinned to one nohz_full CPU, at start or later
 * through sched_setaffinity() or a cpuset change, isolctl asks the module to
 * arm it (ISOL_IOC_ENABLE_THREAD) through the run's own open file. The
 * thread arms itself at its next return to user space. This is found by
 * reading /proc at each poll of the run (every 100 ms), so a DPDK EAL's
 * lcores or a static binary's workers are isolated within a poll of being
 * pinned; the module needs no hook on affinity changes of tasks that are
 * not isolated.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Processes followed: the command and what it started, to this many. */
#define MAX_PROCS	256
/* Tries on one CPU before giving up (a CPU that will not become quiet). */
#define ARM_TRIES	5
/* Polls a pending arm waits for its thread before it is asked again. */
#define PENDING_POLLS	10

/*
 * The one CPU thread @tid of @tgid may run on, -1 when not exactly one;
 * *@running: it was running or runnable, not asleep in a system call.
 */
static int pinned_cpu(int tgid, int tid, bool *running)
{
	static const char key[] = "\nCpus_allowed_list:";
	char path[96], buf[4096], err[64], *p, *end;
	struct cpuset s;

	*running = false;
	proc_path(path, sizeof(path), "/%d/task/%d/status", tgid, tid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nState:");
	*running = p && p[strspn(p + 7, " \t") + 7] == 'R';
	p = strstr(buf, key);
	if (!p)
		return -1;
	p += sizeof(key) - 1;
	p += strspn(p, " \t");
	end = strchr(p, '\n');
	if (end)
		*end = '\0';
	if (cpulist_parse(p, &s, err, sizeof(err)) || cpuset_count(&s) != 1)
		return -1;
	return cpuset_first(&s);
}

static void thread_comm(int tgid, int tid, char *comm, size_t len)
{
	char path[96];

	proc_path(path, sizeof(path), "/%d/task/%d/comm", tgid, tid);
	if (read_text(path, comm, len) < 0)
		comm[0] = '\0';
}

static struct thread_arm *arm_entry(struct run_report *r, int tid, int cpu)
{
	struct thread_arm *a;
	int i;

	for (i = 0; i < r->nr_arms; i++)
		if (r->arms[i].tid == tid)
			return &r->arms[i];
	if (r->nr_arms == MAX_THREADS)
		return NULL;
	a = &r->arms[r->nr_arms++];
	memset(a, 0, sizeof(*a));
	a->tid = tid;
	a->cpu = cpu;
	a->state = ARM_TRYING;
	return a;
}

/* One try: the module's answer decides whether to try again. */
static void arm_try(struct run_report *r, const struct arm_ctl *ac,
		    struct thread_arm *a)
{
	char why[256];
	int ret;

	a->tries++;
	ret = isol_enable_thread(ac->fd, a->tid, &ac->opts, ac->strict_after_ns,
				 &a->res);
	a->err = -ret;
	if (ac->verbose && ret && (a->res.reason == ISOL_REASON_AFFINITY ||
				   a->res.reason == ISOL_REASON_NOT_NOHZ_FULL))
		msg("thread %s[%d] left cpu %d before it was armed: %s", a->comm,
		    a->tid, a->cpu,
		    isol_enable_strerror(ret, &a->res, why, sizeof(why)));
	else if (ac->verbose)
		msg("thread %s[%d] pinned to cpu %d: %s", a->comm, a->tid, a->cpu,
		    ret ? isol_enable_strerror(ret, &a->res, why, sizeof(why)) :
		    "isolated");
	if (!ret) {
		a->state = ARM_ISOLATED;
		if (a->tid == r->pid)
			r->cpu = a->cpu;
		else
			report_thread(r, a->tid, a->cpu);
		return;
	}
	switch (a->res.reason) {
	case ISOL_REASON_NO_THREAD:
		/* It exited between the poll and the request: nothing missed. */
		a->state = ARM_ENDED;
		return;
	case ISOL_REASON_PENDING:
		a->state = ARM_PENDING;
		a->polls = 0;
		return;
	case ISOL_REASON_AFFINITY:
	case ISOL_REASON_NOT_NOHZ_FULL:
		/* Pinned elsewhere meanwhile: not a try; the next poll sees. */
		a->tries--;
		a->state = ARM_TRYING;
		return;
	case ISOL_REASON_CPU_BUSY:	/* taken meanwhile: seen at the next poll */
	case ISOL_REASON_NOT_QUIET:
	case ISOL_REASON_INTERRUPTED:
		a->state = a->tries < ARM_TRIES ? ARM_TRYING : ARM_FAILED;
		return;
	default:
		a->state = ARM_FAILED;
	}
}

/* Thread @tid of process @tgid, as one poll finds it. */
static void arm_visit(struct run_report *r, const struct arm_ctl *ac,
		      int tgid, int tid)
{
	struct cpu_record rec;
	struct thread_arm *a;
	bool running;
	size_t n;
	int cpu = pinned_cpu(tgid, tid, &running);

	if (cpu < 0 || !cpuset_has(ac->nohz, cpu))
		return;
	a = arm_entry(r, tid, cpu);
	if (!a)
		return;
	a->seen = true;
	if (!a->comm[0])
		thread_comm(tgid, tid, a->comm, sizeof(a->comm));
	if (a->cpu != cpu) {
		/* Threads are often named once they start their real work. */
		thread_comm(tgid, tid, a->comm, sizeof(a->comm));
		/* Pinned somewhere new: a new chance, whatever happened before. */
		a->cpu = cpu;
		a->state = ARM_TRYING;
		a->tries = 0;
		a->polls = 0;
	}
	cpu_record_read(cpu, &rec);
	if (!strcmp(rec.state, "isolated")) {
		if (rec.pid == tid) {
			a->state = ARM_ISOLATED;
			a->held_by = 0;
			return;
		}
		/*
		 * Another task holds the CPU: asking would only send an IPI
		 * there, a break of that task's isolation.
		 */
		if (a->state != ARM_ISOLATED) {
			n = strnlen(rec.comm, sizeof(a->held_by_comm) - 1);
			memcpy(a->held_by_comm, rec.comm, n);
			a->held_by_comm[n] = '\0';
			a->held_by = rec.pid;
		}
		return;
	}
	a->held_by = 0;
	/*
	 * Its own last isolation there ended (isol_exit(), a strict break)
	 * between two polls: the program's choice, not to be undone.
	 */
	if (rec.pid == tid && a->state != ARM_PENDING)
		a->state = ARM_ENDED;
	switch (a->state) {
	case ARM_ISOLATED:
		/* Its isolation ended where it still runs: the program's choice. */
		a->state = ARM_ENDED;
		return;
	case ARM_PENDING:
		if (++a->polls < PENDING_POLLS)
			return;
		if (a->tries >= ARM_TRIES) {
			a->state = ARM_FAILED;
			return;
		}
		if (running)
			arm_try(r, ac, a);
		return;
	case ARM_TRYING:
		/*
		 * Only a thread seen running: a polling thread always is, and
		 * one asleep (a control thread in epoll_wait()) would make the
		 * request wait for it, a second each time.
		 */
		if (running)
			arm_try(r, ac, a);
		return;
	default:
		return;
	}
}

/* The children of every thread of @tgid, appended to @procs. */
static void add_children(int tgid, int tid, int *procs, int *nr)
{
	char path[96], buf[4096], *p, *end;
	long pid;

	proc_path(path, sizeof(path), "/%d/task/%d/children", tgid, tid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	for (p = buf; *nr < MAX_PROCS; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p || pid <= 0)
			break;
		procs[(*nr)++] = (int)pid;
	}
}

/*
 * Forget threads this poll did not see that were never asked for: the
 * short-lived processes of a script sharing the command's CPU would fill
 * the table before the program that matters pins its threads.
 */
static void arm_prune(struct run_report *r)
{
	int i, n = 0;

	for (i = 0; i < r->nr_arms; i++) {
		if (!r->arms[i].seen && r->arms[i].state == ARM_TRYING &&
		    !r->arms[i].tries)
			continue;
		r->arms[n++] = r->arms[i];
	}
	r->nr_arms = n;
}

void arm_threads(struct run_report *r, const struct arm_ctl *ac)
{
	int procs[MAX_PROCS], nr = 1, i, tid;
	struct dirent *de;
	char path[64];
	DIR *dir;

	if (!ac->enabled)
		return;
	for (i = 0; i < r->nr_arms; i++)
		r->arms[i].seen = false;
	procs[0] = r->pid;
	for (i = 0; i < nr; i++) {
		proc_path(path, sizeof(path), "/%d/task", procs[i]);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			tid = atoi(de->d_name);
			if (tid <= 0)
				continue;
			arm_visit(r, ac, procs[i], tid);
			add_children(procs[i], tid, procs, &nr);
		}
		closedir(dir);
	}
	arm_prune(r);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * isolctl check: audit the host's isolation set-up. Each check fills one
 * row: what it saw, why it matters, and the exact fix. status shows the
 * rows that did not pass as warnings.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolctl.h"
#include "json.h"

#define PF_KTHREAD		0x00200000	/* include/linux/sched.h */
#define PF_NO_SETAFFINITY	0x04000000

struct checker {
	const struct cpu_info *ci;
	char cmdline[4096];
	char nohz[256];			/* nohz_full as a list, for messages */
	char hk[256];			/* housekeeping CPUs, as a list */
	char hkmask[256];		/* and as a hex mask */
};

static struct check_row *row(struct check_row *r, const char *id,
			     enum check_status st, const char *why)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->status = st;
	r->why = why;
	return r;
}

static void set(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

#define DETAIL(r, ...)	set((r)->detail, sizeof((r)->detail), __VA_ARGS__)
#define FIX(r, ...)	set((r)->fix, sizeof((r)->fix), __VA_ARGS__)

/*
 * A fix that a shell command applies now: @note (may be NULL) follows it
 * in the text. The command must succeed on every object it names: a guest
 * test runs each one and expects check to pass afterwards.
 */
static void fix_run(struct check_row *r, const char *note, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fix_run(struct check_row *r, const char *note, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->fix_cmd, sizeof(r->fix_cmd), fmt, ap);
	va_end(ap);
	if (note)
		FIX(r, "%s (%s)", r->fix_cmd, note);
	else
		FIX(r, "%s", r->fix_cmd);
}

/* The value of the last NAME= on the kernel command line; NULL if none. */
static const char *cmdline_param(const struct checker *k, const char *name,
				 char *val, size_t len)
{
	const char *p = k->cmdline, *found = NULL, *end;
	size_t n = strlen(name);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && (p[n] == '=' || p[n] == ' ' || !p[n]))
			found = p + n;
		p = strchrnul(p, ' ');
	}
	if (!found)
		return NULL;
	if (*found == '=')
		found++;
	end = strchrnul(found, ' ');
	snprintf(val, len, "%.*s", (int)(end - found), found);
	return val;
}

static char *hexmask_format(const struct cpuset *s, char *buf, size_t len)
{
	int last = -1, c, nibble, off = 0;

	for_each_cpu(c, s)
		last = c;
	if (last < 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	for (nibble = last / 4; nibble >= 0 && off + 1 < (int)len; nibble--) {
		int v = 0;

		for (c = 0; c < 4; c++)
			v |= cpuset_has(s, nibble * 4 + c) << c;
		buf[off++] = "0123456789abcdef"[v];
		if (nibble && nibble % 8 == 0 && off + 1 < (int)len)
			buf[off++] = ',';
	}
	buf[off] = '\0';
	return buf;
}

static int digits_only(const struct dirent *d)
{
	return isdigit((unsigned char)d->d_name[0]);
}

static int numeric_order(const struct dirent **a, const struct dirent **b)
{
	long x = atol((*a)->d_name), y = atol((*b)->d_name);

	return (x > y) - (x < y);
}

/* The numbered entries of @dir (IRQs, pids) in numeric order, or -1. */
/*
 * Append to the text list @buf while more than @room bytes are left, so
 * that a long list stops at a whole entry. Returns whether it appended.
 */
static bool list_append(char *buf, size_t size, size_t *off, size_t room,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool list_append(char *buf, size_t size, size_t *off, size_t room,
			const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= size - room)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += n;
	return true;
}

static int numbered(const char *dir, struct dirent ***list)
{
	return scandir(dir, list, digits_only, numeric_order);
}

static void check_config(struct checker *k, struct check_row *r)
{
	row(r, "config_no_hz_full", k->ci->has_nohz_full_file ? CHECK_PASS : CHECK_FAIL,
	    "without CONFIG_NO_HZ_FULL the tick runs on every CPU and no task can "
	    "be isolated");
	if (r->status == CHECK_PASS) {
		DETAIL(r, "CONFIG_NO_HZ_FULL=y (/sys/devices/system/cpu/nohz_full exists)");
		return;
	}
	DETAIL(r, "the kernel was built without CONFIG_NO_HZ_FULL");
	FIX(r, "boot a kernel built with CONFIG_NO_HZ_FULL=y (Debian's kernels are)");
}

static void check_nohz_full(struct checker *k, struct check_row *r)
{
	struct cpuset off;
	char buf[256];

	row(r, "nohz_full", CHECK_PASS,
	    "only nohz_full CPUs stop the tick while one task runs; isolctl run "
	    "needs at least one");
	if (!k->ci->has_nohz_full_file) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no CONFIG_NO_HZ_FULL (see config_no_hz_full)");
		return;
	}
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_FAIL;
		DETAIL(r, "no nohz_full CPU");
		FIX(r, "add nohz_full=<cpus> to the kernel command line, e.g. "
		    "nohz_full=1-%d (CPU 0 stays for housekeeping)",
		    cpuset_count(&k->ci->possible) > 1 ?
		    (int)cpuset_count(&k->ci->possible) - 1 : 1);
		return;
	}
	cpuset_andnot(&off, &k->ci->nohz_full, &k->ci->online);
	if (!cpuset_empty(&off)) {
		r->status = CHECK_WARN;
		DETAIL(r, "nohz_full=%s, but cpus %s are offline", k->nohz,
		       cpulist_format(&off, buf, sizeof(buf)));
		FIX(r, "bring them online: echo 1 > /sys/devices/system/cpu/cpuN/online");
		return;
	}
	DETAIL(r, "nohz_full=%s", k->nohz);
}

static void check_isolcpus(struct checker *k, struct check_row *r)
{
	char val[256], buf[256];
	struct cpuset miss;

	row(r, "isolcpus", CHECK_PASS,
	    "without isolcpus=domain the scheduler balances other tasks onto "
	    "the isolated CPUs, and managed_irq keeps managed interrupts off them");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	cpuset_andnot(&miss, &k->ci->nohz_full, &k->ci->isolated);
	if (!cpuset_empty(&miss) && cpuset_empty(&k->ci->isolated) &&
	    cmdline_param(k, "isolcpus", val, sizeof(val))) {
		r->status = CHECK_WARN;
		DETAIL(r, "the kernel ignored isolcpus=%s (7.x kernels ignore it "
		       "when it has the nohz flag and nohz_full= is given too)", val);
	} else if (!cpuset_empty(&miss)) {
		r->status = CHECK_WARN;
		DETAIL(r, "nohz_full cpus %s are not in isolcpus (isolated: %s)",
		       cpulist_format(&miss, buf, sizeof(buf)),
		       cpulist_format(&k->ci->isolated, val, sizeof(val))[0] ? val : "none");
	} else if (!cmdline_param(k, "isolcpus", val, sizeof(val)) ||
		   !strstr(val, "managed_irq")) {
		r->status = CHECK_WARN;
		DETAIL(r, "isolcpus has no managed_irq flag (isolcpus=%s)",
		       cmdline_param(k, "isolcpus", val, sizeof(val)) ? val : "");
	} else {
		DETAIL(r, "isolcpus=%s covers nohz_full=%s", val, k->nohz);
		return;
	}
	/* No nohz flag: nohz_full= is that flag (and see above). */
	FIX(r, "boot with isolcpus=domain,managed_irq,%s", k->nohz);
}

static void check_rcu_nocbs(struct checker *k, struct check_row *r)
{
	struct cpuset nocbs, miss;
	char val[256], err[128], buf[256];
	const char *given;

	row(r, "rcu_nocbs", CHECK_PASS,
	    "RCU callbacks run on the CPU that queued them unless it is offloaded");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	given = cmdline_param(k, "rcu_nocbs", val, sizeof(val));
	if (!given || !val[0]) {
		DETAIL(r, "%s (nohz_full CPUs are offloaded anyway)",
		       given ? "rcu_nocbs: all CPUs" : "rcu_nocbs not given");
		return;
	}
	if (cpulist_parse(val, &nocbs, err, sizeof(err))) {
		r->status = CHECK_WARN;
		DETAIL(r, "rcu_nocbs=%s: %s", val, err);
	} else {
		cpuset_andnot(&miss, &k->ci->nohz_full, &nocbs);
		if (cpuset_empty(&miss)) {
			DETAIL(r, "rcu_nocbs=%s covers nohz_full=%s", val, k->nohz);
			return;
		}
		r->status = CHECK_WARN;
		DETAIL(r, "rcu_nocbs=%s does not cover nohz_full cpus %s", val,
		       cpulist_format(&miss, buf, sizeof(buf)));
	}
	FIX(r, "boot with rcu_nocbs=%s, as nohz_full", k->nohz);
}

enum irq_kind { IRQ_MOVABLE, IRQ_NO_HANDLER, IRQ_FIXED };

/* What /sys/kernel/irq/N/actions says of IRQ @irq (movable when unknown). */
static enum irq_kind irq_actions(const char *irq, char *buf, size_t len)
{
	char p[PATH_MAX];

	if (read_text(sys_path(p, sizeof(p), "/kernel/irq/%s/actions", irq),
		      buf, len) < 0)
		return IRQ_MOVABLE;
	if (!buf[0])
		return IRQ_NO_HANDLER;
	return strcmp(buf, "timer") ? IRQ_MOVABLE : IRQ_FIXED;
}

static void check_irqs(struct checker *k, struct check_row *r)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], list[1024] = "", all[4096] = "";
	char actions[256], unmovable[128];
	struct cpuset aff, hit;
	struct dirent *d, **ents;
	size_t off = 0, aoff = 0;
	int n = 0, fixed = 0, nr, i;

	row(r, "irq_affinity", CHECK_PASS,
	    "an interrupt delivered to an isolated CPU is a break");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	nr = numbered(proc_path(dir, sizeof(dir), "/irq"), &ents);
	if (nr < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < nr; i++) {
		d = ents[i];
		snprintf(p, sizeof(p), "%s/%s/smp_affinity_list", dir, d->d_name);
		if (read_cpulist(p, &aff))
			continue;
		cpuset_and(&hit, &aff, &k->ci->nohz_full);
		if (cpuset_empty(&hit))
			continue;
		/*
		 * No handler: nothing is delivered (x86's IRQ 2 without a
		 * legacy PIC). "timer": x86's IRQ 0, requested with
		 * IRQF_NOBALANCING, whose affinity cannot be set; it is
		 * silent once the local APIC timers run.
		 */
		switch (irq_actions(d->d_name, actions, sizeof(actions))) {
		case IRQ_NO_HANDLER:
			continue;
		case IRQ_FIXED:
			fixed++;
			continue;
		case IRQ_MOVABLE:
			break;
		}
		n++;
		list_append(list, sizeof(list), &off, 16, "%s%s", off ? "," : "",
			    d->d_name);
		list_append(all, sizeof(all), &aoff, 16, " %s", d->d_name);
	}
	for (i = 0; i < nr; i++)
		free(ents[i]);
	free(ents);
	snprintf(unmovable, sizeof(unmovable),
		 fixed ? "; %d more cannot be moved (the legacy timer IRQ, silent "
		 "once the local APIC timers run)" : "", fixed);
	if (!n) {
		DETAIL(r, "no IRQ may go to nohz_full=%s%s", k->nohz, unmovable);
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "%d IRQs may go to isolated CPUs %s: %s%s", n, k->nohz, list,
	       unmovable);
	/*
	 * IRQs the kernel manages (NVMe, multi-queue NIC queues) refuse the
	 * write, and user space cannot tell them apart beforehand: say so
	 * and go on; check still lists them afterwards.
	 */
	fix_run(r, NULL, "for i in%s; do echo %s > /proc/irq/$i/smp_affinity_list "
		"2>/dev/null || echo \"IRQ $i: affinity cannot be set (kernel-managed)\"; "
		"done; echo %s > /proc/irq/default_smp_affinity", all, k->hk, k->hkmask);
}

static void check_workqueue(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], buf[256], err[128], list[256];
	struct cpuset mask, hit;

	row(r, "workqueue_cpumask", CHECK_PASS,
	    "unbound work items run on any CPU of this mask, isolated ones too");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	sys_path(p, sizeof(p), "/devices/virtual/workqueue/cpumask");
	if (read_text(p, buf, sizeof(buf)) < 0 ||
	    cpumask_parse(buf, &mask, err, sizeof(err))) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	cpuset_and(&hit, &mask, &k->ci->nohz_full);
	if (cpuset_empty(&hit)) {
		DETAIL(r, "unbound workqueues on cpus %s",
		       cpulist_format(&mask, list, sizeof(list)));
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "unbound workqueues may run on isolated cpus %s (cpumask %s)",
	       cpulist_format(&hit, list, sizeof(list)), buf);
	fix_run(r, NULL, "echo %s > /sys/devices/virtual/workqueue/cpumask", k->hkmask);
}

static void check_kthreads(struct checker *k, struct check_row *r)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], buf[1024], comm[64];
	char names[400] = "", pids[400] = "", fixed[200];
	size_t noff = 0, poff = 0;
	int pinned = 0;
	struct cpuset aff, hit;
	unsigned long flags;
	struct dirent *d, **ents;
	char *s;
	int n = 0, nr, i;

	row(r, "kthreads", CHECK_PASS,
	    "a kernel thread that wakes up on an isolated CPU preempts the task");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	nr = numbered(proc_path(dir, sizeof(dir), "%s", ""), &ents);
	if (nr < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < nr; i++) {
		d = ents[i];
		snprintf(p, sizeof(p), "%s/%s/stat", dir, d->d_name);
		if (read_text(p, buf, sizeof(buf)) < 0)
			continue;
		/* The flags are the 9th field; the comm may hold spaces. */
		s = strrchr(buf, ')');
		if (!s || sscanf(s + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1 ||
		    !(flags & PF_KTHREAD))
			continue;
		snprintf(p, sizeof(p), "%s/%s/status", dir, d->d_name);
		if (read_text(p, buf, sizeof(buf)) < 0 ||
		    !(s = strstr(buf, "Cpus_allowed_list:")))
			continue;
		s += strlen("Cpus_allowed_list:");
		s += strspn(s, " \t");
		s[strcspn(s, "\n")] = '\0';
		if (cpulist_parse(s, &aff, comm, sizeof(comm)))
			continue;
		/* Per-CPU kthreads (bound to one CPU) belong there. */
		cpuset_and(&hit, &aff, &k->ci->nohz_full);
		if (cpuset_empty(&hit) || cpuset_count(&aff) == 1)
			continue;
		/* Rescuers and per-CPU threads: the kernel places them. */
		if (flags & PF_NO_SETAFFINITY) {
			pinned++;
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s/comm", dir, d->d_name);
		if (read_text(p, comm, sizeof(comm)) < 0)
			continue;
		n++;
		list_append(names, sizeof(names), &noff, 40, "%s%s[%s]",
			    noff ? ", " : "", comm, d->d_name);
		list_append(pids, sizeof(pids), &poff, 16, " %s", d->d_name);
	}
	for (i = 0; i < nr; i++)
		free(ents[i]);
	free(ents);
	snprintf(fixed, sizeof(fixed),
		 pinned ? "; %d more the kernel places itself (PF_NO_SETAFFINITY: "
		 "workqueue rescuers, per-CPU threads; their work follows the "
		 "workqueue cpumask)" : "", pinned);
	if (!n) {
		DETAIL(r, "no movable kernel thread may run on nohz_full=%s%s",
		       k->nohz, fixed);
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "%d unbound kernel threads may run on isolated CPUs: %s%s", n,
	       names, fixed);
	fix_run(r, "isolcpus=domain keeps new ones off",
		"for p in%s; do taskset -pc %s $p; done", pids, k->hk);
}

/* A sysctl whose value @ok accepts; @want is the value the fix sets. */
static void check_sysctl(struct check_row *r, const char *id, const char *file,
			 const char *name, bool (*ok)(uint64_t), const char *want,
			 const char *why)
{
	char p[PATH_MAX];
	uint64_t v;

	row(r, id, CHECK_PASS, why);
	if (read_u64(proc_path(p, sizeof(p), "/sys/%s", file), &v)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	DETAIL(r, "%s = %llu", name, (unsigned long long)v);
	if (ok(v))
		return;
	r->status = CHECK_WARN;
	fix_run(r, "and in /etc/sysctl.d/ to keep it", "sysctl -w %s=%s", name, want);
}

static bool is_one(uint64_t v)
{
	return v == 1;
}

static bool at_least_10(uint64_t v)
{
	return v >= 10;
}

static bool is_zero(uint64_t v)
{
	return v == 0;
}

static void check_thp(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], buf[128];

	(void)k;
	row(r, "thp", CHECK_PASS,
	    "with THP always on, khugepaged collapses and compaction move pages "
	    "of running programs and send TLB-flush IPIs to their CPUs");
	sys_path(p, sizeof(p), "/kernel/mm/transparent_hugepage/enabled");
	if (read_text(p, buf, sizeof(buf)) < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no %s (no THP)", p);
		return;
	}
	DETAIL(r, "transparent_hugepage/enabled: %s", buf);
	if (!strstr(buf, "[always]"))
		return;
	r->status = CHECK_WARN;
	fix_run(r, "or transparent_hugepage=madvise on the command line",
		"echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
}

static void check_rt_throttling(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], buf[64];

	(void)k;
	row(r, "rt_throttling", CHECK_PASS,
	    "an isolated SCHED_FIFO task is stopped for the rest of each period "
	    "once it used sched_rt_runtime_us");
	if (read_text(proc_path(p, sizeof(p), "/sys/kernel/sched_rt_runtime_us"),
		      buf, sizeof(buf)) < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	DETAIL(r, "kernel.sched_rt_runtime_us = %s", buf);
	if (!strcmp(buf, "-1"))
		return;
	r->status = CHECK_WARN;
	fix_run(r, NULL, "sysctl -w kernel.sched_rt_runtime_us=-1");
}

static void check_ksm(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX];
	uint64_t run;

	(void)k;
	row(r, "ksm", CHECK_PASS,
	    "ksmd merges pages of running programs, and each merge flushes the "
	    "TLB of the CPUs running them");
	if (read_u64(sys_path(p, sizeof(p), "/kernel/mm/ksm/run"), &run)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no %s (no KSM)", p);
		return;
	}
	DETAIL(r, "ksm/run = %llu", (unsigned long long)run);
	if (run != 1)
		return;
	r->status = CHECK_WARN;
	fix_run(r, NULL, "echo 0 > /sys/kernel/mm/ksm/run");
}

/* The soft and hard lockup detectors' CPUs must leave isolated ones out. */
static void check_watchdog(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], buf[256], err[128], list[256];
	struct cpuset mask, hit;

	row(r, "watchdog_cpumask", CHECK_PASS,
	    "the lockup detectors run a timer (and a perf NMI) on every CPU of "
	    "this mask");
	if (read_text(proc_path(p, sizeof(p), "/sys/kernel/watchdog_cpumask"),
		      buf, sizeof(buf)) < 0 || cpulist_parse(buf, &mask, err, sizeof(err))) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	cpuset_and(&hit, &mask, &k->ci->nohz_full);
	if (cpuset_empty(&hit)) {
		DETAIL(r, "kernel.watchdog_cpumask = %s", buf);
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "the lockup detectors may run on isolated cpus %s",
	       cpulist_format(&hit, list, sizeof(list)));
	fix_run(r, "nowatchdog on the command line turns them off everywhere",
		"sysctl -w kernel.watchdog_cpumask=%s", k->hk);
}

static void check_irqbalance(struct checker *k, struct check_row *r)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], comm[64], pids[128] = "";
	struct dirent **ents;
	size_t off = 0;
	int nr, i;

	(void)k;
	row(r, "irqbalance", CHECK_PASS,
	    "irqbalance moves IRQs every few seconds and can undo their "
	    "affinity to housekeeping CPUs");
	nr = numbered(proc_path(dir, sizeof(dir), "%s", ""), &ents);
	if (nr < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < nr; i++) {
		snprintf(p, sizeof(p), "%s/%s/comm", dir, ents[i]->d_name);
		if (read_text(p, comm, sizeof(comm)) >= 0 && !strcmp(comm, "irqbalance"))
			list_append(pids, sizeof(pids), &off, 16, "%s%s", off ? "," : "",
				    ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (!off) {
		DETAIL(r, "not running");
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "running (pid %s)", pids);
	FIX(r, "systemctl disable --now irqbalance, or set IRQBALANCE_BANNED_CPULIST=%s "
	    "in /etc/default/irqbalance (irqbalance 1.8+) and restart it", k->nohz);
}

static void check_smt(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], out[400] = "";
	struct cpuset sib, bad;
	size_t off = 0;
	int c, s, seen = 0;

	row(r, "smt_siblings", CHECK_PASS,
	    "a hyperthread sibling shares the core's caches and pipeline: work "
	    "on it slows the isolated task down");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	for_each_cpu(c, &k->ci->nohz_full) {
		if (read_cpulist(sys_path(p, sizeof(p),
				 "/devices/system/cpu/cpu%d/topology/thread_siblings_list",
				 c), &sib))
			continue;
		seen++;
		cpuset_andnot(&bad, &sib, &k->ci->nohz_full);
		for_each_cpu(s, &bad)
			list_append(out, sizeof(out), &off, 32,
				    "%scpu %d (sibling of cpu %d)", off ? ", " : "",
				    s, c);
	}
	if (!seen) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no CPU topology in sysfs");
		return;
	}
	if (!off) {
		DETAIL(r, "no isolated CPU shares a core with a housekeeping CPU");
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "not isolated: %s", out);
	FIX(r, "isolate whole cores (add the siblings to nohz_full and isolcpus), "
	    "or echo off > /sys/devices/system/cpu/smt/control");
}

static void check_fair_server(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], rel[64] = "", buf[64], on[256] = "", words[256] = "";
	unsigned int major = 0, minor = 0;
	size_t off = 0, woff = 0;
	int c;

	row(r, "fair_server", CHECK_PASS,
	    "on 6.8+ kernels the fair deadline server restarts the tick of a "
	    "nohz_full CPU about once a second");
	if (cpuset_empty(&k->ci->nohz_full)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no nohz_full CPU");
		return;
	}
	if (access(sys_path(p, sizeof(p), "/kernel/debug/sched/fair_server"), F_OK)) {
		read_text(proc_path(p, sizeof(p), "/sys/kernel/osrelease"), rel, sizeof(rel));
		sscanf(rel, "%u.%u", &major, &minor);
		if (major < 6 || (major == 6 && minor < 8)) {
			DETAIL(r, "kernel %s has no fair server", rel);
			return;
		}
		if (!access(sys_path(p, sizeof(p), "/kernel/debug/sched"), F_OK)) {
			DETAIL(r, "kernel %s has no fair server", rel);
			return;
		}
		r->status = CHECK_WARN;
		DETAIL(r, "kernel %s: cannot see the fair server, debugfs is not mounted",
		       rel);
		fix_run(r, NULL, "mount -t debugfs none /sys/kernel/debug");
		return;
	}
	for_each_cpu(c, &k->ci->nohz_full) {
		if (read_text(sys_path(p, sizeof(p),
				       "/kernel/debug/sched/fair_server/cpu%d/runtime", c),
			      buf, sizeof(buf)) < 0 || !strcmp(buf, "0"))
			continue;
		if (list_append(on, sizeof(on), &off, 16, "%s%d", off ? "," : "", c))
			list_append(words, sizeof(words), &woff, 0, " %d", c);
	}
	if (!off) {
		DETAIL(r, "fair server off on every nohz_full CPU");
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "fair server on for nohz_full cpus %s (isolctl run "
	       "--fair-server-off turns it off on its CPU while the command runs)",
	       on);
	/* Written on its own CPU: see fair_server_write() in run.c. */
	fix_run(r, NULL, "for c in%s; do taskset -c $c sh -c \"echo 0 > "
		"/sys/kernel/debug/sched/fair_server/cpu$c/runtime\"; done", words);
}

static void check_clocksource(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], cur[64], val[64];

	row(r, "clocksource_watchdog", CHECK_PASS,
	    "the clocksource watchdog's timer visits every CPU in turn, isolated "
	    "ones included");
	if (read_text(sys_path(p, sizeof(p),
			       "/devices/system/clocksource/clocksource0/current_clocksource"),
		      cur, sizeof(cur)) < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	if (strcmp(cur, "tsc")) {
		DETAIL(r, "clocksource %s (the watchdog guards the TSC only; see vdso_clock)",
		       cur);
		return;
	}
	if (cmdline_param(k, "tsc", val, sizeof(val)) &&
	    (!strcmp(val, "reliable") || !strcmp(val, "nowatchdog"))) {
		DETAIL(r, "clocksource tsc, tsc=%s: no watchdog", val);
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "clocksource tsc without tsc=reliable: the watchdog runs");
	FIX(r, "boot with tsc=reliable (on hardware with a stable TSC)");
}

/*
 * The machine-check poll timer, pinned to every CPU, every check_interval
 * seconds (300 by default). On an isolated CPU the stopped tick leaves
 * the timer device armed for it; a device that cannot wait that long
 * fires empty at its longest delay instead (every 34 s in the QEMU
 * guests): a kernel entry each time, stock nohz_full or isolated.
 */
static void check_mce_poll(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX];
	uint64_t iv, ignore_ce;

	(void)k;
	row(r, "mce_poll", CHECK_PASS,
	    "the machine-check poll timer runs on every CPU: on an isolated one "
	    "its timer device fires for it, and empty whenever it cannot wait "
	    "that long");
	if (read_u64(sys_path(p, sizeof(p), "/devices/system/machinecheck/"
			      "machinecheck0/check_interval"), &iv)) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no %s (no machine-check polling)", p);
		return;
	}
	/* mce=ignore_ce (or writing it) starts no poll timer at all. */
	if (!read_u64(sys_path(p, sizeof(p), "/devices/system/machinecheck/"
			       "machinecheck0/ignore_ce"), &ignore_ce) && ignore_ce) {
		DETAIL(r, "machine-check ignore_ce = 1: no polling");
		return;
	}
	DETAIL(r, "machine-check check_interval = %llu s", (unsigned long long)iv);
	if (!iv)
		return;
	r->status = CHECK_WARN;
	fix_run(r, "one value for all CPUs: corrected errors are then reported "
		"by CMCI alone, where the CPU has it; mce=ignore_ce on the command "
		"line stops both",
		"echo 0 > /sys/devices/system/machinecheck/machinecheck0/check_interval");
}

/* Clocksources whose clock the vDSO reads in user space, on x86. */
static bool vdso_clocksource(const char *cs)
{
	return !strcmp(cs, "tsc") || !strcmp(cs, "kvm-clock") ||
	       !strcmp(cs, "hyperv_clocksource_tsc_page");
}

static void check_vdso_clock(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], cur[64];

	(void)k;
	row(r, "vdso_clock", CHECK_PASS,
	    "with a clocksource the vDSO cannot read (hpet, acpi_pm), every "
	    "clock_gettime() is a syscall: a loop that reads the clock breaks "
	    "isolation each time");
	if (read_text(sys_path(p, sizeof(p),
			       "/devices/system/clocksource/clocksource0/current_clocksource"),
		      cur, sizeof(cur)) < 0) {
		r->status = CHECK_SKIP;
		DETAIL(r, "cannot read %s", p);
		return;
	}
	DETAIL(r, "clocksource %s", cur);
	if (vdso_clocksource(cur))
		return;
	r->status = CHECK_WARN;
	FIX(r, "find why the kernel left the TSC (dmesg | grep -i tsc); on hardware "
	    "with a stable TSC boot with tsc=reliable");
}

/* Idle states deeper than this exit latency (us) delay a sleeping task. */
#define IDLE_LATENCY_US	10

static void check_cpu_idle(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], name[64], deep[256] = "", cpus[256] = "";
	size_t off = 0, coff = 0;
	uint64_t latency, disabled;
	bool any = false, this_cpu;
	int c, s, named = -1;

	row(r, "cpu_idle", CHECK_PASS,
	    "a task that sleeps on an isolated CPU waits for the CPU to leave "
	    "deep idle states (tens to hundreds of us)");
	for_each_cpu(c, &k->ci->nohz_full) {
		this_cpu = false;
		for (s = 0; ; s++) {
			if (read_u64(sys_path(p, sizeof(p),
					      "/devices/system/cpu/cpu%d/cpuidle/state%d/latency",
					      c, s), &latency))
				break;
			any = true;
			if (latency <= IDLE_LATENCY_US ||
			    (!read_u64(sys_path(p, sizeof(p),
						"/devices/system/cpu/cpu%d/cpuidle/state%d/disable",
						c, s), &disabled) && disabled))
				continue;
			/* The states are named for the first CPU that has some. */
			if ((named < 0 || named == c) &&
			    read_text(sys_path(p, sizeof(p),
					       "/devices/system/cpu/cpu%d/cpuidle/state%d/name",
					       c, s), name, sizeof(name)) >= 0)
				list_append(deep, sizeof(deep), &off, 40, "%s%s (%llu us)",
					    off ? ", " : "", name,
					    (unsigned long long)latency);
			named = c;
			this_cpu = true;
		}
		if (this_cpu)
			list_append(cpus, sizeof(cpus), &coff, 16, "%s%d", coff ? "," : "", c);
	}
	if (!any) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no cpuidle states (none, or no cpuidle driver)");
		return;
	}
	if (!coff) {
		DETAIL(r, "no idle state deeper than %d us exit latency on nohz_full CPUs",
		       IDLE_LATENCY_US);
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "cpus %s may enter %s", cpus, deep);
	FIX(r, "for a busy-polling task nothing to do; for one that sleeps, boot with "
	    "intel_idle.max_cstate=1 (AMD: processor.max_cstate=1), or disable the "
	    "states: echo 1 > /sys/devices/system/cpu/cpuN/cpuidle/stateK/disable");
}

static void check_cpufreq(struct checker *k, struct check_row *r)
{
	char p[PATH_MAX], gov[64], cpus[256] = "", words[256] = "", which[64] = "";
	size_t off = 0, woff = 0;
	bool any = false;
	int c;

	row(r, "cpufreq", CHECK_PASS,
	    "a governor other than performance changes the isolated CPU's clock "
	    "under the task: its loop's speed varies");
	for_each_cpu(c, &k->ci->nohz_full) {
		if (read_text(sys_path(p, sizeof(p),
				       "/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c),
			      gov, sizeof(gov)) < 0)
			continue;
		any = true;
		if (!strcmp(gov, "performance"))
			continue;
		if (!off)
			snprintf(which, sizeof(which), "%s", gov);
		list_append(cpus, sizeof(cpus), &off, 16, "%s%d", off ? "," : "", c);
		list_append(words, sizeof(words), &woff, 16, " %d", c);
	}
	if (!any) {
		r->status = CHECK_SKIP;
		DETAIL(r, "no cpufreq on nohz_full CPUs (none, or the platform's own)");
		return;
	}
	if (!off) {
		DETAIL(r, "governor performance on every nohz_full CPU");
		return;
	}
	r->status = CHECK_WARN;
	DETAIL(r, "governor %s on cpus %s", which, cpus);
	fix_run(r, NULL, "for c in%s; do echo performance > "
		"/sys/devices/system/cpu/cpu$c/cpufreq/scaling_governor; done", words);
}

const char *check_status_str(enum check_status s)
{
	static const char *const names[] = { "pass", "warn", "fail", "skip" };

	return names[s];
}

int checks_run(const struct cpu_info *ci, struct check_row *rows, int max)
{
	struct checker k = { .ci = ci };
	char p[PATH_MAX];
	int n = 0;

	if (max < 23)
		return 0;
	read_text(proc_path(p, sizeof(p), "/cmdline"), k.cmdline, sizeof(k.cmdline));
	snprintf(k.nohz, sizeof(k.nohz), "%s", ci->nohz_full_str);
	cpulist_format(&ci->housekeeping, k.hk, sizeof(k.hk));
	hexmask_format(&ci->housekeeping, k.hkmask, sizeof(k.hkmask));

	check_config(&k, &rows[n++]);
	check_nohz_full(&k, &rows[n++]);
	check_isolcpus(&k, &rows[n++]);
	check_rcu_nocbs(&k, &rows[n++]);
	check_irqs(&k, &rows[n++]);
	check_irqbalance(&k, &rows[n++]);
	check_workqueue(&k, &rows[n++]);
	check_kthreads(&k, &rows[n++]);
	check_sysctl(&rows[n++], "timer_migration", "kernel/timer_migration",
		     "kernel.timer_migration", is_one, "1",
		     "with timer migration off, timers armed on an isolated CPU "
		     "stay there and fire there");
	check_sysctl(&rows[n++], "vm_stat_interval", "vm/stat_interval",
		     "vm.stat_interval", at_least_10, "10",
		     "vmstat_update runs on each CPU with dirty counters every "
		     "stat_interval seconds");
	check_sysctl(&rows[n++], "compact_unevictable", "vm/compact_unevictable_allowed",
		     "vm.compact_unevictable_allowed", is_zero, "0",
		     "compaction migrates mlocked pages too, and each move flushes "
		     "the TLB of every CPU running the program: an IPI to the "
		     "isolated one");
	check_sysctl(&rows[n++], "numa_balancing", "kernel/numa_balancing",
		     "kernel.numa_balancing", is_zero, "0",
		     "automatic NUMA balancing unmaps pages of running programs to "
		     "sample their accesses: page faults and TLB-flush IPIs");
	check_thp(&k, &rows[n++]);
	check_ksm(&k, &rows[n++]);
	check_rt_throttling(&k, &rows[n++]);
	check_watchdog(&k, &rows[n++]);
	check_smt(&k, &rows[n++]);
	check_fair_server(&k, &rows[n++]);
	check_clocksource(&k, &rows[n++]);
	check_mce_poll(&k, &rows[n++]);
	check_vdso_clock(&k, &rows[n++]);
	check_cpu_idle(&k, &rows[n++]);
	check_cpufreq(&k, &rows[n++]);
	return n;
}

struct check_ctl {
	bool json;
};

static void usage(void)
{
	printf("Usage:\n"
	       " isolctl check [--json]\n\n"
	       "Audit this host for what defeats isolation: one row per check with\n"
	       "its status (pass, warn, fail, skip), why it matters and the fix.\n\n"
	       "Options:\n"
	       "     --json     one JSON object with every row\n"
	       " -h, --help     display this help\n\n"
	       "Exit status:\n"
	       " 0 every check passed or was skipped, 3 warnings, 4 a check failed,\n"
	       " 1 error, 2 bad usage.\n\n"
	       "Checks: config_no_hz_full nohz_full isolcpus rcu_nocbs irq_affinity\n"
	       " workqueue_cpumask kthreads timer_migration vm_stat_interval thp\n"
	       " rt_throttling smt_siblings fair_server clocksource_watchdog\n");
}

int cmd_check(int argc, char **argv)
{
	struct check_ctl ctl = { 0 };
	struct check_row rows[32];
	int count[4] = { 0 };
	struct cpu_info ci;
	struct json j;
	int i, n, ret;

	ret = parse_json_help(argc, argv, "check", usage, &ctl.json);
	if (ret >= 0)
		return ret;

	cpu_info_read(&ci);
	n = checks_run(&ci, rows, 32);
	for (i = 0; i < n; i++)
		count[rows[i].status]++;
	ret = count[CHECK_FAIL] ? EXIT_CHECK_FAIL :
	      count[CHECK_WARN] ? EXIT_CHECK_WARN : EXIT_OK;

	if (ctl.json) {
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "checks");
		for (i = 0; i < n; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "id", rows[i].id);
			json_str(&j, "status", check_status_str(rows[i].status));
			json_str(&j, "detail", rows[i].detail);
			json_str(&j, "why", rows[i].why);
			json_str(&j, "fix", rows[i].fix[0] ? rows[i].fix : NULL);
			json_str(&j, "fix_command",
				 rows[i].fix_cmd[0] ? rows[i].fix_cmd : NULL);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_begin(&j, "summary");
		for (i = 0; i < 4; i++)
			json_u64(&j, check_status_str(i), count[i]);
		json_obj_end(&j);
		json_i64(&j, "exit_code", ret);
		json_obj_end(&j);
		json_end(&j);
		return ret;
	}
	printf("%-21s %-6s %s\n", "CHECK", "STATUS", "DETAIL");
	for (i = 0; i < n; i++) {
		printf("%-21s %-6s %s\n", rows[i].id, check_status_str(rows[i].status),
		       rows[i].detail);
		if (rows[i].status == CHECK_WARN || rows[i].status == CHECK_FAIL) {
			printf("%-28s why: %s\n", "", rows[i].why);
			printf("%-28s fix: %s\n", "", rows[i].fix);
		}
	}
	printf("%d checks: %d pass, %d warn, %d fail, %d skip\n", n,
	       count[CHECK_PASS], count[CHECK_WARN], count[CHECK_FAIL],
	       count[CHECK_SKIP]);
	return ret;
}

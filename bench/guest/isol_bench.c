// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of `make bench`. Each subcommand prints one JSON object on
 * stdout (progress goes to stderr); the host assembles bench/results.json.
 *
 *   isol_bench quiet --cpus LIST --mode none|log [--seconds S]
 *                    [--threshold-us T] [--dirty-mb M]
 *       Busy-loop on each listed nohz_full CPU for S seconds, reading the
 *       vDSO clock and recording every gap above T us. Kernel entries are
 *       counted from the CPU's /proc/interrupts column, read from CPU 0
 *       before and after; in log mode the task is isolated (log-only) and
 *       the module's break records are counted too.
 *   isol_bench micro [--rounds N] [--loop-ms MS]
 *       getppid(), page-fault and fork/exit loops on CPU 0 with the module
 *       not loaded, loaded, loaded with its hooks lingering after a task
 *       left, and loaded with a task isolated on CPU 2; each loop sized to
 *       take about MS milliseconds (300) with the module not loaded.
 *   isol_bench latency [--trials N]
 *       Time to enter isolation, and from a remote CPU's IPI to the
 *       isolated task's signal handler.
 *   isol_bench notify-count [--trials N]
 *       The IPI-to-handler trials again, isolated and stock, for the
 *       counting plugin, which counts what CPU 2 runs on that path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>

#include "guest.h"

#define HOUSEKEEPING_CPU	0
#define MAX_CPUS		64
#define MODULE_NAME		"task_isolation"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Value at quantile @q of @v (sorted in place), nearest rank. */
static uint64_t quantile(uint64_t *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	i = (size_t)(q * n + 0.999999);
	return v[i ? i - 1 : 0];
}

/* ---- JSON on stdout: one object per run, keys in a fixed order ---- */

static bool j_comma[16];
static int j_depth;

static void j_sep(const char *key)
{
	if (j_comma[j_depth])
		putchar(',');
	j_comma[j_depth] = true;
	if (key)
		printf("\"%s\":", key);
}

static void j_open(const char *key, char c)
{
	j_sep(key);
	putchar(c);
	j_comma[++j_depth] = false;
}

static void j_close(char c)
{
	putchar(c);
	j_depth--;
	if (!j_depth)
		putchar('\n');
}

static void j_u64(const char *key, uint64_t v)
{
	j_sep(key);
	printf("%llu", (unsigned long long)v);
}

static void j_dbl(const char *key, double v)
{
	j_sep(key);
	printf("%.4f", v);
}

static void j_str(const char *key, const char *s)
{
	j_sep(key);
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* median, p99, max and mean of @n samples in ns, as microseconds */
static void j_latency(const char *key, uint64_t *v, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[i];
	j_open(key, '{');
	j_u64("n", n);
	j_dbl("median_us", quantile(v, n, 0.5) / 1e3);
	j_dbl("p99_us", quantile(v, n, 0.99) / 1e3);
	j_dbl("max_us", n ? v[n - 1] / 1e3 : 0);
	j_dbl("mean_us", n ? sum / n / 1e3 : 0);
	j_close('}');
}

/* ---- /proc/interrupts ---- */

/*
 * One row per interrupt source with one counter per CPU (LOC, RES, CAL,
 * TLB, IWI, device IRQs...); ERR and MIS have a single total and are left
 * out, as they say nothing about one CPU.
 */
struct irq_row {
	char name[16];
	char desc[48];
	uint64_t count[MAX_CPUS];
};

struct irq_snap {
	int nr_rows;
	struct irq_row rows[128];
};

static void irq_snapshot(struct irq_snap *s, int ncpu)
{
	char line[1024], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");
	struct irq_row *r;
	int c;

	s->nr_rows = 0;
	if (!f || !fgets(line, sizeof(line), f)) {
		perror("/proc/interrupts");
		exit(1);
	}
	while (fgets(line, sizeof(line), f) &&
	       s->nr_rows < (int)(sizeof(s->rows) / sizeof(s->rows[0]))) {
		r = &s->rows[s->nr_rows];
		p = line + strspn(line, " ");
		end = strchr(p, ':');
		if (!end || end - p >= (long)sizeof(r->name))
			continue;
		memset(r, 0, sizeof(*r));
		memcpy(r->name, p, end - p);
		p = end + 1;
		for (c = 0; c < ncpu; c++) {
			r->count[c] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		if (c < ncpu)
			continue;
		p += strspn(p, " ");
		p[strcspn(p, "\n")] = 0;
		/* Squeeze the chip and handler columns into one space each. */
		for (end = r->desc; *p && end < r->desc + sizeof(r->desc) - 1; p++)
			if (*p != ' ' || (end > r->desc && end[-1] != ' '))
				*end++ = *p;
		s->nr_rows++;
	}
	fclose(f);
}

static uint64_t irq_delta(const struct irq_snap *a, const struct irq_row *rb,
			  int cpu)
{
	int i;

	for (i = 0; i < a->nr_rows; i++)
		if (!strcmp(a->rows[i].name, rb->name))
			return rb->count[cpu] - a->rows[i].count[cpu];
	return rb->count[cpu];	/* a source that appeared in between */
}

/* ---- quiet: kernel entries on busy-looping nohz_full CPUs ---- */

#define HIST_BUCKETS	16	/* gaps of T..2T, 2T..4T, ... above threshold T */

struct gap {
	uint64_t start_ns;
	uint64_t len_ns;
};

struct quiet_child {
	volatile int ready, go, done, release;
	int cpu;
	uint64_t t_start, t_end, loops;
	uint64_t nr_gaps, max_gap_ns, sum_gap_ns, nr_stored;
	uint64_t hist[HIST_BUCKETS];
	uint64_t status_breaks;		/* status page, over the window */
	struct isol_state st;		/* after disabling */
	struct gap *gaps;		/* shared, @cap entries */
	uint64_t cap;
};

struct quiet_cfg {
	int cpus[MAX_CPUS];
	int nr_cpus;
	bool log;
	uint64_t duration_ns, threshold_ns, dirty_bytes;
};

/* What a program does at start-up: its allocations dirty vmstat counters. */
static void dirty_vmstat(uint64_t bytes)
{
	char *p = malloc(bytes);

	CHECK(p, "malloc %llu", (unsigned long long)bytes);
	memset(p, 0x33, bytes);
	free(p);
}

/*
 * The measured loop: no syscall, no fault, only the vDSO clock. A gap is
 * the time between two consecutive clock reads above the threshold.
 */
static void quiet_loop(struct quiet_child *c, const struct quiet_cfg *cfg,
		       const struct isol_status *page)
{
	uint64_t start, prev, t, d, end, loops = 0, n = 0, max = 0, sum = 0;
	uint64_t breaks0 = page ? isol_status_breaks(page) : 0;
	int b;

	start = prev = now_ns();
	end = start + cfg->duration_ns;
	do {
		t = now_ns();
		d = t - prev;
		if (d > cfg->threshold_ns) {
			if (n < c->cap) {
				c->gaps[n].start_ns = prev;
				c->gaps[n].len_ns = d;
			}
			n++;
			sum += d;
			if (d > max)
				max = d;
			for (b = 0; b < HIST_BUCKETS - 1 &&
			     d >= (cfg->threshold_ns << (b + 1)); b++)
				;
			c->hist[b]++;
		}
		prev = t;
		loops++;
	} while (t < end);
	c->t_start = start;
	c->t_end = t;
	c->loops = loops;
	c->nr_gaps = n;
	c->nr_stored = n < c->cap ? n : c->cap;
	c->max_gap_ns = max;
	c->sum_gap_ns = sum;
	c->status_breaks = page ? isol_status_breaks(page) - breaks0 : 0;
}

static void quiet_child(struct quiet_child *c, const struct quiet_cfg *cfg)
{
	const struct isol_status *page = NULL;
	volatile char stack[64 * 1024];
	int fd = -1;

	/* It spins until told to stop: it must not outlive a failed parent. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	CHECK(isol_pin(c->cpu) == 0, "pin to CPU %d", c->cpu);
	dirty_vmstat(cfg->dirty_bytes);
	if (cfg->log) {
		/* isolctl run's policy: no huge page to split or collapse. */
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		fd = open_dev();
		page = isol_status_map(fd);
		CHECK(page, "status page: %s", strerror(errno));
	}
	/* Everything the loop touches is resident before it starts. */
	memset((char *)stack, 0, sizeof(stack));
	memset(c->gaps, 0, c->cap * sizeof(*c->gaps));
	now_ns();
	if (page)
		isol_status_breaks(page);
	CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: %s", strerror(errno));
	if (cfg->log)
		arm(fd, ISOL_MODE_LOG_ONLY, 0, 0);
	c->ready = 1;
	while (!c->go)
		;
	quiet_loop(c, cfg, page);
	c->done = 1;
	while (!c->release)
		;
	if (cfg->log) {
		CHECK(isol_disable(fd) == 0, "disable");
		c->st = state_of(fd);
	}
	_exit(0);
}

/*
 * Break records of the monitor stream: time, CPU, cause, and the module's
 * own naming of the entry (description, function), which the report puts
 * beside the trace's: an IPI whose function the trace does not list is
 * named here.
 */
struct brk {
	uint64_t time_ns;
	uint32_t cpu, cause;
	char desc[ISOL_DESC_LEN];
	char func[ISOL_SYM_LEN];
};

struct brk_list {
	struct brk *v;
	size_t n, cap;
	uint64_t lost;
};

static void monitor_drain(int mon, struct brk_list *l)
{
	static struct isol_record recs[32];
	struct brk *b;
	int n, i;

	if (mon < 0)
		return;
	while ((n = isol_monitor_read(mon, recs, 32)) > 0) {
		for (i = 0; i < n; i++) {
			if (recs[i].type == ISOL_REC_LOST) {
				l->lost += recs[i].nr_lost;
				continue;
			}
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 1024;
				l->v = realloc(l->v, l->cap * sizeof(*l->v));
				CHECK(l->v, "out of memory");
			}
			b = &l->v[l->n++];
			b->time_ns = recs[i].brk.time_ns;
			b->cpu = recs[i].brk.cpu;
			b->cause = recs[i].brk.cause;
			/* The module terminates both strings; this keeps it so. */
			snprintf(b->desc, sizeof(b->desc), "%.*s",
				 (int)sizeof(b->desc) - 1, recs[i].brk.desc);
			snprintf(b->func, sizeof(b->func), "%.*s",
				 (int)sizeof(b->func) - 1, recs[i].func);
		}
	}
}

/* Did the module record a break of @cpu inside gap @g? */
static bool gap_has_break(const struct gap *g, int cpu, const struct brk_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((int)l->v[i].cpu == cpu && l->v[i].time_ns >= g->start_ns &&
		    l->v[i].time_ns <= g->start_ns + g->len_ns)
			return true;
	return false;
}

/* Enough to name every entry of a quiet (b) run and a burst or two. */
#define MAX_WINDOW_RECORDS	64

static bool brk_in_window(const struct brk *b, const struct quiet_child *c)
{
	return (int)b->cpu == c->cpu && b->time_ns >= c->t_start &&
	       b->time_ns <= c->t_end;
}

static void quiet_report_cpu(const struct quiet_child *c,
			     const struct quiet_cfg *cfg,
			     const struct irq_snap *a, const struct irq_snap *b,
			     const struct brk_list *brks)
{
	uint64_t entries = 0, d, by_cause[ISOL_NR_CAUSES] = { 0 };
	uint64_t in_window = 0, matched = 0;
	unsigned int k;
	size_t i;
	int r;

	j_open(NULL, '{');
	j_u64("cpu", c->cpu);
	/* CLOCK_MONOTONIC, which the trace's "mono" clock reads too. */
	j_u64("t_start_ns", c->t_start);
	j_u64("t_end_ns", c->t_end);
	j_u64("window_ns", c->t_end - c->t_start);
	j_u64("loops", c->loops);
	j_open("entries", '{');
	for (r = 0; r < b->nr_rows; r++) {
		d = irq_delta(a, &b->rows[r], c->cpu);
		if (!d)
			continue;
		j_open(b->rows[r].name, '{');
		j_u64("n", d);
		j_str("desc", b->rows[r].desc);
		j_close('}');
		/*
		 * Listed, not added: a TLB shootdown is a function-call IPI,
		 * counted in CAL too (as one of the functions the IPI ran); a
		 * machine check poll runs from a timer, counted in LOC.
		 */
		if (strcmp(b->rows[r].name, "TLB") && strcmp(b->rows[r].name, "MCP"))
			entries += d;
	}
	j_close('}');
	j_u64("entries_total", entries);
	j_u64("gaps", c->nr_gaps);
	j_u64("emulator_gaps", c->nr_gaps > entries ? c->nr_gaps - entries : 0);
	j_u64("max_gap_ns", c->max_gap_ns);
	j_u64("stolen_ns", c->sum_gap_ns);
	j_open("gap_hist", '[');
	for (k = 0; k < HIST_BUCKETS; k++)
		j_u64(NULL, c->hist[k]);
	j_close(']');
	if (cfg->log) {
		for (i = 0; i < brks->n; i++) {
			if (!brk_in_window(&brks->v[i], c))
				continue;
			in_window++;
			if (brks->v[i].cause < ISOL_NR_CAUSES)
				by_cause[brks->v[i].cause]++;
		}
		for (i = 0; i < c->nr_stored; i++)
			matched += gap_has_break(&c->gaps[i], c->cpu, brks);
		j_open("module", '{');
		j_u64("breaks", in_window);
		j_u64("status_page_breaks", c->status_breaks);
		j_open("by_cause", '{');
		for (k = 1; k < ISOL_CAUSE_MAX; k++)
			if (by_cause[k])
				j_u64(isol_cause_name(k), by_cause[k]);
		j_close('}');
		j_open("records", '[');
		for (i = 0, k = 0; i < brks->n && k < MAX_WINDOW_RECORDS; i++) {
			if (!brk_in_window(&brks->v[i], c))
				continue;
			j_open(NULL, '{');
			j_u64("at_ms", (brks->v[i].time_ns - c->t_start) / 1000000);
			j_str("cause", isol_cause_name(brks->v[i].cause));
			j_str("func", brks->v[i].func);
			j_str("desc", brks->v[i].desc);
			j_close('}');
			k++;
		}
		j_close(']');
		j_u64("gaps_with_break", matched);
		j_u64("gaps_unmatched", c->nr_stored - matched);
		j_u64("gaps_not_stored", c->nr_gaps - c->nr_stored);
		j_u64("records_lost", brks->lost);
		/* Over the whole isolation, arming included. */
		j_open("isolation", '{');
		j_u64("breaks", c->st.nr_breaks);
		j_u64("max_quiet_ns", c->st.max_quiet_ns);
		j_open("ns_by_cause", '{');
		for (k = 1; k < ISOL_CAUSE_MAX; k++)
			if (c->st.nr_by_cause[k])
				j_u64(isol_cause_name(k), c->st.ns_by_cause[k]);
		j_close('}');
		j_close('}');
		j_close('}');
	}
	j_close('}');
}

static bool children_alive(const pid_t *pids, struct quiet_child *c, int n)
{
	int i, status;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
			diag("CPU %d child died: status 0x%x", c[i].cpu, status);
			return false;
		}
	}
	return true;
}

static int cmd_quiet(const struct quiet_cfg *cfg)
{
	uint64_t cap = cfg->duration_ns / 1000000000ULL * 20000 + 4096;
	struct irq_snap *before = calloc(1, sizeof(*before));
	struct irq_snap *after = calloc(1, sizeof(*after));
	struct brk_list brks = { 0 };
	struct quiet_child *c;
	pid_t pids[MAX_CPUS];
	int i, ready, done, ncpu = sysconf(_SC_NPROCESSORS_CONF), mon = -1;

	CHECK(before && after && ncpu <= MAX_CPUS, "setup");
	CHECK(isol_pin(HOUSEKEEPING_CPU) == 0, "pin to CPU 0");
	if (cfg->log) {
		/* The stream starts at open: every break of the run is in it. */
		mon = open(ISOL_DEVICE_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		CHECK(mon >= 0, "monitor: %s", strerror(errno));
	}
	c = shared_alloc(cfg->nr_cpus * sizeof(*c));
	for (i = 0; i < cfg->nr_cpus; i++) {
		c[i].cpu = cfg->cpus[i];
		c[i].cap = cap;
		c[i].gaps = shared_alloc(cap * sizeof(struct gap));
		fflush(NULL);
		pids[i] = fork();
		CHECK(pids[i] >= 0, "fork");
		if (!pids[i])
			quiet_child(&c[i], cfg);
	}
	do {
		usleep(10000);
		CHECK(children_alive(pids, c, cfg->nr_cpus), "a child failed to start");
		for (ready = 0, i = 0; i < cfg->nr_cpus; i++)
			ready += c[i].ready;
	} while (ready < cfg->nr_cpus);
	irq_snapshot(before, ncpu);
	for (i = 0; i < cfg->nr_cpus; i++)
		c[i].go = 1;
	do {
		/* Keep up with the stream so its ring never overflows. */
		usleep(200000);
		monitor_drain(mon, &brks);
		CHECK(children_alive(pids, c, cfg->nr_cpus), "a child died");
		for (done = 0, i = 0; i < cfg->nr_cpus; i++)
			done += c[i].done;
	} while (done < cfg->nr_cpus);
	irq_snapshot(after, ncpu);
	for (i = 0; i < cfg->nr_cpus; i++)
		c[i].release = 1;
	for (i = 0; i < cfg->nr_cpus; i++) {
		int status;

		CHECK(waitpid(pids[i], &status, 0) == pids[i] &&
		      WIFEXITED(status) && !WEXITSTATUS(status),
		      "CPU %d child: status 0x%x", c[i].cpu, status);
	}
	monitor_drain(mon, &brks);

	j_open(NULL, '{');
	j_str("mode", cfg->log ? "log" : "none");
	j_u64("seconds", cfg->duration_ns / 1000000000ULL);
	j_u64("threshold_ns", cfg->threshold_ns);
	j_u64("dirty_bytes", cfg->dirty_bytes);
	j_open("cpus", '[');
	for (i = 0; i < cfg->nr_cpus; i++)
		quiet_report_cpu(&c[i], cfg, before, after, &brks);
	j_close(']');
	j_close('}');
	return 0;
}

/* ---- micro: what everyone else pays ---- */

enum { ST_UNLOADED, ST_LOADED, ST_LINGER, ST_ISOLATED, NR_STATES };
static const char *const state_names[NR_STATES] = {
	"not_loaded", "loaded_idle", "loaded_lingering", "loaded_isolated",
};

enum { B_GETPPID, B_FAULT, B_FORK, NR_BENCH };
static const char *const bench_names[NR_BENCH] = {
	"getppid", "page_fault", "fork_exit",
};

#define FAULT_REGION	(4UL << 20)

static bool module_loaded(void)
{
	struct stat sb;

	return stat("/sys/module/" MODULE_NAME, &sb) == 0;
}

static void module_cmd(const char *cmd)
{
	int tries;

	/* The cleanup of a task that ended may hold the module a moment. */
	for (tries = 0; system(cmd) && tries < 10; tries++)
		usleep(500000);
	CHECK(tries < 10, "%s failed", cmd);
}

static void module_set(bool load)
{
	if (module_loaded() != load)
		module_cmd(load ? "modprobe " MODULE_NAME : "rmmod " MODULE_NAME);
}

/*
 * A fresh load whose hooks, once armed, stay registered until unloaded:
 * the states of the cost loops differ only in what they name.
 */
static void module_fresh(void)
{
	module_set(false);
	module_cmd("modprobe " MODULE_NAME " hooks_linger_ms=3600000");
}

#define LINGER_PARAM	"/sys/module/" MODULE_NAME "/parameters/hooks_linger_ms"

static void set_linger(const char *ms)
{
	int fd = open(LINGER_PARAM, O_WRONLY);

	CHECK(fd >= 0 && write(fd, ms, strlen(ms)) == (ssize_t)strlen(ms),
	      "write %s: %s", LINGER_PARAM, strerror(errno));
	close(fd);
}

/*
 * Markers for the bench's QEMU plugin (bench/icount/isol_icount.c), which
 * counts the instructions this vCPU runs between them; NOPs without it.
 */
static inline void icount_start(void)
{
	asm volatile(".byte 0x0f, 0x1f, 0x80, 0x01, 0x7a, 0x01, 0x15" ::: "memory");
}

static inline void icount_stop(void)
{
	asm volatile(".byte 0x0f, 0x1f, 0x80, 0x02, 0x7a, 0x01, 0x15" ::: "memory");
}

/* Run @n operations of bench @b; returns the time taken in ns. */
static uint64_t bench_run(int b, uint64_t n)
{
	uint64_t t0 = now_ns(), i, pages = FAULT_REGION / 4096;
	char *p;
	pid_t pid;

	switch (b) {
	case B_GETPPID:
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		break;
	case B_FAULT:
		for (i = 0; i < n; i += pages) {
			p = mmap(NULL, FAULT_REGION, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			CHECK(p != MAP_FAILED, "mmap");
			for (uint64_t off = 0; off < FAULT_REGION; off += 4096)
				p[off] = 1;
			munmap(p, FAULT_REGION);
		}
		break;
	case B_FORK:
		for (i = 0; i < n; i++) {
			pid = fork();
			if (!pid)
				_exit(0);
			CHECK(pid > 0 && waitpid(pid, NULL, 0) == pid, "fork");
		}
		break;
	}
	return now_ns() - t0;
}

/*
 * A task on CPU 2 that sleeps: isolated (log-only isolation holds while it
 * sleeps), or having armed and left (the hooks linger), or neither. No
 * vCPU but CPU 0's is busy in any state: under single-threaded emulation
 * a busy vCPU takes host time from CPU 0 (tens of times slower loops).
 */
static pid_t sleeper_start(struct shared *s, int state)
{
	pid_t pid;
	int fd;

	s->ready = 0;
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		CHECK(isol_pin(2) == 0, "pin to CPU 2");
		if (state == ST_ISOLATED || state == ST_LINGER) {
			fd = prepare(2);
			arm(fd, ISOL_MODE_LOG_ONLY, 0, 0);
			if (state == ST_LINGER)
				CHECK(isol_disable(fd) == 0, "disable");
		}
		s->ready = 1;
		for (;;)
			pause();
	}
	CHECK(spin_until(&s->ready, 10000), "sleeper not ready");
	return pid;
}

static void sleeper_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, NULL, 0) == pid, "sleeper");
}

/* The state run @k-th in round @r (-1: the warm-up). */
static int state_at(int r, int k)
{
	return (r + 1 + k) % NR_STATES;
}

static int cmd_micro(int rounds, uint64_t loop_ms)
{
	uint64_t n[NR_BENCH], *ns, t;
	struct shared *s = shared_new();
	char run[64];
	int r, k, st, b;
	pid_t sleeper;

	CHECK(isol_pin(HOUSEKEEPING_CPU) == 0, "pin to CPU 0");
	ns = calloc((size_t)rounds * NR_STATES * NR_BENCH, sizeof(*ns));
	CHECK(ns, "out of memory");
	/* Size each loop to about @loop_ms with the module not loaded. */
	module_set(false);
	sleeper = sleeper_start(s, ST_UNLOADED);
	for (b = 0; b < NR_BENCH; b++) {
		uint64_t probe = b == B_FORK ? 20 : b == B_FAULT ? 2048 : 20000;

		bench_run(b, probe);
		t = bench_run(b, probe);
		n[b] = probe * loop_ms * 1000000ULL / (t ? t : 1);
		if (b == B_FAULT)
			n[b] = (n[b] / 1024 + 1) * 1024;
		if (n[b] < 10)
			n[b] = 10;
	}
	sleeper_stop(sleeper);

	/*
	 * Interleaved rounds, the order of states rotating every round,
	 * after one that is neither timed nor counted: in the counting boot
	 * the first loops after the module's first load and unload ran three
	 * times the instructions per operation (7.2; work of that first
	 * unload, not looked into further).
	 */
	for (r = -1; r < rounds; r++) {
		for (k = 0; k < NR_STATES; k++) {
			st = state_at(r, k);
			if (st == ST_UNLOADED)
				module_set(false);
			else
				module_fresh();
			sleeper = sleeper_start(s, st);
			usleep(100000);
			for (b = 0; b < NR_BENCH; b++) {
				if (r < 0) {
					bench_run(b, n[b]);
					continue;
				}
				icount_start();
				ns[(r * NR_STATES + st) * NR_BENCH + b] =
					bench_run(b, n[b]);
				icount_stop();
			}
			sleeper_stop(sleeper);
		}
		if (r < 0)
			diag("micro: warm-up round done");
		else
			diag("micro: round %d of %d done", r + 1, rounds);
	}

	j_open(NULL, '{');
	j_u64("rounds", rounds);
	j_u64("cpu", HOUSEKEEPING_CPU);
	j_u64("isolated_cpu", 2);
	j_u64("loop_ms", loop_ms);
	/* The order of the runs, which the plugin's counts follow. */
	j_open("run_order", '[');
	for (r = 0; r < rounds; r++)
		for (k = 0; k < NR_STATES; k++)
			for (b = 0; b < NR_BENCH; b++) {
				snprintf(run, sizeof(run), "%s/%s",
					 state_names[state_at(r, k)], bench_names[b]);
				j_str(NULL, run);
			}
	j_close(']');
	for (b = 0; b < NR_BENCH; b++) {
		double med[NR_STATES];
		uint64_t v[rounds];

		j_open(bench_names[b], '{');
		j_u64("ops_per_round", n[b]);
		for (st = 0; st < NR_STATES; st++) {
			j_open(state_names[st], '{');
			j_open("ns_per_op", '[');
			for (r = 0; r < rounds; r++) {
				v[r] = ns[(r * NR_STATES + st) * NR_BENCH + b];
				j_dbl(NULL, (double)v[r] / n[b]);
			}
			j_close(']');
			med[st] = (double)quantile(v, rounds, 0.5) / n[b];
			j_dbl("median_ns_per_op", med[st]);
			j_dbl("ratio", med[st] / med[ST_UNLOADED]);
			j_close('}');
		}
		j_close('}');
	}
	j_close('}');
	return 0;
}

/* ---- latency: entering isolation, and break notification ---- */

/* Enter log-only isolation @n times on CPU 2; times in @out (shared). */
static void enter_trials(uint64_t *out, int n, struct shared *s)
{
	struct isol_opts o = { .mode = ISOL_MODE_LOG_ONLY,
			       .quiesce_timeout_ns = 2000000000ULL };
	struct isol_enable res;
	uint64_t t0, t1;
	int fd = prepare(2), i, ret;

	for (i = 0; i < n; i++) {
		/* Each entry starts from a task that just slept, like a
		 * program that sets up and then isolates. */
		usleep(1000);
		do {
			t0 = now_ns();
			ret = isol_enable(fd, &o, &res);
			t1 = now_ns();
			if (ret == -EAGAIN)
				s->result++;
		} while (ret == -EAGAIN);
		CHECK(ret == 0, "enable: %s (%s)", strerror(-ret),
		      isol_reason_str(res.reason));
		out[i] = t1 - t0;
		CHECK(isol_disable(fd) == 0, "disable");
	}
	_exit(0);
}

/*
 * With @hooks_armed, a task isolated on CPU 3 for the duration keeps the
 * module's hooks registered, so that a measurement sees what isolating
 * costs when the hooks are not (un)registered with it. It holds isolation
 * asleep (log-only): a spinning holder would be one more busy vCPU taking
 * the emulator's one thread, which the other configurations do not have.
 * Returns its pid, 0 when none was asked for; @holder->result keeps the
 * pipe end whose closing releases it.
 */
static pid_t holder_start(struct shared *holder, bool hooks_armed)
{
	int fds[2];
	pid_t pid;
	char c;

	if (!hooks_armed)
		return 0;
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[1]);
		isolate(3, ISOL_MODE_LOG_ONLY, 0, 0);
		holder->ready = 1;
		_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
	}
	close(fds[0]);
	holder->result = fds[1];
	CHECK(spin_until(&holder->ready, 10000), "holder not isolated");
	return pid;
}

static void holder_stop(struct shared *holder, pid_t pid)
{
	if (!pid)
		return;
	close(holder->result);
	expect_exit_ok(pid, "holder");
}

static void measure_enter(uint64_t *out, int n, bool hooks_armed,
			  uint64_t *eagain)
{
	struct shared *holder = shared_new(), *s = shared_new();
	pid_t hold = holder_start(holder, hooks_armed), pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid)
		enter_trials(out, n, s);
	expect_exit_ok(pid, "enter trials");
	*eagain = s->result;
	holder_stop(holder, hold);
}

struct notify {
	volatile int armed, handled, stop;
	volatile pid_t tid;
	volatile uint64_t t_sent, t_handled, t_break;
	volatile unsigned int cause;
	int fd;
	const struct isol_status *page;
};

static struct notify *nt;

/* Rounds that interleave the break paths with the stock signal. */
#define LATENCY_ROUNDS	5

static void on_break(int sig)
{
	/* First thing the handler does: the count and the time it started. */
	icount_stop();
	nt->t_handled = now_ns();
	(void)sig;
	nt->handled = 1;
}

/*
 * The isolated thread: strict mode, re-armed after every break. The two
 * threads hand over in turn: the target arms and sets @armed; the sender
 * sends, waits for @handled, then for @armed to drop (the cause is then
 * written), and clears @handled, which lets the target arm again.
 */
static void *notify_target(void *arg)
{
	struct isol_status snap;

	(void)arg;
	CHECK(isol_pin(2) == 0, "pin to CPU 2");
	nt->tid = syscall(SYS_gettid);
	warm_up(nt->fd);
	for (;;) {
		while (nt->handled && !nt->stop)
			;
		if (nt->stop)
			break;
		arm(nt->fd, ISOL_MODE_STRICT, SIGUSR1, 0);
		nt->armed = 1;
		/* Counted from the last round of the loop the IPI cut short. */
		while (!nt->handled)
			icount_start();
		isol_status_read(nt->page, &snap);
		nt->cause = snap.last_cause;
		nt->t_break = snap.last_break_ns;
		nt->armed = 0;
	}
	return NULL;
}

/*
 * @out: IPI sent to handler running; @ipi: sent to the break recorded;
 * @sig: break recorded to handler running. The break is a membarrier IPI,
 * or with @by_signal the handler's own signal, which reaches CPU 2 as the
 * stock signal does (a reschedule IPI): the same path plus the break's.
 */
static void measure_notify(uint64_t *out, uint64_t *ipi, uint64_t *sig, int n,
			   bool hooks_armed, bool by_signal,
			   uint64_t *wrong_cause)
{
	struct sigaction sa = { .sa_handler = on_break };
	struct shared *holder = shared_new();
	pthread_t th;
	pid_t hold;
	int i;

	fflush(NULL);
	hold = holder_start(holder, hooks_armed);
	nt = calloc(1, sizeof(*nt));
	CHECK(nt, "out of memory");
	nt->fd = open_dev();
	nt->page = isol_status_map(nt->fd);
	CHECK(nt->page, "status page");
	sigaction(SIGUSR1, &sa, NULL);
	CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		      0, 0) == 0, "membarrier register: %s", strerror(errno));
	CHECK(pthread_create(&th, NULL, notify_target, NULL) == 0, "thread");
	*wrong_cause = 0;
	for (i = 0; i < n; i++) {
		/*
		 * Generous: under the counting boot's -icount this spin on
		 * CPU 0 is what moves guest time, far faster than the target's
		 * arm on CPU 2 goes (7.2: 10 s of it went by once).
		 */
		CHECK(spin_until(&nt->armed, 120000), "target never armed");
		/* A varying pause, so the IPI lands anywhere in the loop. */
		usleep(1000 + (i * 397) % 2000);
		nt->t_sent = now_ns();
		if (by_signal)
			CHECK(syscall(SYS_tgkill, getpid(), nt->tid, SIGUSR1) == 0,
			      "tgkill: %s", strerror(errno));
		else	/* IPIs every CPU running this process: CPU 2. */
			CHECK(syscall(SYS_membarrier,
				      MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0,
			      "membarrier: %s", strerror(errno));
		CHECK(spin_until(&nt->handled, 120000), "no signal in 120 s");
		out[i] = nt->t_handled - nt->t_sent;
		while (nt->armed)
			;
		*wrong_cause += nt->cause != (by_signal ? ISOL_CAUSE_IPI_RESCHED :
					      ISOL_CAUSE_IPI_CALL);
		ipi[i] = nt->t_break - nt->t_sent;
		sig[i] = nt->t_handled - nt->t_break;
		nt->handled = 0;
	}
	nt->stop = 1;
	pthread_join(th, NULL);
	close(nt->fd);
	free(nt);
	holder_stop(holder, hold);
}

/*
 * The stock kernel's own figure for the same path: a signal sent from
 * CPU 0 to a thread spinning on CPU 2, not isolated, reaches its handler
 * through a reschedule IPI and the return to user space.
 */
static void *plain_target(void *arg)
{
	(void)arg;
	CHECK(isol_pin(2) == 0, "pin to CPU 2");
	nt->tid = syscall(SYS_gettid);
	while (!nt->stop)
		icount_start();
	return NULL;
}

static void measure_plain_signal(uint64_t *out, int n)
{
	struct sigaction sa = { .sa_handler = on_break };
	pthread_t th;
	int i;

	nt = calloc(1, sizeof(*nt));
	CHECK(nt, "out of memory");
	sigaction(SIGUSR1, &sa, NULL);
	CHECK(pthread_create(&th, NULL, plain_target, NULL) == 0, "thread");
	while (!nt->tid)
		usleep(1000);
	for (i = 0; i < n; i++) {
		usleep(1000 + (i * 397) % 2000);
		nt->handled = 0;
		nt->t_sent = now_ns();
		CHECK(syscall(SYS_tgkill, getpid(), nt->tid, SIGUSR1) == 0,
		      "tgkill: %s", strerror(errno));
		CHECK(spin_until(&nt->handled, 120000), "no signal in 120 s");
		out[i] = nt->t_handled - nt->t_sent;
	}
	nt->stop = 1;
	pthread_join(th, NULL);
	free(nt);
}

/* Per-round ratios of break-to-handler to the stock signal's medians. */
static void j_ratios(const char *key, const double *ratio)
{
	int r;

	j_open(key, '[');
	for (r = 0; r < LATENCY_ROUNDS; r++) {
		j_sep(NULL);
		printf("%.4f", ratio[r]);
	}
	j_close(']');
}

static int cmd_latency(int trials)
{
	uint64_t *enter = shared_alloc(trials * sizeof(uint64_t));
	uint64_t *linger = shared_alloc(trials * sizeof(uint64_t));
	uint64_t *warm = shared_alloc(trials * sizeof(uint64_t));
	uint64_t *notify = calloc(trials, sizeof(uint64_t));
	uint64_t *ipi = calloc(trials, sizeof(uint64_t));
	uint64_t *sig = calloc(trials, sizeof(uint64_t));
	/*
	 * A first arm registers the hooks, and with hooks_linger_ms=0 the
	 * end of isolation removes them, about a second of emulated time per
	 * trial: a smaller sample of that case keeps the bench short.
	 */
	int cold = trials / 10 > 20 ? trials / 10 : 20;
	uint64_t *notify_linger = calloc(trials, sizeof(uint64_t));
	uint64_t *ipi_linger = calloc(trials, sizeof(uint64_t));
	uint64_t *sig_linger = calloc(trials, sizeof(uint64_t));
	uint64_t *notify_armed = calloc(trials, sizeof(uint64_t));
	uint64_t *ipi_armed = calloc(trials, sizeof(uint64_t));
	uint64_t *sig_armed = calloc(trials, sizeof(uint64_t));
	uint64_t *plain = calloc(trials, sizeof(uint64_t));
	uint64_t eagain_cold, eagain_linger, eagain_warm;
	uint64_t wrong, wrong_cold, wrong_linger, wrong_armed, base;
	double ratio_linger[LATENCY_ROUNDS], ratio_armed[LATENCY_ROUNDS];
	int per = trials / LATENCY_ROUNDS ?: 1, n = per * LATENCY_ROUNDS, r, k;

	CHECK(notify && ipi && sig && notify_linger && ipi_linger && sig_linger &&
	      notify_armed && ipi_armed && sig_armed && plain, "out of memory");
	CHECK(isol_pin(HOUSEKEEPING_CPU) == 0, "pin to CPU 0");
	module_set(true);
	set_linger("0");
	measure_enter(enter, cold, false, &eagain_cold);
	measure_notify(notify, ipi, sig, cold, false, false, &wrong_cold);
	set_linger("2000");
	measure_enter(linger, trials, false, &eagain_linger);
	measure_enter(warm, trials, true, &eagain_warm);
	/*
	 * The stock signal in rounds between the two break paths, so that
	 * each ratio compares trials made under the same host load; the
	 * spread of the per-round ratios says what that load moved.
	 */
	wrong_linger = wrong_armed = 0;
	for (r = 0; r < LATENCY_ROUNDS; r++) {
		k = r * per;
		measure_notify(notify_linger + k, ipi_linger + k, sig_linger + k,
			       per, false, false, &wrong);
		wrong_linger += wrong;
		measure_plain_signal(plain + k, per);
		measure_notify(notify_armed + k, ipi_armed + k, sig_armed + k,
			       per, true, false, &wrong);
		wrong_armed += wrong;
		base = quantile(plain + k, per, 0.5);
		ratio_linger[r] = base ? (double)quantile(sig_linger + k, per, 0.5) / base : 0;
		ratio_armed[r] = base ? (double)quantile(sig_armed + k, per, 0.5) / base : 0;
	}

	j_open(NULL, '{');
	j_u64("trials", trials);
	j_latency("enter", enter, cold);
	j_u64("enter_eagain", eagain_cold);
	j_latency("enter_lingering", linger, trials);
	j_u64("enter_lingering_eagain", eagain_linger);
	j_latency("enter_hooks_armed", warm, trials);
	j_u64("enter_hooks_armed_eagain", eagain_warm);
	j_latency("notify", notify, cold);
	j_latency("notify_ipi_to_break", ipi, cold);
	j_latency("notify_break_to_handler", sig, cold);
	j_u64("notify_wrong_cause", wrong_cold);
	j_latency("notify_lingering", notify_linger, n);
	j_latency("notify_lingering_ipi_to_break", ipi_linger, n);
	j_latency("notify_lingering_break_to_handler", sig_linger, n);
	j_u64("notify_lingering_wrong_cause", wrong_linger);
	j_latency("notify_hooks_armed", notify_armed, n);
	j_latency("notify_hooks_armed_ipi_to_break", ipi_armed, n);
	j_latency("notify_hooks_armed_break_to_handler", sig_armed, n);
	j_u64("notify_hooks_armed_wrong_cause", wrong_armed);
	j_latency("plain_signal", plain, n);
	j_ratios("ratio_rounds_lingering", ratio_linger);
	j_ratios("ratio_rounds_hooks_armed", ratio_armed);
	j_close('}');
	return 0;
}

/*
 * The break-to-handler path again, for the counting plugin: the target
 * thread on CPU 2 marks a start in every round of its loop and the handler
 * a stop, so that a count is what CPU 2 ran from the IPI to the handler.
 * Timed, that path moves with the emulator's scheduling of the other
 * vCPUs; counted, it does not. Prints the order of the counted trials.
 * The last two cases break with the stock trials' own signal, the same
 * IPI: the task alone, then with another task isolated.
 */
static int cmd_notify_count(int trials)
{
	static const char *const cases[] = { "lingering", "plain", "hooks_armed",
					     "by_signal", "by_signal_armed" };
	int per = trials / LATENCY_ROUNDS ?: 1, r, c, i;
	uint64_t *t1 = calloc(per, sizeof(uint64_t));
	uint64_t *t2 = calloc(per, sizeof(uint64_t));
	uint64_t *t3 = calloc(per, sizeof(uint64_t));
	uint64_t wrong = 0, w;

	CHECK(t1 && t2 && t3, "out of memory");
	CHECK(isol_pin(HOUSEKEEPING_CPU) == 0, "pin to CPU 0");
	/* The default keeps the hooks from the first arm: arm once first. */
	module_fresh();
	measure_notify(t1, t2, t3, 1, false, false, &w);
	for (r = 0; r < LATENCY_ROUNDS; r++) {
		measure_notify(t1, t2, t3, per, false, false, &w);
		wrong += w;
		measure_plain_signal(t1, per);
		measure_notify(t1, t2, t3, per, true, false, &w);
		wrong += w;
		measure_notify(t1, t2, t3, per, false, true, &w);
		wrong += w;
		measure_notify(t1, t2, t3, per, true, true, &w);
		wrong += w;
	}
	j_open(NULL, '{');
	j_u64("trials", per * LATENCY_ROUNDS);
	j_u64("rounds", LATENCY_ROUNDS);
	j_u64("cpu", 2);
	j_u64("wrong_cause", wrong);
	j_open("run_order", '[');
	j_str(NULL, "first_arm");
	for (r = 0; r < LATENCY_ROUNDS; r++)
		for (c = 0; c < (int)(sizeof(cases) / sizeof(cases[0])); c++)
			for (i = 0; i < per; i++)
				j_str(NULL, cases[c]);
	j_close(']');
	j_close('}');
	return 0;
}

/* ---- command line ---- */

static int parse_cpus(const char *s, int *cpus)
{
	char *end;
	int n = 0;

	while (*s && n < MAX_CPUS) {
		cpus[n++] = strtol(s, &end, 10);
		if (end == s || (*end && *end != ','))
			return -1;
		s = *end ? end + 1 : end;
	}
	return n;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: isol_bench quiet --cpus LIST --mode none|log [--seconds S]\n"
		"                        [--threshold-us T] [--dirty-mb M]\n"
		"       isol_bench micro [--rounds N] [--loop-ms MS]\n"
		"       isol_bench latency [--trials N]\n"
		"       isol_bench notify-count [--trials N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "threshold-us", required_argument, NULL, 't' },
		{ "dirty-mb", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "trials", required_argument, NULL, 'n' },
		{ "loop-ms", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct quiet_cfg cfg = { .nr_cpus = 0, .duration_ns = 60000000000ULL,
				 .threshold_ns = 10000, .dirty_bytes = 64 << 20 };
	int o, rounds = 7, trials = 200, loop_ms = 300;
	const char *cmd;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			cfg.nr_cpus = parse_cpus(optarg, cfg.cpus);
			break;
		case 'm':
			if (strcmp(optarg, "log") && strcmp(optarg, "none"))
				return usage();
			cfg.log = !strcmp(optarg, "log");
			break;
		case 's':
			cfg.duration_ns = strtoull(optarg, NULL, 10) * 1000000000ULL;
			break;
		case 't':
			cfg.threshold_ns = strtoull(optarg, NULL, 10) * 1000;
			break;
		case 'd':
			cfg.dirty_bytes = strtoull(optarg, NULL, 10) << 20;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			trials = atoi(optarg);
			break;
		case 'l':
			loop_ms = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	calibrate_tsc();
	if (!strcmp(cmd, "quiet")) {
		if (cfg.nr_cpus <= 0 || !cfg.duration_ns || !cfg.threshold_ns)
			return usage();
		return cmd_quiet(&cfg);
	}
	if (!strcmp(cmd, "micro") && rounds > 0 && loop_ms > 0)
		return cmd_micro(rounds, loop_ms);
	if (!strcmp(cmd, "latency") && trials > 0)
		return cmd_latency(trials);
	if (!strcmp(cmd, "notify-count") && trials > 0)
		return cmd_notify_count(trials);
	return usage();
}

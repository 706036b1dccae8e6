// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of who-broke-isolation: remote breaks provoked on purpose
 * from CPU 0 must name the sending CPU, task, function and stack; local
 * breaks name their syscall or timer callback; the monitor stream, the
 * trace events, the status page and the per-CPU sysfs files must agree
 * with the records.
 *
 *   isol_attr            run every test
 *   isol_attr NAME...    run the named tests
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define ISOL_CPU	2
#define CPU_SYSFS	"/sys/class/misc/task_isolation/cpu2/"
#define TRACEFS		"/sys/kernel/tracing/"

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/* A monitor descriptor: the stream starts with the first break after it. */
static int open_monitor(void)
{
	int fd = open(ISOL_DEVICE_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	CHECK(fd >= 0, "open monitor: %s", strerror(errno));
	return fd;
}

/*
 * The first break of @tid in the monitor stream, read without blocking.
 * Fails the test on a loss record: nothing should be lost here.
 */
static struct isol_record first_record_of(int mon, pid_t tid)
{
	static struct isol_record recs[16];
	int n, i;

	for (;;) {
		n = isol_monitor_read(mon, recs, 16);
		CHECK(n > 0, "no record of %d in the monitor stream: %s", tid,
		      n < 0 ? strerror(-n) : "empty");
		for (i = 0; i < n; i++) {
			CHECK(recs[i].type == ISOL_REC_BREAK, "lost %llu records",
			      (unsigned long long)recs[i].nr_lost);
			if (recs[i].brk.pid == tid)
				return recs[i];
		}
	}
}

static void show_record(const struct isol_record *r);

/* Say what the stream holds for @tid, to explain a failure. */
static void dump_records(int mon, pid_t tid)
{
	static struct isol_record recs[16];
	int n, i;

	while ((n = isol_monitor_read(mon, recs, 16)) > 0)
		for (i = 0; i < n; i++)
			if (recs[i].type != ISOL_REC_BREAK || recs[i].brk.pid == tid)
				show_record(&recs[i]);
}

static bool stack_has(const struct isol_record *r, const char *what)
{
	unsigned int i;

	for (i = 0; i < r->nr_stack && i < ISOL_STACK_DEPTH; i++)
		if (strstr(r->stack[i], what))
			return true;
	return false;
}

static void show_record(const struct isol_record *r)
{
	unsigned int i;

	diag("record %llu: %s, sender CPU %d %s[%d], func %s",
	     (unsigned long long)r->seq, r->brk.desc, r->brk.sender_cpu,
	     r->brk.sender_comm, r->brk.sender_pid, r->func[0] ? r->func : "-");
	for (i = 0; i < r->nr_stack && i < 6; i++)
		diag("  %s", r->stack[i]);
}

/* ---- remote breaks, provoked by the main thread on CPU 0 ---- */

struct remote_ctx {
	struct shared *s;
	volatile pid_t tid;
	char *page;		/* touched by the isolated thread */
	int fd;
};

static volatile int got_usr2;

static void on_usr2(int sig)
{
	(void)sig;
	got_usr2 = 1;
}

/* Result: the signal that told the isolated thread, 0 for none. */
static void *remote_isolated(void *arg)
{
	struct remote_ctx *c = arg;
	uint64_t ms;

	c->page[0] = 1;
	c->tid = gettid_();
	c->fd = isolate(ISOL_CPU, ISOL_MODE_STRICT, SIGUSR1, 0);
	c->s->ready = 1;
	for (ms = 0; ms < 10000 && !got_usr1 && !got_usr2; ms++)
		spin_ms(1);
	/* Whatever else is on its way arrives by now. */
	spin_ms(100);
	c->s->result = got_usr1 && got_usr2 ? -1 : got_usr1 ? SIGUSR1 :
		       got_usr2 ? SIGUSR2 : 0;
	return NULL;
}

struct remote_case {
	void (*setup)(struct remote_ctx *c);
	void (*provoke)(struct remote_ctx *c);
	unsigned int cause, alt_cause;	/* either is right */
	int signal;			/* what tells the thread; 0: SIGUSR1 */
	const char *func;		/* NULL: any, "": none */
	const char *frame;		/* a frame of the sender's stack */
};

/*
 * Isolate a thread on CPU 2 (strict, SIGUSR1), provoke a break from the
 * main thread on CPU 0, and check the record names the main thread, CPU 0,
 * the expected kind, function and stack.
 */
static void remote_test(const struct remote_case *rc)
{
	struct remote_ctx c = { .s = shared_new() };
	struct isol_record r;
	struct isol_state st;
	pthread_t th;
	int mon;

	catch_usr1();
	c.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(c.page != MAP_FAILED, "mmap");
	CHECK(isol_pin(0) == 0, "pin main thread");
	mon = open_monitor();
	if (rc->setup)
		rc->setup(&c);
	CHECK(pthread_create(&th, NULL, remote_isolated, &c) == 0, "thread");
	while (!c.s->ready)
		usleep(1000);
	rc->provoke(&c);
	pthread_join(th, NULL);
	CHECK(c.s->result == (rc->signal ?: SIGUSR1),
	      "the isolated thread was told by signal %d, expected %d only",
	      c.s->result, rc->signal ?: SIGUSR1);

	r = first_record_of(mon, c.tid);
	show_record(&r);
	CHECK(r.brk.cause == rc->cause || r.brk.cause == rc->alt_cause,
	      "cause %s, expected %s", isol_cause_str(r.brk.cause),
	      isol_cause_str(rc->cause));
	CHECK(r.brk.sender_cpu == 0, "sender CPU %d, expected 0",
	      r.brk.sender_cpu);
	CHECK(r.brk.sender_pid == getpid(), "sender pid %d (%s), expected %d",
	      r.brk.sender_pid, r.brk.sender_comm, getpid());
	CHECK(!strcmp(r.brk.sender_comm, "isol_attr"), "sender comm %s",
	      r.brk.sender_comm);
	CHECK(!rc->func || !strcmp(r.func, rc->func), "func \"%s\", expected \"%s\"",
	      r.func, rc->func);
	CHECK(!rc->frame || stack_has(&r, rc->frame),
	      "no frame with %s in the sender's stack", rc->frame);

	/* The task's own record says the same. */
	CHECK(isol_get_state_of(c.fd, c.tid, &st) == 0, "GET_STATE of %d: %s",
	      c.tid, strerror(errno));
	CHECK(st.last_break.sender_pid == r.brk.sender_pid &&
	      st.last_break.cause == r.brk.cause &&
	      !strcmp(st.last_func, r.func), "GET_STATE disagrees: %s, func %s",
	      st.last_break.desc, st.last_func);
	_exit(0);
}

static void provoke_munmap(struct remote_ctx *c)
{
	munmap(c->page, 4096);
}

static void setup_membarrier(struct remote_ctx *c)
{
	(void)c;
	CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		      0, 0) == 0, "membarrier register: %s", strerror(errno));
}

static void provoke_membarrier(struct remote_ctx *c)
{
	(void)c;
	CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0,
	      "membarrier: %s", strerror(errno));
}

/* A CPU-time timer on the isolated thread makes the kernel kick its CPU. */
static void provoke_cpu_timer(struct remote_ctx *c)
{
	struct itimerspec its = { .it_value = { .tv_sec = 5 } };
	/* Armed only with a signal to send; the thread ignores SIGURG. */
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGURG };
	/* The isolated thread's CPU clock: per-thread (4), sched (2). */
	clockid_t clk = (~(clockid_t)c->tid << 3) | 4 | 2;
	timer_t tm;

	CHECK(timer_create(clk, &sev, &tm) == 0, "timer_create: %s",
	      strerror(errno));
	CHECK(timer_settime(tm, 0, &its, NULL) == 0, "timer_settime: %s",
	      strerror(errno));
}

/* A signal for a thread running on another CPU kicks that CPU. */
static void provoke_signal_kick(struct remote_ctx *c)
{
	struct sigaction sa = { .sa_handler = on_usr2 };

	sigaction(SIGUSR2, &sa, NULL);
	CHECK(syscall(SYS_tgkill, getpid(), c->tid, SIGUSR2) == 0, "tgkill");
}

static const struct remote_case rc_munmap = {
	.provoke = provoke_munmap, .cause = ISOL_CAUSE_IPI_CALL,
	.func = "flush_tlb_func", .frame = "munmap",
};
static const struct remote_case rc_membarrier = {
	.setup = setup_membarrier, .provoke = provoke_membarrier,
	.cause = ISOL_CAUSE_IPI_CALL, .func = "ipi_mb", .frame = "membarrier",
};
static const struct remote_case rc_irq_work = {
	.provoke = provoke_cpu_timer, .cause = ISOL_CAUSE_IPI_CALL,
	.alt_cause = ISOL_CAUSE_IPI_IRQ_WORK, .func = "nohz_full_kick_func",
	.frame = "timer_set",
};
static const struct remote_case rc_resched = {
	.provoke = provoke_signal_kick, .cause = ISOL_CAUSE_IPI_RESCHED,
	.func = "", .frame = "kill",
	/* A signal with a handler tells the task itself, as in the series. */
	.signal = SIGUSR2,
};

static void t_remote(int which)
{
	static const struct remote_case *const cases[] = {
		&rc_munmap, &rc_membarrier, &rc_irq_work, &rc_resched,
	};

	remote_test(cases[which]);
}

/*
 * Another process's affinity set to the isolated CPU, then woken there by
 * this process: the break names this process, which did both.
 */
static void t_setaffinity(int unused)
{
	struct shared *s = shared_new();
	struct isol_record r;
	int p[2], mon, fd, status;
	char ch = 0, intruder[32];
	cpu_set_t set;
	pid_t a, b;

	(void)unused;
	CHECK(isol_pin(0) == 0, "pin");
	CHECK(pipe(p) == 0, "pipe");
	mon = open_monitor();
	a = fork_isolated(s, ISOL_CPU, ISOL_MODE_STRICT, SIGUSR1, &fd);
	if (!a) {
		spin_until(&got_usr1, 10000);
		_exit(got_usr1 ? 0 : 1);
	}
	b = fork();
	CHECK(b >= 0, "fork");
	if (!b) {
		/* Asleep in read() while its affinity changes. */
		_exit(read(p[0], &ch, 1) == 1 ? 0 : 1);
	}
	/* A running task would be moved by CPU 0's stopper, not by us. */
	CHECK(wait_asleep(b, 5000), "the sleeper never slept");
	CPU_ZERO(&set);
	CPU_SET(ISOL_CPU, &set);
	CHECK(sched_setaffinity(b, sizeof(set), &set) == 0, "setaffinity");
	CHECK(write(p[1], &ch, 1) == 1, "wake");
	CHECK(waitpid(b, &status, 0) == b, "wait sleeper");
	expect_exit_ok(a, "isolated task");

	r = first_record_of(mon, a);
	show_record(&r);
	CHECK(r.brk.cause == ISOL_CAUSE_IPI_RESCHED ||
	      r.brk.cause == ISOL_CAUSE_IPI_CALL, "cause %s",
	      isol_cause_str(r.brk.cause));
	CHECK(r.brk.sender_cpu == 0 && r.brk.sender_pid == getpid(),
	      "sender CPU %d %s[%d], expected CPU 0 pid %d", r.brk.sender_cpu,
	      r.brk.sender_comm, r.brk.sender_pid, getpid());
	CHECK(stack_has(&r, "wake_up"), "no wake-up in the sender's stack");
	snprintf(intruder, sizeof(intruder), "[%d] moved here", b);
	CHECK(strstr(r.brk.desc, intruder), "\"%s\" does not name the task moved in, %d",
	      r.brk.desc, b);
	_exit(0);
}

/* A thread of the isolated task's own process, waiting on CPU 0. */
struct sibling {
	pid_t tid;
	volatile int ready, go, done;
};

static void *sibling_main(void *arg)
{
	struct sibling *sb = arg;

	sb->tid = gettid_();
	isol_pin(0);
	sb->ready = 1;
	while (!sb->go)
		__builtin_ia32_pause();
	/* Pins itself onto the isolated CPU, as an lcore would. */
	isol_pin(ISOL_CPU);
	spin_ms(50);
	sb->done = 1;
	return NULL;
}

/* The program's own thread moved onto the CPU is named as such. */
static void t_sibling(int unused)
{
	static struct isol_record recs[16];
	struct sibling sb = { 0 };
	char want[48];
	bool found = false;
	int mon, fd, n, i;
	pthread_t th;

	(void)unused;
	mon = open_monitor();
	CHECK(pthread_create(&th, NULL, sibling_main, &sb) == 0, "thread");
	CHECK(spin_until(&sb.ready, 5000), "sibling never started");
	fd = isolate(ISOL_CPU, ISOL_MODE_LOG_ONLY, 0, 0);
	sb.go = 1;
	CHECK(spin_until(&sb.done, 10000), "sibling never ran here");
	isol_disable(fd);
	pthread_join(th, NULL);
	snprintf(want, sizeof(want), "[%d] moved here, of this program", sb.tid);
	while (!found && (n = isol_monitor_read(mon, recs, 16)) > 0)
		for (i = 0; i < n && !found; i++)
			found = recs[i].type == ISOL_REC_BREAK &&
				recs[i].brk.pid == gettid_() &&
				strstr(recs[i].brk.desc, want);
	if (!found)
		dump_records(mon, gettid_());
	CHECK(found, "no break of %d says \"%s\"", gettid_(), want);
	_exit(0);
}

/* ---- local breaks name what ran ---- */

static bool is_tick_handler(const char *func)
{
	return !strcmp(func, "tick_sched_timer") ||
	       !strcmp(func, "tick_nohz_handler");
}

/*
 * A syscall names its implementation; a process CPU-time timer brings the
 * tick back, and the timer breaks name the tick's hrtimer callback.
 */
static void t_local_names(int unused)
{
	struct itimerval it = { .it_value = { .tv_sec = 10 } };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	static struct isol_record recs[64];
	bool saw_timer = false, saw_syscall = false;
	struct isol_record *r;
	int fd, mon, n, i;

	(void)unused;
	mon = open_monitor();
	sigaction(SIGPROF, &sa, NULL);
	fd = isolate(ISOL_CPU, ISOL_MODE_LOG_ONLY, 0, 0);
	syscall(SYS_getppid);
	setitimer(ITIMER_PROF, &it, NULL);
	spin_ms(300);
	isol_disable(fd);

	while ((n = isol_monitor_read(mon, recs, 64)) > 0) {
		for (i = 0; i < n; i++) {
			r = &recs[i];
			if (r->brk.pid != getpid())
				continue;
			if (r->brk.cause == ISOL_CAUSE_SYSCALL &&
			    r->brk.detail == SYS_getppid) {
				show_record(r);
				CHECK(strstr(r->func, "sys_getppid"),
				      "getppid named \"%s\"", r->func);
				saw_syscall = true;
			}
			if (r->brk.cause == ISOL_CAUSE_TIMER && !saw_timer) {
				show_record(r);
				CHECK(is_tick_handler(r->func),
				      "timer break names \"%s\"", r->func);
				saw_timer = true;
			}
		}
	}
	CHECK(saw_syscall, "no getppid record");
	CHECK(saw_timer, "no timer record");
	_exit(0);
}

/* ---- the monitor stream ---- */

struct burst_ctx {
	struct shared *s;
	int mon;
	bool read_live;
	unsigned long long got, lost, last_seq, gaps;
	volatile int done;
};

static void burst_count(struct burst_ctx *c, const struct isol_record *r)
{
	if (c->last_seq && r->seq != c->last_seq + 1)
		c->gaps++;
	c->last_seq = r->type == ISOL_REC_LOST ? r->seq + r->nr_lost - 1 : r->seq;
	if (r->type == ISOL_REC_LOST)
		c->lost += r->nr_lost;
	else
		c->got++;
}

static void *burst_reader(void *arg)
{
	static struct isol_record recs[64];
	struct burst_ctx *c = arg;
	struct pollfd pfd = { .fd = c->mon, .events = POLLIN };
	int n, i;

	isol_pin(0);
	for (;;) {
		n = isol_monitor_read(c->mon, recs, 64);
		if (n == -EAGAIN) {
			if (c->done)
				break;
			poll(&pfd, 1, 100);
			continue;
		}
		CHECK(n > 0, "monitor read: %s", strerror(-n));
		for (i = 0; i < n; i++)
			burst_count(c, &recs[i]);
	}
	return NULL;
}

/*
 * 10,000 syscalls in log-only mode are 10,000 breaks. Every one is either
 * delivered or counted as lost, with no gap in the sequence; a reader that
 * waits until the end gets exactly the ring's worth and the rest as lost.
 */
static void t_burst(int live)
{
	struct burst_ctx c = { .s = shared_new(), .read_live = live };
	const int nr = 10000;
	struct isol_state st;
	pthread_t th;
	int fd, i;

	c.mon = open_monitor();
	CHECK(isol_pin(0) == 0, "pin");
	if (live)
		CHECK(pthread_create(&th, NULL, burst_reader, &c) == 0, "reader");
	fd = isolate(ISOL_CPU, ISOL_MODE_LOG_ONLY, 0, 0);
	for (i = 0; i < nr; i++)
		syscall(SYS_getppid);
	isol_disable(fd);
	st = state_of(fd);
	c.done = 1;
	if (live)
		pthread_join(th, NULL);
	else
		burst_reader(&c);
	diag("%llu breaks: %llu delivered, %llu lost, %llu gaps",
	     (unsigned long long)st.nr_breaks, c.got, c.lost, c.gaps);
	CHECK(st.nr_breaks >= (unsigned long long)nr, "only %llu breaks",
	      (unsigned long long)st.nr_breaks);
	CHECK(c.got + c.lost == st.nr_breaks, "%llu + %llu != %llu", c.got,
	      c.lost, (unsigned long long)st.nr_breaks);
	CHECK(!c.gaps, "%llu gaps in the sequence", c.gaps);
	if (!live)
		CHECK(c.lost > 0 && c.got < st.nr_breaks,
		      "a late reader lost nothing: is the ring that large?");
	_exit(0);
}

/*
 * Reading the stream needs CAP_SYS_ADMIN when the file was opened (isol_sec
 * checks a user's open); short buffers are refused.
 */
static void t_monitor_rules(int unused)
{
	struct isol_record r;
	int mon = open_monitor();

	(void)unused;
	CHECK(read(mon, &r, sizeof(r) - 1) < 0 && errno == EINVAL,
	      "short read: %s", strerror(errno));
	CHECK(read(mon, &r, sizeof(r)) < 0 && errno == EAGAIN,
	      "empty stream: %s", strerror(errno));
	CHECK(setresuid(65534, 65534, 65534) == 0, "drop root");
	CHECK(read(mon, &r, sizeof(r)) < 0 && errno == EAGAIN,
	      "read of root's open file after dropping root: %s",
	      strerror(errno));
	_exit(0);
}

/* ---- the status page ---- */

static const struct isol_status *status_page;
static struct isol_status snap_in_handler;
static volatile int handler_ran;

/* Runs right after the kick, before the signal return (a syscall). */
static void on_usr2_snapshot(int sig)
{
	(void)sig;
	isol_status_read(status_page, &snap_in_handler);
	handler_ran = 1;
}

static void t_status_page(int unused)
{
	struct sigaction sa = { .sa_handler = on_usr2_snapshot };
	const struct isol_status *page;
	struct shared *s = shared_new();
	struct isol_status snap;
	int fd, status, mon;
	pid_t a, me;

	(void)unused;
	CHECK(isol_pin(0) == 0, "pin");
	mon = open_monitor();
	a = fork();
	CHECK(a >= 0, "fork");
	if (!a) {
		shared_touch(s);
		sigaction(SIGUSR2, &sa, NULL);
		fd = prepare(ISOL_CPU);
		page = isol_status_map(fd);
		CHECK(page, "mmap: %s", strerror(errno));
		status_page = page;
		isol_status_read(page, &snap);
		CHECK(snap.state == ISOL_STATE_OFF && snap.cpu == -1,
		      "before: state %u cpu %d", snap.state, snap.cpu);
		/* The page is read-only, for good. */
		CHECK(mprotect((void *)page, ISOL_STATUS_SIZE, PROT_WRITE) < 0,
		      "mprotect to write succeeded");
		me = getpid();
		arm(fd, ISOL_MODE_LOG_ONLY, 0, 0);
		isol_status_read(page, &snap);
		CHECK(snap.state == ISOL_STATE_ISOLATED && snap.cpu == ISOL_CPU &&
		      snap.pid == me && snap.nr_breaks == 0,
		      "armed: state %u cpu %d pid %d breaks %llu", snap.state,
		      snap.cpu, snap.pid, (unsigned long long)snap.nr_breaks);
		s->ready = 1;
		/* Wait for the parent's signal without a single syscall. */
		spin_until(&handler_ran, 10000);
		isol_status_read(page, &snap);
		isol_disable(fd);
		CHECK(handler_ran, "no SIGUSR2");
		snap = snap_in_handler;
		CHECK(snap.nr_breaks == 1 && snap.state == ISOL_STATE_ISOLATED &&
		      snap.last_cause == ISOL_CAUSE_IPI_RESCHED &&
		      snap.last_break_ns > 0,
		      "after the kick: breaks %llu cause %u state %u",
		      (unsigned long long)snap.nr_breaks, snap.last_cause,
		      snap.state);
		isol_status_read(page, &snap);
		CHECK(snap.state == ISOL_STATE_ENDED &&
		      snap.end_cause == ISOL_END_DISABLED && !isol_status_isolated(page),
		      "disabled: state %u end %u", snap.state, snap.end_cause);
		_exit(0);
	}
	while (!s->ready)
		usleep(1000);
	CHECK(kill(a, SIGUSR2) == 0, "kill");
	CHECK(waitpid(a, &status, 0) == a, "wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		dump_records(mon, a);
		CHECK(0, "isolated task: status 0x%x", status);
	}

	/* Mapping rules: read-only, one page, offset 0. */
	fd = open_dev();
	CHECK(mmap(NULL, ISOL_STATUS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0) == MAP_FAILED && errno == EPERM, "writable mapping");
	CHECK(mmap(NULL, 2 * ISOL_STATUS_SIZE, PROT_READ, MAP_SHARED, fd, 0) ==
	      MAP_FAILED && errno == EINVAL, "two pages");
	CHECK(mmap(NULL, ISOL_STATUS_SIZE, PROT_READ, MAP_SHARED, fd,
		   ISOL_STATUS_SIZE) == MAP_FAILED && errno == EINVAL, "offset");
	_exit(0);
}

/* ---- sysfs and GET_STATE agree with the records ---- */

static unsigned long long sysfs_cause(const char *file, const char *name)
{
	char path[128], key[32];
	unsigned long long v, found = ~0ULL;
	FILE *f;

	snprintf(path, sizeof(path), CPU_SYSFS "%s", file);
	f = fopen(path, "r");
	CHECK(f, "open %s: %s", path, strerror(errno));
	while (fscanf(f, "%31s %llu", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	CHECK(found != ~0ULL, "%s has no %s line", path, name);
	return found;
}

static void read_line(const char *file, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), CPU_SYSFS "%s", file);
	f = fopen(path, "r");
	CHECK(f && fgets(buf, len, f), "read %s", path);
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void t_sysfs(int unused)
{
	unsigned long long counted[ISOL_NR_CAUSES] = { 0 };
	static struct isol_record recs[64];
	struct isol_state st;
	char line[64], expect[64];
	int fd, mon, i, n;
	const struct isol_status *page;
	unsigned int c;
	__u64 before;

	(void)unused;
	mon = open_monitor();
	fd = isolate(ISOL_CPU, ISOL_MODE_LOG_ONLY, 0, 0);
	page = isol_status_map(fd);
	CHECK(page, "mmap: %s", strerror(errno));
	for (i = 0; i < 5; i++)
		syscall(SYS_getppid);
	/*
	 * A log-only task can take a stray break (a flush, a timer); spin
	 * until one 50 ms stretch passed without any, so that the longest
	 * quiet stretch is known to be at least 40 ms.
	 */
	for (i = 0; i < 20; i++) {
		before = isol_status_breaks(page);
		spin_ms(50);
		if (isol_status_breaks(page) == before)
			break;
	}
	CHECK(i < 20, "no 50 ms without a break in 20 tries");
	read_line("state", line, sizeof(line));
	isol_disable(fd);
	CHECK(!strcmp(line, "isolated"), "state while isolated: %s", line);
	st = state_of(fd);

	while ((n = isol_monitor_read(mon, recs, 64)) > 0)
		for (i = 0; i < n; i++)
			if (recs[i].type == ISOL_REC_BREAK &&
			    recs[i].brk.pid == getpid())
				counted[recs[i].brk.cause]++;
	for (c = 1; c < ISOL_CAUSE_UNKNOWN + 1; c++) {
		unsigned long long v = sysfs_cause("breaks", isol_cause_name(c));

		CHECK(v == st.nr_by_cause[c] && v == counted[c],
		      "%s: sysfs %llu, GET_STATE %llu, records %llu",
		      isol_cause_name(c), v,
		      (unsigned long long)st.nr_by_cause[c], counted[c]);
		CHECK(sysfs_cause("time_ns", isol_cause_name(c)) ==
		      st.ns_by_cause[c], "%s time differs", isol_cause_name(c));
	}
	CHECK(st.nr_by_cause[ISOL_CAUSE_SYSCALL] >= 5, "syscalls %llu",
	      (unsigned long long)st.nr_by_cause[ISOL_CAUSE_SYSCALL]);
	CHECK(st.ns_by_cause[ISOL_CAUSE_SYSCALL] > 0, "no syscall time");
	CHECK(st.max_quiet_ns >= 40000000ULL, "longest stretch %llu ns < 40 ms",
	      (unsigned long long)st.max_quiet_ns);
	CHECK(st.enabled_ns && st.ended_ns >= st.enabled_ns, "enabled %llu ended %llu",
	      (unsigned long long)st.enabled_ns, (unsigned long long)st.ended_ns);
	read_line("state", line, sizeof(line));
	CHECK(!strcmp(line, "ended disabled"), "state after: %s", line);
	read_line("task", line, sizeof(line));
	snprintf(expect, sizeof(expect), "%d isol_attr", getpid());
	CHECK(!strcmp(line, expect), "task: \"%s\", expected \"%s\"", line, expect);
	read_line("since_ns", line, sizeof(line));
	CHECK(strtoull(line, NULL, 10) == st.enabled_ns, "since_ns %s", line);
	read_line("ended_ns", line, sizeof(line));
	CHECK(strtoull(line, NULL, 10) == st.ended_ns, "ended_ns %s", line);
	read_line("max_quiet_ns", line, sizeof(line));
	CHECK(strtoull(line, NULL, 10) == st.max_quiet_ns, "max_quiet_ns %s, GET_STATE %llu",
	      line, (unsigned long long)st.max_quiet_ns);
	_exit(0);
}

/* A parent reads the record of a child that armed through its file. */
static void t_state_of_child(int unused)
{
	struct isol_state st;
	pid_t a;
	int fd;

	(void)unused;
	fd = open_dev();
	a = fork();
	CHECK(a >= 0, "fork");
	if (!a) {
		warm_up(fd);
		CHECK(isol_pin(ISOL_CPU) == 0, "pin");
		arm(fd, ISOL_MODE_LOG_ONLY, 0, ISOL_F_KEEP_ON_EXEC);
		syscall(SYS_getppid);
		_exit(0);
	}
	expect_exit_ok(a, "child");
	CHECK(isol_get_state_of(fd, a, &st) == 0, "GET_STATE of child: %s",
	      strerror(errno));
	CHECK(st.state == ISOL_STATE_ENDED && st.end_cause == ISOL_END_EXIT &&
	      st.nr_by_cause[ISOL_CAUSE_SYSCALL] >= 1 && st.cpu == ISOL_CPU,
	      "child: state %u end %u syscalls %llu cpu %d", st.state,
	      st.end_cause,
	      (unsigned long long)st.nr_by_cause[ISOL_CAUSE_SYSCALL], st.cpu);
	CHECK(isol_get_state_of(fd, getpid(), &st) == 0 &&
	      st.state == ISOL_STATE_OFF, "self, never armed: state %u",
	      st.state);
	CHECK(isol_get_state_of(fd, 1, &st) == -ESRCH, "init: not ESRCH");
	CHECK(isol_get_state_of(fd, -5, &st) == -EINVAL, "negative pid");
	_exit(0);
}

/* ---- trace events ---- */

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static bool file_has(const char *path, const char *what)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, what);
}

static void t_trace_events(int unused)
{
	char want[128];
	int fd;

	(void)unused;
	CHECK(file_has(TRACEFS "events/task_isolation/isol_break/format",
		       "field:char func[64]"), "isol_break format lacks func");
	CHECK(file_has(TRACEFS "events/task_isolation/isol_break/format",
		       "field:int sender_cpu"), "isol_break format lacks sender_cpu");
	CHECK(write_str(TRACEFS "trace", "") == 0, "clear trace");
	CHECK(write_str(TRACEFS "events/task_isolation/enable", "1") == 0,
	      "enable events");
	if (!fork()) {
		fd = isolate(ISOL_CPU, ISOL_MODE_LOG_ONLY, 0, 0);
		syscall(SYS_getppid);
		isol_disable(fd);
		_exit(0);
	}
	wait(NULL);
	write_str(TRACEFS "events/task_isolation/enable", "0");
	CHECK(file_has(TRACEFS "trace", "isol_enter: cpu=2"), "no isol_enter");
	snprintf(want, sizeof(want), "cause=syscall detail=%d", SYS_getppid);
	CHECK(file_has(TRACEFS "trace", want), "no isol_break for getppid");
	CHECK(file_has(TRACEFS "trace", "sys_getppid desc="),
	      "isol_break does not name sys_getppid");
	CHECK(file_has(TRACEFS "trace", "end=disabled"), "no isol_exit");
	_exit(0);
}

static const struct test tests[] = {
	{ "munmap", "remote: munmap on CPU 0 names CPU 0, the thread, flush_tlb_func and a munmap stack",
	  t_remote, 0, 0, 20 },
	{ "membarrier", "remote: a membarrier IPI names CPU 0, the thread, ipi_mb and its stack",
	  t_remote, 1, 0, 20 },
	{ "irq-work", "remote: a CPU-time timer's kick names CPU 0, the thread and nohz_full_kick_func",
	  t_remote, 2, 0, 20 },
	{ "resched", "remote: a signal's reschedule IPI names CPU 0 and the sender; that signal, not SIGUSR1, tells the task",
	  t_remote, 3, 0, 20 },
	{ "setaffinity", "remote: another task moved onto the CPU and woken names it and who woke it",
	  t_setaffinity, 0, 0, 20 },
	{ "sibling", "remote: a thread of the program moved onto the CPU is named as one of this program",
	  t_sibling, 0, 0, 20 },
	{ "local-names", "local: syscall and timer breaks name the syscall and the callback",
	  t_local_names, 0, 0, 20 },
	{ "burst-live", "monitor: 10,000 breaks are all delivered or counted lost, no gaps",
	  t_burst, 1, 0, 120 },
	{ "burst-late", "monitor: a late reader gets the ring and an exact count of the rest",
	  t_burst, 0, 0, 120 },
	{ "monitor-rules", "monitor: short buffer EINVAL, empty EAGAIN, the opener's privilege counts",
	  t_monitor_rules, 0, 0, 10 },
	{ "status-page", "status page changes with no syscall from the task; read-only",
	  t_status_page, 0, 0, 30 },
	{ "sysfs", "cpu2/ sysfs counters match GET_STATE and the records",
	  t_sysfs, 0, 0, 20 },
	{ "state-of-child", "GET_STATE of a child through the same file, after it exited",
	  t_state_of_child, 0, 0, 20 },
	{ "trace-events", "task_isolation:isol_enter/isol_break/isol_exit carry their fields",
	  t_trace_events, 0, 0, 20 },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	calibrate_tsc();
	return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, 0);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * isolctl run: fork, isolate the child on a nohz_full CPU with
 * ISOL_F_KEEP_ON_EXEC, exec the command, wait, and report what the module
 * recorded for it (GET_STATE with the child's pid, through the same open
 * file), with stolen breaks attributed from the monitor stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

extern char **environ;

struct run_ctl {
	struct cpuset cpus;		/* -c: the CPUs to choose from */
	bool cpus_given;		/* else: any free nohz_full CPU */
	unsigned int mode;
	int signal;			/* strict mode; 0: SIGKILL */
	uint64_t strict_after_ns;	/* strict mode: log-only start-up */
	uint64_t quiesce_ns;		/* 0: the module's default */
	const char *json_path;		/* NULL: no JSON; "-": stdout */
	FILE *json;
	bool fair_server_off;
	bool allow_thp;			/* leave THP as the system has it */
	bool quiet;			/* no text report */
	bool no_threads;		/* arm the first thread only */
	bool verbose;			/* say when each thread is armed */
	char **cmd;
	char path[PATH_MAX];		/* the command, resolved */
};

/* What the child tells the parent when it fails before exec. */
struct child_error {
	enum { STAGE_PIN = 1, STAGE_ENABLE, STAGE_EXEC } stage;
	int err;			/* positive errno */
	struct isol_enable res;
};

static void usage(void)
{
	printf("Usage:\n"
	       " isolctl run [options] [--] <command> [<argument>...]\n\n"
	       "Run a command alone on a nohz_full CPU with every kernel entry\n"
	       "accounted, and report its breaks of isolation when it exits.\n\n"
	       "Isolation:\n"
	       " -c, --cpu <list>             the nohz_full CPUs to choose from, the first\n"
	       "                              free one taken, e.g. 3 or 2-3 (default: any)\n"
	       "     --log-only               record every break, keep isolation (default)\n"
	       "     --strict                 the first break kills the command\n"
	       " -s, --signal <sig>           with --strict: send <sig> instead of SIGKILL\n"
	       "     --strict-after <dur>     strict mode, once the command has run <dur>\n"
	       "                              (e.g. 2s): breaks before are only logged, so\n"
	       "                              its start-up (loader, setup) is not fatal\n"
	       "     --quiesce-timeout <dur>  how long the CPU may take to become quiet\n"
	       "                              (e.g. 200ms; default 100ms, at most 10s)\n"
	       "     --fair-server-off        turn the fair deadline server (6.8+) off on\n"
	       "                              the CPU while the command runs: it restarts\n"
	       "                              the tick about once a second (6.12 may warn;\n"
	       "                              see isolctl(8))\n"
	       "     --allow-thp              leave transparent huge pages on for the\n"
	       "                              command (default: off for it, as khugepaged's\n"
	       "                              collapses flush the isolated CPU's TLB)\n"
	       "     --no-threads             isolate the command's first thread only; by\n"
	       "                              default every thread of it (and of what it\n"
	       "                              starts) that comes to run alone pinned to one\n"
	       "                              nohz_full CPU is isolated there too\n\n"
	       "Output:\n"
	       "     --json <file>            also write the report as JSON ('-': stdout)\n"
	       " -q, --quiet                  no text report on stderr\n"
	       " -v, --verbose                say on stderr as each thread is isolated,\n"
	       "                              or why it is not\n"
	       " -h, --help                   display this help\n\n"
	       "Exit status:\n"
	       " the command's status; 128+N when signal N killed it (with --strict, the\n"
	       " signal of the first break); 125 isolctl failed before the command ran;\n"
	       " 126 the command cannot be executed; 127 it was not found.\n\n"
	       "Examples:\n"
	       " isolctl run -- ./app               log-only on the first free CPU\n"
	       " isolctl run -c 3 --strict -s USR1 -- ./app\n"
	       " isolctl run --strict-after 2s -- ./app\n"
	       " isolctl run --json run.json -- ./app\n");
}

static int run_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "isolctl run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'isolctl run --help' for more information.\n");
	return EXIT_RUN_FAILED;
}

enum { OPT_STRICT = 256, OPT_STRICT_AFTER, OPT_LOG_ONLY, OPT_QUIESCE,
	OPT_JSON, OPT_FS_OFF, OPT_ALLOW_THP, OPT_NO_THREADS };

static int parse_options(struct run_ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "strict-after", required_argument, NULL, OPT_STRICT_AFTER },
		{ "log-only", no_argument, NULL, OPT_LOG_ONLY },
		{ "signal", required_argument, NULL, 's' },
		{ "quiesce-timeout", required_argument, NULL, OPT_QUIESCE },
		{ "fair-server-off", no_argument, NULL, OPT_FS_OFF },
		{ "allow-thp", no_argument, NULL, OPT_ALLOW_THP },
		{ "no-threads", no_argument, NULL, OPT_NO_THREADS },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool strict = false, log_only = false, sig = false;
	char err[256];
	int c;

	opterr = 0;
	/* '+': options end at the command, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+:c:s:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cpulist_parse(optarg, &ctl->cpus, err, sizeof(err)))
				return run_usage("%s", err);
			if (cpuset_empty(&ctl->cpus))
				return run_usage("%s", "empty CPU list");
			ctl->cpus_given = true;
			break;
		case OPT_STRICT:
			strict = true;
			break;
		case OPT_STRICT_AFTER:
			if (parse_duration_ns(optarg, &ctl->strict_after_ns, err,
					      sizeof(err)))
				return run_usage("%s", err);
			if (ctl->strict_after_ns > ISOL_STRICT_AFTER_MAX_NS)
				return run_usage("--strict-after '%s' is out of range: "
						 "at most 60m", optarg);
			strict = true;
			break;
		case OPT_LOG_ONLY:
			log_only = true;
			break;
		case 's':
			if (parse_signal(optarg, &ctl->signal, err, sizeof(err)))
				return run_usage("%s", err);
			sig = true;
			break;
		case OPT_QUIESCE:
			if (parse_duration_ns(optarg, &ctl->quiesce_ns, err, sizeof(err)))
				return run_usage("%s", err);
			if (!ctl->quiesce_ns || ctl->quiesce_ns > ISOL_QUIESCE_TIMEOUT_MAX_NS)
				return run_usage("quiesce timeout '%s' is out of range: "
						 "more than 0 and at most 10s", optarg);
			break;
		case OPT_FS_OFF:
			ctl->fair_server_off = true;
			break;
		case OPT_ALLOW_THP:
			ctl->allow_thp = true;
			break;
		case OPT_NO_THREADS:
			ctl->no_threads = true;
			break;
		case OPT_JSON:
			ctl->json_path = optarg;
			break;
		case 'q':
			ctl->quiet = true;
			break;
		case 'v':
			ctl->verbose = true;
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case ':':
			return run_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			return run_usage("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (strict && log_only)
		return run_usage("%s", "--strict (or --strict-after) and --log-only "
				 "exclude each other");
	if (sig && !strict)
		return run_usage("%s", "--signal needs --strict: log-only mode sends no signal");
	ctl->mode = strict ? ISOL_MODE_STRICT : ISOL_MODE_LOG_ONLY;
	if (optind >= argc)
		return run_usage("%s", "no command given");
	ctl->cmd = argv + optind;
	return 0;
}

/*
 * Find the command as execvp() would, so that "not found" and "not
 * executable" are told before isolating (the child must not search PATH
 * with failing execve()s once isolated). Returns 0 or an exit code.
 */
static int resolve_command(struct run_ctl *ctl)
{
	const char *name = ctl->cmd[0], *path = getenv("PATH"), *p, *end;
	int saw_eacces = 0;
	struct stat sb;

	if (!*name) {
		msg("'': command not found");
		return EXIT_RUN_NOTFOUND;
	}
	if (strchr(name, '/')) {
		snprintf(ctl->path, sizeof(ctl->path), "%s", name);
		if (stat(name, &sb)) {
			msg("%s: %s", name, strerror(errno));
			return errno == ENOENT ? EXIT_RUN_NOTFOUND : EXIT_RUN_NOEXEC;
		}
		if (S_ISDIR(sb.st_mode) || access(name, X_OK)) {
			msg("%s: %s", name, S_ISDIR(sb.st_mode) ?
			    "is a directory" : "permission denied");
			return EXIT_RUN_NOEXEC;
		}
		return 0;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p = end + 1) {
		end = strchrnul(p, ':');
		snprintf(ctl->path, sizeof(ctl->path), "%.*s%s%s", (int)(end - p), p,
			 end == p ? "" : "/", name);
		if (!stat(ctl->path, &sb) && !S_ISDIR(sb.st_mode)) {
			if (!access(ctl->path, X_OK))
				return 0;
			saw_eacces = 1;
		}
		if (!*end)
			break;
	}
	if (saw_eacces) {
		msg("%s: permission denied", name);
		return EXIT_RUN_NOEXEC;
	}
	msg("%s: command not found", name);
	return EXIT_RUN_NOTFOUND;
}

/* "cpu 2 is" or "cpu 2-3 are": @bad's CPUs as a list, and the verb. */
static const char *cpus_are(const struct cpuset *bad, char *buf, size_t len,
			    const char *one, const char *many)
{
	char list[256];

	snprintf(buf, len, "cpu %s %s", cpulist_format(bad, list, sizeof(list)),
		 cpuset_count(bad) == 1 ? one : many);
	return buf;
}

/*
 * The CPUs to try, in order: the free ones of those asked for (-c, a CPU
 * list as taskset takes), or every free nohz_full one.
 */
static int pick_cpus(const struct run_ctl *ctl, const struct cpu_info *ci,
		     int *cpus, int max)
{
	struct cpuset want, bad;
	struct cpu_record rec;
	char list[256], what[300];
	int c, n = 0, busy_pid = 0;
	char busy_comm[32] = "";

	if (cpuset_empty(&ci->nohz_full)) {
		msg("no nohz_full CPU on this system: boot with nohz_full=<cpus> "
		    "(see 'isolctl check')");
		return -1;
	}
	want = ctl->cpus_given ? ctl->cpus : ci->nohz_full;
	/* Every CPU asked for must be one a task can be isolated on. */
	cpuset_andnot(&bad, &want, &ci->possible);
	if (!cpuset_empty(&bad)) {
		msg("%s (possible: %s)", cpus_are(&bad, what, sizeof(what),
						  "does not exist", "do not exist"),
		    cpulist_format(&ci->possible, list, sizeof(list)));
		return -1;
	}
	cpuset_andnot(&bad, &want, &ci->nohz_full);
	if (!cpuset_empty(&bad)) {
		msg("%s not in nohz_full (nohz_full=%s)",
		    cpus_are(&bad, what, sizeof(what), "is", "are"),
		    ci->nohz_full_str);
		return -1;
	}
	cpuset_andnot(&bad, &want, &ci->online);
	for_each_cpu(c, &want) {
		if (!cpuset_has(&ci->online, c) || n == max)
			continue;
		cpu_record_read(c, &rec);
		if (!strcmp(rec.state, "isolated")) {
			busy_pid = rec.pid;
			snprintf(busy_comm, sizeof(busy_comm), "%s", rec.comm);
			continue;
		}
		cpus[n++] = c;
	}
	if (n)
		return n;
	if (cpuset_count(&want) == 1 && !cpuset_empty(&bad))
		msg("%s", cpus_are(&bad, what, sizeof(what), "is offline", ""));
	else if (cpuset_count(&want) == 1)
		msg("cpu %d is busy: pid %d (%s) is isolated there",
		    cpuset_first(&want), busy_pid, busy_comm);
	else
		msg("no free CPU in %s: each is offline or has an isolated task "
		    "(see 'isolctl status')",
		    ctl->cpus_given ? cpulist_format(&want, list, sizeof(list)) :
				      ci->nohz_full_str);
	return -1;
}

/*
 * The 6.8+ fair deadline server restarts the tick about once a second.
 * Turning it off is the user's choice. Its runtime is written from the CPU
 * it belongs to (fair_server_write): 6.12.118+deb13 stops the server on
 * every write, and stopping one that is not running underflows the CPU's
 * deadline bandwidth (a WARN in task_non_contending, fatal with
 * panic_on_warn). The writer's own arrival on the CPU starts the server.
 */
struct fair_server {
	int cpu;			/* -1: not changed */
	char path[PATH_MAX];
	char was[32];
};

static int fair_server_write(const char *path, int cpu, const char *text)
{
	cpu_set_t was, on;
	int ret;

	CPU_ZERO(&on);
	CPU_SET(cpu, &on);
	if (sched_getaffinity(0, sizeof(was), &was) ||
	    sched_setaffinity(0, sizeof(on), &on))
		return -errno;
	ret = write_text(path, text);
	if (sched_setaffinity(0, sizeof(was), &was) && !ret)
		ret = -errno;
	return ret;
}

static void fair_server_off(struct fair_server *fs, int cpu, bool off)
{
	int ret;

	fs->cpu = -1;
	sys_path(fs->path, sizeof(fs->path),
		 "/kernel/debug/sched/fair_server/cpu%d/runtime", cpu);
	if (read_text(fs->path, fs->was, sizeof(fs->was)) < 0 ||
	    !strcmp(fs->was, "0"))
		return;
	if (!off) {
		msg("fair server on for cpu %d: expect a tick about once a second "
		    "(--fair-server-off turns it off)", cpu);
		return;
	}
	ret = fair_server_write(fs->path, cpu, "0");
	if (ret) {
		/* 6.12 refuses it (EBUSY) on CPUs isolated by isolcpus=domain. */
		msg("cannot turn the fair server off on cpu %d (%s): %s; expect a "
		    "tick about once a second", cpu, fs->path, strerror(-ret));
		return;
	}
	fs->cpu = cpu;
	msg("fair server off on cpu %d while the command runs (runtime was %s ns)",
	    cpu, fs->was);
}

static void fair_server_restore(struct fair_server *fs)
{
	int ret;

	if (fs->cpu < 0)
		return;
	ret = fair_server_write(fs->path, fs->cpu, fs->was);
	if (ret)
		msg("cannot restore the fair server of cpu %d to %s ns (%s): %s",
		    fs->cpu, fs->was, fs->path, strerror(-ret));
}

/* Keep isolctl off the isolated CPUs: it must not share one with CMD. */
static void pin_to_housekeeping(const struct cpu_info *ci)
{
	cpu_set_t set;
	int c;

	CPU_ZERO(&set);
	for_each_cpu(c, &ci->housekeeping)
		if (c < CPU_SETSIZE)
			CPU_SET(c, &set);
	if (!CPU_COUNT(&set) || sched_setaffinity(0, sizeof(set), &set))
		msg("cannot move isolctl to the housekeeping CPUs: %s",
		    CPU_COUNT(&set) ? strerror(errno) : "there are none");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void child_fail(int pipefd, struct child_error *e)
{
	ssize_t ret = write(pipefd, e, sizeof(*e));

	(void)ret;
	_exit(EXIT_RUN_FAILED);
}

/* In the child: isolate, then exec. Returns only on failure, via _exit. */
static void child_run(const struct run_ctl *ctl, int fd, int cpu, int pipefd)
{
	struct isol_opts opts = {
		.mode = ctl->mode,
		.flags = ISOL_F_KEEP_ON_EXEC,
		.signal = ctl->mode == ISOL_MODE_STRICT ? ctl->signal : 0,
		.quiesce_timeout_ns = ctl->quiesce_ns,
	};
	struct child_error e = { 0 };
	int ret, tries = 5;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	/*
	 * Fault in (and un-share, after fork) every page now: from the enable
	 * to the exec, a fault would be a break, fatal in strict mode. Done
	 * before moving, so this work is not charged to the isolated CPU,
	 * whose fair server (6.8+) would throttle and start ticking.
	 */
	mlockall(MCL_CURRENT);
	/*
	 * Kept across exec, unlike memory locks, which the command must take
	 * itself (the report's predicted noise says so when it did not).
	 */
	if (!ctl->allow_thp)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (isol_pin(cpu)) {
		e.stage = STAGE_PIN;
		e.err = errno;
		child_fail(pipefd, &e);
	}
	do {
		ret = isol_enable_after(fd, &opts, ctl->strict_after_ns,
					&e.res);
	} while (ret == -EAGAIN && --tries);
	if (ret) {
		e.stage = STAGE_ENABLE;
		e.err = -ret;
		child_fail(pipefd, &e);
	}
	/* execve() is allowed while isolated; nothing else is called before. */
	execve(ctl->path, ctl->cmd, environ);
	e.err = errno;
	isol_disable(fd);
	e.stage = STAGE_EXEC;
	child_fail(pipefd, &e);
}

static volatile sig_atomic_t forward_sig;

static void on_forward(int sig)
{
	forward_sig = sig;
}

/* Read what the monitor stream holds; false when it cannot be read. */
static bool drain_monitor(int monfd, struct run_report *r)
{
	struct isol_record recs[16];
	int n, i;

	for (;;) {
		n = isol_monitor_read(monfd, recs, 16);
		if (n == -EAGAIN || n == -EINTR || n == 0)
			return true;
		if (n < 0) {
			r->no_monitor_why = n == -EPERM || n == -EACCES ?
				"reading the break stream needs CAP_SYS_ADMIN" :
				"the break stream could not be read";
			return false;
		}
		for (i = 0; i < n; i++) {
			if (recs[i].type == ISOL_REC_LOST) {
				r->records_lost += recs[i].nr_lost;
			} else if (recs[i].type != ISOL_REC_BREAK) {
				continue;
			} else if (!ISOL_CAUSE_IS_SELF(recs[i].brk.cause)) {
				report_attribute(r, &recs[i].brk, recs[i].func);
			} else if (recs[i].brk.pid != r->pid) {
				report_thread(r, recs[i].brk.pid, recs[i].brk.cpu);
			}
		}
	}
}

/* A wait status, as waitpid() gives it, from waitid()'s siginfo. */
static int wstatus_of(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_DUMPED:
		return si->si_status | 0x80;
	default:
		return si->si_status;
	}
}

/*
 * Threads of the command isolated on the other nohz_full CPUs, as their
 * statistics name them; those with breaks also come from the stream.
 */
static void find_threads(const struct cpuset *nohz, struct run_report *r)
{
	struct cpu_record rec;
	int cpu;

	for_each_cpu(cpu, nohz) {
		if (cpu == r->cpu)
			continue;
		cpu_record_read(cpu, &rec);
		if (rec.pid && !strcmp(rec.state, "isolated"))
			report_thread(r, rec.pid, cpu);
	}
}

/*
 * The end of each thread's isolation, from its CPU's statistics; it was
 * isolctl's own when the run's file holds a record of the thread that began
 * then (a thread that armed itself after isolctl did took it over), or any
 * record when a later isolation on that CPU replaced the statistics.
 */
static void read_threads(struct run_report *r, int fd)
{
	struct thread_report *t;
	struct isol_state st;
	size_t n;
	int i;

	for (i = 0; i < r->nr_threads; i++) {
		t = &r->threads[i];
		cpu_record_read(t->cpu, &t->rec);
		t->have_rec = t->rec.pid == t->tid;
		if (t->have_rec) {
			n = strnlen(t->rec.comm, sizeof(t->comm) - 1);
			memcpy(t->comm, t->rec.comm, n);
			t->comm[n] = '\0';
		}
		t->armed_by_run = fd >= 0 && !isol_get_state_of(fd, t->tid, &st) &&
				  (!t->have_rec || st.enabled_ns == t->rec.since_ns);
	}
}

/*
 * Wait for the child to exit, reading the break stream and looking for
 * threads of the command isolated on their own meanwhile (every 100 ms).
 * The child is left a zombie, so that its pid still names it when
 * GET_STATE asks.
 */
static void wait_child(pid_t pid, int monfd, const struct arm_ctl *ac,
		       struct run_report *r)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd[2];
	siginfo_t si;
	int ret, n;

	r->monitored = monfd >= 0;
	for (;;) {
		if (forward_sig) {
			kill(pid, forward_sig);
			forward_sig = 0;
		}
		arm_threads(r, ac);
		find_threads(ac->nohz, r);
		if (pidfd >= 0) {
			pfd[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = monfd, .events = POLLIN };
			n = poll(pfd, r->monitored ? 2 : 1, 100);
			if (n < 0 && errno != EINTR)
				break;
			if (n > 0 && r->monitored && pfd[1].revents &&
			    !drain_monitor(monfd, r))
				r->monitored = false;
			if (n <= 0 || !pfd[0].revents)
				continue;
		}
		memset(&si, 0, sizeof(si));
		ret = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
		if (!ret && si.si_pid == pid)
			break;
		if (ret && errno != EINTR)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (r->monitored && !drain_monitor(monfd, r))
		r->monitored = false;
	read_threads(r, ac->fd);
	r->wstatus = wstatus_of(&si);
}

/*
 * Fork, isolate and exec on @cpu. Returns 0 once the command runs (its pid
 * in *pid), 1 when another task took the CPU first (try the next one), or
 * an exit code.
 */
static int start_child(const struct run_ctl *ctl, int fd, int cpu, pid_t *pid,
		       bool last_try)
{
	struct child_error e;
	char why[256];
	int pfd[2], status;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC)) {
		msg("pipe: %s", strerror(errno));
		return EXIT_RUN_FAILED;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		msg("fork: %s", strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (!*pid) {
		close(pfd[0]);
		child_run(ctl, fd, cpu, pfd[1]);
	}
	close(pfd[1]);
	/* EOF: the exec succeeded and closed the pipe. */
	do {
		n = read(pfd[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != (ssize_t)sizeof(e))
		return 0;
	waitpid(*pid, &status, 0);
	switch (e.stage) {
	case STAGE_PIN:
		msg("cannot pin the command to cpu %d: %s%s", cpu, strerror(e.err),
		    e.err == EINVAL ? " (is it outside this process's cpuset?)" : "");
		return EXIT_RUN_FAILED;
	case STAGE_ENABLE:
		if (e.res.reason == ISOL_REASON_CPU_BUSY && !last_try)
			return 1;
		isol_enable_strerror(-e.err, &e.res, why, sizeof(why));
		msg("cannot isolate cpu %d: %s", cpu, why);
		if (e.res.reason == ISOL_REASON_NOT_QUIET)
			msg("hint: 'isolctl check' lists what keeps CPUs busy; "
			    "--quiesce-timeout gives the CPU more time");
		return EXIT_RUN_FAILED;
	default:
		msg("%s: %s", ctl->cmd[0], strerror(e.err));
		return e.err == ENOENT ? EXIT_RUN_NOTFOUND : EXIT_RUN_NOEXEC;
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_ctl ctl = { 0 };
	struct run_report r = { .fair_server_cpu = -1 };
	struct sigaction sa = { .sa_handler = on_forward };
	struct fair_server fs = { .cpu = -1 };
	struct arm_ctl ac = { .fd = -1 };
	struct isol_info info;
	struct cpu_info ci;
	int cpus[64], nr_cpus, i, fd, monfd = -1, ret;
	uint64_t t0 = 0;
	pid_t pid = 0;

	ret = parse_options(&ctl, argc, argv);
	if (ret)
		return ret;
	ret = resolve_command(&ctl);
	if (ret)
		return ret;
	cpu_info_read(&ci);
	nr_cpus = pick_cpus(&ctl, &ci, cpus, 64);
	if (nr_cpus < 0 || ensure_device(false))
		return EXIT_RUN_FAILED;
	/* Loading the module creates the per-CPU records: read them again. */
	nr_cpus = pick_cpus(&ctl, &ci, cpus, 64);
	if (nr_cpus < 0)
		return EXIT_RUN_FAILED;
	if (ctl.json_path) {
		ctl.json = strcmp(ctl.json_path, "-") ? fopen(ctl.json_path, "we") : stdout;
		if (!ctl.json) {
			msg("cannot write the JSON report to %s: %s", ctl.json_path,
			    strerror(errno));
			return EXIT_RUN_FAILED;
		}
	}
	/* Inherited across exec: the module keys the record to this file. */
	fd = open(ISOL_DEVICE_PATH, O_RDWR);
	if (fd < 0) {
		device_open_failed(errno);
		return EXIT_RUN_FAILED;
	}
	if (isol_get_info(fd, &info)) {
		msg("%s does not answer GET_INFO: %s", ISOL_DEVICE_PATH, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	r.timing = info.features & ISOL_FEAT_TIMING;
	if (ctl.strict_after_ns && !(info.features & ISOL_FEAT_STRICT_AFTER)) {
		msg("--strict-after: the loaded module is too old to delay strict "
		    "mode; load this release's module");
		return EXIT_RUN_FAILED;
	}
	if (info.features & ISOL_FEAT_MONITOR)
		monfd = open(ISOL_DEVICE_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (monfd < 0)
		r.no_monitor_why = info.features & ISOL_FEAT_MONITOR ?
			"the break stream could not be opened" :
			"the module has no break stream";
	pin_to_housekeeping(&ci);

	for (i = 0; i < nr_cpus; i++) {
		fair_server_off(&fs, cpus[i], ctl.fair_server_off);
		t0 = now_ns();
		ret = start_child(&ctl, fd, cpus[i], &pid, i == nr_cpus - 1);
		if (!ret)
			break;
		fair_server_restore(&fs);
		if (ret != 1)
			return ret;
	}
	r.cpu = cpus[i];

	/* Like time(1): the terminal's signals reach the command, not us. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	r.argv = ctl.cmd;
	r.mode = ctl.mode;
	r.signal = ctl.signal ? ctl.signal : SIGKILL;
	r.strict_after_ns = ctl.strict_after_ns;
	r.pid = pid;
	ac.nohz = &ci.nohz_full;
	if (ctl.no_threads) {
		r.no_arm_why = "--no-threads";
	} else if (!(info.features & ISOL_FEAT_ENABLE_THREAD)) {
		r.no_arm_why = "the loaded module cannot isolate other threads";
	} else {
		ac.enabled = true;
		ac.verbose = ctl.verbose;
		ac.fd = fd;
		ac.opts.mode = ctl.mode;
		ac.opts.signal = ctl.signal;
		ac.opts.quiesce_timeout_ns = ctl.quiesce_ns;
		ac.strict_after_ns = ctl.strict_after_ns;
	}
	wait_child(pid, monfd, &ac, &r);
	r.runtime_ns = now_ns() - t0;
	fair_server_restore(&fs);
	if (fs.cpu >= 0) {
		r.fair_server_cpu = fs.cpu;
		snprintf(r.fair_server_was, sizeof(r.fair_server_was), "%s", fs.was);
	}
	r.have_state = isol_get_state_of(fd, pid, &r.st) == 0;
	if (!r.have_state)
		msg("the module has no record of pid %d: %s", pid, strerror(errno));
	waitpid(pid, NULL, 0);
	if (!ctl.quiet)
		report_text(&r, stderr);
	if (ctl.json) {
		report_json(&r, ctl.json);
		if (ctl.json != stdout && fclose(ctl.json))
			msg("writing %s: %s", ctl.json_path, strerror(errno));
	}
	return run_exit_code(r.wstatus);
}

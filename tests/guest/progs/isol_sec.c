// SPDX-License-Identifier: GPL-2.0
/*
 * Guest security tests: what an unprivileged user can and cannot do with
 * /dev/task_isolation, that no kernel address leaks through any interface,
 * and that every struct the module copies out is fully initialised.
 * Started as root; each test drops to user 1000 where it says so.
 *
 *   isol_sec            run every test
 *   isol_sec NAME...    run the named tests
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define DEV		ISOL_DEVICE_PATH
#define USER_UID	1000
#define ISOL_GID	990	/* stands in for the documented "isolation" group */

/* Become user 1000, keeping CAP_SYS_NICE when @nice. */
static void become_user(int in_group, int nice)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	gid_t groups[1] = { ISOL_GID };

	CHECK(setgroups(in_group, groups) == 0, "setgroups: %s", strerror(errno));
	CHECK(prctl(PR_SET_KEEPCAPS, 1) == 0, "keepcaps");
	CHECK(setresgid(USER_UID, USER_UID, USER_UID) == 0, "setresgid");
	CHECK(setresuid(USER_UID, USER_UID, USER_UID) == 0, "setresuid");
	if (nice) {
		data[0].permitted = data[0].effective = 1U << CAP_SYS_NICE;
		CHECK(syscall(SYS_capset, &hdr, data) == 0, "capset: %s",
		      strerror(errno));
	}
}

/* The udev rule's effect: group ISOL_GID, mode 0660. */
static void apply_group_rule(void)
{
	CHECK(chown(DEV, 0, ISOL_GID) == 0 && chmod(DEV, 0660) == 0,
	      "group rule: %s", strerror(errno));
}

static void undo_group_rule(void)
{
	chown(DEV, 0, 0);
	chmod(DEV, 0600);
}

/* Run @fn in a child as user 1000; the child's status says pass/fail. */
static void as_user(void (*fn)(void), int in_group, int nice)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (!pid) {
		become_user(in_group, nice);
		fn();
		_exit(0);
	}
	expect_exit_ok(pid, "unprivileged child");
}

static void user_cannot_open(void)
{
	CHECK(open(DEV, O_RDWR) < 0 && errno == EACCES,
	      "user opened %s without the group rule: %s", DEV, strerror(errno));
}

static void t_default_node(int unused)
{
	struct stat st;

	(void)unused;
	CHECK(stat(DEV, &st) == 0, "stat");
	CHECK((st.st_mode & 0777) == 0600 && st.st_uid == 0 && st.st_gid == 0,
	      "mode %o owner %d:%d", st.st_mode & 0777, st.st_uid, st.st_gid);
	as_user(user_cannot_open, 1, 1);
	_exit(0);
}

static void user_without_cap_nice(void)
{
	struct isol_enable res;
	int fd = open(DEV, O_RDWR);

	CHECK(fd >= 0, "open with the group rule: %s", strerror(errno));
	CHECK(isol_pin(2) == 0, "pin");
	CHECK(isol_enable(fd, NULL, &res) == -EPERM &&
	      res.reason == ISOL_REASON_PERMISSION,
	      "enable without CAP_SYS_NICE: errno %d reason %u", errno, res.reason);
}

static void t_no_cap(int unused)
{
	(void)unused;
	apply_group_rule();
	as_user(user_without_cap_nice, 1, 0);
	undo_group_rule();
	_exit(0);
}

static pid_t root_task;		/* isolated by root on CPU 3 */

static bool readable(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void user_in_group(void)
{
	struct isol_opts o = { .mode = ISOL_MODE_LOG_ONLY };
	struct isol_record rec;
	struct isol_state st;
	struct isol_enable res;
	int fd;

	fd = open(DEV, O_RDWR);
	CHECK(fd >= 0, "open with the group rule: %s", strerror(errno));
	/* Its own task: fine. */
	CHECK(isol_pin(2) == 0, "pin");
	warm_up(fd);
	CHECK(isol_enable(fd, &o, &res) == 0, "enable own task: %s (%s)",
	      strerror(errno), isol_reason_str(res.reason));
	CHECK(isol_disable(fd) == 0, "disable");
	/* Root's isolated task: no reading it, no taking its CPU. */
	CHECK(isol_get_state_of(fd, root_task, &st) == -ESRCH,
	      "GET_STATE of root's task: %s", strerror(errno));
	CHECK(read(fd, &rec, sizeof(rec)) < 0 && errno == EPERM,
	      "monitor read: %s", strerror(errno));
	CHECK(isol_pin(3) == 0, "pin 3");
	CHECK(isol_enable(fd, &o, &res) == -EBUSY &&
	      res.reason == ISOL_REASON_CPU_BUSY, "took root's CPU: %s",
	      strerror(errno));
	CHECK(!readable(SYSFS_DIR "cpu3/task") && !readable(SYSFS_DIR "cpu3/breaks"),
	      "per-CPU statistics readable by a user");
}

static void t_group_rule(int unused)
{
	struct shared *s = shared_new();
	struct isol_state st;
	int fd, status;

	(void)unused;
	root_task = fork();
	CHECK(root_task >= 0, "fork");
	if (!root_task) {
		shared_touch(s);
		fd = isolate(3, ISOL_MODE_LOG_ONLY, 0, 0);
		s->ready = 1;
		spin_until(&s->release, 20000);
		st = state_of(fd);
		CHECK(st.state == ISOL_STATE_ISOLATED &&
		      st.nr_by_cause[ISOL_CAUSE_AFFINITY] == 0,
		      "root's task disturbed: state %u", st.state);
		_exit(0);
	}
	while (!s->ready)
		usleep(1000);
	apply_group_rule();
	as_user(user_in_group, 1, 1);
	undo_group_rule();
	s->release = 1;
	CHECK(waitpid(root_task, &status, 0) == root_task && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "root's task: status 0x%x", status);
	_exit(0);
}

/* Read the monitor stream of a root-opened file as user 1000: allowed. */
static int root_opened_fd = -1;

static void user_reads_root_fd(void)
{
	struct isol_record rec;

	CHECK(read(root_opened_fd, &rec, sizeof(rec)) < 0 && errno == EAGAIN,
	      "monitor read of root's open file: %s (want EAGAIN)",
	      strerror(errno));
}

/*
 * The monitor stream is for privileged openers: the check is on the
 * credentials the file was opened with, as for other kernel interfaces,
 * not on whoever reads it later.
 */
static void t_opener_creds(int unused)
{
	struct isol_record rec;
	int fd;

	(void)unused;
	root_opened_fd = open(DEV, O_RDONLY | O_NONBLOCK);
	CHECK(root_opened_fd >= 0, "open as root: %s", strerror(errno));
	as_user(user_reads_root_fd, 0, 0);

	/* Opened as the user (effective ids), read as root again: refused. */
	apply_group_rule();
	CHECK(setegid(ISOL_GID) == 0 && seteuid(USER_UID) == 0, "seteuid");
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	CHECK(seteuid(0) == 0 && setegid(0) == 0, "back to root");
	undo_group_rule();
	CHECK(fd >= 0, "open as user %d: %s", USER_UID, strerror(errno));
	CHECK(read(fd, &rec, sizeof(rec)) < 0 && errno == EPERM,
	      "root read the monitor stream of a user's open file: %s",
	      strerror(errno));
	_exit(0);
}

/*
 * isolctl, run by a user who may not open the device (no group rule), says
 * how to be let in rather than just "Permission denied".
 */
static void t_isolctl_hint(int unused)
{
	char out[1024] = "";
	int fds[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	(void)unused;
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		become_user(0, 0);
		dup2(fds[1], 2);
		close(fds[0]);
		execlp("isolctl", "isolctl", "run", "-c", "2", "--", "true", NULL);
		_exit(99);
	}
	close(fds[1]);
	while (len < (ssize_t)sizeof(out) - 1 &&
	       (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	CHECK(waitpid(pid, &status, 0) == pid, "wait");
	diag("isolctl as user %d: %s", USER_UID, out);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 125,
	      "isolctl exit status 0x%x", status);
	CHECK(strstr(out, "cannot open " DEV ": Permission denied: it is root's") &&
	      strstr(out, "group \"isolation\""),
	      "no pointer to the group rule in: %s", out);
	_exit(0);
}

/* A kernel address as text: 16 hex digits starting with ffff. */
static bool has_kernel_address(const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i + 16 <= len; i++) {
		if (strncasecmp(s + i, "ffff", 4))
			continue;
		for (n = 4; n < 16 && isxdigit((unsigned char)s[i + n]); n++)
			;
		if (n == 16)
			return true;
	}
	return false;
}

static void check_text(const char *what, const char *s, size_t len)
{
	CHECK(!has_kernel_address(s, len), "kernel address in %s: %.*s", what,
	      (int)len, s);
}

static void check_file(const char *path)
{
	static char text[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n > 0)
		check_text(path, text, n);
}

static void check_record(const struct isol_record *r)
{
	unsigned int i;

	check_text("record func", r->func, sizeof(r->func));
	check_text("record desc", r->brk.desc, sizeof(r->brk.desc));
	for (i = 0; i < ISOL_STACK_DEPTH; i++)
		check_text("record stack", r->stack[i], sizeof(r->stack[i]));
	for (i = 0; i < r->nr_stack; i++)
		CHECK(r->stack[i][0] != '0', "raw frame %s", r->stack[i]);
}

/*
 * Provoke remote breaks with stacks, then look at everything the module
 * tells anyone: records, GET_STATE, sysfs and the trace.
 */
static void t_no_addresses(int unused)
{
	static struct isol_record recs[32];
	struct shared *sh = shared_new();
	char path[300];
	struct isol_state st;
	struct dirent *d;
	DIR *dir;
	int mon, fd, n, i, child_fd, stacks = 0;
	pid_t a;

	(void)unused;
	CHECK(isol_pin(0) == 0, "pin");
	mon = open(DEV, O_RDONLY | O_NONBLOCK);
	CHECK(mon >= 0, "open");
	fd = open_dev();
	system("echo 1 > /sys/kernel/tracing/events/task_isolation/enable");
	/* Signalled only once isolated, with its handler in place. */
	a = fork_isolated(sh, 2, ISOL_MODE_LOG_ONLY, 0, &child_fd);
	if (!a) {
		spin_until(&got_usr1, 5000);
		spin_ms(100);
		_exit(got_usr1 ? 0 : 1);
	}
	kill(a, SIGUSR1);	/* a reschedule IPI, with a stack */
	expect_exit_ok(a, "isolated child");
	system("echo 0 > /sys/kernel/tracing/events/task_isolation/enable");

	while ((n = isol_monitor_read(mon, recs, 32)) > 0)
		for (i = 0; i < n; i++) {
			check_record(&recs[i]);
			stacks += recs[i].nr_stack > 0;
		}
	CHECK(stacks, "no record with a stack to look at");
	st = state_of(fd);
	check_text("GET_STATE desc", st.last_break.desc, sizeof(st.last_break.desc));
	check_text("GET_STATE func", st.last_func, sizeof(st.last_func));
	check_file("/sys/kernel/tracing/trace");
	check_file(SYSFS_DIR "hooks");
	dir = opendir(SYSFS_DIR);
	CHECK(dir, "opendir");
	while ((d = readdir(dir))) {
		if (!strncmp(d->d_name, "cpu", 3)) {
			static const char *const files[] = {
				"task", "state", "since_ns", "ended_ns",
				"max_quiet_ns", "breaks", "time_ns" };

			for (i = 0; i < 7; i++) {
				snprintf(path, sizeof(path), SYSFS_DIR "%s/%s",
					 d->d_name, files[i]);
				check_file(path);
			}
		} else if (d->d_name[0] != '.') {
			snprintf(path, sizeof(path), SYSFS_DIR "%s", d->d_name);
			check_file(path);
		}
	}
	closedir(dir);
	_exit(0);
}

static void expect_zero(const char *what, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		CHECK(!c[i], "%s: byte %zu is 0x%02x, not 0", what, i, c[i]);
}

/* The bytes of a string field after its terminating NUL must be zero. */
static void expect_string_tail(const char *what, const char *s, size_t len)
{
	size_t n = strnlen(s, len);

	CHECK(n < len, "%s: not terminated", what);
	expect_zero(what, s + n, len - n);
}

static void check_break_bytes(const struct isol_break *b)
{
	expect_zero("break pad", &b->pad, sizeof(b->pad));
	expect_string_tail("break comm", b->comm, sizeof(b->comm));
	expect_string_tail("break sender_comm", b->sender_comm,
			   sizeof(b->sender_comm));
	expect_string_tail("break desc", b->desc, sizeof(b->desc));
}

/*
 * Fill every output buffer with a pattern first where the interface lets
 * us (read()), and check padding, reserved fields and string tails of
 * everything copied out are zero: nothing of the kernel's stack or heap.
 */
static void t_fill_pattern(int unused)
{
	static struct isol_record recs[8];
	struct isol_info info;
	struct isol_state st;
	struct isol_enable res;
	unsigned int i, j;
	int mon, fd, n;

	(void)unused;
	mon = open(DEV, O_RDONLY | O_NONBLOCK);
	CHECK(mon >= 0, "open");
	fd = prepare(2);
	CHECK(isol_get_info(fd, &info) == 0, "GET_INFO");
	expect_zero("info pad", &info.pad, sizeof(info.pad));
	expect_zero("info reserved", info.reserved, sizeof(info.reserved));

	/* A failed enable copies its result out too. */
	isol_pin(0);
	CHECK(isol_enable(fd, NULL, &res) == -EINVAL, "enable off nohz_full");
	expect_zero("enable reserved", res.reserved, sizeof(res.reserved));
	isol_pin(2);
	arm(fd, ISOL_MODE_LOG_ONLY, 0, 0);
	syscall(SYS_getppid);
	isol_disable(fd);
	st = state_of(fd);
	CHECK((st.noise & ~(ISOL_NOISE_UNLOCKED | ISOL_NOISE_THP | ISOL_NOISE_THREADS |
			    ISOL_NOISE_RLIMIT_CPU)) == 0, "state noise 0x%x", st.noise);
	expect_zero("state pad2", &st.pad2, sizeof(st.pad2));
	expect_zero("state reserved", st.reserved, sizeof(st.reserved));
	expect_zero("state unused causes", &st.nr_by_cause[ISOL_CAUSE_MAX],
		    sizeof(st.nr_by_cause) -
		    ISOL_CAUSE_MAX * sizeof(st.nr_by_cause[0]));
	check_break_bytes(&st.last_break);
	expect_string_tail("state last_func", st.last_func, sizeof(st.last_func));

	memset(recs, 0xa5, sizeof(recs));
	n = isol_monitor_read(mon, recs, 8);
	CHECK(n > 0, "no record: %d", n);
	for (i = 0; i < (unsigned int)n; i++) {
		CHECK(recs[i].size == sizeof(recs[i]), "record size %u",
		      recs[i].size);
		expect_zero("record pad", &recs[i].pad, sizeof(recs[i].pad));
		check_break_bytes(&recs[i].brk);
		expect_string_tail("record func", recs[i].func,
				   sizeof(recs[i].func));
		for (j = 0; j < ISOL_STACK_DEPTH; j++)
			expect_string_tail("record stack", recs[i].stack[j],
					   sizeof(recs[i].stack[j]));
		for (j = recs[i].nr_stack; j < ISOL_STACK_DEPTH; j++)
			expect_zero("unused stack entry", recs[i].stack[j],
				    sizeof(recs[i].stack[j]));
	}
	/* Records past what was read are untouched. */
	CHECK(((unsigned char *)&recs[n])[0] == 0xa5 || n == 8,
	      "read() wrote past its records");
	_exit(0);
}

static const struct test tests[] = {
	{ "default-node", "the device node is root's, mode 0600: a user cannot open it",
	  t_default_node, 0, 0, 10 },
	{ "no-cap", "with the group rule but without CAP_SYS_NICE: EPERM and the reason",
	  t_no_cap, 0, 0, 10 },
	{ "group-rule", "a user in the group isolates its own task only, cannot read others' or take their CPU",
	  t_group_rule, 0, 0, 30 },
	{ "isolctl-hint", "isolctl tells a user who cannot open the device about the group rule",
	  t_isolctl_hint, 0, 0, 10 },
	{ "opener-creds", "the monitor stream needs CAP_SYS_ADMIN in the opener's credentials, not the reader's",
	  t_opener_creds, 0, 0, 10 },
	{ "no-addresses", "no raw kernel address in records, GET_STATE, sysfs or the trace",
	  t_no_addresses, 0, 0, 20 },
	{ "fill-pattern", "every struct copied out is fully initialised, padding included",
	  t_fill_pattern, 0, 0, 20 },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	calibrate_tsc();
	return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, 0);
}

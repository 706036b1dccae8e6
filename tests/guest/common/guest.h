/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every guest test program shares: TAP-style test running in forked
 * children, busy-waiting without kernel entries, and isolating a child.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "isol.h"

#define SYSFS_DIR	"/sys/class/misc/task_isolation/"

extern uint64_t tsc_per_ms;
extern volatile int got_usr1;

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the test as skipped, for the reason given: never a pass. */
void skip_test(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Child-side check: on failure say why and exit with a distinct status. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			diag("line %d: %s", __LINE__, #cond);		\
			diag(__VA_ARGS__);				\
			_exit(10);					\
		}							\
	} while (0)

/* Shared memory for parent/child handshakes without syscalls. */
struct shared {
	volatile int ready;
	volatile int release;
	volatile int result;
};

struct test {
	const char *name;
	const char *desc;
	void (*fn)(int arg);
	int arg;
	int expect_signal;	/* the child must die by this signal */
	int timeout;
};

void calibrate_tsc(void);
void spin_ms(uint64_t ms);
bool spin_until(volatile int *flag, uint64_t ms);
int open_dev(void);
void warm_up(int fd);
int prepare(int cpu);
void arm(int fd, unsigned int mode, int sig, unsigned int flags);
int isolate(int cpu, unsigned int mode, int sig, unsigned int flags);
void catch_usr1(void);
struct isol_state state_of(int fd);
struct isol_state expect_broken(int fd, unsigned int cause);
/* The number at the start of file @path; -1 if none. */
long read_value(const char *path);
/* A number the module shows in SYSFS_DIR (isolated, records); -1 if none. */
long read_module_value(const char *name);
/*
 * Wait up to @ms for @pid (a thread ID will do) to be asleep: in state S
 * and, for a task that has not blocked before, off the runqueue too.
 */
bool wait_asleep(pid_t pid, unsigned int ms);
struct shared *shared_new(void);
void shared_touch(struct shared *s);
pid_t fork_isolated(struct shared *s, int cpu, unsigned int mode, int sig,
		    int *fd);
void expect_exit_ok(pid_t pid, const char *who);

/*
 * Run @tests (those named in argv, else all). A failed test runs again up
 * to @retries times, each retry said in a comment; 0 for none.
 */
int run_tests(const struct test *tests, size_t n, int argc, char **argv,
	      unsigned int retries);

#endif /* GUEST_H */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libisol: the C API of task isolation. Every call returns 0 (or a file
 * descriptor) on success and a negative errno on failure; errno is set too.
 */
#ifndef ISOL_H
#define ISOL_H

#include <linux/task_isolation.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How to isolate: a zeroed struct means strict mode with SIGKILL. */
struct isol_opts {
	unsigned int mode;		/* ISOL_MODE_*; 0 means ISOL_MODE_STRICT */
	unsigned int flags;		/* ISOL_F_* */
	int signal;			/* strict mode; 0 means SIGKILL */
	unsigned long long quiesce_timeout_ns; /* 0 means the default */
};

/* Open /dev/task_isolation (close-on-exec unless @keep_on_exec). */
int isol_open(int keep_on_exec);

int isol_get_info(int fd, struct isol_info *info);

/*
 * Isolate the calling thread on the one CPU its affinity allows. On
 * failure, @result (may be NULL) says why: result->reason, and for EAGAIN
 * result->busy and result->tick_dep.
 */
int isol_enable(int fd, const struct isol_opts *opts,
		struct isol_enable *result);
/*
 * The same, strict mode taking over only @strict_after_ns after the enable:
 * breaks before are recorded, as in log-only mode (a program's start-up).
 */
int isol_enable_after(int fd, const struct isol_opts *opts,
		      unsigned long long strict_after_ns,
		      struct isol_enable *result);
/*
 * Isolate thread @tid (not the caller) of a program isolated through @fd:
 * the thread arms itself at its next return to user space, with @opts and
 * @strict_after_ns, as isol_enable_after() would. Its process or an
 * ancestor must have armed isolation through @fd. Returns the thread's
 * result, or -EINPROGRESS (ISOL_REASON_PENDING) when the thread did not
 * come back to user space within a second: it arms when it does.
 */
int isol_enable_thread(int fd, int tid, const struct isol_opts *opts,
		       unsigned long long strict_after_ns,
		       struct isol_enable *result);
int isol_disable(int fd);
int isol_get_state(int fd, struct isol_state *state);

/*
 * The state of thread @tid, which armed isolation through @fd (the same
 * open file, e.g. inherited across fork()); 0 means the calling thread.
 */
int isol_get_state_of(int fd, int tid, struct isol_state *state);

/*
 * Read break records from the monitor stream of @fd (needs CAP_SYS_ADMIN):
 * up to @n records, blocking for the first unless @fd is non-blocking.
 * Returns the number of records read.
 */
int isol_monitor_read(int fd, struct isol_record *recs, unsigned int n);

/*
 * Map the status page of @fd. Returns NULL with errno set on failure.
 * Touch it before isolating, so reading it later cannot fault.
 */
const struct isol_status *isol_status_map(int fd);
int isol_status_unmap(const struct isol_status *page);

/*
 * A consistent copy of the status page: a few loads, no syscall, so an
 * isolated task can call it without breaking isolation.
 */
static inline void isol_status_read(const struct isol_status *page,
				    struct isol_status *out)
{
	__u32 seq;

	do {
		seq = __atomic_load_n(&page->seq, __ATOMIC_ACQUIRE);
		out->state = __atomic_load_n(&page->state, __ATOMIC_RELAXED);
		out->cpu = __atomic_load_n(&page->cpu, __ATOMIC_RELAXED);
		out->pid = __atomic_load_n(&page->pid, __ATOMIC_RELAXED);
		out->nr_breaks = __atomic_load_n(&page->nr_breaks,
						 __ATOMIC_RELAXED);
		out->last_cause = __atomic_load_n(&page->last_cause,
						  __ATOMIC_RELAXED);
		out->end_cause = __atomic_load_n(&page->end_cause,
						 __ATOMIC_RELAXED);
		out->last_break_ns = __atomic_load_n(&page->last_break_ns,
						     __ATOMIC_RELAXED);
		/* The field loads complete before seq is checked again. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) ||
		 seq != __atomic_load_n(&page->seq, __ATOMIC_RELAXED));
	out->seq = seq;
}

/* Breaks so far: one load. */
static inline __u64 isol_status_breaks(const struct isol_status *page)
{
	return __atomic_load_n(&page->nr_breaks, __ATOMIC_RELAXED);
}

/* Still isolated: one load. */
static inline int isol_status_isolated(const struct isol_status *page)
{
	return __atomic_load_n(&page->state, __ATOMIC_RELAXED) ==
	       ISOL_STATE_ISOLATED;
}

/* Pin the calling thread to @cpu. */
int isol_pin(int cpu);

/*
 * The short way in and out: isol_enter() does what an isolated thread needs
 * done before its quiet loop, isol_exit() undoes it. Each thread that
 * isolates itself gets its own handle (and its own open file and status
 * page); libisol keeps no other state, so threads need no locking.
 */
struct isol_config {
	int cpu;			/* pin to this CPU; -1 keeps the affinity */
	unsigned int mode;		/* ISOL_MODE_*; 0 means ISOL_MODE_STRICT */
	unsigned int flags;		/* ISOL_F_* */
	int signal;			/* strict mode; 0 means SIGKILL */
	unsigned long long quiesce_timeout_ns; /* 0 means the default */
	unsigned int retries;		/* tries while the CPU is not quiet
					 * (EAGAIN); 0 means ISOL_ENTER_RETRIES */
	unsigned int skip_prevent;	/* ISOL_PREVENT_* steps not to take */
	unsigned long long strict_after_ns; /* strict mode: log-only for this
					     * long first (isol_enable) */
	unsigned long long reserved[3];	/* zero */
};

/*
 * What isol_enter() does first, unless cfg->skip_prevent names it, so that
 * the thread cannot cause its own breaks later. A step that fails (mlock
 * needs CAP_IPC_LOCK or RLIMIT_MEMLOCK) is not an error: the enable's
 * noise bits (ISOL_NOISE_*) then say what is left open.
 */
#define ISOL_PREVENT_MLOCK	(1U << 0)	/* mlockall(MCL_CURRENT |
						 * MCL_FUTURE): no page faults,
						 * no page migration */
#define ISOL_PREVENT_THP	(1U << 1)	/* prctl(PR_SET_THP_DISABLE),
						 * the whole process: no
						 * khugepaged collapse */
#define ISOL_PREVENT_ALL	(ISOL_PREVENT_MLOCK | ISOL_PREVENT_THP)

#define ISOL_ENTER_RETRIES	10

struct isol_handle;

/*
 * Isolate the calling thread as @cfg says (NULL: strict mode, SIGKILL, on
 * the one CPU the thread's affinity allows). Returns a handle, or NULL with
 * errno set; @result (may be NULL) then says why, as for isol_enable():
 * isol_enable_strerror() puts it in words. The device is opened
 * close-on-exec unless cfg->flags has ISOL_F_KEEP_ON_EXEC.
 */
struct isol_handle *isol_enter(const struct isol_config *cfg,
			       struct isol_enable *result);

/*
 * Leave isolation (the one syscall an isolated thread may make), fill
 * @final (may be NULL) with the isolation's record, and free @h. Returns 0
 * or a negative errno; @h is freed either way.
 */
int isol_exit(struct isol_handle *h, struct isol_state *final);

/* The handle's open file, for isol_get_state() and friends. */
int isol_handle_fd(const struct isol_handle *h);

/*
 * The handle's status page, mapped and touched by isol_enter(): read it
 * with isol_status_read(), isol_status_breaks() or isol_status_isolated(),
 * which make no syscall. NULL when the module has no status page.
 */
const struct isol_status *isol_handle_status(const struct isol_handle *h);

/*
 * The most recent break of the handle's thread. Returns 1 and fills @brk
 * (and @func, ISOL_SYM_LEN bytes, when not NULL) when there was one, 0
 * when there was none, or a negative errno. It is an ioctl: in strict mode
 * call it after isolation ended, never from the quiet loop.
 */
int isol_last_break(const struct isol_handle *h, struct isol_break *brk,
		    char *func);

/*
 * The reason an enable failed, in words that name the object, e.g. "CPU 5
 * is not nohz_full" or "CPU 2 did not become quiet in time: tick
 * dependency (sched), timer pending". @err is the negative errno that
 * isol_enable() or isol_enter() returned (or -errno); @res may be NULL.
 * Writes at most @size bytes to @buf and returns @buf.
 */
char *isol_enable_strerror(int err, const struct isol_enable *res, char *buf,
			   unsigned long size);

/*
 * One ISOL_NOISE_* bit in words, e.g. "memory not locked: page faults, and
 * page migration's TLB flush IPIs"; *@fix (when not NULL) gets what
 * prevents it. NULL for an unknown bit.
 */
const char *isol_noise_str(unsigned int bit, const char **fix);

/* Names of the ISOL_BUSY_* and ISOL_TICK_DEP_* bits, comma-separated. */
char *isol_busy_str(unsigned int busy, char *buf, unsigned long size);
char *isol_tick_dep_str(unsigned int tick_dep, char *buf, unsigned long size);

const char *isol_reason_str(unsigned int reason);
const char *isol_cause_str(unsigned int cause);
/* The one-word name the module's sysfs files use, e.g. "ipi_call". */
const char *isol_cause_name(unsigned int cause);
const char *isol_end_str(unsigned int end_cause);

#ifdef __cplusplus
}
#endif

#endif /* ISOL_H */

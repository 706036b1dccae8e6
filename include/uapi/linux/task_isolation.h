/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Task isolation: the ioctl interface of /dev/task_isolation.
 *
 * A task isolates itself: it pins itself to one nohz_full CPU, opens the
 * device and issues ISOL_IOC_ENABLE. Every struct starts with its size as
 * the caller knows it, so the structs can grow: the module accepts any size
 * from the struct's *_SIZE_VER0 (its first release) up to 4096 bytes, the
 * bytes past what it knows being zero. A smaller size, or non-zero extra
 * bytes, fail with EINVAL; a larger size with E2BIG. Reserved fields and
 * unknown flags must be zero, or the call fails with EINVAL.
 *
 * ioctl numbers are never reused: a retired command keeps its number.
 */
#ifndef _UAPI_LINUX_TASK_ISOLATION_H
#define _UAPI_LINUX_TASK_ISOLATION_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ISOL_DEVICE_PATH	"/dev/task_isolation"

/*
 * Bumped on incompatible changes only; additions are told by features.
 * 2: the ioctl magic moved from 0xB8 (Marvell CN10K DPI's) to 0xB9.
 */
#define ISOL_ABI_VERSION	2

/* The sizes of the structs as first released: the smallest accepted. */
#define ISOL_INFO_SIZE_VER0	64
#define ISOL_ENABLE_SIZE_VER0	80
#define ISOL_STATE_SIZE_VER0	464
/* The largest size any struct may claim. */
#define ISOL_SIZE_MAX		4096

/* Features the module supports, in isol_info.features. */
#define ISOL_FEAT_STRICT	(1ULL << 0)	/* break sends a signal */
#define ISOL_FEAT_LOG_ONLY	(1ULL << 1)	/* break is recorded only */
#define ISOL_FEAT_KEEP_ON_EXEC	(1ULL << 2)	/* ISOL_F_KEEP_ON_EXEC */
#define ISOL_FEAT_QUIESCE	(1ULL << 3)	/* CPU quiesced on entry */
#define ISOL_FEAT_MONITOR	(1ULL << 4)	/* read()/poll() break stream */
#define ISOL_FEAT_STATUS_PAGE	(1ULL << 5)	/* mmap() status page */
#define ISOL_FEAT_TIMING	(1ULL << 6)	/* kernel time per cause */
#define ISOL_FEAT_STRICT_AFTER	(1ULL << 7)	/* isol_enable.strict_after_ns */
#define ISOL_FEAT_ENABLE_THREAD	(1ULL << 8)	/* ISOL_IOC_ENABLE_THREAD */

/**
 * struct isol_info - what the module is and can do (ISOL_IOC_GET_INFO)
 * @size:	in: sizeof(struct isol_info) as the caller knows it;
 *		out: the number of bytes the module filled in
 * @abi_version: ISOL_ABI_VERSION of the module
 * @version:	module version, (major << 16) | (minor << 8) | patch
 * @nr_cpu_ids:	number of possible CPU ids on this system
 * @nr_isolated: number of tasks isolated right now
 * @features:	ISOL_FEAT_* bits
 * @reserved:	zero
 */
struct isol_info {
	__u32 size;
	__u32 abi_version;
	__u32 version;
	__u32 nr_cpu_ids;
	__u32 nr_isolated;
	__u32 pad;
	__u64 features;
	__u64 reserved[4];
};

/* Modes of isolation, in isol_enable.mode. */
#define ISOL_MODE_STRICT	1	/* a break sends the signal, ends isolation */
#define ISOL_MODE_LOG_ONLY	2	/* a break is recorded, isolation stays */

/* Flags of isol_enable.flags. */
#define ISOL_F_KEEP_ON_EXEC	(1U << 0)	/* stay isolated across execve() */
#define ISOL_F_ALL		ISOL_F_KEEP_ON_EXEC

/* Default and limit of isol_enable.quiesce_timeout_ns. */
#define ISOL_QUIESCE_TIMEOUT_DEFAULT_NS	100000000ULL	/* 100 ms */
#define ISOL_QUIESCE_TIMEOUT_MAX_NS	10000000000ULL	/* 10 s */

/* Limit of isol_enable.strict_after_ns. */
#define ISOL_STRICT_AFTER_MAX_NS	3600000000000ULL	/* 1 hour */

/*
 * Why ISOL_IOC_ENABLE failed, in isol_enable.reason. The errno says what
 * class of failure it was; the reason says which precondition.
 */
enum isol_reason {
	ISOL_REASON_NONE = 0,
	ISOL_REASON_BAD_ARGS,		/* EINVAL: bad field, flag or mode */
	ISOL_REASON_BAD_SIGNAL,		/* EINVAL: signal out of range */
	ISOL_REASON_AFFINITY,		/* EINVAL: affinity is not one CPU */
	ISOL_REASON_NOT_NOHZ_FULL,	/* EINVAL: the CPU is not nohz_full */
	ISOL_REASON_CPU_BUSY,		/* EBUSY: another task isolated there */
	ISOL_REASON_OTHER_FILE,		/* EBUSY: isolated through another open */
	ISOL_REASON_PERMISSION,		/* EPERM: needs CAP_SYS_NICE */
	ISOL_REASON_NOT_QUIET,		/* EAGAIN: CPU not quiet in time, see busy */
	ISOL_REASON_INTERRUPTED,	/* EINTR: a signal arrived while waiting */
	ISOL_REASON_NO_MEMORY,		/* ENOMEM */
	ISOL_REASON_HOOKS,		/* EIO: a hook could not be armed */
	ISOL_REASON_NO_THREAD,		/* ESRCH: no such thread, or it exits */
	ISOL_REASON_NOT_MEMBER,		/* EPERM: see ISOL_IOC_ENABLE_THREAD */
	ISOL_REASON_PENDING,		/* EINPROGRESS: see ISOL_IOC_ENABLE_THREAD */
};

/* What kept the CPU from being quiet, in isol_enable.busy (EAGAIN). */
#define ISOL_BUSY_TICK_DEP	(1U << 0)	/* a tick dependency, see tick_dep */
#define ISOL_BUSY_TIMER		(1U << 1)	/* a timer due within a tick */
#define ISOL_BUSY_RCU		(1U << 2)	/* RCU needs the CPU */
#define ISOL_BUSY_RUNNABLE	(1U << 3)	/* another task runnable there */
#define ISOL_BUSY_VMSTAT	(1U << 4)	/* vmstat work still pending */
#define ISOL_BUSY_OFF_CPU	(1U << 5)	/* the task was not on its CPU */

/*
 * Quiescing steps this kernel and CPU cannot take, in isol_enable.skipped:
 * on CET-IBT kernels the module never calls a kernel function that has no
 * ENDBR64, and a step with no other route is left out. The CPU may then see
 * the breaks that step would have prevented.
 */
#define ISOL_SKIP_LRU_DRAIN	(1U << 0)	/* per-CPU LRU and bh caches */
#define ISOL_SKIP_VMSTAT	(1U << 1)	/* vmstat fold and its worker */
#define ISOL_SKIP_TICK_TEST	(1U << 2)	/* no wait for the tick to stop */
#define ISOL_SKIP_MEMCG_STOCK	(1U << 3)	/* memcg per-CPU charge stock */

/*
 * Predicted noise, in isol_enable.noise and isol_state.noise: what the task
 * itself leaves open at enable (and, with ISOL_F_KEEP_ON_EXEC, again at
 * exec) that will cause breaks later. Isolation is armed anyway; the bits
 * say what to fix.
 * UNLOCKED:   memory not all locked, now and for the future: page faults,
 *             and compaction migrating pages (TLB flush IPIs). Fix:
 *             mlockall(MCL_CURRENT | MCL_FUTURE).
 * THP:        THP not disabled for the process: khugepaged may collapse
 *             its pages (TLB flush IPIs). Fix: PR_SET_THP_DISABLE.
 * THREADS:    other threads share the memory: their munmap() and
 *             mprotect() flush this CPU's TLB.
 * RLIMIT_CPU: a finite RLIMIT_CPU: the process CPU timer needs the tick.
 */
#define ISOL_NOISE_UNLOCKED	(1U << 0)
#define ISOL_NOISE_THP		(1U << 1)
#define ISOL_NOISE_THREADS	(1U << 2)
#define ISOL_NOISE_RLIMIT_CPU	(1U << 3)

/*
 * Tick dependencies, in isol_enable.tick_dep: the bits of the kernel's
 * enum tick_dep_bits, passed through.
 */
#define ISOL_TICK_DEP_POSIX_TIMER	(1U << 0)
#define ISOL_TICK_DEP_PERF_EVENTS	(1U << 1)
#define ISOL_TICK_DEP_SCHED		(1U << 2)
#define ISOL_TICK_DEP_CLOCK_UNSTABLE	(1U << 3)
#define ISOL_TICK_DEP_RCU		(1U << 4)
#define ISOL_TICK_DEP_RCU_EXP		(1U << 5)

/**
 * struct isol_enable - arm isolation for the calling task (ISOL_IOC_ENABLE)
 * @size:	in: sizeof(struct isol_enable) as the caller knows it
 * @flags:	in: ISOL_F_* bits
 * @mode:	in: ISOL_MODE_STRICT or ISOL_MODE_LOG_ONLY
 * @signal:	in: signal sent on a break in strict mode; 0 means SIGKILL.
 *		Must be 0 in log-only mode.
 * @quiesce_timeout_ns: in: how long entering may wait for the CPU to become
 *		quiet; 0 means ISOL_QUIESCE_TIMEOUT_DEFAULT_NS; at most
 *		ISOL_QUIESCE_TIMEOUT_MAX_NS
 * @cpu:	out: the CPU the task is isolated on (or tried to be)
 * @reason:	out: enum isol_reason, also filled in when the call fails
 * @busy:	out: ISOL_BUSY_* bits when the reason is ISOL_REASON_NOT_QUIET
 * @tick_dep:	out: ISOL_TICK_DEP_* bits seen while waiting
 * @quiesce_ns:	out: how long quiescing took
 * @skipped:	out: ISOL_SKIP_* bits, the quiescing steps left out
 * @noise:	out: ISOL_NOISE_* bits, what will still cause breaks
 * @strict_after_ns: in: strict mode only: for this long after the enable,
 *		breaks are recorded as in log-only mode; the first break after
 *		it sends the signal. A program's start-up (its loader's page
 *		faults, its setup syscalls) then runs isolated without ending
 *		isolation. 0: strict at once; at most ISOL_STRICT_AFTER_MAX_NS;
 *		must be 0 in log-only mode. Re-arming starts it again.
 * @tid:	in: ISOL_IOC_ENABLE_THREAD only: the thread to isolate, as the
 *		caller's pid namespace numbers it; must be 0 for ISOL_IOC_ENABLE
 * @pad:	zero
 * @reserved:	zero
 */
struct isol_enable {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__s32 signal;
	__u64 quiesce_timeout_ns;
	__s32 cpu;
	__u32 reason;
	__u32 busy;
	__u32 tick_dep;
	__u64 quiesce_ns;
	__u32 skipped;
	__u32 noise;
	__u64 strict_after_ns;
	__s32 tid;
	__u32 pad;
	__u64 reserved[1];
};

/* What broke isolation, in isol_break.cause. */
enum isol_cause {
	ISOL_CAUSE_NONE = 0,
	ISOL_CAUSE_SYSCALL,		/* detail: syscall number */
	ISOL_CAUSE_PAGE_FAULT,		/* detail: faulting user address */
	ISOL_CAUSE_EXCEPTION,		/* another exception; detail: its signal */
	ISOL_CAUSE_TIMER,		/* local timer interrupt (tick, hrtimer) */
	ISOL_CAUSE_IPI_CALL,		/* function-call IPI (incl. TLB flush) */
	ISOL_CAUSE_IPI_RESCHED,		/* reschedule IPI */
	ISOL_CAUSE_IPI_IRQ_WORK,	/* irq_work IPI */
	ISOL_CAUSE_IRQ,			/* device interrupt; detail: irq */
	ISOL_CAUSE_VECTOR,		/* other system vector; detail: vector */
	ISOL_CAUSE_PREEMPTED,		/* another task ran on the CPU */
	ISOL_CAUSE_AFFINITY,		/* affinity changed from outside */
	ISOL_CAUSE_MIGRATED,		/* the task left its CPU */
	ISOL_CAUSE_CPU_OFFLINE,		/* the CPU is going offline */
	ISOL_CAUSE_UNKNOWN,		/* a kernel entry with no known cause */
	ISOL_CAUSE_MAX
};

/* Room for causes to come; ISOL_CAUSE_MAX never exceeds it. */
#define ISOL_NR_CAUSES	32

/*
 * Self-inflicted causes are the task's own doing (its syscalls, faults and
 * exceptions); every other cause is stolen time: interrupts, IPIs, ticks,
 * preemption, moves.
 */
#define ISOL_CAUSE_IS_SELF(cause) \
	((cause) == ISOL_CAUSE_SYSCALL || (cause) == ISOL_CAUSE_PAGE_FAULT || \
	 (cause) == ISOL_CAUSE_EXCEPTION)

#define ISOL_COMM_LEN	16
#define ISOL_DESC_LEN	64
#define ISOL_SYM_LEN	64	/* a kernel symbol, "name+0xoff/0xsize" */
#define ISOL_STACK_DEPTH 16

/**
 * struct isol_break - one break of isolation
 * @time_ns:	CLOCK_MONOTONIC time of the break
 * @cause:	enum isol_cause
 * @cpu:	the isolated CPU
 * @pid:	the isolated task (thread id, in the reader's pid namespace)
 * @sender_cpu:	CPU that caused a remote break, -1 when local or unknown
 * @sender_pid:	task that caused a remote break, 0 when local or unknown
 * @pad:	zero
 * @detail:	cause-specific number, see enum isol_cause
 * @comm:	the isolated task's command name
 * @sender_comm: the sending task's command name, empty when unknown
 * @desc:	the cause in words, e.g. "syscall 1", "reschedule IPI from CPU 0"
 */
struct isol_break {
	__u64 time_ns;
	__u32 cause;
	__u32 cpu;
	__s32 pid;
	__s32 sender_cpu;
	__s32 sender_pid;
	__u32 pad;
	__u64 detail;
	char comm[ISOL_COMM_LEN];
	char sender_comm[ISOL_COMM_LEN];
	char desc[ISOL_DESC_LEN];
};

/* States, in isol_state.state. */
#define ISOL_STATE_OFF		0	/* never isolated through this file */
#define ISOL_STATE_ISOLATED	1
#define ISOL_STATE_ENDED	2	/* was isolated; see end_cause */

/* Why isolation ended, in isol_state.end_cause. */
enum isol_end {
	ISOL_END_NONE = 0,
	ISOL_END_DISABLED,	/* ISOL_IOC_DISABLE */
	ISOL_END_BREAK,		/* a break in strict mode */
	ISOL_END_EXEC,		/* execve() without ISOL_F_KEEP_ON_EXEC */
	ISOL_END_EXIT,		/* the task exited */
	ISOL_END_MIGRATED,	/* the task left its CPU */
	ISOL_END_SIGNAL,	/* strict mode: a signal with a handler was delivered */
};

/**
 * struct isol_state - the calling task's isolation (ISOL_IOC_GET_STATE)
 * @size:	in: sizeof(struct isol_state) as the caller knows it;
 *		out: the number of bytes the module filled in
 * @state:	ISOL_STATE_*
 * @mode:	ISOL_MODE_* of the last enable
 * @flags:	ISOL_F_* of the last enable
 * @signal:	signal of the last enable (resolved: never 0)
 * @cpu:	CPU of the last enable, -1 when never isolated
 * @end_cause:	enum isol_end when state is ISOL_STATE_ENDED
 * @noise:	ISOL_NOISE_* bits predicted at the last enable
 * @nr_breaks:	breaks since the last enable
 * @nr_by_cause: breaks since the last enable, indexed by enum isol_cause
 * @last_break:	the most recent break, cause ISOL_CAUSE_NONE when none
 * @strict_ns:	strict mode: CLOCK_MONOTONIC time from which a break ends
 *		isolation (the enable's time plus its strict_after_ns); 0 in
 *		log-only mode
 * @reserved:	zero
 * @pid:	in: 0 for the calling thread, or the thread id of a thread that
 *		armed isolation through this same open file (it may have exited
 *		since); ESRCH when there is no such thread
 * @pad2:	zero
 * @enabled_ns:	CLOCK_MONOTONIC time isolation was entered, 0 if never
 * @ended_ns:	CLOCK_MONOTONIC time it ended, 0 while isolated
 * @max_quiet_ns: the longest stretch the task ran in user space with no
 *		kernel entry, the one in progress included
 * @ns_by_cause: time spent in the kernel, from entry to the return to user
 *		space, indexed by enum isol_cause; allowed syscalls (exit,
 *		exec, disable) count under ISOL_CAUSE_NONE
 * @last_func:	what the last break ran or was sent: the IPI function, the
 *		timer callback, the interrupt handler or the syscall; empty
 *		when unknown
 *
 * Fields from @pid on were added after the first release: a caller with a
 * smaller @size simply does not get them.
 */
struct isol_state {
	__u32 size;
	__u32 state;
	__u32 mode;
	__u32 flags;
	__s32 signal;
	__s32 cpu;
	__u32 end_cause;
	__u32 noise;
	__u64 nr_breaks;
	__u64 nr_by_cause[ISOL_NR_CAUSES];
	struct isol_break last_break;
	__u64 strict_ns;
	__u64 reserved[3];
	__s32 pid;
	__u32 pad2;
	__u64 enabled_ns;
	__u64 ended_ns;
	__u64 max_quiet_ns;
	__u64 ns_by_cause[ISOL_NR_CAUSES];
	char last_func[ISOL_SYM_LEN];
};

/* Kinds of stream records, in isol_record.type. */
#define ISOL_REC_BREAK	1	/* a break, in @brk */
#define ISOL_REC_LOST	2	/* @nr_lost records were dropped before @seq */

/**
 * struct isol_record - one record of the monitor stream
 * @size:	sizeof(struct isol_record) as the module writes it
 * @type:	ISOL_REC_*
 * @seq:	position in the stream, counting from 1; every record, lost ones
 *		included, has its own, so gaps are visible
 * @nr_lost:	ISOL_REC_LOST: how many records the reader missed (the ring
 *		overwrote them before they were read)
 * @brk:	the break; pids are in the reader's pid namespace, 0 when not
 *		visible there
 * @func:	what the break ran or was sent, as in isol_state.last_func
 * @nr_stack:	entries used in @stack
 * @pad:	zero
 * @stack:	for a remote break, the sender's kernel stack when it sent,
 *		innermost frame first, as "symbol+0xoff/0xsize"; frames with no
 *		symbol read "?"
 *
 * Reading /dev/task_isolation needs CAP_SYS_ADMIN. Each open file has its
 * own position, starting with the first break after open(); read() returns
 * whole records only, blocks unless O_NONBLOCK, and poll() reports POLLIN
 * when a record is waiting. The module never blocks on a slow reader: it
 * overwrites the oldest record and the reader gets an ISOL_REC_LOST record
 * with the exact count.
 */
struct isol_record {
	__u32 size;
	__u32 type;
	__u64 seq;
	__u64 nr_lost;
	struct isol_break brk;
	char func[ISOL_SYM_LEN];
	__u32 nr_stack;
	__u32 pad;
	char stack[ISOL_STACK_DEPTH][ISOL_SYM_LEN];
};

/**
 * struct isol_status - the status page, read by the task with no syscall
 * @seq:	even when the page is stable, odd while the module updates it;
 *		read it before and after the other fields and retry when it
 *		was odd or changed
 * @state:	ISOL_STATE_* of the thread that last armed isolation through
 *		this open file
 * @cpu:	its CPU, -1 before the first enable
 * @pid:	its thread id, as it saw itself when it armed isolation
 * @nr_breaks:	breaks since that enable
 * @last_cause:	enum isol_cause of the most recent break
 * @end_cause:	enum isol_end once state is ISOL_STATE_ENDED
 * @last_break_ns: CLOCK_MONOTONIC time of the most recent break
 * @reserved:	zero
 *
 * mmap(NULL, ISOL_STATUS_SIZE, PROT_READ, MAP_SHARED, fd, 0) maps it; the
 * mapping is read-only and stays valid after close(). One page per open
 * file: threads that want their own page open the device each.
 */
struct isol_status {
	__u32 seq;
	__u32 state;
	__s32 cpu;
	__s32 pid;
	__u64 nr_breaks;
	__u32 last_cause;
	__u32 end_cause;
	__u64 last_break_ns;
	__u64 reserved[3];
};

#define ISOL_STATUS_SIZE	4096

/*
 * The size field of these numbers follows the structs as the caller's
 * header has them. The module matches commands on type, number and
 * direction only, and takes the size from the struct's own size field, so
 * a binary built against an older header keeps working.
 */
#define ISOL_IOC_MAGIC		0xB9

#define ISOL_IOC_GET_INFO	_IOWR(ISOL_IOC_MAGIC, 0x00, struct isol_info)
#define ISOL_IOC_ENABLE		_IOWR(ISOL_IOC_MAGIC, 0x01, struct isol_enable)
#define ISOL_IOC_DISABLE	_IO(ISOL_IOC_MAGIC, 0x02)
#define ISOL_IOC_GET_STATE	_IOWR(ISOL_IOC_MAGIC, 0x03, struct isol_state)
/*
 * Isolate another thread, isol_enable.tid, with the settings of the rest of
 * the struct: the thread arms itself through this open file at its next
 * return to user space, as if it had called ISOL_IOC_ENABLE (its affinity
 * must then be one nohz_full CPU, and it needs CAP_SYS_NICE). Its process,
 * or an ancestor, must have armed isolation through this same open file
 * before (ISOL_REASON_NOT_MEMBER otherwise), and the caller needs
 * CAP_SYS_NICE. Waits up to ISOL_ENABLE_THREAD_WAIT_NS for the thread and
 * returns its result; a thread that has not come back by then (asleep in a
 * system call) arms when it does, and the call fails with EINPROGRESS and
 * ISOL_REASON_PENDING.
 */
#define ISOL_IOC_ENABLE_THREAD	_IOWR(ISOL_IOC_MAGIC, 0x04, struct isol_enable)
#define ISOL_ENABLE_THREAD_WAIT_NS	1000000000ULL

#endif /* _UAPI_LINUX_TASK_ISOLATION_H */

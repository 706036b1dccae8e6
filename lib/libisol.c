// SPDX-License-Identifier: LGPL-2.1-or-later
/* libisol: thin, strict wrappers around the /dev/task_isolation ioctls. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "isol.h"

#define ISOL_API __attribute__((visibility("default")))

static int isol_ret(int ret)
{
	if (ret < 0)
		return -errno;
	return ret;
}

ISOL_API int isol_open(int keep_on_exec)
{
	return isol_ret(open(ISOL_DEVICE_PATH,
			     O_RDWR | (keep_on_exec ? 0 : O_CLOEXEC)));
}

ISOL_API int isol_get_info(int fd, struct isol_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return isol_ret(ioctl(fd, ISOL_IOC_GET_INFO, info));
}

/* ISOL_IOC_ENABLE (tid 0) or ISOL_IOC_ENABLE_THREAD. */
static int isol_enable_tid(int fd, int tid, const struct isol_opts *opts,
			   unsigned long long strict_after_ns,
			   struct isol_enable *result)
{
	struct isol_enable req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.mode = opts && opts->mode ? opts->mode : ISOL_MODE_STRICT;
	req.flags = opts ? opts->flags : 0;
	req.signal = opts ? opts->signal : 0;
	req.quiesce_timeout_ns = opts ? opts->quiesce_timeout_ns : 0;
	req.strict_after_ns = strict_after_ns;
	req.tid = tid;
	ret = isol_ret(ioctl(fd, tid ? ISOL_IOC_ENABLE_THREAD : ISOL_IOC_ENABLE,
			     &req));
	if (result)
		*result = req;
	if (ret < 0)
		errno = -ret;
	return ret;
}

ISOL_API int isol_enable_after(int fd, const struct isol_opts *opts,
			       unsigned long long strict_after_ns,
			       struct isol_enable *result)
{
	return isol_enable_tid(fd, 0, opts, strict_after_ns, result);
}

ISOL_API int isol_enable_thread(int fd, int tid, const struct isol_opts *opts,
				unsigned long long strict_after_ns,
				struct isol_enable *result)
{
	if (tid <= 0) {
		errno = EINVAL;
		return -EINVAL;
	}
	return isol_enable_tid(fd, tid, opts, strict_after_ns, result);
}

ISOL_API int isol_enable(int fd, const struct isol_opts *opts,
			 struct isol_enable *result)
{
	return isol_enable_after(fd, opts, 0, result);
}

ISOL_API int isol_disable(int fd)
{
	return isol_ret(ioctl(fd, ISOL_IOC_DISABLE, 0));
}

ISOL_API int isol_get_state(int fd, struct isol_state *state)
{
	memset(state, 0, sizeof(*state));
	state->size = sizeof(*state);
	return isol_ret(ioctl(fd, ISOL_IOC_GET_STATE, state));
}

ISOL_API int isol_get_state_of(int fd, int tid, struct isol_state *state)
{
	memset(state, 0, sizeof(*state));
	state->size = sizeof(*state);
	state->pid = tid;
	return isol_ret(ioctl(fd, ISOL_IOC_GET_STATE, state));
}

ISOL_API int isol_monitor_read(int fd, struct isol_record *recs,
			       unsigned int n)
{
	ssize_t len = read(fd, recs, (size_t)n * sizeof(*recs));

	if (len < 0)
		return -errno;
	return len / sizeof(*recs);
}

ISOL_API const struct isol_status *isol_status_map(int fd)
{
	void *page = mmap(NULL, ISOL_STATUS_SIZE, PROT_READ, MAP_SHARED, fd, 0);

	return page == MAP_FAILED ? NULL : page;
}

ISOL_API int isol_status_unmap(const struct isol_status *page)
{
	return isol_ret(munmap((void *)page, ISOL_STATUS_SIZE));
}

ISOL_API int isol_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		errno = EINVAL;
		return -EINVAL;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return isol_ret(sched_setaffinity(0, sizeof(set), &set));
}

struct isol_handle {
	int fd;
	const struct isol_status *status;
};

ISOL_API struct isol_handle *isol_enter(const struct isol_config *cfg,
					struct isol_enable *result)
{
	static const struct isol_config strict = { .cpu = -1 };
	struct isol_opts opts;
	struct isol_handle *h;
	struct isol_status snap;
	unsigned int tries;
	int ret;

	if (!cfg)
		cfg = &strict;
	if (result) {
		memset(result, 0, sizeof(*result));
		result->cpu = cfg->cpu;
	}
	if (cfg->reserved[0] || cfg->reserved[1] || cfg->reserved[2]) {
		ret = -EINVAL;
		if (result)
			result->reason = ISOL_REASON_BAD_ARGS;
		goto fail;
	}
	if (cfg->skip_prevent & ~ISOL_PREVENT_ALL) {
		ret = -EINVAL;
		if (result)
			result->reason = ISOL_REASON_BAD_ARGS;
		goto fail;
	}

	if (cfg->cpu >= 0) {
		ret = isol_pin(cfg->cpu);
		if (ret) {
			if (result)
				result->reason = ISOL_REASON_AFFINITY;
			goto fail;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		ret = -ENOMEM;
		goto fail;
	}
	h->fd = isol_open(!!(cfg->flags & ISOL_F_KEEP_ON_EXEC));
	if (h->fd < 0) {
		ret = h->fd;
		goto fail_free;
	}
	/* Touched now, so that reading it while isolated cannot fault. */
	h->status = isol_status_map(h->fd);
	if (h->status)
		isol_status_read(h->status, &snap);

	/*
	 * Once the device is there; best effort: the enable's noise bits say
	 * what is still open.
	 */
	if (!(cfg->skip_prevent & ISOL_PREVENT_MLOCK))
		mlockall(MCL_CURRENT | MCL_FUTURE);
	if (!(cfg->skip_prevent & ISOL_PREVENT_THP))
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	opts = (struct isol_opts){
		.mode = cfg->mode,
		.flags = cfg->flags,
		.signal = cfg->signal,
		.quiesce_timeout_ns = cfg->quiesce_timeout_ns,
	};
	tries = cfg->retries ? cfg->retries : ISOL_ENTER_RETRIES;
	do {
		ret = isol_enable_after(h->fd, &opts, cfg->strict_after_ns,
					result);
	} while (ret == -EAGAIN && --tries);
	if (ret)
		goto fail_close;
	return h;

fail_close:
	if (h->status)
		isol_status_unmap(h->status);
	close(h->fd);
fail_free:
	free(h);
fail:
	errno = -ret;
	return NULL;
}

ISOL_API int isol_exit(struct isol_handle *h, struct isol_state *final)
{
	int ret = isol_disable(h->fd);

	if (!ret && final)
		ret = isol_get_state(h->fd, final);
	if (h->status)
		isol_status_unmap(h->status);
	close(h->fd);
	free(h);
	if (ret)
		errno = -ret;
	return ret;
}

ISOL_API int isol_handle_fd(const struct isol_handle *h)
{
	return h->fd;
}

ISOL_API const struct isol_status *isol_handle_status(const struct isol_handle *h)
{
	return h->status;
}

ISOL_API int isol_last_break(const struct isol_handle *h, struct isol_break *brk,
			     char *func)
{
	struct isol_state st;
	int ret = isol_get_state(h->fd, &st);

	if (ret)
		return ret;
	*brk = st.last_break;
	if (func)
		memcpy(func, st.last_func, ISOL_SYM_LEN);
	return st.last_break.cause != ISOL_CAUSE_NONE;
}

/* Append the names of the set bits of @bits, comma-separated, to @buf. */
static char *isol_bits_str(unsigned int bits, const char *const *names,
			   unsigned int nr, char *buf, unsigned long size)
{
	unsigned long len = 0;
	unsigned int i;
	int n;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < 32 && len < size; i++) {
		if (!(bits & (1U << i)))
			continue;
		if (i < nr && names[i])
			n = snprintf(buf + len, size - len, "%s%s",
				     len ? ", " : "", names[i]);
		else
			n = snprintf(buf + len, size - len, "%sbit %u",
				     len ? ", " : "", i);
		if (n < 0)
			break;
		len += n;
	}
	return buf;
}

ISOL_API char *isol_busy_str(unsigned int busy, char *buf, unsigned long size)
{
	static const char *const names[] = {
		"tick dependency", "timer pending", "RCU work",
		"another task runnable", "vmstat work pending",
		"the task was off its CPU",
	};

	return isol_bits_str(busy, names, sizeof(names) / sizeof(names[0]),
			     buf, size);
}

ISOL_API const char *isol_noise_str(unsigned int bit, const char **fix)
{
	static const struct {
		unsigned int bit;
		const char *what, *fix;
	} noise[] = {
		{ ISOL_NOISE_UNLOCKED,
		  "memory not locked: page faults, and compaction moving pages "
		  "(TLB flush IPIs)",
		  "mlockall(MCL_CURRENT | MCL_FUTURE) in the program before it "
		  "isolates (libisol's isol_enter() does), and "
		  "vm.compact_unevictable_allowed=0" },
		{ ISOL_NOISE_THP,
		  "transparent huge pages possible: khugepaged collapsing pages "
		  "(TLB flush IPIs)",
		  "prctl(PR_SET_THP_DISABLE) (isolctl run and isol_enter() do), "
		  "or transparent_hugepage=never" },
		{ ISOL_NOISE_THREADS,
		  "other threads share the memory: their munmap() and mprotect() "
		  "flush this CPU's TLB",
		  "map and unmap in those threads before isolating, not while" },
		{ ISOL_NOISE_RLIMIT_CPU,
		  "a finite RLIMIT_CPU: the CPU-time limit needs the tick",
		  "ulimit -t unlimited" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(noise) / sizeof(noise[0]); i++) {
		if (noise[i].bit == bit) {
			if (fix)
				*fix = noise[i].fix;
			return noise[i].what;
		}
	}
	return NULL;
}

ISOL_API char *isol_tick_dep_str(unsigned int tick_dep, char *buf,
				 unsigned long size)
{
	static const char *const names[] = {
		"posix timer", "perf events", "sched", "clock unstable",
		"rcu", "rcu expedited",
	};

	return isol_bits_str(tick_dep, names, sizeof(names) / sizeof(names[0]),
			     buf, size);
}

ISOL_API char *isol_enable_strerror(int err, const struct isol_enable *res,
				    char *buf, unsigned long size)
{
	unsigned int reason = res ? res->reason : ISOL_REASON_NONE;
	int cpu = res ? res->cpu : -1;
	char busy[128], dep[128];

	if (!size)
		return buf;
	if (err > 0)
		err = -err;
	switch (reason) {
	case ISOL_REASON_AFFINITY:
		snprintf(buf, size, "the thread's affinity is not exactly one CPU");
		break;
	case ISOL_REASON_NOT_NOHZ_FULL:
		snprintf(buf, size, "CPU %d is not nohz_full", cpu);
		break;
	case ISOL_REASON_CPU_BUSY:
		snprintf(buf, size, "another task is isolated on CPU %d", cpu);
		break;
	case ISOL_REASON_NOT_QUIET:
		isol_busy_str(res->busy, busy, sizeof(busy));
		if (res->busy & ISOL_BUSY_TICK_DEP)
			snprintf(buf, size,
				 "CPU %d did not become quiet in time: %s (%s)",
				 cpu, busy,
				 isol_tick_dep_str(res->tick_dep, dep, sizeof(dep)));
		else
			snprintf(buf, size,
				 "CPU %d did not become quiet in time: %s",
				 cpu, busy[0] ? busy : "no cause named");
		break;
	case ISOL_REASON_NONE:
		if (err == -ENOENT)
			snprintf(buf, size, "%s does not exist (module not loaded)",
				 ISOL_DEVICE_PATH);
		else if (err == -EACCES)
			snprintf(buf, size, "%s: permission denied",
				 ISOL_DEVICE_PATH);
		else
			snprintf(buf, size, "%s", strerror(-err));
		break;
	default:
		snprintf(buf, size, "%s", isol_reason_str(reason));
		break;
	}
	return buf;
}

#define NAME(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

ISOL_API const char *isol_reason_str(unsigned int reason)
{
	static const char *const names[] = {
		[ISOL_REASON_NONE] = "none",
		[ISOL_REASON_BAD_ARGS] = "invalid argument",
		[ISOL_REASON_BAD_SIGNAL] = "invalid signal",
		[ISOL_REASON_AFFINITY] = "affinity is not exactly one CPU",
		[ISOL_REASON_NOT_NOHZ_FULL] = "CPU is not nohz_full",
		[ISOL_REASON_CPU_BUSY] = "another task is isolated on the CPU",
		[ISOL_REASON_OTHER_FILE] = "already isolated through another open file",
		[ISOL_REASON_PERMISSION] = "needs CAP_SYS_NICE",
		[ISOL_REASON_NOT_QUIET] = "CPU did not become quiet in time",
		[ISOL_REASON_INTERRUPTED] = "interrupted by a signal",
		[ISOL_REASON_NO_MEMORY] = "out of memory",
		[ISOL_REASON_HOOKS] = "kernel hooks could not be armed",
		[ISOL_REASON_NO_THREAD] = "no such thread, or it is exiting",
		[ISOL_REASON_NOT_MEMBER] = "the thread's program was not isolated through this file",
		[ISOL_REASON_PENDING] = "the thread arms when it next returns to user space",
	};

	return NAME(names, reason);
}

ISOL_API const char *isol_cause_str(unsigned int cause)
{
	static const char *const names[] = {
		[ISOL_CAUSE_NONE] = "none",
		[ISOL_CAUSE_SYSCALL] = "syscall",
		[ISOL_CAUSE_PAGE_FAULT] = "page fault",
		[ISOL_CAUSE_EXCEPTION] = "exception",
		[ISOL_CAUSE_TIMER] = "timer interrupt",
		[ISOL_CAUSE_IPI_CALL] = "function call IPI",
		[ISOL_CAUSE_IPI_RESCHED] = "reschedule IPI",
		[ISOL_CAUSE_IPI_IRQ_WORK] = "irq_work IPI",
		[ISOL_CAUSE_IRQ] = "device interrupt",
		[ISOL_CAUSE_VECTOR] = "system vector",
		[ISOL_CAUSE_PREEMPTED] = "preempted",
		[ISOL_CAUSE_AFFINITY] = "affinity changed",
		[ISOL_CAUSE_MIGRATED] = "migrated",
		[ISOL_CAUSE_CPU_OFFLINE] = "CPU offline",
		[ISOL_CAUSE_UNKNOWN] = "unknown",
	};

	return NAME(names, cause);
}

ISOL_API const char *isol_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		[ISOL_CAUSE_NONE] = "none",
		[ISOL_CAUSE_SYSCALL] = "syscall",
		[ISOL_CAUSE_PAGE_FAULT] = "page_fault",
		[ISOL_CAUSE_EXCEPTION] = "exception",
		[ISOL_CAUSE_TIMER] = "timer",
		[ISOL_CAUSE_IPI_CALL] = "ipi_call",
		[ISOL_CAUSE_IPI_RESCHED] = "ipi_resched",
		[ISOL_CAUSE_IPI_IRQ_WORK] = "ipi_irq_work",
		[ISOL_CAUSE_IRQ] = "irq",
		[ISOL_CAUSE_VECTOR] = "vector",
		[ISOL_CAUSE_PREEMPTED] = "preempted",
		[ISOL_CAUSE_AFFINITY] = "affinity",
		[ISOL_CAUSE_MIGRATED] = "migrated",
		[ISOL_CAUSE_CPU_OFFLINE] = "cpu_offline",
		[ISOL_CAUSE_UNKNOWN] = "unknown",
	};

	return NAME(names, cause);
}

ISOL_API const char *isol_end_str(unsigned int end_cause)
{
	static const char *const names[] = {
		[ISOL_END_NONE] = "none",
		[ISOL_END_DISABLED] = "disabled",
		[ISOL_END_BREAK] = "break",
		[ISOL_END_EXEC] = "exec",
		[ISOL_END_EXIT] = "exit",
		[ISOL_END_MIGRATED] = "migrated",
		[ISOL_END_SIGNAL] = "signal",
	};

	return NAME(names, end_cause);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/* libisol: thin, strict wrappers around the /dev/task_isolation ioctls. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

ISOL_API int isol_enable(int fd, const struct isol_opts *opts,
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
	ret = isol_ret(ioctl(fd, ISOL_IOC_ENABLE, &req));
	if (result)
		*result = req;
	if (ret < 0)
		errno = -ret;
	return ret;
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
	};

	return NAME(names, end_cause);
}

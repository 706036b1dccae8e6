// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libisol-prctl: an LD_PRELOAD shim that runs programs written for the
 * task-isolation patch series' prctl() ABI on a stock kernel, by turning
 * PR_SET_TASK_ISOLATION and PR_GET_TASK_ISOLATION into /dev/task_isolation
 * ioctls. Every other prctl() option goes to the kernel untouched.
 *
 * Flags of PR_SET_TASK_ISOLATION:
 *   0					isolation off (0 even when not isolated)
 *   ENABLE				strict mode, SIGKILL
 *   ENABLE | USERSIG			log-only mode: no signal is sent
 *   ENABLE | USERSIG | SET_SIG(n)	strict mode, signal n
 *   ENABLE | SET_SIG(n)		strict mode, signal n, as with USERSIG
 * USERSIG or SET_SIG() without ENABLE, unknown bits and signals outside
 * 1.._NSIG-1 fail with EINVAL. PR_GET_TASK_ISOLATION returns the first
 * form above that gives the current mode and signal, so a strict SIGKILL
 * set as ENABLE | SET_SIG(SIGKILL) reads back as ENABLE. Errors are the
 * module's errno (EAGAIN: retry), or open()'s when the device is missing.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "isol-prctl.h"

#define PR_TASK_ISOLATION_ALL \
	(PR_TASK_ISOLATION_ENABLE | PR_TASK_ISOLATION_USERSIG | \
	 PR_TASK_ISOLATION_SET_SIG(0x7f))

int isol_prctl_to_opts(unsigned long flags, struct isol_opts *opts)
{
	int sig = PR_TASK_ISOLATION_GET_SIG(flags);

	if ((flags & ~(unsigned long)PR_TASK_ISOLATION_ALL) ||
	    !(flags & PR_TASK_ISOLATION_ENABLE) || sig >= _NSIG)
		return -EINVAL;

	*opts = (struct isol_opts){ .mode = ISOL_MODE_STRICT, .signal = sig };
	/* USERSIG asks for a signal instead of SIGKILL; naming none means log only. */
	if ((flags & PR_TASK_ISOLATION_USERSIG) && !sig)
		opts->mode = ISOL_MODE_LOG_ONLY;
	return 0;
}

unsigned long isol_state_to_prctl(const struct isol_state *st)
{
	if (st->state != ISOL_STATE_ISOLATED)
		return 0;
	if (st->mode == ISOL_MODE_LOG_ONLY)
		return PR_TASK_ISOLATION_ENABLE | PR_TASK_ISOLATION_USERSIG;
	/* The module resolves signal 0 to SIGKILL; plain ENABLE means that. */
	if (st->signal == SIGKILL || !st->signal)
		return PR_TASK_ISOLATION_ENABLE;
	return PR_TASK_ISOLATION_ENABLE | PR_TASK_ISOLATION_USERSIG |
	       PR_TASK_ISOLATION_SET_SIG(st->signal);
}

static atomic_int shim_fd = -1;

/*
 * The device is opened on first use, not in a constructor, so programs
 * that never isolate never touch it. A failed open is not remembered: the
 * module may be loaded after the program started. Racing threads may both
 * open; the loser closes its descriptor and uses the winner's. A fork()ed
 * child shares the descriptor, which is fine as the module keys isolation
 * by thread.
 */
static int shim_get_fd(void)
{
	int fd = atomic_load(&shim_fd);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = isol_open(0);
	if (fd < 0)
		return fd;
	if (!atomic_compare_exchange_strong(&shim_fd, &expected, fd)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

/* prctl() reports failure as -1 with errno, not as a negative errno. */
static int shim_ret(int ret)
{
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

static int shim_set(unsigned long flags)
{
	struct isol_opts opts;
	int fd, ret;

	/* Bad flags fail before the device is opened. */
	if (flags) {
		ret = isol_prctl_to_opts(flags, &opts);
		if (ret)
			return shim_ret(ret);
	}
	fd = shim_get_fd();
	if (fd < 0)
		return shim_ret(fd);
	if (!flags)
		return shim_ret(isol_disable(fd));
	return shim_ret(isol_enable(fd, &opts, NULL));
}

static int shim_get(void)
{
	struct isol_state st;
	int fd, ret;

	fd = shim_get_fd();
	if (fd < 0)
		return shim_ret(fd);
	ret = isol_get_state(fd, &st);
	if (ret)
		return shim_ret(ret);
	return isol_state_to_prctl(&st);
}

/*
 * Callers may pass only the arguments their option uses. Like glibc's own
 * prctl(), read four regardless: the calling convention makes the missing
 * ones leftover register or stack values, which the kernel, and so this
 * shim, then sees just as it would without the shim.
 */
__attribute__((visibility("default"))) int prctl(int option, ...)
{
	unsigned long arg2, arg3, arg4, arg5;
	va_list ap;

	va_start(ap, option);
	arg2 = va_arg(ap, unsigned long);
	arg3 = va_arg(ap, unsigned long);
	arg4 = va_arg(ap, unsigned long);
	arg5 = va_arg(ap, unsigned long);
	va_end(ap);

	switch (option) {
	case PR_SET_TASK_ISOLATION:
		if (arg3 || arg4 || arg5)
			return shim_ret(-EINVAL);
		return shim_set(arg2);
	case PR_GET_TASK_ISOLATION:
		if (arg2 || arg3 || arg4 || arg5)
			return shim_ret(-EINVAL);
		return shim_get();
	default:
		return syscall(SYS_prctl, option, arg2, arg3, arg4, arg5);
	}
}

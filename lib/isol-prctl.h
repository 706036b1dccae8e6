/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The prctl ABI of the task-isolation patch series, and its translation to
 * the /dev/task_isolation ioctls. libisol-prctl.so implements prctl() on
 * top of these; they do no I/O so they can be tested on any host.
 */
#ifndef ISOL_PRCTL_H
#define ISOL_PRCTL_H

#include "isol.h"

/* Unused upstream; a kernel with the patch series may define them. */
#ifndef PR_SET_TASK_ISOLATION
#define PR_SET_TASK_ISOLATION		48
#define PR_GET_TASK_ISOLATION		49
#define PR_TASK_ISOLATION_ENABLE	(1 << 0)
#define PR_TASK_ISOLATION_USERSIG	(1 << 1)
#define PR_TASK_ISOLATION_SET_SIG(sig)	(((sig) & 0x7f) << 8)
#define PR_TASK_ISOLATION_GET_SIG(bits)	(((bits) >> 8) & 0x7f)
#endif

#define ISOL_PRCTL_HIDDEN __attribute__((visibility("hidden")))

/*
 * Translate the flags of an enabling PR_SET_TASK_ISOLATION into isol_enable
 * options. Returns 0 and fills @opts, or -EINVAL (leaving @opts alone) for
 * flags without PR_TASK_ISOLATION_ENABLE, unknown bits or a signal outside
 * 1.._NSIG-1. Turning isolation off (flags 0) is no translation: the
 * caller handles it.
 */
ISOL_PRCTL_HIDDEN int isol_prctl_to_opts(unsigned long flags, struct isol_opts *opts);

/*
 * The PR_GET_TASK_ISOLATION flags for @st: 0 unless isolated, otherwise
 * the canonical flags that isol_prctl_to_opts() maps back to the same mode
 * and signal.
 */
ISOL_PRCTL_HIDDEN unsigned long isol_state_to_prctl(const struct isol_state *st);

#endif /* ISOL_PRCTL_H */

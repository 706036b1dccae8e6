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
int isol_disable(int fd);
int isol_get_state(int fd, struct isol_state *state);

/* Pin the calling thread to @cpu. */
int isol_pin(int cpu);

const char *isol_reason_str(unsigned int reason);
const char *isol_cause_str(unsigned int cause);
const char *isol_end_str(unsigned int end_cause);

#ifdef __cplusplus
}
#endif

#endif /* ISOL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* isolctl run: what a run found, and its report in text and JSON. */
#ifndef ISOLCTL_REPORT_H
#define ISOLCTL_REPORT_H

#include "isolctl.h"
#include "json.h"

/* Stolen breaks from one source: cause, sender and what was run. */
struct attribution {
	unsigned int cause;
	int sender_cpu;			/* -1 when local or unknown */
	char sender_comm[ISOL_COMM_LEN + 1];
	char func[ISOL_SYM_LEN + 1];
	uint64_t count;
};

#define MAX_ATTRIBUTIONS 32
#define MAX_THREAD_ATTRIBUTIONS 8
#define MAX_THREADS 64

/*
 * Another thread of the command (or of a process it started) that isolated
 * itself, through its own open file (libisol's isol_enter() from each
 * worker): seen in the per-CPU statistics and the break stream.
 */
struct thread_report {
	int tid;
	char comm[ISOL_COMM_LEN + 1];
	int cpu;
	struct cpu_record rec;		/* its CPU's statistics, at the end */
	bool have_rec;			/* rec still describes this thread */
	struct attribution attr[MAX_THREAD_ATTRIBUTIONS];
	int nr_attr;
	uint64_t other_stolen;
	bool armed_by_run;		/* its last isolation was isolctl's */
};

/*
 * A thread of the command that isolctl run armed, or tried to arm, when it
 * came to run alone pinned to one nohz_full CPU (ISOL_IOC_ENABLE_THREAD).
 */
enum arm_state {
	ARM_TRYING,			/* ask (again) at the next poll */
	ARM_PENDING,			/* asked; arms at its next return */
	ARM_ISOLATED,			/* isolated on cpu */
	ARM_ENDED,			/* was isolated on cpu: left alone there */
	ARM_FAILED,			/* gave up on cpu: err and res say why */
};

struct thread_arm {
	int tid;
	int cpu;			/* the CPU it is pinned to */
	enum arm_state state;
	int tries;
	int polls;			/* polls since pending */
	int held_by;			/* pid isolated on cpu, not this thread */
	char held_by_comm[ISOL_COMM_LEN + 1];
	bool seen;			/* in the last poll */
	int err;			/* positive errno of the last try */
	struct isol_enable res;		/* ... and the module's reply */
	char comm[ISOL_COMM_LEN + 1];
};

/* What isolctl run asks ISOL_IOC_ENABLE_THREAD for, and whether it may. */
struct arm_ctl {
	bool enabled;			/* else --no-threads, or an older module */
	bool verbose;			/* say each request's outcome */
	int fd;				/* the run's open file */
	struct isol_opts opts;
	uint64_t strict_after_ns;
	const struct cpuset *nohz;
};

struct run_report {
	char *const *argv;		/* the command */
	int cpu;
	unsigned int mode;		/* ISOL_MODE_* */
	int signal;			/* strict mode */
	uint64_t strict_after_ns;	/* strict mode: log-only start-up */
	int pid;
	int wstatus;			/* as waitpid() gave it */
	uint64_t runtime_ns;		/* fork to exit, wall clock */
	bool have_state;		/* GET_STATE answered */
	bool timing;			/* ISOL_FEAT_TIMING: the _ns fields hold */
	struct isol_state st;
	bool monitored;			/* attribution from the break stream */
	const char *no_monitor_why;	/* why not, when not */
	struct attribution attr[MAX_ATTRIBUTIONS];
	int nr_attr;
	uint64_t other_stolen;		/* stolen records past MAX_ATTRIBUTIONS */
	uint64_t records_lost;
	int fair_server_cpu;		/* -1 when left alone */
	char fair_server_was[32];
	struct thread_report threads[MAX_THREADS];
	int nr_threads;
	int not_threads[MAX_THREADS];	/* tids seen, not the command's */
	int nr_not_threads;
	const char *no_arm_why;		/* why threads are not armed */
	struct thread_arm arms[MAX_THREADS];
	int nr_arms;
};

/* The exit status of isolctl run for a command's wait status. */
int run_exit_code(int wstatus);
/* Count a stolen break record into the report's attribution table. */
void report_attribute(struct run_report *r, const struct isol_break *b,
		      const char *func);
/*
 * The report's section for thread @tid on @cpu, added when the thread
 * belongs to the command (its process, or one the command started);
 * NULL when it does not, or there is no room.
 */
struct thread_report *report_thread(struct run_report *r, int tid, int cpu);
/*
 * Arm every thread of the command (and of the processes it started) that
 * runs alone pinned to one nohz_full CPU and is not isolated yet: one pass,
 * made at each poll of the run.
 */
void arm_threads(struct run_report *r, const struct arm_ctl *ac);
void report_text(const struct run_report *r, FILE *f);
void report_json(const struct run_report *r, FILE *f);

#endif /* ISOLCTL_REPORT_H */

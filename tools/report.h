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
};

/* The exit status of isolctl run for a command's wait status. */
int run_exit_code(int wstatus);
/* Count a stolen break record into the report's attribution table. */
void report_attribute(struct run_report *r, const struct isol_break *b,
		      const char *func);
void report_text(const struct run_report *r, FILE *f);
void report_json(const struct run_report *r, FILE *f);

#endif /* ISOLCTL_REPORT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* isolctl: what the subcommands share. */
#ifndef ISOLCTL_H
#define ISOLCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "isol.h"

/*
 * Exit codes. run passes the command's own status through, so its own
 * failures use the codes env(1) and timeout(1) use; the other subcommands
 * follow rtla: 0 clean, 1 error, 2 usage, and check adds 3 and 4.
 */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* isolctl could not do its job */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_CHECK_WARN = 3,	/* check: warnings, no failures */
	EXIT_CHECK_FAIL = 4,	/* check: at least one check failed */
	EXIT_RUN_FAILED = 125,	/* run: isolctl failed before CMD ran */
	EXIT_RUN_NOEXEC = 126,	/* run: CMD found but could not be executed */
	EXIT_RUN_NOTFOUND = 127, /* run: CMD not found */
	EXIT_RUN_SIGNAL = 128,	/* run: + N when CMD was killed by signal N */
};

/* CPU sets as the kernel's cpulist files write them. */
#define MAX_CPUS	4096

struct cpuset {
	uint64_t bits[MAX_CPUS / 64];
};

static inline void cpuset_set(struct cpuset *s, unsigned int cpu)
{
	s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline bool cpuset_has(const struct cpuset *s, unsigned int cpu)
{
	return cpu < MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

void cpuset_clear(struct cpuset *s);
unsigned int cpuset_count(const struct cpuset *s);
bool cpuset_empty(const struct cpuset *s);
int cpuset_first(const struct cpuset *s);	/* -1 when empty */
int cpuset_next(const struct cpuset *s, int cpu); /* -1 after the last */
bool cpuset_subset(const struct cpuset *a, const struct cpuset *b);
void cpuset_and(struct cpuset *d, const struct cpuset *a, const struct cpuset *b);
void cpuset_andnot(struct cpuset *d, const struct cpuset *a, const struct cpuset *b);
#define for_each_cpu(c, s) \
	for ((c) = cpuset_first(s); (c) >= 0; (c) = cpuset_next(s, c))

/*
 * Parse a cpulist ("0-2,5"); an empty string is the empty set. Returns 0,
 * or -1 with a message naming the fault in @err.
 */
int cpulist_parse(const char *str, struct cpuset *s, char *err, size_t errlen);
/* Parse a hex cpumask ("f" or "ffffffff,0000000f"), as cpumask files have. */
int cpumask_parse(const char *str, struct cpuset *s, char *err, size_t errlen);
/* Format as a cpulist; "" for the empty set. Returns @buf. */
char *cpulist_format(const struct cpuset *s, char *buf, size_t len);

/* Strict parsers of option values: 0, or -1 with a message in @err. */
int parse_signal(const char *str, int *sig, char *err, size_t errlen);
int parse_duration_ns(const char *str, uint64_t *ns, char *err, size_t errlen);
int parse_uint(const char *str, unsigned long *val, char *err, size_t errlen);
/* "SIGUSR1" for 10; "SIG34" style for those without a name. */
const char *signal_name(int sig, char *buf, size_t len);
/* "3.012 s", "41.2 us": a duration a person reads at a glance. */
char *format_ns(uint64_t ns, char *buf, size_t len);

/*
 * Paths. ISOLCTL_SYSFS_ROOT and ISOLCTL_PROC_ROOT put /sys and /proc
 * elsewhere, so that check and status can be tested on fabricated trees.
 */
const char *sys_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *proc_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whole file into @buf, trailing newline cut. Returns length or -errno. */
int read_text(const char *path, char *buf, size_t len);
int read_u64(const char *path, uint64_t *val);
int read_cpulist(const char *path, struct cpuset *s);
int write_text(const char *path, const char *text);

/* The system's CPU sets, read once. */
struct cpu_info {
	struct cpuset possible, online, nohz_full, isolated, housekeeping;
	bool has_nohz_full_file;	/* CONFIG_NO_HZ_FULL */
	char nohz_full_str[256];
};
void cpu_info_read(struct cpu_info *ci);

/* Messages: "isolctl: ..." on stderr. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "isolctl SUB: ...; try 'isolctl SUB --help'" and return EXIT_USAGE. */
int usage_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The options of a subcommand that takes only --json and --help. Returns
 * -1 to go on, or the exit status (help shown, bad usage).
 */
int parse_json_help(int argc, char **argv, const char *sub,
		    void (*usage)(void), bool *json);

/*
 * Make sure the device is there. When it is not and the caller is root,
 * load the module through libkmod as modprobe would; otherwise say what to
 * do. Returns 0, or -1 after printing why.
 */
int ensure_device(bool quiet);
void device_open_failed(int err);
/* Whether the module is loaded, and its version (sysfs). */
bool module_loaded(char *version, size_t len, char *state, size_t slen);

/* Per nohz_full CPU records of the module (/sys/class/misc/task_isolation). */
struct cpu_record {
	bool present;			/* the cpuN directory exists */
	char state[32];			/* isolated, ended <cause>, free */
	char end[32];
	int pid;			/* 0 when no task */
	char comm[32];
	uint64_t since_ns;
	uint64_t ended_ns;		/* 0 while isolated (or an older module) */
	uint64_t max_quiet_ns;		/* 0 from an older module */
	__u64 breaks[ISOL_NR_CAUSES];
	__u64 time_ns[ISOL_NR_CAUSES];
	uint64_t nr_breaks;
};
void cpu_record_read(int cpu, struct cpu_record *r);
/* Index of a cause by its one-word name; -1 when unknown. */
int cause_by_name(const char *name);

/* Checks of the host, shared by check (all rows) and status (warnings). */
enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };

struct check_row {
	const char *id;
	enum check_status status;
	char detail[512];
	const char *why;
	char fix[512];
	char fix_cmd[512];		/* applies the fix now; "" if it needs a reboot */
};

/* Run every check into @rows (at most @max); returns the number of rows. */
int checks_run(const struct cpu_info *ci, struct check_row *rows, int max);
const char *check_status_str(enum check_status s);

/* Subcommands. */
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_tune(int argc, char **argv);

/* The break record of a monitor or status line, in text. */
void break_describe(const struct isol_break *b, const char *func, char *buf,
		    size_t len);

#endif /* ISOLCTL_H */

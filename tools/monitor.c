// SPDX-License-Identifier: GPL-2.0
/* isolctl monitor: stream break records as the module writes them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "isolctl.h"
#include "json.h"

struct monitor_ctl {
	struct cpuset cpus;		/* empty: all */
	bool cpus_given;
	int pid;			/* 0: all */
	bool stolen_only;		/* only what the program did not cause */
	bool json;
	unsigned long count;		/* stop after this many breaks; 0: never */
	uint64_t duration_ns;		/* stop after this long; 0: never */
	/* Counters. */
	unsigned long shown;
	uint64_t lost;
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	printf("Usage:\n"
	       " isolctl monitor [options]\n\n"
	       "Print each break of isolation as it happens, one line each, with the\n"
	       "cause and who caused it, until interrupted. Needs CAP_SYS_ADMIN.\n\n"
	       "Options:\n"
	       " -c, --cpus <list>       only breaks on these CPUs (e.g. 1-3,5)\n"
	       " -p, --pid <pid>         only breaks of this thread\n"
	       "     --stolen            only breaks the program did not cause itself\n"
	       "                         (not its syscalls, page faults, exceptions)\n"
	       " -n, --count <n>         stop after <n> breaks\n"
	       " -d, --duration <dur>    stop after <dur> (e.g. 10s, 500ms)\n"
	       "     --json              one JSON object per line\n"
	       " -h, --help              display this help\n\n"
	       "Dropped records (the reader was too slow) are reported in the stream:\n"
	       "a '-- N records dropped --' line, or {\"type\":\"lost\",...}.\n\n"
	       "Exit status: 0 stopped (interrupt, count or duration), 1 error,\n"
	       "2 bad usage.\n\n"
	       "Examples:\n"
	       " isolctl monitor -c 2\n"
	       " isolctl monitor --json -d 60s > breaks.jsonl\n");
}

static void print_text(const struct isol_record *rec)
{
	const struct isol_break *b = &rec->brk;
	char desc[256];

	break_describe(b, rec->func, desc, sizeof(desc));
	printf("%llu.%06llu cpu %u %.*s[%d] %s %s: %s\n",
	       (unsigned long long)(b->time_ns / 1000000000ULL),
	       (unsigned long long)(b->time_ns % 1000000000ULL / 1000), b->cpu,
	       ISOL_COMM_LEN, b->comm, b->pid, isol_cause_name(b->cause),
	       ISOL_CAUSE_IS_SELF(b->cause) ? "self" : "stolen", desc);
}

static void print_json(const struct isol_record *rec)
{
	const struct isol_break *b = &rec->brk;
	struct json j;
	unsigned int i;

	json_init(&j, stdout, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "type", "break");
	json_u64(&j, "seq", rec->seq);
	json_u64(&j, "time_ns", b->time_ns);
	json_u64(&j, "cpu", b->cpu);
	json_i64(&j, "pid", b->pid);
	json_strn(&j, "comm", b->comm, ISOL_COMM_LEN);
	json_str(&j, "cause", isol_cause_name(b->cause));
	json_bool(&j, "self", ISOL_CAUSE_IS_SELF(b->cause));
	json_u64(&j, "detail", b->detail);
	json_strn(&j, "desc", b->desc, ISOL_DESC_LEN);
	if (b->sender_cpu >= 0)
		json_i64(&j, "sender_cpu", b->sender_cpu);
	else
		json_null(&j, "sender_cpu");
	if (b->sender_pid > 0) {
		json_i64(&j, "sender_pid", b->sender_pid);
		json_strn(&j, "sender_comm", b->sender_comm, ISOL_COMM_LEN);
	} else {
		json_null(&j, "sender_pid");
		json_null(&j, "sender_comm");
	}
	if (rec->func[0])
		json_strn(&j, "func", rec->func, ISOL_SYM_LEN);
	else
		json_null(&j, "func");
	json_arr_begin(&j, "stack");
	for (i = 0; i < rec->nr_stack && i < ISOL_STACK_DEPTH; i++)
		json_strn(&j, NULL, rec->stack[i], ISOL_SYM_LEN);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void print_lost(const struct monitor_ctl *ctl, const struct isol_record *rec)
{
	struct json j;

	if (!ctl->json) {
		printf("-- %llu records dropped (the reader was too slow) --\n",
		       (unsigned long long)rec->nr_lost);
		fflush(stdout);
		return;
	}
	json_init(&j, stdout, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "type", "lost");
	json_u64(&j, "seq", rec->seq);
	json_u64(&j, "nr_lost", rec->nr_lost);
	json_obj_end(&j);
	json_end(&j);
}

static int parse_options(struct monitor_ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "stolen", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char err[256];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:p:n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cpulist_parse(optarg, &ctl->cpus, err, sizeof(err)))
				return usage_error("monitor", "%s", err);
			if (cpuset_empty(&ctl->cpus))
				return usage_error("monitor", "empty CPU list");
			ctl->cpus_given = true;
			break;
		case 'p':
			if (parse_uint(optarg, &v, err, sizeof(err)) || !v || v > INT32_MAX)
				return usage_error("monitor", "invalid pid '%s'", optarg);
			ctl->pid = v;
			break;
		case 'n':
			if (parse_uint(optarg, &ctl->count, err, sizeof(err)) || !ctl->count)
				return usage_error("monitor", "invalid count '%s': expected "
						   "a number above 0", optarg);
			break;
		case 'd':
			if (parse_duration_ns(optarg, &ctl->duration_ns, err, sizeof(err)))
				return usage_error("monitor", "%s", err);
			break;
		case 'j':
			ctl->json = true;
			break;
		case 's':
			ctl->stolen_only = true;
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case ':':
			return usage_error("monitor", "option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("monitor", "unrecognized option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("monitor", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Every CPU asked for must be one a task can be isolated on. */
static int check_cpus(const struct monitor_ctl *ctl, const struct cpu_info *ci)
{
	struct cpuset bad;
	char list[256];

	if (!ctl->cpus_given)
		return 0;
	cpuset_andnot(&bad, &ctl->cpus, &ci->nohz_full);
	if (cpuset_empty(&bad))
		return 0;
	msg("cpu %s %s not in nohz_full (nohz_full=%s): no task is isolated there",
	    cpulist_format(&bad, list, sizeof(list)),
	    cpuset_count(&bad) == 1 ? "is" : "are",
	    ci->nohz_full_str[0] ? ci->nohz_full_str : "none");
	return -1;
}

static int remaining_ms(uint64_t end)
{
	struct timespec ts;
	uint64_t now;

	if (!end)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return now >= end ? 0 : (int)((end - now + 999999) / 1000000);
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_ctl ctl = { 0 };
	struct sigaction sa = { .sa_handler = on_stop };
	struct isol_record recs[16];
	struct isol_info info;
	struct pollfd pfd;
	struct cpu_info ci;
	char list[256];
	uint64_t end = 0;
	int fd, n, i, ret, ms;
	bool last;

	ret = parse_options(&ctl, argc, argv);
	if (ret)
		return ret;
	cpu_info_read(&ci);
	if (check_cpus(&ctl, &ci) || ensure_device(false))
		return EXIT_ERROR;
	fd = open(ISOL_DEVICE_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		device_open_failed(errno);
		return EXIT_ERROR;
	}
	if (isol_get_info(fd, &info) == 0 && !(info.features & ISOL_FEAT_MONITOR)) {
		msg("the loaded task_isolation module has no break stream "
		    "(no monitor feature): update the module");
		return EXIT_ERROR;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (ctl.duration_ns) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		end = ts.tv_sec * 1000000000ULL + ts.tv_nsec + ctl.duration_ns;
	}
	fprintf(stderr, "isolctl: monitoring breaks on cpus %s%s%s (Ctrl-C to stop)\n",
		ctl.cpus_given ? cpulist_format(&ctl.cpus, list, sizeof(list)) :
		ci.nohz_full_str, ctl.pid ? " of pid " : "",
		ctl.pid ? (snprintf(list, sizeof(list), "%d", ctl.pid), list) : "");

	/*
	 * On Ctrl-C or at the end of the duration, what the stream already
	 * holds is still shown: one last read without waiting.
	 */
	for (last = false; !last;) {
		ms = stop ? 0 : remaining_ms(end);
		last = !ms;
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (!last && poll(&pfd, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			msg("poll %s: %s", ISOL_DEVICE_PATH, strerror(errno));
			return EXIT_ERROR;
		}
		for (;;) {
			n = isol_monitor_read(fd, recs, 16);
			if (n == -EAGAIN || n == -EINTR || n == 0)
				break;
			if (n < 0) {
				msg("reading %s: %s%s", ISOL_DEVICE_PATH, strerror(-n),
				    n == -EPERM ? " (the break stream needs CAP_SYS_ADMIN)" : "");
				return EXIT_ERROR;
			}
			for (i = 0; i < n; i++) {
				if (recs[i].type == ISOL_REC_LOST) {
					ctl.lost += recs[i].nr_lost;
					print_lost(&ctl, &recs[i]);
					continue;
				}
				if (recs[i].type != ISOL_REC_BREAK ||
				    (ctl.cpus_given && !cpuset_has(&ctl.cpus, recs[i].brk.cpu)) ||
				    (ctl.pid && recs[i].brk.pid != ctl.pid) ||
				    (ctl.stolen_only &&
				     ISOL_CAUSE_IS_SELF(recs[i].brk.cause)))
					continue;
				if (ctl.json)
					print_json(&recs[i]);
				else
					print_text(&recs[i]);
				if (++ctl.shown == ctl.count)
					goto out;
			}
			fflush(stdout);
		}
	}
out:
	fflush(stdout);
	fprintf(stderr, "isolctl: %lu break%s shown, %llu record%s dropped\n",
		ctl.shown, ctl.shown == 1 ? "" : "s", (unsigned long long)ctl.lost,
		ctl.lost == 1 ? "" : "s");
	close(fd);
	return EXIT_OK;
}

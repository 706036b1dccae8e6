// SPDX-License-Identifier: GPL-2.0
/* isolctl status: the module, its hooks, every CPU, and what is wrong. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "isolctl.h"
#include "json.h"

struct hook {
	char event[32], kind[16], target[48], state[16];
};

#define MAX_HOOKS	64

struct status_ctl {
	bool json;
	bool verbose;			/* the hook table too */
	/* What was found. */
	bool loaded, device, have_info;
	char version[32], initstate[32];
	struct isol_info info;
	uint64_t nr_isolated;
	struct hook hooks[MAX_HOOKS];
	int nr_hooks;
	struct cpu_info ci;
	struct check_row rows[32];
	int nr_rows;
};

static const char *const feature_names[] = {
	"strict", "log-only", "keep-on-exec", "quiesce", "monitor",
	"status-page", "timing", "strict-after", "enable-thread",
};

/* "event words  kind  target  state": the event may hold spaces. */
static void read_hooks(struct status_ctl *ctl)
{
	char p[PATH_MAX], buf[8192], *line, *save = NULL, *tok[4], *end;
	struct hook *h;
	int i;

	if (read_text(sys_path(p, sizeof(p), "/class/misc/task_isolation/hooks"),
		      buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line && ctl->nr_hooks < MAX_HOOKS;
	     line = strtok_r(NULL, "\n", &save)) {
		end = line + strlen(line);
		for (i = 0; i < 3; i++) {
			while (end > line && end[-1] == ' ')
				*--end = '\0';
			while (end > line && end[-1] != ' ')
				end--;
			tok[2 - i] = end;
		}
		while (end > line && end[-1] == ' ')
			*--end = '\0';
		tok[3] = line;
		if (!*tok[3] || !*tok[0])
			continue;
		h = &ctl->hooks[ctl->nr_hooks++];
		snprintf(h->event, sizeof(h->event), "%s", tok[3]);
		snprintf(h->kind, sizeof(h->kind), "%s", tok[0]);
		snprintf(h->target, sizeof(h->target), "%s", tok[1]);
		snprintf(h->state, sizeof(h->state), "%s", tok[2]);
	}
}

static void gather(struct status_ctl *ctl)
{
	char p[PATH_MAX];
	int fd;

	ctl->loaded = module_loaded(ctl->version, sizeof(ctl->version),
				    ctl->initstate, sizeof(ctl->initstate));
	ctl->device = !access(ISOL_DEVICE_PATH, F_OK);
	if (ctl->device) {
		fd = open(ISOL_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ctl->have_info = !isol_get_info(fd, &ctl->info);
			close(fd);
		}
	}
	read_u64(sys_path(p, sizeof(p), "/class/misc/task_isolation/isolated"),
		 &ctl->nr_isolated);
	read_hooks(ctl);
	cpu_info_read(&ctl->ci);
	ctl->nr_rows = checks_run(&ctl->ci, ctl->rows, 32);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* How long the CPU's current isolation has lasted; 0 when none. */
static uint64_t isolated_for(const struct cpu_record *rec, uint64_t now)
{
	if (strcmp(rec->state, "isolated") || !rec->since_ns || rec->since_ns > now)
		return 0;
	return now - rec->since_ns;
}

static void role_str(const struct cpu_info *ci, int c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 cpuset_has(&ci->nohz_full, c) ? "nohz_full" : "housekeeping",
		 cpuset_has(&ci->isolated, c) ? ",isolated" : "",
		 cpuset_has(&ci->online, c) ? "" : ",offline");
}

/* "hooks     24 armed, 1 ready, 1 missing": states in the order first seen. */
static void print_hook_summary(const struct status_ctl *ctl)
{
	const char *states[MAX_HOOKS];
	int counts[MAX_HOOKS], n = 0, i, s;

	for (i = 0; i < ctl->nr_hooks; i++) {
		for (s = 0; s < n && strcmp(states[s], ctl->hooks[i].state); s++)
			;
		if (s == n) {
			states[n] = ctl->hooks[i].state;
			counts[n++] = 0;
		}
		counts[s]++;
	}
	printf("hooks    ");
	for (s = 0; s < n; s++)
		printf("%s %d %s", s ? "," : "", counts[s], states[s]);
	printf(" (--verbose lists them)\n");
}

static void print_text(const struct status_ctl *ctl)
{
	char role[64], task[48], since[32], brk[300], list[256], ver[32];
	struct cpu_record rec;
	uint64_t now = mono_ns();
	size_t off;
	int c, i;

	if (!ctl->loaded) {
		printf("module    not loaded (isolctl run loads it; or: modprobe task_isolation)\n");
	} else {
		printf("module    task_isolation %s (%s), %s%s, %llu task%s isolated\n",
		       ctl->version[0] ? ctl->version : "?",
		       ctl->initstate[0] ? ctl->initstate : "?",
		       ISOL_DEVICE_PATH, ctl->device ? "" : " missing",
		       (unsigned long long)ctl->nr_isolated,
		       ctl->nr_isolated == 1 ? "" : "s");
	}
	if (ctl->have_info) {
		snprintf(ver, sizeof(ver), "%u.%u.%u", ctl->info.version >> 16,
			 (ctl->info.version >> 8) & 0xff, ctl->info.version & 0xff);
		printf("abi       %u (module %s), features:", ctl->info.abi_version, ver);
		for (i = 0; i < (int)(sizeof(feature_names) / sizeof(feature_names[0])); i++)
			if (ctl->info.features & (1ULL << i))
				printf(" %s", feature_names[i]);
		putchar('\n');
	}
	if (ctl->nr_hooks && ctl->verbose) {
		printf("hooks     (event, kind, target, state)\n");
		for (i = 0; i < ctl->nr_hooks; i++)
			printf("  %-18s %-10s %-26s %s\n", ctl->hooks[i].event,
			       ctl->hooks[i].kind, ctl->hooks[i].target,
			       ctl->hooks[i].state);
	} else if (ctl->nr_hooks) {
		print_hook_summary(ctl);
	}
	printf("%-4s %-24s %-9s %-20s %-13s %s\n", "CPU", "ROLE", "STATE", "TASK",
	       "ISOLATED FOR", "BREAKS");
	for_each_cpu(c, &ctl->ci.possible) {
		role_str(&ctl->ci, c, role, sizeof(role));
		cpu_record_read(c, &rec);
		if (!rec.present) {
			printf("%-4d %-24s %-9s %-20s %-13s %s\n", c, role, "-", "-", "-", "-");
			continue;
		}
		if (rec.pid)
			snprintf(task, sizeof(task), "%d (%s)", rec.pid, rec.comm);
		else
			snprintf(task, sizeof(task), "-");
		if (isolated_for(&rec, now))
			format_ns(isolated_for(&rec, now), since, sizeof(since));
		else
			snprintf(since, sizeof(since), "-");
		off = 0;
		list[0] = '\0';
		for (i = 1; i < ISOL_NR_CAUSES && off < sizeof(list); i++)
			if (rec.breaks[i])
				off += snprintf(list + off, sizeof(list) - off, "%s%s %llu",
						off ? ", " : "", isol_cause_name(i),
						(unsigned long long)rec.breaks[i]);
		snprintf(brk, sizeof(brk), "%llu%s%s%s",
			 (unsigned long long)rec.nr_breaks, off ? " (" : "", list,
			 off ? ")" : "");
		printf("%-4d %-24s %-9s %-20s %-13s %s\n", c, role,
		       rec.end[0] ? "ended" : rec.state, task, since, brk);
	}
	for (i = 0; i < ctl->nr_hooks; i++)
		if (!strcmp(ctl->hooks[i].state, "missing"))
			printf("warning: hook %s for '%s' is missing on this kernel\n",
			       ctl->hooks[i].target, ctl->hooks[i].event);
	for (i = 0; i < ctl->nr_rows; i++)
		if (ctl->rows[i].status == CHECK_WARN || ctl->rows[i].status == CHECK_FAIL)
			printf("warning: %s: %s (see 'isolctl check')\n", ctl->rows[i].id,
			       ctl->rows[i].detail);
}

static void json_causes(struct json *j, const char *key, const __u64 *vals)
{
	int c;

	json_obj_begin(j, key);
	for (c = 1; c < ISOL_CAUSE_MAX; c++)
		json_u64(j, isol_cause_name(c), vals[c]);
	json_obj_end(j);
}

static void print_json(const struct status_ctl *ctl)
{
	struct cpu_record rec;
	uint64_t now = mono_ns();
	struct json j;
	int c, i;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "module");
	json_bool(&j, "loaded", ctl->loaded);
	json_str(&j, "version", ctl->loaded ? ctl->version : NULL);
	json_str(&j, "initstate", ctl->loaded ? ctl->initstate : NULL);
	json_bool(&j, "device", ctl->device);
	if (ctl->have_info) {
		json_u64(&j, "abi_version", ctl->info.abi_version);
		json_u64(&j, "version_code", ctl->info.version);
		json_arr_begin(&j, "features");
		for (i = 0; i < (int)(sizeof(feature_names) / sizeof(feature_names[0])); i++)
			if (ctl->info.features & (1ULL << i))
				json_str(&j, NULL, feature_names[i]);
		json_arr_end(&j);
	}
	json_u64(&j, "nr_isolated", ctl->nr_isolated);
	json_obj_end(&j);
	json_arr_begin(&j, "hooks");
	for (i = 0; i < ctl->nr_hooks; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "event", ctl->hooks[i].event);
		json_str(&j, "kind", ctl->hooks[i].kind);
		json_str(&j, "target", ctl->hooks[i].target);
		json_str(&j, "state", ctl->hooks[i].state);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "cpus");
	for_each_cpu(c, &ctl->ci.possible) {
		json_obj_begin(&j, NULL);
		json_i64(&j, "cpu", c);
		json_bool(&j, "online", cpuset_has(&ctl->ci.online, c));
		json_bool(&j, "nohz_full", cpuset_has(&ctl->ci.nohz_full, c));
		json_bool(&j, "isolated", cpuset_has(&ctl->ci.isolated, c));
		json_bool(&j, "housekeeping", cpuset_has(&ctl->ci.housekeeping, c));
		cpu_record_read(c, &rec);
		if (rec.present) {
			json_obj_begin(&j, "isolation");
			json_str(&j, "state", rec.end[0] ? "ended" : rec.state);
			json_str(&j, "end_cause", rec.end[0] ? rec.end : NULL);
			if (rec.pid) {
				json_i64(&j, "pid", rec.pid);
				json_str(&j, "comm", rec.comm);
			} else {
				json_null(&j, "pid");
				json_null(&j, "comm");
			}
			json_u64(&j, "since_ns", rec.since_ns);
			json_u64(&j, "isolated_ns", isolated_for(&rec, now));
			json_u64(&j, "nr_breaks", rec.nr_breaks);
			json_causes(&j, "breaks", rec.breaks);
			json_causes(&j, "time_ns", rec.time_ns);
			json_obj_end(&j);
		} else {
			json_null(&j, "isolation");
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "warnings");
	for (i = 0; i < ctl->nr_hooks; i++) {
		if (strcmp(ctl->hooks[i].state, "missing"))
			continue;
		json_obj_begin(&j, NULL);
		json_str(&j, "id", "hook_missing");
		json_str(&j, "status", "warn");
		json_str(&j, "detail", ctl->hooks[i].target);
		json_obj_end(&j);
	}
	for (i = 0; i < ctl->nr_rows; i++) {
		if (ctl->rows[i].status != CHECK_WARN && ctl->rows[i].status != CHECK_FAIL)
			continue;
		json_obj_begin(&j, NULL);
		json_str(&j, "id", ctl->rows[i].id);
		json_str(&j, "status", check_status_str(ctl->rows[i].status));
		json_str(&j, "detail", ctl->rows[i].detail);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void usage(void)
{
	printf("Usage:\n"
	       " isolctl status [--verbose] [--json]\n\n"
	       "Show the module's version and load state, its hooks, and per CPU its\n"
	       "role (nohz_full, isolated, housekeeping), the isolated task, how long\n"
	       "it has been isolated and its breaks by cause; then a warning line for\n"
	       "anything that will defeat isolation.\n\n"
	       "Options:\n"
	       " -v, --verbose  list the hook chosen for each event\n"
	       "     --json     one JSON object (hooks included)\n"
	       " -h, --help     display this help\n\n"
	       "Exit status: 0 shown, 1 error, 2 bad usage.\n");
}

/* Returns an exit status to leave with, or -1 to go on. */
static int parse_options(int argc, char **argv, struct status_ctl *ctl)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl->json = true;
			break;
		case 'v':
			ctl->verbose = true;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return usage_error("status", "unrecognized option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("status", "unexpected argument '%s'", argv[optind]);
	return -1;
}

int cmd_status(int argc, char **argv)
{
	static struct status_ctl ctl;
	int ret;

	ret = parse_options(argc, argv, &ctl);
	if (ret >= 0)
		return ret;
	gather(&ctl);
	if (ctl.json)
		print_json(&ctl);
	else
		print_text(&ctl);
	return EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * isolctl tune: make what check recommends survive a reboot (a sysctl.d
 * file, the kernel command line, a boot unit that applies the run-time
 * fixes), or apply the run-time fixes now. Every file it writes starts
 * with a marker line, and only such files are rewritten or removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isolctl.h"

#define TUNE_MARKER	"# Written by 'isolctl tune'; 'isolctl tune --revert' removes it.\n"
#define SYSCTL_FILE	"/etc/sysctl.d/90-task-isolation.conf"
#define GRUB_FILE	"/etc/default/grub.d/task-isolation.cfg"
#define BOOT_UNIT	"task-isolation-tune.service"

struct tune_ctl {
	struct cpuset cpus;
	bool cpus_given;
	bool grub, now, revert, dry_run;
	const char *root;		/* "" for / */
};

static void usage(void)
{
	printf("Usage:\n"
	       " isolctl tune [options]\n\n"
	       "Make the set-up 'isolctl check' recommends survive a reboot, or apply\n"
	       "its run-time part now. Files written carry a marker line; only those\n"
	       "are ever rewritten or removed. Running it twice changes nothing.\n\n"
	       "Options:\n"
	       " -c, --cpu <list>  the CPUs to isolate (default: the current nohz_full)\n"
	       "     --grub        also write the kernel command line to\n"
	       "                   " GRUB_FILE " (then run update-grub)\n"
	       "     --now         apply the run-time fixes check prints (IRQ affinity,\n"
	       "                   workqueue cpumask, kernel threads, sysctls, THP, the\n"
	       "                   fair server, machine-check polling); what\n"
	       "                   " BOOT_UNIT " runs at boot\n"
	       "     --revert      remove the files tune wrote\n"
	       "     --dry-run     say what would be written, removed or run; change nothing\n"
	       "     --root <dir>  write under <dir> instead of / (images, packaging)\n"
	       " -h, --help        display this help\n\n"
	       "Files:\n"
	       " " SYSCTL_FILE "  sysctls, applied at boot by systemd-sysctl\n"
	       " " GRUB_FILE "   kernel command line, with --grub\n\n"
	       "Examples:\n"
	       " isolctl tune -c 2-7 --grub     then update-grub, and\n"
	       "                                systemctl enable " BOOT_UNIT "\n"
	       " isolctl tune --now             after boot, or from the unit\n"
	       " isolctl tune --revert\n");
}

static int parse_options(struct tune_ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "grub", no_argument, NULL, 'g' },
		{ "now", no_argument, NULL, 'n' },
		{ "revert", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c;

	ctl->root = "";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cpulist_parse(optarg, &ctl->cpus, err, sizeof(err)))
				return usage_error("tune", "%s", err);
			if (cpuset_empty(&ctl->cpus))
				return usage_error("tune", "empty CPU list");
			ctl->cpus_given = true;
			break;
		case 'g':
			ctl->grub = true;
			break;
		case 'n':
			ctl->now = true;
			break;
		case 'r':
			ctl->revert = true;
			break;
		case 'd':
			ctl->dry_run = true;
			break;
		case 'R':
			if (optarg[0] != '/')
				return usage_error("tune", "--root needs an absolute path, "
						   "not '%s'", optarg);
			ctl->root = strcmp(optarg, "/") ? optarg : "";
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case ':':
			return usage_error("tune", "option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("tune", "unrecognized option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("tune", "unexpected argument '%s'", argv[optind]);
	if (ctl->now + ctl->revert > 1)
		return usage_error("tune", "--now and --revert do not go together");
	if (ctl->now && (ctl->root[0] || ctl->grub || ctl->cpus_given))
		return usage_error("tune", "--now applies check's fixes to this "
				   "system as it runs: no --root, --grub or -c");
	return 0;
}

/* Whether @path holds a file tune wrote; -errno if it cannot tell. */
static int ours(const char *path)
{
	char head[sizeof(TUNE_MARKER)];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strcmp(head, TUNE_MARKER) ? -EEXIST : 1;
}

/*
 * Refuse before touching anything when one of the files tune manages
 * exists and is not its own. Returns 0 or -EEXIST.
 */
static int all_ours(const struct tune_ctl *ctl, bool with_grub)
{
	const char *files[] = { SYSCTL_FILE, GRUB_FILE };
	char path[PATH_MAX];
	int i, ret = 0;

	for (i = 0; i < (with_grub ? 2 : 1); i++) {
		snprintf(path, sizeof(path), "%s%s", ctl->root, files[i]);
		if (ours(path) < 0) {
			msg("%s exists and was not written by isolctl tune: nothing "
			    "changed", path);
			ret = -EEXIST;
		}
	}
	return ret;
}

/* mkdir -p of @path's directory. */
static int make_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Write @text to ROOT@file unless it already holds it. */
static int put_file(const struct tune_ctl *ctl, const char *file, const char *text)
{
	char path[PATH_MAX], old[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s%s", ctl->root, file);
	ret = ours(path);
	if (ret < 0)
		return ret;
	if (ret == 1 && read_text(path, old, sizeof(old)) >= 0) {
		/* read_text() drops the last newline. */
		if (strlen(text) == strlen(old) + 1 && !strncmp(text, old, strlen(old))) {
			printf("unchanged  %s\n", path);
			return 0;
		}
	}
	printf("%s %s\n", ctl->dry_run ? "would write" : "wrote     ", path);
	if (ctl->dry_run) {
		fputs(text, stdout);
		return 0;
	}
	ret = make_parents(path);
	f = ret ? NULL : fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		ret = -errno;
		msg("cannot write %s: %s", path, strerror(errno));
		return ret ? ret : -EIO;
	}
	return 0;
}

static int remove_file(const struct tune_ctl *ctl, const char *file)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s%s", ctl->root, file);
	ret = ours(path);
	if (ret <= 0)
		return ret;
	printf("%s %s\n", ctl->dry_run ? "would remove" : "removed", path);
	if (!ctl->dry_run && unlink(path)) {
		msg("cannot remove %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* The persistent files for isolating @cpus. */
static int tune_files(const struct tune_ctl *ctl, const struct cpu_info *ci)
{
	char cpus[256], hk[256], text[2048], cmdline[1200];
	struct cpuset housekeeping;
	int ret;

	cpuset_andnot(&housekeeping, &ci->possible, &ctl->cpus);
	if (cpuset_empty(&housekeeping)) {
		msg("no CPU left for housekeeping: leave at least one out of -c");
		return EXIT_USAGE;
	}
	if (!cpuset_subset(&ctl->cpus, &ci->possible)) {
		msg("-c names CPUs this machine does not have (possible: %s)",
		    cpulist_format(&ci->possible, hk, sizeof(hk)));
		return EXIT_USAGE;
	}
	if (all_ours(ctl, ctl->grub))
		return EXIT_ERROR;
	cpulist_format(&ctl->cpus, cpus, sizeof(cpus));
	cpulist_format(&housekeeping, hk, sizeof(hk));

	snprintf(text, sizeof(text), TUNE_MARKER
		 "# Why each is set: 'isolctl check', rows of the same names.\n"
		 "kernel.timer_migration = 1\n"
		 "vm.stat_interval = 10\n"
		 "vm.compact_unevictable_allowed = 0\n"
		 "kernel.numa_balancing = 0\n"
		 "kernel.sched_rt_runtime_us = -1\n"
		 "kernel.watchdog_cpumask = %s\n", hk);
	ret = put_file(ctl, SYSCTL_FILE, text);

	snprintf(cmdline, sizeof(cmdline),
		 "nohz_full=%s isolcpus=domain,managed_irq,%s rcu_nocbs=%s "
		 "irqaffinity=%s", cpus, cpus, cpus, hk);
	if (ctl->grub) {
		snprintf(text, sizeof(text), TUNE_MARKER
			 "# isolctl tune -c %s; then run update-grub.\n"
			 "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\"\n",
			 cpus, cmdline);
		if (put_file(ctl, GRUB_FILE, text))
			ret = -EIO;
		if (!ret && !ctl->dry_run)
			printf("next: update-grub, then reboot\n");
	} else {
		printf("kernel command line (--grub writes it): %s\n", cmdline);
	}
	printf("with a stable TSC, add tsc=reliable; at every boot, 'systemctl "
	       "enable %s' applies the run-time fixes (isolctl tune --now)\n",
	       BOOT_UNIT);
	return ret ? EXIT_ERROR : EXIT_OK;
}

/* Run each fix check prints a command for. */
static int tune_now(const struct tune_ctl *ctl, const struct cpu_info *ci)
{
	struct check_row rows[32];
	int i, n, failed = 0, done = 0;

	if (cpuset_empty(&ci->nohz_full)) {
		msg("no nohz_full CPU: nothing to protect (boot with the command "
		    "line 'isolctl tune' prints)");
		return EXIT_ERROR;
	}
	n = checks_run(ci, rows, 32);
	for (i = 0; i < n; i++) {
		if (rows[i].status != CHECK_WARN || !rows[i].fix_cmd[0])
			continue;
		printf("%-20s %s%s\n", rows[i].id, ctl->dry_run ? "would run: " : "",
		       rows[i].fix_cmd);
		if (ctl->dry_run)
			continue;
		fflush(stdout);
		if (system(rows[i].fix_cmd)) {
			msg("%s: the fix failed", rows[i].id);
			failed++;
		}
		done++;
	}
	if (!done && !ctl->dry_run)
		printf("nothing to apply\n");
	return failed ? EXIT_ERROR : EXIT_OK;
}

int cmd_tune(int argc, char **argv)
{
	struct tune_ctl ctl = { 0 };
	struct cpu_info ci;
	int ret;

	ret = parse_options(&ctl, argc, argv);
	if (ret)
		return ret;
	if (ctl.revert) {
		if (all_ours(&ctl, true))
			return EXIT_ERROR;
		ret = remove_file(&ctl, SYSCTL_FILE);
		if (remove_file(&ctl, GRUB_FILE))
			ret = -EIO;
		if (!ret && !ctl.dry_run)
			printf("settings already applied stay until reboot; run "
			       "update-grub if the command line file went\n");
		return ret ? EXIT_ERROR : EXIT_OK;
	}
	cpu_info_read(&ci);
	if (ctl.now)
		return tune_now(&ctl, &ci);
	if (!ctl.cpus_given) {
		if (cpuset_empty(&ci.nohz_full)) {
			msg("no nohz_full CPU yet: say which CPUs to isolate with -c");
			return EXIT_USAGE;
		}
		ctl.cpus = ci.nohz_full;
	}
	return tune_files(&ctl, &ci);
}

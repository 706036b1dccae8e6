// SPDX-License-Identifier: GPL-2.0
/*
 * isolctl: run a program isolated on a nohz_full CPU, and inspect task
 * isolation. The subcommands dispatch from one table; each parses its own
 * options into its own control struct.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "isolctl.h"

#ifndef ISOL_VERSION
#define ISOL_VERSION "unknown"
#endif

static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
	{ "run", cmd_run, "run a command isolated on a nohz_full CPU, then report" },
	{ "status", cmd_status, "the module, its hooks and every CPU's isolation" },
	{ "monitor", cmd_monitor, "stream breaks of isolation as they happen" },
	{ "check", cmd_check, "audit this host's isolation set-up" },
	{ "tune", cmd_tune, "make check's recommendations persistent, or apply them now" },
};

static void usage(void)
{
	size_t i;

	printf("Usage:\n"
	       " isolctl <command> [options]\n"
	       " isolctl --help | --version\n\n"
	       "Run a program alone on a nohz_full CPU, with every kernel entry\n"
	       "accounted, and inspect task isolation.\n\nCommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		printf(" %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	printf("\nOptions:\n"
	       " -h, --help     display this help\n"
	       " -V, --version  display version\n\n"
	       "Exit status:\n"
	       " 0 success, 1 error, 2 bad usage; check: 3 warnings, 4 failures;\n"
	       " run: the command's status, 128+N if a signal N killed it, 125 isolctl\n"
	       " failed, 126 the command cannot be executed, 127 it was not found.\n\n"
	       "Examples:\n"
	       " isolctl check\n"
	       " isolctl run -- ./app --flag\n"
	       " isolctl run -c 3 --strict --signal USR1 -- ./app\n"
	       " isolctl monitor --json\n\n"
	       "'isolctl <command> --help' for a command's options; see isolctl(8).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("isolctl from task_isolation %s\n", ISOL_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return usage_error(NULL, "unrecognized option '%s'", argv[1]);
	return usage_error(NULL, "unknown command '%s'", argv[1]);
}

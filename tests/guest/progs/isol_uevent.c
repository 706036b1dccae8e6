// SPDX-License-Identifier: GPL-2.0
/*
 * The device is complete when its uevent goes out: a udev-like listener,
 * woken by the "add" uevent of /dev/task_isolation, finds each nohz_full
 * CPU's directory and files in sysfs at once.
 *
 *   isol_uevent MODPROBE CPU...   load the module with MODPROBE and check
 *                                 cpuN/ for each CPU listed
 *
 * The listener runs SCHED_FIFO on the loading task's CPU, so the wake-up
 * preempts the loader at its next preemption point: anything created after
 * the uevent (the per-CPU directories were once kobjects added after
 * misc_register()) is then still missing when the listener looks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEVPATH	"/devices/virtual/misc/task_isolation"
#define CPU_FILES	7

/* What README says each CPU's directory holds. */
static const char *const cpu_files[CPU_FILES] = {
	"task", "state", "since_ns", "ended_ns", "max_quiet_ns", "breaks",
	"time_ns",
};

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 50 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct timeval wait = { .tv_sec = 60 };
	char buf[8192], path[128];
	int sock, status, i, j, missing = 0;
	ssize_t n;
	pid_t loader;

	if (argc < 2) {
		fprintf(stderr, "usage: isol_uevent MODPROBE CPU...\n");
		return 2;
	}
	sock = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	/* A module that never loads must not hang the case: 60 s at most. */
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait))) {
		perror("uevent socket");
		return 2;
	}
	if (pin_cpu0() || sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("CPU 0, SCHED_FIFO");
		return 2;
	}
	loader = fork();
	if (loader < 0) {
		perror("fork");
		return 2;
	}
	if (!loader) {
		struct sched_param other = { 0 };

		sched_setscheduler(0, SCHED_OTHER, &other);
		execl(argv[1], argv[1], "task_isolation", (char *)NULL);
		_exit(127);
	}
	for (;;) {
		n = recv(sock, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			perror("no uevent of the device");
			waitpid(loader, &status, 0);
			return 2;
		}
		buf[n] = 0;
		/* The first field is the action and the device's path. */
		if (!strcmp(buf, "add@" DEVPATH))
			break;
	}
	/* Look before anything else: the loader is preempted right now. */
	for (i = 2; i < argc; i++) {
		for (j = 0; j < CPU_FILES; j++) {
			struct stat st;

			snprintf(path, sizeof(path), "/sys" DEVPATH "/cpu%s/%s",
				 argv[i], cpu_files[j]);
			if (stat(path, &st)) {
				printf("missing at the uevent: %s\n", path);
				missing++;
			}
		}
	}
	if (waitpid(loader, &status, 0) != loader || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("%s task_isolation: status 0x%x\n", argv[1], status);
		return 1;
	}
	printf("%d CPU director%s checked at the uevent, %d file%s missing\n",
	       argc - 2, argc == 3 ? "y" : "ies", missing, missing == 1 ? "" : "s");
	return missing ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The busy system of `make bench`: workers pinned to the housekeeping CPUs
 * do what real systems do all day, and much of it reaches other CPUs
 * (TLB shootdowns, lru_add_drain_all() work, vmstat folding, text patching
 * and vfree flushes from module loading):
 *
 *   map, touch and unmap memory; mlock and munlock; fork and exit; write a
 *   file, fsync it, drop its pages (POSIX_FADV_DONTNEED) and sync; read
 *   /proc statistics; now and then compact memory (lru_add_drain_all() and
 *   page migration) and load and unload a module.
 *
 *   isol_load [--cpus LIST] [--workers N] [--module NAME] [--dir DIR]
 *
 * Runs until SIGTERM or SIGINT, then prints what it did as one JSON object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

enum op {
	OP_MMAP, OP_MLOCK, OP_FORK, OP_FILE, OP_PROC, OP_COMPACT, OP_MODULE,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	[OP_MMAP] = "mmap_touch_munmap",
	[OP_MLOCK] = "mlock_munlock",
	[OP_FORK] = "fork_exit",
	[OP_FILE] = "write_fsync_dontneed_sync",
	[OP_PROC] = "read_proc_stats",
	[OP_COMPACT] = "compact_memory",
	[OP_MODULE] = "module_load_unload",
};

/* Rare, heavy operations run once every this many rounds of the others. */
#define HEAVY_EVERY	16
#define CHUNK		(1UL << 20)

struct counters {
	volatile int stop;
	uint64_t ops[NR_OPS];
};

static struct counters *ctr;
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void count(enum op op)
{
	__atomic_add_fetch(&ctr->ops[op], 1, __ATOMIC_RELAXED);
}

static void op_mmap(void)
{
	char *p = mmap(NULL, 2 * CHUNK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	memset(p, 0x5a, 2 * CHUNK);
	munmap(p, 2 * CHUNK);
	count(OP_MMAP);
}

static void op_mlock(char *buf)
{
	if (mlock(buf, CHUNK) == 0)
		munlock(buf, CHUNK);
	count(OP_MLOCK);
}

static void op_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	count(OP_FORK);
}

static void op_file(const char *path, const char *buf)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return;
	if (write(fd, buf, CHUNK) == (ssize_t)CHUNK) {
		fsync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	close(fd);
	sync();
	count(OP_FILE);
}

static void op_proc(void)
{
	static const char *const files[] = {
		"/proc/meminfo", "/proc/vmstat", "/proc/stat",
		"/proc/loadavg", "/proc/self/status", "/proc/zoneinfo",
	};
	char buf[8192];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fd = open(files[i], O_RDONLY);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	count(OP_PROC);
}

static void write_proc(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		diag("%s: %s", path, strerror(errno));
	close(fd);
}

static void op_compact(void)
{
	write_proc("/proc/sys/vm/compact_memory", "1");
	count(OP_COMPACT);
}

static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void op_module(const char *name)
{
	char *load[] = { "modprobe", (char *)name, NULL };
	char *unload[] = { "modprobe", "-r", (char *)name, NULL };

	if (run(load) == 0 && run(unload) == 0)
		count(OP_MODULE);
}

static void worker(int id, const char *module, const char *dir)
{
	char path[256];
	char *buf = malloc(CHUNK);
	unsigned long round;

	if (!buf)
		_exit(1);
	memset(buf, id + 1, CHUNK);
	snprintf(path, sizeof(path), "%s/isol-load.%d", dir, id);
	for (round = 0; !ctr->stop; round++) {
		op_mmap();
		op_mlock(buf);
		op_fork();
		op_file(path, buf);
		op_proc();
		if (round % HEAVY_EVERY != (unsigned long)id)
			continue;
		op_compact();
		/* One worker loads modules: modprobe on a name is serialised. */
		if (id == 0 && module[0])
			op_module(module);
	}
	unlink(path);
	_exit(0);
}

static int pin_to(const char *list)
{
	cpu_set_t set;
	char *copy = strdup(list), *tok, *save = NULL;

	CPU_ZERO(&set);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		CPU_SET(atoi(tok), &set);
	free(copy);
	return sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "workers", required_argument, NULL, 'w' },
		{ "module", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cpus = "0", *module = "", *dir = "/tmp";
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t block, old;
	struct timespec t0, t1;
	int workers = 2, i, o;
	pid_t *pids;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cpus = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'm': module = optarg; break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: isol_load [--cpus LIST] [--workers N] [--module NAME] [--dir DIR]\n");
			return 2;
		}
	}
	if (workers < 1 || pin_to(cpus)) {
		fprintf(stderr, "isol_load: bad --workers or --cpus\n");
		return 2;
	}
	ctr = mmap(NULL, sizeof(*ctr), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(workers, sizeof(*pids));
	if (ctr == MAP_FAILED || !pids)
		return 1;
	/*
	 * Blocked until sigsuspend(), so a stop request that comes early is
	 * kept pending rather than lost.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			/* Workers stop through ctr->stop, after a whole step. */
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			worker(i, module, dir);
		}
	}
	while (!stop_requested)
		sigsuspend(&old);
	ctr->stop = 1;
	for (i = 0; i < workers; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("{\"cpus\":\"%s\",\"workers\":%d,\"module\":\"%s\",\"dir\":\"%s\","
	       "\"seconds\":%.1f,\"ops\":{", cpus, workers, module, dir,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (i = 0; i < NR_OPS; i++)
		printf("%s\"%s\":%llu", i ? "," : "", op_names[i],
		       (unsigned long long)ctr->ops[i]);
	printf("}}\n");
	return 0;
}

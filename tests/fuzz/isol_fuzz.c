// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzer for /dev/task_isolation, run in the guest.
 *
 *   isol_fuzz [-n CALLS] [-p PROCS] [-s SEED]
 *
 * PROCS workers call every ioctl (and read, poll, mmap) with random and
 * boundary struct contents, sizes, flags, signals and CPUs, through good
 * and bad pointers. Some arm isolation and go on fuzzing while isolated;
 * the parent SIGKILLs workers at random moments and starts new ones. Every
 * call must return success or a documented errno. At the end, no task may
 * be left isolated and the module's count of live records must return to
 * zero. Prints TAP lines; exits non-zero on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define MAX_PROCS	16
#define NR_FDS		3
#define BUF_SIZE	8192

struct fuzz_stats {
	volatile long calls;		/* updated with atomics */
	volatile long isolations;
	volatile long bad;
	volatile long by_errno[160];
	char first_bad[256];
};

static struct fuzz_stats *stats;
static long target_calls = 100000;
static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible per worker from the seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

/* A value with a bias towards the boundaries that break parsers. */
static uint64_t edgy(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128,
		255, 256, 4095, 4096, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, ~0ULL, ~0ULL - 1, 1ULL << 63,
	};

	if (pick(3))
		return edges[pick(sizeof(edges) / sizeof(edges[0]))];
	return rnd();
}

/* Pages to aim bad pointers at. */
static char *buf;		/* BUF_SIZE, read-write */
static char *ro_page;		/* read-only */
static char *guard;		/* right after a read-write page: unmapped */

static void *fuzz_pointer(size_t len)
{
	switch (pick(16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)edgy();
	case 2:
		return ro_page;
	case 3:
		return (void *)0xffffffff81000000ULL;	/* kernel text */
	case 4:
		/* Straddles into the unmapped guard page. */
		return guard - (len > 8 ? len / 2 : 4);
	default:
		return buf;
	}
}

static void fill_random(void *p, size_t len)
{
	unsigned char *c = p;
	size_t i;

	switch (pick(3)) {
	case 0:
		memset(p, 0, len);
		break;
	case 1:
		for (i = 0; i < len; i++)
			c[i] = rnd();
		break;
	default:
		/* Mostly zero, a few random bytes: passes some checks. */
		memset(p, 0, len);
		for (i = pick(4); i > 0; i--)
			c[pick(len)] = rnd();
	}
}

/* A size field: the right one, a neighbour, or nonsense. */
static uint32_t fuzz_size(uint32_t right)
{
	switch (pick(8)) {
	case 0:
		return edgy();
	case 1:
		return right - 1 - pick(4);
	case 2:
		return right + 8 * pick(8);
	default:
		return right;
	}
}

static void fuzz_enable(struct isol_enable *e)
{
	static const uint32_t modes[] = { 0, ISOL_MODE_STRICT, ISOL_MODE_LOG_ONLY,
					  3, 0xffffffff };
	static const int sigs[] = { 0, -1, 1, 9, 10, 12, 19, 31, 32, 34, 64, 65,
				    1000 };

	memset(e, 0, sizeof(*e));
	e->size = fuzz_size(sizeof(*e));
	e->mode = pick(4) ? (pick(3) ? ISOL_MODE_LOG_ONLY : ISOL_MODE_STRICT) :
		  modes[pick(5)];
	e->flags = pick(4) ? (pick(2) ? ISOL_F_KEEP_ON_EXEC : 0) : edgy();
	e->signal = pick(2) ? 0 : sigs[pick(sizeof(sigs) / sizeof(sigs[0]))];
	e->quiesce_timeout_ns = pick(2) ? 0 : (pick(2) ? 1000000 : edgy());
	if (!pick(8))
		e->cpu = edgy();
	if (!pick(8))
		e->reserved[0] = edgy();
	if (!pick(8))
		e->pad = edgy();
	if (!pick(8))
		e->tid = pick(2) ? getpid() : (int)edgy();
	if (!pick(8))
		e->strict_after_ns = pick(2) ? 1000000 : edgy();
	if (!pick(8))
		e->reason = edgy();
}

/* The errnos each operation may return: anything else is a bug. */
static bool errno_allowed(int op, int err)
{
	switch (err) {
	case EINVAL: case EFAULT: case EINTR:
		return true;
	case ENOTTY: case EBUSY: case EPERM: case EAGAIN: case ESRCH:
	case ENOMEM:
		return op == 'i' || op == 'r' || op == 'm';
	case E2BIG: case EINPROGRESS:
		return op == 'i';
	case EACCES: case ENODEV: case EOVERFLOW:
		return op == 'm';
	default:
		return false;
	}
}

static void note(int op, long ret, const char *what)
{
	int err = ret < 0 ? errno : 0;

	__atomic_add_fetch(&stats->calls, 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		return;
	if (err < (int)(sizeof(stats->by_errno) / sizeof(stats->by_errno[0])))
		__atomic_add_fetch(&stats->by_errno[err], 1, __ATOMIC_RELAXED);
	if (!errno_allowed(op, err) &&
	    __atomic_add_fetch(&stats->bad, 1, __ATOMIC_RELAXED) == 1)
		snprintf(stats->first_bad, sizeof(stats->first_bad),
			 "%s: unexpected errno %d (%s)", what, err, strerror(err));
}

static void fuzz_ioctl(int fd)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned long cmd;
	void *arg = buf;
	char what[64];
	long ret;

	switch (pick(6)) {
	case 0:
		cmd = ISOL_IOC_GET_INFO;
		fill_random(buf, sizeof(struct isol_info));
		((struct isol_info *)buf)->size = fuzz_size(sizeof(struct isol_info));
		break;
	case 1:
		cmd = ISOL_IOC_ENABLE;
		fuzz_enable((struct isol_enable *)buf);
		break;
	case 2:
		/* Another thread: the parent, a neighbour, or anything. */
		cmd = pick(2) ? ISOL_IOC_ENABLE_THREAD : ISOL_IOC_ENABLE;
		fuzz_enable((struct isol_enable *)buf);
		if (cmd == ISOL_IOC_ENABLE_THREAD && pick(2))
			((struct isol_enable *)buf)->tid = pick(2) ? getppid() :
					getpid() + (int)pick(8);
		break;
	case 3:
		cmd = ISOL_IOC_GET_STATE;
		memset(buf, 0, sizeof(struct isol_state));
		((struct isol_state *)buf)->size = fuzz_size(sizeof(struct isol_state));
		if (!pick(3))
			((struct isol_state *)buf)->pid = pick(2) ? edgy() :
							   getpid() + pick(8);
		if (!pick(6))
			fill_random(buf + 4, sizeof(struct isol_state) - 4);
		break;
	case 4:
		cmd = ISOL_IOC_DISABLE;
		arg = pick(4) ? NULL : (void *)(uintptr_t)edgy();
		break;
	default:
		/* Any number, size and direction in our type, or another type. */
		cmd = _IOC(dirs[pick(4)], pick(8) ? ISOL_IOC_MAGIC : pick(256),
			   pick(16), pick(2) ? pick(1024) : pick(16384));
		fill_random(buf, BUF_SIZE);
	}
	if (arg == buf && !pick(6))
		arg = fuzz_pointer(sizeof(struct isol_state));
	if (cmd != ISOL_IOC_DISABLE && _IOC_TYPE(cmd) == ISOL_IOC_MAGIC &&
	    !pick(8))
		cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((unsigned long)pick(1 << 14) << _IOC_SIZESHIFT);
	ret = ioctl(fd, cmd, arg);
	snprintf(what, sizeof(what), "ioctl 0x%lx", cmd);
	note('i', ret, what);
	if (!ret && cmd == ISOL_IOC_ENABLE)
		__atomic_add_fetch(&stats->isolations, 1, __ATOMIC_RELAXED);
}

static void fuzz_read(int fd)
{
	size_t len = pick(2) ? sizeof(struct isol_record) * (1 + pick(4)) :
			       edgy() % (BUF_SIZE + 1);
	void *p = pick(5) ? buf : fuzz_pointer(len);

	if (p == buf && len > BUF_SIZE)
		len = BUF_SIZE;
	note('r', read(fd, p, len), "read");
}

static void fuzz_poll(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };

	note('p', poll(&pfd, 1, 0), "poll");
}

static void fuzz_mmap(int fd)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_NONE, PROT_WRITE };
	size_t len = pick(2) ? ISOL_STATUS_SIZE : edgy() % (4 * ISOL_STATUS_SIZE);
	off_t off = pick(4) ? 0 : (off_t)(edgy() & ~4095ULL);
	void *p;

	p = mmap(NULL, len, prots[pick(5)], pick(2) ? MAP_SHARED : MAP_PRIVATE,
		 fd, off);
	note('m', p == MAP_FAILED ? -1 : 0, "mmap");
	if (p != MAP_FAILED) {
		if (!pick(2))
			note('m', mprotect(p, len, PROT_READ | PROT_WRITE) ? -1 : 0,
			     "mprotect");
		munmap(p, len);
	}
}

static void pin_random(void)
{
	cpu_set_t set;
	int cpu;

	CPU_ZERO(&set);
	if (pick(4)) {
		CPU_SET(pick(4), &set);
	} else {
		for (cpu = 0; cpu < 4; cpu++)
			CPU_SET(cpu, &set);
	}
	sched_setaffinity(0, sizeof(set), &set);
}

static void ignore_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int sig;

	/* A strict-mode signal must not end the worker: only SIGKILL does. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
}

static void worker(unsigned int id, uint64_t seed)
{
	int fds[NR_FDS], i, flags;

	rng = seed * 0x9e3779b97f4a7c15ULL + id + 1;
	ignore_signals();
	for (i = 0; i < NR_FDS; i++)
		fds[i] = -1;
	while (__atomic_load_n(&stats->calls, __ATOMIC_RELAXED) < target_calls) {
		i = pick(NR_FDS);
		if (fds[i] < 0 || !pick(64)) {
			if (fds[i] >= 0)
				close(fds[i]);
			flags = O_RDWR | O_CLOEXEC | (pick(2) ? O_NONBLOCK : 0);
			fds[i] = open(ISOL_DEVICE_PATH, flags);
			if (fds[i] < 0) {
				snprintf(stats->first_bad, sizeof(stats->first_bad),
					 "open: %s", strerror(errno));
				__atomic_add_fetch(&stats->bad, 1, __ATOMIC_RELAXED);
				_exit(1);
			}
		}
		switch (pick(20)) {
		case 0:
			fuzz_read(fds[i]);
			break;
		case 1:
			fuzz_poll(fds[i]);
			break;
		case 2:
			fuzz_mmap(fds[i]);
			break;
		case 3:
			pin_random();
			break;
		default:
			fuzz_ioctl(fds[i]);
		}
	}
	_exit(0);
}

static pid_t spawn(unsigned int id, uint64_t seed)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid)
		worker(id, seed);
	return pid;
}

int main(int argc, char **argv)
{
	pid_t workers[MAX_PROCS];
	unsigned int nprocs = 6, i, spawned = 0, kills = 0;
	uint64_t seed = time(NULL);
	long records = -1, isolated = -1;
	int opt, status, e, waited;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	bool ok = true;

	while ((opt = getopt(argc, argv, "n:p:s:")) != -1) {
		switch (opt) {
		case 'n':
			target_calls = atol(optarg);
			break;
		case 'p':
			nprocs = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: isol_fuzz [-n CALLS] [-p PROCS] [-s SEED]\n");
			return 2;
		}
	}
	if (!nprocs || nprocs > MAX_PROCS) {
		fprintf(stderr, "isol_fuzz: -p must be 1-%d\n", MAX_PROCS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# isol_fuzz: %ld calls, %u processes, seed %llu\n", target_calls,
	       nprocs, (unsigned long long)seed);
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED || buf == MAP_FAILED || ro_page == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	guard = buf + BUF_SIZE;
	munmap(guard, 4096);
	rng = seed;
	isol_pin(0);

	for (i = 0; i < nprocs; i++)
		workers[i] = spawn(spawned++, seed);
	/* Kill a worker now and then, wherever it is, and replace it. */
	while (__atomic_load_n(&stats->calls, __ATOMIC_RELAXED) < target_calls) {
		nanosleep(&ts, NULL);
		for (i = 0; i < nprocs; i++) {
			if (waitpid(workers[i], &status, WNOHANG) == workers[i])
				workers[i] = spawn(spawned++, seed);
		}
		if (!pick(5)) {
			i = pick(nprocs);
			kill(workers[i], SIGKILL);
			waitpid(workers[i], &status, 0);
			kills++;
			workers[i] = spawn(spawned++, seed);
		}
	}
	/*
	 * Done: a worker may still sit in a blocking monitor read that no
	 * break will end, or be stopped by a strict-mode SIGSTOP.
	 */
	for (i = 0; i < nprocs; i++) {
		kill(workers[i], SIGKILL);
		waitpid(workers[i], &status, 0);
	}

	/* Records are freed after an RCU grace period: give them time. */
	for (waited = 0; waited < 100; waited++) {
		records = read_module_value("records");
		isolated = read_module_value("isolated");
		if (!records && !isolated)
			break;
		nanosleep(&ts, NULL);
	}
	printf("# %ld calls by %u workers (%u killed mid-run), %ld isolations\n",
	       stats->calls, spawned, kills, stats->isolations);
	printf("# errnos:");
	for (e = 0; e < (int)(sizeof(stats->by_errno) / sizeof(stats->by_errno[0])); e++)
		if (stats->by_errno[e])
			printf(" %s=%ld", strerrorname_np(e) ?: "?", stats->by_errno[e]);
	printf("\n");

	if (stats->bad)
		printf("# %ld bad returns; first: %s\n", stats->bad, stats->first_bad);
	printf("%sok - fuzz: %ld calls from %u processes return 0 or a documented errno\n",
	       stats->bad ? "not " : "", stats->calls, spawned);
	ok &= !stats->bad;
	printf("%sok - fuzz: some calls armed isolation (%ld)\n",
	       stats->isolations ? "" : "not ", stats->isolations);
	ok &= stats->isolations > 0;
	printf("%sok - fuzz: afterwards no task isolated (%ld) and no live record (%ld)\n",
	       !records && !isolated ? "" : "not ", isolated, records);
	ok &= !records && !isolated;
	return ok ? 0 : 1;
}

# desc: isolctl run -v: a thread that moved off its CPU before the module armed it is said to have left, not to be pinned to a CPU that is not nohz_full
. "$(dirname "$0")/isolctl.inc"

cat >"$tmp/driver.c" <<'DRIVER'
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

/* The module's answer for a thread now on CPU 0: moved meanwhile. */
int ioctl(int fd, unsigned long req, ...)
{
	struct isol_enable *e;
	va_list ap;

	(void)fd;
	va_start(ap, req);
	e = va_arg(ap, struct isol_enable *);
	va_end(ap);
	if (req != ISOL_IOC_ENABLE_THREAD) {
		errno = ENOTTY;
		return -1;
	}
	e->reason = ISOL_REASON_NOT_NOHZ_FULL;
	e->cpu = 0;
	errno = EINVAL;
	return -1;
}

int main(void)
{
	static char *cmd[] = { "app", NULL };
	static struct run_report r = { .argv = cmd, .pid = 100, .cpu = 1,
				       .have_state = true };
	struct cpuset nohz;
	char err[64];
	int i;
	struct arm_ctl ac = { .enabled = true, .verbose = true, .nohz = &nohz,
			      .fd = 3, .opts = { .mode = ISOL_MODE_LOG_ONLY } };

	cpulist_parse("1-3", &nohz, err, sizeof(err));
	arm_threads(&r, &ac);
	fflush(stderr);
	for (i = 0; i < r.nr_arms; i++)
		printf("%d cpu %d state %d tries %d\n", r.arms[i].tid,
		       r.arms[i].cpu, r.arms[i].state, r.arms[i].tries);
	return 0;
}
DRIVER
build_driver driver

P=$tmp/proc
S=$tmp/sys
export ISOLCTL_PROC_ROOT=$P ISOLCTL_SYSFS_ROOT=$S
thread "S (sleeping)" 1 100 100 app
thread "R (running)" 2 100 101 worker0
cpu 1 isolated "100 app"
cpu 2 free -
cpu 3 free -

"$tmp/driver" >"$tmp/out" 2>"$tmp/err" || fail "the driver failed: $(cat "$tmp/err")"
grep -qx "isolctl: thread worker0\[101\] left cpu 2 before it was armed: CPU 0 is not nohz_full" "$tmp/err" ||
	fail "stderr: $(cat "$tmp/err")"
grep -q "pinned to cpu" "$tmp/err" && fail "still says pinned: $(cat "$tmp/err")"
ok "-v says a thread left its CPU before it was armed, not that it is pinned there"
grep -qx "101 cpu 2 state 0 tries 0" "$tmp/out" || fail "arm entry: $(cat "$tmp/out")"
ok "a thread that moved is not counted as a try and is looked at again"

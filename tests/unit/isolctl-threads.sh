# desc: isolctl run: which threads of a command it asks the module to isolate, on fabricated /proc and /sys trees
. "$(dirname "$0")/isolctl.inc"

cat >"$tmp/driver.c" <<'DRIVER'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* Two polls of the command 100 (see the tree below); the tree changes between. */
int main(void)
{
	static char *cmd[] = { "app", NULL };
	static struct run_report r = { .argv = cmd, .pid = 100, .cpu = 1,
				       .have_state = true };
	struct cpuset nohz;
	char err[64];
	struct arm_ctl ac = { .enabled = true, .verbose = true, .nohz = &nohz,
			      .opts = { .mode = ISOL_MODE_LOG_ONLY } };
	int i;

	cpulist_parse("1-3", &nohz, err, sizeof(err));
	/* Every request fails (ENOTTY): what matters is who is asked. */
	ac.fd = open("/dev/null", O_RDWR);
	arm_threads(&r, &ac);
	fflush(stderr);
	printf("pass 1\n");
	for (i = 0; i < r.nr_arms; i++)
		printf("%d cpu %d state %d tries %d held_by %d %s comm %s\n",
		       r.arms[i].tid, r.arms[i].cpu, r.arms[i].state,
		       r.arms[i].tries, r.arms[i].held_by,
		       r.arms[i].held_by_comm, r.arms[i].comm);
	report_text(&r, stdout);
	fflush(stdout);
	if (getchar() == EOF)
		return 1;
	arm_threads(&r, &ac);
	fflush(stderr);
	printf("pass 2\n");
	for (i = 0; i < r.nr_arms; i++)
		printf("%d cpu %d state %d tries %d held_by %d comm %s\n", r.arms[i].tid,
		       r.arms[i].cpu, r.arms[i].state, r.arms[i].tries,
		       r.arms[i].held_by, r.arms[i].comm);
	report_json(&r, stdout);
	return 0;
}
DRIVER
build_driver driver

P=$tmp/proc
S=$tmp/sys
export ISOLCTL_PROC_ROOT=$P ISOLCTL_SYSFS_ROOT=$S
# The command (isolated on cpu 1, asleep) started process 200.
thread "S (sleeping)" 1 100 100 app "200 "
thread "R (running)" 2 100 101 worker0       # pinned, polling: asked
thread "S (sleeping)" 3 100 102 ctrl         # pinned, asleep: not asked
thread "R (running)" 0-3 100 103 spread      # not pinned: not asked
thread "R (running)" 0 100 104 house         # housekeeping CPU: not asked
thread "R (running)" 1 100 105 sharer        # on the command's CPU: not asked
thread "R (running)" 3 200 200 child         # a descendant's thread: asked
cpu 1 isolated "100 app"
cpu 2 free -
cpu 3 free -

mkfifo "$tmp/go"
"$tmp/driver" <"$tmp/go" >"$tmp/out" 2>>"$tmp/err" &
pid=$!
exec 3>"$tmp/go"
for i in $(seq 100); do grep -q "^pass 1" "$tmp/out" 2>/dev/null && break; sleep 0.1; done
grep -q "^pass 1" "$tmp/out" || fail "the first poll did not finish: $(cat "$tmp/err")"

asked=$(sed -n 's/^isolctl: thread \([a-z0-9]*\[[0-9]*\]\) pinned to cpu \([0-9]\): .*/\1@\2/p' "$tmp/err" | sort | tr '\n' ' ')
[ "$asked" = "child[200]@3 worker0[101]@2 " ] ||
	fail "first poll asked for '$asked', want child[200]@3 and worker0[101]@2; stderr: $(cat "$tmp/err")"
ok "a poll asks for the running threads pinned to a free nohz_full CPU, descendants included, and no other"
grep -q "^105 cpu 1 state 0 tries 0 held_by 100 app comm sharer" "$tmp/out" ||
	fail "the thread on the command's CPU is not known as sharing it: $(cat "$tmp/out")"
grep -q "^100 cpu 1 state 2 " "$tmp/out" || fail "the command's thread is not known as isolated"
grep -qx "  thread sharer\[105\] pinned to cpu 1: not isolated: it shares the cpu with isolated app\[100\]" "$tmp/out" ||
	fail "the text report does not name who holds the sharer's CPU: $(grep sharer "$tmp/out")"
ok "a thread on an isolated task's CPU is not asked for, and the report names who holds the CPU"

# Between the polls: worker0 moves to cpu 3, ctrl wakes up, the sharer exits.
thread "R (running)" 3 100 101 worker0
thread "R (running)" 3 100 102 ctrl
rm -r "$P/100/task/105"
: >"$tmp/err"
echo >&3
exec 3>&-
wait $pid || fail "the driver failed: $(cat "$tmp/err")"
asked=$(sed -n 's/^isolctl: thread \([a-z0-9]*\[[0-9]*\]\) pinned to cpu \([0-9]\): .*/\1@\2/p' "$tmp/err" | sort | tr '\n' ' ')
[ "$asked" = "ctrl[102]@3 worker0[101]@3 " ] ||
	fail "second poll asked for '$asked', want ctrl[102]@3 and worker0[101]@3 (child[200] gave up): $(cat "$tmp/out" "$tmp/err")"
ok "a thread pinned somewhere new is asked again; one that woke up is asked; one that failed is not asked again"
sed -n '/^pass 2/,/^{/p' "$tmp/out" | grep -q "^105 " && fail "the sharer that exited is still tracked"
ok "threads that are gone and were never asked for are forgotten"
json=$(sed -n '/^{/,$p' "$tmp/out")
[ "$(jq -c '[.not_isolated[] | [.tid, .cpu]] | sort' <<<"$json")" = '[[101,3],[102,3],[200,3]]' ] ||
	fail "not_isolated: $(jq -c .not_isolated <<<"$json")"
[ "$(jq -r '.not_isolated[0].reason' <<<"$json")" = "Inappropriate ioctl for device" ] ||
	fail "reason: $(jq -r '.not_isolated[0].reason' <<<"$json")"
ok "the JSON report lists the threads not isolated, with the module's reason"

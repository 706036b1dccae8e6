# desc: the guest log scanner flags each kind of kernel trouble and passes a clean log
set -u
scan=$(dirname "$0")/../harness/scan-log.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clean='[    2.9] Run /init as init process
[    0.0] kmemleak: Kernel memory leak detector initialized (mem pool available: 38123)
[    3.1] task_isolation: version 0.1.0, nohz_full CPUs 1-3
[   44.2] kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
[   44.2] kmemleak: 1 new suspected memory leak (see /sys/kernel/debug/kmemleak)
[    4.7] reboot: Power down'
printf '%s\n' "$clean" >"$tmp/clean"
bash "$scan" "$tmp/clean" || { echo "clean log flagged"; exit 1; }
: >"$tmp/empty"
if bash "$scan" "$tmp/empty" >/dev/null || bash "$scan" "$tmp/none" >/dev/null; then
	echo "a missing or empty log passed"
	exit 1
fi
while IFS= read -r bad; do
	printf '%s\n%s\n' "$clean" "$bad" >"$tmp/bad"
	if bash "$scan" "$tmp/bad" >/dev/null; then
		echo "not flagged: $bad"
		exit 1
	fi
done <<'LINES'
[   5.0] BUG: kernel NULL pointer dereference, address: 0000000000000000
[   5.0] WARNING: CPU: 1 PID: 77 at module/isol_main.c:10 isol_init+0x1/0x2
[   5.0] Oops: 0002 [#1] PREEMPT SMP NOPTI
[   5.0] Kernel panic - not syncing: panic_on_warn set ...
[   5.0] WARNING: possible circular locking dependency detected
[   5.0] BUG: KASAN: slab-use-after-free in isol_exit+0x10/0x20
[   5.0] INFO: task insmod:80 blocked for more than 5 seconds.
[   5.0] watchdog: BUG: soft lockup - CPU#2 stuck for 22s! [loop:90]
[   5.0] rcu: INFO: rcu_preempt self-detected stall on CPU
[   5.0] BUG kmalloc-64 (Tainted: G  O E): Poison overwritten
[   5.0] UBSAN: shift-out-of-bounds in module/isol_main.c:12:3
[   5.0] list_add corruption. prev->next should be next (ffff8880), but was 0
[   5.0] BUG: KASAN: use-after-free in isol_release+0x2a/0x90 [task_isolation]
[   5.0] UBSAN: array-index-out-of-bounds in module/hooks.c:40:9
[   5.0] WARNING: suspicious RCU usage
[   5.0] WARNING: inconsistent lock state
[   5.0] WARNING: possible recursive locking detected
[   5.0] WARNING: possible irq lock inversion dependency detected
[   5.0] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
[   5.0] BUG: scheduling while atomic: isol_core/95/0x00000002
[   5.0] INFO: trying to register non-static key.
[   5.0] DEBUG_LOCKS_WARN_ON(1)
[   5.0] kmemleak: Cannot allocate a kmemleak_object structure
[   5.0] kmemleak: Kernel memory leak detector disabled
LINES
exit 0

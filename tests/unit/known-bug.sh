# desc: a guest log whose only trouble is a listed kernel bug is told apart; anything more is not
set -u
known=$(dirname "$0")/../harness/known-bug.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' 'sid-rt  stress  affine_move_task  why it is the kernel'"'"'s' >"$tmp/list"
export KNOWN_KERNEL_BUGS=$tmp/list
report='[   11.2] WARNING: CPU: 3 PID: 412 at kernel/sched/core.c:3105 affine_move_task+0x4c0/0x5d0
[   11.2] Modules linked in: task_isolation(OE) isol_fault(OE)
[   11.2] RIP: 0010:affine_move_task+0x4c0/0x5d0
[   11.2] Call Trace:
[   11.2]  __set_cpus_allowed_ptr+0x66/0xc0
[   11.2]  ___migrate_enable+0x4f/0x70
[   11.2]  rt_write_unlock+0x139/0x140
[   11.2]  do_exit+0x601/0xb60
[   11.2] RIP: 0033:0x7fc79b187409
[   11.2] Kernel panic - not syncing: kernel: panic_on_warn set ...'
printf '%s\n' "$report" >"$tmp/log"
out=$(bash "$known" sid-rt stress "$tmp/log") || { echo "the listed bug was not told apart"; exit 1; }
[ "$out" = "affine_move_task: why it is the kernel's" ] || { echo "reason: $out"; exit 1; }
no() {
	if bash "$known" "$@" >/dev/null; then
		echo "taken for a known bug: $*"
		exit 1
	fi
}
# panic_on_warn's own dump of the same spot: still the one report.
{ cat "$tmp/log"; echo '[   11.3] RIP: 0010:affine_move_task+0x4c0/0x5d0'; } >"$tmp/panic"
bash "$known" sid-rt stress "$tmp/panic" >/dev/null || { echo "the panic's dump hid the listed bug"; exit 1; }
{ cat "$tmp/log"; echo '[   11.3] RIP: 0010:isol_exit+0x10/0x20'; } >"$tmp/elsewhere"
no sid-rt stress "$tmp/elsewhere"
no sid stress "$tmp/log"
no sid-rt nohz "$tmp/log"
sed 's/do_exit+0x601/isol_probe_exit+0x10\/0x20 [task_isolation]\n&/' "$tmp/log" >"$tmp/ours"
no sid-rt stress "$tmp/ours"
sed 's/affine_move_task/move_queued_task/g' "$tmp/log" >"$tmp/other"
no sid-rt stress "$tmp/other"
{ cat "$tmp/log"; echo '[   12.0] WARNING: CPU: 1 PID: 9 at mm/slub.c:10 f+0x1/0x2'; } >"$tmp/two"
no sid-rt stress "$tmp/two"
{ cat "$tmp/log"; echo '[   12.0] BUG: KASAN: slab-use-after-free in isol_exit+0x10/0x20'; } >"$tmp/kasan"
no sid-rt stress "$tmp/kasan"
no sid-rt stress "$tmp/missing"
echo "ok - known kernel bugs told apart from everything else"

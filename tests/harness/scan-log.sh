#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print every line of a guest console log that shows the kernel broke:
# BUG, WARNING, Oops, panic, lockdep, KASAN/UBSAN/kmemleak, slab debug
# reports, hung tasks, lockups and RCU stalls. Exit 1 when there is one.
set -u
[ $# -eq 1 ] || {
	echo "usage: scan-log.sh CONSOLE_LOG" >&2
	exit 2
}
if [ ! -s "$1" ]; then
	echo "$1: missing or empty: the guest never started"
	exit 1
fi
patterns=(
	'BUG:' 'BUG kmalloc' 'kernel BUG at' 'WARNING:' 'Oops' 'Kernel panic'
	'general protection fault' 'Call Trace:' 'RIP: '
	'possible circular locking' 'possible recursive locking'
	'inconsistent lock state' 'suspicious RCU usage' 'lock held when returning'
	'possible irq lock inversion' 'bad unlock balance' 'held lock freed'
	'lock held at task exit' 'trying to register non-static key'
	'DEBUG_LOCKS_WARN_ON' 'sleeping function called from invalid context'
	'scheduling while atomic'
	'KASAN' 'UBSAN' 'kmemleak' 'Poison overwritten' 'Redzone' 'Object padding'
	'list_add corruption' 'list_del corruption' 'refcount_t:'
	'blocked for more than' 'soft lockup' 'hard LOCKUP'
	'detected stall' 'self-detected stall'
)
# kmemleak lines that are no trouble in themselves: its boot banner, and
# the summary a requested scan prints. Whether a leak fails the run is the
# guest's kmemleak case's call (a leak in the module does, others do not).
benign=(
	'kmemleak: Kernel memory leak detector initialized'
	'kmemleak: Automatic memory scanning thread'
	'kmemleak: [0-9]+ new suspected memory leaks? \(see /sys/kernel/debug/kmemleak\)'
)
args=() ok=()
for p in "${patterns[@]}"; do
	args+=(-e "$p")
done
for p in "${benign[@]}"; do
	ok+=(-e "$p")
done
if grep -a -F -n "${args[@]}" "$1" | grep -a -v -E "${ok[@]}"; then
	exit 1
fi
exit 0

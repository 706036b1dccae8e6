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
	'KASAN' 'UBSAN' 'kmemleak' 'Poison overwritten' 'Redzone' 'Object padding'
	'list_add corruption' 'list_del corruption' 'refcount_t:'
	'blocked for more than' 'soft lockup' 'hard LOCKUP'
	'detected stall' 'self-detected stall'
)
args=()
for p in "${patterns[@]}"; do
	args+=(-e "$p")
done
if grep -F -n "${args[@]}" "$1"; then
	exit 1
fi
exit 0

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# known-bug.sh SERIES PROFILE CONSOLE_LOG: when the log's only trouble is a
# kernel bug listed in known-kernel-bugs for that series and profile, print
# the entry's reason and exit 0; otherwise exit 1.
set -u
[ $# -eq 3 ] || {
	echo "usage: known-bug.sh SERIES PROFILE CONSOLE_LOG" >&2
	exit 2
}
series=$1 profile=$2 log=$3
list=${KNOWN_KERNEL_BUGS:-$(dirname "$0")/known-kernel-bugs}
[ -s "$log" ] || exit 1
# A frame of the module anywhere, or more than one report: not known.
grep -aq '\[task_isolation\]' "$log" && exit 1
[ "$(grep -ac 'WARNING:' "$log")" = 1 ] || exit 1
# Nothing but that one report: no BUG, Oops, lockdep or sanitizer line.
grep -aqE 'BUG:|BUG kmalloc|Oops|KASAN|UBSAN|lockdep|circular locking|stall|blocked for more than|lockup' "$log" && exit 1
while read -r s p func why; do
	case "$s" in '#'* | '') continue ;; esac
	# shellcheck disable=SC2254
	case "$series" in $s) ;; *) continue ;; esac
	# shellcheck disable=SC2254
	case "$profile" in $p) ;; *) continue ;; esac
	# Every kernel RIP in the function: the WARN's, and panic_on_warn's
	# dump of the same spot when the panic prints one.
	if grep -aq "RIP: 0010:$func+" "$log" &&
		! grep -a 'RIP: 0010:' "$log" | grep -avq "RIP: 0010:$func+"; then
		echo "$func: $why"
		exit 0
	fi
done <"$list"
exit 1

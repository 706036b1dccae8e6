# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test cases. Sourced by each case.

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "$*"
	exit 77
}

# Report one test point of a case that checks several things.
point() {
	local status=$1
	shift
	if [ "$status" = ok ]; then
		echo "ok - $*" >>"$ISOL_RESULTS"
	else
		echo "not ok - $*" >>"$ISOL_RESULTS"
	fi
}

# Kernel messages logged since mark_log was called.
mark_log() {
	LOG_MARK=$(dmesg | wc -l)
}

log_since_mark() {
	dmesg | tail -n +$((LOG_MARK + 1))
}

# The fair deadline server (6.8+) re-arms a timer and kicks the tick on a
# nohz_full CPU about once a second. Turning it off on a CPU that runs one
# task is what isolctl does as a visible policy; tests that need a quiet
# CPU do the same. No-op where the kernel has no fair server.
# 6.12 refuses the write (EBUSY) on CPUs in isolcpus=domain; only what was
# changed is restored, as writing the unchanged value back has tripped a
# WARN (dl_rq_change_utilization) there once tasks were isolated.
fair_server_off() {
	local c f old
	for c in "$@"; do
		f=/sys/kernel/debug/sched/fair_server/cpu$c/runtime
		[ -e "$f" ] || continue
		old=$(cat "$f")
		echo 0 2>/dev/null >"$f" && echo "$old" >"/tmp/fair_server.cpu$c"
	done
}

fair_server_restore() {
	local s c
	for s in /tmp/fair_server.cpu*; do
		[ -e "$s" ] || continue
		c=${s#/tmp/fair_server.cpu}
		cat "$s" >"/sys/kernel/debug/sched/fair_server/cpu$c/runtime"
		rm -f "$s"
	done
}

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

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

# The module tools are kmod's, as on a user's machine. /sbin/modprobe and
# the rest are links to kmod, but Debian's busybox-static shell runs its
# own applet for a bare "modprobe" before it looks at PATH (it is built to
# prefer applets). busybox's modprobe and insmod first hand the file to
# finit_module() as it is, so a compressed module (DKMS's .ko.xz on 6.12)
# makes the kernel log "Invalid ELF header magic: != ELF" before busybox
# decompresses it and loads it with init_module(). kmod 30, Debian 12's,
# decompresses in userspace and logs nothing. A shell function comes
# before an applet, so these route every case's calls to kmod.
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
depmod() { /sbin/depmod "$@"; }

# Unload the module, allowing the cleanup of a task that just died isolated
# (a grace period and the hooks' removal, on the module's workqueue, which
# holds a reference to the module until it is done) up to 5 s to finish.
unload_module() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rmmod task_isolation 2>/dev/null && return 0
		sleep 0.5
	done
	rmmod task_isolation && return 0
	# Who still holds it: open files of the device, or a pending cleanup.
	echo "# task_isolation refcnt $(cat /sys/module/task_isolation/refcnt)"
	for fd in /proc/[0-9]*/fd/*; do
		case "$(readlink "$fd" 2>/dev/null)" in
		*task_isolation*)
			echo "# open: $fd ($(cut -d' ' -f2-3 "${fd%/fd/*}/stat" 2>/dev/null))"
			sed 's/^/#   /' "${fd%/fd/*}/stack" 2>/dev/null
			;;
		esac
	done
	return 1
}

# desc: breaks reach the kernel log only with log_breaks=1, logged from a housekeeping CPU
# profiles: nohz dkms
. /tests/lib.sh
# Default: off; the monitor stream and the trace events carry every break.
modprobe task_isolation || fail "modprobe failed"
[ "$(cat /sys/module/task_isolation/parameters/log_breaks)" = N ] ||
	fail "log_breaks does not default to N"
mark_log
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
log_since_mark | grep 'isolation broken' && fail "break logged with log_breaks=N"
unload_module || fail "rmmod failed"

# At load time, as modprobe.d would set it. The break is logged, and the
# logging itself causes no second break on the isolated CPU.
modprobe task_isolation log_breaks=1 || fail "modprobe log_breaks=1 failed"
[ "$(cat /sys/module/task_isolation/parameters/log_breaks)" = Y ] ||
	fail "log_breaks=1 not in effect"
mark_log
isol_core one-break || fail "with log_breaks=1, logging a break broke isolation again"
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
# The log work runs on the unbound workqueue: wait for it, up to 10 s.
logged() {
	local i
	for i in $(seq 100); do
		log_since_mark | grep -q "$1" && return 0
		sleep 0.1
	done
	return 1
}
logged 'isolation broken: syscall' || fail "break not logged with log_breaks=1"
# Off at run time: a break then is never logged, not even once logging is
# back on and the next break is.
echo 0 >/sys/module/task_isolation/parameters/log_breaks
mark_log
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
echo 1 >/sys/module/task_isolation/parameters/log_breaks
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
logged 'isolation broken' || fail "break not logged once log_breaks was back on"
# The break before it, with logging off, would have been queued first.
sleep 1
n=$(log_since_mark | grep -c 'isolation broken')
[ "$n" = 1 ] || fail "$n breaks logged, want the one after log_breaks=1"
unload_module || fail "rmmod failed"
exit 0

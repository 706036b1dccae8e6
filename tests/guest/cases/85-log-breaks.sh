# desc: log_breaks=0 keeps breaks out of the kernel log, the default logs them
# profiles: nohz dkms
. /tests/lib.sh
# Enabling retries past the 6.12 fair server's tick kicks.
# Default: a strict-mode syscall break is logged.
modprobe task_isolation || fail "modprobe failed"
[ "$(cat /sys/module/task_isolation/parameters/log_breaks)" = Y ] ||
	fail "log_breaks does not default to Y"
mark_log
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
log_since_mark | grep -q 'isolation broken: syscall' ||
	fail "break not logged with log_breaks=Y"
rmmod task_isolation || fail "rmmod failed"

# At load time, as modprobe.d would set it.
modprobe task_isolation log_breaks=0 || fail "modprobe log_breaks=0 failed"
[ "$(cat /sys/module/task_isolation/parameters/log_breaks)" = N ] ||
	fail "log_breaks=0 not in effect"
mark_log
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
log_since_mark | grep 'isolation broken' && fail "break logged with log_breaks=0"
# And back on at run time.
echo 1 >/sys/module/task_isolation/parameters/log_breaks
mark_log
isol_core syscall-usr1 || fail "isol_core syscall-usr1 failed"
log_since_mark | grep -q 'isolation broken: syscall' ||
	fail "break not logged after setting log_breaks=1 at run time"
rmmod task_isolation || fail "rmmod failed"
exit 0

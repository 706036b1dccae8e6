# desc: /dev/task_isolation appears as a char device, root:root, mode 0600
# profiles: nohz plain dkms ibt
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
[ -c /dev/task_isolation ] || fail "no char device /dev/task_isolation"
st=$(stat -c '%A %U %G' /dev/task_isolation)
echo "$st"
[ "$st" = "crw------- root root" ] || fail "expected 'crw------- root root', got '$st'"
grep -q ' task_isolation$' /proc/misc || fail "not in /proc/misc"
rmmod task_isolation || fail "rmmod failed"
[ -e /dev/task_isolation ] && fail "node left behind after rmmod"
exit 0

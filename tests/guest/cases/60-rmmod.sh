# desc: rmmod while a task is isolated is refused, and works once it leaves, at once after a handled strict break
# profiles: nohz
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
rm -f /tmp/hold
isol_core hold 2 /tmp/hold &
pid=$!
i=0
while [ "$(cat /sys/class/misc/task_isolation/isolated)" != 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "task never became isolated"
	sleep 0.1
done
rmmod task_isolation 2>/tmp/rmmod.err && fail "rmmod succeeded while isolated"
cat /tmp/rmmod.err
grep -q '^task_isolation ' /proc/modules || fail "module gone while isolated"
printf 'x' | dd of=/tmp/hold conv=notrunc 2>/dev/null
wait $pid || fail "isolated task exited with $?"
rmmod task_isolation || fail "rmmod failed after the task left"
modprobe task_isolation || fail "modprobe failed"
isol_core unload-after-break 2 ||
	fail "unload right after a handled strict break and close(): status $?"
grep -q '^task_isolation ' /proc/modules && fail "module still loaded"
exit 0

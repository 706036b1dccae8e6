# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make demo'. Output between the markers is shown to the user.
. /tests/lib.sh
echo "=== demo: task isolation on $(uname -r)"
echo "\$ cat /sys/devices/system/cpu/nohz_full"
cat /sys/devices/system/cpu/nohz_full
echo "\$ modprobe task_isolation"
dmesg -n 1
modprobe task_isolation
dmesg | grep 'task_isolation: version'
echo "\$ ls -l /dev/task_isolation"
ls -l /dev/task_isolation
if [ -d /sys/kernel/debug/sched/fair_server ]; then
	echo "# policy: fair server off on CPUs 1-3 (it kicks the tick every second on 6.8+)"
	fair_server_off 1 2 3
fi
echo "\$ isol_demo"
isol_demo
echo "\$ dmesg | grep 'isolation broken'"
dmesg | grep 'isolation broken'
echo "\$ cd /sys/class/misc/task_isolation/cpu2; head -n 7 task state breaks"
(cd /sys/class/misc/task_isolation/cpu2 && head -n 7 task state breaks)
echo "\$ cat /sys/class/misc/task_isolation/hooks   # armed only while a task is isolated"
cat /sys/class/misc/task_isolation/hooks
fair_server_restore
echo "=== end of demo"

# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make demo'. Output between the markers is shown to the user.
echo "=== demo: task isolation on $(uname -r)"
echo "\$ cat /sys/devices/system/cpu/nohz_full"
cat /sys/devices/system/cpu/nohz_full
echo "\$ modprobe task_isolation"
modprobe task_isolation
dmesg | grep 'task_isolation: version'
echo "\$ ls -l /dev/task_isolation"
ls -l /dev/task_isolation
echo "\$ modinfo task_isolation"
modinfo task_isolation | grep -e '^version' -e '^description' -e '^vermagic'
echo "=== end of demo"

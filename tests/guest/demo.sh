# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make demo'. Output between the markers is shown to the user.
. /tests/lib.sh
show() {
	echo "\$ $*"
	"$@"
}
echo "=== demo: task isolation on $(uname -r)"
echo "\$ cat /sys/devices/system/cpu/nohz_full"
cat /sys/devices/system/cpu/nohz_full
dmesg -n 1
# The guest's init turned the fair server (6.8+) off on CPUs 1-3 at boot.
echo "# 1. A busy loop, log-only: every kernel entry is counted (isolctl loads the module)"
show isolctl run -c 2 -- isol_spin spin 3000
echo "# 2. A program that sleeps: its syscalls are self-inflicted breaks"
show isolctl run -c 2 -- isol_spin sleep 5 100
echo "# 3. Another process is pinned onto CPU 3 while a busy loop runs there"
echo "\$ isolctl run -c 3 -- isol_spin spin 3000 & sleep 1; taskset -c 3 true"
isolctl run -c 3 -- isol_spin spin 3000 &
sleep 1
taskset -c 3 true
wait
echo "# 4. Strict mode: the first break (here a page fault of start-up) kills"
echo "\$ isolctl run -c 2 --strict --signal USR1 -- isol_spin spin 1000; echo \"exit \$?\""
isolctl run -c 2 --strict --signal USR1 -- isol_spin spin 1000
echo "exit $?"
echo "# 5. A program that isolates itself through libisol"
show isol_demo
echo "\$ cd /sys/class/misc/task_isolation/cpu2; head -n 7 task state breaks"
(cd /sys/class/misc/task_isolation/cpu2 && head -n 7 task state breaks)
show isolctl status
echo "=== end of demo"

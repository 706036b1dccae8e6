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
if command -v dpdk-testpmd >/dev/null; then
	echo "# 6. A DPDK program no one here changed: testpmd's EAL moves its main lcore"
	echo "#    to CPU 0 and pins its forwarding lcore to CPU 2; isolctl isolates"
	echo "#    the lcore where it lands (stopped with SIGTERM)"
	tpmd="dpdk-testpmd -l 0,2 --main-lcore 0 --no-huge --no-pci --no-shconf
		--no-telemetry -m 64 --vdev net_null0 --vdev net_null1 --
		--nb-cores=1 --total-num-mbufs=2048 --rxd=64 --txd=64
		--forward-mode=io --stats-period 2"
	echo "\$ isolctl run -c 1 -v -- $(echo $tpmd) >/dev/null"
	isolctl run -c 1 -v -- $tpmd </dev/null >/dev/null 2>/tmp/demo-tpmd.err &
	for i in $(seq 120); do
		grep -qx isolated /sys/class/misc/task_isolation/cpu2/state && break
		sleep 0.5
	done
	sleep 2
	kill -TERM $!
	wait
	grep -v '^EAL\|^testpmd:' /tmp/demo-tpmd.err
fi
if command -v oslat >/dev/null; then
	echo "# 7. oslat, a latency tool no one here wrote: its polling thread on CPU 2"
	echo "#    is isolated; its own figures, then the module's, for the same run"
	show isolctl run -c 1 -- oslat -c 2 -D 3
fi
show isolctl status
echo "=== end of demo"

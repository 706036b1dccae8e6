# desc: core isolation rules (isol_core)
# profiles: nohz ibt
# timeout: 180
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
cat /sys/class/misc/task_isolation/hooks
isol_core 2>&1 | tee /tmp/core.out

grep -E '^(not )?ok ' /tmp/core.out >>"$ISOL_RESULTS"
[ "$(cat /sys/class/misc/task_isolation/isolated)" = 0 ] ||
	point fail "no task left isolated after the core tests"
unload_module || point fail "module unloads after the core tests"
exit 0

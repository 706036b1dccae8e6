# desc: stress: arm/disarm on CPUs 1-3 under kills, affinity changes, ptrace, hotplug, rmmod (isol_stress)
# profiles: stress
# timeout: 3600
. /tests/lib.sh
# The first epoch removes the hooks as the last task leaves; later
# reloads alternate with the default, which keeps them (isol_stress).
modprobe task_isolation hooks_linger_ms=0 || fail "modprobe failed"
isol_stress -t "${ISOL_STRESS_SECONDS:-300}" 2>&1 | tee /tmp/stress.out
grep -E '^(not )?ok ' /tmp/stress.out >>"$ISOL_RESULTS"
[ "$(cat /sys/class/misc/task_isolation/isolated)" = 0 ] ||
	point fail "no task left isolated after the stress run"
rmmod task_isolation || point fail "module unloads after the stress run"
exit 0

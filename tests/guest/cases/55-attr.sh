# desc: who broke isolation: attribution, monitor, trace events, status page, sysfs (isol_attr)
# profiles: nohz ibt
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
[ -e /sys/kernel/tracing/trace ] || mount -t tracefs none /sys/kernel/tracing
isol_attr 2>&1 | tee /tmp/attr.out

grep -E '^(not )?ok ' /tmp/attr.out >>"$ISOL_RESULTS"
unload_module || point fail "module unloads after the attribution tests"
exit 0

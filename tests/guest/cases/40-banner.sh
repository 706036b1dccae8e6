# desc: the load banner names the nohz_full CPUs, or says none can be isolated
# profiles: nohz plain
. /tests/lib.sh
mark_log
modprobe task_isolation || fail "modprobe failed"
log=$(log_since_mark | grep 'task_isolation:')
rmmod task_isolation
echo "$log"
[ "$(echo "$log" | wc -l)" -eq 1 ] || fail "expected exactly one line from the module"
if [ "$ISOL_PROFILE" = plain ]; then
	echo "$log" | grep -q 'no nohz_full CPU: no task can be isolated' ||
		fail "no clear 'no nohz_full CPU' line"
else
	echo "$log" | grep -q 'nohz_full CPUs 1-3$' || fail "banner does not name CPUs 1-3"
fi
exit 0

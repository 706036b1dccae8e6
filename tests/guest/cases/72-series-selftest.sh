# desc: the task isolation series' own selftest (v16), unmodified, through libisol-prctl.so
# profiles: nohz
# timeout: 150
. /tests/lib.sh
# Built by make from a copy in the cache (SERIES_SELFTEST, README): the
# series' code is run here, never kept in the tree.
command -v series_isolation >/dev/null ||
	skip "no copy of the series' selftest (v16 tools/testing/selftests/task_isolation/isolation.c at .cache/series/isolation.c, see README)"
# Its test_munmap starts a thread that unmaps 0.5 s after setup and
# expects isolation on by then. With the hooks removed as each test's task
# dies (hooks_linger_ms=0), the next enable waits for that removal (RCU
# tasks grace periods): 0.65 s seen under emulation, so that test failed
# now and then. The default keeps them, and each enable takes a fraction
# of a millisecond.
modprobe task_isolation || fail "modprobe failed"
# One gigacycle of its rdtsc jitter loop: its figures are printed, not
# judged (emulation stretches loop iterations far past its 600 cycles).
LD_PRELOAD=/usr/lib/libisol-prctl.so timeout 120 series_isolation 1 >/tmp/series.out 2>&1
echo "series_isolation exited with status $?"
cat /tmp/series.out
sed '/^testing task isolation jitter/,$d' /tmp/series.out |
	grep -E ': (OK|FAIL)' | grep -v '^/sys devices' >/tmp/series.cases
while IFS= read -r line; do
	case "$line" in
	*": OK"*) point ok "series selftest: ${line%%: OK*}" ;;
	*) point fail "series selftest: $line" ;;
	esac
done </tmp/series.cases
n=$(wc -l </tmp/series.cases)
[ "$n" -ge 12 ] || point fail "series selftest: all 12 functional cases ran ($n did)"
unload_module || fail "rmmod failed"
exit 0

# desc: the patch series' prctl ABI through LD_PRELOAD=libisol-prctl.so
# profiles: nohz
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
[ -r /usr/lib/libisol-prctl.so ] || fail "libisol-prctl.so not in the guest"
LD_PRELOAD=/usr/lib/libisol-prctl.so timeout 50 prctl_compat >/tmp/prctl.out 2>&1
rc=$?
cat /tmp/prctl.out
grep -E '^(not )?ok ' /tmp/prctl.out >>"$ISOL_RESULTS"
[ $rc -eq 0 ] || point fail "prctl_compat exited with status $rc"
unload_module || point fail "module unloads after the prctl checks"
exit 0

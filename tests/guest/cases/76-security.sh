# desc: security: unprivileged users, leaked addresses, initialised structs (isol_sec)
# profiles: nohz
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
isol_sec 2>&1 | tee /tmp/sec.out
grep -E '^(not )?ok ' /tmp/sec.out >>"$ISOL_RESULTS"
unload_module || point fail "module unloads after the security tests"
exit 0

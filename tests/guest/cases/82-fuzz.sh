# desc: ioctl fuzzer: 100,000 calls from several processes, some isolated, some killed
# profiles: nohz
# timeout: 300
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
isol_fuzz -n "${ISOL_FUZZ_CALLS:-100000}" -p 6 2>&1 | tee /tmp/fuzz.out
grep -E '^(not )?ok ' /tmp/fuzz.out >>"$ISOL_RESULTS"
unload_module || point fail "module unloads after the fuzzer"
exit 0

# desc: the DKMS-built module is the one modprobe loads, signed, and isolates a task
# profiles: dkms
. /tests/lib.sh
# kmod's modinfo, as users run it (busybox's knows no signer).
modinfo=/sbin/modinfo
ko=$($modinfo -n task_isolation) || fail "modinfo cannot find the module"
echo "$ko"
case "$ko" in
*/updates/dkms/task_isolation.ko*) ;;
*) fail "modprobe would load $ko, not the DKMS-installed module" ;;
esac
[ "$($modinfo -F vermagic task_isolation | cut -d' ' -f1)" = "$(uname -r)" ] ||
	fail "vermagic does not name $(uname -r)"
signer=$($modinfo -F signer task_isolation)
echo "signer: $signer"
[ "$signer" = "DKMS module signing key" ] || fail "not signed with the DKMS key"
modprobe task_isolation || fail "modprobe failed"
isol_core info syscall-usr1 logonly 2>&1 | tee /tmp/dkms-core.out
grep -E '^(not )?ok ' /tmp/dkms-core.out >>"$ISOL_RESULTS"
rmmod task_isolation || point fail "module unloads after the core tests"
exit 0

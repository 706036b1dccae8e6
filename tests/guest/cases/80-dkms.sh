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
# DKMS compresses the module as the kernel's own modules are (Debian's 6.12:
# CONFIG_MODULE_COMPRESS_XZ, every module .ko.xz; 6.1: none), so a user's
# modprobe loads a .ko.xz there. The guest must load that same file.
config=/boot/config-$(uname -r)
[ -r "$config" ] || fail "no $config in the guest"
want=
for c in GZIP:.gz XZ:.xz ZSTD:.zst; do
	grep -q "^CONFIG_MODULE_COMPRESS_${c%%:*}=y" "$config" && want=${c#*:}
done
echo "kernel compresses modules: ${want:-no}; /sys/module/compression: $(cat /sys/module/compression 2>/dev/null || echo absent)"
[ "${ko##*/}" = "task_isolation.ko$want" ] ||
	fail "DKMS installed ${ko##*/}; for this kernel it installs task_isolation.ko$want"
case "$want" in
.xz) magic=$(unxz -c "$ko" | dd bs=1 skip=1 count=3 2>/dev/null) ;;
.gz) magic=$(gunzip -c "$ko" | dd bs=1 skip=1 count=3 2>/dev/null) ;;
'') magic=$(dd if="$ko" bs=1 skip=1 count=3 2>/dev/null) ;;
*) magic=ELF ;;
esac
[ "$magic" = ELF ] || fail "$ko is not an ELF module compressed as ${want:-nothing}"
[ "$($modinfo -F vermagic task_isolation | cut -d' ' -f1)" = "$(uname -r)" ] ||
	fail "vermagic does not name $(uname -r)"
signer=$($modinfo -F signer task_isolation)
echo "signer: $signer"
[ "$signer" = "DKMS module signing key" ] || fail "not signed with the DKMS key"
modprobe task_isolation || fail "modprobe failed"
isol_core info syscall-usr1 logonly 2>&1 | tee /tmp/dkms-core.out
grep -E '^(not )?ok ' /tmp/dkms-core.out >>"$ISOL_RESULTS"
unload_module || point fail "module unloads after the core tests"
exit 0

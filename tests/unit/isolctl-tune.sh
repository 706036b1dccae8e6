# desc: isolctl tune: persistent files under a DESTDIR-style root, idempotent, reversible, dry-run
. "$(dirname "$0")/isolctl.inc"
build_isolctl
sys=$tmp/sys proc=$tmp/proc root=$tmp/root
export ISOLCTL_SYSFS_ROOT=$sys ISOLCTL_PROC_ROOT=$proc

put $sys/devices/system/cpu/possible 0-7
put $sys/devices/system/cpu/online 0-7
put $sys/devices/system/cpu/nohz_full 2-3
put $proc/cmdline "nohz_full=2-3"
mkdir -p "$root"
sysctl_file=$root/etc/sysctl.d/90-task-isolation.conf
grub_file=$root/etc/default/grub.d/task-isolation.cfg

# Bad input: a clear error, nothing written.
expect 2 "--root needs an absolute path" tune --root relative
expect 2 "no CPU left for housekeeping" tune --root "$root" -c 0-7
expect 2 "does not have" tune --root "$root" -c 2-9
expect 2 "do not go together" tune --now --revert
expect 2 "no --root, --grub or -c" tune --now --root "$root"
[ -z "$(find "$root" -type f)" ] || fail "a refused tune wrote $(find "$root" -type f)"
ok "tune: bad input changes nothing"

expect 0 "would write $sysctl_file" tune --root "$root" --grub --dry-run
[ -z "$(find "$root" -type f)" ] || fail "--dry-run wrote $(find "$root" -type f)"
ok "tune --dry-run writes nothing"

# Default CPUs: the current nohz_full.
expect 0 "wrote      $grub_file" tune --root "$root" --grub
grep -qx 'vm.compact_unevictable_allowed = 0' "$sysctl_file" || fail "sysctl file: $(cat "$sysctl_file")"
grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT nohz_full=2-3 isolcpus=domain,managed_irq,2-3 rcu_nocbs=2-3 irqaffinity=0-1,4-7"' \
	"$grub_file" || fail "grub file: $(cat "$grub_file")"
ok "tune --grub writes the sysctl.d file and the command line for nohz_full 2-3"

before=$(cat "$sysctl_file" "$grub_file")
expect 0 "unchanged  $grub_file" tune --root "$root" --grub
[ "$before" = "$(cat "$sysctl_file" "$grub_file")" ] || fail "a second run changed the files"
ok "tune is idempotent"

expect 0 "wrote      $grub_file" tune --root "$root" --grub -c 4-7
grep -q 'nohz_full=4-7 ' "$grub_file" || fail "-c 4-7 not written: $(cat "$grub_file")"

# A file of the same name that tune did not write is never touched.
put "$grub_file" 'GRUB_TIMEOUT=3'
expect 1 "not written by isolctl tune" tune --root "$root" --grub
expect 1 "not written by isolctl tune" tune --root "$root" --revert
[ "$(cat "$grub_file")" = GRUB_TIMEOUT=3 ] || fail "tune touched a foreign file"
[ -f "$sysctl_file" ] || fail "a refused revert removed the sysctl file"
ok "tune leaves a foreign file alone, on write and on revert, and then changes nothing"

rm "$grub_file"
expect 0 "would remove $sysctl_file" tune --root "$root" --revert --dry-run
[ -f "$sysctl_file" ] || fail "--revert --dry-run removed the file"
expect 0 "removed $sysctl_file" tune --root "$root" --revert
[ -z "$(find "$root" -type f)" ] || fail "--revert left $(find "$root" -type f)"
expect 0 "" tune --root "$root" --revert
ok "tune --revert removes what tune wrote, and twice is fine"

# No nohz_full and no -c: tune says what to give.
put $sys/devices/system/cpu/nohz_full ""
expect 2 "say which CPUs to isolate with -c" tune --root "$root"
expect 1 "no nohz_full CPU" tune --now

# desc: module loads and unloads cleanly, logging only its banner
# profiles: nohz plain dkms ibt
. /tests/lib.sh
# The modprobe that loads it is kmod's, as users run it (see /tests/lib.sh):
# busybox's would log "Invalid ELF header magic" for a compressed module.
modprobe --version | grep -q '^kmod version' || fail "modprobe here is not kmod's"
mark_log
modprobe task_isolation || fail "modprobe failed"
grep -q '^task_isolation ' /proc/modules || fail "not in /proc/modules"
rmmod task_isolation || fail "rmmod failed"
grep -q '^task_isolation ' /proc/modules && fail "still loaded after rmmod"
log=$(log_since_mark)
echo "$log"
# The only lines allowed: our banner, the kernel's one-time taint notes
# for an out-of-tree, unsigned module, and what the emulator's stalls make
# the kernel say on its own.
echo "$log" | grep -v -e 'task_isolation: version ' \
	-e 'hrtimer: interrupt took' -e 'sched: RT throttling activated' \
	-e 'task_isolation: no nohz_full CPU' \
	-e 'loading out-of-tree module taints kernel' \
	-e 'module verification failed' \
	-e 'task_isolation: CET-IBT: quiescing without' | grep . && fail "unexpected log lines"

# The device is complete when its uevent goes out: each nohz_full CPU's
# directory is there for a listener woken by the "add" (isol_uevent).
cpus=
for r in $(tr ',' ' ' </sys/devices/system/cpu/nohz_full); do
	case "$r" in
	*-*) cpus="$cpus $(seq "${r%-*}" "${r#*-}")" ;;
	[0-9]*) cpus="$cpus $r" ;;
	esac
done
# shellcheck disable=SC2086
isol_uevent /sbin/modprobe $cpus || fail "the device was incomplete at its uevent"
rmmod task_isolation || fail "rmmod after the uevent check failed"
exit 0

# desc: quiescing routes are safe under CET-IBT and as complete as the kernel allows
# profiles: nohz ibt
. /tests/lib.sh
# The module never calls a looked-up kernel function without ENDBR64 on a
# kernel built with IBT (or with ibt_simulate=1); what it then cannot do
# is listed as skipped. Debian's IBT kernels (6.12) keep ENDBR64 on the
# work functions it uses, so nothing may be skipped there.
mark_log
modprobe task_isolation || fail "modprobe failed"
q=$(cat /sys/class/misc/task_isolation/quiesce) || fail "no quiesce file"
echo "$q"
field() { echo "$q" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
ibt=$(field ibt) lookup=$(field lookup)
simulate=$(cat /sys/module/task_isolation/parameters/ibt_simulate)
log=$(log_since_mark)
rmmod task_isolation || fail "rmmod failed"

case "$ISOL_PROFILE" in
ibt)
	[ "$simulate" = Y ] || fail "profile ibt but ibt_simulate=$simulate"
	case "$ibt" in simulated*) ;; *) fail "ibt line says '$ibt'" ;; esac
	;;
*)
	[ "$simulate" = N ] || fail "ibt_simulate=$simulate by default"
	;;
esac
case "$ibt" in
no)
	[ "$lookup" = kallsyms_lookup_name ] || fail "lookup through '$lookup' without IBT"
	;;
*)
	# kallsyms_lookup_name is sealed on IBT kernels (checked on 6.12).
	[ "$lookup" = /proc/kallsyms ] || fail "lookup through '$lookup' with IBT"
	;;
esac
# The hrtimer bases are data: read, never called, found on every route.
[ "$(field tick_test)" = hrtimer_bases ] || fail "tick test skipped"
skipped=$(echo "$q" | awk '$2 == "skipped" { print $1 }' | tr '\n' ' ')
echo "skipped: ${skipped:-none}"
case "$ibt" in
*"kernel built with IBT")
	# The work functions used keep their ENDBR64: nothing is lost.
	[ -z "$skipped" ] || fail "steps skipped on an IBT kernel: $skipped"
	;;
simulated)
	# A kernel without IBT has no ENDBR64 anywhere: every call is refused.
	[ "$skipped" = "lru_drain vmstat memcg " ] ||
		fail "skipped '$skipped', expected lru_drain vmstat memcg"
	;;
esac
n=$(echo "$log" | grep -c 'quiescing without.*task_isolation/quiesce')
if [ -n "$skipped" ]; then
	[ "$n" = 1 ] || fail "skipped '$skipped' but $n load lines say so"
else
	[ "$n" = 0 ] || fail "nothing skipped but the load log says so"
fi
exit 0

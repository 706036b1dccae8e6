# desc: modinfo shows license, version, description, author and described parameters
# profiles: nohz dkms
. /tests/lib.sh
ko=$(modinfo -n task_isolation) || fail "modinfo cannot find the module"
echo "$ko"
for field in license version description author; do
	v=$(modinfo -F "$field" task_isolation)
	echo "$field: $v"
	[ -n "$v" ] || fail "no $field"
done
[ "$(modinfo -F license task_isolation)" = GPL ] || fail "license is not GPL"
# Every parameter has a description, as kmod's modinfo (the one users
# run, and the one /tests/lib.sh gives the cases) prints it:
# "name:description (type)".
parms=$(modinfo -F parm task_isolation)
echo "$parms"
echo "$parms" | grep -q '^log_breaks:' || fail "no log_breaks parameter"
echo "$parms" | grep -v -E '^[a-z0-9_]+:[^ (].*\([a-z]+\)$' | grep . &&
	fail "a parameter without a description"
exit 0

# desc: modinfo shows license, version, description and author
# profiles: nohz
. /tests/lib.sh
ko=$(modinfo -n task_isolation) || fail "modinfo cannot find the module"
echo "$ko"
for field in license version description author; do
	v=$(modinfo -F "$field" task_isolation)
	echo "$field: $v"
	[ -n "$v" ] || fail "no $field"
done
[ "$(modinfo -F license task_isolation)" = GPL ] || fail "license is not GPL"
exit 0

# desc: leak detector: no leaked object was allocated by the module (debug kernel)
# profiles: nohz plain stress
# timeout: 300
# kmemleak. Runs after every other case of the profile. Two scans with a pause: an
# object whose contents changed since the last scan is not reported yet,
# and objects younger than 5 s are never. A leak whose allocation backtrace
# passes through the module fails; other leaks (boot-time false positives,
# the kernel's own) are passed on as comments. After rmmod the module's
# frames print as bare addresses, so a bare address in module space counts
# as the module's too: no other module is loaded in the guest.
. /tests/lib.sh
km=/sys/kernel/debug/kmemleak
# Nothing this prints to the console names kmemleak unless the module
# leaked: the log scanner flags the word (this file's name included).
[ -e "$km" ] || skip "no leak detector in this kernel (make check-debug runs the debug kernel)"
lsmod | grep -q '^task_isolation ' && { rmmod task_isolation || fail "rmmod failed"; }
echo scan >"$km" || fail "kmemleak scan failed"
sleep 6
echo scan >"$km" || fail "kmemleak scan failed"
cat "$km" >/tmp/kmemleak.txt

# One record per "unreferenced object"; "M" marks those of the module.
awk '
function flush() {
	if (rec == "")
		return
	mod = (rec ~ /\[(task_isolation|isol_fault)\]/ || rec ~ /\] 0xffffffff[a-f]/)
	printf "%s\t%s\t%s\n", (mod ? "M" : "-"), head, where
	if (mod)
		print rec >"/tmp/kmemleak.module"
	rec = ""
}
/^unreferenced object/ {
	flush()
	rec = $0
	where = ""
	head = match($0, /size [0-9]+/) ? substr($0, RSTART, RLENGTH) : "size ?"
	next
}
{ rec = rec "\n" $0 }
/^ *comm "/ { c = $2 " " $3 " " $4; sub(/,$/, "", c); head = head ", comm " c }
/^ *\[</ && where == "" {
	sym = $2
	if (sym !~ /kmemleak|kmalloc|kmem_cache|slab|alloc_pages|kasan|kzalloc|kvmalloc|vmalloc|krealloc|kmemdup|kstrdup|__alloc|kmalloc_trace/)
		where = sym " " $3
}
END { flush() }' /tmp/kmemleak.txt >/tmp/kmemleak.list

total=$(grep -c . /tmp/kmemleak.list)
mine=$(grep -c '^M' /tmp/kmemleak.list)
echo "leak check: $total suspected leak(s), $mine from task_isolation"
grep '^-' /tmp/kmemleak.list | head -n 20 | while IFS="$(printf '\t')" read -r _ head where; do
	echo "# kmemleak, not the module: $head, allocated in ${where:-?}" >>"$ISOL_RESULTS"
done
[ "$total" -gt 20 ] && echo "# kmemleak: ... $((total - 20)) more" >>"$ISOL_RESULTS"
if [ "$mine" -eq 0 ]; then
	point ok "kmemleak: no leaked object allocated by task_isolation ($total other suspected leaks)"
else
	point fail "kmemleak: $mine leaked object(s) allocated by the module (or our fault injector)"
	cat /tmp/kmemleak.module
	sed 's/^/# /' /tmp/kmemleak.module | head -n 80 >>"$ISOL_RESULTS"
fi
exit 0

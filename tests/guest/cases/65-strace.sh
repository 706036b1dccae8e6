# desc: strace -f on an isolated task sees every syscall return, and never hangs
# profiles: nohz
. /tests/lib.sh
modprobe task_isolation || fail "modprobe failed"
timeout 30 strace -f -o /tmp/strace.out isol_core strace-target
rc=$?
cat /tmp/strace.out
unload_module
[ $rc -eq 0 ] || fail "traced program exited with $rc"
# The three calls made while isolated: after the ENABLE ioctl (nr 0x1).
n=$(sed -n '/0xb9, 0x1,/,$p' /tmp/strace.out | grep -c 'getppid() *= [0-9]')
[ "$n" -eq 3 ] || fail "$n of 3 getppid calls made while isolated seen to return"
grep -q 'resumed>' /tmp/strace.out && fail "a syscall was split (entry without its exit)"
exit 0

# desc: isolctl: option parsing, every usage error, exit codes, --help, man page, completion
. "$(dirname "$0")/isolctl.inc"
build_isolctl
fake=$tmp/sys
mkdir -p "$fake/devices/system/cpu"
echo 0-3 >"$fake/devices/system/cpu/possible"
echo 0-3 >"$fake/devices/system/cpu/online"
echo 1-3 >"$fake/devices/system/cpu/nohz_full"
export ISOLCTL_SYSFS_ROOT=$fake

expect 2 "isolctl: no command given"
expect 2 "isolctl: unknown command 'frob'" frob
expect 2 "isolctl: unrecognized option '--frob'" --frob
expect 2 "Try 'isolctl --help'" --frob
expect 0 "isolctl from task_isolation $(cat "$top/VERSION")" --version
expect 0 "isolctl from task_isolation" -V
for sub in "" run status monitor check; do
	expect 0 "Usage:" $sub --help
	grep -q "Exit status" <<<"$out" || fail "isolctl $sub --help has no exit status"
	[ -n "$sub" ] && { grep -q "isolctl $sub" <<<"$out" || fail "$sub --help names itself"; }
done
expect 0 "Examples:" run -h

# run: its own failures are 125, like env(1) and timeout(1).
expect 125 "isolctl run: invalid CPU list 'x': unexpected 'x'" run -c x -- true
expect 125 "isolctl run: invalid CPU list '-1': unexpected '-'" run -c -1 -- true
expect 125 "isolctl run: invalid CPU list '99999': CPU 99999 is above 4095" run -c 99999 -- true
expect 125 "isolctl run: invalid CPU list '3-2': range 3-2 goes backwards" run -c 3-2 -- true
expect 125 "Try 'isolctl run --help'" run -c x -- true
expect 125 "isolctl run: --strict (or --strict-after) and --log-only exclude each other" run --strict --log-only -- true
expect 125 "isolctl run: --strict (or --strict-after) and --log-only exclude each other" run --strict-after 2s --log-only -- true
expect 125 "isolctl run: --strict-after '61m' is out of range: at most 60m" run --strict-after 61m -- true
expect 125 "isolctl run: invalid duration 'soon'" run --strict-after soon -- true
expect 125 "isolctl run: option '--strict-after' needs a value" run --strict-after
expect 125 "isolctl run: --signal needs --strict: log-only mode sends no signal" run -s USR1 -- true
expect 125 "isolctl run: invalid signal 'FOO': expected a name (USR1, SIGTERM) or a number 1-64" run --strict -s FOO -- true
expect 125 "isolctl run: invalid signal '0'" run --strict -s 0 -- true
expect 125 "isolctl run: invalid signal '65'" run --strict --signal 65 -- true
expect 125 "isolctl run: quiesce timeout '20s' is out of range: more than 0 and at most 10s" run --quiesce-timeout 20s -- true
expect 125 "isolctl run: quiesce timeout '0' is out of range" run --quiesce-timeout 0 -- true
expect 125 "isolctl run: invalid duration '5parsecs'" run --quiesce-timeout 5parsecs -- true
expect 125 "isolctl run: no command given" run
expect 125 "isolctl run: no command given" run --strict --
expect 125 "isolctl run: unrecognized option '--frob'" run --frob -- true
expect 125 "isolctl run: option '-c' needs a value" run -c
expect 125 "isolctl run: option '--json' needs a value" run --json
expect 127 "isolctl: /nonexistent/cmd: No such file or directory" run -- /nonexistent/cmd
expect 127 "isolctl: no-such-command-here: command not found" run -- no-such-command-here
expect 127 "isolctl: '': command not found" run -- ""
expect 126 "isolctl: /etc/passwd: permission denied" run -- /etc/passwd
expect 126 "isolctl: /tmp: is a directory" run -- /tmp
noexec=$tmp/bin/noexec
mkdir -p "$tmp/bin" && echo '#!/bin/sh' >"$noexec" && chmod 644 "$noexec"
PATH=$tmp/bin:$PATH expect 126 "isolctl: noexec: permission denied" run noexec
# CPUs are checked against nohz_full before anything is loaded.
expect 125 "isolctl: cpu 0 is not in nohz_full (nohz_full=1-3)" run -c 0 -- true
expect 125 "isolctl: cpu 5 does not exist (possible: 0-3)" run -c 5 -- true
# A list, as taskset takes: every CPU in it is checked.
expect 125 "isolctl: cpu 4-5 do not exist (possible: 0-3)" run -c 0,4-5 -- true
expect 125 "isolctl: cpu 0 is not in nohz_full (nohz_full=1-3)" run -c 0-3 -- true
echo 0-2 >"$fake/devices/system/cpu/online"
expect 125 "isolctl: cpu 3 is offline" run -c 3 -- true
echo 0-3 >"$fake/devices/system/cpu/online"
mkdir -p "$fake/class/misc/task_isolation/cpu2"
echo "77 spin" >"$fake/class/misc/task_isolation/cpu2/task"
echo isolated >"$fake/class/misc/task_isolation/cpu2/state"
expect 125 "isolctl: cpu 2 is busy: pid 77 (spin) is isolated there" run -c 2 -- true
echo 0-1 >"$fake/devices/system/cpu/online"
expect 125 "isolctl: no free CPU in 2-3: each is offline or has an isolated task" run -c 2-3 -- true
echo 0-3 >"$fake/devices/system/cpu/online"
: >"$fake/devices/system/cpu/nohz_full"
expect 125 "isolctl: no nohz_full CPU on this system: boot with nohz_full=<cpus>" run -- true
echo 1-3 >"$fake/devices/system/cpu/nohz_full"
# The command's own options are its own.
expect 127 "isolctl: no-such-command-here: command not found" run no-such-command-here --strict -c x

# monitor, status, check: usage errors are 2, errors 1.
expect 2 "isolctl monitor: invalid CPU list '1-': missing CPU number" monitor -c 1-
expect 2 "isolctl monitor: invalid CPU list '3-1': range 3-1 goes backwards" monitor -c 3-1
expect 2 "isolctl monitor: invalid CPU list '1,,2': unexpected ','" monitor -c 1,,2
expect 2 "isolctl monitor: invalid count '0': expected a number above 0" monitor -n 0
expect 2 "isolctl monitor: invalid pid 'abc'" monitor -p abc
expect 2 "isolctl monitor: invalid duration '1x'" monitor -d 1x
expect 2 "isolctl monitor: unexpected argument 'now'" monitor now
expect 1 "isolctl: cpu 0,4 are not in nohz_full (nohz_full=1-3): no task is isolated there" monitor -c 0-1,4
expect 1 "isolctl: cpu 0 is not in nohz_full (nohz_full=1-3)" monitor -c 0
expect 2 "isolctl status: unrecognized option '--frob'" status --frob
expect 2 "isolctl status: unexpected argument 'x'" status x
expect 2 "isolctl check: unrecognized option '-x'" check -x

# Without the device, and not root: say exactly what to do.
if [ ! -e /dev/task_isolation ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	chmod -R a+rX "$tmp"
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/isolctl" run -c 1 -- true 2>&1) || rc=$?
	[ $rc = 125 ] && grep -qF "/dev/task_isolation is missing: the task_isolation module is not loaded; run 'sudo modprobe task_isolation'" <<<"$out" ||
		fail "not root, no device: exit $rc: $out"
	ok "not root, no device: exit 125 and the modprobe command"
fi

# The man page renders without warnings; the completion script parses.
warn=$(groff -man -Tutf8 -ww -z "$top/doc/isolctl.8" 2>&1) || fail "groff fails on isolctl.8"
[ -z "$warn" ] || fail "groff warns on isolctl.8: $warn"
ok "doc/isolctl.8 renders without warnings"
for word in "EXIT STATUS" 125 126 127 128+ "\-\-fair\-server\-off" "\-\-strict\-after" ISOLCTL_SYSFS_ROOT; do
	grep -qF -- "$word" "$top/doc/isolctl.8" || fail "isolctl.8 does not mention $word"
done
ok "isolctl.8 documents the exit codes and options"
bash -n "$top/tools/isolctl.bash-completion" || fail "completion script does not parse"
ok "tools/isolctl.bash-completion parses"
exit 0

# desc: isolctl: check and status on fabricated /sys and /proc trees, text and JSON
. "$(dirname "$0")/isolctl.inc"
build_isolctl
sys=$tmp/sys proc=$tmp/proc
export ISOLCTL_SYSFS_ROOT=$sys ISOLCTL_PROC_ROOT=$proc

# An 8-CPU host, CPUs 2-3 isolated, with everything that can go wrong.
put $sys/devices/system/cpu/possible 0-7
put $sys/devices/system/cpu/online 0-7
put $sys/devices/system/cpu/nohz_full 2-3
put $sys/devices/system/cpu/isolated 2-3
put $sys/devices/system/cpu/cpu2/topology/thread_siblings_list 2,6
put $sys/devices/system/cpu/cpu3/topology/thread_siblings_list 3,7
put $sys/devices/virtual/workqueue/cpumask ff
put $sys/kernel/mm/transparent_hugepage/enabled "[always] madvise never"
put $sys/kernel/debug/sched/fair_server/cpu2/runtime 50000000
put $sys/kernel/debug/sched/fair_server/cpu3/runtime 0
put $sys/devices/system/clocksource/clocksource0/current_clocksource tsc
put $proc/cmdline "BOOT_IMAGE=/vmlinuz nohz_full=2-3 isolcpus=domain,managed_irq,2-3 rcu_nocbs=2 quiet"
put $proc/irq/0/smp_affinity_list 0-7
put $sys/kernel/irq/0/actions timer
put $proc/irq/2/smp_affinity_list 0-7
put $sys/kernel/irq/2/actions ""
put $sys/kernel/irq/1/actions i8042
put $proc/irq/1/smp_affinity_list 0-7
put $proc/irq/9/smp_affinity_list 0-1
put $proc/irq/24/smp_affinity_list 3
put $proc/sys/kernel/timer_migration 0
put $proc/sys/vm/stat_interval 1
put $proc/sys/vm/compact_unevictable_allowed 1
put $proc/sys/kernel/numa_balancing 1
put $proc/sys/kernel/watchdog_cpumask 0-7
put $sys/devices/system/machinecheck/machinecheck0/check_interval 300
put $sys/kernel/mm/ksm/run 1
put $proc/400/comm irqbalance
for c in 2 3; do
	put $sys/devices/system/cpu/cpu$c/cpuidle/state0/name POLL
	put $sys/devices/system/cpu/cpu$c/cpuidle/state0/latency 0
	put $sys/devices/system/cpu/cpu$c/cpuidle/state1/name C1
	put $sys/devices/system/cpu/cpu$c/cpuidle/state1/latency 2
	put $sys/devices/system/cpu/cpu$c/cpuidle/state2/name C6
	put $sys/devices/system/cpu/cpu$c/cpuidle/state2/latency 133
	put $sys/devices/system/cpu/cpu$c/cpuidle/state2/disable 0
done
put $sys/devices/system/cpu/cpu2/cpufreq/scaling_governor powersave
put $sys/devices/system/cpu/cpu3/cpufreq/scaling_governor performance
put $proc/sys/kernel/sched_rt_runtime_us -1
put $proc/sys/kernel/osrelease 6.12.9-amd64
# kthreadd: unbound kthread allowed everywhere; ksoftirqd/2: bound; a user process.
put $proc/2/stat "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0"
put $proc/2/status "$(printf 'Name:\tkthreadd\nCpus_allowed_list:\t0-7\n')"
put $proc/2/comm kthreadd
put $proc/20/stat "20 (ksoftirqd/2) S 2 0 0 0 -1 69238848 0 0 0 0"
put $proc/20/status "$(printf 'Name:\tksoftirqd/2\nCpus_allowed_list:\t2\n')"
put $proc/20/comm ksoftirqd/2
# A workqueue rescuer: unbound, but PF_NO_SETAFFINITY (taskset fails on it).
put $proc/21/stat "21 (kworker/R-rcu_g) I 2 0 0 0 -1 69238880 0 0 0 0"
put $proc/21/status "$(printf 'Name:\tkworker/R-rcu_g\nCpus_allowed_list:\t0-7\n')"
put $proc/21/comm kworker/R-rcu_g
put $proc/300/stat "300 (my (odd) app) S 1 300 300 0 -1 4194560 0 0 0 0"
put $proc/300/status "$(printf 'Name:\tapp\nCpus_allowed_list:\t0-7\n')"
put $proc/300/comm "my (odd) app"

expect 3 "23 checks: 5 pass, 18 warn, 0 fail, 0 skip" check
want() {
	grep -qF -- "$1" <<<"$out" || fail "check: no line '$1' in: $out"
}
want "irq_affinity          warn   2 IRQs may go to isolated CPUs 2-3: 1,24; 1 more cannot be moved (the legacy timer IRQ, silent once the local APIC timers run)"
want "fix: for i in 1 24; do echo 0-1,4-7 > /proc/irq/\$i/smp_affinity_list 2>/dev/null || echo \"IRQ \$i: affinity cannot be set (kernel-managed)\"; done; echo f3 > /proc/irq/default_smp_affinity"
want "rcu_nocbs             warn   rcu_nocbs=2 does not cover nohz_full cpus 3"
want "fix: boot with rcu_nocbs=2-3, as nohz_full"
want "workqueue_cpumask     warn   unbound workqueues may run on isolated cpus 2-3 (cpumask ff)"
want "fix: echo f3 > /sys/devices/virtual/workqueue/cpumask"
want "kthreads              warn   1 unbound kernel threads may run on isolated CPUs: kthreadd[2]; 1 more the kernel places itself (PF_NO_SETAFFINITY"
want "fix: for p in 2; do taskset -pc 0-1,4-7 \$p; done"
want "timer_migration       warn   kernel.timer_migration = 0"
want "fix: sysctl -w kernel.timer_migration=1"
want "vm_stat_interval      warn   vm.stat_interval = 1"
want "compact_unevictable   warn   vm.compact_unevictable_allowed = 1"
want "numa_balancing        warn   kernel.numa_balancing = 1"
want "fix: sysctl -w kernel.numa_balancing=0"
want "ksm                   warn   ksm/run = 1"
want "fix: echo 0 > /sys/kernel/mm/ksm/run"
want "watchdog_cpumask      warn   the lockup detectors may run on isolated cpus 2-3"
want "fix: sysctl -w kernel.watchdog_cpumask=0-1,4-7 (nowatchdog"
want "irqbalance            warn   running (pid 400)"
want "vdso_clock            pass   clocksource tsc"
want "cpu_idle              warn   cpus 2,3 may enter C6 (133 us)"
want "cpufreq               warn   governor powersave on cpus 2"
want "fix: for c in 2; do echo performance > /sys/devices/system/cpu/cpu\$c/cpufreq/scaling_governor; done"
want "fix: sysctl -w vm.compact_unevictable_allowed=0 (and in /etc/sysctl.d/ to keep it)"
want "thp                   warn   transparent_hugepage/enabled: [always] madvise never"
want "rt_throttling         pass   kernel.sched_rt_runtime_us = -1"
want "smt_siblings          warn   not isolated: cpu 6 (sibling of cpu 2), cpu 7 (sibling of cpu 3)"
want "fair_server           warn   fair server on for nohz_full cpus 2"
want "fix: for c in 2; do taskset -c \$c sh -c \"echo 0 > /sys/kernel/debug/sched/fair_server/cpu\$c/runtime\"; done"
want "clocksource_watchdog  warn   clocksource tsc without tsc=reliable: the watchdog runs"
want "mce_poll              warn   machine-check check_interval = 300 s"
want "fix: echo 0 > /sys/devices/system/machinecheck/machinecheck0/check_interval (one value for all CPUs"
want "isolcpus              pass   isolcpus=domain,managed_irq,2-3 covers nohz_full=2-3"
want "config_no_hz_full     pass   CONFIG_NO_HZ_FULL=y"
ok "check: each problem of the fabricated host found, with its exact fix"

run check --json
[ $rc = 3 ] || fail "check --json exit $rc"
jq -e . <<<"$out" >/dev/null || fail "check --json does not parse: $out"
[ "$(jq -c '[.summary, .exit_code, (.checks | length)]' <<<"$out")" = '[{"pass":5,"warn":18,"fail":0,"skip":0},3,23]' ] ||
	fail "check --json summary: $(jq -c .summary <<<"$out")"
[ "$(jq -r '.checks[] | select(.id == "irq_affinity") | .fix' <<<"$out")" = \
	'for i in 1 24; do echo 0-1,4-7 > /proc/irq/$i/smp_affinity_list 2>/dev/null || echo "IRQ $i: affinity cannot be set (kernel-managed)"; done; echo f3 > /proc/irq/default_smp_affinity' ] ||
	fail "check --json irq fix"
[ "$(jq -c '[.checks[] | select(.status == "pass") | .fix]' <<<"$out")" = '[null,null,null,null,null]' ] ||
	fail "passing rows have a fix"
[ "$(jq -r '.checks[] | select(.id == "kthreads") | .fix_command' <<<"$out")" = \
	'for p in 2; do taskset -pc 0-1,4-7 $p; done' ] ||
	fail "check --json kthreads fix_command"
# Run-time fixes have a command; those needing a reboot or new hardware do not.
[ "$(jq -c '[.checks[] | select(.status == "warn") | select(.fix_command == null) | .id]' <<<"$out")" = \
	'["rcu_nocbs","irqbalance","smt_siblings","clocksource_watchdog","cpu_idle"]' ] ||
	fail "check --json: rows without a fix_command: $(jq -c '[.checks[] | select(.fix_command == null) | .id]' <<<"$out")"
ok "check --json parses and agrees with the text"

# Fix everything: all pass.
put $proc/cmdline "nohz_full=2-3 isolcpus=domain,managed_irq,2-3 rcu_nocbs=2-3 tsc=reliable"
put $proc/irq/1/smp_affinity_list 0-1,4-7
put $proc/irq/24/smp_affinity_list 0
put $sys/devices/virtual/workqueue/cpumask f3
put $proc/2/status "$(printf 'Name:\tkthreadd\nCpus_allowed_list:\t0-1,4-7\n')"
put $proc/sys/kernel/timer_migration 1
put $proc/sys/vm/stat_interval 10
put $proc/sys/vm/compact_unevictable_allowed 0
put $proc/sys/kernel/numa_balancing 0
put $proc/sys/kernel/watchdog_cpumask 0-1,4-7
put $sys/kernel/mm/ksm/run 0
rm -r $proc/400
put $sys/devices/system/cpu/cpu2/cpuidle/state2/disable 1
put $sys/devices/system/cpu/cpu3/cpuidle/state2/disable 1
put $sys/devices/system/cpu/cpu2/cpufreq/scaling_governor performance
put $sys/kernel/mm/transparent_hugepage/enabled "always [madvise] never"
put $sys/devices/system/cpu/cpu2/topology/thread_siblings_list 2
put $sys/devices/system/cpu/cpu3/topology/thread_siblings_list 3
put $sys/kernel/debug/sched/fair_server/cpu2/runtime 0
put $sys/devices/system/machinecheck/machinecheck0/check_interval 0
expect 0 "23 checks: 23 pass, 0 warn, 0 fail, 0 skip" check
want "mce_poll              pass   machine-check check_interval = 0 s"
# mce=ignore_ce: the interval keeps its value, but no timer runs.
put $sys/devices/system/machinecheck/machinecheck0/check_interval 300
put $sys/devices/system/machinecheck/machinecheck0/ignore_ce 1
expect 0 "23 checks: 23 pass, 0 warn, 0 fail, 0 skip" check
want "mce_poll              pass   machine-check ignore_ce = 1: no polling"
ok "check: a well set-up host passes, exit 0"

# isolcpus= on the command line that the kernel did not apply (7.x with
# its nohz flag next to nohz_full=): said so, and the fix drops the flag.
put $proc/cmdline "nohz_full=2-3 isolcpus=nohz,domain,managed_irq,2-3 rcu_nocbs=2-3 tsc=reliable"
put $sys/devices/system/cpu/isolated ""
expect 3 "isolcpus              warn   the kernel ignored isolcpus=nohz,domain,managed_irq,2-3 (7.x kernels ignore it when it has the nohz flag and nohz_full= is given too)" check
want "fix: boot with isolcpus=domain,managed_irq,2-3"
put $sys/devices/system/cpu/isolated 2-3
put $proc/cmdline "nohz_full=2-3 isolcpus=domain,managed_irq,2-3 rcu_nocbs=2-3 tsc=reliable"
ok "check: an isolcpus= the kernel ignored"

# debugfs not mounted on a 6.8+ kernel: a warning that says so; before 6.8 none.
mv $sys/kernel/debug $sys/kernel/debug.off
expect 3 "fair_server           warn   kernel 6.12.9-amd64: cannot see the fair server, debugfs is not mounted" check
put $proc/sys/kernel/osrelease 6.1.0-30-amd64
expect 0 "fair_server           pass   kernel 6.1.0-30-amd64 has no fair server" check
mv $sys/kernel/debug.off $sys/kernel/debug
ok "check: fair server by kernel version and debugfs"

# No nohz_full: fails, exit 4; no CONFIG_NO_HZ_FULL: fails too.
: >$sys/devices/system/cpu/nohz_full
expect 4 "nohz_full             fail   no nohz_full CPU" check
want "fix: add nohz_full=<cpus> to the kernel command line, e.g. nohz_full=1-7"
rm $sys/devices/system/cpu/nohz_full
expect 4 "config_no_hz_full     fail   the kernel was built without CONFIG_NO_HZ_FULL" check
put $sys/devices/system/cpu/nohz_full 2-3
ok "check: missing nohz_full and CONFIG_NO_HZ_FULL fail, exit 4"

# status: module loaded, two nohz_full CPUs, one isolated task, one ended.
m=$sys/class/misc/task_isolation
put $sys/module/task_isolation/version 0.1.0
put $sys/module/task_isolation/initstate live
put $m/isolated 1
cat >$m/hooks <<'EOF'
kernel entry       tracepoint user_exit                  armed
syscall            ftrace     x64_sys_call               armed
function call IPI  tracepoint call_function_entry        armed
IPI sender         ftrace     native_send_call_func_ipi  missing
EOF
put $m/cpu2/task "1234 my app"
put $m/cpu2/state isolated
put $m/cpu2/since_ns 1
printf 'syscall 4\npage_fault 1\ntimer 0\nipi_call 2\n' >$m/cpu2/breaks
printf 'syscall 4000\npage_fault 900\ntimer 0\nipi_call 1500\n' >$m/cpu2/time_ns
put $m/cpu3/task -
put $m/cpu3/state "ended break"
put $m/cpu3/since_ns 5
printf 'syscall 1\n' >$m/cpu3/breaks
printf 'syscall 10\n' >$m/cpu3/time_ns
put $sys/kernel/debug/sched/fair_server/cpu3/runtime 50000000
put $proc/irq/24/smp_affinity_list 3

expect 0 "module    task_isolation 0.1.0 (live), /dev/task_isolation" status
want "1 task isolated"
# Concise by default: the hooks as a count by state; --verbose lists them.
want "hooks     3 armed, 1 missing (--verbose lists them)"
grep -q "call_function_entry" <<<"$out" && fail "status lists the hooks without --verbose"
expect 0 "  function call IPI  tracepoint call_function_entry        armed" status --verbose
expect 0 "  function call IPI  tracepoint call_function_entry        armed" status -v
run status
grep -qE "^2    nohz_full,isolated       isolated  1234 \(my app\)        [0-9.]+ (s|ms|us|ns) +7 \(syscall 4, page_fault 1, ipi_call 2\)$" <<<"$out" ||
	fail "status cpu 2 row: $(grep '^2 ' <<<"$out")"
want "3    nohz_full,isolated       ended     -                    -             1 (syscall 1)"
want "0    housekeeping             -         -                    -             -"
want "warning: hook native_send_call_func_ipi for 'IPI sender' is missing on this kernel"
want "warning: irq_affinity: 1 IRQs may go to isolated CPUs 2-3: 24; 1 more cannot be moved (the legacy timer IRQ, silent once the local APIC timers run) (see 'isolctl check')"
want "warning: fair_server: fair server on for nohz_full cpus 3"
ok "status text: module, hooks, per-CPU rows, warnings"

run status --json
[ $rc = 0 ] || fail "status --json exit $rc"
jq -e . <<<"$out" >/dev/null || fail "status --json does not parse: $out"
[ "$(jq -c '.module | [.loaded, .version, .initstate, .nr_isolated]' <<<"$out")" = '[true,"0.1.0","live",1]' ] ||
	fail "status module: $(jq -c .module <<<"$out")"
[ "$(jq -c '[.hooks[] | .event]' <<<"$out")" = '["kernel entry","syscall","function call IPI","IPI sender"]' ] ||
	fail "hooks: $(jq -c .hooks <<<"$out")"
[ "$(jq -c '.hooks[3]' <<<"$out")" = '{"event":"IPI sender","kind":"ftrace","target":"native_send_call_func_ipi","state":"missing"}' ] ||
	fail "hook fields: $(jq -c '.hooks[3]' <<<"$out")"
[ "$(jq -c '.cpus[2] | [.nohz_full, .isolated, .housekeeping, .isolation.state, .isolation.pid, .isolation.comm, .isolation.nr_breaks, .isolation.breaks.syscall, .isolation.time_ns.ipi_call, .isolation.end_cause]' <<<"$out")" = \
	'[true,true,false,"isolated",1234,"my app",7,4,1500,null]' ] || fail "cpu 2: $(jq -c '.cpus[2]' <<<"$out")"
[ "$(jq -c '.cpus[3].isolation | [.state, .end_cause, .pid, .isolated_ns]' <<<"$out")" = '["ended","break",null,0]' ] ||
	fail "cpu 3: $(jq -c '.cpus[3]' <<<"$out")"
[ "$(jq -c '[.cpus[0].isolation, .cpus[0].housekeeping, (.cpus | length)]' <<<"$out")" = '[null,true,8]' ] ||
	fail "cpu 0"
[ "$(jq -c '[.warnings[] | .id]' <<<"$out")" = '["hook_missing","irq_affinity","smt_siblings","fair_server"]' ] ||
	[ "$(jq -c '[.warnings[] | .id] | contains(["hook_missing","irq_affinity","fair_server"])' <<<"$out")" = true ] ||
	fail "warnings: $(jq -c .warnings <<<"$out")"
ok "status --json parses and holds the same records"

# Not loaded.
rm -rf $sys/module/task_isolation $m
expect 0 "module    not loaded (isolctl run loads it; or: modprobe task_isolation)" status
run status --json
[ "$(jq -c '[.module.loaded, .module.version, .hooks]' <<<"$out")" = '[false,null,[]]' ] ||
	fail "not loaded JSON: $(jq -c .module <<<"$out")"
ok "status without the module"

# rcu_nocbs= absent, and given without a list (every CPU).
put $proc/cmdline "nohz_full=2-3 isolcpus=domain,managed_irq,2-3"
run check
grep -qF "rcu_nocbs             pass   rcu_nocbs not given (nohz_full CPUs are offloaded anyway)" <<<"$out" ||
	fail "rcu_nocbs absent: $(grep rcu_nocbs <<<"$out")"
put $proc/cmdline "nohz_full=2-3 isolcpus=domain,managed_irq,2-3 rcu_nocbs"
run check
grep -qF "rcu_nocbs             pass   rcu_nocbs: all CPUs" <<<"$out" ||
	fail "rcu_nocbs without a list: $(grep rcu_nocbs <<<"$out")"
ok "check: rcu_nocbs absent or without a list"
exit 0

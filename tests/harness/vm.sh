#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one guest: vm.sh SERIES MODE PROFILE [SELFTEST]
#   MODE     check (run the cases, results to the results log), bench
#            (make bench, results to the results log), demo, shell
#   PROFILE  nohz (nohz_full=1-3 ...), plain (no isolation on the cmdline),
#            stress (as nohz, the long-running cases), dkms (as nohz, for
#            a guest with the DKMS-built module) or ibt (as nohz, with the
#            module's CET-IBT simulation on); selects which cases run
#   SELFTEST harness self-test fault to inject (warn, hang, stall, fail)
# The console log and results of a check run are kept under $LOGS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$1 mode=$2 profile=$3 selftest=${4:-}
release=$(kernel_release "$series")
[ -n "$release" ] || die "kernel $series not fetched"
kroot=$(kernel_dir "$series")/root
initrd=${INITRAMFS:-$OUT/build/$release/initramfs.cpio.gz}
[ -r "$initrd" ] || die "no initramfs for $release; build it first"

scale=$(time_scale "$series")
cmdline="console=ttyS0 panic=-1 oops=panic"
# slub_debug checks every allocation and a warning stops the guest, which
# is right for tests; a bench guest runs the kernel as users do, and the
# bench reports any warning (a stock kernel warns under emulated overload,
# e.g. sched_tick_remote when a housekeeping CPU falls 3 s behind).
[ "$mode" = bench ] || cmdline+=" panic_on_warn=1 slub_debug=FZPU"
cmdline+=" hung_task_panic=1 sysctl.kernel.hung_task_timeout_secs=$((${HUNG_TASK_SECS:-30} * scale))"
cmdline+=" isoltest.mode=$mode isoltest.profile=$profile"
# The shell's user wants a prompt, not the boot log.
[ "$mode" = shell ] && cmdline+=" quiet"
# A slow (debug) kernel: the guest stretches each case's timeout as well.
[ "$scale" != 1 ] && cmdline+=" isoltest.timescale=$scale"
[ "$profile" = stress ] && cmdline+=" isoltest.stress=$(stress_seconds "$series")"
[ -n "$selftest" ] && cmdline+=" isoltest.selftest=$selftest"
case "$profile" in
plain) ;;
*)
	# tsc=reliable: no clocksource watchdog timer walking the isolated
	# CPUs, as on a tuned real system (see README).
	cmdline+=" nohz_full=1-3 isolcpus=domain,managed_irq,1-3 rcu_nocbs=1-3"
	cmdline+=" tsc=reliable"
	;;
esac
# No CPU that QEMU emulates enforces CET-IBT: the module's switch makes it
# refuse every looked-up function without ENDBR64, as IBT hardware would.
[ "$profile" = ibt ] && cmdline+=" task_isolation.ibt_simulate=1"
cmdline+=" ${VM_APPEND:-}"
# VM_MONITOR=PATH: a QEMU monitor socket, for debugging a stuck guest.
monitor=()
[ -n "${VM_MONITOR:-}" ] && monitor=(-monitor "unix:$VM_MONITOR,server,nowait")

# One TCG thread for all vCPUs: with multi-threaded TCG, a vCPU can keep
# running a stale translation of kernel text that another vCPU patched
# (ftrace and static keys patch x64_sys_call while it runs everywhere),
# looping on an int3 that is no longer there. Seen on QEMU 7.2.
qemu=(qemu-system-x86_64 -M q35 -accel "${VM_ACCEL:-tcg,thread=single}"
	-cpu max -smp 4 -m 1024 -no-reboot
	-display none -nodefaults
	-kernel "$kroot/boot/vmlinuz-$release" -initrd "$initrd"
	-append "$cmdline" "${monitor[@]}")
# VM_PLUGIN=SO,ARGS: a TCG plugin (make bench's instruction counter).
[ -n "${VM_PLUGIN:-}" ] && qemu+=(-plugin "$VM_PLUGIN")
# VM_ICOUNT=OPTS: guest time counts instructions (-icount), not host time.
[ -n "${VM_ICOUNT:-}" ] && qemu+=(-icount "$VM_ICOUNT")

case "$mode" in
shell | demo)
	# The console is the terminal; results are not collected.
	exec "${qemu[@]}" -serial mon:stdio -serial null
	;;
esac

mkdir -p "$LOGS"
tag=$release.$profile${selftest:+.selftest-$selftest}
# VM_BENCH_NAME: the name of a second bench boot's logs (bench-icount).
[ "$mode" = bench ] && tag=$release.${VM_BENCH_NAME:-bench}
console=$LOGS/$tag.console.log
results=$LOGS/$tag.results
rm -f "$console" "$results"
echo "# cmdline: $cmdline" >"$LOGS/$tag.cmdline"
rc=0
# A whole guest's limit: the nohz suite takes 160-350 s under emulation
# (6.1-rt the longest, with the real clients of 77-clients), so 300 s was
# too tight; a hung guest is caught sooner by its case timeouts.
timeout -k 5 "$((${VM_TIMEOUT:-600} * scale))" "${qemu[@]}" \
	-serial "file:$console" -serial "file:$results" || rc=$?
# 124: timeout killed the guest. Anything else from QEMU is reported by
# the caller through the missing end-of-suite marker.
exit $rc

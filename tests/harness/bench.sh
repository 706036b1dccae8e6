#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot each kernel in bench mode (bench/guest/bench.sh runs the
# measurements in the guest), then print the table and write
# bench/results.json (bench/report.py). One guest at a time.
#   BENCH_KERNELS="6.1 6.12"  kernel series to measure (the default: Debian
#                             12's two; any of lib.sh's series, e.g. 6.12-rt)
#   BENCH_SECONDS=60          busy-loop length of each kernel-entry run
#   BENCH_SCALE_SECONDS=30    the same for the three-task scale run
#   BENCH_THRESHOLD_US=10     shortest gap the loop records
#   BENCH_ROUNDS=7            interleaved microbenchmark rounds
#   BENCH_TRIALS=200          latency trials
#   BENCH_OUT=bench/results.json
#   BENCH_ONLY=quiet,scale,micro,latency   parts to run (development)
#   BENCH_ICOUNT=shift=4,sleep=off  QEMU -icount of the cost loops' guest
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=$(expand_kernels "${BENCH_KERNELS:-6.1 6.12}")
seconds=${BENCH_SECONDS:-60}
scale_seconds=${BENCH_SCALE_SECONDS:-$(((seconds + 1) / 2))}
threshold=${BENCH_THRESHOLD_US:-10}
rounds=${BENCH_ROUNDS:-7}
trials=${BENCH_TRIALS:-200}
only=${BENCH_ONLY:-quiet,scale,micro,latency}
json=${BENCH_OUT:-$TOP/bench/results.json}

t_all=$(date +%s)
mkdir -p "$LOGS"
hostload=$LOGS/bench.hostload
# The host is shared: sample its load while the guests run, for the record.
sample_load() {
	while :; do
		echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg) $(pgrep -c qemu-system || true)"
		sleep 20
	done
}
sample_load >"$hostload" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

"$HARNESS_DIR/setup-host.sh"
# shellcheck disable=SC2086
"$HARNESS_DIR/kernels.sh" $kernels

# The cost loops compare ratios of a few percent: they run in a guest of
# their own whose clock counts instructions (QEMU -icount, one TCG thread),
# so that the host's load cannot move them. 2^4 ns per instruction; with
# sleep=off an idle guest skips ahead to its next timer.
ICOUNT=${BENCH_ICOUNT:-shift=4,sleep=off}

# bench_guest SERIES ONLY [VM_ICOUNT]: boot one bench guest, check it
# finished, add its results file to results[].
bench_guest() {
	local s=$1 parts=$2 release res console rc=0 t0
	release=$(kernel_release "$s")
	t0=$(date +%s)
	# The busy-loop runs, plus boot, microbenchmarks and latency trials
	# (a strict-mode notification can take over a second on 6.1).
	VM_ICOUNT=${3:-} VM_TIMEOUT=$(((seconds * 4 + scale_seconds) * 2 + trials * 6 + 300)) HUNG_TASK_SECS=120 \
		VM_APPEND="isolbench.seconds=$seconds isolbench.scale_seconds=$scale_seconds isolbench.threshold_us=$threshold isolbench.rounds=$rounds isolbench.trials=$trials isolbench.only=$parts${3:+ isolbench.icount=$3}" \
		"$HARNESS_DIR/vm.sh" "$s" bench nohz || rc=$?
	res=$LOGS/$release.bench${3:+.icount}.results
	console=$LOGS/$release.bench${3:+.icount}.console.log
	note "$release: guest ($parts${3:+, -icount $3}) ran $(($(date +%s) - t0))s"
	if ! grep -q '^result end-of-bench' "$res" 2>/dev/null; then
		[ $rc -eq 124 ] && note "guest timed out"
		note "bench did not finish on $release; last console lines ($console):"
		tail -n 25 "$console" | sed 's/^/#   /'
		exit 1
	fi
	# Reported with the figures, not fatal: the guest finished.
	rm -f "${res%.results}.trouble"
	if ! bad=$("$HARNESS_DIR/scan-log.sh" "$console" 2>&1); then
		note "kernel trouble in $console:"
		echo "$bad" | head -n 20 | tee "${res%.results}.trouble" |
			sed 's/^/#   /'
	fi
	results+=("$res")
}

results=()
rest=$(echo ",$only," | sed 's/,micro,/,/; s/^,//; s/,$//')
for s in $kernels; do
	"$HARNESS_DIR/build-module.sh" "$s" >/dev/null
	"$HARNESS_DIR/initramfs.sh" "$s" >/dev/null
	note "bench on $(kernel_release "$s"): $only"
	[ -n "$rest" ] && bench_guest "$s" "$rest"
	case ",$only," in *,micro,*) bench_guest "$s" micro "$ICOUNT" ;; esac
done
kill $sampler 2>/dev/null || true
python3 "$TOP/bench/report.py" --out "$json" --host-load "$hostload" \
	--wall "$(($(date +%s) - t_all))" "${results[@]}"

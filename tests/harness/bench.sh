#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot each kernel in bench mode (bench/guest/bench.sh runs the
# measurements in the guest), then print the table and write
# bench/results.json (bench/report.py). One guest at a time.
#   BENCH_KERNELS="6.1 6.12"  kernel series to measure (the default: Debian
#                             12's two; any of lib.sh's series, e.g. 6.12-rt)
#   BENCH_SECONDS=60          busy-loop length of each kernel-entry run
#   BENCH_REPS=3              repetitions of the busy (a)/(b) pair
#   BENCH_SCALE_SECONDS=30    the same for the three-task scale run
#   BENCH_THRESHOLD_US=10     shortest gap the loop records
#   BENCH_ROUNDS=7            interleaved microbenchmark rounds
#   BENCH_TRIALS=200          latency trials
#   BENCH_OUT=bench/results.json
#   BENCH_ONLY=quiet,scale,micro,latency   parts to run (development)
#   BENCH_ICOUNT_PLUGIN=SO    the instruction-counting QEMU plugin (make
#                             bench builds it): micro, and latency's IPI to
#                             handler, again, counted
#   BENCH_ICOUNT_LOOP_MS=1500 length of each counted loop
#   BENCH_ICOUNT_TRIALS=30    counted IPI-to-handler trials (they repeat to
#                             within a few instructions)
#   BENCH_TIMED=0             only the counting boot (micro and latency's
#                             IPI to handler, in instructions)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=$(expand_kernels "${BENCH_KERNELS:-6.1 6.12}")
seconds=${BENCH_SECONDS:-60}
scale_seconds=${BENCH_SCALE_SECONDS:-$(((seconds + 1) / 2))}
threshold=${BENCH_THRESHOLD_US:-10}
rounds=${BENCH_ROUNDS:-7}
trials=${BENCH_TRIALS:-200}
reps=${BENCH_REPS:-3}
icount_loop_ms=${BENCH_ICOUNT_LOOP_MS:-1500}
icount_trials=${BENCH_ICOUNT_TRIALS:-30}
only=${BENCH_ONLY:-quiet,scale,micro,latency}
json=${BENCH_OUT:-$TOP/bench/results.json}

t_all=$(date +%s)
mkdir -p "$LOGS"
# One file per run: two benches on different kernels must not share it.
hostload=$LOGS/bench.$$.hostload
# The host is shared: sample its load while the guests run, for the record.
sample_load() {
	while :; do
		echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg) $(pgrep -c qemu-system || true)"
		sleep 20
	done
}
sample_load >"$hostload" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; rm -f "$hostload"' EXIT

"$HARNESS_DIR/setup-host.sh"
# shellcheck disable=SC2086
"$HARNESS_DIR/kernels.sh" $kernels

# Stop the bench unless guest TAG (its logs' name) wrote its last result;
# RC is vm.sh's exit status.
bench_finished() {
	local tag=$1 rc=$2
	grep -q '^result end-of-bench' "$LOGS/$tag.results" 2>/dev/null && return 0
	[ "$rc" -eq 124 ] && note "guest timed out"
	note "bench guest $tag did not finish; last console lines ($LOGS/$tag.console.log):"
	tail -n 25 "$LOGS/$tag.console.log" | sed 's/^/#   /'
	exit 1
}

# count_boot TAG PART ICOUNT CLOCK: boot $s under the counting plugin for
# isol_bench's PART, with QEMU's -icount options ICOUNT (none: host time).
count_boot() {
	local tag=$1 part=$2 icount=$3 clock=$4 counts rc=0
	counts=$LOGS/$release.$tag.counts
	VM_TIMEOUT=$((rounds * (60 + icount_loop_ms * 24 / 1000) + icount_trials * 20 + 300)) HUNG_TASK_SECS=120 \
		VM_BENCH_NAME=$tag VM_PLUGIN="$BENCH_ICOUNT_PLUGIN,out=$counts" VM_ICOUNT=$icount \
		VM_APPEND="isolbench.rounds=$rounds isolbench.loop_ms=$icount_loop_ms isolbench.trials=$icount_trials isolbench.only=$part isolbench.clock=$clock" \
		"$HARNESS_DIR/vm.sh" "$s" bench nohz || rc=$?
	note "$release: instruction-counting guest ($part) ran, $(grep -c '^icount ' "$counts" 2>/dev/null || echo 0) counts"
	bench_finished "$release.$tag" $rc
}

results=()
for s in $kernels; do
	"$HARNESS_DIR/build-module.sh" "$s" >/dev/null
	"$HARNESS_DIR/initramfs.sh" "$s" >/dev/null
	release=$(kernel_release "$s")
	# An earlier run's counts must not be read as this run's.
	rm -f "$LOGS/$release".bench-{icount,notify}.{results,counts,console.log}
	res=$LOGS/$release.bench.results
	console=$LOGS/$release.bench.console.log
	if [ "${BENCH_TIMED:-1}" != 0 ]; then
		note "bench on $release: $((2 + 2 * reps)) runs of ${seconds}s, one of ${scale_seconds}s, microbenchmarks, latency"
		t0=$(date +%s)
		rc=0
		# The busy-loop runs, plus boot, microbenchmarks and latency
		# trials (a strict-mode notification can take over a second on 6.1).
		VM_TIMEOUT=$(((seconds * (2 + 2 * reps) + scale_seconds) * 2 + trials * 6 + 300)) HUNG_TASK_SECS=120 \
			VM_APPEND="isolbench.seconds=$seconds isolbench.scale_seconds=$scale_seconds isolbench.threshold_us=$threshold isolbench.rounds=$rounds isolbench.trials=$trials isolbench.reps=$reps isolbench.only=$only" \
			"$HARNESS_DIR/vm.sh" "$s" bench nohz || rc=$?
		note "$release: guest ran $(($(date +%s) - t0))s"
		bench_finished "$release.bench" $rc
	else
		# The report reads a counting boot's results as the run's.
		res=$LOGS/$release.bench-icount.results
		[[ ",$only," == *,micro,* ]] || res=$LOGS/$release.bench-notify.results
		console=
	fi
	# The cost loops, and the break-to-handler path, once more, each in a
	# boot of its own under the plugin that counts instructions
	# (bench/icount/): the counting slows every vCPU, which the other
	# parts must not see. For the loops, guest time counts instructions
	# too (-icount, 8 ns each; idle vCPUs skip to their next timer): with
	# host time, a loop slowed by the host's load met more ticks and
	# timers on CPU 0, whose instructions the count holds (fork/exit's
	# rounds spread 3-5% on 7.2). Not where the kernel does not boot so
	# (SERIES_NO_ICOUNT), nor for the break-to-handler trials, whose
	# target on 7.2 and trixie once never armed under it (not looked into;
	# a count of CPU 2's path meets no tick either way).
	if [ -n "${BENCH_ICOUNT_PLUGIN:-}" ]; then
		if [[ ",$only," == *,micro,* ]]; then
			if [ -n "${SERIES_NO_ICOUNT[$s]:-}" ]; then
				count_boot bench-icount micro "" host
			else
				count_boot bench-icount micro shift=3,sleep=off icount
			fi
		fi
		if [[ ",$only," == *,latency,* ]]; then
			count_boot bench-notify notify_count "" host
		fi
	fi
	# Reported with the figures, not fatal: the guest finished.
	rm -f "${res%.results}.trouble"
	for log in "$console" "$LOGS/$release".bench-{icount,notify}.console.log; do
		[ -e "$log" ] || continue
		if ! bad=$("$HARNESS_DIR/scan-log.sh" "$log" 2>&1); then
			note "kernel trouble in $log:"
			echo "$bad" | head -n 20 | tee -a "${res%.results}.trouble" |
				sed 's/^/#   /'
		fi
	done
	results+=("$res")
done
kill $sampler 2>/dev/null || true
python3 "$TOP/bench/report.py" --out "$json" --host-load "$hostload" \
	--wall "$(($(date +%s) - t_all))" "${results[@]}"

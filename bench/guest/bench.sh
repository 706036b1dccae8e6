# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench` (isoltest.mode=bench). Writes one line
# "result NAME JSON" per measurement to the results port (ttyS1), and
# "end-of-bench" when all went through; progress goes to the console.
# Knobs, from the kernel command line (tests/harness/bench.sh sets them):
#   isolbench.seconds=60      busy-loop length of each kernel-entry run
#   isolbench.scale_seconds=30  the same for the three-task scale run
#   isolbench.threshold_us=10 shortest gap the loop records
#   isolbench.rounds=7        interleaved rounds of the microbenchmarks
#   isolbench.loop_ms=300     length of each microbenchmark loop, not loaded
#   isolbench.trials=200      trials of each latency measurement
#   isolbench.reps=3          repetitions of the busy kernel-entry pair
#   isolbench.only=LIST       only these parts (quiet,scale,micro,latency;
#                             notify_count, for the counting boot only)
. /tests/lib.sh

seconds=60 scale_seconds=30 threshold=10 rounds=7 loop_ms=300 trials=200 reps=3 only=quiet,scale,micro,latency
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	isolbench.seconds=*) seconds=${arg#*=} ;;
	isolbench.scale_seconds=*) scale_seconds=${arg#*=} ;;
	isolbench.threshold_us=*) threshold=${arg#*=} ;;
	isolbench.rounds=*) rounds=${arg#*=} ;;
	isolbench.loop_ms=*) loop_ms=${arg#*=} ;;
	isolbench.trials=*) trials=${arg#*=} ;;
	isolbench.reps=*) reps=${arg#*=} ;;
	isolbench.only=*) only=${arg#*=} ;;
	esac
done
# The module used by the load generator's load/unload step: a small
# library module with no hardware behind it.
LOAD_MODULE=lru_cache

want() {
	case ",$only," in *",$1,"*) return 0 ;; esac
	return 1
}

emit() {
	printf 'result %s %s\n' "$1" "$2" >>/dev/ttyS1
}

# run NAME CMD...: run one measurement and emit its JSON, or fail the bench.
run() {
	local name=$1 out rc=0
	shift
	echo "=== bench $name: $*"
	out=$("$@") || rc=$?
	[ $rc -eq 0 ] && [ -n "$out" ] || fail "$name: $* exited with $rc"
	emit "$name" "$out"
}

module_on() {
	grep -q "^task_isolation " /proc/modules || modprobe task_isolation ||
		fail "modprobe task_isolation"
}

module_off() {
	if grep -q "^task_isolation " /proc/modules; then
		unload_module || fail "rmmod task_isolation"
	fi
}

SETTLE_S=3

LOAD_PID=
load_start() {
	# Its module cycles must happen: isol_load only counts the ones that do.
	modprobe "$LOAD_MODULE" && modprobe -r "$LOAD_MODULE" ||
		fail "the load generator cannot load and unload $LOAD_MODULE"
	isol_load --cpus 0 --workers 2 --module "$LOAD_MODULE" >/tmp/load.json &
	LOAD_PID=$!
	# Let every kind of operation run once before measuring.
	sleep 3
}

load_stop() {
	kill -TERM "$LOAD_PID"
	wait "$LOAD_PID" || fail "load generator exited with $?"
	emit "load.$1" "$(cat /tmp/load.json)"
}

# Kernel entries by IPI function: the trace of the measured CPU, with
# the vector events (one per entry), the hrtimer and work functions that
# ran there, and the function tracer on the IPI callbacks below. Each line:
# function, then the cause the report files its entry under. irq_work_single
# is generic: it names the cause only when nothing more specific ran in
# the same entry.
TRACE=/sys/kernel/tracing
IPI_FUNCS="flush_tlb_func user_tlb_flush
do_kernel_range_flush kernel_range_flush
do_flush_tlb_all tlb_flush_all
__cpa_flush_all cpa_flush
__cpa_flush_tlb cpa_flush
do_sync_core sync_core
text_poke_sync_core sync_core
nohz_full_kick_func nohz_kick
sched_ttwu_pending ttwu
tlb_remove_table_smp_sync page_table_free
ipi_mb membarrier
ipi_sync_core membarrier
ipi_sync_rq_state membarrier
ipi_rseq membarrier
rcu_exp_handler rcu_expedited
irq_work_single irq_work"

trace_start() {
	local cpu=$1 f cause
	echo 0 >$TRACE/tracing_on
	echo nop >$TRACE/current_tracer
	echo >$TRACE/trace
	echo mono >$TRACE/trace_clock
	echo 4096 >$TRACE/buffer_size_kb
	printf '%x\n' $((1 << cpu)) >$TRACE/tracing_cpumask
	: >$TRACE/set_ftrace_filter
	echo "$IPI_FUNCS" | while read -r f cause; do
		grep -qx "$f" $TRACE/available_filter_functions &&
			echo "$f" >>$TRACE/set_ftrace_filter
	done
	# An empty filter would trace every function.
	grep -qv '^#' $TRACE/set_ftrace_filter || fail "no IPI callback is traceable"
	echo function >$TRACE/current_tracer
	for f in $TRACE/events/irq_vectors/*_entry $TRACE/events/irq/irq_handler_entry \
		$TRACE/events/timer/hrtimer_expire_entry \
		$TRACE/events/workqueue/workqueue_execute_start; do
		[ -e "$f/enable" ] && echo 1 >"$f/enable"
	done
	echo 1 >$TRACE/tracing_on
}

# trace_count CPU START_NS END_NS: the entries of the window, by cause,
# as JSON. Functions only count in hard-IRQ context (flag h or H), so a
# kworker flushing for itself is not taken for an IPI. The flag is looked
# for in the whole flags field: 6.1-rt's lazy preemption adds a column
# before it, and no other column uses either letter.
trace_count() {
	local cpu=$1 start=$2 end=$3 funcs overrun
	echo 0 >$TRACE/tracing_on
	funcs=$(echo "$IPI_FUNCS" | tr '\n' ' ')
	overrun=$(awk '/^overrun:/ { print $2 }' "$TRACE/per_cpu/cpu$cpu/stats")
	awk -v start="$start" -v end="$end" -v funcs="$funcs" -v overrun="$overrun" '
	function flush() {
		if (cur != "") {
			# A self-IPI runs its own irq_work through irq_work_single.
			c = cause != "" && !(cause == "irq_work" && cur == "irq_work_self") ? cause : cur
			n[c]++
			total++
			# When, in ms into the window: the first five of each.
			if (n[c] <= 5)
				at[c] = at[c] (n[c] > 1 ? "," : "") int((t_cur - start) / 1e6)
		}
		cur = ""
		cause = ""
	}
	BEGIN {
		k = split(funcs, f, " ")
		for (i = 1; i < k; i += 2)
			map[f[i]] = f[i + 1]
		total = 0
	}
	/^#/ { next }
	{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/)
				break
		if (i >= NF)
			next
		ts = substr($i, 1, length($i) - 1) * 1e9
		if (ts < start || ts > end)
			next
		flags = $(i - 1)
		name = $(i + 1)
		if (name ~ /:$/) {
			ev = substr(name, 1, length(name) - 1)
			if (ev == "hrtimer_expire_entry") {
				fn = $0
				sub(/.*function=/, "", fn)
				sub(/ .*/, "", fn)
				# The first one names the entry. The tick hrtimer is
				# tick_nohz_handler since 6.10.
				if (cur == "timer" && cause == "")
					cause = fn ~ /^tick_(sched_timer|nohz_handler)$/ ? "tick" : "hrtimer " fn
				next
			}
			if (ev == "workqueue_execute_start") {
				work[$NF]++
				next
			}
			flush()
			t_cur = ts
			if (ev == "irq_handler_entry") {
				cur = "device_irq"
			} else {
				sub(/_entry$/, "", ev)
				if (ev == "local_timer")
					cur = "timer"
				else if (ev ~ /^call_function/)
					cur = "call_function_other"
				else if (ev == "irq_work")
					cur = "irq_work_self"
				else
					cur = ev
			}
			next
		}
		if (cur == "" || !(name in map) || flags !~ /[hH]/)
			next
		if (cause == "" || cause == "irq_work")
			cause = map[name]
	}
	END {
		flush()
		printf "{\"entries\":%d,\"overrun\":%d,\"by_cause\":{", total, overrun + 0
		sep = ""
		for (c in n) {
			printf "%s\"%s\":%d", sep, c, n[c]
			sep = ","
		}
		printf "},\"at_ms\":{"
		sep = ""
		for (c in at) {
			printf "%s\"%s\":[%s]", sep, c, at[c]
			sep = ","
		}
		printf "},\"work\":{"
		sep = ""
		for (w in work) {
			printf "%s\"%s\":%d", sep, w, work[w]
			sep = ","
		}
		printf "}}\n"
	}' $TRACE/trace
	echo nop >$TRACE/current_tracer
	for f in $TRACE/events/*/enable; do echo 0 >"$f"; done 2>/dev/null
	echo >$TRACE/trace
}

# quiet NAME MODE CPUS [SECONDS]: kernel entries on busy-looping CPUS,
# nohz_full only (MODE none) or isolated log-only (MODE log) with the
# policy isolctl tune and isolctl run apply. A single CPU's run is traced.
quiet() {
	local name=$1 mode=$2 cpus=$3 secs=${4:-$seconds} out ipi t0 t1
	if [ "$mode" = none ]; then
		module_off
		policy_off
	else
		module_on
		echo 0 >/proc/sys/vm/compact_unevictable_allowed
		[ -n "$MCE_DEFAULT" ] && echo 0 >$MCE_INTERVAL
	fi
	# Loading and unloading task_isolation between the runs is the
	# bench's own doing: a server loads it once, at boot. The kernel frees
	# a loaded module's init sections from a worker after an RCU grace
	# period, and that vfree flushes every CPU's TLB (0.3-0.8 s after the
	# load generator's loads, by the module's records). Let it pass
	# before the loop starts.
	sleep "$SETTLE_S"
	echo "=== bench $name: $mode on $cpus"
	case $cpus in *,*) ;; *) trace_start "$cpus" ;; esac
	out=$(isol_bench quiet --cpus "$cpus" --mode "$mode" \
		--seconds "$secs" --threshold-us "$threshold") && [ -n "$out" ] ||
		fail "$name: isol_bench quiet exited with $? or printed nothing"
	case $cpus in
	*,*) ;;
	*)
		t0=$(echo "$out" | jq '.cpus[0].t_start_ns')
		t1=$(echo "$out" | jq '.cpus[0].t_end_ns')
		ipi=$(trace_count "$cpus" "$t0" "$t1")
		out=$(echo "$out" | jq -c --argjson ipi "$ipi" '.cpus[0].ipi = $ipi') ||
			fail "$name: trace count: $ipi"
		;;
	esac
	emit "$name" "$out"
}
# The policy goes with the isolated runs: the parts after them measure
# with the kernel's defaults, as before it existed.
policy_off() {
	echo "$COMPACT_DEFAULT" >/proc/sys/vm/compact_unevictable_allowed
	[ -n "$MCE_DEFAULT" ] && echo "$MCE_DEFAULT" >$MCE_INTERVAL
	return 0
}
COMPACT_DEFAULT=$(cat /proc/sys/vm/compact_unevictable_allowed)
MCE_INTERVAL=/sys/devices/system/machinecheck/machinecheck0/check_interval
MCE_DEFAULT=$(cat $MCE_INTERVAL 2>/dev/null) || MCE_DEFAULT=

# Kernel messages would go out on the emulated serial console, from
# whichever CPU logs them; keep them in the ring buffer during the runs.
dmesg -n 1

# Policy for both configurations alike: the guest's init turned the fair
# server (6.8+) off on CPUs 1-3 at boot (see README).
fs=none
[ -d /sys/kernel/debug/sched/fair_server ] &&
	fs="runtime $(cat /sys/kernel/debug/sched/fair_server/cpu[123]/runtime | tr '\n' ' ')"
emit info "$(printf '{"kernel":"%s","version":"%s","cpus":%s,"nohz_full":"%s","clocksource":"%s","fair_server_isolated_cpus":"%s","cmdline":"%s","seconds":%s,"scale_seconds":%s,"threshold_us":%s,"rounds":%s,"trials":%s,"reps":%s,"compact_unevictable_default":%s,"mce_check_interval_default":"%s","load_module":"%s"}' \
	"$(uname -r)" "$(cut -d' ' -f1-3 /proc/version)" "$(grep -c ^processor /proc/cpuinfo)" \
	"$(cat /sys/devices/system/cpu/nohz_full)" \
	"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"$fs" "$(cat /proc/cmdline)" "$seconds" "$scale_seconds" "$threshold" "$rounds" "$trials" "$reps" "$COMPACT_DEFAULT" "$MCE_DEFAULT" \
	"$LOAD_MODULE")"

# 1. Kernel entries on an isolated CPU: (a) stock nohz_full, (b) the module
#    in log-only mode; idle, then busy housekeeping.
#    The busy pair is repeated, interleaved, so that the ranking of
#    causes can be told from noise.
if want quiet; then
	quiet quiet.idle.a none 2
	quiet quiet.idle.b log 2
	load_start
	for r in $(seq 1 "$reps"); do
		quiet "quiet.busy.a.$r" none 2
		quiet "quiet.busy.b.$r" log 2
	done
	load_stop busy
fi

# 4. Scale: every nohz_full CPU isolated at once, busy system.
if want scale; then
	module_on
	load_start
	quiet scale log 1,2,3 "$scale_seconds"
	load_stop scale
fi
policy_off

# 2. Cost to everyone else.
want micro && run micro isol_bench micro --rounds "$rounds" --loop-ms "$loop_ms"

# 3. Latency of our own operations.
want latency && run latency isol_bench latency --trials "$trials"
want notify_count && run notify_count isol_bench notify-count --trials "$trials"

module_off
emit end-of-bench '{}'
# The console saw no kernel messages during the runs: show them now, so
# that the log can be checked for warnings.
dmesg -n 7
dmesg

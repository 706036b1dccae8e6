# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench` (isoltest.mode=bench). Writes one line
# "result NAME JSON" per measurement to the results port (ttyS1), and
# "end-of-bench" when all went through; progress goes to the console.
# Knobs, from the kernel command line (tests/harness/bench.sh sets them):
#   isolbench.seconds=60      busy-loop length of each kernel-entry run
#   isolbench.scale_seconds=30  the same for the three-task scale run
#   isolbench.threshold_us=10 shortest gap the loop records
#   isolbench.rounds=7        interleaved rounds of the microbenchmarks
#   isolbench.trials=200      trials of each latency measurement
#   isolbench.only=LIST       only these parts (quiet,scale,micro,latency)
. /tests/lib.sh

seconds=60 scale_seconds=30 threshold=10 rounds=7 trials=200 only=quiet,scale,micro,latency
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	isolbench.seconds=*) seconds=${arg#*=} ;;
	isolbench.scale_seconds=*) scale_seconds=${arg#*=} ;;
	isolbench.threshold_us=*) threshold=${arg#*=} ;;
	isolbench.rounds=*) rounds=${arg#*=} ;;
	isolbench.trials=*) trials=${arg#*=} ;;
	isolbench.only=*) only=${arg#*=} ;;
	esac
done
# The module used by the load generator's load/unload step: a small
# library module with no hardware behind it.
LOAD_MODULE=crc7

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

LOAD_PID=
load_start() {
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

quiet() {
	local name=$1 mode=$2 cpus=$3 secs=${4:-$seconds}
	if [ "$mode" = none ]; then module_off; else module_on; fi
	run "$name" isol_bench quiet --cpus "$cpus" --mode "$mode" \
		--seconds "$secs" --threshold-us "$threshold"
}

# Kernel messages would go out on the emulated serial console, from
# whichever CPU logs them; keep them in the ring buffer during the runs.
dmesg -n 1

# Policy for both configurations alike: the guest's init turned the fair
# server (6.8+) off on CPUs 1-3 at boot (see README).
fs=none
[ -d /sys/kernel/debug/sched/fair_server ] &&
	fs="runtime $(cat /sys/kernel/debug/sched/fair_server/cpu[123]/runtime | tr '\n' ' ')"
emit info "$(printf '{"kernel":"%s","version":"%s","cpus":%s,"nohz_full":"%s","clocksource":"%s","fair_server_isolated_cpus":"%s","cmdline":"%s","seconds":%s,"scale_seconds":%s,"threshold_us":%s,"rounds":%s,"trials":%s,"load_module":"%s"}' \
	"$(uname -r)" "$(cut -d' ' -f1-3 /proc/version)" "$(grep -c ^processor /proc/cpuinfo)" \
	"$(cat /sys/devices/system/cpu/nohz_full)" \
	"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"$fs" "$(cat /proc/cmdline)" "$seconds" "$scale_seconds" "$threshold" "$rounds" "$trials" \
	"$LOAD_MODULE")"

# 1. Kernel entries on an isolated CPU: (a) stock nohz_full, (b) the module
#    in log-only mode; idle, then busy housekeeping.
if want quiet; then
	quiet quiet.idle.a none 2
	quiet quiet.idle.b log 2
	load_start
	quiet quiet.busy.a none 2
	quiet quiet.busy.b log 2
	load_stop busy
fi

# 4. Scale: every nohz_full CPU isolated at once, busy system.
if want scale; then
	module_on
	load_start
	quiet scale log 1,2,3 "$scale_seconds"
	load_stop scale
fi

# 2. Cost to everyone else.
want micro && run micro isol_bench micro --rounds "$rounds"

# 3. Latency of our own operations.
want latency && run latency isol_bench latency --trials "$trials"

module_off
emit end-of-bench '{}'
# The console saw no kernel messages during the runs: show them now, so
# that the log can be checked for warnings.
dmesg -n 7
dmesg

# desc: the bench's trace parser files each kernel entry under its IPI cause
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v busybox >/dev/null || { echo "no busybox (the guest's awk)"; exit 1; }
# The awk program and the callback table, as the guest's bench.sh has them.
python3 - "$top/bench/guest/bench.sh" "$tmp" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index("awk -v start")
j = s.index("' $TRACE/trace", i)
open(sys.argv[2] + "/causes.awk", "w").write(s[s.index("'", i) + 1:j])
k = s.index('IPI_FUNCS="') + len('IPI_FUNCS="')
open(sys.argv[2] + "/funcs", "w").write(s[k:s.index('"', k)].replace("\n", " "))
PY
# A CPU 2 trace in the format of 6.x's tracefs: one entry of each kind,
# plus lines that must not count (outside the window, a kworker flushing
# for itself, a soft hrtimer after a tick). The entry at 106 s has 6.1-rt's
# flags, with a lazy-preemption column before the hard-IRQ one.
cat >"$tmp/trace" <<'TRACE'
# tracer: function
      isol_bench-99      [002] d.h1.    99.000000: call_function_entry: vector=252
      isol_bench-99      [002] d.h1.   100.000100: local_timer_entry: vector=236
      isol_bench-99      [002] d.h1.   100.000200: hrtimer_expire_entry: hrtimer=0000 function=tick_nohz_handler now=1
      isol_bench-99      [002] d.h1.   100.000300: hrtimer_expire_entry: hrtimer=0000 function=other_fn now=1
      isol_bench-99      [002] d.h1.   100.500000: call_function_single_entry: vector=251
      isol_bench-99      [002] d.h1.   100.500001: irq_work_single <-__flush_smp_call_function_queue
      isol_bench-99      [002] d.h1.   100.500002: nohz_full_kick_func <-irq_work_single
      isol_bench-99      [002] d.h1.   101.000000: local_timer_entry: vector=236
      isol_bench-99      [002] d.h1.   102.000000: call_function_entry: vector=252
      isol_bench-99      [002] d.h1.   102.000001: do_kernel_range_flush <-__flush_smp_call_function_queue
     kworker/2:1-50      [002] .....   102.100000: workqueue_execute_start: work struct 00000: function vmstat_update
     kworker/2:1-50      [002] .....   102.100001: flush_tlb_func <-flush_tlb_mm_range
      isol_bench-99      [002] d.h1.   103.000000: reschedule_entry: vector=253
      isol_bench-99      [002] d.h1.   104.000000: irq_work_entry: vector=246
      isol_bench-99      [002] d.h1.   104.000001: irq_work_single <-irq_work_run_list
      my (odd) app-77    [002] d.h1.   105.000000: call_function_entry: vector=252
      my (odd) app-77    [002] d.h1.   105.000001: flush_tlb_func <-__flush_smp_call_function_queue
      isol_bench-99      [002] d..h1..   106.000000: call_function_entry: vector=252
      isol_bench-99      [002] d..h1..   106.000001: do_flush_tlb_all <-__flush_smp_call_function_queue
     kworker/2:1-50      [002] ...s1..   106.100000: do_flush_tlb_all <-on_each_cpu_cond_mask
      isol_bench-99      [002] d.h1.   111.000000: local_timer_entry: vector=236
TRACE
busybox awk -v start=99500000000 -v end=110000000000 -v funcs="$(cat "$tmp/funcs")" \
	-v overrun=2 -f "$tmp/causes.awk" "$tmp/trace" >"$tmp/out.json"
python3 - "$tmp/out.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
want = {"tick": 1, "nohz_kick": 1, "timer": 1, "kernel_range_flush": 1,
        "reschedule": 1, "irq_work_self": 1, "user_tlb_flush": 1,
        "tlb_flush_all": 1}
assert got["by_cause"] == want, got["by_cause"]
assert got["entries"] == 8 and got["overrun"] == 2, got
assert got["work"] == {"vmstat_update": 1}, got["work"]
assert got["at_ms"]["tick"] == [500] and got["at_ms"]["user_tlb_flush"] == [5500], got["at_ms"]
PY
echo "causes: $(cat "$tmp/out.json")"

# desc: the bench report turns a guest's results into a table and valid JSON
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# table_has FILE LINE...: every LINE is in FILE, else show FILE and fail.
table_has() {
	local file=$1 want
	shift
	for want in "$@"; do
		grep -qF "$want" "$file" || { echo "table lacks: $want"; cat "$file"; exit 1; }
	done
}
# A real guest's results (6.1, make bench, before the busy runs were
# repeated and traced), kept as the fixture.
cp "$top/tests/unit/fixtures/bench.results" "$tmp/k.results"
python3 "$top/bench/report.py" --out "$tmp/r.json" --wall 1 "$tmp/k.results" >"$tmp/table"
table_has "$tmp/table" "Kernel entries on isolated CPU 2" "ratio (b)/(a)" "Scale:" \
	"Cost to everyone else" "enter isolation" "Load generator"
python3 - "$tmp/r.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
(k,) = doc["kernels"].values()
assert k["info"]["cpus"] == 4, k["info"]
for part in ("quiet.idle.a", "quiet.idle.b", "quiet.busy.a", "quiet.busy.b",
             "scale", "micro", "latency", "load.busy"):
    assert part in k, part
assert "module" in k["quiet.busy.b"]["cpus"][0]
PY
# A guest that never finished is refused.
grep -v end-of-bench "$tmp/k.results" >"$tmp/cut.results"
if python3 "$top/bench/report.py" --out "$tmp/r2.json" "$tmp/cut.results" >/dev/null 2>&1; then
	echo "an unfinished run was accepted"
	exit 1
fi
# A later guest's results (6.1, make bench BENCH_ONLY=quiet): the busy pair
# repeated three times, each run's entries traced by IPI function.
python3 "$top/bench/report.py" --out "$tmp/r3.json" \
	"$top/tests/unit/fixtures/bench-reps.results" >"$tmp/table3"
table_has "$tmp/table3" "busy 3  (b) module, log-only" "by IPI function, busy load, 3 interleaved" \
	"user TLB flush (flush_tlb_func)           279 [260-352]            0 [0-0]" \
	"local timer, no hrtimer ran                     1 [1-1]            0 [0-0]  machine-check polling off" \
	"(b) fewer entries than (a): 3 of 3 repetitions; (b) entries per minute, median 1.0" \
	"whole-TLB flush (flush_tlb_all)): (b) fewer than (a): 3 of 3 repetitions; (b) per minute, median 0.0"
# The module's own records of (b)'s entries (what its break records say,
# the sending function) are listed, pids left out so that alike ones add.
python3 - "$top/tests/unit/fixtures/bench-reps.results" "$tmp/named.results" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    if line.startswith("result quiet.busy.b."):
        tag, name, body = line.split(" ", 2)
        run = json.loads(body)
        rec = {"at_ms": 12339, "cause": "ipi_call", "func": "do_flush_tlb_all",
               "desc": "function call IPI from CPU 0 (modprobe[%s])" % name[-1]}
        run["cpus"][0]["module"]["records"] = [rec, dict(rec, func="")]
        line = "%s %s %s\n" % (tag, name, json.dumps(run))
    out.write(line)
PY
python3 "$top/bench/report.py" --out "$tmp/r6.json" "$tmp/named.results" >"$tmp/table6"
table_has "$tmp/table6" "(b) entries as the module recorded them, all repetitions: function call IPI from CPU 0 (modprobe), do_flush_tlb_all: 3; function call IPI from CPU 0 (modprobe): 3"
# A pair with no entry in either run is counted apart, never as (b) fewer.
python3 - "$top/bench/report.py" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("report", sys.argv[1])
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)
pairs = [({"n": 0}, {"n": 0}), ({"n": 3}, {"n": 1}), ({"n": 1}, {"n": 1})]
got = report.compare(pairs, lambda c: c["n"])
assert got == "1 of 3 repetitions, none in either in 1", got
assert "cpa_flush" in report.UNAVOIDABLE and "timer" not in report.UNAVOIDABLE
PY
# The cost loops counted in instructions (6.12, make bench BENCH_ONLY=micro
# BENCH_ROUNDS=3): the plugin's boot left its results and counts beside the
# first boot's results, and the report pairs each count with its run.
cp "$top"/tests/unit/fixtures/icount/* "$tmp/"
python3 "$top/bench/report.py" --out "$tmp/r4.json" "$tmp/k.bench.results" >"$tmp/table4"
table_has "$tmp/table4" "Cost to everyone else in instructions" \
	"getppid             430 insns   0.03% 1.0004 [0.9999-1.0004]   0.07%" \
	"fork_exit        432215 insns   0.21%"
python3 - "$tmp/r4.json" <<'PY'
import json, sys
(k,) = json.load(open(sys.argv[1]))["kernels"].values()
loop = k["micro_icount"]["loops"]["page_fault"]
assert len(loop["not_loaded"]["insns_per_op"]) == 3, loop
assert 0.99 < loop["loaded_isolated"]["ratio"] < 1.01, loop
PY
# A count missing (a run the plugin did not see) is said, not misfiled.
sed -i '$d' "$tmp/k.bench-icount.counts"
python3 "$top/bench/report.py" --out "$tmp/r5.json" "$tmp/k.bench.results" >"$tmp/table5"
grep -qF "Cost in instructions: not counted (35 counts for 36 runs)" "$tmp/table5" ||
	{ echo "a short count list was not reported"; cat "$tmp/table5"; exit 1; }
# The break-to-handler trials counted on CPU 2 in a boot of their own:
# each case's median, its ratio to the stock signal's and the range of
# that ratio over the rounds.
cp "$top"/tests/unit/fixtures/icount/* "$tmp/"
python3 - "$tmp/k.bench-icount.results" "$tmp/k.bench-notify" <<'PY'
import json, sys
icount_results, base = sys.argv[1:]
order = ["first_arm"] + ["lingering", "lingering", "plain", "plain",
                         "hooks_armed", "hooks_armed",
                         "by_signal", "by_signal",
                         "by_signal_armed", "by_signal_armed"] * 5
value = {"first_arm": 90000, "plain": 1000, "lingering": 3000,
         "hooks_armed": 2500, "by_signal": 2200, "by_signal_armed": 2300}
run = {"trials": 10, "rounds": 5, "cpu": 2, "wrong_cause": 0,
       "run_order": order}
info = open(icount_results).readline()
with open(base + ".results", "w") as f:
    f.write(info + "result notify_count " + json.dumps(run) +
            "\nresult end-of-bench {}\n")
with open(base + ".counts", "w") as f:
    for i, case in enumerate(order):
        # Round 3's stock trials took 1100: that round's ratio is lower.
        extra = 100 if case == "plain" and 23 <= i <= 24 else 0
        f.write("icount 2 %d\n" % (value[case] + extra + i % 2))
PY
python3 "$top/bench/report.py" --out "$tmp/r6.json" "$tmp/k.bench.results" >"$tmp/table6"
table_has "$tmp/table6" "fork_exit        432215 insns   0.21%" \
	"Break to handler in instructions, counted on CPU 2" \
	"stock signal, task not isolated            1001 insns      1              spread 10.00%" \
	"strict break, the task alone               3000 insns   3.00 [2.73-3.00]  spread 0.00%" \
	"strict break, another task isolated        2500 insns   2.50 [2.27-2.50]  spread 0.00%" \
	"strict break by that same signal           2200 insns   2.20 [2.00-2.20]  spread 0.00%" \
	"the same, another task isolated            2300 insns   2.30 [2.09-2.30]  spread 0.00%"
# The counting boots alone (BENCH_TIMED=0): the report reads their results.
python3 "$top/bench/report.py" --out "$tmp/r7.json" "$tmp/k.bench-icount.results" >"$tmp/table7"
grep -qF "strict break, the task alone               3000 insns" "$tmp/table7" ||
	{ echo "a counting boot's own results did not report"; cat "$tmp/table7"; exit 1; }

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guests' bench results into bench/results.json and a table.

Each results file holds lines "result NAME JSON" written by
bench/guest/bench.sh, one file per kernel. The table goes to stdout.
"""
import argparse
import datetime
import json
import platform
import re
import subprocess
import sys

# /proc/interrupts rows, in words.
IRQ_NAMES = {
    "LOC": "timer", "RES": "resched IPI", "CAL": "call-function IPI",
    "TLB": "TLB shootdown", "IWI": "irq_work IPI", "NMI": "NMI",
    "SPU": "spurious", "PMI": "perf IRQ", "RTR": "APIC ICR read retry",
    "THR": "threshold APIC", "DFR": "deferred error APIC",
    "MCE": "machine check", "MCP": "machine check poll",
    "TRM": "thermal event", "PIN": "posted IRQ", "NPI": "nested posted IRQ",
    "PIW": "posted wakeup", "HYP": "hypervisor callback",
}


def load_results(path):
    res = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.startswith("result "):
                continue
            _, name, blob = line.split(" ", 2)
            res[name] = json.loads(blob)
            if name.startswith("quiet.") or name == "scale":
                fix_totals(res[name])
    return res


def host_info(load_file):
    samples = []
    if load_file:
        with open(load_file, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5:
                    samples.append({"time": int(parts[0]),
                                    "loadavg": [float(x) for x in parts[1:4]],
                                    "qemu_processes": int(parts[4])})
    try:
        qemu = subprocess.run(["qemu-system-x86_64", "--version"],
                              capture_output=True, text=True,
                              check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu = "unknown"
    peak = max((s["loadavg"][0] for s in samples), default=None)
    return {"kernel": platform.release(), "cpus": _host_cpus(),
            "qemu": qemu, "accel": "tcg,thread=single",
            "load_samples": samples, "peak_load_1min": peak}


def _host_cpus():
    import os
    return os.cpu_count()


def fix_totals(run):
    """Recount entries without the TLB and MCP rows: a TLB shootdown is a
    function-call IPI, already counted in CAL, and a machine check poll
    runs from a timer, counted in LOC (results written before the guest
    program knew that added them twice)."""
    for cpu in run["cpus"]:
        total = sum(e["n"] for name, e in cpu["entries"].items()
                    if name not in ("TLB", "MCP"))
        cpu["entries_total"] = total
        cpu["emulator_gaps"] = max(cpu["gaps"] - total, 0)


def entries_text(cpu):
    parts = []
    tlb = cpu["entries"].get("TLB", {}).get("n", 0)
    for name, e in sorted(cpu["entries"].items(), key=lambda kv: -kv[1]["n"]):
        label = IRQ_NAMES.get(name)
        if name == "TLB":
            continue
        if name == "CAL" and tlb:
            parts.append("call-function IPI %d (%d TLB)" % (e["n"], tlb))
            continue
        if label is None:
            label = "IRQ %s %s" % (name, e["desc"].split(" ")[-1]) \
                if name.isdigit() else name
        parts.append("%s %d" % (label, e["n"]))
    return ", ".join(parts) if parts else "-"


def module_text(cpu):
    m = cpu.get("module")
    if m is None:
        return "-"
    causes = ", ".join("%s %d" % kv for kv in m["by_cause"].items())
    return "%d%s" % (m["breaks"], " (%s)" % causes if causes else "")


def ms(ns):
    return "%.1f ms" % (ns / 1e6)


def ratio(b, a):
    if a == 0:
        return "n/a (a=0)" if b else "1.00 (both 0)"
    return "%.2f" % (b / a)


def busy_pairs(kern):
    """The busy (a)/(b) runs, repetition by repetition (results written
    before the bench repeated them have one pair, without a number)."""
    if "quiet.busy.a" in kern and "quiet.busy.b" in kern:
        return [(kern["quiet.busy.a"], kern["quiet.busy.b"])]
    pairs = []
    r = 1
    while "quiet.busy.a.%d" % r in kern and "quiet.busy.b.%d" % r in kern:
        pairs.append((kern["quiet.busy.a.%d" % r], kern["quiet.busy.b.%d" % r]))
        r += 1
    return pairs


def print_quiet(kern, out):
    if not any(k.startswith("quiet.") for k in kern):
        return
    seconds = kern["info"]["seconds"]
    thr = kern["info"]["threshold_us"]
    out.append("Kernel entries on isolated CPU 2, %d s busy loop "
               "(/proc/interrupts; gaps = vDSO clock stalls > %d us):"
               % (seconds, thr))
    hdr = "  %-7s %-22s %7s  %-28s %-18s %7s %9s %9s %10s" % (
        "load", "configuration", "entries", "by cause", "module breaks",
        "gaps", "emulator", "max gap", "stolen")
    out.append(hdr)
    runs = []
    if "quiet.idle.a" in kern and "quiet.idle.b" in kern:
        runs.append(("idle", kern["quiet.idle.a"], kern["quiet.idle.b"]))
    pairs = busy_pairs(kern)
    for i, (a, b) in enumerate(pairs):
        runs.append(("busy" if len(pairs) == 1 else "busy %d" % (i + 1), a, b))
    for state, a, b in runs:
        for label, run in (("(a) nohz_full only", a),
                           ("(b) module, log-only", b)):
            c = run["cpus"][0]
            out.append("  %-7s %-22s %7d  %-28s %-18s %7d %9d %9s %10s" % (
                state, label, c["entries_total"], entries_text(c),
                module_text(c), c["gaps"], c["emulator_gaps"],
                ms(c["max_gap_ns"]), ms(c["stolen_ns"])))
        ca, cb = a["cpus"][0], b["cpus"][0]
        out.append("  %-7s %-22s %7s  %-28s %-18s %7s %9s %9s %10s" % (
            "", "ratio (b)/(a)",
            ratio(cb["entries_total"], ca["entries_total"]), "", "",
            ratio(cb["gaps"], ca["gaps"]),
            ratio(cb["emulator_gaps"], ca["emulator_gaps"]),
            ratio(cb["max_gap_ns"], ca["max_gap_ns"]),
            ratio(cb["stolen_ns"], ca["stolen_ns"])))


# Causes of the traced entries (bench/guest/bench.sh IPI_FUNCS), in words.
CAUSE_NAMES = {
    "user_tlb_flush": "user TLB flush (flush_tlb_func)",
    "kernel_range_flush": "kernel-range TLB flush",
    "tlb_flush_all": "whole-TLB flush (flush_tlb_all)",
    "cpa_flush": "CPA flush (set_memory_*)",
    "sync_core": "sync_core (text patching)",
    "nohz_kick": "nohz_full tick kick",
    "ttwu": "remote wakeup (sched_ttwu_pending)",
    "irq_work": "irq_work from another CPU",
    "irq_work_self": "irq_work self-IPI",
    "tick": "tick (tick_sched_timer, tick_nohz_handler)",
    "timer": "local timer, no hrtimer ran",
    "reschedule": "reschedule IPI",
    "call_function_other": "call-function IPI, other function",
    "page_table_free": "page-table free sync",
    "membarrier": "membarrier",
    "rcu_expedited": "RCU expedited grace period",
    "device_irq": "device interrupt",
}

# What would have kept each cause off the isolated CPU (README).
CAUSE_PREVENTION = {
    "user_tlb_flush": "its memory locked, THP off, "
                      "vm.compact_unevictable_allowed=0, no thread sharing "
                      "the mm that unmaps (isolctl run, isolctl tune)",
    "kernel_range_flush": "none: vmalloc purge elsewhere (module unload, "
                          "vfree); README",
    "cpa_flush": "none: set_memory_* elsewhere (module load, BPF JIT); README",
    "tlb_flush_all": "none: a large vmalloc purge or set_memory_* range "
                     "elsewhere; README",
    "sync_core": "none: text patching (static keys, tracepoints, kprobes); "
                 "README",
    "nohz_kick": "no tick dependency: no POSIX CPU timer, perf event or "
                 "RCU callback on the CPU",
    "tick": "no timer on the CPU: tsc=reliable (clocksource watchdog), "
            "the fair server off (isolctl tune)",
    "timer": "machine-check polling off (isolctl tune): its 300 s timer "
             "keeps the device armed, which fires empty every 34 s",
    "reschedule": "no task woken there: per-CPU work quiesced (see work items)",
    "ttwu": "no task woken there",
    "irq_work": "no irq_work queued there",
    "irq_work_self": "no irq_work queued there",
    "membarrier": "none: the workload's own membarrier()",
    "rcu_expedited": "rcupdate.rcu_normal=1",
    "device_irq": "irqaffinity= on the kernel command line (isolctl tune)",
    "call_function_other": "depends on the function (not one traced)",
}


# What no setting prevents (README, "What the module does not prevent").
UNAVOIDABLE = sorted(c for c, how in CAUSE_PREVENTION.items()
                     if how.startswith("none:"))


def prevention(cause):
    if cause.startswith("hrtimer "):
        return "no such timer on the CPU"
    return CAUSE_PREVENTION.get(cause, "?")


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def spread(values):
    v = sorted(values)
    med = median(v)
    text = "%d" % med if med == int(med) else "%.1f" % med
    return "%s [%d-%d]" % (text, v[0], v[-1]), med


def compare(pairs, count):
    """How often (b) counted fewer than (a); a pair with none in either
    is quiet, not worse, and said apart."""
    fewer = sum(count(cb) < count(ca) for ca, cb in pairs)
    none = sum(count(ca) == count(cb) == 0 for ca, cb in pairs)
    return "%d of %d repetitions%s" % (
        fewer, len(pairs), ", none in either in %d" % none if none else "")


def per_minute(pairs, count):
    return spread([count(cb) * 60e9 / cb["window_ns"] for _, cb in pairs])[1]


def print_causes(kern, out):
    """Entries by IPI function over the repeated busy pairs."""
    pairs = [(a["cpus"][0], b["cpus"][0]) for a, b in busy_pairs(kern)]
    if not pairs or not all("ipi" in c for p in pairs for c in p):
        return
    info = kern["info"]
    out.append("Kernel entries on CPU 2 by IPI function, busy load, %d "
               "interleaved repetitions of %d s, median [lowest-highest]:"
               % (len(pairs), info["seconds"]))
    out.append("  the program mlocks in both; (a) stock nohz_full, "
               "vm.compact_unevictable_allowed=%s, machine-check "
               "check_interval %s; (b) isolated log-only with isolctl's "
               "policy (THP off, compact_unevictable_allowed=0, "
               "check_interval 0);"
               % (info.get("compact_unevictable_default", "?"),
                  info.get("mce_check_interval_default", "?")))
    out.append("  (c) the opt-in vmalloc-purge flush deferral: not built "
               "(README, \"What the module does not prevent\")")
    causes = set()
    for ca, cb in pairs:
        causes.update(ca["ipi"]["by_cause"])
        causes.update(cb["ipi"]["by_cause"])
    rows = []
    for cause in causes:
        a = [ca["ipi"]["by_cause"].get(cause, 0) for ca, _ in pairs]
        b = [cb["ipi"]["by_cause"].get(cause, 0) for _, cb in pairs]
        rows.append((-sum(a) - sum(b), cause, CAUSE_NAMES.get(cause, cause),
                     a, b))
    out.append("  %-36s %18s %18s  %s" % ("cause", "(a) stock", "(b) isolated",
                                          "what prevents it"))
    for _, cause, name, a, b in sorted(rows):
        out.append("  %-36s %18s %18s  %s" % (
            name, spread(a)[0], spread(b)[0], prevention(cause)))
    ta = [ca["ipi"]["entries"] for ca, _ in pairs]
    tb = [cb["ipi"]["entries"] for _, cb in pairs]
    out.append("  %-36s %18s %18s" % ("all traced entries", spread(ta)[0],
                                      spread(tb)[0]))
    ua = [ca["entries_total"] - ca["ipi"]["entries"] for ca, _ in pairs]
    ub = [cb["entries_total"] - cb["ipi"]["entries"] for _, cb in pairs]
    out.append("  %-36s %18s %18s" % ("/proc/interrupts minus traced",
                                      spread(ua)[0], spread(ub)[0]))
    lost = sum(ca["ipi"]["overrun"] + cb["ipi"]["overrun"] for ca, cb in pairs)
    out.append("  (b) fewer entries than (a): %s; (b) entries per minute, "
               "median %.1f%s"
               % (compare(pairs, lambda c: c["entries_total"]),
                  per_minute(pairs, lambda c: c["entries_total"]),
                  "; TRACE OVERRUN, %d events lost" % lost if lost else ""))

    # From the trace: cut to the loop's own window, it has no entries of
    # the moments before and after it that /proc/interrupts also counts.
    def avoidable(c):
        return c["ipi"]["entries"] - sum(c["ipi"]["by_cause"].get(u, 0)
                                         for u in UNAVOIDABLE)
    out.append("  traced entries without what no setting prevents (%s): "
               "(b) fewer than (a): %s; (b) per minute, median %.1f"
               % (", ".join(CAUSE_NAMES.get(u, u) for u in UNAVOIDABLE),
                  compare(pairs, avoidable), per_minute(pairs, avoidable)))
    when = []
    for i, (_, cb) in enumerate(pairs):
        at = cb["ipi"].get("at_ms", {})
        marks = sorted((t, c) for c, ts in at.items() for t in ts)
        if marks:
            when.append("%d: %s" % (i + 1, ", ".join(
                "%s %.1f s" % (c, t / 1e3) for t, c in marks)))
    if when:
        out.append("  (b) entries, seconds into each repetition's loop "
                   "(first five of each cause): " + "; ".join(when))
    # The module names each break itself, the sender's function too: an
    # IPI the trace files under no listed function is named here.
    named = {}
    for _, cb in pairs:
        for r in cb.get("module", {}).get("records", []):
            what = re.sub(r"\[\d+\]", "", r["desc"])
            if r["func"]:
                what += ", " + r["func"]
            named[what] = named.get(what, 0) + 1
    if named:
        out.append("  (b) entries as the module recorded them, all "
                   "repetitions: " + "; ".join(
                       "%s: %d" % kv for kv in sorted(named.items(),
                                                      key=lambda kv: -kv[1])))
    work = {}
    for ca, cb in pairs:
        for w, n in cb["ipi"]["work"].items():
            work[w] = work.get(w, 0) + n
    if work:
        out.append("  work items run on CPU 2 in (b), all repetitions: " +
                   ", ".join("%s %d" % kv for kv in sorted(work.items())))


def print_scale(kern, out):
    sc = kern.get("scale")
    if not sc:
        return
    out.append("Scale: %d tasks isolated (log-only) at once, busy system, "
               "%d s:" % (len(sc["cpus"]), sc["seconds"]))
    out.append("  %-4s %7s  %-28s %-18s %7s %9s %9s" % (
        "cpu", "entries", "by cause", "module breaks", "gaps", "emulator",
        "max gap"))
    for c in sc["cpus"]:
        out.append("  %-4d %7d  %-28s %-18s %7d %9d %9s" % (
            c["cpu"], c["entries_total"], entries_text(c), module_text(c),
            c["gaps"], c["emulator_gaps"], ms(c["max_gap_ns"])))


MICRO_STATES = (("loaded_idle", "loaded, idle"),
                ("loaded_lingering", "hooks lingering"),
                ("loaded_isolated", "CPU 2 isolated"))
MICRO_LOOPS = ("getppid", "page_fault", "fork_exit")


def print_micro(kern, out):
    m = kern.get("micro")
    if not m:
        return
    states = [st for st in MICRO_STATES if st[0] in m["getppid"]]
    out.append("Cost to everyone else: loops on CPU 0, median of %d interleaved "
               "rounds, ratio to module not loaded" % m["rounds"])
    out.append("  [lowest-highest of the same ratio taken round by round]:")
    out.append("  %-11s %12s" % ("loop", "not loaded") +
               "".join(" %22s" % label for _, label in states))
    for name in MICRO_LOOPS:
        b = m[name]
        base = b["not_loaded"]["median_ns_per_op"]
        line = "  %-11s %9.2f us" % (name, base / 1e3)
        for key, _ in states:
            per_round = [x / y for x, y in zip(b[key]["ns_per_op"],
                                               b["not_loaded"]["ns_per_op"]) if y]
            line += " %22s" % ("%.3f [%.3f-%.3f]" % (
                b[key]["ratio"], min(per_round), max(per_round)))
        out.append(line)


def load_counted(results_path, tag, name, load):
    """What a counting boot counted, or None when it did not run, or a
    reason string when its counts and runs do not match.

    bench.sh boots the guest again under the QEMU plugin
    bench/icount/isol_icount.c: RELEASE.TAG.results holds that guest's
    run NAME (with the order of its runs), .counts the plugin's count for
    each run, in the same order, on the vCPU the run names.
    """
    base = re.sub(r"\.bench(-[a-z]+)?\.results$", "", results_path) + "." + tag
    try:
        res = load_results(base + ".results")
        with open(base + ".counts", encoding="utf-8") as f:
            counts = [line.split() for line in f if line.startswith("icount ")]
    except FileNotFoundError:
        return None
    run = res.get(name)
    if not run or "run_order" not in run:
        return "the plugin's guest has no %s run" % name
    mine = [int(c[2]) for c in counts if c[1] == str(run["cpu"])]
    if len(mine) != len(counts):
        return "a count from a vCPU other than %d" % run["cpu"]
    if len(mine) != len(run["run_order"]):
        return "%d counts for %d runs" % (len(mine), len(run["run_order"]))
    counted = load(run, mine)
    # bench.sh names the boot's time base on its command line.
    counted["clock"] = "instructions (-icount)" if "isolbench.clock=icount" in \
        res.get("info", {}).get("cmdline", "") else "host"
    return counted


def icount_micro(micro, counts):
    per_op = {}
    for run, c in zip(micro["run_order"], counts):
        state, loop = run.split("/")
        per_op.setdefault(loop, {}).setdefault(state, []).append(
            c / micro[loop]["ops_per_round"])
    res = {"rounds": micro["rounds"], "cpu": micro["cpu"], "loops": {}}
    for loop, states in per_op.items():
        base_rounds = states["not_loaded"]
        base_med = median(base_rounds)
        entry = {"not_loaded": {"insns_per_op": base_rounds,
                                "median": base_med,
                                "spread": spread_pct(base_rounds)}}
        for state, vals in states.items():
            if state == "not_loaded":
                continue
            per_round = [v / b for v, b in zip(vals, base_rounds)]
            entry[state] = {"insns_per_op": vals, "median": median(vals),
                            "ratio": median(vals) / base_med,
                            "round_ratio_min": min(per_round),
                            "round_ratio_max": max(per_round),
                            "spread": spread_pct(vals)}
        res["loops"][loop] = entry
    return res


def icount_notify(run, counts):
    """Instructions CPU 2 ran from the IPI to the handler, per case: the
    median of each round, and of all trials; ratios to the stock signal's
    median, overall and round by round (the rounds interleave the cases)."""
    rounds = run["rounds"]
    per = (len(counts) - 1) // rounds
    cases = {}
    for i, (case, c) in enumerate(zip(run["run_order"], counts)):
        if case == "first_arm":
            continue
        r = (i - 1) // per
        cases.setdefault(case, [[] for _ in range(rounds)])[r].append(c)
    plain = cases["plain"]
    res = {"trials": run["trials"], "rounds": rounds, "cpu": run["cpu"],
           "wrong_cause": run["wrong_cause"], "cases": {}}
    for case, per_round in cases.items():
        meds = [median(v) for v in per_round]
        entry = {"median": median(sum(per_round, [])),
                 "round_medians": meds, "spread": spread_pct(meds)}
        if case != "plain":
            ratios = [m / median(p) for m, p in zip(meds, plain)]
            entry.update(ratio=entry["median"] / median(sum(plain, [])),
                         round_ratio_min=min(ratios),
                         round_ratio_max=max(ratios))
        res["cases"][case] = entry
    return res


def spread_pct(values):
    """(highest - lowest) / median of repeated runs, in percent."""
    return 100.0 * (max(values) - min(values)) / median(values)


def counted(kern, key, what, out):
    """The counts under @key, or None, saying why when they did not match."""
    ic = kern.get(key)
    if isinstance(ic, str):
        out.append("%s: not counted (%s)" % (what, ic))
        return None
    return ic


def print_notify_icount(kern, out):
    ic = counted(kern, "notify_icount", "Break to handler in instructions", out)
    if ic is None:
        return
    out.append("Break to handler in instructions, counted on CPU 2 from the "
               "IPI to the handler's first instruction")
    out.append("  (%d trials in %d interleaved rounds; ratio to the stock "
               "signal [lowest-highest round]; spread of the round medians):"
               % (ic["trials"], ic["rounds"]))
    for case, label in (("plain", "stock signal, task not isolated"),
                        ("lingering", "strict break, the task alone"),
                        ("hooks_armed", "strict break, another task isolated"),
                        ("by_signal", "strict break by that same signal"),
                        ("by_signal_armed", "the same, another task isolated")):
        # Counting boots before 2026-12-02 had no by_signal case, before
        # 2026-12-03 no by_signal_armed.
        if case not in ic["cases"]:
            continue
        c = ic["cases"][case]
        line = "  %-38s %8.0f insns" % (label, c["median"])
        line += ("  %5.2f [%.2f-%.2f]" % (c["ratio"], c["round_ratio_min"],
                                          c["round_ratio_max"])
                 if "ratio" in c else "  %5s %11s" % ("1", ""))
        out.append(line + "  spread %.2f%%" % c["spread"])
    if ic["wrong_cause"]:
        out.append("  %d breaks had another cause than the IPI" % ic["wrong_cause"])


def print_icount(kern, out):
    ic = counted(kern, "micro_icount", "Cost in instructions", out)
    if ic is None:
        return
    states = [st for st in MICRO_STATES if st[0] in ic["loops"]["getppid"]]
    out.append("Cost to everyone else in instructions: the same loops on CPU 0 "
               "in a second boot under the counting plugin (guest time: %s),"
               % ic.get("clock", "host"))
    out.append("  instructions per operation, median of %d interleaved rounds, "
               "ratio to module not loaded" % ic["rounds"])
    out.append("  [lowest-highest of the same ratio taken round by round]; "
               "spread: (highest-lowest)/median of a state's rounds:")
    out.append("  %-11s %17s %7s" % ("loop", "not loaded", "spread") +
               "".join(" %22s %7s" % (label, "spread") for _, label in states))
    for name in MICRO_LOOPS:
        loop = ic["loops"][name]
        line = "  %-11s %11.0f insns %6.2f%%" % (
            name, loop["not_loaded"]["median"], loop["not_loaded"]["spread"])
        for key, _ in states:
            st = loop[key]
            line += " %22s %6.2f%%" % ("%.4f [%.4f-%.4f]" % (
                st["ratio"], st["round_ratio_min"], st["round_ratio_max"]),
                st["spread"])
        out.append(line)


# The per-round ratios the bench made with the stock signal interleaved.
ROUND_RATIOS = {
    "notify_lingering_break_to_handler": "ratio_rounds_lingering",
    "notify_hooks_armed_break_to_handler": "ratio_rounds_hooks_armed",
}


def print_latency(kern, out):
    lat = kern.get("latency")
    if not lat:
        return
    out.append("Latency (us, %d trials each):" % lat["trials"])
    out.append("  %-44s %9s %9s %9s" % ("", "median", "p99", "max"))
    out.append("  with the hooks kept armed by a task isolated on CPU 3:")
    rows = (
        ("enter_hooks_armed", "enter isolation"),
        ("notify_hooks_armed", "IPI from CPU 0 to handler on CPU 2"),
        ("notify_hooks_armed_ipi_to_break", "  of which: IPI sent to break"),
        ("notify_hooks_armed_break_to_handler", "  of which: break to handler"))
    if "enter_lingering" in lat:
        rows += (
            (None, "  the task alone, hooks lingering from its previous isolation:"),
            ("enter_lingering", "enter isolation"),
            ("notify_lingering", "IPI from CPU 0 to handler on CPU 2"),
            ("notify_lingering_ipi_to_break", "  of which: IPI sent to break"),
            ("notify_lingering_break_to_handler", "  of which: break to handler"),
            (None, "  first arm: hooks registered with it (hooks_linger_ms=0):"))
    else:
        rows += ((None, "  the task alone (hooks armed and removed with it):"),)
    rows += (
        ("enter", "enter isolation"),
        ("notify", "IPI from CPU 0 to handler on CPU 2"),
        ("notify_ipi_to_break", "  of which: IPI sent to break"),
        ("notify_break_to_handler", "  of which: break to handler"))
    if "plain_signal" in lat:
        rows += ((None, "  the stock path, for comparison (task not isolated):"),
                 ("plain_signal", "signal from CPU 0 to handler on CPU 2"))
    for key, label in rows:
        if key is None:
            out.append(label)
            continue
        v = lat[key]
        out.append("  %-44s %9.0f %9.0f %9.0f%s" % (
            label, v["median_us"], v["p99_us"], v["max_us"],
            "" if v["n"] == lat["trials"] else "  (%d trials)" % v["n"]))
    if "plain_signal" in lat:
        base = lat["plain_signal"]["median_us"]
        for key, label in (("notify_hooks_armed_break_to_handler", "hooks kept armed"),
                           ("notify_lingering_break_to_handler", "alone, hooks lingering"),
                           ("notify_break_to_handler", "first arm")):
            if key not in lat:
                continue
            p99 = lat["plain_signal"]["p99_us"]
            if not base or not p99:
                continue
            line = ("  break to handler / stock signal to handler, %s: "
                    "median %.2f, p99 %.2f" % (label, lat[key]["median_us"] / base,
                                               lat[key]["p99_us"] / p99))
            rounds = lat.get(ROUND_RATIOS.get(key, ""))
            if rounds:
                line += ", rounds %.2f-%.2f" % (min(rounds), max(rounds))
            out.append(line)


def print_load(kern, out):
    ld = kern.get("load.busy")
    if not ld:
        return
    ops = ", ".join("%s %d" % kv for kv in ld["ops"].items())
    out.append("Load generator (busy runs): %d workers on CPU %s for %.0f s: %s"
               % (ld["workers"], ld["cpus"], ld["seconds"], ops))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--host-load")
    ap.add_argument("--wall", type=int)
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()

    doc = {
        "generated": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_seconds": args.wall,
        "host": host_info(args.host_load),
        "method": {
            "entries": "per-CPU /proc/interrupts row deltas over the loop, "
                       "read from CPU 0; same in (a) and (b); TLB and MCP are listed "
                       "but not added, being part of CAL and LOC",
            "gaps": "consecutive vDSO CLOCK_MONOTONIC reads further apart "
                    "than the threshold",
            "emulator_gaps": "gaps minus kernel entries, floored at 0: "
                             "stalls with no kernel entry behind them",
            "stolen_ns": "sum of all gaps",
            "module": "(b) only: break records of the monitor stream "
                      "inside the loop's window; gaps_with_break matches "
                      "each gap against their timestamps",
            "ipi": "trace of CPU 2 over the loop's window: one entry per "
                   "irq_vectors/irq_handler event, filed under the IPI "
                   "callback (function tracer, hard-IRQ context) or "
                   "hrtimer that ran in it",
            "fair_server": "6.8+: fair server runtime 0 on CPUs 1-3 in "
                           "every configuration",
            "micro": "a task sleeps on CPU 2 in every state (isolated, "
                     "log-only, in loaded_isolated; armed and left in "
                     "loaded_lingering); no vCPU but CPU 0 is busy; each "
                     "loaded state starts from a fresh module load",
            "micro_icount": "the micro run again in a second boot under a "
                            "QEMU TCG plugin (bench/icount/isol_icount.c) "
                            "counting the instructions vCPU 0 executes from "
                            "the start to the end of each loop, kernel and "
                            "user, interrupts included; instructions, not "
                            "cycles: cache and TLB effects are not in it",
            "notify_icount": "in the same boot, the IPI-to-handler trials "
                             "of latency, strict break and stock signal "
                             "interleaved: the instructions vCPU 2 executes "
                             "from the last round of its spinning loop "
                             "before the IPI to the handler's first",
        },
        "kernels": {},
    }
    trouble = []
    lines = []
    for path in args.results:
        kern = load_results(path)
        if "end-of-bench" not in kern:
            sys.exit("%s: bench did not finish" % path)
        del kern["end-of-bench"]
        info = kern["info"]
        try:
            with open(path.replace(".results", ".trouble"),
                      encoding="utf-8") as f:
                kern["kernel_trouble"] = f.read().splitlines()
        except FileNotFoundError:
            kern["kernel_trouble"] = []
        if kern["kernel_trouble"]:
            trouble.append("%s: %s" % (info["kernel"],
                                       kern["kernel_trouble"][0]))
        micro_icount = load_counted(path, "bench-icount", "micro", icount_micro)
        notify_icount = load_counted(path, "bench-notify", "notify_count",
                                     icount_notify)
        if re.search(r"\.bench-[a-z]+\.results$", path):
            # A counting boot alone (BENCH_TIMED=0): its own times,
            # slowed by the counting, are no figures of their own.
            kern.pop("micro", None)
        kern.pop("notify_count", None)
        if micro_icount is not None:
            kern["micro_icount"] = micro_icount
        if notify_icount is not None:
            kern["notify_icount"] = notify_icount
        doc["kernels"][info["kernel"]] = kern
        lines.append("")
        lines.append("=== %s: %d vCPUs, nohz_full=%s, clocksource %s, "
                     "fair server on isolated CPUs: %s ===" % (
                         info["kernel"], info["cpus"], info["nohz_full"],
                         info["clocksource"],
                         info["fair_server_isolated_cpus"]))
        print_quiet(kern, lines)
        print_causes(kern, lines)
        print_scale(kern, lines)
        print_micro(kern, lines)
        print_icount(kern, lines)
        print_latency(kern, lines)
        print_notify_icount(kern, lines)
        print_load(kern, lines)
    host = doc["host"]
    for t in trouble:
        lines.append("")
        lines.append("Kernel warning during the run (see results.json): " + t)
    lines.append("")
    lines.append("Host: %d CPUs, %s, peak 1-min load %s during the run; "
                 "wall time %s s" % (host["cpus"], host["qemu"],
                                     host["peak_load_1min"], args.wall))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    print("\n".join(lines))
    print("\n# wrote %s" % args.out)


if __name__ == "__main__":
    main()

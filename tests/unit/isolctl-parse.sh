# desc: isolctl: CPU lists and masks, signals, durations, the JSON writer, run reports and exit codes
. "$(dirname "$0")/isolctl.inc"

cat >"$tmp/driver.c" <<'DRIVER'
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report.h"

static int failed;

#define CHECK(cond, ...) do { \
	if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failed = 1; } \
} while (0)

static void list_ok(const char *in, const char *want)
{
	struct cpuset s;
	char err[256], out[256];

	CHECK(!cpulist_parse(in, &s, err, sizeof(err)), "cpulist '%s' rejected: %s", in, err);
	cpulist_format(&s, out, sizeof(out));
	CHECK(!strcmp(out, want), "cpulist '%s' -> '%s', want '%s'", in, out, want);
}

static void list_bad(const char *in, const char *want)
{
	struct cpuset s;
	char err[256];

	CHECK(cpulist_parse(in, &s, err, sizeof(err)), "cpulist '%s' accepted", in);
	CHECK(!strcmp(err, want), "cpulist '%s': '%s', want '%s'", in, err, want);
}

static void mask_ok(const char *in, const char *want)
{
	struct cpuset s;
	char err[256], out[256];

	CHECK(!cpumask_parse(in, &s, err, sizeof(err)), "mask '%s' rejected: %s", in, err);
	cpulist_format(&s, out, sizeof(out));
	CHECK(!strcmp(out, want), "mask '%s' -> '%s', want '%s'", in, out, want);
}

static void sig_ok(const char *in, int want)
{
	char err[256];
	int sig = -1;

	CHECK(!parse_signal(in, &sig, err, sizeof(err)) && sig == want,
	      "signal '%s' -> %d, want %d", in, sig, want);
}

static void dur_ok(const char *in, unsigned long long want)
{
	char err[256];
	uint64_t ns = 0;

	CHECK(!parse_duration_ns(in, &ns, err, sizeof(err)) && ns == want,
	      "duration '%s' -> %llu, want %llu", in, (unsigned long long)ns, want);
}

static void fmt_ok(unsigned long long ns, const char *want)
{
	char buf[64];

	format_ns(ns, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "format_ns(%llu) = '%s', want '%s'", ns, buf, want);
}

int main(int argc, char **argv)
{
	struct cpuset s;
	char err[256], buf[64];
	uint64_t ns;
	int sig;

	if (argc > 1)
		goto reports;
	list_ok("", "");
	list_ok("0", "0");
	list_ok("1-3", "1-3");
	list_ok("3,1,2", "1-3");
	list_ok("0-1,4-7,9", "0-1,4-7,9");
	list_ok("5-5", "5");
	list_ok("0-4095", "0-4095");
	list_ok("2,2,2", "2");
	list_bad("1-", "invalid CPU list '1-': missing CPU number");
	list_bad("-1", "invalid CPU list '-1': unexpected '-'");
	list_bad("3-1", "invalid CPU list '3-1': range 3-1 goes backwards");
	list_bad("1,,2", "invalid CPU list '1,,2': unexpected ','");
	list_bad("1,", "invalid CPU list '1,': missing CPU number");
	list_bad("a", "invalid CPU list 'a': unexpected 'a'");
	list_bad("1 2", "invalid CPU list '1 2': unexpected ' '");
	list_bad("1:2", "invalid CPU list '1:2': unexpected ':'");
	list_bad("4096", "invalid CPU list '4096': CPU 4096 is above 4095");
	list_bad("99999999999999999999", "invalid CPU list '99999999999999999999': CPU 99999999999999999999 is above 4095");
	printf("ok - CPU lists parse, normalise, and name what is wrong\n");

	mask_ok("f", "0-3");
	mask_ok("e", "1-3");
	mask_ok("0", "");
	mask_ok("ffffffff,00000001", "0,32-63");
	mask_ok("F3", "0-1,4-7");
	CHECK(cpumask_parse("fg", &s, err, sizeof(err)) &&
	      !strcmp(err, "invalid CPU mask 'fg': unexpected 'g'"), "mask 'fg': %s", err);
	CHECK(cpumask_parse("", &s, err, sizeof(err)), "empty mask accepted");
	printf("ok - CPU masks parse\n");

	sig_ok("USR1", SIGUSR1);
	sig_ok("usr1", SIGUSR1);
	sig_ok("SIGUSR2", SIGUSR2);
	sig_ok("sigkill", SIGKILL);
	sig_ok("10", 10);
	sig_ok("64", 64);
	sig_ok("RTMIN+2", SIGRTMIN + 2);
	sig_ok("SIGRTMAX-1", SIGRTMAX - 1);
	CHECK(parse_signal("0", &sig, err, sizeof(err)), "signal 0 accepted");
	CHECK(parse_signal("65", &sig, err, sizeof(err)), "signal 65 accepted");
	CHECK(parse_signal("RTMIN+99", &sig, err, sizeof(err)), "RTMIN+99 accepted");
	CHECK(parse_signal("USR", &sig, err, sizeof(err)) &&
	      !strcmp(err, "invalid signal 'USR': expected a name (USR1, SIGTERM) or a number 1-64"),
	      "signal 'USR': %s", err);
	CHECK(!strcmp(signal_name(SIGUSR1, buf, sizeof(buf)), "SIGUSR1"), "name of 10: %s", buf);
	CHECK(!strcmp(signal_name(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3"), "rt name: %s", buf);
	printf("ok - signals by name and number, and their names\n");

	dur_ok("100ms", 100000000ULL);
	dur_ok("2", 2000000000ULL);
	dur_ok("2s", 2000000000ULL);
	dur_ok("0.5s", 500000000ULL);
	dur_ok("250us", 250000ULL);
	dur_ok("7ns", 7ULL);
	dur_ok("1m", 60000000000ULL);
	CHECK(parse_duration_ns("1h", &ns, err, sizeof(err)), "1h accepted");
	CHECK(parse_duration_ns("ms", &ns, err, sizeof(err)), "ms accepted");
	CHECK(parse_duration_ns("-1s", &ns, err, sizeof(err)), "-1s accepted");
	CHECK(parse_duration_ns("1e99s", &ns, err, sizeof(err)), "1e99s accepted");
	printf("ok - durations with units\n");

	fmt_ok(0, "0 ns");
	fmt_ok(999, "999 ns");
	fmt_ok(41200, "41.2 us");
	fmt_ok(6942000, "6.942 ms");
	fmt_ok(3012000000ULL, "3.012 s");
	printf("ok - durations for people\n");

	CHECK(run_exit_code(W_EXITCODE(0, 0)) == 0, "exit 0");
	CHECK(run_exit_code(W_EXITCODE(3, 0)) == 3, "exit 3");
	CHECK(run_exit_code(W_EXITCODE(255, 0)) == 255, "exit 255");
	CHECK(run_exit_code(SIGKILL) == 137, "SIGKILL");
	CHECK(run_exit_code(SIGUSR1) == 138, "SIGUSR1");
	CHECK(run_exit_code(SIGSEGV | 0x80) == 139, "SIGSEGV, core");
	printf("ok - exit codes: status, 128+signal\n");
	return failed;

reports: {
	/* A fabricated run: 3 syscalls, 1 fault, 2 IPIs from one source, a timer. */
	static char *cmd[] = { "app", "--x", "quo\"te", NULL };
	struct run_report r = { .argv = cmd, .cpu = 2, .mode = ISOL_MODE_LOG_ONLY,
				.pid = 1234, .wstatus = W_EXITCODE(0, 0),
				.runtime_ns = 3012000000ULL, .have_state = true,
				.timing = true, .monitored = true,
				.fair_server_cpu = 2, .fair_server_was = "50000000" };
	struct isol_break b = { .cause = ISOL_CAUSE_IPI_CALL, .cpu = 2, .pid = 1234,
				.sender_cpu = 0, .sender_pid = 99 };

	r.st.state = ISOL_STATE_ENDED;
	r.st.end_cause = ISOL_END_EXIT;
	r.st.enabled_ns = 1000000000ULL;
	r.st.ended_ns = 4000000000ULL;
	r.st.max_quiet_ns = 2500000000ULL;
	r.st.nr_breaks = 7;
	r.st.nr_by_cause[ISOL_CAUSE_SYSCALL] = 3;
	r.st.nr_by_cause[ISOL_CAUSE_PAGE_FAULT] = 1;
	r.st.nr_by_cause[ISOL_CAUSE_IPI_CALL] = 2;
	r.st.nr_by_cause[ISOL_CAUSE_TIMER] = 1;
	r.st.ns_by_cause[ISOL_CAUSE_SYSCALL] = 41200;
	r.st.ns_by_cause[ISOL_CAUSE_PAGE_FAULT] = 3100;
	r.st.ns_by_cause[ISOL_CAUSE_IPI_CALL] = 9000;
	r.st.ns_by_cause[ISOL_CAUSE_TIMER] = 2000;
	strcpy(b.sender_comm, "kworker/0:1");
	strcpy(b.desc, "function call IPI from CPU 0");
	report_attribute(&r, &b, "flush_tlb_func");
	report_attribute(&r, &b, "flush_tlb_func");
	b.cause = ISOL_CAUSE_TIMER;
	b.sender_cpu = -1;
	b.sender_pid = 0;
	b.sender_comm[0] = '\0';
	strcpy(b.desc, "timer interrupt");
	report_attribute(&r, &b, "tick_nohz_handler");
	r.st.last_break = b;
	strcpy(r.st.last_func, "tick_nohz_handler");
	CHECK(r.nr_attr == 2 && r.attr[0].count == 2 && r.attr[1].count == 1,
	      "attribution: %d sources", r.nr_attr);
	if (!strcmp(argv[1], "text"))
		report_text(&r, stdout);
	else if (!strcmp(argv[1], "json"))
		report_json(&r, stdout);
	else {
		/* Strict, killed at the first break; no timing in this module. */
		r.mode = ISOL_MODE_STRICT;
		r.signal = SIGUSR1;
		r.wstatus = SIGUSR1;
		r.timing = false;
		r.monitored = false;
		r.no_monitor_why = "the module has no break stream";
		r.st.end_cause = ISOL_END_BREAK;
		report_text(&r, stdout);
	}
	return failed;
}
}
DRIVER
build_driver driver
"$tmp/driver" || exit 1

"$tmp/driver" text >"$tmp/text" || exit 1
cat >"$tmp/want" <<'EOF'
isolctl: app ran 3.012 s on cpu 2 (log-only), exited with status 0
  isolated       3.000 s, ended: exit
  breaks         7: 4 self-inflicted, 3 stolen
  longest quiet  2.500 s
  cause          kind       count    time lost
  syscall        self           3      41.2 us
  page_fault     self           1       3.1 us
  timer          stolen         1       2.0 us
  ipi_call       stolen         2       9.0 us
  stolen, by source:
           2  ipi_call     from cpu 0 (kworker/0:1) ran flush_tlb_func
           1  timer        ran tick_nohz_handler
  last break     timer interrupt, ran tick_nohz_handler
  note: the command's start-up (exec, page faults of the new image, the loader's syscalls) counts as self-inflicted breaks
EOF
diff -u "$tmp/want" "$tmp/text" || fail "text report differs"
ok "text report: runtime, breaks by cause and kind, time lost, sources, longest stretch"

"$tmp/driver" strict >"$tmp/strict" || exit 1
grep -qx "isolctl: app ran 3.012 s on cpu 2 (strict, SIGUSR1), killed by SIGUSR1" "$tmp/strict" ||
	fail "strict report header: $(head -1 "$tmp/strict")"
grep -qx "  isolated       (no timing), ended: break" "$tmp/strict" || fail "strict: end cause"
grep -qx "  stolen, by source: unknown (the module has no break stream)" "$tmp/strict" ||
	fail "strict: no stream"
grep -q "^  first break " "$tmp/strict" || fail "strict: first break"
grep -q "in strict mode the first of them ends isolation" "$tmp/strict" || fail "strict: note"
grep -q "time lost" "$tmp/strict" && ! grep -q "41.2 us" "$tmp/strict" || fail "strict: no timing"
ok "strict report without timing or stream"

"$tmp/driver" json >"$tmp/json" || exit 1
jq -e . "$tmp/json" >/dev/null || fail "JSON report does not parse: $(cat "$tmp/json")"
q() { jq -c "$1" "$tmp/json"; }
[ "$(q .command)" = '["app","--x","quo\"te"]' ] || fail "command: $(q .command)"
[ "$(q '[.cpu,.mode,.signal,.exit.status,.exit.code,.runtime_ns,.isolated_ns,.max_quiet_ns]')" = \
	'[2,"log-only",null,0,0,3012000000,3000000000,2500000000]' ] || fail "fields: $(cat "$tmp/json")"
[ "$(q .breaks)" = '{"total":7,"self":4,"stolen":3}' ] || fail "breaks: $(q .breaks)"
[ "$(q '[.causes[] | [.cause,.self,.count,.time_ns]]')" = \
	'[["syscall",true,3,41200],["page_fault",true,1,3100],["timer",false,1,2000],["ipi_call",false,2,9000]]' ] ||
	fail "causes: $(q .causes)"
[ "$(q '.stolen_by_source[0]')" = \
	'{"cause":"ipi_call","sender_cpu":0,"sender_comm":"kworker/0:1","func":"flush_tlb_func","count":2}' ] ||
	fail "sources: $(q .stolen_by_source)"
[ "$(q '[.last_break.cause,.last_break.self,.last_break.func,.fair_server.runtime_was]')" = \
	'["timer",false,"tick_nohz_handler","50000000"]' ] || fail "last break: $(q .last_break)"
ok "JSON report parses and holds the same numbers"

# The writer itself: escapes, nesting, bytes that are not UTF-8.
cat >"$tmp/jw.c" <<'JW'
#include <string.h>
#include "json.h"
int main(void)
{
	struct json j;
	json_init(&j, stdout, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "q", "a\"b\\c\n\t\x01\x7f");
	json_str(&j, "utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_str(&j, "bad", "\xff\xc3(\xe2\x82\xed\xa0\x80\xc0\xaf");
	json_strn(&j, "n", "abcdef", 3);
	json_str(&j, "nul", NULL);
	json_arr_begin(&j, "a");
	json_u64(&j, NULL, 18446744073709551615ULL);
	json_i64(&j, NULL, -9223372036854775807LL - 1);
	json_bool(&j, NULL, true);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "o");
	json_null(&j, "x");
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
	return 0;
}
JW
build_driver jw
"$tmp/jw" >"$tmp/jw.out" || fail "json writer driver"
[ "$(wc -l <"$tmp/jw.out")" -gt 3 ] || fail "pretty output is not indented"
line=$(head -1 "$tmp/jw.out")
jq -e . <<<"$line" >/dev/null || fail "compact JSON does not parse: $line"
[ "$(jq -c '[.q,.utf8,.n,.nul]' <<<"$line")" = '["a\"b\\c\n\t\u0001\u007f","café € 😀","abc",null]' ] ||
	fail "values: $(jq -c '[.q,.utf8,.n,.nul]' <<<"$line")"
[ "$(jq -r .bad <<<"$line")" = "$(printf '\303\277\303\203(\303\242\302\202\303\255\302\240\302\200\303\200\302\257')" ] ||
	fail "invalid UTF-8 not escaped byte by byte: $(jq .bad <<<"$line")"
# jq reads numbers as doubles: check the extremes in the text itself.
grep -qF '"a":[18446744073709551615,-9223372036854775808,true,{},[]]' <<<"$line" ||
	fail "array: $line"
tail -n +2 "$tmp/jw.out" | jq -e '.o.x == null' >/dev/null || fail "pretty JSON: $(tail -n +2 "$tmp/jw.out")"
ok "JSON writer: escapes, UTF-8 kept, stray bytes escaped, nesting, extremes"
exit 0

// SPDX-License-Identifier: GPL-2.0
/* isolctl run: the report printed when the command exits. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report.h"

int run_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return EXIT_RUN_SIGNAL + WTERMSIG(wstatus);
	return EXIT_RUN_FAILED;
}

/* Count @b into the table @attr of *@nr entries, at most @max. */
static void attribute(struct attribution *attr, int *nr, int max,
		      uint64_t *other, const struct isol_break *b,
		      const char *func)
{
	struct attribution *a;
	int i;

	for (i = 0; i < *nr; i++) {
		a = &attr[i];
		if (a->cause == b->cause && a->sender_cpu == b->sender_cpu &&
		    !strncmp(a->sender_comm, b->sender_comm, ISOL_COMM_LEN) &&
		    !strncmp(a->func, func, ISOL_SYM_LEN)) {
			a->count++;
			return;
		}
	}
	if (*nr == max) {
		(*other)++;
		return;
	}
	a = &attr[(*nr)++];
	memset(a, 0, sizeof(*a));
	a->cause = b->cause;
	a->sender_cpu = b->sender_cpu;
	snprintf(a->sender_comm, sizeof(a->sender_comm), "%.*s", ISOL_COMM_LEN,
		 b->sender_comm);
	snprintf(a->func, sizeof(a->func), "%.*s", ISOL_SYM_LEN, func);
	a->count = 1;
}

void report_attribute(struct run_report *r, const struct isol_break *b,
		      const char *func)
{
	struct thread_report *t;

	if (b->pid == r->pid) {
		attribute(r->attr, &r->nr_attr, MAX_ATTRIBUTIONS,
			  &r->other_stolen, b, func);
		return;
	}
	t = report_thread(r, b->pid, b->cpu);
	if (t)
		attribute(t->attr, &t->nr_attr, MAX_THREAD_ATTRIBUTIONS,
			  &t->other_stolen, b, func);
}

/* The process a thread belongs to, and that process's parent; 0 if gone. */
static int proc_ids(int tid, int *ppid)
{
	char path[64], buf[4096], *p;
	int tgid = 0;

	*ppid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "\nTgid:");
	if (p)
		tgid = atoi(p + 6);
	p = strstr(buf, "\nPPid:");
	if (p)
		*ppid = atoi(p + 6);
	return tgid;
}

/* Whether thread @tid is the command's or a descendant process's. */
static bool of_command(int tid, int command)
{
	int pid, ppid, depth;

	pid = proc_ids(tid, &ppid);
	for (depth = 0; pid > 1 && depth < 64; depth++) {
		if (pid == command)
			return true;
		pid = ppid;
		proc_ids(pid, &ppid);
	}
	return false;
}

struct thread_report *report_thread(struct run_report *r, int tid, int cpu)
{
	struct thread_report *t;
	int i;

	if (tid <= 0 || tid == r->pid)
		return NULL;
	for (i = 0; i < r->nr_threads; i++)
		if (r->threads[i].tid == tid)
			return &r->threads[i];
	for (i = 0; i < r->nr_not_threads; i++)
		if (r->not_threads[i] == tid)
			return NULL;
	if (!of_command(tid, r->pid)) {
		if (r->nr_not_threads < MAX_THREADS)
			r->not_threads[r->nr_not_threads++] = tid;
		return NULL;
	}
	if (r->nr_threads == MAX_THREADS)
		return NULL;
	t = &r->threads[r->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->cpu = cpu;
	return t;
}

static const char *mode_str(unsigned int mode)
{
	return mode == ISOL_MODE_STRICT ? "strict" : "log-only";
}

static uint64_t isolated_ns(const struct run_report *r)
{
	if (!r->timing || !r->st.enabled_ns || r->st.ended_ns < r->st.enabled_ns)
		return 0;
	return r->st.ended_ns - r->st.enabled_ns;
}

/* Breaks counted by cause, split into self-inflicted and stolen. */
static void counts_split(const __u64 *by_cause, uint64_t *self,
			 uint64_t *stolen)
{
	unsigned int c;

	*self = *stolen = 0;
	for (c = 1; c < ISOL_NR_CAUSES; c++) {
		if (ISOL_CAUSE_IS_SELF(c))
			*self += by_cause[c];
		else
			*stolen += by_cause[c];
	}
}

static void breaks_split(const struct run_report *r, uint64_t *self,
			 uint64_t *stolen)
{
	counts_split(r->st.nr_by_cause, self, stolen);
}

/* One line per cause with breaks: its kind, count and time (NULL: "-"). */
static void text_causes(FILE *f, const char *indent, const __u64 *count,
			const __u64 *ns)
{
	unsigned int c;
	char t[64];

	for (c = 1; c < ISOL_NR_CAUSES; c++) {
		if (!count[c])
			continue;
		fprintf(f, "%s%-14s %-7s %8llu %12s\n", indent, isol_cause_name(c),
			ISOL_CAUSE_IS_SELF(c) ? "self" : "stolen",
			(unsigned long long)count[c],
			ns ? format_ns(ns[c], t, sizeof(t)) : "-");
	}
}

static void exit_words(const struct run_report *r, char *buf, size_t len)
{
	char sig[32];

	if (WIFEXITED(r->wstatus))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(r->wstatus));
	else if (WIFSIGNALED(r->wstatus))
		snprintf(buf, len, "killed by %s%s",
			 signal_name(WTERMSIG(r->wstatus), sig, sizeof(sig)),
			 WCOREDUMP(r->wstatus) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "ended with wait status %#x", r->wstatus);
}

/*
 * The ISOL_NOISE_* bits worth showing: THP cannot collapse anything when
 * the system has it off.
 */
static unsigned int noise_shown(const struct run_report *r)
{
	unsigned int noise = r->st.noise;
	char buf[128];

	if (read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf,
		      sizeof(buf)) == 0 && strstr(buf, "[never]"))
		noise &= ~ISOL_NOISE_THP;
	return noise;
}

/* Stolen breaks by source, one line each, under @indent. */
static void text_sources(FILE *f, const char *indent,
			 const struct attribution *attr, int nr, uint64_t other)
{
	int i;

	for (i = 0; i < nr; i++) {
		const struct attribution *at = &attr[i];

		fprintf(f, "%s%8llu  %-12s", indent, (unsigned long long)at->count,
			isol_cause_name(at->cause));
		if (at->sender_cpu >= 0)
			fprintf(f, " from cpu %d", at->sender_cpu);
		if (at->sender_comm[0])
			fprintf(f, " (%s)", at->sender_comm);
		if (at->func[0])
			fprintf(f, " ran %s", at->func);
		fputc('\n', f);
	}
	if (other)
		fprintf(f, "%s%8llu  from other sources\n", indent,
			(unsigned long long)other);
}

static uint64_t thread_self(const struct thread_report *t)
{
	uint64_t self, stolen;

	counts_split(t->rec.breaks, &self, &stolen);
	return self;
}

static uint64_t thread_isolated_ns(const struct thread_report *t)
{
	return t->rec.ended_ns > t->rec.since_ns ?
	       t->rec.ended_ns - t->rec.since_ns : 0;
}

/* One section per thread that isolated itself, then the totals. */
static bool arm_missed(const struct thread_arm *a)
{
	return a->state == ARM_FAILED || a->state == ARM_PENDING ||
	       (a->state == ARM_TRYING && (a->tries || a->held_by));
}

/* Why thread @a, pinned to a nohz_full CPU, is not isolated. */
static const char *arm_why(const struct thread_arm *a, char *buf, size_t len)
{
	if (a->state == ARM_PENDING)
		return "asked, but it did not come back to user space";
	if (a->held_by) {
		snprintf(buf, len, "it shares the cpu with isolated %s[%d]",
			 a->held_by_comm[0] ? a->held_by_comm : "task", a->held_by);
		return buf;
	}
	return isol_enable_strerror(a->err, &a->res, buf, len);
}

static void text_not_isolated(const struct run_report *r, FILE *f)
{
	char why[256];
	int i;

	for (i = 0; i < r->nr_arms; i++) {
		const struct thread_arm *a = &r->arms[i];

		if (arm_missed(a))
			fprintf(f, "  thread %s[%d] pinned to cpu %d: not isolated: %s\n",
				a->comm, a->tid, a->cpu, arm_why(a, why, sizeof(why)));
	}
	if (r->no_arm_why)
		fprintf(f, "  other threads: not isolated by isolctl (%s)\n",
			r->no_arm_why);
}

static void text_threads(const struct run_report *r, FILE *f)
{
	uint64_t all = r->have_state ? r->st.nr_breaks : 0, self = 0, stolen;
	char a[64], b[64];
	int i;

	text_not_isolated(r, f);
	if (!r->nr_threads)
		return;
	breaks_split(r, &self, &stolen);
	fprintf(f, "  other threads isolated: %d\n", r->nr_threads);
	for (i = 0; i < r->nr_threads; i++) {
		const struct thread_report *t = &r->threads[i];

		if (!t->have_rec) {
			fprintf(f, "  thread %d on cpu %d: its record was replaced by a later "
				"isolation there\n", t->tid, t->cpu);
			continue;
		}
		fprintf(f, "  thread %s[%d] on cpu %d (%s): isolated %s, %s%s\n",
			t->comm, t->tid, t->cpu,
			t->armed_by_run ? "armed by isolctl" : "armed itself",
			t->rec.ended_ns ? format_ns(thread_isolated_ns(t), a, sizeof(a)) :
			"until now", t->rec.ended_ns ? "ended: " : "",
			t->rec.ended_ns ? t->rec.end : "still isolated");
		fprintf(f, "    breaks       %llu: %llu self-inflicted, %llu stolen; "
			"longest quiet %s\n", (unsigned long long)t->rec.nr_breaks,
			(unsigned long long)thread_self(t),
			(unsigned long long)(t->rec.nr_breaks - thread_self(t)),
			format_ns(t->rec.max_quiet_ns, b, sizeof(b)));
		text_causes(f, "    ", t->rec.breaks, t->rec.time_ns);
		if (t->nr_attr || t->other_stolen) {
			fprintf(f, "    stolen, by source:\n");
			text_sources(f, "      ", t->attr, t->nr_attr, t->other_stolen);
		}
		all += t->rec.nr_breaks;
		self += thread_self(t);
	}
	fprintf(f, "  all threads    %llu breaks: %llu self-inflicted, %llu stolen\n",
		(unsigned long long)all, (unsigned long long)self,
		(unsigned long long)(all - self));
}

/*
 * Breaks logged before strict mode took over: all of them but the one that
 * ended isolation, since in strict mode the first break after ends it.
 */
static uint64_t startup_breaks(const struct run_report *r)
{
	uint64_t n = r->st.nr_breaks;

	if (r->st.state == ISOL_STATE_ENDED && r->st.end_cause == ISOL_END_BREAK && n)
		n--;
	return n;
}

void report_text(const struct run_report *r, FILE *f)
{
	char a[64], b[64], how[96], desc[256], sig[32];
	uint64_t self, stolen;
	unsigned int noise;

	exit_words(r, how, sizeof(how));
	fprintf(f, "isolctl: %s ran %s on cpu %d (%s%s%s%s%s), %s\n", r->argv[0],
		format_ns(r->runtime_ns, a, sizeof(a)), r->cpu, mode_str(r->mode),
		r->strict_after_ns ? " after " : "",
		r->strict_after_ns ? format_ns(r->strict_after_ns, b, sizeof(b)) : "",
		r->mode == ISOL_MODE_STRICT ? ", " : "",
		r->mode == ISOL_MODE_STRICT ? signal_name(r->signal, sig, sizeof(sig)) : "",
		how);
	if (!r->have_state) {
		fprintf(f, "  no isolation record: the module did not report one\n");
		return;
	}
	fprintf(f, "  isolated       %s, ended: %s\n",
		r->timing ? format_ns(isolated_ns(r), a, sizeof(a)) : "(no timing)",
		r->st.state == ISOL_STATE_ENDED ? isol_end_str(r->st.end_cause) :
		r->st.state == ISOL_STATE_ISOLATED ? "still isolated" : "never");
	breaks_split(r, &self, &stolen);
	fprintf(f, "  breaks         %llu: %llu self-inflicted, %llu stolen\n",
		(unsigned long long)r->st.nr_breaks, (unsigned long long)self,
		(unsigned long long)stolen);
	if (r->strict_after_ns)
		fprintf(f, "  start-up       %llu breaks in the first %s, logged only\n",
			(unsigned long long)startup_breaks(r),
			format_ns(r->strict_after_ns, a, sizeof(a)));
	if (r->timing)
		fprintf(f, "  longest quiet  %s\n",
			format_ns(r->st.max_quiet_ns, a, sizeof(a)));
	if (r->st.nr_breaks) {
		fprintf(f, "  %-14s %-7s %8s %12s\n", "cause", "kind", "count",
			"time lost");
		text_causes(f, "  ", r->st.nr_by_cause,
			    r->timing ? r->st.ns_by_cause : NULL);
	}
	if (stolen && r->monitored) {
		fprintf(f, "  stolen, by source:\n");
		text_sources(f, "    ", r->attr, r->nr_attr, r->other_stolen);
	} else if (stolen && r->no_monitor_why) {
		fprintf(f, "  stolen, by source: unknown (%s)\n", r->no_monitor_why);
	}
	if (r->records_lost)
		fprintf(f, "  warning: %llu break records were dropped before isolctl "
			"read them; attribution is incomplete\n",
			(unsigned long long)r->records_lost);
	if (r->st.last_break.cause) {
		break_describe(&r->st.last_break, r->st.last_func, desc, sizeof(desc));
		fprintf(f, "  %-14s %s\n", r->st.end_cause == ISOL_END_BREAK ?
			"first break" : "last break", desc);
	}
	text_threads(r, f);
	noise = noise_shown(r);
	if (noise) {
		const char *what, *fix;
		unsigned int bit;

		fprintf(f, "  predicted noise, left open when the command started:\n");
		for (bit = 1; bit; bit <<= 1) {
			what = noise & bit ? isol_noise_str(bit, &fix) : NULL;
			if (what)
				fprintf(f, "    %s\n      fix: %s\n", what, fix);
		}
	}
	if (self)
		fprintf(f, "  note: the command's start-up (exec, page faults of the new "
			"image, the loader's syscalls) counts as self-inflicted breaks%s\n",
			r->mode != ISOL_MODE_STRICT ? "" :
			r->strict_after_ns ? "; --strict-after logs those it covers" :
			"; in strict mode the first of them ends isolation "
			"(--strict-after lets it start first)");
}

static void json_break(struct json *j, const char *key, const struct isol_break *b,
		       const char *func)
{
	json_obj_begin(j, key);
	json_str(j, "cause", isol_cause_name(b->cause));
	json_bool(j, "self", ISOL_CAUSE_IS_SELF(b->cause));
	json_u64(j, "time_ns", b->time_ns);
	json_u64(j, "cpu", b->cpu);
	json_i64(j, "pid", b->pid);
	json_strn(j, "comm", b->comm, ISOL_COMM_LEN);
	json_u64(j, "detail", b->detail);
	json_strn(j, "desc", b->desc, ISOL_DESC_LEN);
	if (b->sender_cpu >= 0)
		json_i64(j, "sender_cpu", b->sender_cpu);
	else
		json_null(j, "sender_cpu");
	if (b->sender_pid > 0) {
		json_i64(j, "sender_pid", b->sender_pid);
		json_strn(j, "sender_comm", b->sender_comm, ISOL_COMM_LEN);
	} else {
		json_null(j, "sender_pid");
		json_null(j, "sender_comm");
	}
	if (func && func[0])
		json_strn(j, "func", func, ISOL_SYM_LEN);
	else
		json_null(j, "func");
	json_obj_end(j);
}


static void json_sources(struct json *j, const struct attribution *attr, int nr)
{
	int i;

	json_arr_begin(j, "stolen_by_source");
	for (i = 0; i < nr; i++) {
		const struct attribution *at = &attr[i];

		json_obj_begin(j, NULL);
		json_str(j, "cause", isol_cause_name(at->cause));
		if (at->sender_cpu >= 0)
			json_i64(j, "sender_cpu", at->sender_cpu);
		else
			json_null(j, "sender_cpu");
		json_str(j, "sender_comm", at->sender_comm[0] ? at->sender_comm : NULL);
		json_str(j, "func", at->func[0] ? at->func : NULL);
		json_u64(j, "count", at->count);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_threads(struct json *j, const struct run_report *r)
{
	unsigned int c;
	int i;

	json_arr_begin(j, "threads");
	for (i = 0; i < r->nr_threads; i++) {
		const struct thread_report *t = &r->threads[i];

		json_obj_begin(j, NULL);
		json_i64(j, "tid", t->tid);
		json_i64(j, "cpu", t->cpu);
		json_bool(j, "have_record", t->have_rec);
		json_str(j, "armed_by", t->armed_by_run ? "isolctl" : "itself");
		if (t->have_rec) {
			json_str(j, "comm", t->comm);
			json_str(j, "state", t->rec.ended_ns ? "ended" : "isolated");
			json_str(j, "end_cause", t->rec.ended_ns ? t->rec.end : NULL);
			if (t->rec.ended_ns)
				json_u64(j, "isolated_ns", thread_isolated_ns(t));
			else
				json_null(j, "isolated_ns");
			json_u64(j, "breaks", t->rec.nr_breaks);
			json_u64(j, "self_inflicted", thread_self(t));
			json_u64(j, "stolen", t->rec.nr_breaks - thread_self(t));
			json_u64(j, "longest_quiet_ns", t->rec.max_quiet_ns);
			json_arr_begin(j, "causes");
			for (c = 1; c < ISOL_NR_CAUSES; c++) {
				if (!t->rec.breaks[c])
					continue;
				json_obj_begin(j, NULL);
				json_str(j, "cause", isol_cause_name(c));
				json_bool(j, "self", ISOL_CAUSE_IS_SELF(c));
				json_u64(j, "count", t->rec.breaks[c]);
				json_u64(j, "time_ns", t->rec.time_ns[c]);
				json_obj_end(j);
			}
			json_arr_end(j);
		}
		json_sources(j, t->attr, t->nr_attr);
		json_u64(j, "stolen_other_sources", t->other_stolen);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "not_isolated");
	for (i = 0; i < r->nr_arms; i++) {
		const struct thread_arm *a = &r->arms[i];
		char why[256];

		if (!arm_missed(a))
			continue;
		json_obj_begin(j, NULL);
		json_i64(j, "tid", a->tid);
		json_str(j, "comm", a->comm);
		json_i64(j, "cpu", a->cpu);
		json_str(j, "reason", arm_why(a, why, sizeof(why)));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_str(j, "threads_not_armed_why", r->no_arm_why);
}

void report_json(const struct run_report *r, FILE *f)
{
	char sig[32];
	uint64_t self, stolen;
	struct json j;
	unsigned int c, noise;
	int i;

	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "command");
	for (i = 0; r->argv[i]; i++)
		json_str(&j, NULL, r->argv[i]);
	json_arr_end(&j);
	json_i64(&j, "pid", r->pid);
	json_i64(&j, "cpu", r->cpu);
	json_str(&j, "mode", mode_str(r->mode));
	if (r->mode == ISOL_MODE_STRICT)
		json_str(&j, "signal", signal_name(r->signal, sig, sizeof(sig)));
	else
		json_null(&j, "signal");
	if (r->strict_after_ns) {
		json_u64(&j, "strict_after_ns", r->strict_after_ns);
		json_u64(&j, "startup_breaks", startup_breaks(r));
	} else {
		json_null(&j, "strict_after_ns");
		json_null(&j, "startup_breaks");
	}
	json_obj_begin(&j, "exit");
	if (WIFEXITED(r->wstatus))
		json_i64(&j, "status", WEXITSTATUS(r->wstatus));
	else
		json_null(&j, "status");
	if (WIFSIGNALED(r->wstatus))
		json_str(&j, "signal", signal_name(WTERMSIG(r->wstatus), sig, sizeof(sig)));
	else
		json_null(&j, "signal");
	json_i64(&j, "code", run_exit_code(r->wstatus));
	json_obj_end(&j);
	json_u64(&j, "runtime_ns", r->runtime_ns);
	json_bool(&j, "timing", r->timing);
	if (r->have_state) {
		json_str(&j, "state", r->st.state == ISOL_STATE_ENDED ? "ended" :
			 r->st.state == ISOL_STATE_ISOLATED ? "isolated" : "off");
		json_str(&j, "end_cause", isol_end_str(r->st.end_cause));
		if (r->timing) {
			json_u64(&j, "isolated_ns", isolated_ns(r));
			json_u64(&j, "max_quiet_ns", r->st.max_quiet_ns);
		} else {
			json_null(&j, "isolated_ns");
			json_null(&j, "max_quiet_ns");
		}
		breaks_split(r, &self, &stolen);
		json_obj_begin(&j, "breaks");
		json_u64(&j, "total", r->st.nr_breaks);
		json_u64(&j, "self", self);
		json_u64(&j, "stolen", stolen);
		json_obj_end(&j);
		json_arr_begin(&j, "predicted_noise");
		noise = noise_shown(r);
		for (unsigned int bit = 1; bit; bit <<= 1) {
			const char *what, *fix;

			what = noise & bit ? isol_noise_str(bit, &fix) : NULL;
			if (!what)
				continue;
			json_obj_begin(&j, NULL);
			json_str(&j, "what", what);
			json_str(&j, "fix", fix);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "causes");
		for (c = 1; c < ISOL_NR_CAUSES; c++) {
			if (!r->st.nr_by_cause[c])
				continue;
			json_obj_begin(&j, NULL);
			json_str(&j, "cause", isol_cause_name(c));
			json_bool(&j, "self", ISOL_CAUSE_IS_SELF(c));
			json_u64(&j, "count", r->st.nr_by_cause[c]);
			if (r->timing)
				json_u64(&j, "time_ns", r->st.ns_by_cause[c]);
			else
				json_null(&j, "time_ns");
			json_obj_end(&j);
		}
		json_arr_end(&j);
		if (r->st.last_break.cause)
			json_break(&j, "last_break", &r->st.last_break, r->st.last_func);
		else
			json_null(&j, "last_break");
	} else {
		json_null(&j, "state");
	}
	json_bool(&j, "monitored", r->monitored);
	json_sources(&j, r->attr, r->nr_attr);
	json_u64(&j, "stolen_other_sources", r->other_stolen);
	json_threads(&j, r);
	json_u64(&j, "records_lost", r->records_lost);
	if (r->fair_server_cpu >= 0) {
		json_obj_begin(&j, "fair_server");
		json_i64(&j, "cpu", r->fair_server_cpu);
		json_str(&j, "runtime_was", r->fair_server_was);
		json_obj_end(&j);
	} else {
		json_null(&j, "fair_server");
	}
	json_obj_end(&j);
	json_end(&j);
}

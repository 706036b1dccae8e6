// SPDX-License-Identifier: GPL-2.0
/* isolctl: CPU sets, strict value parsers, sysfs/procfs access, messages. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolctl.h"

void cpuset_clear(struct cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

unsigned int cpuset_count(const struct cpuset *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_CPUS / 64; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

bool cpuset_empty(const struct cpuset *s)
{
	return cpuset_count(s) == 0;
}

int cpuset_next(const struct cpuset *s, int cpu)
{
	int c;

	for (c = cpu + 1; c < MAX_CPUS; c++)
		if (cpuset_has(s, c))
			return c;
	return -1;
}

int cpuset_first(const struct cpuset *s)
{
	return cpuset_next(s, -1);
}

bool cpuset_subset(const struct cpuset *a, const struct cpuset *b)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS / 64; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

void cpuset_and(struct cpuset *d, const struct cpuset *a, const struct cpuset *b)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS / 64; i++)
		d->bits[i] = a->bits[i] & b->bits[i];
}

void cpuset_andnot(struct cpuset *d, const struct cpuset *a, const struct cpuset *b)
{
	unsigned int i;

	for (i = 0; i < MAX_CPUS / 64; i++)
		d->bits[i] = a->bits[i] & ~b->bits[i];
}

/* A CPU number in a list: decimal digits only, below MAX_CPUS. */
static const char *cpulist_num(const char *p, unsigned long *v, const char *str,
			       char *err, size_t errlen)
{
	char *end;

	if (!isdigit((unsigned char)*p)) {
		if (*p)
			snprintf(err, errlen, "invalid CPU list '%s': unexpected '%c'",
				 str, *p);
		else
			snprintf(err, errlen, "invalid CPU list '%s': missing CPU number",
				 str);
		return NULL;
	}
	errno = 0;
	*v = strtoul(p, &end, 10);
	if (errno || *v >= MAX_CPUS) {
		snprintf(err, errlen, "invalid CPU list '%s': CPU %.*s is above %d",
			 str, (int)(end - p), p, MAX_CPUS - 1);
		return NULL;
	}
	return end;
}

int cpulist_parse(const char *str, struct cpuset *s, char *err, size_t errlen)
{
	const char *p = str;
	unsigned long a, b, c;

	cpuset_clear(s);
	if (!*p)
		return 0;
	for (;;) {
		p = cpulist_num(p, &a, str, err, errlen);
		if (!p)
			return -1;
		b = a;
		if (*p == '-') {
			p = cpulist_num(p + 1, &b, str, err, errlen);
			if (!p)
				return -1;
			if (b < a) {
				snprintf(err, errlen,
					 "invalid CPU list '%s': range %lu-%lu goes backwards",
					 str, a, b);
				return -1;
			}
		}
		for (c = a; c <= b; c++)
			cpuset_set(s, c);
		if (!*p)
			return 0;
		if (*p != ',') {
			snprintf(err, errlen, "invalid CPU list '%s': unexpected '%c'",
				 str, *p);
			return -1;
		}
		p++;
	}
}

int cpumask_parse(const char *str, struct cpuset *s, char *err, size_t errlen)
{
	size_t i = strlen(str);
	unsigned int bit = 0;
	int v;

	cpuset_clear(s);
	if (!i) {
		snprintf(err, errlen, "invalid CPU mask '': empty");
		return -1;
	}
	/* From the last digit, which holds CPUs 0-3. */
	while (i--) {
		char ch = str[i];

		if (ch == ',')
			continue;
		if (!isxdigit((unsigned char)ch)) {
			snprintf(err, errlen, "invalid CPU mask '%s': unexpected '%c'",
				 str, ch);
			return -1;
		}
		v = isdigit((unsigned char)ch) ? ch - '0' : tolower(ch) - 'a' + 10;
		for (int k = 0; k < 4; k++, bit++)
			if ((v >> k) & 1) {
				if (bit >= MAX_CPUS) {
					snprintf(err, errlen,
						 "invalid CPU mask '%s': CPU %u is above %d",
						 str, bit, MAX_CPUS - 1);
					return -1;
				}
				cpuset_set(s, bit);
			}
	}
	return 0;
}

char *cpulist_format(const struct cpuset *s, char *buf, size_t len)
{
	size_t off = 0;
	int c, start;

	if (len)
		buf[0] = '\0';
	for (c = cpuset_first(s); c >= 0 && off < len;) {
		start = c;
		while (cpuset_has(s, c + 1))
			c++;
		if (c == start)
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", c);
		else
			off += snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "",
					start, c);
		c = cpuset_next(s, c);
	}
	return buf;
}

int parse_uint(const char *str, unsigned long *val, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*str) ||
	    (*val = strtoul(str, &end, 10), errno) || *end) {
		snprintf(err, errlen, "'%s' is not a number", str);
		return -1;
	}
	return 0;
}

const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

int parse_signal(const char *str, int *sig, char *err, size_t errlen)
{
	const char *name = str;
	unsigned long v;
	int s;

	if (isdigit((unsigned char)*str)) {
		if (parse_uint(str, &v, err, errlen) || v < 1 || v >= (unsigned long)_NSIG)
			goto bad;
		*sig = v;
		return 0;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	if (!strncasecmp(name, "RTMIN+", 6) || !strncasecmp(name, "RTMAX-", 6)) {
		if (parse_uint(name + 6, &v, err, errlen) ||
		    v > (unsigned long)(SIGRTMAX - SIGRTMIN))
			goto bad;
		*sig = toupper(name[4]) == 'N' ? SIGRTMIN + (int)v : SIGRTMAX - (int)v;
		return 0;
	}
	for (s = 1; s < _NSIG; s++) {
		const char *abbrev = sigabbrev_np(s);

		if (abbrev && !strcasecmp(name, abbrev)) {
			*sig = s;
			return 0;
		}
	}
bad:
	snprintf(err, errlen, "invalid signal '%s': expected a name (USR1, SIGTERM) "
		 "or a number 1-%d", str, _NSIG - 1);
	return -1;
}

int parse_duration_ns(const char *str, uint64_t *ns, char *err, size_t errlen)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "", 1e9 }, { "m", 60e9 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	if (!isdigit((unsigned char)*str) || (v = strtod(str, &end), errno))
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].ns;
		if (v > (double)UINT64_MAX / 2)
			goto bad;
		*ns = (uint64_t)(v + 0.5);
		return 0;
	}
bad:
	snprintf(err, errlen, "invalid duration '%s': expected a number with "
		 "an optional unit ns, us, ms, s or m (seconds by default)", str);
	return -1;
}

char *format_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000ULL)
		snprintf(buf, len, "%.3f s", ns / 1e9);
	else if (ns >= 1000000ULL)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else if (ns >= 1000ULL)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	return buf;
}

static const char *root_path(const char *env, const char *def, char *buf,
			     size_t len, const char *fmt, va_list ap)
{
	const char *root = getenv(env);
	int n = snprintf(buf, len, "%s", root && *root ? root : def);

	if (n >= 0 && (size_t)n < len)
		vsnprintf(buf + n, len - n, fmt, ap);
	return buf;
}

const char *sys_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	root_path("ISOLCTL_SYSFS_ROOT", "/sys", buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

const char *proc_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	root_path("ISOLCTL_PROC_ROOT", "/proc", buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	while (total && (buf[total - 1] == '\n' || buf[total - 1] == ' '))
		buf[--total] = '\0';
	return total;
}

int read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret = read_text(path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (!ret || errno || *end)
		return -EINVAL;
	return 0;
}

int read_cpulist(const char *path, struct cpuset *s)
{
	char buf[4096], err[128];
	int ret = read_text(path, buf, sizeof(buf));

	cpuset_clear(s);
	if (ret < 0)
		return ret;
	/* Some kernels write "(null)" for an empty mask. */
	if (!strcmp(buf, "(null)"))
		return 0;
	return cpulist_parse(buf, s, err, sizeof(err)) ? -EINVAL : 0;
}

int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		ret = -errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

void cpu_info_read(struct cpu_info *ci)
{
	char p[PATH_MAX];

	memset(ci, 0, sizeof(*ci));
	read_cpulist(sys_path(p, sizeof(p), "/devices/system/cpu/possible"),
		     &ci->possible);
	if (read_cpulist(sys_path(p, sizeof(p), "/devices/system/cpu/online"),
			 &ci->online))
		ci->online = ci->possible;
	/* The file exists only with CONFIG_NO_HZ_FULL. */
	sys_path(p, sizeof(p), "/devices/system/cpu/nohz_full");
	ci->has_nohz_full_file = access(p, F_OK) == 0;
	read_cpulist(p, &ci->nohz_full);
	cpulist_format(&ci->nohz_full, ci->nohz_full_str,
		       sizeof(ci->nohz_full_str));
	read_cpulist(sys_path(p, sizeof(p), "/devices/system/cpu/isolated"),
		     &ci->isolated);
	cpuset_andnot(&ci->housekeeping, &ci->online, &ci->nohz_full);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("isolctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "isolctl%s%s: ", sub ? " " : "", sub ? sub : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'isolctl%s%s --help' for more information.\n",
		sub ? " " : "", sub ? sub : "");
	va_end(ap);
	return EXIT_USAGE;
}

int parse_json_help(int argc, char **argv, const char *sub,
		    void (*usage)(void), bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return usage_error(sub, "unrecognized option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(sub, "unexpected argument '%s'", argv[optind]);
	return -1;
}

int cause_by_name(const char *name)
{
	int c;

	for (c = 0; c < ISOL_CAUSE_MAX; c++)
		if (!strcmp(isol_cause_name(c), name))
			return c;
	return -1;
}

/* "<name> <value>" lines into @vals, by cause. */
static void read_cause_file(const char *path, __u64 *vals)
{
	char buf[4096], *line, *save = NULL;
	unsigned long long v;
	char name[32];
	int c;

	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %llu", name, &v) != 2)
			continue;
		c = cause_by_name(name);
		if (c >= 0)
			vals[c] = v;
	}
}

void cpu_record_read(int cpu, struct cpu_record *r)
{
	char dir[PATH_MAX], p[PATH_MAX + 32], buf[128];
	int c;

	memset(r, 0, sizeof(*r));
	sys_path(dir, sizeof(dir), "/class/misc/task_isolation/cpu%d", cpu);
	if (access(dir, F_OK))
		return;
	r->present = true;
	snprintf(p, sizeof(p), "%s/state", dir);
	if (read_text(p, buf, sizeof(buf)) >= 0) {
		sscanf(buf, "%31s %31s", r->state, r->end);
	}
	snprintf(p, sizeof(p), "%s/task", dir);
	if (read_text(p, buf, sizeof(buf)) > 0 && strcmp(buf, "-"))
		sscanf(buf, "%d %31[^\n]", &r->pid, r->comm);
	snprintf(p, sizeof(p), "%s/since_ns", dir);
	read_u64(p, &r->since_ns);
	snprintf(p, sizeof(p), "%s/ended_ns", dir);
	read_u64(p, &r->ended_ns);
	snprintf(p, sizeof(p), "%s/max_quiet_ns", dir);
	read_u64(p, &r->max_quiet_ns);
	snprintf(p, sizeof(p), "%s/breaks", dir);
	read_cause_file(p, r->breaks);
	snprintf(p, sizeof(p), "%s/time_ns", dir);
	read_cause_file(p, r->time_ns);
	for (c = 1; c < ISOL_NR_CAUSES; c++)
		r->nr_breaks += r->breaks[c];
}

void break_describe(const struct isol_break *b, const char *func, char *buf,
		    size_t len)
{
	size_t off;

	off = snprintf(buf, len, "%s", b->desc[0] ? b->desc : isol_cause_str(b->cause));
	if (off < len && b->sender_pid > 0 && !strstr(b->desc, "["))
		off += snprintf(buf + off, len - off, " (%.*s[%d])",
				ISOL_COMM_LEN, b->sender_comm, b->sender_pid);
	if (off < len && func && func[0])
		snprintf(buf + off, len - off, ", ran %.*s", ISOL_SYM_LEN, func);
}

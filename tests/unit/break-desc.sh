# desc: a break's description, kept at the break and formatted when read, reads as vsnprintf would have written it
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every format the module's break paths pass: only the conversions that
# module/isol_desc.c keeps (%s %d %x %lu %lx), or the text would end early.
perl -0ne 'while (/isol_(?:break_local|record_break)\((.*?)\);/gs) {
	my $a = $1; print "$1\n" while $a =~ /"((?:[^"\\]|\\.)*%(?:[^"\\]|\\.)*)"/g }' \
	"$top"/module/*.c >"$tmp/formats"
[ "$(wc -l <"$tmp/formats")" -ge 10 ] || { echo "found only $(wc -l <"$tmp/formats") formats"; exit 1; }
if grep -P '%(?!s|d|x|lu|lx)' "$tmp/formats"; then
	echo "a break format uses a conversion isol_desc.c does not keep"
	exit 1
fi
# Its cache of conversions holds nine and a stop.
if grep -P '^([^%]*%){10}' "$tmp/formats"; then
	echo "a break format has more conversions than isol_desc.c keeps"
	exit 1
fi

# The module's two functions, built on the host against stand-ins for the
# kernel's, checked against the C library's vsnprintf on every format.
cat >"$tmp/shim.h" <<'H'
#include <stdarg.h>
#include <sys/types.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
typedef uint32_t u32;
typedef uint64_t u64;
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define hash_ptr(p, bits) \
	((u32)(((unsigned long)(p) * 0x61C8864680B583EBull) >> (64 - (bits))))
#define ISOL_DESC_LEN 64
#define ISOL_DESC_ARGS 4
struct isol_break { char desc[ISOL_DESC_LEN]; };
struct isol_desc {
	const char *fmt;
	unsigned int nr_arg;
	unsigned long arg[ISOL_DESC_ARGS];
};
struct isol_krec { struct isol_break b; struct isol_desc desc; };
#define min(a, b) ((a) < (b) ? (a) : (b))
static long strscpy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -7;	/* -E2BIG */
	}
	memcpy(dst, src, len + 1);
	return len;
}

static int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n < (int)size ? n : (int)size - 1;
}
H
{
	echo '#include "shim.h"'
	grep -v -e '#include "isol.h"' -e '#include <linux/hash.h>' \
		"$top/module/isol_desc.c"
	cat <<'C'
static int failed;

/* @expect: the text wanted, or NULL for vsnprintf's (cut alike). */
static void check_as(const char *expect, const char *fmt, ...)
{
	char want[ISOL_DESC_LEN];
	struct isol_krec r;
	va_list args;

	/* As the module leaves it: the text cleared, not the arguments. */
	memset(&r, 0xa5, sizeof(r));
	memset(&r.b, 0, sizeof(r.b));
	va_start(args, fmt);
	isol_desc_capture(&r, fmt, args);
	va_end(args);
	va_start(args, fmt);
	vsnprintf(want, sizeof(want), fmt, args);
	va_end(args);
	if (expect)
		snprintf(want, sizeof(want), "%s", expect);
	isol_desc_render(&r.b, &r.desc);
	if (r.b.desc[ISOL_DESC_LEN - 1] ||
	    (strlen(want) < ISOL_DESC_LEN - 8 ? strcmp(r.b.desc, want) :
	     strncmp(r.b.desc, want, strlen(r.b.desc)) ||
	     strlen(r.b.desc) < ISOL_DESC_LEN - 8)) {
		printf("\"%s\": \"%s\", wanted: \"%s\"\n", fmt, r.b.desc, want);
		failed = 1;
	}
}

#define check(...) check_as(NULL, __VA_ARGS__)

int main(void)
{
	struct isol_krec r;
	int round;

	/* The second round finds each format's conversions cached. */
	for (round = 0; round < 2; round++) {

	check("%ssyscall %lu", "32-bit ", 20UL);
	check("%ssyscall %lu", "", 18446744073709551615UL);
	check("kernel entry of unknown cause");
	check("page fault at 0x%lx (%s%s)", 0x7ffd1234abcdUL, "write", "");
	check("page fault at 0x%lx (%s%s)", ~0UL, "exec", ", protection");
	check("%s: %s[%d] %s here%s", "reschedule IPI", "isol_attr", 4242,
	      "moved", ", of this program");
	check("%s: %s[%d] %s here%s", "function call IPI", "a-very-long-com",
	      2147483647, "woken", ", of this program");
	check("%s from CPU %d (%s[%d])", "function call IPI", 0, "isol_bench",
	      117);
	check("%s", "irq_work IPI");
	check("interrupt vector 0x%x", 0xecU);
	check("irq %d (%s)", -1, "");
	check("exception (signal %d)", 11);
	check("preempted by %s[%d]%s", "kworker/2:1", 33, " of this program");
	check("moved to CPU %d by %s[%d]", 3, "taskset", 999);
	check("%s by %s[%d] on CPU %d", "affinity changed", "x", 1, 0);
	/* One string longer than the text: cut, and what follows is empty. */
	check("%s|%s|%d", "0123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789", "gone", 7);
	/* More numbers than kept: the text ends at the fifth. */
	check_as("1 2 3 4 ", "%d %d %d %d %d %d", 1, 2, 3, 4, 5, 6);
	/*
	 * More conversions than the cache holds: it ends at the tenth, and
	 * the render prints no number that was not captured.
	 */
	check_as("abcdefghi", "%s%s%s%s%s%s%s%s%s%d", "a", "b", "c", "d",
		 "e", "f", "g", "h", "i", 10);
	}
	/* A conversion it does not keep: the text ends there. */
	memset(&r, 0, sizeof(r));
	r.desc.fmt = "count %u after";
	isol_desc_render(&r.b, &r.desc);
	if (strcmp(r.b.desc, "count ")) {
		printf("%%u: \"%s\"\n", r.b.desc);
		failed = 1;
	}
	/* A record with no break renders as empty text. */
	memset(&r, 0, sizeof(r));
	isol_desc_render(&r.b, &r.desc);
	if (r.b.desc[0]) {
		printf("no break: \"%s\"\n", r.b.desc);
		failed = 1;
	}
	return failed;
}
C
} >"$tmp/desc.c"
cc -Wall -Wextra -Werror -Wno-format-security -fsanitize=address,undefined \
	-fno-sanitize-recover=all -o "$tmp/desc" "$tmp/desc.c"
"$tmp/desc"

# desc: the prctl shim translates the patch series' flags and rejects bad ones
# CC may carry flags (the sanitizer run of make lint): it is split on purpose.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

# The pure translation functions, against a driver.
cat >"$tmp/driver.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isol-prctl.h"

#define EN	PR_TASK_ISOLATION_ENABLE
#define US	PR_TASK_ISOLATION_USERSIG
#define SIG(n)	PR_TASK_ISOLATION_SET_SIG(n)

static void fail(const char *what, unsigned long flags)
{
	printf("FAIL: %s (flags %#lx)\n", what, flags);
	exit(1);
}

static void ok(const char *what)
{
	printf("ok - %s\n", what);
}

static void expect(unsigned long flags, unsigned int mode, int sig)
{
	struct isol_opts o;

	memset(&o, 0xaa, sizeof(o));
	if (isol_prctl_to_opts(flags, &o))
		fail("valid flags rejected", flags);
	if (o.mode != mode || o.signal != sig || o.flags || o.quiesce_timeout_ns)
		fail("wrong mode or signal", flags);
}

static void reject(unsigned long flags)
{
	struct isol_opts o, before;

	memset(&o, 0xaa, sizeof(o));
	memset(&before, 0xaa, sizeof(before));
	if (isol_prctl_to_opts(flags, &o) != -EINVAL)
		fail("invalid flags accepted", flags);
	if (memcmp(&o, &before, sizeof(o)))
		fail("opts written on error", flags);
}

static struct isol_state state(unsigned int st, unsigned int mode, int sig)
{
	struct isol_state s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.state = st;
	s.mode = mode;
	s.signal = sig;
	return s;
}

static void to_prctl(struct isol_state s, unsigned long want, const char *what)
{
	unsigned long got = isol_state_to_prctl(&s);

	if (got != want) {
		printf("FAIL: %s: got %#lx, want %#lx\n", what, got, want);
		exit(1);
	}
	printf("ok - %s -> %#lx\n", what, want);
}

int main(void)
{
	unsigned long f;
	int n, bit;

	expect(EN, ISOL_MODE_STRICT, 0);
	ok("ENABLE: strict, SIGKILL");
	expect(EN | US, ISOL_MODE_LOG_ONLY, 0);
	expect(EN | US | SIG(0), ISOL_MODE_LOG_ONLY, 0);
	ok("ENABLE|USERSIG|SET_SIG(0): log-only");
	for (n = 1; n <= 64; n++)
		expect(EN | US | SIG(n), ISOL_MODE_STRICT, n);
	ok("ENABLE|USERSIG|SET_SIG(1..64): strict with that signal");
	for (n = 1; n <= 64; n++)
		expect(EN | SIG(n), ISOL_MODE_STRICT, n);
	ok("ENABLE|SET_SIG(1..64): strict with that signal");

	for (n = 0; n <= 0x7f; n++) {
		reject(SIG(n));
		reject(US | SIG(n));
	}
	ok("USERSIG/SET_SIG without ENABLE (and 0) rejected");
	for (bit = 0; bit < 64; bit++) {
		f = 1UL << bit;
		if (f & (EN | US | SIG(0x7f)))
			continue;
		reject(EN | f);
		reject(EN | US | SIG(SIGUSR1) | f);
	}
	ok("unknown flag bits rejected");
	for (n = 65; n <= 0x7f; n++) {
		reject(EN | SIG(n));
		reject(EN | US | SIG(n));
	}
	ok("signals 65..127, e.g. SET_SIG(0x7f), rejected");

	/* Every value of the low 16 bits, against the rules written out. */
	for (f = 0; f < 0x10000; f++) {
		int sig = (f >> 8) & 0x7f;

		if ((f & ~0x7f03UL) || !(f & EN) || sig > 64)
			reject(f);
		else if ((f & US) && !sig)
			expect(f, ISOL_MODE_LOG_ONLY, 0);
		else
			expect(f, ISOL_MODE_STRICT, sig);
	}
	ok("all flags below 1<<16 follow the mapping rules");

	to_prctl(state(ISOL_STATE_OFF, 0, 0), 0, "OFF");
	to_prctl(state(ISOL_STATE_ENDED, ISOL_MODE_STRICT, SIGUSR1), 0, "ENDED strict");
	to_prctl(state(ISOL_STATE_ENDED, ISOL_MODE_LOG_ONLY, SIGKILL), 0, "ENDED log-only");
	to_prctl(state(ISOL_STATE_ISOLATED, ISOL_MODE_STRICT, SIGKILL), EN, "strict SIGKILL");
	to_prctl(state(ISOL_STATE_ISOLATED, ISOL_MODE_STRICT, SIGUSR1),
		 EN | US | SIG(SIGUSR1), "strict SIGUSR1");
	to_prctl(state(ISOL_STATE_ISOLATED, ISOL_MODE_LOG_ONLY, SIGKILL), EN | US,
		 "log-only");

	/*
	 * Round trip: each valid flag value, isolated the way the module
	 * records it (signal 0 resolved to SIGKILL), reads back as flags that
	 * translate to the same mode and signal.
	 */
	for (f = 0; f < 0x10000; f++) {
		struct isol_opts a, b;
		struct isol_state s;
		unsigned long g;

		if (isol_prctl_to_opts(f, &a))
			continue;
		s = state(ISOL_STATE_ISOLATED, a.mode, a.signal ?: SIGKILL);
		g = isol_state_to_prctl(&s);
		if (isol_prctl_to_opts(g, &b))
			fail("read-back flags rejected", f);
		if (a.mode != b.mode || (a.signal ?: SIGKILL) != (b.signal ?: SIGKILL))
			fail("read-back flags differ in mode or signal", f);
	}
	ok("every valid flag value round-trips through isol_state_to_prctl");
	return 0;
}
EOF
${CC:-cc} -Wall -Wextra -Werror -std=gnu11 -I"$top/include/uapi" -I"$top/lib" -o "$tmp/driver" \
	"$tmp/driver.c" "$top/lib/libisol-prctl.c" "$top/lib/libisol.c" ||
	fail "driver does not build"
"$tmp/driver" || exit 1

# The shared library, built as the Makefile builds it.
so=$tmp/libisol-prctl.so
${CC:-cc} -O2 -g -Wall -Wextra -Werror -std=gnu11 -I"$top/include/uapi" -I"$top/lib" \
	-fPIC -shared -fvisibility=hidden -o "$so" \
	"$top/lib/libisol-prctl.c" "$top/lib/libisol.c" -ldl ||
	fail "libisol-prctl.so does not build"
syms=$(nm -D --defined-only "$so" | awk '{ print $3 }')
grep -qx prctl <<<"$syms" || fail "prctl is not exported"
echo "ok - libisol-prctl.so exports prctl"
for sym in isol_prctl_to_opts isol_state_to_prctl; do
	! grep -qx "$sym" <<<"$syms" || fail "$sym is exported"
done
echo "ok - libisol-prctl.so hides the translation helpers"

# Under LD_PRELOAD: other options pass through, bad calls fail early.
cat >"$tmp/run.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "isol-prctl.h"

static void check(int cond, const char *what)
{
	if (!cond) {
		printf("FAIL: %s (errno %d: %s)\n", what, errno, strerror(errno));
		exit(1);
	}
	printf("ok - %s\n", what);
}

static int fails_with(int ret, int err)
{
	return ret == -1 && errno == err;
}

/* Whether this process has the isolation device open. */
static int device_open(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	char target[64];
	ssize_t len;
	int found = 0;

	if (!dir)
		return 1;
	while ((d = readdir(dir))) {
		len = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (!strcmp(target, ISOL_DEVICE_PATH))
			found = 1;
	}
	closedir(dir);
	return found;
}

int main(int argc, char **argv)
{
	unsigned long en = PR_TASK_ISOLATION_ENABLE;
	void *sym = dlsym(RTLD_DEFAULT, "prctl");
	char name[16] = "";
	Dl_info info;
	int sig = 0;

	check(sym && dladdr(sym, &info) && strstr(info.dli_fname, "libisol-prctl.so"),
	      "prctl resolves to the preloaded shim");
	check(prctl(PR_SET_NAME, "xyz", 0, 0, 0) == 0, "PR_SET_NAME passes through");
	check(prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && !strcmp(name, "xyz"),
	      "PR_GET_NAME passes through and reads back xyz");
	check(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0 &&
	      prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0 && sig == SIGUSR1,
	      "PR_SET/GET_PDEATHSIG pass through");
	check(fails_with(prctl(PR_SET_PDEATHSIG, 1000, 0, 0, 0), EINVAL),
	      "a kernel error passes through as -1/EINVAL");

	check(fails_with(prctl(PR_SET_TASK_ISOLATION, en, 1, 0, 0), EINVAL),
	      "PR_SET_TASK_ISOLATION with non-zero arg 3: -1/EINVAL");
	check(fails_with(prctl(PR_SET_TASK_ISOLATION, 0, 0, 0, 1), EINVAL),
	      "PR_SET_TASK_ISOLATION with non-zero arg 5: -1/EINVAL");
	check(fails_with(prctl(PR_GET_TASK_ISOLATION, 1, 0, 0, 0), EINVAL),
	      "PR_GET_TASK_ISOLATION with non-zero arg 2: -1/EINVAL");
	check(fails_with(prctl(PR_SET_TASK_ISOLATION, en | 4, 0, 0, 0), EINVAL),
	      "PR_SET_TASK_ISOLATION with an unknown bit: -1/EINVAL");
	check(fails_with(prctl(PR_SET_TASK_ISOLATION,
			       en | PR_TASK_ISOLATION_SET_SIG(0x7f), 0, 0, 0), EINVAL),
	      "PR_SET_TASK_ISOLATION with SET_SIG(0x7f): -1/EINVAL");
	check(!device_open(), "rejected calls did not open the device");

	if (argc < 2 || strcmp(argv[1], "nodev")) {
		printf("skip - %s exists, not touching it on the host\n", ISOL_DEVICE_PATH);
		return 0;
	}
	check(fails_with(prctl(PR_SET_TASK_ISOLATION, en, 0, 0, 0), ENOENT),
	      "enable without the device: -1/ENOENT");
	check(fails_with(prctl(PR_SET_TASK_ISOLATION, 0, 0, 0, 0), ENOENT),
	      "disable without the device: -1/ENOENT");
	check(fails_with(prctl(PR_GET_TASK_ISOLATION, 0, 0, 0, 0), ENOENT),
	      "get without the device: -1/ENOENT");
	return 0;
}
EOF
${CC:-cc} -Wall -Wextra -Werror -std=gnu11 -I"$top/include/uapi" -I"$top/lib" -o "$tmp/run" \
	"$tmp/run.c" -ldl || fail "runtime test program does not build"
arg=nodev
[ ! -e /dev/task_isolation ] || arg=
LD_PRELOAD=$so "$tmp/run" $arg || exit 1
exit 0

# desc: libisol: .so/.a export only isol_ symbols and keep no global state; pkg-config; error strings
. "$(dirname "$0")/isolctl.inc"
cd "$top" || exit 1
make -s lib/libisol.so lib/libisol.a lib/libisol.pc lib/libisol-prctl.so >/dev/null ||
	fail "make lib/libisol.{so,a,pc} failed"

bad=$(nm -D --defined-only lib/libisol.so | awk '{ print $3 }' | grep -v '^isol_')
[ -z "$bad" ] || fail "libisol.so exports symbols outside isol_: $bad"
bad=$(nm -g --defined-only lib/libisol.a | awk 'NF == 3 { print $3 }' | grep -v '^isol_')
[ -z "$bad" ] || fail "libisol.a defines globals outside isol_: $bad"
for sym in isol_enter isol_exit isol_handle_fd isol_handle_status isol_last_break \
	isol_enable_strerror isol_busy_str isol_tick_dep_str isol_open isol_enable \
	isol_disable isol_get_state isol_get_state_of isol_monitor_read isol_status_map \
	isol_noise_str isol_enable_thread; do
	nm -D --defined-only lib/libisol.so | grep -q " T $sym\$" || fail "libisol.so lacks $sym"
done
ok "libisol.so and libisol.a: every exported symbol is isol_*"
# Thread safety by construction: no writable data at all.
# (.data.rel.ro holds the name tables: read-only once relocated.)
# Sanitizer builds (make lint) add their own data: nothing to learn there.
case "${CC:-}" in
*-fsanitize=*) echo "ok - writable data not checked in a sanitizer build" ;;
*)
	data=$(size -A lib/libisol.o | awk '($1 == ".data" || $1 == ".bss") && $2 != 0')
	[ -z "$data" ] || fail "libisol keeps global or static writable data: $data"
	ok "libisol has no writable global or static data"
	;;
esac
bad=$(nm -D --defined-only lib/libisol-prctl.so | awk '{ print $3 }' | grep -vx prctl)
[ -z "$bad" ] || fail "libisol-prctl.so exports more than prctl: $bad"
ok "libisol-prctl.so, built on libisol.a, exports prctl only"

PKG_CONFIG_PATH=$top/lib pkg-config --validate libisol || fail "libisol.pc does not validate"
[ "$(PKG_CONFIG_PATH=$top/lib pkg-config --modversion libisol)" = "$(cat VERSION)" ] ||
	fail "libisol.pc version is not VERSION"
[ "$(PKG_CONFIG_PATH=$top/lib pkg-config --libs libisol | tr -d ' ')" = "-lisol" ] ||
	fail "pkg-config --libs: $(PKG_CONFIG_PATH=$top/lib pkg-config --libs libisol)"
ok "libisol.pc validates, version $(cat VERSION), -lisol"

# A program using the library, statically and dynamically.
cat >"$tmp/user.c" <<'EOF'
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <isol.h>

static int failed;
#define CHECK(c, ...) do { if (!(c)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failed = 1; } } while (0)

static void why(int err, unsigned int reason, int cpu, unsigned int busy,
		unsigned int dep, const char *want)
{
	struct isol_enable r = { .reason = reason, .cpu = cpu, .busy = busy, .tick_dep = dep };
	char buf[256];

	isol_enable_strerror(err, &r, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "reason %u: '%s', want '%s'", reason, buf, want);
}

static void *worker(void *arg)
{
	struct isol_enable r = { .reason = ISOL_REASON_NOT_QUIET, .cpu = 3,
				 .busy = ISOL_BUSY_TIMER | ISOL_BUSY_RCU };
	char buf[128];
	int i;

	for (i = 0; i < 20000; i++) {
		isol_enable_strerror(-EAGAIN, &r, buf, sizeof(buf));
		if (strcmp(buf, "CPU 3 did not become quiet in time: timer pending, RCU work"))
			return arg;
	}
	return NULL;
}

int main(void)
{
	struct isol_config cfg = { .cpu = -1, .mode = ISOL_MODE_LOG_ONLY };
	struct isol_enable res;
	pthread_t t[4];
	void *ret;
	char buf[8];
	int i;

	why(-EINVAL, ISOL_REASON_NOT_NOHZ_FULL, 5, 0, 0, "CPU 5 is not nohz_full");
	why(-EINVAL, ISOL_REASON_AFFINITY, 1, 0, 0, "the thread's affinity is not exactly one CPU");
	why(-EBUSY, ISOL_REASON_CPU_BUSY, 2, 0, 0, "another task is isolated on CPU 2");
	why(-EBUSY, ISOL_REASON_OTHER_FILE, 2, 0, 0, "already isolated through another open file");
	why(-EPERM, ISOL_REASON_PERMISSION, 2, 0, 0, "needs CAP_SYS_NICE");
	why(-EINVAL, ISOL_REASON_BAD_SIGNAL, 2, 0, 0, "invalid signal");
	why(-EINVAL, ISOL_REASON_BAD_ARGS, 2, 0, 0, "invalid argument");
	why(-EINTR, ISOL_REASON_INTERRUPTED, 2, 0, 0, "interrupted by a signal");
	why(-ENOMEM, ISOL_REASON_NO_MEMORY, 2, 0, 0, "out of memory");
	why(-EIO, ISOL_REASON_HOOKS, 2, 0, 0, "kernel hooks could not be armed");
	why(-ESRCH, ISOL_REASON_NO_THREAD, 2, 0, 0, "no such thread, or it is exiting");
	why(-EPERM, ISOL_REASON_NOT_MEMBER, 2, 0, 0,
	    "the thread's program was not isolated through this file");
	why(-EINPROGRESS, ISOL_REASON_PENDING, 2, 0, 0,
	    "the thread arms when it next returns to user space");
	why(-EAGAIN, ISOL_REASON_NOT_QUIET, 2, ISOL_BUSY_TICK_DEP | ISOL_BUSY_RUNNABLE,
	    ISOL_TICK_DEP_SCHED | ISOL_TICK_DEP_RCU,
	    "CPU 2 did not become quiet in time: tick dependency, another task runnable (sched, rcu)");
	why(-EAGAIN, ISOL_REASON_NOT_QUIET, 2, 1U << 9, 0,
	    "CPU 2 did not become quiet in time: bit 9");
	why(-ENOENT, ISOL_REASON_NONE, 0, 0, 0, "/dev/task_isolation does not exist (module not loaded)");
	why(-EACCES, ISOL_REASON_NONE, 0, 0, 0, "/dev/task_isolation: permission denied");
	why(ENODEV, ISOL_REASON_NONE, 0, 0, 0, "No such device");
	why(-EINVAL, 99, 0, 0, 0, "unknown");
	for (i = 0; i <= ISOL_REASON_PENDING; i++)
		CHECK(strcmp(isol_reason_str(i), "unknown"), "reason %d has no string", i);
	for (i = 0; i < ISOL_CAUSE_MAX; i++)
		CHECK(strcmp(isol_cause_name(i), "unknown") || i == ISOL_CAUSE_UNKNOWN,
		      "cause %d has no name", i);
	CHECK(!strcmp(isol_busy_str(0xff, buf, sizeof(buf)), "tick de"), "truncation: '%s'", buf);
	printf("ok - error strings for every reason, truncated safely\n");
	CHECK(isol_enable_thread(-1, 0, NULL, 0, NULL) == -EINVAL && errno == EINVAL,
	      "isol_enable_thread without a thread id");
	CHECK(isol_enable_thread(-1, 1, NULL, 0, NULL) == -EBADF, "isol_enable_thread on a bad fd");
	printf("ok - isol_enable_thread: EINVAL without a thread id, before any ioctl\n");

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		CHECK(!ret, "thread %d saw a wrong string", i);
	}
	printf("ok - error strings from 4 threads at once\n");

	if (access("/dev/task_isolation", F_OK)) {
		CHECK(!isol_enter(&cfg, &res) && errno == ENOENT, "isol_enter without the device");
		cfg.reserved[1] = 1;
		CHECK(!isol_enter(&cfg, &res) && errno == EINVAL &&
		      res.reason == ISOL_REASON_BAD_ARGS, "isol_enter with reserved bits");
		cfg.reserved[1] = 0;
		cfg.skip_prevent = ISOL_PREVENT_ALL + 1;
		CHECK(!isol_enter(&cfg, &res) && errno == EINVAL &&
		      res.reason == ISOL_REASON_BAD_ARGS, "isol_enter with unknown skip_prevent bits");
		printf("ok - isol_enter fails cleanly: ENOENT without the device, EINVAL on reserved and unknown bits\n");
	}
	for (i = 0; i < 4; i++) {
		const char *fix = NULL;

		CHECK(isol_noise_str(1U << i, &fix) && fix && *fix, "noise bit %d has no words", i);
	}
	CHECK(!isol_noise_str(1U << 4, NULL) && !isol_noise_str(0, NULL), "unknown noise bits");
	printf("ok - every noise bit has words and a fix\n");
	return failed;
}
EOF
mkdir -p "$tmp/inc/linux"
cp lib/isol.h "$tmp/inc/" && cp include/uapi/linux/task_isolation.h "$tmp/inc/linux/"
# The headers as an installed copy has them: isol.h and linux/task_isolation.h.
${CC:-cc} -Wall -Wextra -Werror -I"$tmp/inc" -o "$tmp/user" "$tmp/user.c" lib/libisol.a -lpthread ||
	fail "a program does not build against isol.h and libisol.a"
"$tmp/user" || exit 1
${CC:-cc} -Wall -Wextra -Werror -I"$tmp/inc" -o "$tmp/user-so" "$tmp/user.c" -L"$top/lib" -lisol -lpthread ||
	fail "a program does not link against libisol.so"
LD_LIBRARY_PATH=$top/lib "$tmp/user-so" >/dev/null || fail "the program fails against libisol.so"
ok "programs build and run against libisol.a and libisol.so"
exit 0

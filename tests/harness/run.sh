#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test run: host unit tests, then for each kernel series the
# module build and the guest suites, then the harness self-test. Prints TAP
# and ends with "N passed, N failed, N skipped". Exit 1 on any failure.
#   KERNELS="6.1 6.12"   kernel series to test; "all" (the default) is every
#                        series: 6.1 6.1-rt 6.12 6.12-rt trixie sid sid-rt
#   SELFTEST=0           skip the harness self-test (it boots 4 more guests)
#   STRESS_SECONDS=N     length of the stress run of every kernel (0 skips
#                        it); unset, each series' own (SERIES_STRESS in
#                        lib.sh: 300 for 6.1 and 6.12, 60 for the others)
#   LINT=0               skip the static checks (make lint)
#   DKMS=0               skip the DKMS build and its guest
#   DEBUG_TIME_SCALE=N   guest time limits on the debug kernel (6.1-debug)
#                        are N times the usual (default 4)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KERNELS=$(expand_kernels "${KERNELS:-}")
n=0 passed=0 failed=0 skipped=0

tap() {
	local status=$1 desc=$2
	n=$((n + 1))
	case "$status" in
	ok) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	case "$status" in
	ok) echo "ok $n - $desc" ;;
	skip) echo "ok $n - $desc # SKIP" ;;
	*) echo "not ok $n - $desc" ;;
	esac
}

# The guest's comments just before its "not ok - DESC" line in the console
# log @1: why the test failed, so that a CI log alone says it.
why_failed() {
	local console=$1 desc=$2
	[ -r "$console" ] || return 0
	tr -d '\r' <"$console" | awk -v want="not ok - $desc" '
		/^(ok|not ok) - / { if ($0 == want) { for (i = 0; i < n; i++) print "#   " seen[i]; exit } n = 0; next }
		/^# / { if (n == 12) { for (i = 1; i < n; i++) seen[i - 1] = seen[i]; n-- } seen[n++] = $0 }'
}

# Feed a guest's result lines into the TAP stream, prefixed with the kernel;
# for a failure, the guest's own words on it from console log @3.
relay_results() {
	local prefix=$1 file=$2 console=${3:-} line status rest
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		"not ok - "*) status=fail rest=${line#not ok - } ;;
		"ok - "*) status=ok rest=${line#ok - } ;;
		*) continue ;;
		esac
		case "$rest" in
		*" # SKIP"*)
			n=$((n + 1)) skipped=$((skipped + 1))
			echo "ok $n - $prefix: $rest"
			;;
		*)
			tap "$status" "$prefix: $rest"
			[ "$status" = fail ] && [ -n "$console" ] &&
				why_failed "$console" "$rest"
			;;
		esac
	done <"$file"
}

# Judge one finished guest run. Sets END_SEEN and LOG_CLEAN for callers
# that need to know why it failed.
END_SEEN=0 LOG_CLEAN=1
judge_guest() {
	local prefix=$1 tag=$2 vmrc=$3 console=$LOGS/$2.console.log
	local results=$LOGS/$2.results bad
	END_SEEN=0 LOG_CLEAN=1
	if [ -r "$results" ] && grep -q '^end-of-suite' "$results"; then
		END_SEEN=1
	fi
	[ -r "$results" ] && relay_results "$prefix" "$results" "$console"
	# Notes a case passed on as comments (e.g. kmemleak's other leaks).
	[ -r "$results" ] && grep -a '^# ' "$results" | tr -d '\r'
	if [ $END_SEEN -eq 1 ]; then
		tap ok "$prefix: guest ran the suite to its end"
	else
		tap fail "$prefix: guest ran the suite to its end"
		[ "$vmrc" -eq 124 ] && echo "# guest timed out; log: $console"
		echo "# guest did not finish; last console lines ($console):"
		tail -n 25 "$console" 2>/dev/null | sed 's/^/#   /'
	fi
	if bad=$("$HARNESS_DIR/scan-log.sh" "$console" 2>&1); then
		tap ok "$prefix: guest log free of BUG/WARNING/Oops/lockdep/hung task/panic"
	else
		LOG_CLEAN=0
		tap fail "$prefix: guest log free of BUG/WARNING/Oops/lockdep/hung task/panic"
		echo "# kernel trouble in $console:"
		echo "$bad" | head -n 20 | sed 's/^/#   /'
	fi
}

boot_and_judge() {
	local series=$1 release=$2 profile=$3 label=$4 rc=0 t0 bug
	local console=$LOGS/$release.$profile.console.log
	t0=$(date +%s)
	"$HARNESS_DIR/vm.sh" "$series" check "$profile" || rc=$?
	echo "# $release $profile guest: boot to power-off $(($(date +%s) - t0))s"
	# A kernel bug the suite trips over but does not cause gets one more
	# boot, whose verdict stands (tests/harness/known-kernel-bugs).
	if bug=$("$HARNESS_DIR/known-bug.sh" "$series" "$profile" "$console"); then
		cp "$console" "$LOGS/$release.$profile.known-bug.console.log"
		echo "# $release $profile: known kernel bug, booting once more: $bug"
		echo "#   its log: $LOGS/$release.$profile.known-bug.console.log"
		rc=0
		"$HARNESS_DIR/vm.sh" "$series" check "$profile" || rc=$?
	fi
	judge_guest "$label" "$release.$profile" "$rc"
}

run_host_units() {
	local t name rc t0
	t0=$(date +%s)
	for t in "$TOP"/tests/unit/*.sh; do
		[ -e "$t" ] || continue
		name=$(sed -n 's/^# desc: //p' "$t" | head -n 1)
		rc=0
		bash "$t" >"$OUT/unit.out" 2>&1 || rc=$?
		if [ $rc -eq 0 ]; then
			tap ok "host: $name"
		else
			tap fail "host: $name"
			sed 's/^/#   /' "$OUT/unit.out"
		fi
	done
	echo "# host unit tests took $(($(date +%s) - t0))s"
}

# The static checks of make lint, as TAP points; their findings as comments.
run_lint() {
	local s lint_kernels=
	# Debian's kernels only: the debug kernel adds nothing to sparse or W=1.
	for s in $KERNELS; do
		[ "$s" = "$DEBUG_SERIES" ] || lint_kernels+=" $s"
	done
	[ -n "$lint_kernels" ] || return 0
	# shellcheck disable=SC2086
	"$HARNESS_DIR/lint.sh" $lint_kernels >"$OUT/lint.out" 2>&1
	relay_results "host" "$OUT/lint.out"
	grep '^#' "$OUT/lint.out"
	return 0
}

run_kernel() {
	local series=$1 release t0 bdir stress
	t0=$(date +%s)
	release=$(kernel_release "$series")
	echo "# kernel $series: $release (Debian package $(cat "$(kernel_dir "$series")/version"))"
	if ! bdir=$("$HARNESS_DIR/build-module.sh" "$series" 2>"$OUT/build.err"); then
		tap fail "$release: module builds against its own headers"
		sed 's/^/#   /' "$OUT/build.err"
		return
	fi
	tap ok "$release: module builds against its own headers"
	if ! "$HARNESS_DIR/initramfs.sh" "$series" >/dev/null 2>"$OUT/initramfs.err"; then
		tap fail "$release: guest initramfs builds"
		sed 's/^/#   /' "$OUT/initramfs.err"
		return
	fi
	boot_and_judge "$series" "$release" nohz "$release"
	boot_and_judge "$series" "$release" plain "$release (no nohz_full)"
	boot_and_judge "$series" "$release" ibt "$release (CET-IBT simulated)"
	stress=$(stress_seconds "$series")
	if [ "$stress" != 0 ]; then
		VM_TIMEOUT=$((stress + 180)) \
			boot_and_judge "$series" "$release" stress "$release (stress, ${stress}s)"
	fi
	echo "# $release suite took $(($(date +%s) - t0))s"
	# DKMS is packaging: Debian's kernels tell all there is to know about it.
	[ "${DKMS:-1}" = 0 ] || [ "$series" = "$DEBUG_SERIES" ] ||
		run_dkms "$series" "$release" "$bdir"
}

# DKMS builds the module from its installed source tree against the
# kernel's headers; that module, not the harness's, then boots in a guest.
run_dkms() {
	local series=$1 release=$2 bdir=$3 ko t0 a b
	t0=$(date +%s)
	if ! ko=$("$HARNESS_DIR/dkms.sh" "$series" 2>"$OUT/dkms.err"); then
		tap fail "$release: dkms add/build/install against its headers"
		sed 's/^/#   /' "$OUT/dkms.err"
		return
	fi
	tap ok "$release: dkms add/build/install against its headers"
	a=$(modinfo -F srcversion "$ko") b=$(modinfo -F srcversion "$bdir/module/task_isolation.ko")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		tap ok "$release: DKMS builds the sources the suite tests (srcversion $a)"
	else
		tap fail "$release: DKMS builds the sources the suite tests (srcversion $a, suite's $b)"
	fi
	if ! MODULE_KO=$ko INITRAMFS=$bdir/initramfs-dkms.cpio.gz "$HARNESS_DIR/initramfs.sh" \
		"$series" >/dev/null 2>"$OUT/initramfs.err"; then
		tap fail "$release: guest initramfs with the DKMS module builds"
		sed 's/^/#   /' "$OUT/initramfs.err"
		return
	fi
	INITRAMFS=$bdir/initramfs-dkms.cpio.gz boot_and_judge "$series" "$release" dkms \
		"$release (DKMS-built module)"
	echo "# $release DKMS stage took $(($(date +%s) - t0))s"
}

# Each self-test breaks a guest on purpose; the harness must call it a
# failure, for the reason given.
selftest_one() {
	local series=$1 fault=$2 desc=$3 release rc=0 tag saved_n=$n
	local saved_p=$passed saved_f=$failed saved_s=$skipped timeout
	release=$(kernel_release "$series")
	tag=$release.selftest.selftest-$fault
	# A guest that panics or halts by itself ends early whatever the limit:
	# give those room for a boot slowed by a loaded host (CI saw /init only
	# at 14 s, and a hung task is reported 5-10 s later). Only the stall
	# test waits for its limit, so it keeps a short one.
	timeout=${SELFTEST_TIMEOUT:-120}
	[ "$fault" = stall ] && timeout=30
	HUNG_TASK_SECS=5 VM_TIMEOUT=$timeout \
		"$HARNESS_DIR/vm.sh" "$series" check selftest "$fault" || rc=$?
	# Judge it silently, then restore the counters: only the verdict counts.
	judge_guest "selftest" "$tag" "$rc" >"$OUT/selftest-$fault.tap"
	local f=$((failed - saved_f))
	n=$saved_n passed=$saved_p failed=$saved_f skipped=$saved_s
	local ok=0
	case "$fault" in
	warn) [ $LOG_CLEAN -eq 0 ] && grep -q 'WARNING:' "$LOGS/$tag.console.log" && ok=1 ;;
	hang) [ $LOG_CLEAN -eq 0 ] && grep -q 'blocked for more than' "$LOGS/$tag.console.log" && ok=1 ;;
	stall) [ $END_SEEN -eq 0 ] && [ $rc -eq 124 ] && ok=1 ;;
	fail) grep -q '^not ok .*deliberately\|^not ok .*exited with status' "$OUT/selftest-$fault.tap" && ok=1 ;;
	leak) grep -q '^not ok .*leaked object' "$OUT/selftest-$fault.tap" && ok=1 ;;
	kasan) [ $LOG_CLEAN -eq 0 ] && grep -q 'BUG: KASAN:' "$LOGS/$tag.console.log" && ok=1 ;;
	esac
	if [ $ok -eq 1 ] && [ $f -gt 0 ]; then
		tap ok "harness: $desc"
	else
		tap fail "harness: $desc"
		sed 's/^/#   /' "$OUT/selftest-$fault.tap"
	fi
}

mkdir -p "$OUT" "$LOGS"
t_all=$(date +%s)
"$HARNESS_DIR/setup-host.sh" sparse cppcheck || die "host setup failed"
# shellcheck disable=SC2086
"$HARNESS_DIR/kernels.sh" $KERNELS || die "fetching kernels failed"

run_host_units
[ "${LINT:-1}" != 0 ] && run_lint
for s in $KERNELS; do
	run_kernel "$s"
done
if [ "${SELFTEST:-1}" != 0 ]; then
	first= debug=
	for s in $KERNELS; do
		if [ "$s" = "$DEBUG_SERIES" ]; then
			debug=$s
		elif [ -z "$first" ]; then
			first=$s
		fi
	done
	t0=$(date +%s)
	if [ -n "$first" ]; then
		selftest_one "$first" warn "a kernel WARNING in the guest fails the run"
		selftest_one "$first" hang "a hung task in the guest fails the run"
		selftest_one "$first" stall "a guest that never finishes fails the run"
		selftest_one "$first" fail "a failing guest case fails the run"
	fi
	# The debug kernel's own detectors, with room for two leak scans.
	if [ -n "$debug" ]; then
		SELFTEST_TIMEOUT=180 selftest_one "$debug" leak \
			"a module's leak fails the leak check (debug kernel)"
		SELFTEST_TIMEOUT=180 selftest_one "$debug" kasan \
			"an out-of-bounds read gives a KASAN report that fails the run (debug kernel)"
	fi
	echo "# harness self-test took $(($(date +%s) - t0))s"
fi
echo "# guest logs: $LOGS"
echo "# total time $(($(date +%s) - t_all))s"
echo "1..$n"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]

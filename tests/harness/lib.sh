# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the QEMU test harness. Sourced, not run.

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HARNESS_DIR/../.." && pwd)
CACHE=${ISOL_CACHE:-$TOP/.cache}
OUT=${ISOL_OUT:-$TOP/tests/out}
LOGS=$OUT/logs

# The kernel series we test. Each series names a Debian distribution
# (SERIES_DIST: which private apt configuration finds it, and where its
# module is built), an apt target release in it (SERIES_SUITE; "default" is
# apt's own choice among that distribution's suites, i.e. the newest
# version across its point, updates and security suites, backports having
# a lower priority and never being picked by default) and a flavour (the
# metapackage linux-image-FLAVOUR names the newest build).
#   6.1, 6.1-rt      Debian 12, generic and PREEMPT_RT
#   6.12, 6.12-rt    Debian 12 backports, generic and PREEMPT_RT
#   trixie           Debian 13 (with trixie-updates and trixie-security)
#   sid, sid-rt      Debian unstable, generic and PREEMPT_RT
declare -A SERIES_DIST=([6.1]=bookworm [6.1-rt]=bookworm [6.12]=bookworm [6.12-rt]=bookworm
	[trixie]=trixie [sid]=sid [sid-rt]=sid)
declare -A SERIES_SUITE=([6.1]=default [6.1-rt]=default
	[6.12]=bookworm-backports [6.12-rt]=bookworm-backports
	[trixie]=default [sid]=default [sid-rt]=default)
# Every Debian series (KERNELS=all), and what make check (and CI) runs by
# default: all of them, all but 6.1 with a shorter stress run
# (SERIES_STRESS) so that .ci/run stays well inside its 90 minutes (README).
KERNELS_ALL="6.1 6.1-rt 6.12 6.12-rt trixie sid sid-rt"
KERNELS_DEFAULT=$KERNELS_ALL

# Length of a series' stress run in seconds: STRESS_SECONDS when set (0
# skips it), else the series' own, else 300.
declare -A SERIES_STRESS=([6.12]=120 [6.1-rt]=60 [6.12-rt]=60 [trixie]=60 [sid]=60 [sid-rt]=60)
stress_seconds() {
	echo "${STRESS_SECONDS:-${SERIES_STRESS[$1]:-300}}"
}

# Series whose kernel does not boot under QEMU 7.2's -icount (4 vCPUs: the
# first secondary CPU never comes up): make bench counts their loops in
# host time (bench.sh).
declare -A SERIES_NO_ICOUNT=([6.1]=1 [6.1-rt]=1)

# The flavour of a series: rt for the PREEMPT_RT builds, amd64 otherwise.
series_flavour() {
	case "$1" in
	*-rt) echo rt-amd64 ;;
	*) echo amd64 ;;
	esac
}

# KERNELS as given (series, "all", "default"; empty: the default) -> the
# series, each once, in order.
expand_kernels() {
	local k out=" "
	for k in ${1:-default}; do
		case "$k" in
		all) k=$KERNELS_ALL ;;
		default) k=$KERNELS_DEFAULT ;;
		esac
		for k in $k; do
			case "$out" in *" $k "*) ;; *) out+="$k " ;; esac
		done
	done
	out=${out# }
	echo "${out% }"
}

# The debug kernel (KASAN, lockdep, kmemleak, UBSAN): not a Debian build but
# ours, built from Debian's linux-source-6.1 by tests/debug/build-kernel.sh
# and cached in the same layout. `make check-debug` tests it.
DEBUG_SERIES=6.1-debug

# Guest time limits (run time, case timeouts, hung-task timeout) are
# multiplied by this: the debug kernel runs several times slower under
# software emulation. DEBUG_TIME_SCALE overrides it for the debug kernel.
time_scale() {
	case "$1" in
	"$DEBUG_SERIES") echo "${DEBUG_TIME_SCALE:-4}" ;;
	*) echo 1 ;;
	esac
}

die() {
	echo "harness: $*" >&2
	exit 1
}

note() {
	echo "# $*"
}

# Private apt configurations, one per distribution: the host's Debian
# sources (Debian 12) plus a bookworm-backports stanza derived from them;
# for trixie and sid, the same archive entries with their suites renamed
# (trixie, trixie-updates, trixie-security; sid). State and cache live under
# $CACHE so the host's apt setup and /boot are never touched. apt_use DIST
# selects one (APT_ROOT, APT_OPTS); the host's own, bookworm, is the default.
HOST_DIST=bookworm
apt_use() {
	APT_DIST=${1:-$HOST_DIST}
	case "$APT_DIST" in
	"$HOST_DIST") APT_ROOT=$CACHE/apt ;;
	*) APT_ROOT=$CACHE/apt-$APT_DIST ;;
	esac
	APT_OPTS=(
		-o "Dir::Etc::SourceList=/dev/null"
		-o "Dir::Etc::SourceParts=$APT_ROOT/sources.list.d"
		-o "Dir::Etc::Preferences=/dev/null"
		-o "Dir::Etc::PreferencesParts=/dev/null"
		-o "Dir::State=$APT_ROOT/state"
		-o "Dir::Cache=$APT_ROOT/cache"
		-o "APT::Sandbox::User=root"
		-o "Debug::NoLocking=1"
		-q
	)
	# sid's Release file is often past its Valid-Until date.
	[ "$APT_DIST" != sid ] || APT_OPTS+=(-o "Acquire::Check-Valid-Until=false")
}
apt_use "$HOST_DIST"

# The Debian archive stanzas of the host, with their suites renamed from
# the host's distribution to DIST (sid: the main archive only, one suite).
apt_sources_for() {
	local dist=$1 src=/etc/apt/sources.list.d/debian.sources
	[ -r "$src" ] || die "no $src: cannot derive the Debian archive entry"
	case "$dist" in
	"$HOST_DIST")
		cat "$src"
		printf '\n'
		# Backports lives in the same archive as the first stanza.
		awk 'BEGIN { RS = ""; ORS = "\n" }
		     NR == 1 { sub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print }' "$src"
		;;
	sid)
		awk 'BEGIN { RS = ""; ORS = "\n" }
		     NR == 1 { sub(/Suites:[^\n]*/, "Suites: sid"); print }' "$src"
		;;
	*)
		awk -v host="$HOST_DIST" -v dist="$dist" 'BEGIN { RS = ""; ORS = "\n\n" }
		     { n = split($0, l, "\n"); out = ""
		       for (i = 1; i <= n; i++) {
		         if (l[i] ~ /^Suites:/) gsub(host, dist, l[i])
		         out = out l[i] "\n"
		       }
		       printf "%s\n", out }' "$src"
		;;
	esac
}

# Set up the selected private apt configuration and update its lists,
# once per run.
declare -A apt_ready=()
apt_prepare() {
	[ -n "${apt_ready[$APT_DIST]:-}" ] && return
	mkdir -p "$APT_ROOT/sources.list.d" "$APT_ROOT/state/lists/partial" \
		"$APT_ROOT/cache/archives/partial"
	rm -f "$APT_ROOT"/sources.list.d/*
	apt_sources_for "$APT_DIST" >"$APT_ROOT/sources.list.d/debian.sources"
	note "apt-get update for $APT_DIST (private lists under $APT_ROOT)"
	apt-get "${APT_OPTS[@]}" update >"$APT_ROOT/update.log" 2>&1 ||
		die "apt-get update failed, see $APT_ROOT/update.log"
	apt_ready[$APT_DIST]=1
}

kernel_dir() {
	echo "$CACHE/kernels/$1"
}

# Kernel release (uname -r) of a cached series, empty when not fetched yet.
kernel_release() {
	local f
	f=$(kernel_dir "$1")/release
	[ -r "$f" ] && cat "$f"
	return 0
}

# Where the module of a series is built: empty for the host (Debian 12's
# kernels, the debug kernel), else the chroot of its distribution, whose
# gcc and kbuild its headers need (tests/harness/series-run.sh).
series_chroot() {
	local dist=${SERIES_DIST[$1]:-$HOST_DIST}
	[ "$dist" = "$HOST_DIST" ] || echo "$CACHE/chroot/$dist"
}

# The headers (kbuild) directory of a series, as a command run through
# series_run sees it.
series_kdir() {
	local release
	release=$(kernel_release "$1")
	if [ -n "$(series_chroot "$1")" ]; then
		echo "/usr/src/linux-headers-$release"
	else
		echo "$(kernel_dir "$1")/root/usr/src/linux-headers-$release"
	fi
}

# Run a command for a series: on the host or in its chroot. Paths under
# $OUT are the same in both.
series_run() {
	"$HARNESS_DIR/series-run.sh" "$@"
}

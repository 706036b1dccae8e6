# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the QEMU test harness. Sourced, not run.

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HARNESS_DIR/../.." && pwd)
CACHE=${ISOL_CACHE:-$TOP/.cache}
OUT=${ISOL_OUT:-$TOP/tests/out}
LOGS=$OUT/logs

# The kernel series we test. Each maps to the apt target release whose
# linux-image-amd64 metapackage names the newest build of that series;
# "default" is apt's own choice among bookworm and its point and security
# updates (backports has a lower priority and is never picked by default).
declare -A SERIES_SUITE=([6.1]=default [6.12]=bookworm-backports)
KERNELS_ALL="6.1 6.12"
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

# Private apt configuration: the host's Debian sources plus a backports
# stanza derived from them, with state and cache under $CACHE so the host's
# apt setup and /boot are never touched.
APT_ROOT=$CACHE/apt
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

# Set up the private apt configuration and update its lists, once per run.
apt_ready=
apt_prepare() {
	[ -n "$apt_ready" ] && return
	local src=/etc/apt/sources.list.d/debian.sources
	[ -r "$src" ] || die "no $src: cannot derive the Debian archive entry"
	mkdir -p "$APT_ROOT/sources.list.d" "$APT_ROOT/state/lists/partial" \
		"$APT_ROOT/cache/archives/partial"
	cp "$src" "$APT_ROOT/sources.list.d/debian.sources"
	# Backports lives in the same archive as the first stanza.
	awk 'BEGIN { RS = ""; ORS = "\n" }
	     NR == 1 { sub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print }' \
		"$src" >"$APT_ROOT/sources.list.d/backports.sources"
	note "apt-get update (private lists under $APT_ROOT)"
	apt-get "${APT_OPTS[@]}" update >"$APT_ROOT/update.log" 2>&1 ||
		die "apt-get update failed, see $APT_ROOT/update.log"
	apt_ready=1
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

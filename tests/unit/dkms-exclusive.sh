# desc: dkms refuses a kernel without CONFIG_NO_HZ_FULL or a hook facility, naming what is missing
# sanitizers: no (packaging; builds no C of its own to check)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/tests/harness/setup-host.sh" dkms
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

v=$(cat "$top/VERSION")
make -s -C "$top" dkms-source DESTDIR="$tmp" DKMS_SOURCE_TREE=/src >/dev/null
opts=(-m task-isolation -v "$v" --dkmstree "$tmp/dkms" --sourcetree "$tmp/src"
	--installtree "$tmp/modules")
mkdir -p "$tmp/dkms" "$tmp/modules"
dkms add "${opts[@]}" >/dev/null

# A kernel "headers" tree that has everything but $1.
try_without() {
	local missing=$1 k=$tmp/k-$1 rc=0
	mkdir -p "$k/include"
	for o in CONFIG_NO_HZ_FULL CONFIG_CONTEXT_TRACKING_USER CONFIG_TRACEPOINTS \
		CONFIG_DYNAMIC_FTRACE CONFIG_KPROBES CONFIG_KALLSYMS; do
		[ "$o" = "$missing" ] && echo "# $o is not set" || echo "$o=y"
	done >"$k/.config"
	dkms build "${opts[@]}" -k 6.1.0-0-test --kernelsourcedir "$k" >"$tmp/out" 2>&1 || rc=$?
	cat "$tmp/out"
	[ $rc -eq 77 ] || fail "dkms build without $missing: exit $rc, not 77 (excluded)"
	grep -q "task-isolation: kernel 6.1.0-0-test lacks $missing;" "$tmp/out" ||
		fail "no message naming $missing"
	echo "ok - without $missing: not built (dkms exit 77), message names it"
}
try_without CONFIG_NO_HZ_FULL
try_without CONFIG_KPROBES
try_without CONFIG_DYNAMIC_FTRACE

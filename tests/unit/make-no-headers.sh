# desc: plain make without kernel headers builds the userspace and says how to get the module; make module fails
# sanitizers: no (a build of the tree, no C of its own to check)
set -euo pipefail
. "$(dirname "$0")/lib/fixture.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

make_fixture "$tmp/src"
out=$(make -C "$tmp/src" KDIR="$tmp/no-headers" 2>&1) ||
	fail "make without headers failed: $out"
[ -x "$tmp/src/tools/isolctl" ] && [ -e "$tmp/src/lib/libisol.so" ] ||
	fail "make without headers did not build the userspace"
grep -q "Built the userspace only: no kernel build tree at KDIR=$tmp/no-headers" <<<"$out" &&
	grep -q "apt install linux-headers-" <<<"$out" ||
	fail "make without headers does not say how to get the module: $out"
echo "ok - make without headers builds the userspace and names the headers package"
if out=$(make -C "$tmp/src" module KDIR="$tmp/no-headers" 2>&1); then
	fail "make module without headers succeeded: $out"
fi
grep -q "No kernel build tree at KDIR=$tmp/no-headers" <<<"$out" ||
	fail "make module without headers: $out"
echo "ok - make module without headers fails and says why"

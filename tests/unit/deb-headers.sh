# desc: the package test passes on a host with several kernels' headers (Debian 12's generic and RT), DKMS building for each
# sanitizers: no (packaging; builds no C of its own to check)
#
# A user's machine often has headers for more than one kernel (generic
# and RT, old and new), and DKMS builds the module for each. This installs
# Debian 12's linux-headers-amd64 and linux-headers-rt-amd64 (real
# packages, as users have them), runs deb.sh with them in place, and then
# purges exactly the packages it installed and removes the /lib/modules
# directories that were not there before. Headers already installed stay.
set -euo pipefail
. "$(dirname "$0")/lib/fixture.sh"
"$fixture_top/tests/harness/setup-host.sh" dkms dh-dkms debhelper lintian dpkg-dev fakeroot
pkg_test_lock
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
headers=(linux-headers-amd64 linux-headers-rt-amd64)
tmp=$(mktemp -d)

fail() {
	echo "FAIL: $*"
	exit 1
}

had_lib_modules=0
[ -d /lib/modules ] && had_lib_modules=1
ls /lib/modules 2>/dev/null | sort >"$tmp/kernels.before" || true
: >"$tmp/new"

# Only what this test's apt-get installs is purged: the packages apt
# would install new, asked before installing (on a shared host other
# packages change state meanwhile, e.g. libc-bin's triggers). A kernel
# directory that was not there before goes only when dpkg owns nothing
# in it any more (depmod's lists for a headers-only kernel remain).
cleanup() {
	local k new=()
	mapfile -t new <"$tmp/new"
	if [ ${#new[@]} -gt 0 ] &&
		! apt-get purge "${apt_opts[@]}" "${new[@]}" >"$tmp/purge.log" 2>&1; then
		cat "$tmp/purge.log"
		echo "FAIL: purging ${new[*]}: /lib/modules left as it is"
		rm -rf "$tmp"
		exit 1
	else
		for k in $(ls /lib/modules 2>/dev/null); do
			grep -qx "$k" "$tmp/kernels.before" && continue
			dpkg -S "/lib/modules/$k" >/dev/null 2>&1 || rm -rf "/lib/modules/$k"
		done
		[ $had_lib_modules = 1 ] || rmdir /lib/modules 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

apt-get update -q >/dev/null
apt-get -s install "${apt_opts[@]}" "${headers[@]}" 2>/dev/null |
	awk '/^Inst / && $3 !~ /^\[/ { print $2 }' >"$tmp/new"
apt-get install "${apt_opts[@]}" "${headers[@]}" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "apt-get install ${headers[*]}"; }
with=()
for k in $(ls /lib/modules); do
	[ -e "/lib/modules/$k/build/include" ] && with+=("$k")
done
generic=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed 's/^\(linux-headers-[^ ,]*\).*/\1/')
rt=$(dpkg-query -W -f='${Depends}' linux-headers-rt-amd64 | sed 's/^\(linux-headers-[^ ,]*\).*/\1/')
for k in "${generic#linux-headers-}" "${rt#linux-headers-}"; do
	[ -e "/lib/modules/$k/build/include" ] || fail "no headers under /lib/modules/$k after installing them"
done
echo "ok - headers installed for ${with[*]}"

bash "$fixture_top/tests/unit/deb.sh" >"$tmp/deb.out" 2>&1 || { cat "$tmp/deb.out"; fail "deb.sh with ${with[*]}"; }
sed 's/^ok - /ok - (with their headers) /' "$tmp/deb.out"

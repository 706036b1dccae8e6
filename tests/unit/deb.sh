# desc: make deb builds lintian-clean packages that install, upgrade and purge on this host leaving nothing behind
# sanitizers: no (packaging; builds no C of its own to check)
set -euo pipefail
. "$(dirname "$0")/lib/fixture.sh"
"$fixture_top/tests/harness/setup-host.sh" dkms dh-dkms debhelper lintian dpkg-dev fakeroot
tmp=$(mktemp -d)
pkgs=(task-isolation-dkms isolctl libisol-dev libisol0)
apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

fail() {
	echo "FAIL: $*"
	exit 1
}

installed() {
	dpkg-query -W -f='${db:Status-Abbrev}\n' "$@" 2>/dev/null | grep -q '^ii'
}

for p in "${pkgs[@]}"; do
	! installed "$p" || fail "$p is installed on this host: the test would remove it"
done
cleanup() {
	local p left=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 && left+=("$p")
	done
	[ ${#left[@]} -eq 0 ] || apt-get purge "${apt_opts[@]}" "${left[@]}" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

v1=$(cat "$fixture_top/VERSION")
v2=$v1+test1
for v in "$v1" "$v2"; do
	make_fixture "$tmp/$v" "$([ "$v" = "$v1" ] || echo "$v")"
	make -C "$tmp/$v" deb >"$tmp/$v.log" 2>&1 || { tail -n 40 "$tmp/$v.log"; fail "make deb ($v)"; }
	for p in "${pkgs[@]}"; do
		ls "$tmp/$v/${p}_${v}_"*.deb >/dev/null 2>&1 || fail "make deb ($v) made no $p"
	done
done
echo "ok - make deb builds ${pkgs[*]} (and version $v2 from a copy with VERSION bumped)"

# Every tag is an error here unless debian/*.lintian-overrides justifies
# it. unused-override is let through: whether glibc fortifies a call in
# the library depends on the code of the day.
lintian --pedantic --display-info --allow-root --suppress-tags unused-override \
	--fail-on error,warning,info,pedantic "$tmp/$v1"/*.deb >"$tmp/lintian.out" 2>&1 ||
	{ cat "$tmp/lintian.out"; fail "lintian"; }
echo "ok - lintian --pedantic: no tag without a justified override"

# What a package may leave: nothing, anywhere dpkg or dkms write.
snapshot() {
	local d
	for d in /usr /etc /var/lib/dkms /lib/modules /opt; do
		[ ! -e "$d" ] || find "$d" -xdev
	done | sort
}
snapshot >"$tmp/before"

apt-get install "${apt_opts[@]}" "$tmp/$v1"/*.deb >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "apt-get install ./*.deb ($v1)"; }
sed -n '/^Setting up task-isolation-dkms/,/^Setting up [^t]/p' "$tmp/install.log" | sed 's/^/# /'
for p in "${pkgs[@]}"; do
	installed "$p" || fail "$p not installed"
	dpkg -L "$p" | while read -r f; do
		[ -e "$f" ] || [ -L "$f" ] || { echo "FAIL: $p: $f missing"; exit 1; }
	done
done
[ "$(dkms status -m task-isolation)" = "task-isolation/$v1: added" ] ||
	fail "dkms does not list task-isolation/$v1: $(dkms status -m task-isolation)"
grep -qx "PACKAGE_VERSION=\"$v1\"" "/usr/src/task-isolation-$v1/dkms.conf" ||
	fail "installed dkms.conf does not carry version $v1"
cache=$(ldconfig -p)
grep -q 'libisol.so.0 .*=> .*/x86_64-linux-gnu/libisol.so.0$' <<<"$cache" ||
	fail "ldconfig does not know libisol.so.0"
[ "$(pkg-config --modversion libisol)" = "$v1" ] || fail "pkg-config libisol is not $v1"
printf '#include <isol.h>\nint main(void) { return isol_open(0) >= 0; }\n' >"$tmp/use.c"
# shellcheck disable=SC2046
cc -Wall -Werror -o "$tmp/use" "$tmp/use.c" $(pkg-config --cflags --libs libisol) ||
	fail "a program does not build against libisol-dev"
"$tmp/use" || fail "the program does not run against libisol0"
# With no headers for the running kernel (and, here, no module support at
# all) the postinst registers the source with DKMS and says so.
echo "ok - apt-get install ./*.deb: files in place, DKMS has the source, libisol usable"

apt-get install "${apt_opts[@]}" "$tmp/$v2"/*.deb >"$tmp/upgrade.log" 2>&1 ||
	{ cat "$tmp/upgrade.log"; fail "upgrade to $v2"; }
for p in "${pkgs[@]}"; do
	[ "$(dpkg-query -W -f='${Version}' "$p")" = "$v2" ] || fail "$p not upgraded to $v2"
done
[ "$(dkms status -m task-isolation)" = "task-isolation/$v2: added" ] ||
	fail "after the upgrade dkms lists: $(dkms status -m task-isolation)"
[ ! -e "/usr/src/task-isolation-$v1" ] || fail "/usr/src/task-isolation-$v1 left after the upgrade"
echo "ok - upgrade to $v2: DKMS has only $v2, the old source is gone"

apt-get purge "${apt_opts[@]}" "${pkgs[@]}" >"$tmp/purge.log" 2>&1 ||
	{ cat "$tmp/purge.log"; fail "purge"; }
for p in "${pkgs[@]}"; do
	! dpkg-query -W "$p" >/dev/null 2>&1 || fail "$p still known to dpkg after purge"
done
[ -z "$(dkms status -m task-isolation)" ] || fail "dkms still lists task-isolation"
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" ||
	{ sed 's/^/#   /' "$tmp/diff"; fail "purge left the file system changed"; }
echo "ok - purge: dpkg and dkms forget the packages, no file or directory left behind"

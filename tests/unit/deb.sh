# desc: make deb builds lintian-clean packages that install, upgrade and purge on this host leaving nothing behind
# sanitizers: no (packaging; builds no C of its own to check)
set -euo pipefail
. "$(dirname "$0")/lib/fixture.sh"
"$fixture_top/tests/harness/setup-host.sh" dkms dh-dkms debhelper lintian dpkg-dev fakeroot
# One package test at a time on this host, from any checkout: they share
# dpkg, /usr/src and /var/lib/dkms.
pkg_test_lock
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

# DKMS's account of a (re)install of version $1, whose output is in $2:
# `dkms status` has one line per kernel it built for, or one "added" line
# when it built for none. Which kernels it builds for is DKMS's policy,
# and the postinst names them ("Building for A, B and C": here every
# kernel under /lib/modules, as `uname -r` is not among them, or the
# running and newest kernel); each of those with headers must have the
# module installed, built for that release.
check_dkms() {
	local v=$1 log=$2 arch k f vm
	local planned=() built=() want got
	arch=$(uname -m)
	# (apt runs dpkg on a pty: its lines end in \r\n.)
	read -r -a planned <<<"$(sed -n 's/^Building for //p' "$log" | tr ',\r' '  ' | sed 's/ and / /g')"
	for k in "${planned[@]}"; do
		[ -e "/lib/modules/$k/build/include" ] && built+=("$k")
	done
	if [ ${#built[@]} -eq 0 ]; then
		want="task-isolation/$v: added"
	else
		want=$(for k in "${built[@]}"; do echo "task-isolation/$v, $k, $arch: installed"; done | sort)
	fi
	got=$(dkms status -m task-isolation | sort)
	[ "$got" = "$want" ] || {
		printf '# dkms status says:\n%s\n# expected (DKMS built for: %s):\n%s\n' \
			"$got" "${built[*]:-none}" "$want" | sed 's/^\([^#]\)/#   \1/'
		grep '^Building for' "$log" | sed 's/^/# the postinst said: /'
		fail "dkms status for task-isolation/$v"
	}
	for k in "${built[@]}"; do
		f=$(ls "/lib/modules/$k/updates/dkms/task_isolation.ko"* 2>/dev/null | head -n 1) || true
		[ -n "$f" ] || fail "no task_isolation.ko* in /lib/modules/$k/updates/dkms"
		vm=$(modinfo -F vermagic "$f" | cut -d' ' -f1)
		[ "$vm" = "$k" ] || fail "$f is built for $vm, not $k"
		[ "$(modinfo -F version "$f")" = "$v" ] || fail "$f is not version $v"
		echo "# $k: ${f##*/} installed"
	done
}
cleanup() {
	local p left=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 && left+=("$p")
	done
	[ ${#left[@]} -eq 0 ] || apt-get purge "${apt_opts[@]}" "${left[@]}" >/dev/null 2>&1 || true
	# After a failure, too: what DKMS made for the test goes.
	[ ! -r "$tmp/before" ] || dkms_made | sort -u -r | while read -r p; do
		if [ -d "$p" ]; then rmdir "$p"; else rm -f "$p"; fi
	done
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
# DKMS's own state that outlives any package and is not ours: the key it
# signs with, made at its first build on the machine, and depmod's lists
# for a kernel that has only headers (no modules of its own). The test
# removes what it made, and does not count it as left behind.
dkms_made() {
	local k
	for k in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
		if [ -e "$k" ] && ! grep -qx "$k" "$tmp/before"; then echo "$k"; fi
	done
	for k in /lib/modules/*/build; do
		[ -e "$k" ] || continue
		k=${k%/build}
		! grep -qx "$k/modules.dep" "$tmp/before" || continue
		find "$k" -maxdepth 1 -type f -name 'modules.*'
		find "$k" -maxdepth 2 -path "$k/updates*" -type d -empty
		if [ "$(ls -A "$k/updates" 2>/dev/null)" = dkms ] &&
			[ -z "$(ls -A "$k/updates/dkms")" ]; then
			echo "$k/updates"
		fi
	done | while read -r k; do
		grep -qx "$k" "$tmp/before" || echo "$k"
	done
	return 0
}

apt-get install "${apt_opts[@]}" "$tmp/$v1"/*.deb >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "apt-get install ./*.deb ($v1)"; }
sed -n '/^Setting up task-isolation-dkms/,/^Setting up [^t]/p' "$tmp/install.log" | sed 's/^/# /'
for p in "${pkgs[@]}"; do
	installed "$p" || fail "$p not installed"
	dpkg -L "$p" | while read -r f; do
		[ -e "$f" ] || [ -L "$f" ] || { echo "FAIL: $p: $f missing"; exit 1; }
	done
done
check_dkms "$v1" "$tmp/install.log"
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
echo "ok - apt-get install ./*.deb: files in place, DKMS built it for the kernels it names (or only has the source), libisol usable"

apt-get install "${apt_opts[@]}" "$tmp/$v2"/*.deb >"$tmp/upgrade.log" 2>&1 ||
	{ cat "$tmp/upgrade.log"; fail "upgrade to $v2"; }
for p in "${pkgs[@]}"; do
	[ "$(dpkg-query -W -f='${Version}' "$p")" = "$v2" ] || fail "$p not upgraded to $v2"
done
check_dkms "$v2" "$tmp/upgrade.log"
[ ! -e "/usr/src/task-isolation-$v1" ] || fail "/usr/src/task-isolation-$v1 left after the upgrade"
echo "ok - upgrade to $v2: DKMS has only $v2, rebuilt, the old source is gone"

apt-get purge "${apt_opts[@]}" "${pkgs[@]}" >"$tmp/purge.log" 2>&1 ||
	{ cat "$tmp/purge.log"; fail "purge"; }
for p in "${pkgs[@]}"; do
	! dpkg-query -W "$p" >/dev/null 2>&1 || fail "$p still known to dpkg after purge"
done
[ -z "$(dkms status -m task-isolation)" ] || fail "dkms still lists task-isolation"
! grep -l 'task_isolation' /lib/modules/*/modules.dep 2>/dev/null ||
	fail "after the purge depmod still lists task_isolation (files above)"
dkms_made | sort -u -r >"$tmp/dkms-made"
while read -r f; do
	if [ -d "$f" ]; then rmdir "$f"; else rm -f "$f"; fi
done <"$tmp/dkms-made"
[ ! -s "$tmp/dkms-made" ] || sed 's|^|# removed, made by DKMS: |' "$tmp/dkms-made"
snapshot >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" ||
	{ sed 's/^/#   /' "$tmp/diff"; fail "purge left the file system changed"; }
echo "ok - purge: dpkg and dkms forget the packages, no file or directory left behind"

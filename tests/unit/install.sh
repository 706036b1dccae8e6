# desc: make install DESTDIR= installs exactly the documented files, usable through pkg-config; uninstall removes them
# sanitizers: no (packaging; builds no C of its own to check)
set -euo pipefail
. "$(dirname "$0")/lib/fixture.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

make_fixture "$tmp/src"
make -s -C "$tmp/src" userspace >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "make userspace"; }

# Defaults: PREFIX=/usr/local.
make -s -C "$tmp/src" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "make install"; }
expected_install_list /usr/local /usr/local/lib /usr/local/share/doc/task-isolation >"$tmp/want"
installed_list "$tmp/root" >"$tmp/got"
diff -u "$tmp/want" "$tmp/got" || fail "make install: file list differs (- expected, + installed)"
echo "ok - PREFIX=/usr/local: $(wc -l <"$tmp/got") files, as listed"

# The installed pkg-config file, header and library build a program.
root=$tmp/root
pc() {
	PKG_CONFIG_PATH=$root/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
		pkg-config "$@" libisol
}
[ "$(pc --modversion)" = "$(cat "$fixture_top/VERSION")" ] || fail "libisol.pc version is not VERSION"
[ "$(pc --variable=libdir)" = "$root/usr/local/lib" ] || fail "libisol.pc libdir: $(pc --variable=libdir)"
cat >"$tmp/use.c" <<'EOF'
#include <isol.h>
int main(void)
{
	return isol_open(0) >= 0 ? 0 : 1;
}
EOF
# shellcheck disable=SC2046
cc -Wall -Werror -o "$tmp/use" "$tmp/use.c" $(pc --cflags --libs) ||
	fail "a program with #include <isol.h> does not build against the installed files"
readelf -d "$tmp/use" | grep -q 'NEEDED.*\[libisol.so.0\]' || fail "program does not need libisol.so.0"
ldd_out=$(LD_LIBRARY_PATH=$root/usr/local/lib ldd "$tmp/use" 2>&1) || true
grep -q "libisol.so.0 => $root" <<<"$ldd_out" ||
	fail "libisol.so.0 does not resolve to the installed library: $ldd_out"
# shellcheck disable=SC2046
cc -Wall -Werror -static -o "$tmp/use-static" "$tmp/use.c" $(pc --cflags --static) \
	"$root/usr/local/lib/libisol.a" || fail "static link against libisol.a"
echo "ok - pkg-config --cflags --libs libisol builds and links a program, shared and static"

make -s -C "$tmp/src" uninstall DESTDIR="$tmp/root" >/dev/null 2>&1 || fail "make uninstall"
left=$(installed_list "$tmp/root")
[ -z "$left" ] || fail "make uninstall left: $left"
for d in usr/local/include/isol usr/local/lib/task-isolation usr/local/share/doc/task-isolation; do
	[ ! -e "$tmp/root/$d" ] || fail "make uninstall left the directory $d"
done
echo "ok - make uninstall removes every file and the project's directories"

# Distribution layout, as debian/rules installs.
rm -rf "$tmp/root"
make -s -C "$tmp/src" install DESTDIR="$tmp/root" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu \
	DOCDIR=/usr/share/doc/task-isolation-dkms >/dev/null 2>&1 || fail "make install PREFIX=/usr"
expected_install_list /usr /usr/lib/x86_64-linux-gnu /usr/share/doc/task-isolation-dkms >"$tmp/want"
installed_list "$tmp/root" >"$tmp/got"
diff -u "$tmp/want" "$tmp/got" || fail "PREFIX=/usr: file list differs"
grep -qx 'libdir=/usr/lib/x86_64-linux-gnu' "$tmp/root/usr/lib/x86_64-linux-gnu/pkgconfig/libisol.pc" ||
	fail "libisol.pc does not name LIBDIR"
echo "ok - PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu: files as listed"

# The DKMS source tree: dkms.conf with VERSION's version, the module's sources.
make -s -C "$tmp/src" dkms-source DESTDIR="$tmp/dkms" >/dev/null 2>&1 || fail "make dkms-source"
v=$(cat "$fixture_top/VERSION")
d=$tmp/dkms/usr/src/task-isolation-$v
grep -qx "PACKAGE_VERSION=\"$v\"" "$d/dkms.conf" || fail "dkms.conf does not carry VERSION $v"
for f in VERSION module/Kbuild include/uapi/linux/task_isolation.h; do
	[ -r "$d/$f" ] || fail "DKMS source tree lacks $f"
done
for f in "$fixture_top"/module/*.c "$fixture_top"/module/*.h; do
	cmp -s "$f" "$d/module/$(basename "$f")" || fail "DKMS source tree lacks or differs in $f"
done
echo "ok - make dkms-source: /usr/src/task-isolation-$v with dkms.conf at version $v"

# SPDX-License-Identifier: GPL-2.0
# Helpers for the packaging tests. Sourced, not run.
#
# make_fixture DIR [VERSION]: a copy of the source tree in DIR (what
# `make deb` copies), optionally with VERSION and debian/changelog moved to
# another version. Userspace pieces that the tree does not provide yet
# (isolctl and its man page and completion until tools/isolctl.c exists;
# libisol.a and libisol.pc until the Makefile builds them) get minimal
# stand-ins built the same way, so the tests always check the complete
# file list. Each stand-in is announced on stdout; the tree is never touched.

fixture_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

make_fixture() {
	local dir=$1 version=${2:-} t=$fixture_top
	mkdir -p "$dir"
	(cd "$t" && cp -a Makefile VERSION README dkms.conf debian packaging module \
		include lib $(ls -d tools doc 2>/dev/null) "$dir/")
	make -s -C "$dir" clean >/dev/null
	if [ -n "$version" ]; then
		echo "$version" >"$dir/VERSION"
		{
			printf 'task-isolation (%s) unstable; urgency=medium\n\n' "$version"
			printf '  * Test build.\n\n'
			printf ' -- Task isolation maintainers <task-isolation@example.org>  %s\n\n' \
				"$(date -R)"
			cat "$t/debian/changelog"
		} >"$dir/debian/changelog"
	fi
	if [ ! -e "$t/tools/isolctl.c" ]; then
		echo "# stand-in: tools/isolctl.c, doc/isolctl.8, tools/isolctl.bash-completion"
		mkdir -p "$dir/tools" "$dir/doc"
		cat >"$dir/tools/isolctl.c" <<-'EOF'
		#include <stdio.h>
		int main(void)
		{
			puts("isolctl stand-in");
			return 0;
		}
		EOF
		cat >"$dir/doc/isolctl.8" <<-'EOF'
		.TH ISOLCTL 8 2026 task-isolation "System Administration"
		.SH NAME
		isolctl \- run a program isolated on a nohz_full CPU
		.SH SYNOPSIS
		.B isolctl
		.SH DESCRIPTION
		Stand-in page for the packaging tests.
		EOF
		echo 'complete -W "run status" isolctl' >"$dir/tools/isolctl.bash-completion"
	fi
	if ! make -s -C "$dir" -n lib/libisol.a >/dev/null 2>&1; then
		echo "# stand-in: build rules for lib/libisol.a and lib/libisol.pc"
		# (Not a <<- here-document: the recipes need their tabs.)
		cat >>"$dir/Makefile" <<'EOF'

# Test fixture stand-ins (tests/unit/lib/fixture.sh).
userspace: lib/libisol.a lib/libisol.pc
lib/libisol.a: lib/libisol.c lib/isol.h include/uapi/linux/task_isolation.h
	$(CC) $(USER_CFLAGS) -fPIC -c -o lib/libisol.o $<
	ar rcs $@ lib/libisol.o
lib/libisol.pc:
	printf '%s\n' 'prefix=/usr/local' 'exec_prefix=$${prefix}' \
		'libdir=$${exec_prefix}/lib' 'includedir=$${prefix}/include' '' \
		'Name: libisol' 'Description: task isolation library' \
		'Version: $(VERSION)' 'Cflags: -I$${includedir}/isol' \
		'Libs: -L$${libdir} -lisol' >$@
clean: clean-fixture
clean-fixture:
	rm -f lib/libisol.a lib/libisol.o lib/libisol.pc
EOF
	fi
}

# The files `make install` puts under DESTDIR, as "TYPE MODE PATH" lines
# (TYPE f for a file, l for a symlink, with its target after PATH), for
# PREFIX=$1 LIBDIR=$2 DOCDIR=$3. This is the documented install list
# (README, "Installation"); keep the three in step.
expected_install_list() {
	local p=${1#/} l=${2#/} d=${3#/}
	cat <<-EOF | sort
	f 755 $p/bin/isolctl
	f 644 $p/share/man/man8/isolctl.8
	f 644 $p/share/bash-completion/completions/isolctl
	f 755 $l/libisol.so.0
	l 777 $l/libisol.so -> libisol.so.0
	f 644 $l/libisol.a
	f 644 $l/pkgconfig/libisol.pc
	f 644 $p/include/isol/isol.h
	f 644 $p/include/isol/linux/task_isolation.h
	f 755 $l/task-isolation/libisol-prctl.so
	f 644 $d/examples/udev/60-task-isolation.rules
	f 644 $d/examples/modprobe.d/task_isolation.conf
	f 644 $d/examples/modules-load.d/task_isolation.conf
	f 644 $d/examples/systemd/task-isolation-tune.service
	EOF
}

# What is under DESTDIR $1, in the format above.
installed_list() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%y %m %P\n' |
		while read -r type mode path; do
			if [ "$type" = l ]; then
				echo "l 777 $path -> $(readlink "$path")"
			else
				echo "f $mode $path"
			fi
		done) | sort
}

# pkg_test_lock: wait for any other packaging test on this host (from any
# checkout) to finish; they share dpkg, /usr/src, /var/lib/dkms and
# /lib/modules. Held until the test exits; a nested test (deb-headers.sh
# runs deb.sh) inherits it.
pkg_test_lock() {
	[ -n "${ISOL_PKG_LOCKED:-}" ] && return 0
	local lock=/run/lock/task-isolation-pkg-tests.lock
	[ -d /run/lock ] || lock=/tmp/task-isolation-pkg-tests.lock
	exec 9>>"$lock"
	flock -w 3600 9 || { echo "FAIL: $lock held for an hour"; exit 1; }
	export ISOL_PKG_LOCKED=1
}

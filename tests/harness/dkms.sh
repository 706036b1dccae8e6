#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and install the module with DKMS against one kernel series' cached
# headers, as `dkms add/build/install` does on a user's machine, but in a
# throw-away DKMS tree under $OUT/dkms/RELEASE (source, dkms and install
# trees, signing key): nothing under /usr/src, /var/lib/dkms or
# /lib/modules is touched. The module is signed with a key made for the
# run, as DKMS signs with its MOK key. DKMS runs where the series builds
# (series_run: the host, or trixie's and sid's chroot, with the tree under
# $OUT seen at the same path). Prints the installed module's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$1
release=$(kernel_release "$series")
[ -n "$release" ] || die "kernel $series not fetched"
kdir=$(series_kdir "$series")
# In a chroot, the chroot has them.
[ -n "$(series_chroot "$series")" ] || "$HARNESS_DIR/setup-host.sh" dkms openssl >&2
version=$(cat "$TOP/VERSION")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$TOP/dkms.conf")

tree=$OUT/dkms/$release
rm -rf "$tree"
# The install tree stands for /lib/modules: the kernel's modules and their
# lists, as installed; dkms runs where it is /lib/modules (SERIES_LIB_MODULES
# in series-run.sh).
. "$HARNESS_DIR/lib-modules.sh"
mkdir -p "$tree/dkms"
lib_modules_tree "$(kernel_dir "$series")/root" "$release" "$tree/install"
log=$tree/dkms.log
make -s -C "$TOP" dkms-source DESTDIR="$tree" DKMS_SOURCE_TREE=/src >"$log" 2>&1 ||
	{ cat "$log" >&2; die "make dkms-source failed"; }

# dkms reads the signing settings from the environment when
# /etc/dkms/framework.conf leaves them unset, as Debian's does.
sign_env=(sign_file="$kdir/scripts/sign-file" mok_signing_key="$tree/mok.key"
	mok_certificate="$tree/mok.pub")
dkms_opts=(-m "$name" -v "$version" --dkmstree "$tree/dkms" --sourcetree "$tree/src"
	--installtree "$tree/install")
kopts=(-k "$release" --kernelsourcedir "$kdir")
for step in add build install; do
	opts=("${dkms_opts[@]}")
	[ $step = add ] || opts+=("${kopts[@]}")
	[ $step = install ] && opts+=(--no-depmod)
	echo "+ dkms $step ${opts[*]}" >>"$log"
	SERIES_LIB_MODULES=$tree/install \
		series_run "$series" env "${sign_env[@]}" dkms $step "${opts[@]}" >>"$log" 2>&1 || {
		cat "$log" >&2
		for f in "$tree"/dkms/"$name"/"$version"/build/make.log; do
			[ -r "$f" ] && cat "$f" >&2
		done
		die "dkms $step for $release failed"
	}
done
ko=$(find "$tree/install/$release/updates/dkms" -name 'task_isolation.ko*' | head -n 1)
[ -n "$ko" ] || { cat "$log" >&2; die "dkms installed no task_isolation.ko for $release"; }
echo "$ko"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs for one kernel series: busybox, glibc and the
# shared libraries of every program we ship (so dynamically linked programs,
# LD_PRELOAD and libkmod work), kmod, the module built for that kernel, the
# project's tools and the guest test cases. Prints the image path.
#   MODULE_KO=PATH   put this task_isolation.ko (e.g. DKMS-built, maybe
#                    compressed) in the guest, under updates/dkms/ as
#                    DKMS installs it, instead of the harness-built one
#   INITRAMFS=PATH   where to write the image (default: the per-kernel
#                    build directory's initramfs.cpio.gz)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$1
release=$(kernel_release "$series")
[ -n "$release" ] || die "kernel $series not fetched"
bdir=$OUT/build/$release
kroot=$(kernel_dir "$series")/root
image=${INITRAMFS:-$bdir/initramfs.cpio.gz}
stage=${image%.cpio.gz}

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lib64,usr/bin,usr/sbin,usr/lib} \
	"$stage/lib/modules/$release/extra" "$stage/tests"

# Copy a file and, for an ELF program or library, every library it needs,
# keeping the host's paths so the guest's dynamic loader finds them.
declare -A copied=()
copy_with_libs() {
	local f=$1 dest=${2:-$1} lib
	[ -n "${copied[$dest]:-}" ] && return
	copied[$dest]=1
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$f" "$stage$dest"
	if file -L "$f" 2>/dev/null | grep -q 'dynamically linked'; then
		for lib in $(ldd "$f" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }'); do
			copy_with_libs "$lib"
		done
	fi
}

busybox=$(command -v busybox)
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done

# kmod instead of busybox's module tools: it is what users run, and it
# brings libkmod into the guest.
copy_with_libs "$(command -v kmod)" /usr/bin/kmod
for t in modprobe insmod rmmod lsmod modinfo depmod; do
	rm -f "$stage/sbin/$t"
	ln -s /usr/bin/kmod "$stage/sbin/$t"
done
# strace, for the ptrace tests; jq, to parse isolctl's JSON.
copy_with_libs "$(command -v strace)" /usr/bin/strace
copy_with_libs "$(command -v jq)" /usr/bin/jq
for t in /usr/lib/x86_64-linux-gnu/libkmod.so.2 /usr/lib/x86_64-linux-gnu/libc.so.6; do
	copy_with_libs "$t"
done
ln -s /lib/x86_64-linux-gnu "$stage/usr/lib/x86_64-linux-gnu" 2>/dev/null || true
# /var/run as Debian has it: DPDK's EAL keeps its runtime directory there.
mkdir -p "$stage/var"
ln -s /run "$stage/var/run"

# The module and the harness's fault injector, registered with depmod so
# that modprobe works as on a real system.
if [ -n "${MODULE_KO:-}" ]; then
	[ -r "$MODULE_KO" ] || die "MODULE_KO=$MODULE_KO: no such module"
	mkdir -p "$stage/lib/modules/$release/updates/dkms"
	cp "$MODULE_KO" "$stage/lib/modules/$release/updates/dkms/"
else
	cp "$bdir/module/task_isolation.ko" "$stage/lib/modules/$release/extra/"
fi
cp "$bdir/fault/isol_fault.ko" "$stage/lib/modules/$release/extra/"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -r "$kroot/lib/modules/$release/$f" ] &&
		cp "$kroot/lib/modules/$release/$f" "$stage/lib/modules/$release/"
done
# A small library module with no hardware behind it, which the bench's
# load generator loads and unloads as busy systems do (crc7, used before,
# is built in or gone on 7.x; lru_cache is a module on every kernel).
for f in "$kroot/lib/modules/$release/kernel/lib/lru_cache.ko"*; do
	[ -e "$f" ] || continue
	mkdir -p "$stage/lib/modules/$release/kernel/lib"
	cp "$f" "$stage/lib/modules/$release/kernel/lib/"
done
depmod -b "$stage" "$release"
# The kernel's configuration, where a Debian system has it: the DKMS case
# checks the module's compression against it.
for f in "$kroot/boot/config-$release" "$kroot/lib/modules/$release/config"; do
	[ -r "$f" ] || continue
	mkdir -p "$stage/boot"
	cp "$f" "$stage/boot/config-$release"
	break
done

# Project binaries, when they have been built.
for f in tools/isolctl lib/libisol.so lib/libisol-prctl.so; do
	[ -x "$TOP/$f" ] || [ -r "$TOP/$f" ] || continue
	case "$f" in
	tools/*) copy_with_libs "$TOP/$f" "/usr/bin/$(basename "$f")" ;;
	lib/*) copy_with_libs "$TOP/$f" "/usr/lib/$(basename "$f")" ;;
	esac
done

# Programs no one here wrote, from Debian 12's packages when the host has
# them (tests/guest/cases/77-clients.sh): dpdk-testpmd with only the DPDK
# drivers it uses here (the EAL loads every driver in its plugin directory),
# oslat and rtla.
for t in dpdk-testpmd oslat rtla; do
	if p=$(command -v "$t"); then
		copy_with_libs "$p" "/usr/bin/$t"
	fi
done
# The EAL dlopen()s each file in its plugin directory named *.so or
# *.so.ABI.MINOR, and a driver loaded twice (two copies of one file) is
# registered twice, which leaves the vdev bus with no driver for its
# devices. testpmd links the vdev bus under its soname (.so.23, which the
# scan skips); the null ports and the ring mempool go in once, under the
# real file's name, which the scan loads.
for d in /usr/lib/x86_64-linux-gnu/dpdk/pmds-*; do
	[ -d "$d" ] || continue
	for drv in net_null mempool_ring; do
		if [ -e "$d/librte_$drv.so" ]; then
			copy_with_libs "$(readlink -f "$d/librte_$drv.so")"
		fi
	done
done

cp "$TOP/tests/guest/init" "$stage/init"
chmod 755 "$stage/init"
cp -r "$TOP/tests/guest/cases" "$stage/tests/cases"
cp "$TOP/tests/guest/lib.sh" "$TOP/tests/guest/demo.sh" "$stage/tests/"
cp "$TOP/bench/guest/bench.sh" "$stage/tests/bench.sh"
mkdir -p "$stage/tests/bin"
for f in "$OUT"/guest-bin/*; do
	[ -e "$f" ] || continue
	copy_with_libs "$f" "/tests/bin/$(basename "$f")"
done
echo "$release" >"$stage/etc/isol-kernel"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$image"
echo "$image"

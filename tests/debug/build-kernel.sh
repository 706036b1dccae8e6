#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...) from Debian's
# linux-source-6.1 package with tests/debug/debug.config merged over
# x86_64_defconfig, and publish it to the harness as the kernel series
# "6.1-debug":
#   $CACHE/kernels/6.1-debug/{release,version,config.sha256}
#   $CACHE/kernels/6.1-debug/root/boot/vmlinuz-RELEASE
#   $CACHE/kernels/6.1-debug/root/usr/src/linux-headers-RELEASE -> build tree
#   $CACHE/kernels/6.1-debug/root/lib/modules/RELEASE/modules.{builtin,order,...}
# The build tree itself lives in $CACHE/debug-kernel/linux (out of git).
# Nothing is downloaded or rebuilt when the source package is cached and the
# fragment's hash matches the last build; REBUILD=1 forces a rebuild,
# REFRESH=1 also fetches the newest linux-source-6.1.
set -euo pipefail
. "$(dirname "$0")/../harness/lib.sh"

SERIES=6.1-debug
SRC_PKG=linux-source-6.1
FRAGMENT=$TOP/tests/debug/debug.config
DK=$CACHE/debug-kernel
TREE=$DK/linux
KDIR=$(kernel_dir "$SERIES")
# Build jobs: every core, at the lowest priority, so that guests of other
# test runs on the machine keep theirs.
JOBS=${JOBS:-$(nproc)}

[ -r "$FRAGMENT" ] || die "no config fragment at $FRAGMENT"
mkdir -p "$DK"

# The source package: downloaded once, the .deb kept in the cache.
if [ -n "${REFRESH:-}" ]; then
	rm -f "$DK"/${SRC_PKG}_*.deb
fi
deb=$(ls "$DK"/${SRC_PKG}_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
	apt_prepare >&2
	note "downloading $SRC_PKG (about 140 MB, once)" >&2
	(cd "$DK" && apt-get "${APT_OPTS[@]}" download "$SRC_PKG") >"$DK/download.log" 2>&1 ||
		die "apt-get download $SRC_PKG failed, see $DK/download.log"
	deb=$(ls "$DK"/${SRC_PKG}_*.deb | sort -V | tail -n 1)
fi
src_version=$(dpkg-deb -f "$deb" Version)

# What the build depends on: the source version and the fragment. The
# fragment's hash is what decides; editing this script does not rebuild
# (REBUILD=1 does).
want=$( { echo "$SRC_PKG $src_version"; cat "$FRAGMENT"; } | sha256sum | cut -d' ' -f1)
if [ -z "${REBUILD:-}" ] && [ -r "$KDIR/config.sha256" ] &&
	[ "$(cat "$KDIR/config.sha256")" = "$want" ] &&
	[ -r "$KDIR/release" ] &&
	[ -r "$KDIR/root/boot/vmlinuz-$(cat "$KDIR/release")" ]; then
	note "debug kernel $(cat "$KDIR/release") is up to date (fragment unchanged)"
	exit 0
fi

# What a full kernel build needs beyond the module builds.
"$HARNESS_DIR/setup-host.sh" flex bison libelf-dev libssl-dev >&2
note "building the debug kernel from $SRC_PKG $src_version (this takes long; log: $DK/build.log)"
t0=$(date +%s)
# The published series stays in place until the new build replaces it.
rm -rf "$TREE" "$KDIR.new"
mkdir -p "$TREE"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$SRC_PKG.tar.xz" |
	tar -xJ -C "$TREE" --strip-components=1 ||
	die "cannot unpack $SRC_PKG.tar.xz from $deb"

cd "$TREE"
{
	make x86_64_defconfig
	./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
	make olddefconfig
} >"$DK/config.log" 2>&1 || die "configuring the debug kernel failed, see $DK/config.log"

# merge_config.sh only warns when an option did not stick (a dependency
# is missing): demand every line of the fragment in the final .config.
missing=()
while IFS= read -r line; do
	grep -qxF "$line" .config || missing+=("$line")
done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAGMENT")
while IFS= read -r opt; do
	grep -qE "^$opt=" .config && missing+=("# $opt is not set")
done < <(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$FRAGMENT")
if [ ${#missing[@]} -gt 0 ]; then
	echo "harness: these options of $FRAGMENT did not survive into .config" \
		"(a dependency is missing):" >&2
	for m in "${missing[@]}"; do
		echo "    $m (got: $(grep -E "^(# )?${m#\# }" .config | head -n 1 || echo absent))" >&2
	done
	exit 1
fi

# bzImage plus the few in-tree modules of the config: the modules pass
# writes Module.symvers, which external module builds (M=) need.
if ! nice -n 19 make -j"$JOBS" bzImage modules >"$DK/build.log" 2>&1; then
	tail -n 40 "$DK/build.log" >&2
	die "building the debug kernel failed, see $DK/build.log"
fi
[ -s Module.symvers ] || die "the build left no Module.symvers"
release=$(make -s kernelrelease)
t_build=$(($(date +%s) - t0))

# Publish it as a kernel series, in the layout kernels.sh gives Debian's.
mkdir -p "$KDIR.new/root/boot" "$KDIR.new/root/usr/src" \
	"$KDIR.new/root/lib/modules/$release"
cp arch/x86/boot/bzImage "$KDIR.new/root/boot/vmlinuz-$release"
cp .config "$KDIR.new/root/boot/config-$release"
ln -s "$TREE" "$KDIR.new/root/usr/src/linux-headers-$release"
cp modules.builtin modules.builtin.modinfo modules.order \
	"$KDIR.new/root/lib/modules/$release/"
echo "$release" >"$KDIR.new/release"
echo "$SRC_PKG $src_version + tests/debug/debug.config" >"$KDIR.new/version"
echo "$want" >"$KDIR.new/config.sha256"
echo "$t_build" >"$KDIR.new/build-seconds"
rm -rf "$KDIR"
mv "$KDIR.new" "$KDIR"
note "debug kernel $release built in ${t_build}s ($JOBS jobs, nice 19; load now: $(cut -d' ' -f1-3 /proc/loadavg))"

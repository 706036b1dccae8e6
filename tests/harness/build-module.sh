#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module (and the harness's fault-injection module) against the
# cached headers of one kernel series, in a per-kernel copy of the sources.
# Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$1
release=$(kernel_release "$series")
[ -n "$release" ] || die "kernel $series not fetched"
kdir=$(kernel_dir "$series")/root/usr/src/linux-headers-$release
bdir=$OUT/build/$release

mkdir -p "$bdir"
# Mirror only what the module build reads, so the copy stays small and
# a stale object from another kernel can never leak in.
rm -rf "$bdir/module" "$bdir/include" "$bdir/fault"
cp -r "$TOP/module" "$TOP/include" "$TOP/VERSION" "$bdir/"
cp -r "$HARNESS_DIR/fault" "$bdir/fault"
for m in module fault; do
	make -s -C "$kdir" M="$bdir/$m" modules >"$bdir/$m.build.log" 2>&1 || {
		cat "$bdir/$m.build.log" >&2
		die "building $m against $release failed"
	}
done
echo "$bdir"

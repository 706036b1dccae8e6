#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module (and the harness's fault-injection module) against the
# cached headers of one kernel series, in a per-kernel copy of the sources,
# where that series builds (series_run: the host, or trixie's and sid's
# chroot). Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=$1
release=$(kernel_release "$series")
[ -n "$release" ] || die "kernel $series not fetched"
kdir=$(series_kdir "$series")
bdir=$OUT/build/$release

mkdir -p "$bdir"
# Mirror only what the module build reads, so the copy stays small and
# a stale object from another kernel can never leak in.
rm -rf "$bdir/module" "$bdir/include" "$bdir/fault"
cp -r "$TOP/module" "$TOP/include" "$TOP/VERSION" "$bdir/"
cp -r "$HARNESS_DIR/fault" "$bdir/fault"
for m in module fault; do
	series_run "$series" make -s -C "$kdir" M="$bdir/$m" modules >"$bdir/$m.build.log" 2>&1 || {
		# The first errors say why; the whole log is kept.
		echo "first errors:" >&2
		grep -m 12 -E 'error:|Error [0-9]|ERROR:|No such file' "$bdir/$m.build.log" >&2 || true
		echo "last lines:" >&2
		tail -n 8 "$bdir/$m.build.log" >&2
		die "building $m against $release failed (log: $bdir/$m.build.log)"
	}
done
echo "$bdir"

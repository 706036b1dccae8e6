#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, one TAP line each (the caller numbers them):
#   checkpatch --strict on the module; sparse (C=2) and W=1 builds against
#   each kernel in KERNELS; cppcheck on the userspace C; a build of the
#   userspace with ASan and UBSan, with the host unit tests run against it.
# Prints "ok - ..." / "not ok - ..." lines and the findings as comments.
# Usage: lint.sh SERIES... (or all)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

LINT=$CACHE/lint
SRC_PKG=linux-source-6.1
rc=0

point() {
	local ok=$1 desc=$2 log=$3
	if [ "$ok" -eq 0 ]; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		tail -n 40 "$log" | sed "s/^/#   /"
		rc=1
	fi
}

# checkpatch.pl and the data files it reads, from Debian's kernel source
# package, unpacked once into the cache.
fetch_checkpatch() {
	local deb tarball
	[ -x "$LINT/scripts/checkpatch.pl" ] && return 0
	mkdir -p "$LINT"
	apt_prepare >/dev/null
	(cd "$LINT" && apt-get "${APT_OPTS[@]}" download "$SRC_PKG") >"$LINT/download.log" 2>&1 ||
		return 1
	deb=$(ls "$LINT"/${SRC_PKG}_*.deb | head -n 1)
	tarball=./usr/src/$SRC_PKG.tar.xz
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -xJ -C "$LINT" --strip-components=1 \
			"$SRC_PKG/scripts/checkpatch.pl" \
			"$SRC_PKG/scripts/spelling.txt" \
			"$SRC_PKG/scripts/const_structs.checkpatch" || return 1
	rm -f "$deb"
}

lint_checkpatch() {
	local log=$OUT/lint-checkpatch.log
	if ! fetch_checkpatch >"$log" 2>&1; then
		point 1 "lint: checkpatch.pl fetched from $SRC_PKG" "$log"
		return
	fi
	"$LINT/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		-f "$TOP"/module/*.c "$TOP"/module/*.h >"$log" 2>&1
	point $? "lint: checkpatch --strict finds nothing in module/" "$log"
}

# sparse and W=1 on a copy of the module, so the tree stays clean, where
# the series builds (series_run: trixie's and sid's chroot has its sparse).
lint_sparse() {
	local series=$1 release dir log
	release=$(kernel_release "$series")
	dir=$OUT/lint-build/$release
	log=$OUT/lint-sparse-$release.log
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$TOP/module" "$TOP/include" "$TOP/VERSION" "$dir/"
	series_run "$series" make -s -C "$(series_kdir "$series")" \
		M="$dir/module" C=2 W=1 modules >"$log.raw" 2>&1
	local st=$?
	# Anything the build says beyond its progress lines is a finding.
	grep -v -e '^  [A-Z]' -e 'Skipping BTF generation' "$log.raw" >"$log"
	[ $st -eq 0 ] && [ ! -s "$log" ]
	point $? "lint: sparse (C=2) and W=1 find nothing against $release" "$log"
}

# The CET-IBT rule (lint-ibt.sh) holds for module/, and the check itself
# catches each way of breaking it, tried on a copy.
lint_ibt() {
	local log=$OUT/lint-ibt.log dir=$OUT/lint-ibt mut st=0
	local muts=(
		's/= isol_fn(want\[ISOL_SYM_LRU_DRAIN\]\.addr)/= (void *)want[ISOL_SYM_LRU_DRAIN].addr/'
		's/isol_sym\.vmstat_fold(NULL)/((void (*)(void *))isol_sym.vmstat_work)(NULL)/'
		's/return isol_endbr_at(addr);/return true;/'
	)
	"$HARNESS_DIR/lint-ibt.sh" "$TOP/module" >"$log" 2>&1 || st=1
	for mut in "${muts[@]}"; do
		rm -rf "$dir"
		cp -r "$TOP/module" "$dir"
		sed -i "$mut" "$dir"/*.c
		if diff -rq "$TOP/module" "$dir" >/dev/null; then
			echo "self-test: '$mut' changed nothing" >>"$log"
			st=1
		elif "$HARNESS_DIR/lint-ibt.sh" "$dir" >>"$log" 2>&1; then
			echo "self-test: '$mut' was not caught" >>"$log"
			st=1
		fi
	done
	point $st "lint: no looked-up kernel function is called without the ENDBR64 check (CET-IBT)" "$log"
}

lint_cppcheck() {
	local log=$OUT/lint-cppcheck.log files
	mapfile -t files < <(cd "$TOP" && ls lib/*.c tools/*.c tests/guest/progs/*.c \
		tests/guest/common/*.c tests/fuzz/*.c tests/stress/*.c bench/guest/*.c \
		bench/icount/*.c 2>/dev/null)
	(cd "$TOP" && cppcheck --quiet --error-exitcode=1 --inline-suppr \
		--enable=warning,portability,performance --std=c11 \
		-D__GNUC__ -D__x86_64__ -Iinclude/uapi -Ilib -Itests/guest/common \
		"${files[@]}") >"$log" 2>&1
	point $? "lint: cppcheck finds nothing in the userspace C" "$log"
}

# The userspace built with sanitizers, in a copy of the tree, and the host
# unit tests of that copy run with a compiler that adds them to everything
# they build.
lint_sanitizers() {
	local log=$OUT/lint-sanitizers.log dir=$OUT/lint-asan t
	local san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$TOP" && tar --exclude=./.cache --exclude=./.git --exclude=./tests/out \
		--exclude=./build -cf - .) | tar -xf - -C "$dir"
	(
		make -s -B -C "$dir" CFLAGS="$san" userspace guest-progs &&
		for t in "$dir"/tests/unit/*.sh; do
			grep -q '^# sanitizers: no' "$t" && continue
			# An LD_PRELOADed sanitized library loads before the runtime.
			ASAN_OPTIONS=verify_asan_link_order=0 CC="gcc $san" bash "$t" || {
				echo "unit test $(basename "$t") failed under the sanitizers"
				exit 1
			}
		done
	) >"$log" 2>&1
	point $? "lint: userspace builds with ASan/UBSan and the host unit tests pass under them" "$log"
}

mkdir -p "$OUT"
lint_checkpatch
lint_ibt
for s in $(expand_kernels "$*"); do
	lint_sparse "$s"
done
lint_cppcheck
lint_sanitizers
exit $rc

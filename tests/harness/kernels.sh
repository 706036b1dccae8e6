#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the newest Debian kernel image and headers of each series named on the
# command line (see SERIES_DIST in lib.sh; "all" means every series) with
# apt, and unpack them under $CACHE/kernels/SERIES/root. The .debs stay in
# $CACHE/kernels/SERIES/debs (the chroot of trixie and sid installs the
# headers from there). A series already in the cache is reused without
# touching the network; REFRESH=1 resolves the newest build again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

target_opt() {
	[ "$1" = default ] || echo "-t $1"
}

# Print the first "Depends:" of PKG that matches PATTERN.
dep_of() {
	apt-cache "${APT_OPTS[@]}" $(target_opt "$3") depends "$1" 2>/dev/null |
		awk -v pat="$2" '$1 ~ /Depends:$/ && $2 ~ pat { print $2; exit }'
}

# The unpacked headers' Makefile includes the common tree by absolute path;
# point it into this cache's unpacked root (a copy of the cache made
# elsewhere still points to where it was made).
fix_headers_makefile() {
	local dir=$1 release=$2 mk
	mk=$dir/root/usr/src/linux-headers-$release/Makefile
	grep -q "^include $dir/root/usr/src/" "$mk" && return
	sed -i "s#^include .*/usr/src/#include $dir/root/usr/src/#" "$mk"
}

fetch_series() {
	local series=$1 suite=${SERIES_SUITE[$1]:-} dist=${SERIES_DIST[$1]:-}
	local flavour meta dir image headers common kbuild release version
	local -a pkgs
	[ -n "$suite" ] && [ -n "$dist" ] ||
		die "unknown kernel series '$series' (known: $KERNELS_ALL)"
	dir=$(kernel_dir "$series")
	if [ -r "$dir/release" ] && [ -z "${REFRESH:-}" ]; then
		fix_headers_makefile "$dir" "$(cat "$dir/release")"
		return
	fi
	apt_use "$dist"
	apt_prepare
	flavour=$(series_flavour "$series")
	meta=linux-image-$flavour
	image=$(dep_of "$meta" '^linux-image-' "$suite")
	[ -n "$image" ] || die "cannot resolve $meta in $dist ($suite)"
	release=${image#linux-image-}
	# The series is what the metapackage gives: its version line for the
	# Debian 12 series, its flavour for all.
	case "$release" in
	*-rt-amd64) [ "$flavour" = rt-amd64 ] ;;
	*) [ "$flavour" = amd64 ] ;;
	esac || die "$meta in $dist gives $release, not flavour $flavour"
	case "$series" in
	[0-9]*)
		case "$release" in
		"${series%-rt}".*) ;;
		*) die "$meta in $suite gives $release, not series $series" ;;
		esac
		;;
	esac
	headers=linux-headers-$release
	common=$(dep_of "$headers" '^linux-headers-.*-common(-rt)?$' "$suite")
	kbuild=$(dep_of "$headers" '^linux-kbuild-' "$suite")
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve headers of $release"
	pkgs=("$image" "$headers" "$common" "$kbuild")
	# From 7.x on, linux-image-RELEASE is an empty metapackage: the kernel
	# is vmlinuz.unsigned in linux-binary-unsigned-RELEASE, the module lists
	# are in linux-base-RELEASE and the modules in linux-modules-RELEASE
	# (DKMS compresses as they are; the bench loads one).
	if [ -n "$(dep_of "$image" "^linux-binary-" "$suite")" ]; then
		pkgs+=("linux-binary-unsigned-$release" "linux-base-$release")
	fi
	modules=$(dep_of "$image" "^linux-modules-" "$suite")
	[ -z "$modules" ] || pkgs+=("$modules")

	rm -rf "$dir.new"
	mkdir -p "$dir.new/debs" "$dir.new/root"
	note "downloading ${pkgs[*]}"
	(cd "$dir.new/debs" &&
		apt-get "${APT_OPTS[@]}" $(target_opt "$suite") download "${pkgs[@]}" >/dev/null) ||
		die "apt-get download failed for $release"
	for deb in "$dir.new"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir.new/root"
	done
	# Trixie's and sid's packages install under /usr/lib/modules: give the
	# unpacked root the merged-/usr layout, so /lib/modules works as on 6.1.
	if [ ! -e "$dir.new/root/lib" ] && [ -d "$dir.new/root/usr/lib/modules" ]; then
		ln -s usr/lib "$dir.new/root/lib"
	elif [ -d "$dir.new/root/usr/lib/modules/$release" ] &&
		[ -d "$dir.new/root/lib/modules/$release" ] &&
		[ ! -L "$dir.new/root/lib" ]; then
		# Some packages use /lib, some /usr/lib: one tree, as installed.
		cp -aln "$dir.new/root/usr/lib/modules/$release/." \
			"$dir.new/root/lib/modules/$release/"
	fi
	mkdir -p "$dir.new/root/boot"
	if [ ! -e "$dir.new/root/boot/vmlinuz-$release" ]; then
		for f in "$dir.new/root/usr/lib/modules/$release/vmlinuz"{,.unsigned}; do
			[ -r "$f" ] && ln "$f" "$dir.new/root/boot/vmlinuz-$release" && break
		done
	fi
	version=$(dpkg-deb -f "$dir.new/debs/${image}_"*.deb Version)
	[ -r "$dir.new/root/boot/vmlinuz-$release" ] || die "no vmlinuz in ${pkgs[*]}"
	[ -d "$dir.new/root/usr/src/linux-headers-$release" ] || die "no headers in $headers"
	echo "$release" >"$dir.new/release"
	echo "$version" >"$dir.new/version"
	echo "$dist" >"$dir.new/dist"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	fix_headers_makefile "$dir" "$release"
}

[ $# -gt 0 ] || die "usage: kernels.sh SERIES... (or all)"
for s in $(expand_kernels "$*"); do
	if [ "$s" = "$DEBUG_SERIES" ]; then
		"$TOP/tests/debug/build-kernel.sh"
	else
		fetch_series "$s"
		# Trixie's and sid's: the chroot their module builds in, with
		# their headers (series-run.sh), made once.
		[ -z "$(series_chroot "$s")" ] || "$HARNESS_DIR/series-run.sh" --prepare "$s"
	fi
	note "kernel $s: $(kernel_release "$s") (package $(cat "$(kernel_dir "$s")/version"))"
done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the newest Debian kernel image and headers of each series named on the
# command line (6.1, 6.12) with apt, and unpack them under $CACHE/kernels.
# A series already in the cache is reused without touching the network;
# REFRESH=1 resolves the newest build again.
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

fetch_series() {
	local series=$1 suite=${SERIES_SUITE[$1]:-}
	local dir image headers common kbuild release version
	[ -n "$suite" ] || die "unknown kernel series '$series' (known: ${!SERIES_SUITE[*]})"
	dir=$(kernel_dir "$series")
	if [ -r "$dir/release" ] && [ -z "${REFRESH:-}" ]; then
		return
	fi
	apt_prepare
	image=$(dep_of linux-image-amd64 '^linux-image-' "$suite")
	[ -n "$image" ] || die "cannot resolve linux-image-amd64 in $suite"
	release=${image#linux-image-}
	case "$release" in
	"$series".*) ;;
	*) die "linux-image-amd64 in $suite gives $release, not series $series" ;;
	esac
	headers=linux-headers-$release
	common=$(dep_of "$headers" '^linux-headers-.*-common$' "$suite")
	kbuild=$(dep_of "$headers" '^linux-kbuild-' "$suite")
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve headers of $release"

	rm -rf "$dir.new"
	mkdir -p "$dir.new/debs" "$dir.new/root"
	note "downloading $image $headers $common $kbuild"
	(cd "$dir.new/debs" &&
		apt-get "${APT_OPTS[@]}" $(target_opt "$suite") download \
			"$image" "$headers" "$common" "$kbuild" >/dev/null) ||
		die "apt-get download failed for $release"
	for deb in "$dir.new"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir.new/root"
	done
	# The arch headers' Makefile includes the common tree by absolute path;
	# point it into the unpacked root instead.
	sed -i "s#/usr/src/#$dir/root/usr/src/#" \
		"$dir.new/root/usr/src/linux-headers-$release/Makefile"
	version=$(dpkg-deb -f "$dir.new/debs/${image}_"*.deb Version)
	[ -r "$dir.new/root/boot/vmlinuz-$release" ] || die "no vmlinuz in $image"
	[ -d "$dir.new/root/usr/src/linux-headers-$release" ] || die "no headers in $headers"
	echo "$release" >"$dir.new/release"
	echo "$version" >"$dir.new/version"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
}

[ $# -gt 0 ] || die "usage: kernels.sh SERIES..."
for s in "$@"; do
	if [ "$s" = "$DEBUG_SERIES" ]; then
		"$TOP/tests/debug/build-kernel.sh"
	else
		fetch_series "$s"
	fi
	note "kernel $s: $(kernel_release "$s") (package $(cat "$(kernel_dir "$s")/version"))"
done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a command "for kernel series S": where that kernel's module is built.
#   series-run.sh SERIES COMMAND [ARG...]
# Debian 12's kernels (6.1, 6.12, their -rt) and the debug kernel: on the
# host, as is. Trixie's and sid's headers need their own gcc and kbuild:
# there the command runs in a `debootstrap --variant=minbase` chroot of that
# suite under $CACHE/chroot/DIST, made on first use, with /proc mounted
# (7.x objtool reads /proc/self/limits) and $OUT bind-mounted at the same
# path, so paths under $OUT mean the same inside and out. The series'
# headers are at `series_kdir SERIES` (lib.sh) as the command sees them.
# The mounts live in a private mount namespace and are undone on any exit.
# SERIES_LIB_MODULES=DIR: the command sees DIR as /lib/modules (for DKMS,
# see lib-modules.sh), on the host or in the chroot.
#   series-run.sh --prepare SERIES   only make the chroot and its headers
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What the builds need in the chroot besides the headers' own dependencies
# (gcc of the suite, kbuild's libraries): make and libc headers for the
# module, dkms/openssl/kmod for the DKMS stage, sparse for make lint.
CHROOT_PKGS=make,libc6-dev,dkms,openssl,kmod,sparse

# The archive URI of the host's first Debian stanza (never a name of ours).
archive_uri() {
	awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources
}

# Mount what a command in the chroot needs; undone by chroot_umount.
chroot_mount() {
	local root=$1
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	mkdir -p "$root$OUT"
	mountpoint -q "$root$OUT" || mount --bind "$OUT" "$root$OUT"
}

chroot_umount() {
	local root=$1
	! mountpoint -q "$root/lib/modules" || umount "$root/lib/modules" ||
		umount -l "$root/lib/modules"
	! mountpoint -q "$root$OUT" || umount "$root$OUT" || umount -l "$root$OUT"
	! mountpoint -q "$root/proc" || umount "$root/proc" || umount -l "$root/proc"
}

in_chroot() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Make the chroot of DIST, once: minbase, the private apt sources of that
# distribution (same archive, same keyring) and CHROOT_PKGS.
make_chroot() {
	local dist=$1 root=$2 t0
	[ -e "$root/.isol-ready" ] && return
	"$HARNESS_DIR/setup-host.sh" debootstrap
	t0=$(date +%s)
	note "making the $dist chroot in $root (debootstrap --variant=minbase)"
	rm -rf "$root.new"
	mkdir -p "$root.new"
	debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--include="$CHROOT_PKGS" \
		"$dist" "$root.new" "$(archive_uri)" >"$root.log" 2>&1 || {
		tail -n 20 "$root.log"
		die "debootstrap of $dist failed, see $root.log"
	}
	rm -f "$root.new/etc/apt/sources.list"
	apt_sources_for "$dist" >"$root.new/etc/apt/sources.list.d/debian.sources"
	[ "$dist" != sid ] ||
		echo 'Acquire::Check-Valid-Until "false";' >"$root.new/etc/apt/apt.conf.d/99isol-valid-until"
	in_chroot "$root.new" apt-get -q update >>"$root.log" 2>&1 ||
		die "apt-get update in the $dist chroot failed, see $root.log"
	touch "$root.new/.isol-ready"
	mv "$root.new" "$root"
	note "$dist chroot made in $(($(date +%s) - t0))s"
}

# The packages a .deb depends on, first alternatives, without versions,
# leaving out the kernel's own packages (linux-*), which come as .debs.
deb_deps() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' \
		-e 's/[[:space:]]//g' | grep -v -e '^$' -e '^linux-'
}

# Put the series' headers, common tree and kbuild (the .debs kernels.sh
# fetched) into the chroot: their dependencies through apt, the files
# unpacked (not dpkg-installed: the headers depend on the kernel image,
# which the chroot does not need).
install_headers() {
	local series=$1 root=$2 release dir deb stage
	local -a deps=() debs=()
	release=$(kernel_release "$series")
	[ -n "$release" ] || die "kernel $series not fetched"
	[ -e "$root/usr/src/linux-headers-$release/.isol-installed" ] && return
	dir=$(kernel_dir "$series")
	for deb in "$dir"/debs/linux-headers-*.deb "$dir"/debs/linux-kbuild-*.deb; do
		debs+=("$deb")
		mapfile -t -O "${#deps[@]}" deps < <(deb_deps "$deb")
	done
	note "installing the headers of $release into $root (${deps[*]})"
	chroot_mount "$root"
	# A newer kernel may need a newer gcc than the chroot's lists know.
	in_chroot "$root" apt-get -q update >>"$root.log" 2>&1 ||
		die "apt-get update in $root failed, see $root.log"
	in_chroot "$root" apt-get -q -y --no-install-recommends install "${deps[@]}" \
		>>"$root.log" 2>&1 || {
		tail -n 20 "$root.log"
		die "installing ${deps[*]} in $root failed, see $root.log"
	}
	stage=$root/tmp/isol-headers
	rm -rf "$stage"
	mkdir -p "$stage"
	for deb in "${debs[@]}"; do
		dpkg-deb -x "$deb" "$stage"
	done
	# The chroot is merged-/usr: whatever a package has under /lib goes
	# to /usr/lib.
	if [ -d "$stage/lib" ] && [ ! -L "$stage/lib" ]; then
		mkdir -p "$stage/usr/lib"
		cp -a "$stage/lib/." "$stage/usr/lib/"
	fi
	cp -a "$stage/usr/." "$root/usr/"
	rm -rf "$stage"
	[ -d "$root/usr/src/linux-headers-$release" ] || die "no headers of $release in its .debs"
	touch "$root/usr/src/linux-headers-$release/.isol-installed"
}

# Debian's 7.x linux-headers-*-common leave out scripts/checker-valid.sh,
# which the kernel's Makefile runs for C=2 and, failing to find it, turns
# sparse off with a warning. This stand-in answers as the kernel's does: 1
# when the checker runs clean on the construct the kernel tests it with.
checker_valid() {
	local root=$1 release=$2 common script
	common=$(sed -n 's|^include \(/usr/src/linux-headers-[^/]*\)/Makefile$|\1|p' \
		"$root/usr/src/linux-headers-$release/Makefile" 2>/dev/null)
	script=$root${common:-/usr/src/linux-headers-$release}/scripts/checker-valid.sh
	[ -d "$(dirname "$script")" ] && [ ! -e "$script" ] || return 0
	cat >"$script" <<'EOF'
#!/bin/sh
# Written by the task isolation test harness (series-run.sh): the kernel's
# own script is missing from this headers package.
f=$(mktemp --suffix=.c) || exit 1
printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$f"
if "$@" "$f" 2>&1 | grep -q error; then echo 0; else echo 1; fi
rm -f "$f"
EOF
	chmod 755 "$script"
}

prepare() {
	local series=$1 dist root
	dist=${SERIES_DIST[$series]:-}
	root=$(series_chroot "$series")
	[ -n "$root" ] || return 0
	mkdir -p "$(dirname "$root")" "$OUT"
	# One preparer at a time per chroot; the mounts of this one are undone
	# however it ends.
	exec 9>"$root.lock"
	flock 9
	trap 'chroot_umount "$root"' EXIT
	make_chroot "$dist" "$root"
	install_headers "$series" "$root"
	checker_valid "$root" "$(kernel_release "$series")"
	chroot_umount "$root"
	trap - EXIT
	exec 9>&-
}

if [ "${1:-}" = --prepare ]; then
	[ $# -eq 2 ] || die "usage: series-run.sh --prepare SERIES"
	# In a mount namespace of its own: no mount outlives the script.
	[ -n "${ISOL_SERIES_NS:-}" ] ||
		ISOL_SERIES_NS=1 exec unshare --mount --propagation private "$0" "$@"
	prepare "$2"
	exit 0
fi

[ $# -ge 2 ] || die "usage: series-run.sh SERIES COMMAND [ARG...]"
series=$1
shift
root=$(series_chroot "$series")
if [ -z "$root" ]; then
	[ -n "${SERIES_LIB_MODULES:-}" ] || exec "$@"
	. "$HARNESS_DIR/lib-modules.sh"
	with_lib_modules "$SERIES_LIB_MODULES" "$@"
	exit
fi
[ -n "${ISOL_SERIES_NS:-}" ] ||
	ISOL_SERIES_NS=1 exec unshare --mount --propagation private "$0" "$series" "$@"
prepare "$series" >&2
trap 'chroot_umount "$root"' EXIT
chroot_mount "$root"
if [ -n "${SERIES_LIB_MODULES:-}" ]; then
	mkdir -p "$root/lib/modules"
	mount --bind "$SERIES_LIB_MODULES" "$root/lib/modules"
fi
# Keep the caller's working directory when it is under $OUT.
cwd=/
case "$PWD" in "$OUT" | "$OUT"/*) cwd=$PWD ;; esac
rc=0
# shellcheck disable=SC2016 # expanded by the inner shell
in_chroot "$root" sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@" || rc=$?
exit $rc

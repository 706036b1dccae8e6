# SPDX-License-Identifier: GPL-2.0
# What DKMS sees as /lib/modules/RELEASE, for dkms.sh. Sourced, not run.
#
# DKMS compresses the module it installs as the kernel's own modules are,
# and it learns that from /lib/modules/RELEASE, never from the kernel's
# configuration or from --kernelsourcedir:
#   dkms 3.0.x (Debian 12)  grep '\.xz:' /lib/modules/RELEASE/modules.dep,
#                           that path whatever --installtree says
#   dkms 3.1.x              the same grep in INSTALLTREE/RELEASE/modules.dep
#   dkms 3.2 and later      any *.ko.xz under INSTALLTREE/RELEASE
# (.gz and .zst likewise). On a user's machine the kernel package put its
# modules there and depmod listed them, so DKMS installs task_isolation.ko.xz
# for Debian's 6.12 (CONFIG_MODULE_COMPRESS_XZ) and task_isolation.ko for
# 6.1. With only the harness's headers, the host's /lib/modules decided
# instead: no compression on a clean host, .ko.xz wherever a 6.12 kernel
# happened to be installed. These two helpers make the harness's DKMS run
# see what a user's does, and nothing of the host.

# lib_modules_tree KROOT RELEASE DIR: make DIR/RELEASE what the kernel
# package leaves in /lib/modules/RELEASE: its modules (hard links into the
# cache where possible) and depmod's lists of them.
lib_modules_tree() {
	local kroot=$1 release=$2 dir=$3 src=$1/lib/modules/$2 base
	[ -d "$src/kernel" ] || die "no modules of $release under $kroot"
	mkdir -p "$dir/$release"
	cp -al "$src/kernel" "$dir/$release/" 2>/dev/null || cp -a "$src/kernel" "$dir/$release/"
	cp "$src"/modules.* "$dir/$release/"
	# depmod -b BASE wants BASE/lib/modules.
	base=$(dirname "$dir")/depmod-base
	mkdir -p "$base/lib"
	ln -sfn "$dir" "$base/lib/modules"
	depmod -b "$base" "$release" || die "depmod for $release failed"
	rm -rf "$base"
}

# with_lib_modules DIR COMMAND...: run COMMAND where /lib/modules is DIR,
# in a private mount namespace (root only, as dkms install is): the host's
# /lib/modules is neither seen nor touched. A host without /lib/modules (a
# container) gets one in an overlay of /lib's directory, in that namespace.
with_lib_modules() {
	local dir=$1 scratch
	shift
	scratch=$(dirname "$dir")/ns
	mkdir -p "$scratch"
	unshare --mount --propagation private -- bash -c '
		set -e
		dir=$1 scratch=$2
		shift 2
		if [ ! -d /lib/modules ]; then
			lib=$(readlink -f /lib)
			mount -t tmpfs tmpfs "$scratch"
			mkdir "$scratch/upper" "$scratch/work"
			mount -t overlay overlay \
				-o "lowerdir=$lib,upperdir=$scratch/upper,workdir=$scratch/work" "$lib"
			mkdir "$lib/modules"
		fi
		mount --bind "$dir" /lib/modules
		exec "$@"' with_lib_modules "$dir" "$scratch" "$@"
}

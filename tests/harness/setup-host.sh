#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build and the harness need. Does nothing,
# and downloads nothing, when they are already installed.
set -euo pipefail

PKGS=(
	bc cpio gcc make libc6-dev pkg-config
	kmod libkmod-dev
	qemu-system-x86 busybox-static
	xz-utils zstd gzip
	perl dwarves file strace jq
	sparse cppcheck
)

missing=()
for p in "${PKGS[@]}" "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${st:0:2}" = "ii" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "# installing host packages: ${missing[*]}"
[ "$(id -u)" -eq 0 ] || {
	echo "setup-host: need root to install: ${missing[*]}" >&2
	exit 1
}
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null

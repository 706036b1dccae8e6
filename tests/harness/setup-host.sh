#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build and the guests need, and any named
# as arguments (make check and make lint add the static checkers). Does
# nothing, and downloads nothing, when they are already installed.
set -euo pipefail

PKGS=(
	bc cpio gcc make libc6-dev pkg-config
	kmod libkmod-dev
	qemu-system-x86 busybox-static
	xz-utils zstd gzip
	perl dwarves file strace jq
	dpdk-dev rt-tests rtla
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
# Another apt (unattended-upgrades on a fresh machine) may hold the lock:
# wait for it rather than fail.
APT=(apt-get -o DPkg::Lock::Timeout=600)
echo "# apt-get update"
"${APT[@]}" update -q >/dev/null
# apt's own lines show the downloads' progress.
rc=0
"${APT[@]}" install -y -q --no-install-recommends "${missing[@]}" |
	{ grep --line-buffered -E '^(Get:|Fetched|Setting up)' | sed 's/^/#   /' || true; } ||
	rc=$?
exit $rc

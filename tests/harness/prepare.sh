#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Get one kernel series ready to boot: host packages, kernel image and
# headers, the module built against them, and the guest initramfs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:?usage: prepare.sh SERIES}
"$HARNESS_DIR/setup-host.sh"
"$HARNESS_DIR/kernels.sh" "$series"
echo "# building the module against $(kernel_release "$series")'s headers"
"$HARNESS_DIR/build-module.sh" "$series" >/dev/null
echo "# building the guest's initramfs"
"$HARNESS_DIR/initramfs.sh" "$series" >/dev/null

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Get one kernel series ready to boot: host packages, kernel image and
# headers, the module built against them, and the guest initramfs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:?usage: prepare.sh SERIES}
"$HARNESS_DIR/setup-host.sh"
"$HARNESS_DIR/kernels.sh" "$series"
"$HARNESS_DIR/build-module.sh" "$series" >/dev/null
"$HARNESS_DIR/initramfs.sh" "$series" >/dev/null

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a guest, load the module and show what it reports.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-6.12}
"$HARNESS_DIR/prepare.sh" "$series"
echo "# booting $(kernel_release "$series") under QEMU (4 vCPUs, nohz_full=1-3)"
"$HARNESS_DIR/vm.sh" "$series" demo nohz 2>&1 |
	sed -n '/^=== demo/,$p' | grep -v -e 'reboot: Power down' -e 'ACPI: PM:'

// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test only: breaks the guest kernel on purpose so that the
 * harness can prove it reports a broken guest as a failure. Never shipped.
 */

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>

static char *action = "";
module_param(action, charp, 0400);
MODULE_PARM_DESC(action, "warn: WARN(); hang: block in D state forever");

static int __init isol_fault_init(void)
{
	if (!strcmp(action, "warn")) {
		WARN(1, "isol_fault: deliberate warning\n");
	} else if (!strcmp(action, "hang")) {
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule();
		}
	}
	return -EINVAL;
}
module_init(isol_fault_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("task isolation harness self-test fault injector");

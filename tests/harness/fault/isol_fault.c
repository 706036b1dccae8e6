// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test only: breaks the guest kernel on purpose so that the
 * harness can prove it reports a broken guest as a failure. Never shipped.
 */

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *action = "";
module_param(action, charp, 0400);
MODULE_PARM_DESC(action, "warn: WARN(); hang: block in D state forever; "
		 "leak: lose a kmalloc()ed object; kasan: read past one (debug kernel)");

/* For the debug kernel's self-test: kmemleak must name a module's leak. */
static void isol_fault_leak(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
}

/* For the debug kernel's self-test: KASAN must report this read. */
static void isol_fault_oob(void)
{
	char *p = kmalloc(8, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	pr_info("isol_fault: read past the end: %d\n", READ_ONCE(p[8]));
	kfree(p);
}

static int __init isol_fault_init(void)
{
	if (!strcmp(action, "warn")) {
		WARN(1, "isol_fault: deliberate warning\n");
	} else if (!strcmp(action, "hang")) {
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule();
		}
	} else if (!strcmp(action, "leak")) {
		isol_fault_leak();
	} else if (!strcmp(action, "kasan")) {
		isol_fault_oob();
	}
	return -EINVAL;
}
module_init(isol_fault_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("task isolation harness self-test fault injector");

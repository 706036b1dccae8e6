// SPDX-License-Identifier: GPL-2.0
/*
 * task_isolation: give a task a nohz_full CPU the kernel leaves alone, and
 * tell it, with the cause, when the kernel enters anyway.
 *
 * This file holds module load/unload and the misc device.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/tick.h>

static const struct file_operations isol_fops = {
	.owner = THIS_MODULE,
	.llseek = noop_llseek,
};

static struct miscdevice isol_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "task_isolation",
	.fops = &isol_fops,
	.mode = 0600,
};

static void isol_report_cpus(void)
{
	if (!tick_nohz_full_enabled()) {
		pr_info("no nohz_full CPU: no task can be isolated; boot with nohz_full=<cpus>\n");
		return;
	}
	pr_info("version %s, nohz_full CPUs %*pbl\n", ISOL_VERSION,
		cpumask_pr_args(tick_nohz_full_mask));
}

static int __init isol_init(void)
{
	int ret;

	ret = misc_register(&isol_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", isol_misc.name, ret);
		return ret;
	}
	isol_report_cpus();
	return 0;
}

static void __exit isol_exit(void)
{
	misc_deregister(&isol_misc);
}

module_init(isol_init);
module_exit(isol_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ISOL_VERSION);
MODULE_DESCRIPTION("Per-task CPU isolation on nohz_full CPUs");
MODULE_AUTHOR("Task isolation maintainers");

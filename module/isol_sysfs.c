// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics under /sys/class/misc/task_isolation/cpuN/, one
 * directory per nohz_full CPU. They describe the CPU's current isolation,
 * or its last one: which task, since when, and its breaks and kernel time
 * by cause. Files: task, state, since_ns, breaks, time_ns.
 */

#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/tick.h>
#include "isol.h"

static const char *const isol_cause_names[ISOL_CAUSE_MAX] = {
	[ISOL_CAUSE_NONE] = "none",
	[ISOL_CAUSE_SYSCALL] = "syscall",
	[ISOL_CAUSE_PAGE_FAULT] = "page_fault",
	[ISOL_CAUSE_EXCEPTION] = "exception",
	[ISOL_CAUSE_TIMER] = "timer",
	[ISOL_CAUSE_IPI_CALL] = "ipi_call",
	[ISOL_CAUSE_IPI_RESCHED] = "ipi_resched",
	[ISOL_CAUSE_IPI_IRQ_WORK] = "ipi_irq_work",
	[ISOL_CAUSE_IRQ] = "irq",
	[ISOL_CAUSE_VECTOR] = "vector",
	[ISOL_CAUSE_PREEMPTED] = "preempted",
	[ISOL_CAUSE_AFFINITY] = "affinity",
	[ISOL_CAUSE_MIGRATED] = "migrated",
	[ISOL_CAUSE_CPU_OFFLINE] = "cpu_offline",
	[ISOL_CAUSE_UNKNOWN] = "unknown",
};

static const char *const isol_end_names[] = {
	[ISOL_END_NONE] = "none",
	[ISOL_END_DISABLED] = "disabled",
	[ISOL_END_BREAK] = "break",
	[ISOL_END_EXEC] = "exec",
	[ISOL_END_EXIT] = "exit",
	[ISOL_END_MIGRATED] = "migrated",
	[ISOL_END_SIGNAL] = "signal",
};

const char *isol_cause_name(u32 cause)
{
	return cause < ISOL_CAUSE_MAX ? isol_cause_names[cause] : "unknown";
}

static struct kobject **isol_cpu_kobjs;

static int isol_kobj_cpu(struct kobject *kobj)
{
	int cpu;

	if (sscanf(kobject_name(kobj), "cpu%d", &cpu) != 1)
		return -1;
	return cpu;
}

/*
 * Call @show with the statistics of the CPU's current isolation (its
 * claim, live, until isol_cleanup() gives it back) or else its last one.
 */
static ssize_t isol_cpu_show(struct kobject *kobj, char *buf,
			     ssize_t (*show)(const struct isol_cpu_stats *s,
					     char *buf))
{
	int cpu = isol_kobj_cpu(kobj);
	struct isol_cpu_stats *s;
	struct isol_cpu *pc;
	ssize_t len;

	if (cpu < 0)
		return -ENODEV;
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	pc = per_cpu_ptr(&isol_cpus, cpu);
	mutex_lock(&isol_mutex);
	if (pc->claim && pc->claim->enabled_ns)
		isol_task_stats(pc->claim, s);
	else
		*s = pc->stats;
	mutex_unlock(&isol_mutex);
	len = show(s, buf);
	kfree(s);
	return len;
}

static ssize_t isol_show_task(const struct isol_cpu_stats *s, char *buf)
{
	if (!s->pid)
		return sysfs_emit(buf, "-\n");
	return sysfs_emit(buf, "%d %s\n", isol_pid_for_reader(s->pid), s->comm);
}

static ssize_t isol_show_state(const struct isol_cpu_stats *s, char *buf)
{
	if (!s->pid)
		return sysfs_emit(buf, "free\n");
	if (s->state == ISOL_STATE_ISOLATED)
		return sysfs_emit(buf, "isolated\n");
	return sysfs_emit(buf, "ended %s\n",
			  s->end_cause < ARRAY_SIZE(isol_end_names) ?
			  isol_end_names[s->end_cause] : "unknown");
}

static ssize_t isol_show_since(const struct isol_cpu_stats *s, char *buf)
{
	return sysfs_emit(buf, "%llu\n", s->since_ns);
}

static ssize_t isol_show_counts(const u64 *val, char *buf)
{
	ssize_t len = 0;
	u32 c;

	for (c = ISOL_CAUSE_NONE + 1; c < ISOL_CAUSE_MAX; c++)
		len += sysfs_emit_at(buf, len, "%s %llu\n", isol_cause_name(c),
				     val[c]);
	return len;
}

static ssize_t isol_show_breaks(const struct isol_cpu_stats *s, char *buf)
{
	return isol_show_counts(s->nr_by_cause, buf);
}

static ssize_t isol_show_time(const struct isol_cpu_stats *s, char *buf)
{
	return isol_show_counts(s->ns_by_cause, buf);
}

/* Root only: they name other users' tasks and what those tasks do. */
#define ISOL_CPU_ATTR(_name, _file, _fn)				\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return isol_cpu_show(kobj, buf, _fn);				\
}									\
static struct kobj_attribute _name##_attr = __ATTR(_file, 0400, _name##_show, NULL)

ISOL_CPU_ATTR(task, task, isol_show_task);
ISOL_CPU_ATTR(state, state, isol_show_state);
ISOL_CPU_ATTR(since, since_ns, isol_show_since);
ISOL_CPU_ATTR(breaks, breaks, isol_show_breaks);
ISOL_CPU_ATTR(time, time_ns, isol_show_time);

static struct attribute *isol_cpu_attrs[] = {
	&task_attr.attr,
	&state_attr.attr,
	&since_attr.attr,
	&breaks_attr.attr,
	&time_attr.attr,
	NULL,
};

static const struct attribute_group isol_cpu_group = {
	.attrs = isol_cpu_attrs,
};

int isol_sysfs_init(struct device *dev)
{
	char name[16];
	int cpu, ret;

	isol_cpu_kobjs = kcalloc(nr_cpu_ids, sizeof(*isol_cpu_kobjs),
				 GFP_KERNEL);
	if (!isol_cpu_kobjs)
		return -ENOMEM;
	if (!tick_nohz_full_enabled())
		return 0;
	for_each_cpu(cpu, tick_nohz_full_mask) {
		snprintf(name, sizeof(name), "cpu%d", cpu);
		isol_cpu_kobjs[cpu] = kobject_create_and_add(name, &dev->kobj);
		if (!isol_cpu_kobjs[cpu]) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = sysfs_create_group(isol_cpu_kobjs[cpu], &isol_cpu_group);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	isol_sysfs_exit();
	return ret;
}

void isol_sysfs_exit(void)
{
	int cpu;

	if (!isol_cpu_kobjs)
		return;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		kobject_put(isol_cpu_kobjs[cpu]);
	kfree(isol_cpu_kobjs);
	isol_cpu_kobjs = NULL;
}

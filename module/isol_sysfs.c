// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics under /sys/class/misc/task_isolation/cpuN/, one
 * directory per nohz_full CPU. They describe the CPU's current isolation,
 * or its last one: which task, since when, and its breaks and kernel time
 * by cause. Files: task, state, since_ns, breaks, time_ns.
 */

#include <linux/device.h>
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

/* One file of a CPU's directory: which CPU, and what it shows. */
struct isol_cpu_attr {
	struct device_attribute dattr;
	int cpu;
	ssize_t (*show)(const struct isol_cpu_stats *s, char *buf);
};

#define ISOL_CPU_FILES	7

/* A CPU's directory: a named group of the device, made before it appears. */
struct isol_cpu_dir {
	char name[16];
	struct attribute_group group;
	struct attribute *attrs[ISOL_CPU_FILES + 1];
	struct isol_cpu_attr files[ISOL_CPU_FILES];
};

static struct isol_cpu_dir *isol_cpu_dirs;
static const struct attribute_group **isol_all_groups;

/*
 * Call @show with the statistics of the CPU's current isolation (its
 * claim, live, until isol_cleanup() gives it back) or else its last one.
 */
static ssize_t isol_cpu_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	const struct isol_cpu_attr *a = container_of(attr, struct isol_cpu_attr,
						     dattr);
	struct isol_cpu_stats *s;
	struct isol_cpu *pc;
	ssize_t len;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	pc = per_cpu_ptr(&isol_cpus, a->cpu);
	mutex_lock(&isol_mutex);
	if (pc->claim && pc->claim->enabled_ns)
		isol_task_stats(pc->claim, s);
	else
		*s = pc->stats;
	mutex_unlock(&isol_mutex);
	len = a->show(s, buf);
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

static ssize_t isol_show_ended(const struct isol_cpu_stats *s, char *buf)
{
	return sysfs_emit(buf, "%llu\n", s->ended_ns);
}

static ssize_t isol_show_max_quiet(const struct isol_cpu_stats *s, char *buf)
{
	return sysfs_emit(buf, "%llu\n", s->max_quiet_ns);
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

static const struct {
	const char *name;
	ssize_t (*show)(const struct isol_cpu_stats *s, char *buf);
} isol_cpu_files[ISOL_CPU_FILES] = {
	{ "task", isol_show_task },
	{ "state", isol_show_state },
	{ "since_ns", isol_show_since },
	{ "ended_ns", isol_show_ended },
	{ "max_quiet_ns", isol_show_max_quiet },
	{ "breaks", isol_show_breaks },
	{ "time_ns", isol_show_time },
};

/*
 * The device's attribute groups: @base, then one directory per nohz_full
 * CPU, so that the device is complete when its uevent goes out. Set as the
 * misc device's groups before registering it; isol_sysfs_exit() frees them.
 */
const struct attribute_group **
isol_sysfs_groups(const struct attribute_group **base)
{
	unsigned int nbase = 0, ncpu = 0, i, f;
	struct isol_cpu_dir *d;
	int cpu;

	while (base[nbase])
		nbase++;
	if (tick_nohz_full_enabled())
		ncpu = cpumask_weight(tick_nohz_full_mask);
	isol_cpu_dirs = kcalloc(ncpu, sizeof(*isol_cpu_dirs), GFP_KERNEL);
	isol_all_groups = kcalloc(nbase + ncpu + 1, sizeof(*isol_all_groups),
				  GFP_KERNEL);
	if ((ncpu && !isol_cpu_dirs) || !isol_all_groups) {
		isol_sysfs_exit();
		return NULL;
	}
	memcpy(isol_all_groups, base, nbase * sizeof(*base));
	i = 0;
	if (ncpu) {
		for_each_cpu(cpu, tick_nohz_full_mask) {
			d = &isol_cpu_dirs[i];
			snprintf(d->name, sizeof(d->name), "cpu%d", cpu);
			for (f = 0; f < ISOL_CPU_FILES; f++) {
				struct isol_cpu_attr *a = &d->files[f];

				sysfs_attr_init(&a->dattr.attr);
				a->dattr.attr.name = isol_cpu_files[f].name;
				/* Root only: other users' tasks and what they do. */
				a->dattr.attr.mode = 0400;
				a->dattr.show = isol_cpu_show;
				a->cpu = cpu;
				a->show = isol_cpu_files[f].show;
				d->attrs[f] = &a->dattr.attr;
			}
			d->group.name = d->name;
			d->group.attrs = d->attrs;
			isol_all_groups[nbase + i++] = &d->group;
		}
	}
	return isol_all_groups;
}

void isol_sysfs_exit(void)
{
	kfree(isol_all_groups);
	isol_all_groups = NULL;
	kfree(isol_cpu_dirs);
	isol_cpu_dirs = NULL;
}

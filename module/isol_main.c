// SPDX-License-Identifier: GPL-2.0
/*
 * task_isolation: give a task a nohz_full CPU the kernel leaves alone, and
 * tell it, with the cause, when the kernel enters anyway.
 *
 * This file holds module load/unload and the misc device with its ioctls.
 * Each ioctl handler copies in, validates, acts, and copies out.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/tick.h>
#include <linux/uaccess.h>
#include "isol.h"

struct workqueue_struct *isol_wq;

static unsigned int isol_version_code(void)
{
	unsigned int major = 0, minor = 0, patch = 0;

	if (sscanf(ISOL_VERSION, "%u.%u.%u", &major, &minor, &patch) < 1)
		return 0;
	return major << 16 | minor << 8 | patch;
}

/*
 * Copy a size-prefixed struct in: the caller's size says which version it
 * knows. Shorter structs are zero-extended; bytes past ours must be zero.
 */
static int isol_copy_in(void *kbuf, size_t ksize, const void __user *ubuf,
			u32 minsize)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)ubuf))
		return -EFAULT;
	if (usize < minsize)
		return -EINVAL;
	/* As clone3() and openat2(): never scan an unbounded user range. */
	if (usize > ISOL_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(kbuf, ksize, ubuf, usize);
	if (ret == -E2BIG)
		return -EINVAL;
	*(u32 *)kbuf = usize;
	return ret;
}

/* Copy out as much as the caller knows of, and say how much that was. */
static int isol_copy_out(void __user *ubuf, void *kbuf, size_t ksize)
{
	u32 usize = *(u32 *)kbuf;
	size_t n = min_t(size_t, usize, ksize);

	*(u32 *)kbuf = n;
	return copy_to_user(ubuf, kbuf, n) ? -EFAULT : 0;
}

static long isol_ioctl_get_info(void __user *arg)
{
	struct isol_info info;
	int ret;

	ret = isol_copy_in(&info, sizeof(info), arg, ISOL_INFO_SIZE_VER0);
	if (ret)
		return ret;
	if (memchr_inv(info.reserved, 0, sizeof(info.reserved)) || info.pad ||
	    info.abi_version || info.version || info.nr_cpu_ids ||
	    info.nr_isolated || info.features)
		return -EINVAL;
	info.abi_version = ISOL_ABI_VERSION;
	info.version = isol_version_code();
	info.nr_cpu_ids = nr_cpu_ids;
	info.nr_isolated = atomic_read(&isol_nr_isolated);
	info.features = ISOL_FEAT_STRICT | ISOL_FEAT_LOG_ONLY |
			ISOL_FEAT_KEEP_ON_EXEC | ISOL_FEAT_QUIESCE |
			ISOL_FEAT_MONITOR | ISOL_FEAT_STATUS_PAGE |
			ISOL_FEAT_TIMING | ISOL_FEAT_STRICT_AFTER |
			ISOL_FEAT_ENABLE_THREAD;
	return isol_copy_out(arg, &info, sizeof(info));
}

static long isol_ioctl_enable(struct file *file, void __user *arg,
			      bool thread)
{
	struct isol_enable req;
	long ret, cret;

	ret = isol_copy_in(&req, sizeof(req), arg, ISOL_ENABLE_SIZE_VER0);
	if (ret)
		return ret;
	ret = thread ? isol_enable_thread(file, &req) : isol_enable(file, &req, false);
	/* The reason is copied out on failure too: that is how it is read. */
	cret = isol_copy_out(arg, &req, sizeof(req));
	return ret ?: cret;
}

static long isol_ioctl_get_state(struct file *file, void __user *arg)
{
	struct isol_state st;
	u32 usize;
	pid_t pid;
	int ret;

	/* The first released struct isol_state ended at @reserved. */
	BUILD_BUG_ON(offsetof(struct isol_state, pid) != ISOL_STATE_SIZE_VER0);
	ret = isol_copy_in(&st, sizeof(st), arg, ISOL_STATE_SIZE_VER0);
	if (ret)
		return ret;
	usize = st.size;
	pid = st.pid;
	st.pid = 0;
	if (memchr_inv((char *)&st + sizeof(st.size), 0,
		       sizeof(st) - sizeof(st.size)) || pid < 0)
		return -EINVAL;
	ret = isol_get_state(file, pid, &st);
	if (ret)
		return ret;
	st.size = usize;
	st.pid = pid;
	return isol_copy_out(arg, &st, sizeof(st));
}

static long isol_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* Before DISABLE ends isolation: this ioctl is not a break. */
	isol_note_own_ioctl(file->private_data);
	if (cmd == ISOL_IOC_DISABLE)
		return arg ? -EINVAL : isol_disable(file);
	switch (ISOL_IOC_MATCH(cmd)) {
	case ISOL_IOC_MATCH(ISOL_IOC_GET_INFO):
		return isol_ioctl_get_info(uarg);
	case ISOL_IOC_MATCH(ISOL_IOC_ENABLE):
		return isol_ioctl_enable(file, uarg, false);
	case ISOL_IOC_MATCH(ISOL_IOC_ENABLE_THREAD):
		return isol_ioctl_enable(file, uarg, true);
	case ISOL_IOC_MATCH(ISOL_IOC_GET_STATE):
		return isol_ioctl_get_state(file, uarg);
	default:
		return -ENOTTY;
	}
}

static int isol_open(struct inode *inode, struct file *file)
{
	struct isol_file *ifile = kzalloc(sizeof(*ifile), GFP_KERNEL);

	if (!ifile)
		return -ENOMEM;
	if (isol_status_alloc(ifile)) {
		kfree(ifile);
		return -ENOMEM;
	}
	kref_init(&ifile->ref);
	mutex_init(&ifile->lock);
	INIT_LIST_HEAD(&ifile->tasks);
	isol_monitor_open(ifile);
	file->private_data = ifile;
	return 0;
}

static void isol_file_free(struct kref *ref)
{
	struct isol_file *ifile = container_of(ref, struct isol_file, ref);

	isol_status_free(ifile);
	mutex_destroy(&ifile->lock);
	kfree(ifile);
}

void isol_file_get(struct isol_file *ifile)
{
	kref_get(&ifile->ref);
}

void isol_file_put(struct isol_file *ifile)
{
	kref_put(&ifile->ref, isol_file_free);
}

static int isol_release(struct inode *inode, struct file *file)
{
	struct isol_file *ifile = file->private_data;

	isol_file_release(ifile);
	isol_file_put(ifile);
	return 0;
}

static ssize_t isol_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	return isol_monitor_read(file, buf, count);
}

static const struct file_operations isol_fops = {
	.owner = THIS_MODULE,
	.open = isol_open,
	.release = isol_release,
	.read = isol_read,
	.poll = isol_monitor_poll,
	.mmap = isol_status_mmap,
	.unlocked_ioctl = isol_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static ssize_t hooks_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	ssize_t len;

	mutex_lock(&isol_mutex);
	len = isol_hooks_show(buf);
	mutex_unlock(&isol_mutex);
	return len;
}
static DEVICE_ATTR_RO(hooks);

/* How quiescing is done on this kernel, and which steps are skipped. */
static ssize_t quiesce_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return isol_symbols_show(buf);
}
static DEVICE_ATTR_RO(quiesce);

static ssize_t isolated_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&isol_nr_isolated));
}
static DEVICE_ATTR_RO(isolated);

/* Records alive: zero again once every file is closed and freed. */
static ssize_t records_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&isol_nr_records));
}
static DEVICE_ATTR_RO(records);

static struct attribute *isol_attrs[] = {
	&dev_attr_hooks.attr,
	&dev_attr_isolated.attr,
	&dev_attr_records.attr,
	&dev_attr_quiesce.attr,
	NULL,
};
ATTRIBUTE_GROUPS(isol);

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

	BUILD_BUG_ON(ISOL_CAUSE_MAX > ISOL_NR_CAUSES);
	BUILD_BUG_ON(sizeof(struct isol_info) != 64);
	BUILD_BUG_ON(sizeof(struct isol_enable) != 80);
	BUILD_BUG_ON(sizeof(struct isol_break) != 136);
	BUILD_BUG_ON(sizeof(struct isol_state) != 816);
	BUILD_BUG_ON(sizeof(struct isol_record) != 1256);
	BUILD_BUG_ON(sizeof(struct isol_status) != 64);

	ret = isol_symbols_init();
	if (ret)
		return ret;
	isol_wq = alloc_workqueue("task_isolation", WQ_UNBOUND, 0);
	if (!isol_wq)
		return -ENOMEM;
	ret = isol_monitor_init();
	if (ret)
		goto err_wq;
	ret = isol_hooks_init();
	if (ret)
		goto err_monitor;
	/* The per-CPU directories are there when the device's uevent is. */
	isol_misc.groups = isol_sysfs_groups(isol_groups);
	if (!isol_misc.groups) {
		ret = -ENOMEM;
		goto err_hooks;
	}
	ret = misc_register(&isol_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", isol_misc.name, ret);
		goto err_sysfs;
	}
	isol_report_cpus();
	return 0;

err_sysfs:
	isol_sysfs_exit();
err_hooks:
	isol_hooks_exit();
err_monitor:
	isol_monitor_exit();
err_wq:
	destroy_workqueue(isol_wq);
	return ret;
}

static void __exit isol_exit(void)
{
	/*
	 * A task work gives its module reference back as its last act, then
	 * returns through module text: every task passes a voluntary switch
	 * or user space before the text goes.
	 */
	synchronize_rcu_tasks();
	misc_deregister(&isol_misc);
	isol_sysfs_exit();
	isol_hooks_disarm();
	isol_hooks_exit();
	/* Records freed through the workqueue are gone after this. */
	destroy_workqueue(isol_wq);
	rcu_barrier();
	isol_monitor_exit();
}

module_init(isol_init);
module_exit(isol_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ISOL_VERSION);
MODULE_DESCRIPTION("Per-task CPU isolation on nohz_full CPUs");
MODULE_AUTHOR("Task isolation maintainers");

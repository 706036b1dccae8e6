// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor stream: every break of every isolated task, read() from the
 * device by privileged readers. Writers never wait for readers: records go
 * into one ring, each with a sequence number, and a reader that falls more
 * than a ring behind is told exactly how many it missed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "isol.h"

static unsigned int monitor_records = 4096;
module_param(monitor_records, uint, 0444);
MODULE_PARM_DESC(monitor_records,
		 "Break records the monitor stream holds for slow readers (16-1048576, default 4096)");

struct isol_slot {
	u64 seq;
	struct isol_krec rec;
};

/*
 * The kernel log is for misconfiguration; breaks go there only on request,
 * and never from the isolated CPU: printk there raises printk's irq_work
 * as a self-IPI after the return to user space, itself a new break.
 */
static bool log_breaks;
module_param(log_breaks, bool, 0644);
MODULE_PARM_DESC(log_breaks,
		 "Also log breaks to the kernel log, from a housekeeping CPU, rate-limited (default: N)");

static DEFINE_RATELIMIT_STATE(isol_log_rs, 5 * HZ, 10);

static struct {
	raw_spinlock_t lock;		/* protects head, log_next and slots */
	u64 head;			/* sequence of the next record, from 1 */
	u64 log_next;			/* next record for the kernel log */
	u32 size;
	struct isol_slot *slots;
	wait_queue_head_t readers;
	struct work_struct wake;
	struct work_struct log;
} isol_ring;

static void isol_monitor_wake_fn(struct work_struct *work)
{
	wake_up_interruptible(&isol_ring.readers);
}

static bool isol_monitor_next(u64 *next, struct isol_krec *rec, u64 *seq,
			      u64 *lost);

/* On isol_wq, so on a housekeeping CPU; one instance at a time. */
static void isol_monitor_log_fn(struct work_struct *work)
{
	struct isol_krec *rec;
	u64 seq, lost;

	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return;
	while (READ_ONCE(log_breaks) &&
	       isol_monitor_next(&isol_ring.log_next, rec, &seq, &lost)) {
		if (!__ratelimit(&isol_log_rs))
			continue;
		if (lost) {
			pr_info("%llu breaks not logged: the ring was overwritten\n",
				lost);
			continue;
		}
		isol_desc_render(&rec->b, &rec->desc);
		pr_info("pid %d (%s) on CPU %u: isolation broken: %s\n",
			rec->b.pid, rec->b.comm, rec->b.cpu, rec->b.desc);
	}
	kfree(rec);
}

int isol_monitor_init(void)
{
	if (monitor_records < 16 || monitor_records > 1048576) {
		pr_err("monitor_records=%u is out of range (16-1048576)\n",
		       monitor_records);
		return -EINVAL;
	}
	isol_ring.slots = kvcalloc(monitor_records, sizeof(*isol_ring.slots),
				   GFP_KERNEL);
	if (!isol_ring.slots)
		return -ENOMEM;
	raw_spin_lock_init(&isol_ring.lock);
	isol_ring.size = monitor_records;
	isol_ring.head = 1;
	init_waitqueue_head(&isol_ring.readers);
	isol_ring.log_next = 1;
	INIT_WORK(&isol_ring.wake, isol_monitor_wake_fn);
	INIT_WORK(&isol_ring.log, isol_monitor_log_fn);
	return 0;
}

void isol_monitor_exit(void)
{
	cancel_work_sync(&isol_ring.wake);
	cancel_work_sync(&isol_ring.log);
	kvfree(isol_ring.slots);
}

/* Any context. */
void isol_monitor_push(const struct isol_krec *r)
{
	struct isol_slot *slot;
	unsigned long flags;

	raw_spin_lock_irqsave(&isol_ring.lock, flags);
	slot = &isol_ring.slots[isol_ring.head % isol_ring.size];
	slot->seq = isol_ring.head++;
	memcpy(&slot->rec, r, isol_size_to_frames(r));
	/* Not logging now: this record is never logged later either. */
	if (!READ_ONCE(log_breaks))
		isol_ring.log_next = isol_ring.head;
	raw_spin_unlock_irqrestore(&isol_ring.lock, flags);
}

/*
 * Wake readers and log from a housekeeping CPU: the unbound workqueue
 * never runs on an isolated one, and a reader woken from here might be
 * placed here. Not under scheduler locks.
 */
void isol_monitor_wake(void)
{
	if (wq_has_sleeper(&isol_ring.readers))
		queue_work(isol_wq, &isol_ring.wake);
	if (READ_ONCE(log_breaks))
		queue_work(isol_wq, &isol_ring.log);
}

void isol_monitor_open(struct isol_file *ifile)
{
	raw_spin_lock_irq(&isol_ring.lock);
	ifile->mon_next = isol_ring.head;
	raw_spin_unlock_irq(&isol_ring.lock);
}

/*
 * A symbol name for @addr; "?" rather than a raw address when it has none,
 * so that no kernel address ever reaches user space.
 */
void isol_symbol(char *buf, unsigned long addr, bool offset)
{
	char sym[KSYM_SYMBOL_LEN];

	if (offset)
		sprint_symbol(sym, addr);
	else
		sprint_symbol_no_offset(sym, addr);
	strscpy(buf, sym[0] == '0' && sym[1] == 'x' ? "?" : sym, ISOL_SYM_LEN);
}

/* Frames of the tracing machinery itself say nothing about the sender. */
static bool isol_frame_is_tracing(const char *sym)
{
	return !strncmp(sym, "ftrace_", 7) || !strncmp(sym, "__traceiter_", 12) ||
	       !strcmp(sym, "?");
}

/* Turn a kept record into what user space reads. Process context. */
void isol_format_record(struct isol_record *out, const struct isol_krec *r)
{
	unsigned int i, n = 0;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->type = ISOL_REC_BREAK;
	out->brk = r->b;
	isol_desc_render(&out->brk, &r->desc);
	if (r->func)
		isol_symbol(out->func, r->func, false);
	for (i = 0; i < r->nr_stack; i++) {
		isol_symbol(out->stack[n], r->stack[i], true);
		if (n || !isol_frame_is_tracing(out->stack[n]))
			n++;
	}
	if (n < ISOL_STACK_DEPTH)
		memset(out->stack[n], 0, sizeof(out->stack[n]));
	out->nr_stack = n;

	out->brk.pid = isol_pid_for_reader(r->b.pid);
	out->brk.sender_pid = isol_pid_for_reader(r->b.sender_pid);
}

/*
 * Pid @nr of the initial namespace as the reader's namespace sees it: the
 * same number in the initial namespace, even once the task is gone; else
 * found by lookup, 0 when the task is gone or not visible there.
 */
pid_t isol_pid_for_reader(pid_t nr)
{
	struct pid *pid;
	pid_t ret;

	if (!nr || task_active_pid_ns(current) == &init_pid_ns)
		return nr;
	rcu_read_lock();
	pid = find_pid_ns(nr, &init_pid_ns);
	ret = pid ? pid_vnr(pid) : 0;
	rcu_read_unlock();
	return ret;
}

/*
 * The next record for the reader whose cursor is @next: a break, or the
 * count of those it missed. Returns false when there is none yet.
 */
static bool isol_monitor_next(u64 *next, struct isol_krec *rec, u64 *seq,
			      u64 *lost)
{
	u64 oldest;
	bool ret = true;

	raw_spin_lock_irq(&isol_ring.lock);
	oldest = isol_ring.head > isol_ring.size ?
		 isol_ring.head - isol_ring.size : 1;
	*lost = 0;
	if (*next >= isol_ring.head) {
		ret = false;
	} else if (*next < oldest) {
		*lost = oldest - *next;
		*seq = *next;
		*next = oldest;
	} else {
		*seq = (*next)++;
		*rec = isol_ring.slots[*seq % isol_ring.size].rec;
	}
	raw_spin_unlock_irq(&isol_ring.lock);
	return ret;
}

static bool isol_monitor_pending(struct isol_file *ifile)
{
	return READ_ONCE(ifile->mon_next) < READ_ONCE(isol_ring.head);
}

/* Copy out the records waiting for @ifile that fit in @count bytes. */
static ssize_t isol_monitor_copy(struct isol_file *ifile, char __user *buf,
				 size_t count, struct isol_record *out,
				 struct isol_krec *rec)
{
	ssize_t done = 0;
	u64 seq, lost;

	while (count - done >= sizeof(*out) &&
	       isol_monitor_next(&ifile->mon_next, rec, &seq, &lost)) {
		if (lost) {
			memset(out, 0, sizeof(*out));
			out->size = sizeof(*out);
			out->type = ISOL_REC_LOST;
			out->nr_lost = lost;
		} else {
			isol_format_record(out, rec);
		}
		out->seq = seq;
		if (copy_to_user(buf + done, out, sizeof(*out)))
			return done ?: -EFAULT;
		done += sizeof(*out);
	}
	return done;
}

ssize_t isol_monitor_read(struct file *file, char __user *buf, size_t count)
{
	struct isol_file *ifile = file->private_data;
	struct isol_record *out;
	struct isol_krec *rec;
	ssize_t ret;

	/* The opener's credentials: a reader handed the file cannot widen them. */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (count < sizeof(*out))
		return -EINVAL;
	out = kmalloc(sizeof(*out), GFP_KERNEL);
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!out || !rec) {
		ret = -ENOMEM;
		goto free;
	}
	for (;;) {
		/* Readers of one file take turns, so no record is read twice. */
		mutex_lock(&ifile->lock);
		ret = isol_monitor_copy(ifile, buf, count, out, rec);
		mutex_unlock(&ifile->lock);
		if (ret)
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		ret = wait_event_interruptible(isol_ring.readers,
					       isol_monitor_pending(ifile));
		if (ret)
			break;
	}
free:
	kfree(rec);
	kfree(out);
	return ret;
}

__poll_t isol_monitor_poll(struct file *file, struct poll_table_struct *wait)
{
	struct isol_file *ifile = file->private_data;

	poll_wait(file, &isol_ring.readers, wait);
	return isol_monitor_pending(ifile) ? EPOLLIN | EPOLLRDNORM : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Isolating another thread of an isolated program (ISOL_IOC_ENABLE_THREAD).
 *
 * Isolation is armed by the task itself, on its own CPU. A program nobody
 * can change (a DPDK application whose EAL pins one thread per lcore) never
 * asks, so its supervisor (isolctl run) asks for it: the named thread gets a
 * task work that runs ISOL_IOC_ENABLE's code as that thread, through the
 * supervisor's file, at the thread's next return to user space. Everything
 * an enable checks (one nohz_full CPU, CAP_SYS_NICE, a quiet CPU) is then
 * checked for the thread, with its own credentials.
 *
 * Consent: the thread's process, or one of its ancestors, armed isolation
 * through this same open file before, so a program is only ever armed by
 * the supervisor that started it isolated.
 */

#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include "isol.h"

/* Ancestors looked at for consent: far more than a supervisor's tree. */
#define ISOL_CONSENT_DEPTH	64

struct isol_arm {
	struct callback_head twork;
	struct kref ref;		/* the caller's and the task work's */
	struct file *file;		/* the caller's, which the record joins */
	struct completion done;
	long ret;
	struct isol_enable req;		/* in and out, as for ISOL_IOC_ENABLE */
};

static void isol_arm_release(struct kref *ref)
{
	struct isol_arm *arm = container_of(ref, struct isol_arm, ref);
	struct file *file = arm->file;

	kfree(arm);
	/* The file's final release is deferred: it never runs inside here. */
	fput(file);
}

/* Runs as the thread, on its return to user space (or as it exits). */
static void isol_arm_fn(struct callback_head *head)
{
	struct isol_arm *arm = container_of(head, struct isol_arm, twork);

	if (current->flags & PF_EXITING) {
		arm->req.reason = ISOL_REASON_NO_THREAD;
		arm->ret = -ESRCH;
	} else {
		arm->ret = isol_enable(arm->file, &arm->req, true);
	}
	/* complete() orders the reply before a waiter that sees it done. */
	complete(&arm->done);
	kref_put(&arm->ref, isol_arm_release);
	/* Taken when queued; isol_exit() waits out this return. */
	module_put(THIS_MODULE);
}

/* Whether @p's process or an ancestor has a record in @ifile. */
static bool isol_arm_consented(struct isol_file *ifile, struct task_struct *p)
{
	struct task_struct *anc, *parent;
	struct isol_task *t;
	bool found = false;
	int depth;

	mutex_lock(&ifile->lock);
	rcu_read_lock();
	anc = p;
	for (depth = 0; !found && depth < ISOL_CONSENT_DEPTH; depth++) {
		list_for_each_entry(t, &ifile->tasks, node) {
			if (t->tgid == task_tgid(anc)) {
				found = true;
				break;
			}
		}
		/* A live task's parent is live: exit reparents children. */
		parent = rcu_dereference(anc->real_parent);
		if (parent == anc)
			break;
		anc = parent;
	}
	rcu_read_unlock();
	mutex_unlock(&ifile->lock);
	return found;
}

static struct isol_arm *isol_arm_alloc(struct file *file,
				       const struct isol_enable *req)
{
	struct isol_arm *arm = kzalloc(sizeof(*arm), GFP_KERNEL);

	if (!arm)
		return NULL;
	kref_init(&arm->ref);
	arm->file = get_file(file);
	init_completion(&arm->done);
	arm->req = *req;
	init_task_work(&arm->twork, isol_arm_fn);
	return arm;
}

/* Queue @arm on @p. Returns 0, or -ESRCH when @p runs no more task works. */
static int isol_arm_queue(struct isol_arm *arm, struct task_struct *p)
{
	kref_get(&arm->ref);
	/* The work is module code that may run after the file is closed. */
	__module_get(THIS_MODULE);
	/* Resume: the thread may spin in user space; this kicks its CPU. */
	if (!task_work_add(p, &arm->twork, TWA_RESUME))
		return 0;
	module_put(THIS_MODULE);
	kref_put(&arm->ref, isol_arm_release);
	return -ESRCH;
}

long isol_enable_thread(struct file *file, struct isol_enable *req)
{
	pid_t tid = req->tid;
	struct task_struct *p;
	struct isol_arm *arm;
	unsigned long wait = nsecs_to_jiffies(ISOL_ENABLE_THREAD_WAIT_NS);
	long ret, left;

	req->tid = 0;
	req->reason = isol_check_request(req);
	if (!req->reason && tid <= 0)
		req->reason = ISOL_REASON_BAD_ARGS;
	if (req->reason) {
		ret = -EINVAL;
		goto out;
	}
	if (!capable(CAP_SYS_NICE)) {
		req->reason = ISOL_REASON_PERMISSION;
		ret = -EPERM;
		goto out;
	}
	rcu_read_lock();
	p = get_pid_task(find_vpid(tid), PIDTYPE_PID);
	rcu_read_unlock();
	if (!p || (p->flags & PF_KTHREAD)) {
		req->reason = ISOL_REASON_NO_THREAD;
		ret = -ESRCH;
		goto out_put;
	}
	/* The work would run only after this call waited for it. */
	if (p == current) {
		req->reason = ISOL_REASON_BAD_ARGS;
		ret = -EINVAL;
		goto out_put;
	}
	if (!isol_arm_consented(file->private_data, p)) {
		req->reason = ISOL_REASON_NOT_MEMBER;
		ret = -EPERM;
		goto out_put;
	}
	arm = isol_arm_alloc(file, req);
	if (!arm) {
		req->reason = ISOL_REASON_NO_MEMORY;
		ret = -ENOMEM;
		goto out_put;
	}
	ret = isol_arm_queue(arm, p);
	put_task_struct(p);
	p = NULL;
	if (ret) {
		req->reason = ISOL_REASON_NO_THREAD;
		goto out_arm;
	}
	left = wait_for_completion_killable_timeout(&arm->done, wait);
	if (left > 0) {
		/* The thread's enable is complete: its reply is the answer. */
		*req = arm->req;
		ret = arm->ret;
	} else {
		req->reason = ISOL_REASON_PENDING;
		ret = -EINPROGRESS;
	}
out_arm:
	kref_put(&arm->ref, isol_arm_release);
out_put:
	if (p)
		put_task_struct(p);
out:
	req->tid = tid;
	return ret;
}

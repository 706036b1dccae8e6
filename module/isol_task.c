// SPDX-License-Identifier: GPL-2.0
/*
 * The isolated task: entering and leaving isolation, recording breaks, and
 * the deferred work a break leads to. See isol.h for the locking rules.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>
#include <linux/sched/isolation.h>
#include <linux/string.h>
#include <linux/tick.h>
#include <linux/timekeeping.h>
#include "isol.h"
#include "isol_trace.h"

DEFINE_PER_CPU(struct isol_cpu, isol_cpus);
/* Serialises enable, disable, cleanup and hook (un)registration. */
DEFINE_MUTEX(isol_mutex);
atomic_t isol_nr_isolated = ATOMIC_INIT(0);
/* Records allocated and not yet freed: what a leak would show in. */
atomic_t isol_nr_records = ATOMIC_INIT(0);

static void isol_free_work(struct work_struct *work)
{
	struct isol_task *t = container_of(work, struct isol_task, free_work);

	irq_work_sync(&t->defer);
	put_pid(t->pid);
	put_pid(t->tgid);
	isol_file_put(t->ifile);
	kfree_rcu(t, rcu);
	atomic_dec(&isol_nr_records);
}

/* May run in any context: the freeing itself is done by isol_wq. */
static void isol_task_release(struct kref *ref)
{
	struct isol_task *t = container_of(ref, struct isol_task, ref);

	queue_work(isol_wq, &t->free_work);
}

static void isol_task_put(struct isol_task *t)
{
	kref_put(&t->ref, isol_task_release);
}

/* Give back the CPU claim, the hooks and the task taken by isol_claim(). */
static void isol_unclaim(struct isol_task *t)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);

	mutex_lock(&isol_mutex);
	/* An isolation that happened stays visible in the CPU's statistics. */
	if (t->enabled_ns)
		isol_task_stats(t, &pc->stats);
	pc->claim = NULL;
	isol_hooks_put();
	mutex_unlock(&isol_mutex);
	put_task_struct(t->task);
	t->task = NULL;
}

/*
 * Undo what entering took: the per-CPU claim, the hooks, the task, and the
 * record and module references taken at publish. Process context, the
 * caller holding a record reference; runs once per isolation, after it
 * ended.
 */
static void isol_cleanup(struct isol_task *t)
{
	mutex_lock(&isol_mutex);
	if (t->cleaned) {
		mutex_unlock(&isol_mutex);
		return;
	}
	t->cleaned = true;
	mutex_unlock(&isol_mutex);
	/* Hooks that found t in the slot before it was cleared are done ... */
	synchronize_rcu();
	/* ... and so is any deferral they queued, which uses t->task. */
	irq_work_sync(&t->defer);
	isol_unclaim(t);
	isol_task_put(t);
	/*
	 * Last: from here rmmod may go ahead. Every caller returns through
	 * text that stays until it is done: an ioctl of our file, a task work
	 * holding its own module reference, or isol_wq, which isol_exit()
	 * destroys (waiting for its work) before the text goes.
	 */
	module_put(THIS_MODULE);
}

static void isol_cleanup_work(struct work_struct *work)
{
	struct isol_task *t = container_of(work, struct isol_task, cleanup);

	isol_cleanup(t);
	isol_task_put(t);
}

/* Any context. isol_cleanup() runs once however often this is called. */
static void isol_queue_cleanup(struct isol_task *t)
{
	kref_get(&t->ref);
	if (!queue_work(isol_wq, &t->cleanup))
		isol_task_put(t);
}

/*
 * Hard IRQ on a housekeeping CPU. Queueing is the IPI's job alone, so
 * the IPI's record reference goes to the work. Its module reference goes
 * before the completion, so that a close() waiting for it finds the
 * module free; from there the module may be unloaded, and unloading
 * waits for a grace period (free_module()), which this handler holds off.
 * The record's memory is freed after a grace period too (kfree_rcu()).
 */
static void isol_cleanup_kick_fn(void *info)
{
	struct isol_task *t = info;

	if (!queue_work(isol_wq, &t->cleanup))
		isol_task_put(t);
	module_put(THIS_MODULE);
	/* A completion: its raw lock may be taken in hard IRQ on RT too. */
	complete(&t->cleanup_kick_done);
}

/*
 * Queue the cleanup from the isolated CPU on the way to a signal handler.
 * Waking the cleanup worker from here was the largest cost left on that
 * path (counted on 6.12: about 1800 instructions, the worker's enqueue
 * done from this CPU); an IPI to a housekeeping CPU, which queues it
 * there, costs a few hundred. From the task work, which holds a module
 * reference; task works of one task never run concurrently.
 */
static void isol_kick_cleanup(struct isol_task *t)
{
	int cpu;

	/* A task work run again after the end: the csd may be in flight. */
	if (t->cleanup_kicked) {
		isol_queue_cleanup(t);
		return;
	}
	kref_get(&t->ref);
	__module_get(THIS_MODULE);
	INIT_CSD(&t->cleanup_kick, isol_cleanup_kick_fn, t);
	/* Read by isol_flush_cleanup(): from here the IPI queues it. */
	WRITE_ONCE(t->cleanup_kicked, true);
	preempt_disable();
	cpu = t->cleanup_cpu;
	/* No other housekeeping CPU, or it went offline: queue it here. */
	if (cpu == smp_processor_id() ||
	    smp_call_function_single_async(cpu, &t->cleanup_kick))
		isol_cleanup_kick_fn(t);
	preempt_enable();
}

/*
 * Wait for a cleanup that is queued, or that isol_kick_cleanup() handed to
 * a housekeeping CPU whose IPI may still be on its way (and holds a module
 * reference until it has queued the cleanup). A stale false here is an
 * isolation whose task work has not run yet: nothing is queued to wait for.
 */
static void isol_flush_cleanup(struct isol_task *t)
{
	if (READ_ONCE(t->cleanup_kicked)) {
		wait_for_completion(&t->cleanup_kick_done);
		/* Passed on: an enable, then the file's release, both wait. */
		complete(&t->cleanup_kick_done);
	}
	flush_work(&t->cleanup);
}

/*
 * The entry that ended isolation gets no return the hooks see (the CPU
 * slot is empty by then): charge it up to now. The CPU cannot be claimed
 * by another task before isol_cleanup().
 */
static void isol_account_end(struct isol_task *t)
{
	struct isol_cpu *pc;

	preempt_disable();
	pc = this_cpu_ptr(&isol_cpus);
	if (smp_processor_id() == t->cpu && pc->in_kernel) {
		raw_spin_lock_irq(&t->lock);
		t->ns_by_cause[pc->entry_cause] += local_clock() - pc->entry_clock;
		raw_spin_unlock_irq(&t->lock);
		pc->in_kernel = false;
	}
	preempt_enable();
}

/* What the task takes next, of the signals pending and not blocked. */
enum isol_coming {
	ISOL_COMING_NOTHING,	/* nothing, or only a stop (no news to it) */
	ISOL_COMING_DEFAULT,	/* a signal whose default action ends it */
	ISOL_COMING_HANDLER,	/* a signal it handles; the most news */
};

/* Under siglock. */
static enum isol_coming isol_signal_kind(struct sighand_struct *sighand,
					 int sig)
{
	__sighandler_t handler = sighand->action[sig - 1].sa.sa_handler;

	if (handler != SIG_DFL && handler != SIG_IGN)
		return ISOL_COMING_HANDLER;
	return sig_kernel_stop(sig) ? ISOL_COMING_NOTHING : ISOL_COMING_DEFAULT;
}

/*
 * Whether the task is about to take a signal that tells it as much as the
 * strict-mode signal would. As in the series, a fault that raises a signal
 * anyway (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) ends isolation and
 * that signal is delivered as usual, its handler running un-isolated; so
 * is a signal sent from elsewhere.
 *
 * *@if_sent: what it would take were @sig sent now, answered under the
 * same lock, which saves taking it again on the way to the handler. A
 * sigaction() by another thread in between changes no more than where
 * the cleanup runs (isol_twork_fn()).
 */
static enum isol_coming isol_signal_coming(int sig, enum isol_coming *if_sent)
{
	/*
	 * current's own: only current replaces it (exec), so no RCU is
	 * needed; the cast also suits kernels where it is not __rcu yet.
	 */
	struct sighand_struct *sighand =
		(struct sighand_struct __force *)current->sighand;
	enum isol_coming ret = ISOL_COMING_NOTHING;
	unsigned long bits;
	sigset_t pending;
	int i;

	spin_lock_irq(&sighand->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	/* Only the pending ones: this runs between a break and its handler. */
	for (i = 0; i < _NSIG_WORDS; i++)
		for (bits = pending.sig[i]; bits; bits &= bits - 1)
			ret = max(ret, isol_signal_kind(sighand, i * _NSIG_BPW +
							__ffs(bits) + 1));
	*if_sent = ISOL_COMING_NOTHING;
	if (sig && !sigismember(&current->blocked, sig))
		*if_sent = max(ret, isol_signal_kind(sighand, sig));
	spin_unlock_irq(&sighand->siglock);
	return ret;
}

/*
 * Runs in the isolated task's own context when it next returns to user
 * space (or exits): quiesces the CPU again in log-only mode, or, once
 * isolation ended, sends the strict-mode signal and cleans up. The cleanup
 * waits for grace periods and, for the last isolated task, for the hooks
 * to go: when a handler runs next it goes to the workqueue, so that the
 * task learns at once; otherwise (the task dies, or has nothing to be
 * told) it is done here, so that whoever reaps the task finds the CPU
 * free and the module unused.
 */
static void isol_twork_fn(struct callback_head *head)
{
	struct isol_task *t = container_of(head, struct isol_task, twork);
	enum isol_coming coming, if_sent;
	bool signal_due;

	/* Before work_queued is cleared: the break it records queues nothing. */
	isol_classify_fault(t);
	atomic_set(&t->work_queued, 0);
	/* Set under t->lock by isol_store_break(); taken here once. */
	signal_due = xchg(&t->signal_due, false);

	isol_monitor_wake();

	if (atomic_read(&t->state) == ISOL_STATE_ISOLATED) {
		isol_quiesce_again();
	} else {
		isol_account_end(t);
		/* get_signal() runs task works first: a queued one is seen. */
		coming = isol_signal_coming(signal_due ? t->signal : 0,
					    &if_sent);
		if (signal_due && coming == ISOL_COMING_NOTHING) {
			send_sig_info(t->signal, SEND_SIG_PRIV, current);
			coming = if_sent;
		}
		if (coming == ISOL_COMING_HANDLER)
			isol_kick_cleanup(t);
		else
			isol_cleanup(t);
	}
	isol_task_put(t);
	/* Taken by isol_queue_twork(); isol_exit() waits out this return. */
	module_put(THIS_MODULE);
}

/*
 * Any context but under scheduler locks; t->task must still be pinned.
 * @notify: TWA_RESUME, or TWA_SIGNAL where a signal comes anyway.
 */
static void isol_queue_twork(struct isol_task *t,
			     enum task_work_notify_mode notify)
{
	/* One pending work at a time: twork is a single callback_head. */
	if (atomic_xchg(&t->work_queued, 1))
		return;
	kref_get(&t->ref);
	/*
	 * The work is module code that may run after every file of the
	 * module is closed (an exiting task runs it after exit_files()).
	 */
	__module_get(THIS_MODULE);
	init_task_work(&t->twork, isol_twork_fn);
	if (!task_work_add(t->task, &t->twork, notify))
		return;
	/* The task is past running task works: it is exiting. */
	module_put(THIS_MODULE);
	atomic_set(&t->work_queued, 0);
	isol_queue_cleanup(t);
	isol_task_put(t);
}

static void isol_defer_fn(struct irq_work *work)
{
	isol_queue_twork(container_of(work, struct isol_task, defer),
			 TWA_RESUME);
}

/* From the task's own kernel entry: the work runs before it returns. */
void isol_queue_exit_work(struct isol_task *t)
{
	isol_queue_twork(t, TWA_RESUME);
}

/*
 * End isolation, exactly once, from any context, as of @now (CLOCK_MONOTONIC).
 * Returns true for the caller that ended it; that caller arranges
 * isol_cleanup().
 */
static bool isol_task_end_at(struct isol_task *t, u32 end_cause, u64 now)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);

	/* Claiming end_cause decides the one caller that ends isolation. */
	if (cmpxchg(&t->end_cause, ISOL_END_NONE, end_cause) != ISOL_END_NONE)
		return false;
	WRITE_ONCE(t->ended_ns, now);
	/* Pairs with the acquire in isol_get_state(): end_cause is seen first. */
	atomic_set_release(&t->state, ISOL_STATE_ENDED);
	/* Hooks stop seeing t; isol_cleanup() waits for those that did. */
	RCU_INIT_POINTER(pc->owner, NULL);
	atomic_dec(&isol_nr_isolated);
	isol_status_update(t);
	trace_isol_exit(t->cpu, pid_nr(t->pid), end_cause, READ_ONCE(t->nr_breaks));
	return true;
}

bool isol_task_end(struct isol_task *t, u32 end_cause)
{
	return isol_task_end_at(t, end_cause, ktime_get_ns());
}

static __printf(7, 0)
void isol_fill_break(struct isol_task *t, struct isol_krec *r, u32 cause,
		     u64 detail, unsigned long func,
		     const struct isol_remote *remote, const char *fmt,
		     va_list args)
{
	struct isol_break *b = &r->b;

	/*
	 * Only what user space gets whole: of the rest, readers use the
	 * arguments the format names and the first nr_stack frames.
	 */
	memset(b, 0, sizeof(*b));
	r->nr_stack = 0;
	b->time_ns = ktime_get_ns();
	b->cause = cause;
	b->cpu = t->cpu;
	b->pid = task_pid_nr(t->task);
	b->detail = detail;
	/*
	 * Unlocked copy of a fixed size, as tracepoints do: at worst a torn
	 * name, cut to end in a NUL (b was cleared).
	 */
	BUILD_BUG_ON(sizeof(t->task->comm) < sizeof(b->comm));
	memcpy(b->comm, t->task->comm, sizeof(b->comm) - 1);
	b->sender_cpu = -1;
	r->func = func;
	if (remote) {
		b->sender_cpu = remote->sender_cpu;
		b->sender_pid = remote->sender_pid;
		memcpy(b->sender_comm, remote->sender_comm, sizeof(b->sender_comm));
		if (remote->func)
			r->func = remote->func;
		r->nr_stack = remote->nr_stack;
		memcpy(r->stack, remote->stack,
		       remote->nr_stack * sizeof(r->stack[0]));
	}
	isol_desc_capture(r, fmt, args);
}

/*
 * Keep a break: filled in place as the task's last one, under its lock,
 * and copied once, into the monitor's ring (each copy is paid per byte on
 * the isolated CPU). @can_queue is false under scheduler locks, where
 * queueing the reader wake-up and the log work could deadlock; the task
 * work does it instead.
 */
static __printf(7, 0)
void isol_store_break(struct isol_task *t, u32 cause, u64 detail,
		      unsigned long func, const struct isol_remote *remote,
		      bool can_queue, const char *fmt, va_list args)
{
	struct isol_krec *r = &t->last;
	unsigned long flags;
	bool strict;
	u64 now;

	raw_spin_lock_irqsave(&t->lock, flags);
	isol_fill_break(t, r, cause, detail, func, remote, fmt, args);
	now = r->b.time_ns;
	/* The break's own clock read: one fewer on the isolated CPU. */
	strict = now >= READ_ONCE(t->strict_ns);
	t->nr_breaks++;
	t->nr_by_cause[cause]++;
	if (strict)
		t->signal_due = true;
	/* Under t->lock: another break of the task may refill the record. */
	isol_monitor_push(r);
	isol_trace_break(r);
	raw_spin_unlock_irqrestore(&t->lock, flags);

	if (can_queue)
		isol_monitor_wake();
	/* Ending isolation shows the break on the status page too. */
	if (!strict || !isol_task_end_at(t, ISOL_END_BREAK, now))
		isol_status_update(t);
}

void isol_record_break(struct isol_task *t, u32 cause, u64 detail,
		       const struct isol_remote *remote, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	isol_store_break(t, cause, detail, 0, remote, false, fmt, args);
	va_end(args);
}

/*
 * A break seen on the isolated CPU in the task's own kernel entry (syscall,
 * fault, interrupt), with no scheduler lock held; @sender, if known, is
 * who sent the interrupt. A remote break announced for this entry takes
 * precedence: it is what caused the entry.
 */
void isol_break_local(struct isol_task *t, u32 cause, u64 detail,
		      unsigned long func, const struct isol_remote *sender,
		      const char *fmt, ...)
{
	struct isol_remote remote;
	unsigned long flags;
	bool remote_due;
	va_list args;

	/*
	 * Unlocked first: the remote CPU sets it under t->lock before it
	 * queues the task work whose kick brings this entry (task_work_add()
	 * is a full barrier). One set later is seen at the return, by
	 * isol_flush_remote(), as it would be if set just after the lock.
	 */
	remote_due = READ_ONCE(t->remote_due);
	if (remote_due) {
		raw_spin_lock_irqsave(&t->lock, flags);
		remote_due = t->remote_due;
		if (remote_due)
			remote = t->remote;
		WRITE_ONCE(t->remote_due, false);
		raw_spin_unlock_irqrestore(&t->lock, flags);
	}

	this_cpu_write(isol_cpus.entry_cause, remote_due ? remote.cause : cause);
	if (remote_due) {
		isol_record_break(t, remote.cause, 0, &remote,
				  "%s by %s[%d] on CPU %d",
				  remote.cause == ISOL_CAUSE_AFFINITY ?
				  "affinity changed" : "remote event",
				  remote.sender_comm, remote.sender_pid,
				  remote.sender_cpu);
	} else {
		va_start(args, fmt);
		isol_store_break(t, cause, detail, func, sender, true, fmt,
				 args);
		va_end(args);
	}
	/*
	 * An interrupt of user space that ended isolation with a signal
	 * due: get_signal() runs the work just before it delivers that
	 * signal, with no second pass through the resume work (rseq, memcg,
	 * blkcg: about 130 instructions on 6.1). Not from a syscall or a
	 * fault: TWA_SIGNAL would cut short the syscall's sleeps.
	 */
	isol_queue_twork(t, READ_ONCE(t->signal_due) &&
			 this_cpu_read(isol_cpus.entry_irq) ?
			 TWA_SIGNAL : TWA_RESUME);
}

/*
 * A remote event (from another CPU, possibly under scheduler locks) that
 * must be reported on the isolated CPU: stash it, then make the task enter
 * the kernel, where isol_break_local() reports it.
 */
void isol_break_deferred(struct isol_task *t, u32 cause, u64 detail,
			 const struct isol_remote *remote)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	t->remote = *remote;
	t->remote.cause = cause;
	WRITE_ONCE(t->remote_due, true);
	raw_spin_unlock_irqrestore(&t->lock, flags);
	/* The irq_work handler queues the task work, which kicks the task. */
	irq_work_queue(&t->defer);
}

/* End isolation from a context that may hold scheduler locks. */
void isol_end_deferred(struct isol_task *t, u32 end_cause)
{
	if (isol_task_end(t, end_cause))
		irq_work_queue(&t->defer);
}

/* Report a stashed remote break that no kernel entry reported. */
void isol_flush_remote(struct isol_task *t)
{
	if (READ_ONCE(t->remote_due))
		isol_break_local(t, ISOL_CAUSE_UNKNOWN, 0, 0, NULL,
				 "remote event");
}

/* The calling task's record if it is isolated on its current CPU. */
struct isol_task *isol_current_owner(void)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);

	return t && t->task == current ? t : NULL;
}

static struct isol_task *isol_file_find(struct isol_file *ifile,
					struct pid *pid)
{
	struct isol_task *t;

	lockdep_assert_held(&ifile->lock);
	list_for_each_entry(t, &ifile->tasks, node)
		if (t->pid == pid)
			return t;
	return NULL;
}

int isol_check_request(const struct isol_enable *req)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(req->reserved); i++)
		if (req->reserved[i])
			return ISOL_REASON_BAD_ARGS;
	if (req->tid || req->pad)
		return ISOL_REASON_BAD_ARGS;
	if (req->flags & ~ISOL_F_ALL)
		return ISOL_REASON_BAD_ARGS;
	if (req->cpu || req->reason || req->busy || req->tick_dep ||
	    req->quiesce_ns || req->skipped || req->noise)
		return ISOL_REASON_BAD_ARGS;
	if (req->quiesce_timeout_ns > ISOL_QUIESCE_TIMEOUT_MAX_NS)
		return ISOL_REASON_BAD_ARGS;
	switch (req->mode) {
	case ISOL_MODE_STRICT:
		if (req->signal < 0 || req->signal > _NSIG)
			return ISOL_REASON_BAD_SIGNAL;
		if (req->strict_after_ns > ISOL_STRICT_AFTER_MAX_NS)
			return ISOL_REASON_BAD_ARGS;
		break;
	case ISOL_MODE_LOG_ONLY:
		if (req->signal)
			return ISOL_REASON_BAD_SIGNAL;
		if (req->strict_after_ns)
			return ISOL_REASON_BAD_ARGS;
		break;
	default:
		return ISOL_REASON_BAD_ARGS;
	}
	return ISOL_REASON_NONE;
}

static struct isol_task *isol_task_alloc(struct file *file,
					 struct isol_enable *req, int cpu)
{
	struct isol_task *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	atomic_inc(&isol_nr_records);
	kref_init(&t->ref);
	INIT_LIST_HEAD(&t->node);
	raw_spin_lock_init(&t->lock);
	/*
	 * Hard: on PREEMPT_RT a plain irq_work runs in a per-CPU kthread,
	 * and waking it on the isolated CPU would itself be a break.
	 * isol_defer_fn() only queues work, which is safe in hard IRQ.
	 */
	t->defer = IRQ_WORK_INIT_HARD(isol_defer_fn);
	INIT_WORK(&t->cleanup, isol_cleanup_work);
	init_completion(&t->cleanup_kick_done);
	INIT_WORK(&t->free_work, isol_free_work);
	atomic_set(&t->state, ISOL_STATE_OFF);
	t->ifile = file->private_data;
	isol_file_get(t->ifile);
	t->pid = get_task_pid(current, PIDTYPE_PID);
	t->tgid = get_task_pid(current, PIDTYPE_TGID);
	t->status_pid = task_pid_vnr(current);
	get_task_comm(t->comm, current);
	t->cpu = cpu;
	t->mode = req->mode;
	t->strict_after_ns = req->strict_after_ns;
	t->noise = req->noise;
	t->flags = req->flags;
	t->signal = req->signal ?: SIGKILL;
	/*
	 * Chosen here rather than when the kick is sent: with NUMA masks
	 * housekeeping_any_cpu() is a search, on the way to a handler.
	 */
	preempt_disable();
	t->cleanup_cpu = housekeeping_any_cpu(HK_TYPE_TICK);
	preempt_enable();
	return t;
}

/* Re-arming by the task that is already isolated here: new settings. */
static void isol_rearm(struct isol_task *t, struct isol_enable *req)
{
	raw_spin_lock_irq(&t->lock);
	WRITE_ONCE(t->strict_ns, isol_strict_from(req->mode, ktime_get_ns(),
						  req->strict_after_ns));
	WRITE_ONCE(t->mode, req->mode);
	t->flags = req->flags;
	t->signal = req->signal ?: SIGKILL;
	raw_spin_unlock_irq(&t->lock);
	WRITE_ONCE(t->noise, req->noise);
	isol_quiesce_again();
}

/*
 * Claim @cpu for @t and arm the hooks. Returns a reason, or NONE. When the
 * CPU is still claimed by an isolation that ended, @ended gets that record,
 * referenced, for the caller to wait for its cleanup.
 */
static int isol_claim(struct isol_task *t, struct isol_enable *req,
		      int *err, struct isol_task **ended)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);
	struct isol_task *owner;

	lockdep_assert_held(&isol_mutex);
	owner = rcu_dereference_protected(pc->owner,
					  lockdep_is_held(&isol_mutex));
	if (owner && owner->task == current) {
		if (owner->ifile != t->ifile) {
			*err = -EBUSY;
			return ISOL_REASON_OTHER_FILE;
		}
		isol_rearm(owner, req);
		*err = 0;
		return ISOL_REASON_NONE;
	}
	if (pc->claim) {
		if (atomic_read(&pc->claim->state) == ISOL_STATE_ENDED) {
			*ended = pc->claim;
			kref_get(&(*ended)->ref);
		}
		*err = -EBUSY;
		return ISOL_REASON_CPU_BUSY;
	}
	*err = isol_hooks_get();
	if (*err)
		return ISOL_REASON_HOOKS;
	pc->claim = t;
	get_task_struct(current);
	t->task = current;
	return ISOL_REASON_NONE;
}

/*
 * Publish @t as the owner of its CPU if the task is still bound to that
 * one CPU and the CPU is still quiet. Returns a reason, or NONE.
 */
static u32 isol_publish(struct isol_task *t, struct isol_enable *req)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);
	u32 reason = ISOL_REASON_NONE;

	local_irq_disable();
	/*
	 * Affinity changes hold pi_lock: one made before this point is seen
	 * here, one made after finds the owner in the affinity hook, which
	 * runs before the new mask is written.
	 */
	raw_spin_lock(&current->pi_lock);
	req->busy = isol_cpu_busy_now(t, &req->tick_dep);
	if (!cpumask_equal(current->cpus_ptr, cpumask_of(t->cpu)))
		reason = ISOL_REASON_AFFINITY;
	else if (req->busy)
		reason = ISOL_REASON_NOT_QUIET;
	if (reason == ISOL_REASON_NONE) {
		/*
		 * Until isol_cleanup(): the record, which the file may drop
		 * at close() while the task stays isolated, and the module,
		 * which the file pins only while it is open.
		 */
		kref_get(&t->ref);
		__module_get(THIS_MODULE);
		t->enabled_ns = ktime_get_ns();
		t->strict_ns = isol_strict_from(t->mode, t->enabled_ns,
						t->strict_after_ns);
		/* This very syscall is the entry in progress, and allowed. */
		pc->in_kernel = true;
		pc->classified = true;
		pc->ioctl_due = false;
		pc->own_ioctl = false;
		pc->entry_cause = ISOL_CAUSE_NONE;
		pc->entry_clock = local_clock();
		pc->return_clock = pc->entry_clock;
		atomic_set(&t->state, ISOL_STATE_ISOLATED);
		atomic_inc(&isol_nr_isolated);
		/* Orders t's fields before hooks can find t. */
		rcu_assign_pointer(pc->owner, t);
	}
	raw_spin_unlock(&current->pi_lock);
	local_irq_enable();
	return reason;
}

/*
 * Replace the thread's previous record in the file with @t, and make @t
 * the one the file's status page describes.
 */
static void isol_file_attach(struct isol_file *ifile, struct isol_task *t)
{
	struct isol_task *old;
	unsigned long flags;

	mutex_lock(&ifile->lock);
	old = isol_file_find(ifile, t->pid);
	if (old)
		list_del(&old->node);
	list_add(&t->node, &ifile->tasks);
	mutex_unlock(&ifile->lock);
	if (old)
		isol_task_put(old);

	raw_spin_lock_irqsave(&ifile->status_lock, flags);
	ifile->status_owner = t;
	raw_spin_unlock_irqrestore(&ifile->status_lock, flags);
	isol_status_update(t);
}

/* What the per-CPU statistics show of @t. */
static u64 isol_max_quiet(struct isol_task *t, u32 state);

void isol_task_stats(struct isol_task *t, struct isol_cpu_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid_nr(t->pid);
	s->state = atomic_read_acquire(&t->state);
	s->end_cause = READ_ONCE(t->end_cause);
	raw_spin_lock_irq(&t->lock);
	strscpy(s->comm, t->last.b.cause ? t->last.b.comm : t->comm,
		sizeof(s->comm));
	s->since_ns = t->enabled_ns;
	s->ended_ns = t->ended_ns;
	memcpy(s->nr_by_cause, t->nr_by_cause, sizeof(s->nr_by_cause));
	memcpy(s->ns_by_cause, t->ns_by_cause, sizeof(s->ns_by_cause));
	raw_spin_unlock_irq(&t->lock);
	s->max_quiet_ns = isol_max_quiet(t, s->state);
}

/*
 * The isolated task entered the kernel from user space: the stretch it
 * ran undisturbed ends here. On its CPU, interrupts disabled.
 */
void isol_account_entry(struct isol_task *t, struct isol_cpu *pc)
{
	u64 now = local_clock();

	pc->entry_clock = now;
	pc->entry_cause = ISOL_CAUSE_NONE;
	if (now - pc->return_clock > READ_ONCE(t->max_quiet_ns))
		WRITE_ONCE(t->max_quiet_ns, now - pc->return_clock);
}

/*
 * The isolated task returns to user space: charge the time since it
 * entered to the entry's cause. On its CPU, interrupts disabled.
 */
void isol_account_return(struct isol_task *t, struct isol_cpu *pc)
{
	u64 now = local_clock();

	raw_spin_lock(&t->lock);
	t->ns_by_cause[pc->entry_cause] += now - pc->entry_clock;
	raw_spin_unlock(&t->lock);
	pc->return_clock = now;
}

/*
 * The calling task's record, referenced, if it is isolated. Safe: the
 * reference isolation holds is dropped only after a grace period that
 * waits for this preemption-disabled section.
 */
static struct isol_task *isol_get_current_owner(void)
{
	struct isol_task *t;

	preempt_disable();
	t = isol_current_owner();
	if (t)
		kref_get(&t->ref);
	preempt_enable();
	return t;
}

/*
 * A thread its supervisor isolated (ISOL_IOC_ENABLE_THREAD) that now arms
 * isolation itself, through its own file, takes it over: the program's own
 * record, status page and settings win.
 */
static void isol_take_over(struct file *file)
{
	struct isol_task *old = isol_get_current_owner();

	if (!old)
		return;
	if (old->on_behalf && old->ifile != file->private_data &&
	    isol_task_end(old, ISOL_END_DISABLED))
		isol_cleanup(old);
	isol_task_put(old);
}

long isol_enable(struct file *file, struct isol_enable *req, bool on_behalf)
{
	struct isol_task *t, *ended;
	int cpu, err, tries;

	req->reason = isol_check_request(req);
	if (req->reason)
		return -EINVAL;
	if (!req->quiesce_timeout_ns)
		req->quiesce_timeout_ns = ISOL_QUIESCE_TIMEOUT_DEFAULT_NS;
	if (!capable(CAP_SYS_NICE)) {
		req->reason = ISOL_REASON_PERMISSION;
		return -EPERM;
	}
	cpu = cpumask_first(current->cpus_ptr);
	req->cpu = cpu;
	if (current->nr_cpus_allowed != 1) {
		req->cpu = -1;
		req->reason = ISOL_REASON_AFFINITY;
		return -EINVAL;
	}
	if (!tick_nohz_full_cpu(cpu)) {
		req->reason = ISOL_REASON_NOT_NOHZ_FULL;
		return -EINVAL;
	}

	req->noise = isol_predict_noise(true);
	t = isol_task_alloc(file, req, cpu);
	if (!t) {
		req->reason = ISOL_REASON_NO_MEMORY;
		return -ENOMEM;
	}
	t->on_behalf = on_behalf;
	if (!on_behalf)
		isol_take_over(file);
	for (tries = 0; ; tries++) {
		ended = NULL;
		/* A cleanup can hold the mutex for a grace period or more. */
		if (mutex_lock_killable(&isol_mutex)) {
			isol_task_put(t);
			req->reason = ISOL_REASON_INTERRUPTED;
			return -EINTR;
		}
		req->reason = isol_claim(t, req, &err, &ended);
		mutex_unlock(&isol_mutex);
		if (!ended)
			break;
		/*
		 * The CPU's last isolation ended and its cleanup is queued or
		 * about to be (the task's return): wait for it, once.
		 */
		isol_flush_cleanup(ended);
		isol_task_put(ended);
		if (tries)
			break;
	}
	if (err || !t->task) {
		/* Failed, or re-armed the existing isolation. */
		isol_task_put(t);
		return err;
	}

	req->skipped = isol_quiesce_skipped();
	err = isol_quiesce(t, req);
	if (!err) {
		req->reason = isol_publish(t, req);
		if (req->reason == ISOL_REASON_AFFINITY)
			err = -EINVAL;
		else if (req->reason != ISOL_REASON_NONE)
			err = -EAGAIN;
	}
	if (err) {
		isol_unclaim(t);
		isol_task_put(t);
		return err;
	}
	isol_file_attach(file->private_data, t);
	trace_isol_enter(t->cpu, pid_nr(t->pid), t->mode, req->quiesce_ns);
	return 0;
}

long isol_disable(struct file *file)
{
	struct isol_task *t;

	t = isol_get_current_owner();
	if (!t)
		return 0;
	if (isol_task_end(t, ISOL_END_DISABLED))
		isol_cleanup(t);
	isol_task_put(t);
	return 0;
}

/*
 * The record of thread @nr (0: the caller) in @ifile, referenced. Matched
 * by number, as the caller's namespace sees it: the thread may be gone.
 */
static struct isol_task *isol_file_record(struct isol_file *ifile, pid_t nr)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct isol_task *t;

	if (!nr)
		nr = task_pid_vnr(current);
	mutex_lock(&ifile->lock);
	list_for_each_entry(t, &ifile->tasks, node) {
		if (pid_nr_ns(t->pid, ns) == nr) {
			kref_get(&t->ref);
			mutex_unlock(&ifile->lock);
			return t;
		}
	}
	mutex_unlock(&ifile->lock);
	return NULL;
}

/*
 * The longest undisturbed stretch, counting the one in progress when the
 * task is isolated and in user space right now.
 */
static u64 isol_max_quiet(struct isol_task *t, u32 state)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);
	u64 max = READ_ONCE(t->max_quiet_ns), now, ret;

	if (state != ISOL_STATE_ISOLATED || READ_ONCE(pc->in_kernel))
		return max;
	/* local_clock() of another CPU: comparable, not exact. */
	now = local_clock();
	ret = READ_ONCE(pc->return_clock);
	return now > ret && now - ret > max ? now - ret : max;
}

long isol_get_state(struct file *file, pid_t pid, struct isol_state *st)
{
	struct isol_file *ifile = file->private_data;
	struct isol_task *t = NULL;
	struct isol_desc desc;
	unsigned long func;

	if (pid == task_pid_vnr(current))
		pid = 0;
	if (!pid)
		t = isol_get_current_owner();
	if (!t)
		t = isol_file_record(ifile, pid);

	memset(st, 0, sizeof(*st));
	st->cpu = -1;
	if (!t)
		return pid ? -ESRCH : 0;
	st->state = atomic_read_acquire(&t->state);
	st->mode = t->mode;
	st->flags = t->flags;
	st->signal = t->signal;
	st->cpu = t->cpu;
	st->noise = READ_ONCE(t->noise);
	if (st->state == ISOL_STATE_ENDED)
		st->end_cause = t->end_cause;
	raw_spin_lock_irq(&t->lock);
	st->nr_breaks = t->nr_breaks;
	memcpy(st->nr_by_cause, t->nr_by_cause, sizeof(st->nr_by_cause));
	memcpy(st->ns_by_cause, t->ns_by_cause, sizeof(st->ns_by_cause));
	st->last_break = t->last.b;
	desc = t->last.desc;
	func = t->last.func;
	st->enabled_ns = t->enabled_ns;
	st->ended_ns = t->ended_ns;
	st->strict_ns = t->strict_ns == U64_MAX ? 0 : t->strict_ns;
	raw_spin_unlock_irq(&t->lock);
	st->max_quiet_ns = isol_max_quiet(t, st->state);
	isol_desc_render(&st->last_break, &desc);
	if (func)
		isol_symbol(st->last_func, func, false);

	/* Pids as the reader's namespace sees them; 0 if it cannot. */
	if (st->last_break.cause) {
		st->last_break.pid = pid_vnr(t->pid);
		st->last_break.sender_pid =
			isol_pid_for_reader(st->last_break.sender_pid);
	}
	isol_task_put(t);
	return 0;
}

/*
 * The last close of the file. An isolation still in progress goes on (its
 * record holds its own references); a cleanup already queued is waited
 * for, so that once the program has closed its file after a break, the
 * module is free to unload.
 */
void isol_file_release(struct isol_file *ifile)
{
	struct isol_task *t, *tmp;

	list_for_each_entry_safe(t, tmp, &ifile->tasks, node) {
		list_del(&t->node);
		isol_flush_cleanup(t);
		isol_task_put(t);
	}
}

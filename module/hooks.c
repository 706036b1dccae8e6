// SPDX-License-Identifier: GPL-2.0
/*
 * The events the module must see, and the hook chosen for each at load
 * time. Hooks are registered when the first task arms isolation and stay
 * registered while any task is isolated or arming, so arming or disarming
 * one task never patches kernel text under another isolated CPU. After the
 * last task leaves they stay for hooks_linger_ms (by default until the
 * module is unloaded), so that a program that leaves and enters again, or
 * a strict-mode task whose signal handler is starting, does not wait for
 * (or get interrupted by) text patching.
 * Every probe starts with one per-CPU test and returns at once for CPUs
 * with no isolated task.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/ftrace.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <linux/tick.h>
#include <linux/tracepoint.h>
#include <linux/unistd.h>
#include <asm/apicdef.h>
#include <asm/irq_vectors.h>
#include <asm/special_insns.h>
#include <asm/syscall.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>
#include <asm/unistd.h>
#include "isol.h"
#include "isol_compat.h"

/*
 * The kernel entry in progress on this CPU if it came from the isolated
 * task's user space and its cause is not known yet; marks it known.
 * Called on the isolated CPU with preemption disabled.
 */
static struct isol_task *isol_entry_owner(void)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);

	if (!t || t->task != current || !pc->in_kernel || pc->classified)
		return NULL;
	pc->classified = true;
	return t;
}

/* Whether isolation allows a syscall, and when that is known. */
enum isol_syscall_kind {
	ISOL_SYSCALL_BREAK,
	ISOL_SYSCALL_ALLOWED,
	/*
	 * GET_STATE, ENABLE (re-arm) or DISABLE: allowed on the task's own
	 * file, which only the module's ioctl handler can tell.
	 */
	ISOL_SYSCALL_OWN_IOCTL,
};

/* @cmd as isol_ioctl() matches it. */
static enum isol_syscall_kind isol_ioctl_kind(unsigned int cmd)
{
	if (cmd == ISOL_IOC_DISABLE)
		return ISOL_SYSCALL_OWN_IOCTL;
	switch (ISOL_IOC_MATCH(cmd)) {
	case ISOL_IOC_MATCH(ISOL_IOC_ENABLE):
	case ISOL_IOC_MATCH(ISOL_IOC_GET_STATE):
		return ISOL_SYSCALL_OWN_IOCTL;
	default:
		return ISOL_SYSCALL_BREAK;
	}
}

/*
 * What isolation makes of syscall @nr, entered with @regs: exit and exec
 * are allowed, and the module's own ioctls on the task's own file.
 * @compat: a 32-bit syscall.
 */
static enum isol_syscall_kind
isol_syscall_kind(unsigned long nr, const struct pt_regs *regs, bool compat)
{
#ifdef CONFIG_IA32_EMULATION
	if (compat) {
		switch (nr) {
		case __NR_ia32_exit:
		case __NR_ia32_exit_group:
		case __NR_ia32_execve:
		case __NR_ia32_execveat:
			return ISOL_SYSCALL_ALLOWED;
		case __NR_ia32_ioctl:
			return isol_ioctl_kind(regs->cx);
		default:
			return ISOL_SYSCALL_BREAK;
		}
	}
#endif
	switch (nr) {
	case __NR_exit:
	case __NR_exit_group:
	case __NR_execve:
	case __NR_execveat:
		return ISOL_SYSCALL_ALLOWED;
	case __NR_ioctl:
		return isol_ioctl_kind(regs->si);
	default:
		break;
	}
#ifdef CONFIG_X86_X32_ABI
	switch (nr) {
	case __X32_SYSCALL_BIT | __NR_exit:
	case __X32_SYSCALL_BIT | __NR_exit_group:
	case __X32_SYSCALL_BIT | __NR_x32_execve:
	case __X32_SYSCALL_BIT | __NR_x32_execveat:
		return ISOL_SYSCALL_ALLOWED;
	case __X32_SYSCALL_BIT | __NR_x32_ioctl:
		return isol_ioctl_kind(regs->si);
	}
#endif
	return ISOL_SYSCALL_BREAK;
}

/* The function implementing syscall @nr, 0 when not known. */
static unsigned long isol_syscall_func(unsigned long nr, bool compat)
{
	const unsigned long *table = isol_sym.sys_call_table;
	unsigned long max = NR_syscalls;

#ifdef CONFIG_IA32_EMULATION
	if (compat) {
		table = isol_sym.ia32_sys_call_table;
		max = IA32_NR_syscalls;
	}
#endif
	if (!table || nr >= max)
		return 0;
	return table[nr];
}

static void isol_syscall_break(struct isol_task *t, const struct pt_regs *regs,
			       bool compat)
{
	unsigned long nr = regs->orig_ax;

	isol_break_local(t, ISOL_CAUSE_SYSCALL, nr, isol_syscall_func(nr, compat),
			 NULL, "%ssyscall %lu", compat ? "32-bit " : "", nr);
}

/*
 * The entry in progress is a syscall: record it unless it is allowed. An
 * ioctl that may be the module's own is decided on the way out, once its
 * handler has said whether it ran (isol_note_own_ioctl()). Classifying
 * here, on the isolated CPU's own entry, needs no hook on the syscall
 * path, which every task on every CPU would pay for.
 */
static void isol_classify_syscall(struct isol_task *t, struct isol_cpu *pc,
				  const struct pt_regs *regs, bool compat)
{
	pc->classified = true;
	switch (isol_syscall_kind(regs->orig_ax, regs, compat)) {
	case ISOL_SYSCALL_BREAK:
		isol_syscall_break(t, regs, compat);
		break;
	case ISOL_SYSCALL_OWN_IOCTL:
		pc->ioctl_due = true;
		pc->ioctl_compat = compat;
		break;
	case ISOL_SYSCALL_ALLOWED:
		break;
	}
}

/*
 * Called by the module's ioctl handler: the isolated task's ioctl in
 * progress is on the file it armed isolation through, so it is allowed.
 */
void isol_note_own_ioctl(struct isol_file *ifile)
{
	struct isol_cpu *pc;
	struct isol_task *t;

	/* Preemption off: pc stays this CPU's; owner is RCU-sched protected. */
	preempt_disable();
	pc = this_cpu_ptr(&isol_cpus);
	t = rcu_dereference_sched(pc->owner);
	if (t && t->task == current && t->ifile == ifile && pc->in_kernel)
		pc->own_ioctl = true;
	preempt_enable();
}

/*
 * The callback of the hrtimer this timer interrupt is about to run: the
 * first one to expire on this CPU. The interrupt came from user space, so
 * this CPU holds no hrtimer lock; other CPUs may, briefly.
 */
static unsigned long isol_next_hrtimer_func(void)
{
	struct hrtimer_cpu_base *base;
	unsigned long func = 0, flags;
	struct hrtimer *timer;

	if (!isol_sym.hrtimer_bases)
		return 0;
	base = this_cpu_ptr(isol_sym.hrtimer_bases);
	raw_spin_lock_irqsave(&base->lock, flags);
	timer = base->next_timer;
	if (base->softirq_next_timer &&
	    (!timer || base->softirq_expires_next < base->expires_next))
		timer = base->softirq_next_timer;
	if (timer)
		func = (unsigned long)ACCESS_PRIVATE(timer, function);
	raw_spin_unlock_irqrestore(&base->lock, flags);
	return func;
}

/*
 * Who sent the IPI now arriving, as the sender hooks noted it; false when
 * no sender hook saw it (or it is not armed on this kernel).
 */
static bool isol_take_sender(struct isol_remote *r)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	bool set;

	raw_spin_lock(&pc->sender_lock);
	set = pc->sender_set;
	if (set)
		memcpy(r, &pc->sender, isol_size_to_frames(&pc->sender));
	pc->sender_set = false;
	raw_spin_unlock(&pc->sender_lock);
	return set;
}

/*
 * Note @p, another task, moved (@moved) or woken onto isolated @cpu by the
 * current task: the IPI that makes room for it names it. Any CPU, under
 * the runqueue or pi lock of @p.
 */
static void isol_note_intruder(int cpu, struct task_struct *p, bool moved)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, cpu);
	struct isol_task *t = rcu_dereference_sched(pc->owner);
	unsigned long flags;

	if (!t || t->task == p || is_idle_task(p))
		return;
	raw_spin_lock_irqsave(&pc->sender_lock, flags);
	pc->intruder_set = true;
	pc->intruder.moved = moved;
	pc->intruder.sibling = same_thread_group(p, t->task);
	pc->intruder.pid = task_pid_nr(p);
	strscpy(pc->intruder.comm, p->comm, sizeof(pc->intruder.comm));
	raw_spin_unlock_irqrestore(&pc->sender_lock, flags);
}

/*
 * The task the IPI now arriving makes room for, as the intruder hooks
 * noted it; taken once. False when there is none.
 */
static bool isol_take_intruder(struct isol_cpu *pc, struct isol_intruder *in)
{
	bool set;

	raw_spin_lock(&pc->sender_lock);
	set = pc->intruder_set;
	if (set)
		*in = pc->intruder;
	pc->intruder_set = false;
	raw_spin_unlock(&pc->sender_lock);
	return set;
}

static void isol_break_ipi(struct isol_task *t, u32 cause, int vector,
			   const char *what)
{
	struct isol_intruder in;
	struct isol_remote r;
	bool sender = isol_take_sender(&r);

	/* With a task to name, the sender is in the record's own fields. */
	if (isol_take_intruder(this_cpu_ptr(&isol_cpus), &in))
		isol_break_local(t, cause, vector, 0, sender ? &r : NULL,
				 "%s: %s[%d] %s here%s", what, in.comm, in.pid,
				 in.moved ? "moved" : "woken",
				 in.sibling ? ", of this program" : "");
	else if (sender)
		isol_break_local(t, cause, vector, 0, &r, "%s from CPU %d (%s[%d])",
				 what, r.sender_cpu, r.sender_comm, r.sender_pid);
	else
		isol_break_local(t, cause, vector, 0, NULL, "%s", what);
}

/* Long enough for the names drivers give, cut beyond. */
#define ISOL_IRQ_NAME_LEN	32

/*
 * The device interrupt @vector is about to be handled: name it. Its
 * action is read under the descriptor's lock, which free_irq() takes to
 * unlink it, and the name copied out before the lock is dropped.
 */
static void isol_break_device_irq(struct isol_task *t, unsigned int vector)
{
	struct irq_desc *desc = NULL;
	char name[ISOL_IRQ_NAME_LEN] = "?";
	unsigned long handler = 0;
	unsigned int irq = 0;

	if (isol_sym.vector_irq)
		desc = this_cpu_ptr(isol_sym.vector_irq)[0][vector];
	if (IS_ERR_OR_NULL(desc)) {
		isol_break_local(t, ISOL_CAUSE_IRQ, vector, 0, NULL,
				 "device interrupt, vector 0x%x", vector);
		return;
	}
	raw_spin_lock(&desc->lock);
	irq = desc->irq_data.irq;
	if (desc->action) {
		handler = (unsigned long)desc->action->handler;
		if (desc->action->name)
			strscpy(name, desc->action->name, sizeof(name));
	}
	raw_spin_unlock(&desc->lock);
	isol_break_local(t, ISOL_CAUSE_IRQ, irq, handler, NULL, "irq %d (%s)",
			 (int)irq, name);
}

/* The vector the local APIC has in service, 0 when none (an exception). */
static unsigned int isol_vector_in_service(void)
{
	unsigned int i, bits;

	/* Booted without a local APIC (nolapic): its page is not mapped. */
	if (!boot_cpu_has(X86_FEATURE_APIC))
		return 0;
	/* System vectors, the usual case, are in the last register. */
	for (i = APIC_ISR_NR; i-- > 0;) {
		bits = isol_apic_read(APIC_ISR + i * 0x10);
		if (bits)
			return i * 32 + __fls(bits);
	}
	return 0;
}

/*
 * The isolated task entered the kernel by an interrupt or an exception,
 * and no handler has run yet: an interrupt's vector is in service in the
 * local APIC, so its cause is known here, on this CPU, with no hook on any
 * interrupt path. An exception has none: a page fault shows in the task's
 * fault count once handled (isol_classify_fault(), from the task work
 * queued here), one that raises a signal in the signal probe.
 */
static void isol_classify_interrupt(struct isol_task *t, struct isol_cpu *pc)
{
	unsigned int vector = isol_vector_in_service();

	pc->entry_irq = vector != 0;
	pc->entry_exception = vector == 0;
	if (!vector) {
		pc->entry_faults = current->min_flt + current->maj_flt;
		pc->entry_cr2 = read_cr2();
		isol_queue_exit_work(t);
		return;
	}
	pc->classified = true;
	switch (vector) {
	case LOCAL_TIMER_VECTOR:
		isol_break_local(t, ISOL_CAUSE_TIMER, vector,
				 isol_next_hrtimer_func(), NULL,
				 "timer interrupt");
		break;
	case CALL_FUNCTION_VECTOR:
	case CALL_FUNCTION_SINGLE_VECTOR:
		isol_break_ipi(t, ISOL_CAUSE_IPI_CALL, vector,
			       "function call IPI");
		break;
	case RESCHEDULE_VECTOR:
		isol_break_ipi(t, ISOL_CAUSE_IPI_RESCHED, vector,
			       "reschedule IPI");
		break;
	case IRQ_WORK_VECTOR:
		isol_break_local(t, ISOL_CAUSE_IPI_IRQ_WORK, vector, 0, NULL,
				 "irq_work IPI");
		break;
	default:
		if (vector >= FIRST_SYSTEM_VECTOR)
			isol_break_local(t, ISOL_CAUSE_VECTOR, vector, 0, NULL,
					 "interrupt vector 0x%x", vector);
		else
			isol_break_device_irq(t, vector);
		break;
	}
}

/*
 * The task work queued at an exception entry runs on the way out, after
 * the handler and before the return to user space; the fault handler has
 * counted a page fault by then. Recorded here, the fault is quiesced
 * again by that same work (its page in the LRU batch, its vmstat deltas:
 * 6.1's vmstat shepherd otherwise wakes a worker on the CPU within a
 * second), and its strict-mode signal is sent without a second entry.
 * Process context; the task is current.
 */
void isol_classify_fault(struct isol_task *t)
{
	struct isol_cpu *pc;

	/* The entry's per-CPU fields are the CPU's while the task owns it. */
	preempt_disable();
	pc = this_cpu_ptr(&isol_cpus);
	if (rcu_dereference_sched(pc->owner) == t && pc->in_kernel &&
	    !pc->classified && pc->entry_exception &&
	    current->min_flt + current->maj_flt != pc->entry_faults) {
		pc->classified = true;
		/* Its error code is gone: the entry took it out of orig_ax. */
		isol_break_local(t, ISOL_CAUSE_PAGE_FAULT, pc->entry_cr2, 0,
				 NULL, "page fault at 0x%lx", pc->entry_cr2);
	}
	preempt_enable();
}

/*
 * The entry code stores the syscall number in orig_ax before context
 * tracking runs, and -1 for interrupts and exceptions (entry_64.S, the
 * compat entries, FRED); TS_COMPAT is already set for compat syscalls.
 * int $0x80 emulation stores the number only after this point, so
 * isol_probe_user_enter() classifies that entry.
 */
static void isol_probe_user_exit(void *data, int dummy)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);
	const struct pt_regs *regs;

	if (!t || t->task != current)
		return;
	pc->in_kernel = true;
	pc->classified = false;
	pc->ioctl_due = false;
	pc->own_ioctl = false;
	isol_account_entry(t, pc);
	regs = task_pt_regs(current);
	if (regs->orig_ax != -1UL) {
		pc->entry_irq = false;
		pc->entry_exception = false;
		isol_classify_syscall(t, pc, regs, in_ia32_syscall());
	} else {
		isol_classify_interrupt(t, pc);
	}
}

static void isol_probe_user_enter(void *data, int dummy)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);
	const struct pt_regs *regs;

	if (!t || t->task != current || !pc->in_kernel)
		return;
	pc->in_kernel = false;
	/* A sender or intruder noted while it was in the kernel is not news. */
	WRITE_ONCE(pc->sender_set, false);
	WRITE_ONCE(pc->intruder_set, false);
	regs = task_pt_regs(current);
	if (!pc->classified && regs->orig_ax != -1UL) {
		/*
		 * Entered as an exception, leaving as a syscall: int $0x80.
		 * TS_COMPAT is already cleared on the way out.
		 */
		isol_classify_syscall(t, pc, regs, true);
	} else if (!pc->classified) {
		/* Nothing told why the kernel was entered. */
		pc->classified = true;
		isol_break_local(t, ISOL_CAUSE_UNKNOWN, 0, 0, NULL,
				 "kernel entry of unknown cause");
	} else {
		isol_flush_remote(t);
	}
	/* One of the module's ioctl numbers, not on the task's own file. */
	if (pc->ioctl_due && !pc->own_ioctl) {
		pc->ioctl_due = false;
		isol_syscall_break(t, regs, pc->ioctl_compat);
	}
	isol_account_return(t, pc);
	/*
	 * The exit work loop has already run: if isolation just ended, a
	 * self-interrupt makes the task enter again at once, so that the
	 * queued work delivers the signal now rather than at some later entry.
	 */
	if (atomic_read(&t->state) != ISOL_STATE_ISOLATED)
		irq_work_queue(&t->defer);
}

/*
 * Exceptions have no tracepoint of their own, but those that reach user
 * space raise a signal on the faulting task during the same entry.
 */
static void isol_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			      struct task_struct *task, int group, int result)
{
	const struct thread_struct *th = &current->thread;
	struct isol_task *t = isol_entry_owner();

	if (!t)
		return;
	/* A page fault that raises a signal leaves its trap, address and code. */
	if ((sig == SIGSEGV || sig == SIGBUS) && th->trap_nr == X86_TRAP_PF)
		isol_break_local(t, ISOL_CAUSE_PAGE_FAULT, th->cr2, 0, NULL,
				 "page fault at 0x%lx (%s%s)", th->cr2,
				 th->error_code & X86_PF_INSTR ? "exec" :
				 th->error_code & X86_PF_WRITE ? "write" : "read",
				 th->error_code & X86_PF_PROT ? ", protection" : "");
	else
		isol_break_local(t, ISOL_CAUSE_EXCEPTION, sig, 0, NULL,
				 "exception (signal %d)", sig);
}

/*
 * A signal with a handler delivered to a strict-mode task ends isolation,
 * as in the series: the handler runs un-isolated, and no strict-mode
 * signal follows (isol_signal_coming()). Runs in get_signal(), in the
 * task's own context. A break that ended isolation already cleared owner.
 */
static void isol_probe_signal_deliver(void *data, int sig,
				      struct kernel_siginfo *info,
				      struct k_sigaction *ka)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);

	if (!t || t->task != current || !isol_strict_now(t) ||
	    ka->sa.sa_handler == SIG_DFL || ka->sa.sa_handler == SIG_IGN)
		return;
	isol_end_deferred(t, ISOL_END_SIGNAL);
}

static void isol_remote_from_current(struct isol_remote *r)
{
	memset(r, 0, sizeof(*r));
	r->sender_cpu = smp_processor_id();
	r->sender_pid = task_pid_nr(current);
	strscpy(r->sender_comm, current->comm, sizeof(r->sender_comm));
}

/*
 * The kernel stack of the current task, without the module's own frames.
 * Runs only when the target is isolated, where the break costs more.
 */
static void isol_save_stack(struct isol_remote *r)
{
	unsigned long entries[ISOL_STACK_DEPTH + 4];
	unsigned int nr, skip = 0;

	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	while (skip < nr && within_module(entries[skip], THIS_MODULE))
		skip++;
	r->nr_stack = min_t(unsigned int, nr - skip, ISOL_STACK_DEPTH);
	memcpy(r->stack, entries + skip, r->nr_stack * sizeof(r->stack[0]));
}

/* Runs under the runqueue lock: record, and defer everything else. */
static void isol_probe_sched_switch(void *data, bool preempt,
				    struct task_struct *prev,
				    struct task_struct *next,
				    unsigned int prev_state)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	struct isol_task *t = rcu_dereference_sched(pc->owner);
	struct isol_remote r;

	/* An exception that sleeps is most likely a page fault: see the return. */
	if (!t || t->task != prev || !pc->in_kernel || pc->classified ||
	    pc->entry_exception)
		return;
	pc->classified = true;
	pc->entry_cause = ISOL_CAUSE_PREEMPTED;
	isol_remote_from_current(&r);
	r.sender_pid = task_pid_nr(next);
	strscpy(r.sender_comm, next->comm, sizeof(r.sender_comm));
	isol_record_break(t, ISOL_CAUSE_PREEMPTED, 0, &r, "preempted by %s[%d]%s",
			  r.sender_comm, r.sender_pid,
			  same_thread_group(next, prev) ? " of this program" : "");
	irq_work_queue(&t->defer);
}

/* Runs under runqueue locks, on any CPU. */
static void isol_probe_migrate(void *data, struct task_struct *p, int dest_cpu)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, task_cpu(p));
	struct isol_task *t = rcu_dereference_sched(pc->owner);
	struct isol_remote r;

	isol_note_intruder(dest_cpu, p, true);
	if (!t || t->task != p || dest_cpu == t->cpu)
		return;
	isol_remote_from_current(&r);
	/* A CPU going down is deactivated before its tasks are pushed off. */
	isol_save_stack(&r);
	if (!cpu_active(t->cpu))
		isol_record_break(t, ISOL_CAUSE_CPU_OFFLINE, dest_cpu, &r,
				  "CPU %d going offline", t->cpu);
	else
		isol_record_break(t, ISOL_CAUSE_MIGRATED, dest_cpu, &r,
				  "moved to CPU %d by %s[%d]", dest_cpu,
				  r.sender_comm, r.sender_pid);
	/*
	 * In strict mode the break above has ended isolation already: queue
	 * the work (signal, cleanup) whoever ended it.
	 */
	isol_task_end(t, ISOL_END_MIGRATED);
	irq_work_queue(&t->defer);
}

/*
 * A task is being woken, on the waker's CPU, before it is queued: one
 * that can only run on an isolated CPU is woken there.
 */
static void isol_probe_waking(void *data, struct task_struct *p)
{
	if (p->nr_cpus_allowed == 1)
		isol_note_intruder(cpumask_first(p->cpus_ptr), p, false);
}

static void isol_probe_exit(void *data, struct task_struct *p)
{
	struct isol_task *t = isol_current_owner();

	/* The queued work runs from exit_task_work(), later in do_exit(). */
	if (t && isol_task_end(t, ISOL_END_EXIT))
		irq_work_queue(&t->defer);
}

static void isol_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			    struct linux_binprm *bprm)
{
	struct isol_task *t = isol_current_owner();

	if (!t)
		return;
	if (!(t->flags & ISOL_F_KEEP_ON_EXEC)) {
		if (isol_task_end(t, ISOL_END_EXEC))
			irq_work_queue(&t->defer);
		return;
	}
	/* The new program: what it starts with is what it will cause. */
	WRITE_ONCE(t->noise, isol_predict_noise(false));
}

/* Affinity of @p being set, under its runqueue lock, on any CPU. */
static void notrace isol_ftrace_affinity(unsigned long ip, unsigned long parent_ip,
					 struct ftrace_ops *op,
					 struct ftrace_regs *fregs)
{
	struct task_struct *p;
	struct isol_cpu *pc;
	struct isol_task *t;
	struct isol_remote r;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	p = (struct task_struct *)isol_ftrace_arg(fregs, 0);
	pc = per_cpu_ptr(&isol_cpus, task_cpu(p));
	t = rcu_dereference_sched(pc->owner);
	if (t && t->task == p && p != current) {
		isol_remote_from_current(&r);
		isol_save_stack(&r);
		isol_break_deferred(t, ISOL_CAUSE_AFFINITY, 0, &r);
	}
	ftrace_test_recursion_unlock(bit);
}

/* Note the calling CPU and task, what it sends and its stack, for @cpu. */
static void isol_note_sender(int cpu, unsigned long func)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, cpu);
	unsigned long flags;

	if (!rcu_dereference_sched(pc->owner) || cpu == smp_processor_id())
		return;
	raw_spin_lock_irqsave(&pc->sender_lock, flags);
	isol_remote_from_current(&pc->sender);
	pc->sender.func = func;
	isol_save_stack(&pc->sender);
	pc->sender_set = true;
	raw_spin_unlock_irqrestore(&pc->sender_lock, flags);
}

/* What a queued call-single entry will run on the target CPU. */
static unsigned long isol_csd_func(struct llist_node *node)
{
	call_single_data_t *csd = container_of(node, call_single_data_t,
					       node.llist);

	switch (csd->node.u_flags & CSD_FLAG_TYPE_MASK) {
	case CSD_TYPE_TTWU:
		return isol_sym.sched_ttwu_pending;
	case CSD_TYPE_IRQ_WORK:
		return (unsigned long)container_of(node, struct irq_work,
						   node.llist)->func;
	default:
		return (unsigned long)csd->func;
	}
}

/* __smp_call_single_queue(cpu, node): call-single work queued for a CPU. */
static void notrace isol_ftrace_csd_queue(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *op,
					  struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	isol_note_sender((int)isol_ftrace_arg(fregs, 0),
			 isol_csd_func((struct llist_node *)
				       isol_ftrace_arg(fregs, 1)));
	ftrace_test_recursion_unlock(bit);
}

/* smp_call_function_many_cond(mask, func, ...): only nohz_full CPUs matter. */
static void notrace isol_ftrace_call_many(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *op,
					  struct ftrace_regs *fregs)
{
	const struct cpumask *mask;
	unsigned long func;
	int bit, cpu;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	mask = (const struct cpumask *)isol_ftrace_arg(fregs, 0);
	func = isol_ftrace_arg(fregs, 1);
	for_each_cpu_and(cpu, mask, tick_nohz_full_mask)
		isol_note_sender(cpu, func);
	ftrace_test_recursion_unlock(bit);
}

/* native_smp_send_reschedule(cpu) */
static void notrace isol_ftrace_resched(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *op,
					struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	isol_note_sender((int)isol_ftrace_arg(fregs, 0), 0);
	ftrace_test_recursion_unlock(bit);
}

/* csd:csd_queue_cpu, where the kernel has it: every call-single queueing. */
static void isol_probe_csd_queue(void *data, const unsigned int cpu,
				 unsigned long callsite, smp_call_func_t func,
				 call_single_data_t *csd)
{
	isol_note_sender(cpu, (unsigned long)func);
}

/*
 * ipi:ipi_send_cpu, where the kernel has it. A reschedule IPI has no
 * callback; the others were noted, with their function, when queued.
 */
static void isol_probe_ipi_send_cpu(void *data, const unsigned int cpu,
				    unsigned long callsite, void *callback)
{
	if (!callback)
		isol_note_sender(cpu, 0);
}

static void isol_probe_tick_stop(void *data, int success, int dependency)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);

	if (!success && pc->claim)
		WRITE_ONCE(pc->tick_dep, READ_ONCE(pc->tick_dep) | dependency);
}

enum isol_hook_kind { ISOL_TRACEPOINT, ISOL_FTRACE };

struct isol_hook {
	const char *event;		/* what the hook lets us see */
	const char *target;		/* tracepoint or function name */
	enum isol_hook_kind kind;
	bool essential;
	const char *unless;		/* not needed when this hook exists */
	void *probe;
	struct tracepoint *tp;		/* resolved at load */
	struct ftrace_ops ops;
	bool available;
	bool unused;			/* available, but @unless is too */
	bool registered;
};

#define ISOL_TP(ev, name, fn, ess) \
	{ .event = ev, .target = name, .kind = ISOL_TRACEPOINT, \
	  .essential = ess, .probe = fn }
#define ISOL_FT(ev, name, fn, ess) \
	{ .event = ev, .target = name, .kind = ISOL_FTRACE, .essential = ess, \
	  .ops = { .func = fn } }
#define ISOL_FT_UNLESS(ev, name, fn, other) \
	{ .event = ev, .target = name, .kind = ISOL_FTRACE, .unless = other, \
	  .ops = { .func = fn } }

static struct isol_hook isol_hooks[] = {
	ISOL_TP("kernel entry", "user_exit", isol_probe_user_exit, true),
	ISOL_TP("return to user", "user_enter", isol_probe_user_enter, true),
	ISOL_TP("exception", "signal_generate", isol_probe_signal, false),
	ISOL_TP("signal delivery", "signal_deliver", isol_probe_signal_deliver,
		true),
	ISOL_TP("preemption", "sched_switch", isol_probe_sched_switch, true),
	ISOL_TP("migration", "sched_migrate_task", isol_probe_migrate, true),
	ISOL_TP("intruder", "sched_waking", isol_probe_waking, false),
	ISOL_TP("exit", "sched_process_exit", isol_probe_exit, true),
	ISOL_TP("exec", "sched_process_exec", isol_probe_exec, true),
	ISOL_FT("affinity change", "set_cpus_allowed_common", isol_ftrace_affinity,
		true),
	ISOL_TP("IPI sender", "csd_queue_cpu", isol_probe_csd_queue, false),
	ISOL_FT_UNLESS("IPI sender", "__smp_call_single_queue",
		       isol_ftrace_csd_queue, "csd_queue_cpu"),
	ISOL_FT_UNLESS("IPI sender", "smp_call_function_many_cond",
		       isol_ftrace_call_many, "csd_queue_cpu"),
	ISOL_TP("IPI sender", "ipi_send_cpu", isol_probe_ipi_send_cpu, false),
	ISOL_FT_UNLESS("IPI sender", "native_smp_send_reschedule",
		       isol_ftrace_resched, "ipi_send_cpu"),
	ISOL_TP("tick dependency", "tick_stop", isol_probe_tick_stop, false),
};

static int isol_hooks_users;		/* isol_mutex */
static bool isol_hooks_armed;		/* isol_mutex */

/*
 * Registering costs tens of text patches with an IPI to every CPU each,
 * unregistering RCU-tasks grace periods: a few milliseconds on hardware,
 * tens in the emulator, and an enable waits for them. -1, the default,
 * keeps the hooks from the first arm until the module is unloaded, so
 * that only that arm pays: tasks on other CPUs then run each probe's
 * first test, a per-CPU load, which the instruction counts of `make
 * bench` find only in page faults on 6.1 and the RT kernels, 0.1-0.5%. 0
 * removes them as the last user leaves, a positive value that many
 * milliseconds later; a new value applies the next time the last user
 * leaves.
 */
static int hooks_linger_ms = -1;

static int isol_linger_set(const char *val, const struct kernel_param *kp)
{
	int ms, ret;

	ret = kstrtoint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms < -1)
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops isol_linger_ops = {
	.set = isol_linger_set,
	.get = param_get_int,
};
module_param_cb(hooks_linger_ms, &isol_linger_ops, &hooks_linger_ms, 0644);
__MODULE_PARM_TYPE(hooks_linger_ms, "int");
MODULE_PARM_DESC(hooks_linger_ms,
		 "Keep the hooks registered this long (ms) after the last isolated task leaves; -1 (default): until unload, 0: remove at once");

static void isol_hooks_linger_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(isol_hooks_linger, isol_hooks_linger_fn);

static void isol_find_tracepoint(struct tracepoint *tp, void *priv)
{
	struct isol_hook *h;

	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		if (h->kind == ISOL_TRACEPOINT && !strcmp(h->target, tp->name))
			h->tp = tp;
}

static void isol_hook_unregister(struct isol_hook *h)
{
	if (!h->registered)
		return;
	if (h->kind == ISOL_TRACEPOINT)
		tracepoint_probe_unregister(h->tp, h->probe, NULL);
	else
		unregister_ftrace_function(&h->ops);
	h->registered = false;
}

static int isol_hook_register(struct isol_hook *h)
{
	int ret;

	if (!h->available || h->unused)
		return 0;
	if (h->kind == ISOL_TRACEPOINT)
		ret = tracepoint_probe_register(h->tp, h->probe, NULL);
	else
		ret = register_ftrace_function(&h->ops);
	if (ret) {
		pr_err("cannot arm the %s hook on %s: %d\n", h->event, h->target, ret);
		return ret;
	}
	h->registered = true;
	return 0;
}

static void isol_hooks_unregister_all(void)
{
	int i;

	for (i = ARRAY_SIZE(isol_hooks) - 1; i >= 0; i--)
		isol_hook_unregister(&isol_hooks[i]);
	/* No probe runs any more once this returns. */
	tracepoint_synchronize_unregister();
	isol_hooks_armed = false;
}

/* Arm the hooks for the first user. Called with isol_mutex held. */
int isol_hooks_get(void)
{
	int i, ret;

	lockdep_assert_held(&isol_mutex);
	if (isol_hooks_users++)
		return 0;
	/*
	 * Not the _sync form: the work takes isol_mutex. If it is running,
	 * it waits for the mutex and then finds a user, and does nothing.
	 */
	cancel_delayed_work(&isol_hooks_linger);
	if (isol_hooks_armed)
		return 0;
	for (i = 0; i < ARRAY_SIZE(isol_hooks); i++) {
		ret = isol_hook_register(&isol_hooks[i]);
		if (ret) {
			isol_hooks_unregister_all();
			isol_hooks_users = 0;
			return ret;
		}
	}
	isol_hooks_armed = true;
	return 0;
}

static void isol_hooks_linger_fn(struct work_struct *work)
{
	mutex_lock(&isol_mutex);
	if (!isol_hooks_users && isol_hooks_armed)
		isol_hooks_unregister_all();
	mutex_unlock(&isol_mutex);
}

/*
 * The last user leaves: disarm the hooks, at once or after the linger
 * delay. Called with isol_mutex held.
 */
void isol_hooks_put(void)
{
	int linger = READ_ONCE(hooks_linger_ms);

	lockdep_assert_held(&isol_mutex);
	if (--isol_hooks_users || linger < 0)
		return;
	if (linger)
		mod_delayed_work(isol_wq, &isol_hooks_linger,
				 msecs_to_jiffies(linger));
	else
		isol_hooks_unregister_all();
}

/* Unload: nobody is isolated; remove hooks that still linger. */
void isol_hooks_disarm(void)
{
	cancel_delayed_work_sync(&isol_hooks_linger);
	mutex_lock(&isol_mutex);
	if (isol_hooks_armed)
		isol_hooks_unregister_all();
	mutex_unlock(&isol_mutex);
}

ssize_t isol_hooks_show(char *buf)
{
	const struct isol_hook *h;
	ssize_t len = 0;

	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		len += sysfs_emit_at(buf, len, "%-18s %-10s %-26s %s\n", h->event,
				     h->kind == ISOL_TRACEPOINT ? "tracepoint" : "ftrace",
				     h->target,
				     !h->available ? "missing" :
				     h->unused ? "unused" :
				     !h->registered ? "ready" :
				     READ_ONCE(isol_hooks_users) ? "armed" : "lingering");
	return len;
}

static bool isol_hook_available(const char *target)
{
	const struct isol_hook *h;

	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		if (!strcmp(h->target, target))
			return h->available;
	return false;
}

/*
 * Choose the hooks: find each tracepoint, and check each ftrace target can
 * be filtered on (setting a filter does not patch any code). Fails when an
 * essential event has no hook on this kernel.
 */
int isol_hooks_init(void)
{
	struct isol_hook *h;
	int cpu, ret;

	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(&isol_cpus, cpu)->sender_lock);
	for_each_kernel_tracepoint(isol_find_tracepoint, NULL);
	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++) {
		if (h->kind == ISOL_TRACEPOINT) {
			h->available = h->tp;
		} else {
			ret = ftrace_set_filter(&h->ops, (unsigned char *)h->target,
						strlen(h->target), 1);
			h->available = !ret;
		}
		if (!h->available && h->essential) {
			pr_err("no hook for %s on this kernel (%s %s not found)\n",
			       h->event, h->kind == ISOL_TRACEPOINT ?
			       "tracepoint" : "function", h->target);
			ret = -ENOENT;
			goto fail;
		}
	}
	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		h->unused = h->available && h->unless &&
			    isol_hook_available(h->unless);
	return 0;
fail:
	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		if (h->kind == ISOL_FTRACE)
			ftrace_free_filter(&h->ops);
	return ret;
}

void isol_hooks_exit(void)
{
	struct isol_hook *h;

	for (h = isol_hooks; h < isol_hooks + ARRAY_SIZE(isol_hooks); h++)
		if (h->kind == ISOL_FTRACE)
			ftrace_free_filter(&h->ops);
}

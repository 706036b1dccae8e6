// SPDX-License-Identifier: GPL-2.0
/*
 * Quiescing a CPU before its task returns to user space isolated: drain
 * the per-CPU LRU batches and memcg charge stock, fold the vmstat counters
 * and cancel the vmstat worker, then wait, for a bounded time and
 * preemptibly, for the scheduler tick to stop. What still keeps the CPU
 * busy is reported, not waited out.
 */

#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/tick.h>
#include <linux/timekeeping.h>
#include "isol.h"

#define ISOL_TICK_DEP_RCU_ANY	(ISOL_TICK_DEP_RCU | ISOL_TICK_DEP_RCU_EXP)

/*
 * Drain this CPU's LRU batches and buffer-head LRUs and its memcg charge
 * stock, fold its vmstat deltas and cancel its vmstat worker, through the
 * kernel's own work functions (they have ENDBR64 on CET-IBT kernels; each
 * is skipped when isol_symbols.c could not take it). Process context, on
 * the task's CPU: migration is disabled because they work on this CPU's
 * data (the stock drains ignore their argument and take this_cpu_ptr()).
 * An empty stock is what keeps a memcg limit change elsewhere from
 * queueing its drain here: 6.1 does not skip isolated CPUs.
 */
void isol_quiesce_again(void)
{
	migrate_disable();
	if (isol_sym.lru_drain)
		isol_sym.lru_drain(NULL);
	if (isol_sym.memcg_drain)
		isol_sym.memcg_drain(NULL);
	if (isol_sym.obj_drain)
		isol_sym.obj_drain(NULL);
	if (isol_sym.vmstat_fold) {
		/*
		 * After the fold the worker has nothing to do here, so
		 * cancelling it (the fold requeues it when it found deltas)
		 * loses nothing.
		 */
		isol_sym.vmstat_fold(NULL);
		cancel_delayed_work(this_cpu_ptr(isol_sym.vmstat_work));
	}
	migrate_enable();
}

/*
 * Whether this CPU's next timer event (the tick's, while the tick runs)
 * is due within a tick: the tick is stopped when it is not. False when
 * that cannot be read (ISOL_SKIP_TICK_TEST), or without high-resolution
 * mode, where the clock event device is not programmed from these fields.
 */
static bool isol_timer_due(void)
{
	struct hrtimer_cpu_base *base;
	unsigned long flags;
	ktime_t next;
	bool hres;

	if (!isol_sym.hrtimer_bases)
		return false;
	base = this_cpu_ptr(isol_sym.hrtimer_bases);
	/*
	 * Interrupts off: this CPU's hrtimer interrupt takes the same lock
	 * (an RCU stall on 7.2-rt without it).
	 */
	raw_spin_lock_irqsave(&base->lock, flags);
	hres = base->hres_active;
	next = min(base->expires_next, base->softirq_expires_next);
	raw_spin_unlock_irqrestore(&base->lock, flags);
	return hres && next <= ktime_add_ns(ktime_get(), TICK_NSEC);
}

/* What keeps @cpu from being quiet. Called on @cpu, preemption disabled. */
static u32 isol_cpu_busy(int cpu, u32 *tick_dep)
{
	struct isol_cpu *pc = this_cpu_ptr(&isol_cpus);
	u32 busy = 0, dep;

	if (isol_sym.vmstat_fold &&
	    delayed_work_pending(per_cpu_ptr(isol_sym.vmstat_work, cpu)))
		busy |= ISOL_BUSY_VMSTAT;
	if (!single_task_running())
		busy |= ISOL_BUSY_RUNNABLE;
	if (isol_timer_due()) {
		dep = READ_ONCE(pc->tick_dep);
		*tick_dep |= dep;
		if (dep & ISOL_TICK_DEP_RCU_ANY)
			busy |= ISOL_BUSY_RCU;
		if (dep & ~ISOL_TICK_DEP_RCU_ANY)
			busy |= ISOL_BUSY_TICK_DEP;
		/* No dependency and nothing else runnable: a timer is due. */
		if (!dep && !(busy & ISOL_BUSY_RUNNABLE))
			busy |= ISOL_BUSY_TIMER;
	}
	return busy;
}

/*
 * Quiesce the calling task's CPU, t->cpu. Returns 0 when quiet, -EAGAIN
 * with req->busy/tick_dep filled in when the budget ran out, -EINTR on a
 * signal. Never sleeps for long and never spins with preemption disabled:
 * each round is short, and cond_resched() runs between rounds.
 */
int isol_quiesce(struct isol_task *t, struct isol_enable *req)
{
	struct isol_cpu *pc = per_cpu_ptr(&isol_cpus, t->cpu);
	u64 start = ktime_get_ns();
	u32 busy, tick_dep;

	WRITE_ONCE(pc->tick_dep, 0);
	for (;;) {
		isol_quiesce_again();

		tick_dep = 0;
		preempt_disable();
		if (smp_processor_id() == t->cpu)
			busy = isol_cpu_busy(t->cpu, &tick_dep);
		else
			busy = ISOL_BUSY_OFF_CPU;
		preempt_enable();
		/*
		 * A dependency the tick_stop probe saw holds until the tick is
		 * seen stopped: then the ones seen before are stale.
		 */
		if (!(busy & (ISOL_BUSY_TICK_DEP | ISOL_BUSY_RCU | ISOL_BUSY_TIMER)))
			WRITE_ONCE(pc->tick_dep, 0);

		req->quiesce_ns = ktime_get_ns() - start;
		if (!busy)
			return 0;
		if (req->quiesce_ns >= req->quiesce_timeout_ns) {
			req->busy = busy;
			req->tick_dep = tick_dep;
			req->reason = ISOL_REASON_NOT_QUIET;
			return -EAGAIN;
		}
		if (signal_pending(current)) {
			req->reason = ISOL_REASON_INTERRUPTED;
			return -EINTR;
		}
		/*
		 * The tick stops on its own at the next interrupt exit or idle
		 * entry that finds no dependency; give it, and anything
		 * runnable here, the chance.
		 */
		usleep_range(10, 20);
	}
}

/*
 * Last check before publishing, with interrupts off: what keeps t->cpu
 * from being quiet now (0: nothing), as isol_quiesce() reports it.
 */
u32 isol_cpu_busy_now(struct isol_task *t, u32 *tick_dep)
{
	lockdep_assert_irqs_disabled();
	*tick_dep = 0;
	if (smp_processor_id() != t->cpu)
		return ISOL_BUSY_OFF_CPU;
	return isol_cpu_busy(t->cpu, tick_dep);
}

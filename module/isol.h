/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_isolation internals shared between the module's files.
 *
 * Locking and lifetime:
 * - isol_mutex serialises enable, disable, cleanup and hook (un)registration.
 * - Each isolated task has a struct isol_task (a "record"), reachable from
 *   the per-CPU slot isol_cpu.owner while it is isolated. Hooks read the slot
 *   with rcu_dereference_sched(): every hook runs with preemption disabled.
 *   Records are freed with kfree_rcu(), so a hook never sees freed memory.
 * - Isolation ends exactly once, through the atomic state transition in
 *   isol_task_end(); that may happen in any context. Whatever needs to sleep
 *   afterwards (dropping hooks, the file reference) happens in isol_cleanup()
 *   in process context.
 * - The per-entry fields of struct isol_cpu are written only on that CPU,
 *   with interrupts or preemption disabled, by the isolated task's own
 *   kernel entries.
 */
#ifndef _ISOL_H
#define _ISOL_H

#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/task_isolation.h>

struct file;
struct task_struct;

/* One open of /dev/task_isolation. */
struct isol_file {
	struct mutex lock;		/* protects tasks */
	struct list_head tasks;		/* struct isol_task, one per thread */
};

/* A remote break waiting to be reported by the isolated CPU. */
struct isol_remote {
	u32 cause;
	int sender_cpu;
	pid_t sender_pid;
	char sender_comm[ISOL_COMM_LEN];
};

struct isol_task {
	struct kref ref;
	struct list_head node;		/* in isol_file.tasks */
	struct isol_file *ifile;
	struct file *file;		/* held from publish to cleanup */
	struct pid *pid;		/* the thread, for lookups after it ends */
	struct task_struct *task;	/* valid while isolated */
	int cpu;
	u32 mode;
	u32 flags;
	int signal;
	atomic_t state;			/* ISOL_STATE_* */
	u32 end_cause;			/* enum isol_end; claimed once, by cmpxchg */
	bool cleaned;			/* isol_cleanup() done; isol_mutex */

	raw_spinlock_t lock;		/* protects the fields below */
	u64 nr_breaks;
	u64 nr_by_cause[ISOL_NR_CAUSES];
	struct isol_break last;
	bool signal_due;		/* strict: send the signal on return */
	bool log_due;			/* last break not logged yet */
	bool remote_due;		/* remote holds a break to report */
	struct isol_remote remote;

	atomic_t work_queued;
	struct callback_head twork;	/* runs on the task's return to user */
	struct irq_work defer;		/* from scheduler and remote hooks */
	struct work_struct cleanup;	/* when the task cannot run twork */
	struct rcu_head rcu;
};

struct isol_cpu {
	struct isol_task __rcu *owner;
	struct isol_task *claim;	/* enabling, not yet isolated; isol_mutex */
	bool in_kernel;			/* owner entered the kernel from user */
	bool classified;		/* that entry's cause is known */
	u32 tick_dep;			/* tick_stop dependencies seen (quiesce) */
	raw_spinlock_t sender_lock;	/* protects sender, sender_set */
	struct isol_remote sender;	/* last CPU to send this CPU an IPI */
	bool sender_set;
};

DECLARE_PER_CPU(struct isol_cpu, isol_cpus);

extern struct mutex isol_mutex;
extern atomic_t isol_nr_isolated;
extern struct workqueue_struct *isol_wq;

/* isol_task.c */
long isol_enable(struct file *file, struct isol_enable *req);
long isol_disable(struct file *file);
long isol_get_state(struct file *file, pid_t pid, struct isol_state *st);
void isol_file_release(struct isol_file *ifile);
struct isol_task *isol_current_owner(void);
void isol_record_break(struct isol_task *t, u32 cause, u64 detail,
		       const struct isol_remote *remote, const char *fmt, ...)
	__printf(5, 6);
void isol_break_local(struct isol_task *t, u32 cause, u64 detail,
		      const struct isol_remote *sender, const char *fmt, ...)
	__printf(5, 6);
void isol_break_deferred(struct isol_task *t, u32 cause, u64 detail,
			 const struct isol_remote *remote);
bool isol_task_end(struct isol_task *t, u32 end_cause);
void isol_end_deferred(struct isol_task *t, u32 end_cause);
void isol_flush_remote(struct isol_task *t);

/* hooks.c */
int isol_hooks_init(void);
void isol_hooks_exit(void);
int isol_hooks_get(void);
void isol_hooks_put(void);
ssize_t isol_hooks_show(char *buf);

/* isol_quiesce.c */
int isol_quiesce(struct isol_task *t, struct isol_enable *req);
void isol_quiesce_again(void);
bool isol_cpu_quiet_now(struct isol_task *t);

/* isol_symbols.c */
struct isol_symbols {
	void (*lru_add_drain)(void);
	int (*refresh_cpu_vm_stats)(bool do_pagesets);
	bool (*tick_nohz_tick_stopped_cpu)(int cpu);
	struct delayed_work __percpu *vmstat_work;
};

extern struct isol_symbols isol_sym;
int isol_symbols_init(void);

#endif /* _ISOL_H */

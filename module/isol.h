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
 * - Lock order: isol_file.status_lock, then isol_task.lock, then the
 *   monitor ring's lock (a break is kept and pushed under the task's).
 * - The per-entry fields of struct isol_cpu are written only on that CPU,
 *   with interrupts or preemption disabled, by the isolated task's own
 *   kernel entries.
 */
#ifndef _ISOL_H
#define _ISOL_H

#include <linux/completion.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <asm/hw_irq.h>
#include <uapi/linux/task_isolation.h>

struct device;
struct file;
struct hrtimer_cpu_base;
struct poll_table_struct;
struct task_struct;
struct vm_area_struct;

struct isol_status;

/*
 * One open of /dev/task_isolation. Referenced by the file and by each of
 * its records, which can outlive the file: a record's status page and its
 * cleanup must not hold the file (and so the module) open after close().
 */
struct isol_file {
	struct kref ref;
	struct mutex lock;		/* protects tasks */
	struct list_head tasks;		/* struct isol_task, one per thread */
	u64 mon_next;			/* monitor: next sequence to read */
	struct page *status_page;	/* mmap()able status of status_owner */
	struct isol_status *status;
	raw_spinlock_t status_lock;	/* serialises status writers */
	struct isol_task *status_owner;	/* last thread to arm; status_lock */
};

/*
 * Who caused a remote break: the sending CPU and task, what it sent (an
 * IPI function, 0 when not known) and its kernel stack when it sent.
 */
struct isol_remote {
	u32 cause;
	int sender_cpu;
	pid_t sender_pid;
	char sender_comm[ISOL_COMM_LEN];
	unsigned long func;
	unsigned int nr_stack;
	unsigned long stack[ISOL_STACK_DEPTH];
};

/*
 * The bytes of *@p, a struct isol_remote or isol_krec, up to its last
 * saved frame: a break's path copies no more (readers use no more).
 */
#define isol_size_to_frames(p) ({					\
	typeof(p) __p = (p);						\
	offsetof(typeof(*__p), stack) + __p->nr_stack * sizeof(__p->stack[0]); \
})

/*
 * What a break's description is made of until someone reads it; its
 * strings are kept in the record's b.desc (isol_desc.c).
 */
#define ISOL_DESC_ARGS	4
struct isol_desc {
	const char *fmt;		/* a literal of this module */
	unsigned int nr_arg;		/* of arg[], those captured */
	unsigned long arg[ISOL_DESC_ARGS];
};

/*
 * A break as the module keeps it: kernel addresses stay raw here and are
 * turned into symbol names only when copied to user space.
 */
struct isol_krec {
	struct isol_break b;		/* b.desc: see struct isol_desc */
	struct isol_desc desc;
	unsigned long func;		/* what ran or was sent, 0 if unknown */
	unsigned int nr_stack;
	unsigned long stack[ISOL_STACK_DEPTH];
};

struct isol_task {
	struct kref ref;
	struct list_head node;		/* in isol_file.tasks */
	struct isol_file *ifile;	/* referenced */
	struct pid *pid;		/* the thread, for lookups after it ends */
	struct pid *tgid;		/* its process: ISOL_IOC_ENABLE_THREAD */
	pid_t status_pid;		/* its id as it sees itself */
	char comm[ISOL_COMM_LEN];	/* its name when it armed isolation */
	struct task_struct *task;	/* valid while isolated */
	int cpu;
	u32 mode;
	u64 strict_after_ns;		/* asked at enable */
	u64 strict_ns;			/* strict mode: breaks end it from then */
	u32 flags;
	u32 noise;			/* ISOL_NOISE_* predicted at enable */
	int signal;
	bool on_behalf;			/* armed by ISOL_IOC_ENABLE_THREAD */
	atomic_t state;			/* ISOL_STATE_* */
	u32 end_cause;			/* enum isol_end; claimed once, by cmpxchg */
	bool cleaned;			/* isol_cleanup() done; isol_mutex */

	raw_spinlock_t lock;		/* protects the fields below */
	u64 nr_breaks;
	u64 nr_by_cause[ISOL_NR_CAUSES];
	u64 ns_by_cause[ISOL_NR_CAUSES];
	u64 enabled_ns;			/* CLOCK_MONOTONIC */
	u64 ended_ns;
	u64 max_quiet_ns;
	struct isol_krec last;
	bool signal_due;		/* strict: send the signal on return */
	bool remote_due;		/* remote holds a break to report */
	struct isol_remote remote;

	atomic_t work_queued;
	struct callback_head twork;	/* runs on the task's return to user */
	struct irq_work defer;		/* from scheduler and remote hooks */
	struct work_struct cleanup;	/* isol_cleanup(), off the task's path */
	call_single_data_t cleanup_kick; /* queues it from a housekeeping CPU */
	int cleanup_cpu;		/* ... this one, chosen at enable */
	bool cleanup_kicked;		/* cleanup_kick sent ... */
	struct completion cleanup_kick_done; /* ... and it queued the work */
	struct work_struct free_work;
	struct rcu_head rcu;
};

/* When a break starts to end isolation: never (U64_MAX) in log-only mode. */
static inline u64 isol_strict_from(u32 mode, u64 enabled_ns, u64 after_ns)
{
	return mode == ISOL_MODE_STRICT ? enabled_ns + after_ns : U64_MAX;
}

/*
 * Whether a break now ends isolation: strict mode, past the start-up the
 * task asked to run log-only (isol_enable.strict_after_ns). The fast clock
 * reads no lock, so this holds under scheduler locks and in NMI; it may lag
 * ktime_get_ns() by a clock adjustment, nanoseconds, at the boundary.
 */
static inline bool isol_strict_now(const struct isol_task *t)
{
	return ktime_get_mono_fast_ns() >= READ_ONCE(t->strict_ns);
}

/* What sysfs shows of a CPU's current or last isolation. */
struct isol_cpu_stats {
	pid_t pid;			/* initial namespace; 0: never isolated */
	char comm[ISOL_COMM_LEN];
	u32 state;			/* ISOL_STATE_* */
	u32 end_cause;
	u64 since_ns;
	u64 ended_ns;			/* 0 while isolated */
	u64 max_quiet_ns;
	u64 nr_by_cause[ISOL_NR_CAUSES];
	u64 ns_by_cause[ISOL_NR_CAUSES];
};

struct isol_intruder {
	pid_t pid;
	bool moved;			/* moved here; else woken here */
	bool sibling;			/* a thread of the isolated task's process */
	char comm[ISOL_COMM_LEN];
};

struct isol_cpu {
	struct isol_task __rcu *owner;
	struct isol_task *claim;	/* enabling, not yet isolated; isol_mutex */
	struct isol_cpu_stats stats;	/* the last isolation; isol_mutex */
	bool in_kernel;			/* owner entered the kernel from user */
	bool classified;		/* that entry's cause is known */
	bool ioctl_due;			/* it is an ioctl that may be ours */
	bool ioctl_compat;		/* ... made through a 32-bit entry */
	bool own_ioctl;			/* our handler ran it on the task's file */
	bool entry_irq;			/* that entry is an interrupt */
	bool entry_exception;		/* ... or an exception, cause not known */
	unsigned long entry_faults;	/* the task's fault count at that entry */
	unsigned long entry_cr2;	/* CR2 at that entry */
	u32 entry_cause;		/* enum isol_cause of that entry */
	u64 entry_clock;		/* local_clock() at that entry */
	u64 return_clock;		/* local_clock() at the last return */
	u32 tick_dep;			/* tick_stop dependencies seen (quiesce) */
	raw_spinlock_t sender_lock;	/* protects the fields below */
	struct isol_remote sender;	/* last CPU to send this CPU an IPI */
	bool sender_set;
	/* The last other task moved or woken here, for the IPI that follows. */
	bool intruder_set;
	struct isol_intruder intruder;
};

DECLARE_PER_CPU(struct isol_cpu, isol_cpus);

extern struct mutex isol_mutex;
extern atomic_t isol_nr_isolated;
extern atomic_t isol_nr_records;
extern struct workqueue_struct *isol_wq;

/* isol_task.c */
int isol_check_request(const struct isol_enable *req);
long isol_enable(struct file *file, struct isol_enable *req, bool on_behalf);
long isol_disable(struct file *file);
long isol_get_state(struct file *file, pid_t pid, struct isol_state *st);
void isol_file_release(struct isol_file *ifile);
void isol_file_get(struct isol_file *ifile);
void isol_file_put(struct isol_file *ifile);
struct isol_task *isol_current_owner(void);
void isol_record_break(struct isol_task *t, u32 cause, u64 detail,
		       const struct isol_remote *remote, const char *fmt, ...)
	__printf(5, 6);
void isol_break_local(struct isol_task *t, u32 cause, u64 detail,
		      unsigned long func, const struct isol_remote *sender,
		      const char *fmt, ...)
	__printf(6, 7);
void isol_account_entry(struct isol_task *t, struct isol_cpu *pc);
void isol_account_return(struct isol_task *t, struct isol_cpu *pc);
void isol_task_stats(struct isol_task *t, struct isol_cpu_stats *s);
void isol_break_deferred(struct isol_task *t, u32 cause, u64 detail,
			 const struct isol_remote *remote);
bool isol_task_end(struct isol_task *t, u32 end_cause);
void isol_end_deferred(struct isol_task *t, u32 end_cause);
void isol_flush_remote(struct isol_task *t);
void isol_queue_exit_work(struct isol_task *t);

/* isol_thread.c: arming another thread of an isolated program */
long isol_enable_thread(struct file *file, struct isol_enable *req);

/* isol_desc.c: a break's description, formatted when read */
void isol_desc_capture(struct isol_krec *r, const char *fmt, va_list args);
void isol_desc_render(struct isol_break *b, const struct isol_desc *d);

/* isol_monitor.c: the stream of break records read from the device */
int isol_monitor_init(void);
void isol_monitor_exit(void);
void isol_monitor_push(const struct isol_krec *r);
void isol_monitor_wake(void);
void isol_monitor_open(struct isol_file *ifile);
ssize_t isol_monitor_read(struct file *file, char __user *buf, size_t count);
__poll_t isol_monitor_poll(struct file *file, struct poll_table_struct *wait);
void isol_format_record(struct isol_record *out, const struct isol_krec *r);
void isol_symbol(char *buf, unsigned long addr, bool offset);
pid_t isol_pid_for_reader(pid_t nr);

/* isol_status.c: the status page */
int isol_status_alloc(struct isol_file *ifile);
void isol_status_free(struct isol_file *ifile);
int isol_status_mmap(struct file *file, struct vm_area_struct *vma);
void isol_status_update(struct isol_task *t);

/* isol_sysfs.c: per-CPU statistics */
const struct attribute_group **
isol_sysfs_groups(const struct attribute_group **base);
void isol_sysfs_exit(void);
const char *isol_cause_name(u32 cause);

/* isol_trace.c */
void isol_trace_break(const struct isol_krec *r);

/* Commands match on type, number and direction; see the UAPI header. */
#define ISOL_IOC_MATCH(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* hooks.c */
void isol_note_own_ioctl(struct isol_file *ifile);
void isol_classify_fault(struct isol_task *t);
int isol_hooks_init(void);
void isol_hooks_exit(void);
int isol_hooks_get(void);
void isol_hooks_put(void);
void isol_hooks_disarm(void);
ssize_t isol_hooks_show(char *buf);

/* isol_noise.c */
u32 isol_predict_noise(bool may_sleep);

/* isol_quiesce.c */
int isol_quiesce(struct isol_task *t, struct isol_enable *req);
void isol_quiesce_again(void);
u32 isol_cpu_busy_now(struct isol_task *t, u32 *tick_dep);

/* isol_symbols.c */
struct isol_symbols {
	/*
	 * Called through these pointers: each is set only by isol_fn(), which
	 * checks for ENDBR64 on CET-IBT kernels (tests/harness/lint-ibt.sh).
	 * NULL: that quiescing step is skipped.
	 */
	void (*lru_drain)(struct work_struct *unused);
	void (*vmstat_fold)(struct work_struct *unused);
	/* The memcg stock drain: one function (6.1, 6.12), or two (7.2). */
	void (*memcg_drain)(struct work_struct *unused);
	void (*obj_drain)(struct work_struct *unused);
	/* Read, never called. NULL: not found. */
	struct delayed_work __percpu *vmstat_work;
	struct hrtimer_cpu_base __percpu *hrtimer_bases;
	const unsigned long *sys_call_table;
	const unsigned long *ia32_sys_call_table;
	unsigned long sched_ttwu_pending;
	/* Each vector's interrupt, to name a device interrupt. */
	vector_irq_t __percpu *vector_irq;
	const char *route;		/* how the addresses were found */
};

extern struct isol_symbols isol_sym;
int isol_symbols_init(void);
u32 isol_quiesce_skipped(void);
ssize_t isol_symbols_show(char *buf);

#endif /* _ISOL_H */

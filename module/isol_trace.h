/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of task isolation: a task entering and leaving isolation,
 * and every break with its cause and attribution. They appear under
 * events/task_isolation/ for perf, trace-cmd and bpftrace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM task_isolation

#if !defined(_ISOL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ISOL_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/linux/task_isolation.h>

#define isol_show_cause(cause)						\
	__print_symbolic(cause,						\
		{ ISOL_CAUSE_NONE,		"none" },		\
		{ ISOL_CAUSE_SYSCALL,		"syscall" },		\
		{ ISOL_CAUSE_PAGE_FAULT,	"page_fault" },		\
		{ ISOL_CAUSE_EXCEPTION,		"exception" },		\
		{ ISOL_CAUSE_TIMER,		"timer" },		\
		{ ISOL_CAUSE_IPI_CALL,		"ipi_call" },		\
		{ ISOL_CAUSE_IPI_RESCHED,	"ipi_resched" },	\
		{ ISOL_CAUSE_IPI_IRQ_WORK,	"ipi_irq_work" },	\
		{ ISOL_CAUSE_IRQ,		"irq" },		\
		{ ISOL_CAUSE_VECTOR,		"vector" },		\
		{ ISOL_CAUSE_PREEMPTED,		"preempted" },		\
		{ ISOL_CAUSE_AFFINITY,		"affinity" },		\
		{ ISOL_CAUSE_MIGRATED,		"migrated" },		\
		{ ISOL_CAUSE_CPU_OFFLINE,	"cpu_offline" },	\
		{ ISOL_CAUSE_UNKNOWN,		"unknown" })

#define isol_show_end(end)						\
	__print_symbolic(end,						\
		{ ISOL_END_NONE,	"none" },			\
		{ ISOL_END_DISABLED,	"disabled" },			\
		{ ISOL_END_BREAK,	"break" },			\
		{ ISOL_END_EXEC,	"exec" },			\
		{ ISOL_END_EXIT,	"exit" },			\
		{ ISOL_END_MIGRATED,	"migrated" },			\
		{ ISOL_END_SIGNAL,	"signal" })

TRACE_EVENT(isol_enter,
	    TP_PROTO(int cpu, pid_t pid, u32 mode, u64 quiesce_ns),
	    TP_ARGS(cpu, pid, mode, quiesce_ns),
	    TP_STRUCT__entry(__field(int, cpu)
			     __field(pid_t, pid)
			     __field(u32, mode)
			     __field(u64, quiesce_ns)),
	    TP_fast_assign(__entry->cpu = cpu;
			   __entry->pid = pid;
			   __entry->mode = mode;
			   __entry->quiesce_ns = quiesce_ns;),
	    TP_printk("cpu=%d pid=%d mode=%s quiesce_ns=%llu",
		      __entry->cpu, __entry->pid,
		      __entry->mode == ISOL_MODE_STRICT ? "strict" : "log-only",
		      __entry->quiesce_ns)
);

TRACE_EVENT(isol_exit,
	    TP_PROTO(int cpu, pid_t pid, u32 end_cause, u64 nr_breaks),
	    TP_ARGS(cpu, pid, end_cause, nr_breaks),
	    TP_STRUCT__entry(__field(int, cpu)
			     __field(pid_t, pid)
			     __field(u32, end_cause)
			     __field(u64, nr_breaks)),
	    TP_fast_assign(__entry->cpu = cpu;
			   __entry->pid = pid;
			   __entry->end_cause = end_cause;
			   __entry->nr_breaks = nr_breaks;),
	    TP_printk("cpu=%d pid=%d end=%s breaks=%llu", __entry->cpu,
		      __entry->pid, isol_show_end(__entry->end_cause),
		      __entry->nr_breaks)
);

/* @func is a symbol name, never an address: trace fields leak none. */
TRACE_EVENT(isol_break,
	    TP_PROTO(const struct isol_break *b, const char *func),
	    TP_ARGS(b, func),
	    TP_STRUCT__entry(__field(u32, cpu)
			     __field(pid_t, pid)
			     __field(u32, cause)
			     __field(u64, detail)
			     __field(int, sender_cpu)
			     __field(pid_t, sender_pid)
			     __array(char, sender_comm, ISOL_COMM_LEN)
			     __array(char, func, ISOL_SYM_LEN)
			     __array(char, desc, ISOL_DESC_LEN)),
	    TP_fast_assign(__entry->cpu = b->cpu;
			   __entry->pid = b->pid;
			   __entry->cause = b->cause;
			   __entry->detail = b->detail;
			   __entry->sender_cpu = b->sender_cpu;
			   __entry->sender_pid = b->sender_pid;
			   memcpy(__entry->sender_comm, b->sender_comm,
				  ISOL_COMM_LEN);
			   strscpy(__entry->func, func, ISOL_SYM_LEN);
			   memcpy(__entry->desc, b->desc, ISOL_DESC_LEN);),
	    TP_printk("cpu=%u pid=%d cause=%s detail=%llu sender_cpu=%d sender_pid=%d sender_comm=%s func=%s desc=\"%s\"",
		      __entry->cpu, __entry->pid,
		      isol_show_cause(__entry->cause), __entry->detail,
		      __entry->sender_cpu, __entry->sender_pid,
		      __entry->sender_comm, __entry->func, __entry->desc)
);

#endif /* _ISOL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE isol_trace
#include <trace/define_trace.h>

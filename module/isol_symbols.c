// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions and data the module needs but the kernel does not
 * export, looked up once at load time.
 *
 * CET-IBT: on a kernel built with X86_KERNEL_IBT an indirect call must land
 * on ENDBR64, and at boot the kernel poisons ("seals") the ENDBR64 of every
 * function whose address it never takes: calling one through a pointer is a
 * control-protection fault. So a function found here is only ever called
 * if isol_fn() saw ENDBR64 at its first byte; without it the step it
 * serves is skipped, said once at load and shown in sysfs (quiesce).
 * kallsyms_lookup_name is sealed on such kernels too: there the addresses
 * are read from /proc/kallsyms instead, through exported file functions.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uio.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "isol.h"

static bool ibt_simulate;
module_param(ibt_simulate, bool, 0444);
MODULE_PARM_DESC(ibt_simulate,
		 "Treat every looked-up function without ENDBR64 as uncallable, as on a CET-IBT machine (for testing; default: N)");

struct isol_symbols isol_sym;

#define ISOL_ENDBR64		0xfa1e0ff3U	/* f3 0f 1e fa, little-endian */
#define ISOL_ENDBR_LEN		4
#define ISOL_KALLSYMS_CHUNK	(64 * 1024)

static bool isol_endbr_at(unsigned long addr)
{
	u32 insn;

	return !copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)) &&
	       insn == ISOL_ENDBR64;
}

/*
 * Whether an indirect call to @addr is safe on this machine. Without IBT
 * in the kernel no CPU enforces it; with it, whether this CPU enforces it
 * or not, only a target with ENDBR64 is taken, so that what passes here
 * in the emulator passes on IBT hardware too.
 */
static bool isol_callable(unsigned long addr)
{
	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT) && !ibt_simulate)
		return true;
	return isol_endbr_at(addr);
}

/* The only way a looked-up address becomes a function to call. */
static void *isol_fn(unsigned long addr)
{
	return addr && isol_callable(addr) ? (void *)addr : NULL;
}

typedef unsigned long (*isol_lookup_fn)(const char *name);

/* kallsyms_lookup_name, when it may be called here; NULL otherwise. */
static isol_lookup_fn isol_find_lookup(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;

	/*
	 * Registering resolves the address; the probe is removed at once.
	 * Only at load time: it patches kernel text, which interrupts every
	 * CPU, and no task can be isolated before the module is loaded.
	 */
	if (register_kprobe(&kp))
		return NULL;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	/* A probe is placed past the function's ENDBR64 (or its poison). */
	if (isol_endbr_at(addr - ISOL_ENDBR_LEN))
		addr -= ISOL_ENDBR_LEN;
	return isol_fn(addr);
}

struct isol_want {
	const char *name;
	unsigned long addr;
};

/* One "ADDRESS TYPE NAME" line of /proc/kallsyms; module symbols skipped. */
static void isol_kallsyms_line(char *line, struct isol_want *want, int n)
{
	char *addr = strsep(&line, " ");
	char *type = strsep(&line, " ");
	unsigned long val;
	int i;

	if (!line || !type || strchr(line, '\t') || kstrtoul(addr, 16, &val))
		return;
	for (i = 0; i < n; i++)
		if (!want[i].addr && !strcmp(want[i].name, line))
			want[i].addr = val;
}

/*
 * Resolve @want from /proc/kallsyms, read with the loading task's
 * credentials (addresses read as 0 when kptr_restrict hides them). The
 * file is a seq_file without read_iter in its proc_ops, which kernel_read()
 * refuses: seq_read_iter() is called on it directly, with a kernel buffer.
 */
static int isol_read_kallsyms(struct isol_want *want, int n)
{
	struct iov_iter iter;
	struct kiocb kiocb;
	struct kvec kvec;
	size_t fill = 0;
	struct file *f;
	char *buf, *line, *nl;
	ssize_t got;
	int ret = 0;

	f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = kvmalloc(ISOL_KALLSYMS_CHUNK, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	init_sync_kiocb(&kiocb, f);
	for (;;) {
		kvec.iov_base = buf + fill;
		kvec.iov_len = ISOL_KALLSYMS_CHUNK - 1 - fill;
		iov_iter_kvec(&iter, READ, &kvec, 1, kvec.iov_len);
		got = seq_read_iter(&kiocb, &iter);
		if (got <= 0) {
			ret = got;
			break;
		}
		fill += got;
		buf[fill] = '\0';
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			isol_kallsyms_line(line, want, n);
			line = nl + 1;
		}
		fill -= line - buf;
		memmove(buf, line, fill);
		/* No line is anywhere near a chunk long. */
		if (fill >= ISOL_KALLSYMS_CHUNK - 1) {
			ret = -EINVAL;
			break;
		}
		cond_resched();
	}
	kvfree(buf);
out:
	filp_close(f, NULL);
	return ret;
}

enum {
	ISOL_SYM_LRU_DRAIN,
	ISOL_SYM_VMSTAT_UPDATE,
	ISOL_SYM_VMSTAT_WORK,
	ISOL_SYM_HRTIMER_BASES,
	ISOL_SYM_SYS_CALL_TABLE,
	ISOL_SYM_IA32_SYS_CALL_TABLE,
	ISOL_SYM_TTWU_PENDING,
	ISOL_SYM_VECTOR_IRQ,
	ISOL_SYM_MEMCG_DRAIN,
	ISOL_SYM_MEMCG_DRAIN_SPLIT,
	ISOL_SYM_OBJ_DRAIN_SPLIT,
	ISOL_NR_SYMS
};

int isol_symbols_init(void)
{
	struct isol_want want[ISOL_NR_SYMS] = {
		[ISOL_SYM_LRU_DRAIN] = { "lru_add_drain_per_cpu" },
		[ISOL_SYM_VMSTAT_UPDATE] = { "vmstat_update" },
		[ISOL_SYM_VMSTAT_WORK] = { "vmstat_work" },
		[ISOL_SYM_HRTIMER_BASES] = { "hrtimer_bases" },
		[ISOL_SYM_SYS_CALL_TABLE] = { "sys_call_table" },
		[ISOL_SYM_IA32_SYS_CALL_TABLE] = { "ia32_sys_call_table" },
		[ISOL_SYM_TTWU_PENDING] = { "sched_ttwu_pending" },
		[ISOL_SYM_VECTOR_IRQ] = { "vector_irq" },
		[ISOL_SYM_MEMCG_DRAIN] = { "drain_local_stock" },
		[ISOL_SYM_MEMCG_DRAIN_SPLIT] = { "drain_local_memcg_stock" },
		[ISOL_SYM_OBJ_DRAIN_SPLIT] = { "drain_local_obj_stock" },
	};
	isol_lookup_fn lookup = isol_find_lookup();
	int i, ret;

	if (lookup) {
		isol_sym.route = "kallsyms_lookup_name";
		for (i = 0; i < ISOL_NR_SYMS; i++)
			want[i].addr = lookup(want[i].name);
	} else {
		isol_sym.route = "/proc/kallsyms";
		ret = isol_read_kallsyms(want, ISOL_NR_SYMS);
		if (ret)
			pr_warn("cannot read /proc/kallsyms (%d): quiescing and break names are limited\n",
				ret);
	}
	isol_sym.lru_drain = isol_fn(want[ISOL_SYM_LRU_DRAIN].addr);
	/* Folding can requeue the vmstat work, which must then be cancelled. */
	if (want[ISOL_SYM_VMSTAT_WORK].addr) {
		isol_sym.vmstat_fold = isol_fn(want[ISOL_SYM_VMSTAT_UPDATE].addr);
		isol_sym.vmstat_work = (struct delayed_work __percpu *)
				       want[ISOL_SYM_VMSTAT_WORK].addr;
	}
	/*
	 * The memcg charge stock's work functions, both kernel layouts: the
	 * step counts as taken only when every part of the stock is drained.
	 */
	if (want[ISOL_SYM_MEMCG_DRAIN].addr) {
		isol_sym.memcg_drain = isol_fn(want[ISOL_SYM_MEMCG_DRAIN].addr);
	} else if (isol_fn(want[ISOL_SYM_MEMCG_DRAIN_SPLIT].addr) &&
		   isol_fn(want[ISOL_SYM_OBJ_DRAIN_SPLIT].addr)) {
		isol_sym.memcg_drain = isol_fn(want[ISOL_SYM_MEMCG_DRAIN_SPLIT].addr);
		isol_sym.obj_drain = isol_fn(want[ISOL_SYM_OBJ_DRAIN_SPLIT].addr);
	}
	isol_sym.hrtimer_bases = (struct hrtimer_cpu_base __percpu *)
				 want[ISOL_SYM_HRTIMER_BASES].addr;
	isol_sym.sys_call_table = (const unsigned long *)
				  want[ISOL_SYM_SYS_CALL_TABLE].addr;
	isol_sym.ia32_sys_call_table = (const unsigned long *)
				       want[ISOL_SYM_IA32_SYS_CALL_TABLE].addr;
	isol_sym.sched_ttwu_pending = want[ISOL_SYM_TTWU_PENDING].addr;
	isol_sym.vector_irq = (vector_irq_t __percpu *)
			      want[ISOL_SYM_VECTOR_IRQ].addr;

	if (isol_quiesce_skipped())
		pr_info("%s: quiescing without%s%s%s%s (see /sys/class/misc/task_isolation/quiesce)\n",
			IS_ENABLED(CONFIG_X86_KERNEL_IBT) || ibt_simulate ?
			"CET-IBT" : "symbols missing",
			isol_sym.lru_drain ? "" : " [LRU drain]",
			isol_sym.vmstat_fold ? "" : " [vmstat fold]",
			isol_sym.memcg_drain ? "" : " [memcg stock]",
			isol_sym.hrtimer_bases ? "" : " [tick test]");
	return 0;
}

/* ISOL_SKIP_* bits: the quiescing steps this kernel and CPU cannot take. */
u32 isol_quiesce_skipped(void)
{
	return (isol_sym.lru_drain ? 0 : ISOL_SKIP_LRU_DRAIN) |
	       (isol_sym.vmstat_fold ? 0 : ISOL_SKIP_VMSTAT) |
	       (isol_sym.memcg_drain ? 0 : ISOL_SKIP_MEMCG_STOCK) |
	       (isol_sym.hrtimer_bases ? 0 : ISOL_SKIP_TICK_TEST);
}

ssize_t isol_symbols_show(char *buf)
{
	ssize_t len;

	len = sysfs_emit(buf, "lookup     %s\n", isol_sym.route);
	len += sysfs_emit_at(buf, len, "lru_drain  %s\n", isol_sym.lru_drain ?
			     "lru_add_drain_per_cpu" : "skipped");
	len += sysfs_emit_at(buf, len, "vmstat     %s\n", isol_sym.vmstat_fold ?
			     "vmstat_update, vmstat_work" : "skipped");
	len += sysfs_emit_at(buf, len, "memcg      %s\n", !isol_sym.memcg_drain ?
			     "skipped" : isol_sym.obj_drain ?
			     "drain_local_memcg_stock, drain_local_obj_stock" :
			     "drain_local_stock");
	len += sysfs_emit_at(buf, len, "tick_test  %s\n", isol_sym.hrtimer_bases ?
			     "hrtimer_bases" : "skipped");
	len += sysfs_emit_at(buf, len, "ibt        %s%s%s\n",
			     ibt_simulate ? "simulated" : "",
			     ibt_simulate && IS_ENABLED(CONFIG_X86_KERNEL_IBT) ?
			     ", " : "",
			     IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? "kernel built with IBT" :
			     ibt_simulate ? "" : "no");
	return len;
}

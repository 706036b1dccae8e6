// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions and data the module needs but the kernel does not
 * export. They are looked up once, at load time, through kallsyms; the
 * lookup function itself is found with a kprobe, as it is not exported
 * either. A missing essential symbol fails the load with a message
 * naming it; a missing optional one only makes break records less precise.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include "isol.h"

struct isol_symbols isol_sym;

typedef unsigned long (*isol_lookup_fn)(const char *name);

static isol_lookup_fn isol_find_lookup(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	isol_lookup_fn fn;

	/*
	 * Registering resolves the address; the probe is removed at once.
	 * Only at load time: it patches kernel text, which interrupts every
	 * CPU, and no task can be isolated before the module is loaded.
	 */
	if (register_kprobe(&kp))
		return NULL;
	fn = (isol_lookup_fn)kp.addr;
	unregister_kprobe(&kp);
	return fn;
}

static int isol_resolve(isol_lookup_fn lookup, const char *name, void *slot)
{
	unsigned long addr = lookup(name);

	if (!addr) {
		pr_err("kernel symbol %s not found: this kernel cannot be supported\n",
		       name);
		return -ENOENT;
	}
	*(unsigned long *)slot = addr;
	return 0;
}

int isol_symbols_init(void)
{
	isol_lookup_fn lookup = isol_find_lookup();
	int ret;

	if (!lookup) {
		pr_err("cannot locate kallsyms_lookup_name (kprobes unavailable?)\n");
		return -ENOENT;
	}
	ret = isol_resolve(lookup, "lru_add_drain", &isol_sym.lru_add_drain);
	if (!ret)
		ret = isol_resolve(lookup, "refresh_cpu_vm_stats",
				   &isol_sym.refresh_cpu_vm_stats);
	if (!ret)
		ret = isol_resolve(lookup, "tick_nohz_tick_stopped_cpu",
				   &isol_sym.tick_nohz_tick_stopped_cpu);
	if (!ret)
		ret = isol_resolve(lookup, "vmstat_work", &isol_sym.vmstat_work);
	if (ret)
		return ret;
	/* Optional: they only name what a break ran. */
	isol_sym.sys_call_table = (const unsigned long *)lookup("sys_call_table");
	isol_sym.hrtimer_bases = (struct hrtimer_cpu_base __percpu *)
				 lookup("hrtimer_bases");
	isol_sym.sched_ttwu_pending = lookup("sched_ttwu_pending");
	return 0;
}

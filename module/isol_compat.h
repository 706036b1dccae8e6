/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers for kernel interfaces that differ between the kernels we
 * support. Each probes for the feature, never the version, and the logic
 * files use only the wrapper.
 */
#ifndef _ISOL_COMPAT_H
#define _ISOL_COMPAT_H

#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <asm/apic.h>
#include <asm/msr.h>

/* Argument @n of the traced function, from an ftrace callback. */
#ifdef ftrace_regs_get_argument
#define isol_ftrace_arg(fregs, n) ftrace_regs_get_argument(fregs, n)
#else
/* Older x86: struct ftrace_regs wraps the pt_regs the trampoline saved. */
#define isol_ftrace_arg(fregs, n) regs_get_kernel_argument(&(fregs)->regs, n)
#endif

/* vm_flags got its own setters in 6.3; Kbuild probes for them. */
#ifdef ISOL_HAVE_VM_FLAGS_SET
#define isol_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#define isol_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define isol_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#define isol_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

/*
 * PR_SET_THP_DISABLE's mark: one flag in mm->flags, later a choice of two
 * in the mm_flags bitmap (7.x); only "completely" keeps khugepaged away.
 */
#ifdef MMF_DISABLE_THP_COMPLETELY
#define isol_mm_thp_disabled(mm) mm_flags_test(MMF_DISABLE_THP_COMPLETELY, mm)
#else
#define isol_mm_thp_disabled(mm) test_bit(MMF_DISABLE_THP, &(mm)->flags)
#endif

/*
 * A local APIC register of this CPU. apic_read() became a static call
 * that modules cannot link (7.x): read it as the APIC is driven instead,
 * by MSR in x2APIC mode, else through its MMIO page.
 */
static inline u32 isol_apic_read(u32 reg)
{
	u64 val;

	if (!x2apic_mode)
		return native_apic_mem_read(reg);
#ifdef rdmsrq
	rdmsrq(APIC_BASE_MSR + (reg >> 4), val);
#else
	rdmsrl(APIC_BASE_MSR + (reg >> 4), val);
#endif
	return val;
}

#endif /* _ISOL_COMPAT_H */

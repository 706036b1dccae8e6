/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers for kernel interfaces that differ between the kernels we
 * support. Each probes for the feature, never the version, and the logic
 * files use only the wrapper.
 */
#ifndef _ISOL_COMPAT_H
#define _ISOL_COMPAT_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>

/* Argument @n of the traced function, from an ftrace callback. */
#ifdef ftrace_regs_get_argument
#define isol_ftrace_arg(fregs, n) ftrace_regs_get_argument(fregs, n)
#else
/* Older x86: struct ftrace_regs wraps the pt_regs the trampoline saved. */
#define isol_ftrace_arg(fregs, n) regs_get_kernel_argument(&(fregs)->regs, n)
#endif

#endif /* _ISOL_COMPAT_H */

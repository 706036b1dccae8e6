// SPDX-License-Identifier: GPL-2.0
/*
 * Noise the task leaves open when it arms isolation: settings of its own
 * that will cause breaks later, whatever the module quiesces. Reported in
 * the enable reply and the state, for isolctl to print with the fix.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <uapi/linux/task_isolation.h>
#include "isol.h"
#include "isol_compat.h"

/*
 * Whether every mapping mlockall() can lock is locked, and future ones
 * will be. Mappings mlock() leaves alone (VM_SPECIAL: the vDSO, device
 * memory; hugetlb) cannot fault or migrate the way the others do. Without
 * @may_sleep only the mark for future mappings is read: right after exec,
 * which clears it, that is the whole answer.
 */
static bool isol_mm_locked(struct mm_struct *mm, bool may_sleep)
{
	bool locked = mm->def_flags & VM_LOCKED;
	struct vm_area_struct *vma;

	VMA_ITERATOR(vmi, mm, 0);
	if (!locked || !may_sleep)
		return locked;
	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		if (vma->vm_flags & (VM_SPECIAL | VM_HUGETLB))
			continue;
		if (!(vma->vm_flags & VM_LOCKED)) {
			locked = false;
			break;
		}
	}
	mmap_read_unlock(mm);
	return locked;
}

/* The current task's; @may_sleep is false in the exec tracepoint. */
u32 isol_predict_noise(bool may_sleep)
{
	struct mm_struct *mm = current->mm;
	u32 noise = 0;

	if (!isol_mm_locked(mm, may_sleep))
		noise |= ISOL_NOISE_UNLOCKED;
	if (!isol_mm_thp_disabled(mm))
		noise |= ISOL_NOISE_THP;
	if (get_nr_threads(current) > 1)
		noise |= ISOL_NOISE_THREADS;
	if (task_rlimit(current, RLIMIT_CPU) != RLIM_INFINITY)
		noise |= ISOL_NOISE_RLIMIT_CPU;
	return noise;
}

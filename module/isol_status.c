// SPDX-License-Identifier: GPL-2.0
/*
 * The status page: one read-only page per open file that tells the thread
 * which last armed isolation through it whether it is still isolated and
 * how often it was interrupted, without a syscall (asking would be one).
 * Writers follow a sequence count; see struct isol_status.
 */

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include "isol.h"
#include "isol_compat.h"

int isol_status_alloc(struct isol_file *ifile)
{
	BUILD_BUG_ON(ISOL_STATUS_SIZE != PAGE_SIZE);
	ifile->status_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ifile->status_page)
		return -ENOMEM;
	ifile->status = page_address(ifile->status_page);
	ifile->status->cpu = -1;
	raw_spin_lock_init(&ifile->status_lock);
	return 0;
}

/* A mapping keeps its own reference: the page outlives the file if mapped. */
void isol_status_free(struct isol_file *ifile)
{
	put_page(ifile->status_page);
}

int isol_status_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct isol_file *ifile = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != ISOL_STATUS_SIZE)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	/* Never writable or executable later through mprotect(). */
	isol_vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	isol_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	/* Populated now, so reading it can never fault. */
	return vm_insert_page(vma, vma->vm_start, ifile->status_page);
}

/*
 * Show @t on its file's page, if it is the thread the page describes.
 * Any context; takes t->lock inside status_lock.
 */
void isol_status_update(struct isol_task *t)
{
	struct isol_file *ifile = t->ifile;
	struct isol_status *s = ifile->status;
	unsigned long flags;

	raw_spin_lock_irqsave(&ifile->status_lock, flags);
	if (ifile->status_owner != t)
		goto out;
	WRITE_ONCE(s->seq, s->seq + 1);
	/* Readers see the odd count before any field changes. */
	smp_wmb();
	raw_spin_lock(&t->lock);
	WRITE_ONCE(s->state, atomic_read(&t->state));
	WRITE_ONCE(s->cpu, t->cpu);
	WRITE_ONCE(s->pid, t->status_pid);
	WRITE_ONCE(s->nr_breaks, t->nr_breaks);
	WRITE_ONCE(s->last_cause, t->last.b.cause);
	WRITE_ONCE(s->end_cause, READ_ONCE(t->end_cause));
	WRITE_ONCE(s->last_break_ns, t->last.b.time_ns);
	raw_spin_unlock(&t->lock);
	/* Every field is written before the count turns even again. */
	smp_wmb();
	WRITE_ONCE(s->seq, s->seq + 1);
out:
	raw_spin_unlock_irqrestore(&ifile->status_lock, flags);
}

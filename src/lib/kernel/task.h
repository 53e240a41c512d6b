// The task list and per-task memory (mm, VMAs).
#ifndef VMT_KERNEL_TASK_H
#define VMT_KERNEL_TASK_H

#include "kernel/kernel.h"

/**
 * Walk every task (processes from init_task.tasks, threads from each
 * signal->thread_head or thread_group) into a new array (free()).
 * A cyclic or broken list stops with a warning naming the address.
 */
struct vmt_error *task_list(struct kernel *k, struct vmt_task **ret,
			    size_t *nr_ret);

/** The VMAs of mm @p mm (maple tree or linked list), as /proc/PID/maps. */
struct vmt_error *task_vmas(struct kernel *k, const struct vmt_task *task,
			    struct vmt_mm_info *mm_ret, struct vmt_vma **ret,
			    size_t *nr_ret);

#endif

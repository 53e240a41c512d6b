// The task list and per-task memory (mm, VMAs).
#ifndef VMT_KERNEL_TASK_H
#define VMT_KERNEL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

/**
 * Walk every task (processes from init_task.tasks, threads from each
 * signal->thread_head or thread_group) into a new array (free()).
 * init_task ("swapper/0", pid 0) comes first, then the idle tasks of the
 * other CPUs when runqueues can be read. A cyclic or broken list stops,
 * and a task that cannot be read is skipped, with a warning naming the
 * address: the tasks read are returned, and @p broken_ret says what broke
 * first (NULL if nothing did; free it). An init_task that cannot be read
 * is an error naming the cause.
 */
struct vmt_error *task_list(struct kernel *k, struct vmt_task **ret,
			    size_t *nr_ret, struct vmt_error **broken_ret);

/**
 * The VMAs of @p task's mm (maple tree or linked list), as
 * /proc/PID/maps shows them. A task without an mm has none. Every path is
 * allocated ("" when anonymous); free each, then the array. A tree or list
 * that breaks part-way, or a VMA that cannot be read, ends the list there
 * and is named in @p mm_ret->broken.
 */
struct vmt_error *task_vmas(struct kernel *k, const struct vmt_task *task,
			    struct vmt_mm_info *mm_ret, struct vmt_vma **ret,
			    size_t *nr_ret);

/**
 * The /proc state letter ("RSDTtXZPI") of a task from its __state (or
 * state) and exit_state, as task_state_to_char() of include/linux/sched.h.
 */
char task_state_char(uint64_t state, uint64_t exit_state);

/** "rwxp" / "r--s" ... of vm_flags, as show_vma_header_prefix(). */
void vma_perms(uint64_t vm_flags, char perms[5]);

/**
 * "[heap]", "[stack]" or NULL for an anonymous VMA without another name:
 * vma_is_initial_heap() (@p strict_heap, 6.6+: start < brk && end >
 * start_brk; before: start <= brk && end >= start_brk), then
 * vma_is_initial_stack() (start <= start_stack <= end).
 */
const char *vma_heap_or_stack(uint64_t start, uint64_t end, uint64_t brk,
			      uint64_t start_brk, uint64_t start_stack,
			      bool strict_heap);

/**
 * Escape @p path as seq_path(m, path, "\n") does ("\n" -> "\012").
 * @param[out] ret New string (free()); written only on success.
 */
struct vmt_error *vma_escape_path(const char *path, char **ret);

/**
 * One /proc/PID/maps line of @p vma with its trailing newline, as
 * show_map_vma(): "start-end perms offset major:minor inode", padded to
 * column 73 before a name. @p vma->path is printed as is (already
 * escaped).
 * @param[out] ret New string (free()); written only on success.
 */
struct vmt_error *vma_format_maps_line(const struct vmt_vma *vma, char **ret);

#endif

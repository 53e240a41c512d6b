// The task list and per-task memory (mm, VMAs).
#ifndef VMT_KERNEL_TASK_H
#define VMT_KERNEL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/percpu.h"
#include "kernel/stack.h"

/** What task_list() uses besides memory; any part may be missing. */
struct task_list_input {
	/** init_task, or 0 to find it (task_find_init_task()). */
	uint64_t init_task;
	/** THREAD_SIZE (kernel_stacks), 0 for 16K. */
	uint64_t thread_size;
	/** The CPUs and per-CPU areas, or NULL. */
	const struct percpu *percpu;
	/** runqueues' offset in the per-CPU area, if known. */
	bool have_runqueues;
	uint64_t runqueues_offset;
	/** The per-CPU stacks, or NULL. */
	const struct kernel_stacks *stacks;
};

/** The task current on one CPU at dump time. */
struct task_cpu {
	/** The task_struct, 0 if unknown (then how says why). */
	uint64_t task;
	/** Index of the CPU's NT_PRSTATUS note, -1 if it has none. */
	int note;
	char how[160];
};

/**
 * Walk every task (processes from init_task.tasks, threads from each
 * signal->thread_head or thread_group) into a new array (free()).
 * init_task ("swapper/0", pid 0) comes first, then the idle tasks of the
 * other CPUs (rq->idle) when the runqueues can be read. A cyclic or broken
 * list stops, and a task that cannot be read is skipped, with a warning
 * naming the address: the tasks read are returned, and @p broken_ret says
 * what broke first (NULL if nothing did; free it). An init_task that
 * cannot be read is an error naming the cause.
 *
 * Every CPU gets exactly one current task (@p cpus_ret, one per CPU; the
 * task's oncpu and cpu are set): the task whose stack holds the sp of the
 * CPU's NT_PRSTATUS note (the registers are what ran; rq->curr changes
 * before a switch completes), else rq->curr (the sp was on a per-CPU
 * stack, or the CPU has no note), which is the CPU's idle task when
 * nothing else ran.
 */
struct vmt_error *task_list(struct kernel *k, const struct task_list_input *in,
			    struct vmt_task **ret, size_t *nr_ret,
			    struct task_cpu **cpus_ret,
			    unsigned int *nr_cpus_ret,
			    struct vmt_error **broken_ret);

/**
 * The address of init_task: its symbol, else found by scanning the
 * kernel's data for the task named "swapper/0" (then remembered as a
 * derived symbol).
 */
struct vmt_error *task_find_init_task(struct kernel *k, uint64_t *ret);

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

// Kernel stacks: which stacks a task has (its task stack, and on a CPU
// that CPU's IRQ, overflow and SDEI stacks), their sizes, the pt_regs and
// cpu_context layouts, and the backtrace of a task through
// arch/arm64/unwind.c.
#ifndef VMT_KERNEL_STACK_H
#define VMT_KERNEL_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/unwind.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"

/** Stacks a task may run on. */
enum kstack_kind {
	KSTACK_TASK,
	KSTACK_IRQ,
	KSTACK_OVERFLOW,
	KSTACK_SDEI_NORMAL,
	KSTACK_SDEI_CRITICAL,
	KSTACK_KINDS,
};

/** "task", "irq", "overflow", "sdei_normal", "sdei_critical". */
const char *kstack_kind_name(enum kstack_kind kind);

/** Kernel-wide facts about stacks, found once. */
struct kernel_stacks {
	/** THREAD_SIZE, and how it was decided (for explain). */
	uint64_t thread_size;
	char thread_size_how[160];
	/** Size of each kind of stack (IRQ_STACK_SIZE = THREAD_SIZE, ...). */
	uint64_t size[KSTACK_KINDS];
	/**
	 * [cpu][kind]: low end of the CPU's stacks (0 unknown); [TASK]
	 * unused.
	 */
	unsigned int nr_cpus;
	uint64_t (*cpu)[KSTACK_KINDS];
	/** Why the per-CPU stacks are unknown, if they are. */
	char cpu_how[160];
	/** task_struct.stack and thread.cpu_context.{fp,sp,pc}. */
	bool have_task_stack, have_cpu_context;
	uint64_t task_stack, ctx_fp, ctx_sp, ctx_pc;
	/** struct pt_regs, when the types give it. */
	bool have_pt_regs;
	struct arm64_pt_regs_layout pt_regs;
	/**
	 * Exception entry code [start, end) (__entry_text_start/end), 0
	 * unknown.
	 */
	uint64_t entry_start, entry_end;
	/** Kernel text: [_stext, _etext), [_sinittext, _einittext). */
	uint64_t text_start, text_end, inittext_start, inittext_end;
	uint64_t pac_mask;
};

/**
 * Find the stack facts: THREAD_SIZE from the page size, KASAN and
 * VMAP_STACK (whether a task's stack is vmap'ed, from the task after
 * @p init_task), the per-CPU stacks through @p pc, the layouts from the
 * types. Free with kernel_stacks_destroy().
 */
struct vmt_error *kernel_stacks_load(struct kernel *k, const struct percpu *pc,
				     uint64_t init_task,
				     struct kernel_stacks **ret);

void kernel_stacks_destroy(struct kernel_stacks *ks);

/** The low end of the task stack of the task at @p task (task->stack). */
struct vmt_error *kernel_task_stack(struct kernel *k,
				    const struct kernel_stacks *ks,
				    uint64_t task, uint64_t *ret);

/**
 * Which per-CPU stack holds @p addr: false if none; else its CPU and
 * kind.
 */
static inline bool kernel_stacks_cpu_stack(const struct kernel_stacks *ks,
					   uint64_t addr,
					   unsigned int *cpu_ret,
					   enum kstack_kind *kind_ret)
{
	for (unsigned int c = 0; c < ks->nr_cpus; c++) {
		for (int kind = KSTACK_IRQ; kind < KSTACK_KINDS; kind++) {
			uint64_t low = ks->cpu[c][kind];

			if (low && addr >= low && addr - low < ks->size[kind]) {
				*cpu_ret = c;
				*kind_ret = (enum kstack_kind)kind;
				return true;
			}
		}
	}
	return false;
}

/** Whether @p addr is kernel text (core kernel, init text). */
bool kernel_stacks_is_text(const struct kernel_stacks *ks, uint64_t addr);

/** Where a backtrace starts and what stacks it may use. */
struct kernel_bt_request {
	/** The task (struct task_struct address). */
	uint64_t task;
	/** The CPU the task was running on, -1 if it was not running. */
	int cpu;
	/** That CPU's registers (NT_PRSTATUS), or NULL: thread.cpu_context. */
	const struct vmt_cpu_regs *regs;
};

/** A backtrace and the stacks it was allowed to use. */
struct kernel_bt {
	struct arm64_unwind_result res;
	struct arm64_stack stacks[KSTACK_KINDS];
	size_t nr_stacks;
	/** Why it starts where it does ("NT_PRSTATUS of CPU 0", ...). */
	char start_how[160];
	/**
	 * task->stack is NULL: a dead task's stack is freed
	 * (put_task_stack()); there is nothing to unwind.
	 */
	bool no_stack;
};

/**
 * Unwind the stack of @p req->task. A broken chain is a result (end
 * BROKEN with the reason), not an error; an error means the task itself
 * could not be read. Free with kernel_bt_deinit().
 */
struct vmt_error *kernel_backtrace(struct kernel *k,
				   const struct kernel_stacks *ks,
				   const struct kernel_bt_request *req,
				   struct kernel_bt *ret);

void kernel_bt_deinit(struct kernel_bt *bt);

#endif

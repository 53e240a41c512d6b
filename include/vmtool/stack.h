/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file stack.h
 * Kernel stack traces of the tasks of a dump (arm64 frame records), with
 * exception frames, per-CPU stacks and symbols as /proc/PID/stack shows
 * them.
 */
#ifndef VMTOOL_STACK_H
#define VMTOOL_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/program.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a frame's pc was found. */
enum vmt_frame_kind {
	/** The pc of a CPU's registers or of an exception frame (exact). */
	VMT_FRAME_PC,
	/** The link register of a function that had not stored its frame. */
	VMT_FRAME_LR,
	/** A return address from a frame record. */
	VMT_FRAME_RETURN,
	/** The pc saved at the task's last context switch (cpu_context). */
	VMT_FRAME_SAVED,
};

/** Registers: x0..x30, sp, pc, pstate. */
struct vmt_regs {
	/** General-purpose registers x0..x30 (x29 the frame pointer, x30 lr). */
	uint64_t x[31];
	/** Stack pointer. */
	uint64_t sp;
	/** Program counter. */
	uint64_t pc;
	/** PSTATE (SPSR of an exception frame): mode, flags, masks. */
	uint64_t pstate;
};

/** One frame of a backtrace. */
struct vmt_frame {
	/** How pc was found. */
	enum vmt_frame_kind kind;
	/** The pc, pointer authentication code removed. */
	uint64_t pc;
	/** The pc as stored on the stack (may be signed). */
	uint64_t raw_pc;
	/**
	 * Lowest stack address of the frame: the registers' sp for the first
	 * frame and an exception's interrupted pc, else just above the
	 * callee's frame record.
	 */
	uint64_t sp;
	/** x29 in this frame. */
	uint64_t fp;
	/**
	 * The function: looked up at pc for VMT_FRAME_PC, at pc - 1 for a
	 * return address (as %pB and /proc/PID/stack do), so that a call
	 * that never returns is named by its caller. NULL when pc is not
	 * known kernel code. Borrowed from the program.
	 */
	const char *symbol;
	/** pc - the symbol's address (may equal size for a return address). */
	uint64_t offset;
	/** The symbol's size, 0 if unknown. */
	uint64_t size;
	/** The module of the symbol, NULL for the kernel itself or unknown. */
	const char *module;
	/**
	 * "task", "irq", "overflow", "sdei_normal", "sdei_critical", or
	 * NULL.
	 */
	const char *stack;
	/**
	 * This frame is exception entry code (el1h_64_irq, el0t_64_sync, ...)
	 * and regs are the registers it saved in a struct pt_regs at
	 * regs_addr: the interrupted context (user is set when that was
	 * user mode: the trace ends here).
	 */
	bool has_regs;
	/** has_regs: the interrupted context was user mode. */
	bool user;
	/** has_regs: address of the struct pt_regs. */
	uint64_t regs_addr;
	/** has_regs: the registers saved there. */
	struct vmt_regs regs;
	/** The stack words of the frame (bt -f): [words_start, words_end). @{ */
	uint64_t words_start, words_end;
	/** @} */
};

/** How a trace ended. */
enum vmt_bt_end {
	/** At the task's first frame (kernel thread entry, final record). */
	VMT_BT_END_STACK_TOP,
	/**
	 * At the exception from user mode (the last frame has the user
	 * registers).
	 */
	VMT_BT_END_USER_ENTRY,
	/** The CPU was in user mode: no kernel frame. */
	VMT_BT_END_USER_MODE,
	/** A zero frame pointer. */
	VMT_BT_END_ZERO_FP,
	/** A broken chain: reason says where and why. */
	VMT_BT_END_BROKEN,
	/** Too many frames. */
	VMT_BT_END_LIMIT,
	/** The task has no stack (task->stack NULL: it exited). */
	VMT_BT_END_NO_STACK,
};

/** A stack a trace may use. */
struct vmt_stack_range {
	/** "task", "irq", "overflow", "sdei_normal" or "sdei_critical". */
	const char *name;
	/** Its lowest address. */
	uint64_t low;
	/** One past its highest address (where the stack starts). */
	uint64_t high;
};

/** A task's backtrace. */
struct vmt_backtrace {
	/** The task (borrowed from the program's task list). */
	const struct vmt_task *task;
	/** The CPU it was running on at dump time, -1 if none. */
	int cpu;
	/** Where the trace starts ("registers of CPU 0 (NT_PRSTATUS)", ...). */
	const char *start;
	/** The frames, innermost (the running function) first. */
	struct vmt_frame *frames;
	/** Number of entries in frames. */
	size_t nr_frames;
	/** How the trace ended. */
	enum vmt_bt_end end;
	/**
	 * "stack_top", "user_entry", "user_mode", "zero_fp", "broken",
	 * "limit", "no_stack".
	 */
	const char *end_name;
	/** For VMT_BT_END_BROKEN: the address and what was wrong. */
	const char *reason;
	/** The stacks the trace was allowed to use. */
	struct vmt_stack_range stacks[8];
	/** Number of entries of stacks in use. */
	size_t nr_stacks;
};

/**
 * The kernel stack trace of @p task (from vmt_program_tasks()). A task
 * running on a CPU starts from that CPU's registers (NT_PRSTATUS), any
 * other from the context saved at its last switch (thread.cpu_context).
 * A broken chain is a result (end BROKEN with the reason). @p flags must
 * be 0. Free with vmt_backtrace_destroy().
 */
struct vmt_error *vmt_program_backtrace(struct vmt_program *prog,
					const struct vmt_task *task,
					unsigned int flags,
					struct vmt_backtrace **ret);

/** Free a backtrace; accepts NULL. */
void vmt_backtrace_destroy(struct vmt_backtrace *bt);

/** A kernel text address found in a stack word (bt -t). */
struct vmt_stack_text {
	/** Where the word is. */
	uint64_t addr;
	/** The word, pointer authentication code removed. */
	uint64_t value;
	/** The function of value - 1 (a return address), borrowed. */
	const char *symbol;
	/** value - the symbol's address. */
	uint64_t offset;
	/** The symbol's size, 0 if unknown. */
	uint64_t size;
	/** The symbol's module, NULL for the kernel itself. */
	const char *module;
	/** The stack holding the word. */
	const char *stack;
};

/**
 * Every word of @p task's stacks, from its starting sp upwards, that holds
 * a kernel text address: what a broken frame chain leaves to read. The
 * stack holding the sp is read from there (a CPU's IRQ, overflow or SDEI
 * stack only then), the task stack to its top. The
 * array is malloc'd (free()); symbols are borrowed from the program.
 */
struct vmt_error *vmt_program_stack_text(struct vmt_program *prog,
					 const struct vmt_task *task,
					 struct vmt_stack_text **ret,
					 size_t *nr_ret);

/** A source location of a code address (bt -l). */
struct vmt_source_line {
	/** The function (the inlined one for an inlined call). */
	const char *function;
	/** The source file, as the DWARF line table names it. */
	const char *file;
	/** The line number in file (0 if unknown). */
	int line;
	/** This function was inlined into the next entry's. */
	bool inlined;
};

/**
 * The source lines of @p pc from the vmlinux's DWARF: the innermost
 * inlined function first, then each caller it was inlined into, ending
 * with the containing function. @p is_return: @p pc is a return address
 * (the call is at pc - 1). NOT_FOUND without a vmlinux or line data.
 * Free with vmt_source_lines_free().
 */
struct vmt_error *vmt_program_source_lines(struct vmt_program *prog,
					   uint64_t pc, bool is_return,
					   struct vmt_source_line **ret,
					   size_t *nr_ret);

/** Free what vmt_program_source_lines() returned. */
void vmt_source_lines_free(struct vmt_source_line *lines, size_t nr);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_STACK_H */

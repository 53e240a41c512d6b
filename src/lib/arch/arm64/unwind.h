// arm64 frame-record unwinding (AAPCS64: x29 points at a 16-byte record
// {previous x29, return address}). Knows no kernel structure by name:
// memory comes through a callback, the stacks, the pt_regs layout and the
// code ranges are given by the caller (kernel/stack.c).
#ifndef VMT_ARM64_UNWIND_H
#define VMT_ARM64_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/** Read @p len bytes of (kernel) memory at @p addr. */
typedef struct vmt_error *arm64_unwind_read_fn(void *arg, uint64_t addr,
					       void *buf, size_t len);

/**
 * The function containing @p addr: its start, false when @p addr is not
 * known code (no symbol, or outside kernel and module text).
 */
typedef bool arm64_unwind_func_fn(void *arg, uint64_t addr,
				  uint64_t *start_ret);

/**
 * Whether @p addr lies in the exception entry code (vectors, el1h_64_irq,
 * ...).
 */
typedef bool arm64_unwind_entry_fn(void *arg, uint64_t addr);

/** A stack the unwinder may walk: [low, high). */
struct arm64_stack {
	uint64_t low, high;
	/** The caller's name for it ("task", "irq", "overflow", ...). */
	const char *name;
};

/** Where struct pt_regs keeps what the unwinder needs (byte offsets). */
struct arm64_pt_regs_layout {
	uint64_t size;
	uint64_t regs; // regs[0]; x29 and x30 follow at +8*29, +8*30
	uint64_t sp, pc, pstate;
	/** The frame record embedded in pt_regs (pt_regs::stackframe). */
	uint64_t stackframe;
	/**
	 * stackframe is a struct frame_record_meta {record; type} (6.13+):
	 * a zeroed record whose type says FINAL (1) or PT_REGS (2).
	 */
	bool meta;
	uint64_t meta_type;
};

/** The registers of an exception frame or of a CPU. */
struct arm64_regs {
	uint64_t x[31];
	uint64_t sp, pc, pstate;
};

/** What the unwinder is given. */
struct arm64_unwind_params {
	arm64_unwind_read_fn *read;
	void *arg;
	bool big_endian;
	/**
	 * Bits to set in a kernel return address to remove its pointer
	 * authentication code: GENMASK(63, VA bits in effect)
	 * (KERNELPACMASK); 0 leaves addresses alone.
	 */
	uint64_t pac_mask;
	/** The stacks the task may use; a frame record must lie in one. */
	const struct arm64_stack *stacks;
	size_t nr_stacks;
	/** NULL: exception frames are not decoded. */
	const struct arm64_pt_regs_layout *pt_regs;
	/** May be NULL (no exception decoding without it). */
	arm64_unwind_entry_fn *is_entry;
	/** May be NULL (then a start register set never adds its lr). */
	arm64_unwind_func_fn *func;
	/**
	 * &task_pt_regs(task)->stackframe: the record that ends a task's
	 * chain (0 when unknown).
	 */
	uint64_t final_fp;
	/** Stop after this many frames (0: 4096). */
	size_t max_frames;
};

/** How a frame's pc was found. */
enum arm64_frame_kind {
	/** The pc of the starting registers or of an exception frame. */
	ARM64_FRAME_PC,
	/**
	 * The link register of a function that had not stored its frame
	 * record yet (a leaf, or a prologue not run): a return address.
	 */
	ARM64_FRAME_LR,
	/** A return address from a frame record. */
	ARM64_FRAME_RETURN,
	/** A saved pc that is a return address (thread.cpu_context.pc). */
	ARM64_FRAME_SAVED,
};

/** One frame. */
struct arm64_frame {
	enum arm64_frame_kind kind;
	/** pc with its pointer authentication code removed. */
	uint64_t pc;
	/** pc as stored (signed). */
	uint64_t raw_pc;
	/**
	 * Lowest stack address of the frame: the sp of the registers for
	 * PC/LR frames, else just above the callee's frame record.
	 */
	uint64_t sp;
	/** x29 while in this frame. */
	uint64_t fp;
	/** Index in params.stacks of sp, -1 if none. */
	int stack;
	/**
	 * This frame is exception entry code: the registers it saved (the
	 * interrupted context) are in regs, read from regs_addr. The next
	 * frame is the interrupted pc, unless user is set.
	 */
	bool has_regs;
	uint64_t regs_addr;
	struct arm64_regs regs;
	/** regs are the user-mode registers of the task (EL0). */
	bool user;
};

/** How a trace ended. */
enum arm64_unwind_end {
	/** At the task's final frame record (a kernel thread's first frame). */
	ARM64_END_FINAL,
	/**
	 * At the exception from user mode: the last frame has the user
	 * registers.
	 */
	ARM64_END_USER,
	/** The starting registers were user mode (EL0): no kernel frame. */
	ARM64_END_USER_MODE,
	/** A zero frame pointer (kernels without a final frame record). */
	ARM64_END_ZERO,
	/** A broken chain: reason says where and why. */
	ARM64_END_BROKEN,
	/** max_frames reached. */
	ARM64_END_LIMIT,
};

/** Short name of @p end ("stack_top", "user_entry", ...). */
const char *arm64_unwind_end_name(enum arm64_unwind_end end);

/** A trace. Free with arm64_unwind_result_deinit(). */
struct arm64_unwind_result {
	struct arm64_frame *frames;
	size_t nr;
	enum arm64_unwind_end end;
	/** For END_BROKEN: the address and what was wrong. */
	char reason[256];
};

void arm64_unwind_result_deinit(struct arm64_unwind_result *res);

/** Where to start. */
struct arm64_unwind_start {
	/** Registers of a CPU (NT_PRSTATUS): pc, sp, x29, x30, pstate. */
	bool has_regs;
	struct arm64_regs regs;
	/**
	 * Else a saved context (thread.cpu_context): pc is a return
	 * address.
	 */
	uint64_t pc, sp, fp;
};

/**
 * Unwind from @p start. Every step must land on a frame record inside one
 * of the stacks, above the previous record when on the same stack, and on
 * a stack not already left; otherwise the trace ends as BROKEN with the
 * reason. Only an allocation failure is an error.
 *
 * Registers of a CPU: the frame of pc comes first; then x30 when the
 * function at pc had not stored its frame record yet (see unwind.c).
 * Exception boundaries: a return address in entry code (@p is_entry)
 * whose caller's record is the stackframe of a pt_regs (6.13+: a meta
 * record of type PT_REGS) is an exception frame: its registers are
 * decoded and the trace goes on from the interrupted pc and x29; from
 * user mode, the trace ends there.
 */
struct vmt_error *arm64_unwind(const struct arm64_unwind_params *params,
			       const struct arm64_unwind_start *start,
			       struct arm64_unwind_result *ret);

/** @p addr with its pointer authentication code removed (see pac_mask). */
uint64_t arm64_strip_pac(uint64_t addr, uint64_t pac_mask);

/** Whether @p pstate is a user-mode (EL0, AArch64 or AArch32) state. */
bool arm64_pstate_user(uint64_t pstate);

#endif

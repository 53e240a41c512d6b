// The parts of a vmt_program (only program.c and its helpers look inside).
#ifndef VMT_PROGRAM_INTERNAL_H
#define VMT_PROGRAM_INTERNAL_H

#include "arch/arm64/layout.h"
#include "base/warnings.h"
#include "debuginfo/combined.h"
#include "dump/dump.h"
#include "kernel/kernel_ctx.h"
#include "kernel/printk.h"
#include "kernel/runq.h"
#include "kernel/percpu.h"
#include "kernel/stack.h"
#include "kernel/task.h"
#include "kernel/memmap.h"
#include "kernel/memmap_free.h"
#include "mem/address_space.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/module.h"
#include "vmtool/program.h"
#include "vmtool/sys.h"

struct vmt_program {
	struct dump *dump;
	struct vmcoreinfo vi;
	struct warnings warnings;

	/** NULL when the layout could be built; else why not. */
	struct vmt_error *layout_err;
	struct arm64_layout layout;
	struct address_space *as;
	/** kimage end refined from the _end symbol (once). */
	bool layout_refined;
	struct vmt_layout_item *explain;
	size_t nr_explain;

	struct debuginfo di;
	struct kernel kernel;

	struct vmt_dump_info info;
	/** "recovered from memory at physical 0x..." when that is the origin. */
	char vmcoreinfo_origin[80];
	struct vmt_kv *kv;
	const char *compression[COMPRESSION_COUNT];

	bool tasks_loaded;
	/** task_list() is running (program_module.c's lookups must not recurse). */
	bool tasks_loading;
	struct vmt_task *tasks;
	size_t nr_tasks;
	/** What cut the task list short, or NULL. */
	struct vmt_error *tasks_broken;

	/** The kernel log (program_log.c), read on first use. */
	bool log_loaded;
	struct printk_result log_res;
	struct vmt_log log;
	char log_source[512];

	/** `sys` (program_sys.c), gathered on first use. */
	bool sys_loaded;
	struct vmt_sysinfo sys;

	/** The task current on each CPU (with the tasks). */
	struct task_cpu *cpu_tasks;
	unsigned int nr_cpu_tasks;

	/** Per-CPU facts (program_percpu.c), loaded on first use. */
	bool percpu_loaded;
	struct percpu *percpu;
	/** Stack facts (program_stack.c), loaded on first use. */
	bool stacks_loaded;
	struct kernel_stacks *stacks;

	/** Runqueue member offsets (program_runq.c), on first use. */
	bool runq_layout_loaded;
	struct runq_layout runq_layout;

	/** Types made up by expressions (program_value.c), on first use. */
	struct value_types *value_types;
	/** Modules (program_module.c): 0 not loaded, 1 loading, 2 loaded. */
	int modules_state;
	struct vmt_module *modules;
	size_t nr_modules;
	/** Why the list is partial or missing (kept; copied to callers). */
	struct vmt_error *modules_err;
	char modules_how[400];

	/** What kmem needs, gathered on first use (program_kmem.c). */
	struct program_kmem *kmem;

	/** The memmap (program_page.c), built on first use. */
	bool memmap_tried;
	struct vmt_error *memmap_err;
	struct memmap_layout memmap;
	struct memmap_walk memmap_walk;
	/** Free blocks of the free lists, when there are no buddy marks. */
	struct memmap_free_block *free_blocks;
	size_t nr_free_blocks;
};

/** Free what program_value.c made (vmt_program_destroy()). */
void program_value_deinit(struct vmt_program *prog);

/** Free what program_log.c cached (vmt_program_destroy()). */
void program_log_deinit(struct vmt_program *prog);

/** A new `explain` item named @p name (NULL if out of memory). */
struct vmt_layout_item *program_explain_item(struct vmt_program *prog,
					     const char *name);

/**
 * The CPUs and their per-CPU areas (loaded once; see kernel/percpu.h).
 * Borrowed, valid as long as @p prog.
 */
struct vmt_error *program_percpu(struct vmt_program *prog,
				 const struct percpu **ret);

/** Add the per-CPU items to `explain` (program_percpu.c). */
void program_explain_percpu(struct vmt_program *prog);

/**
 * The stack facts (THREAD_SIZE, per-CPU stacks, pt_regs layout), loaded
 * once (program_stack.c). Borrowed.
 */
struct vmt_error *program_stacks(struct vmt_program *prog,
				 const struct kernel_stacks **ret);

/** What task_list() needs: per-CPU areas and stack facts, where known. */
void program_task_input(struct vmt_program *prog,
			struct task_list_input *ret);

/** Add the stack items to `explain` (program_stack.c). */
void program_explain_stacks(struct vmt_program *prog);

/** Where the node data of the free lists is (VMCOREINFO, symbols). */
void program_free_nodes(struct vmt_program *prog,
			struct memmap_free_nodes *ret);

/**
 * The memmap layout and the program's walker over it (built once; the
 * error, e.g. VMCOREINFO without SIZE(page), is returned each time).
 */
struct vmt_error *program_memmap(struct vmt_program *prog,
				 struct memmap_walk **ret);

/** Free the memmap state (vmt_program_destroy). */
void program_page_deinit(struct vmt_program *prog);

/** Page size of the kernel: PAGESIZE, else the layout's, else 4096. */
uint64_t program_page_size(struct vmt_program *prog);

/**
 * Tell symbol lookups how to strip addresses, where the kernel image is,
 * and how to find derived and module symbols (program_module.c).
 */
void program_symbol_ops_init(struct vmt_program *prog);

/** Free what kmem gathered (vmt_program_destroy). */
void program_kmem_destroy(struct vmt_program *prog);

/** Bound the kernel image by _end once symbols are known (program.c). */
void program_refine_layout(struct vmt_program *prog);

/** Fill @p item (may be NULL) with the module count and how they were found. */
void program_explain_modules(struct vmt_program *prog,
			     struct vmt_layout_item *item);

#endif

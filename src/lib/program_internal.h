// The parts of a vmt_program (only program.c and its helpers look inside).
#ifndef VMT_PROGRAM_INTERNAL_H
#define VMT_PROGRAM_INTERNAL_H

#include "arch/arm64/layout.h"
#include "base/warnings.h"
#include "debuginfo/combined.h"
#include "dump/dump.h"
#include "kernel/kernel_ctx.h"
#include "mem/address_space.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/program.h"

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
	struct vmt_kv *kv;
	const char *compression[COMPRESSION_COUNT];

	bool tasks_loaded;
	struct vmt_task *tasks;
	size_t nr_tasks;
	/** What cut the task list short, or NULL. */
	struct vmt_error *tasks_broken;
};

#endif

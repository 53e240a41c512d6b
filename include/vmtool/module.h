/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file module.h
 * Loaded kernel modules: the module list, each module's memory and, through
 * the symbol lookups of program.h, its own symbols.
 */
#ifndef VMTOOL_MODULE_H
#define VMTOOL_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/program.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of module memory (6.4+ mod_mem_type; older layouts mapped). */
enum vmt_module_mem_type {
	VMT_MODULE_MEM_TEXT = 0,
	VMT_MODULE_MEM_DATA,
	VMT_MODULE_MEM_RODATA,
	VMT_MODULE_MEM_RO_AFTER_INIT,
	VMT_MODULE_MEM_INIT_TEXT,
	VMT_MODULE_MEM_INIT_DATA,
	VMT_MODULE_MEM_INIT_RODATA,
	VMT_MODULE_MEM_COUNT,
};

/** One range of a module's memory. */
struct vmt_module_mem {
	/** "text", "data", "rodata", "ro_after_init", "init_text", ... */
	const char *name;
	/** Start address of the range. */
	uint64_t base;
	/** Bytes; 0 when absent (init memory after the module's init). */
	uint64_t size;
};

/** A loaded module. */
struct vmt_module {
	/** Address of its struct module. */
	uint64_t module;
	/** Name, as /proc/modules prints it. */
	char name[64];
	/** "Live", "Loading", "Unloading" or "Unformed". */
	const char *state;
	/** Text base, as /proc/modules prints it. */
	uint64_t base;
	/** Total size, as /proc/modules prints it. */
	uint64_t size;
	/** Users (refcnt - 1), or -1 without CONFIG_MODULE_UNLOAD. */
	int64_t refcount;
	/** mod->taints: bits numbered as the kernel's TAINT_* flags. */
	uint64_t taints;
	/** The letters of taints as /proc/modules prints them ("OE", or ""). */
	char taint_flags[16];
	/**
	 * Memory by kind. Before 6.4 the core_layout and init_layout blocks
	 * are split by their text_size, ro_size and ro_after_init_size.
	 */
	struct vmt_module_mem mem[VMT_MODULE_MEM_COUNT];
	/** Symbols in the module's own kallsyms (mod->kallsyms). */
	uint64_t nr_symbols;
};

/**
 * Every loaded module, in list order (/proc/modules order). Found through
 * the `modules` list head, or, where kallsyms has no data symbols, by
 * finding one struct module in the vmalloc areas and following its list
 * (vmt_program_modules_how() says which). A kernel without module support
 * has none. Loading the list also makes the modules' symbols known to
 * vmt_program_symbol_by_name() and vmt_program_symbol_by_addr(). Borrowed;
 * valid as long as @p prog. A broken list gives the modules read before
 * it and an error naming the broken entry (warnings keep it too).
 */
struct vmt_error *vmt_program_modules(struct vmt_program *prog,
				      const struct vmt_module **ret,
				      size_t *nr_ret);

/** How the module list was found ("" before vmt_program_modules()). */
const char *vmt_program_modules_how(struct vmt_program *prog);

/** The module named @p name; NOT_FOUND if none. */
struct vmt_error *vmt_program_module_by_name(struct vmt_program *prog,
					     const char *name,
					     const struct vmt_module **ret);

/** The module whose memory holds @p addr; NOT_FOUND if none. */
struct vmt_error *vmt_program_module_by_addr(struct vmt_program *prog,
					     uint64_t addr,
					     const struct vmt_module **ret);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_MODULE_H */

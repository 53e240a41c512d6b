// Loaded modules: struct module (include/linux/module.h) read through a
// kread_fn, the module list, finding that list without the `modules`
// symbol, and each module's own kallsyms.
#ifndef VMT_KERNEL_MODULE_H
#define VMT_KERNEL_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debuginfo/symtab.h"
#include "kernel/kernel.h"
#include "kernel/kread.h"
#include "vmtool/module.h"

/** Byte offsets (and sizes) of what is read in struct module and around. */
struct module_layout {
	uint64_t state, list, name, name_size, mkobj_mod, taints, kallsyms;
	bool has_refcnt;
	uint64_t refcnt;
	/** 6.4+: mem[] of struct module_memory {base, size}. */
	bool has_mem;
	uint64_t mem, mem_stride, mem_base, mem_size;
	unsigned int nr_mem;
	/** Before 6.4: core_layout, init_layout (data_layout on some arches). */
	uint64_t core_layout, init_layout, layout_base, layout_size;
	uint64_t layout_text_size, layout_ro_size, layout_ro_after_init_size;
	bool has_ro_after_init_size;
	bool has_data_layout;
	uint64_t data_layout;
	/** struct mod_kallsyms. */
	uint64_t ks_symtab, ks_num_symtab, ks_strtab, ks_typetab;
	bool has_typetab;
};

/** The offsets from the kernel's types (BTF or DWARF). */
struct vmt_error *module_layout_init(struct kernel *k,
				     struct module_layout *ret);

/**
 * Whether @p mod holds a consistent struct module: state in range, a name
 * made of identifier characters, mkobj.mod pointing at itself, and list
 * neighbours pointing back.
 */
bool module_is_valid(const struct module_layout *l, kread_fn *read,
		     void *arg, uint64_t mod);

/** Read module @p mod (name, state, memory, size, taints). */
struct vmt_error *module_read(const struct module_layout *l, kread_fn *read,
			      void *arg, uint64_t mod,
			      struct vmt_module *ret);

/**
 * Every module on the list at @p head, in order, skipping unformed ones
 * (as /proc/modules). At most @p max. On a broken list, *@p ret and
 * *@p nr_ret hold the modules before the break and the error names it.
 * *@p ret is malloc'd (free()), also on error; NULL if none.
 */
struct vmt_error *module_list(const struct module_layout *l, kread_fn *read,
			      void *arg, uint64_t head, size_t max,
			      struct vmt_module **ret, size_t *nr_ret);

/**
 * Find a struct module inside [@p start, @p end) (a module's memory) by
 * its mkobj.mod pointing at itself, then module_is_valid(); false if none.
 * Unreadable pages are skipped.
 */
bool module_scan(const struct module_layout *l, kread_fn *read, void *arg,
		 uint64_t start, uint64_t end, uint64_t *mod_ret);

/**
 * From module @p mod, walk its list to the one node that is not inside a
 * module (@p in_module tells): the list head. BAD_DATA if the ring has
 * none or several.
 */
struct vmt_error *module_find_head(const struct module_layout *l,
				   kread_fn *read, void *arg, uint64_t mod,
				   bool (*in_module)(void *arg, uint64_t addr),
				   void *in_module_arg, uint64_t *head_ret);

/**
 * The symbols of module @p m from its kallsyms (mod->kallsyms: symtab of
 * Elf64_Sym, strtab, typetab) into @p tab (finished); empty names are
 * skipped, as /proc/kallsyms does.
 */
struct vmt_error *module_symbols(const struct module_layout *l,
				 kread_fn *read, void *arg,
				 const struct vmt_module *m,
				 struct symtab *tab);

/**
 * The loaded modules (new array, free()) and where the list came from.
 * Also hands each module's symbols to the symbol lookups. An empty list
 * with @p how_ret saying why when the kernel has no module support.
 */
struct vmt_error *kernel_modules(struct kernel *k, struct vmt_module **ret,
				 size_t *nr_ret, char *how_ret,
				 size_t how_size);

#endif

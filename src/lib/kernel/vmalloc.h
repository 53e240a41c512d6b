// The kernel's vmalloc areas: the busy vmap_area list (VMCOREINFO
// SYMBOL(vmap_area_list) up to 6.8) or each vmap_node's busy list (6.9+),
// with each area's vm_struct (caller, size, flags).
#ifndef VMT_KERNEL_VMALLOC_H
#define VMT_KERNEL_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/kread.h"

/** vm_struct.flags bits stable since Linux 2.6 (include/linux/vmalloc.h). */
enum {
	VMALLOC_VM_IOREMAP = 0x1,
	VMALLOC_VM_ALLOC = 0x2,
	VMALLOC_VM_MAP = 0x4,
	VMALLOC_VM_USERMAP = 0x8,
};

/** One busy vmap_area and its vm_struct (when it has one). */
struct vmalloc_area {
	uint64_t vmap_area;
	uint64_t va_start, va_end;
	/** vm_struct address, 0 for a vm_map_ram area. */
	uint64_t vm;
	uint64_t addr, size, flags, caller, phys_addr;
	uint32_t nr_pages;
	/** Freed, on a lazy list awaiting purge (vmallocinfo's "unpurged"). */
	bool unpurged;
};

/** Byte offsets of the members read. */
struct vmalloc_layout {
	uint64_t va_start, va_end, va_list, va_vm;
	uint64_t vm_addr, vm_size, vm_flags, vm_nr_pages, vm_phys_addr,
		vm_caller;
};

/**
 * Walk the vmap_area list through @p head (its list member) and append
 * each area, with its vm_struct, to *@p areas (realloc'd; *@p nr and
 * *@p cap updated). At most @p max areas. A broken list or an unreadable
 * area gives an error naming it; the areas read before it are kept.
 * With @p unpurged (a lazy list of freed areas) no vm_struct is read: the
 * member then holds the augmented tree's subtree_max_size.
 */
struct vmt_error *vmalloc_walk_list(const struct vmalloc_layout *l,
				    kread_fn *read, void *arg, uint64_t head,
				    size_t max, bool unpurged,
				    struct vmalloc_area **areas, size_t *nr,
				    size_t *cap);

/** Sort @p areas by start and find the one holding @p addr (or NULL). */
void vmalloc_sort(struct vmalloc_area *areas, size_t nr);
const struct vmalloc_area *vmalloc_find(const struct vmalloc_area *areas,
					size_t nr, uint64_t addr);

/**
 * Every busy vmalloc area of the kernel, and the freed ones awaiting
 * purge where their list is known, sorted by address, into a new array
 * (free()). @p how_ret (may be NULL) says where the list came from;
 * @p lazy_known_ret (may be NULL) whether the freed areas' list was
 * found (up to Linux 6.8 it is a static data symbol, so a kernel without
 * CONFIG_KALLSYMS_ALL and without a vmlinux does not name it).
 * NOT_FOUND when the kernel's lists cannot be located. A broken list
 * gives the areas before it, with a warning naming it.
 */
struct vmt_error *vmalloc_areas(struct kernel *k, struct vmalloc_area **ret,
				size_t *nr_ret, char *how_ret,
				size_t how_size, bool *lazy_known_ret);

/** "ioremap", "vmalloc", "vmap", "user" or "" for @p flags. */
const char *vmalloc_kind(uint64_t flags);

#endif

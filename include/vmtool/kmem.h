/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file kmem.h
 * What a kernel address is (crash's `kmem ADDR`): a symbol, module
 * memory, a vmalloc area, a task's stack, a slab object, a page; and the
 * slab caches (`kmem -s`).
 */
#ifndef VMTOOL_KMEM_H
#define VMTOOL_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/page.h"
#include "vmtool/program.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What an address is. */
enum vmt_kmem_kind {
	/** Nothing known holds it. */
	VMT_KMEM_UNKNOWN,
	/** A kernel text or data symbol (of the image). */
	VMT_KMEM_SYMBOL,
	/** A module's memory. */
	VMT_KMEM_MODULE,
	/** A vmalloc area (not a stack). */
	VMT_KMEM_VMALLOC,
	/** A task's kernel stack. */
	VMT_KMEM_STACK,
	/** An object of a slab cache. */
	VMT_KMEM_SLAB,
	/** A page in use (page cache, anonymous, kernel, reserved). */
	VMT_KMEM_PAGE,
	/** A free page (in the buddy allocator). */
	VMT_KMEM_FREE,
	/** A page table page. */
	VMT_KMEM_PAGE_TABLE,
};

/**
 * The JSON name of @p kind: "unknown", "symbol", "module", "vmalloc",
 * "stack", "slab", "page", "free" or "page_table".
 */
const char *vmt_kmem_kind_name(enum vmt_kmem_kind kind);

/** What vmt_program_kmem() found; fields are valid as the has_* say. */
struct vmt_kmem {
	/** The address asked, tags and PAC bits stripped. */
	uint64_t address;
	/** What the address is; says which groups of fields below apply. */
	enum vmt_kmem_kind kind;
	/** "kernel image", "module", "vmalloc", "linear map", "vmemmap", "user". */
	const char *region;

	/** A symbol covering the address (kinds symbol, module, others). */
	bool has_symbol;
	/** That symbol (has_symbol). */
	struct vmt_symbol symbol;
	/** The address's offset from the symbol's start (has_symbol). */
	uint64_t symbol_offset;

	/** Module memory: the module's name, or NULL. */
	const char *module;
	/** Module memory: its kind ("text", "data", "rodata", ...). */
	const char *module_mem;

	/** A vmalloc area holding the address (also for a stack). */
	bool has_vmalloc;
	/** The vmap_area's range [vm_start, vm_end). @{ */
	uint64_t vm_start, vm_end;
	/** @} */
	/**
	 * Its vm_struct: size (with its guard page), flags (VM_*), the
	 * physical address of an ioremap, the caller that made it. @{
	 */
	uint64_t vm_size, vm_flags, vm_phys_addr, vm_caller;
	/** @} */
	/** Pages the area has (vm_struct.nr_pages). */
	uint32_t vm_nr_pages;
	/**
	 * "vmalloc", "ioremap", "vmap", "user" or "" from the flags;
	 * "vm_map_ram" for an area without a vm_struct, "unpurged" for one
	 * freed but not yet purged.
	 */
	const char *vm_kind;
	/** Whether vm_caller has a symbol. */
	bool has_vm_caller_symbol;
	/** The symbol of vm_caller (has_vm_caller_symbol). */
	struct vmt_symbol vm_caller_symbol;
	/** vm_caller's offset from that symbol. */
	uint64_t vm_caller_offset;

	/** A task's kernel stack: the task's pid. */
	int pid;
	/** A task's kernel stack: the task's comm. */
	char comm[16];
	/** A task's kernel stack: the task_struct's address. */
	uint64_t task;
	/**
	 * A task's kernel stack: its lowest address (task->stack) and size
	 * (THREAD_SIZE, or the pages of its vmalloc area). @{
	 */
	uint64_t stack_base, stack_size;
	/** @} */

	/** A slab object: its cache's name. */
	char cache[64];
	/** A slab object: the struct kmem_cache's address. */
	uint64_t kmem_cache;
	/** A slab object: the struct slab (its head page's struct page). */
	uint64_t slab;
	/** A slab object: the object's first byte. */
	uint64_t object;
	/** Offset of the address in the object. */
	uint64_t object_offset;
	/**
	 * A slab object: the cache's object_size, and its size (the slot:
	 * object plus metadata, aligned). @{
	 */
	uint32_t object_size, slot_size;
	/** @} */
	/** Whether allocated is known: false when a freelist could not be read. */
	bool allocated_known;
	/** The object is in use (on no freelist of its slab or CPU). */
	bool allocated;
	/** Where a free object was found: "slab freelist", "cpu N freelist". */
	char free_list[32];

	/** The physical address and struct page, for RAM addresses. */
	bool has_paddr;
	/** The physical address (has_paddr). */
	uint64_t paddr;
	/** Whether the struct page was read. */
	bool has_page;
	/** The struct page of paddr (has_page). */
	struct vmt_page page;
	/** For a free page: the buddy block's first struct page. */
	uint64_t free_block_page;
	/** For a free page: the buddy block's order (2^order pages). */
	unsigned int free_order;

	/** What could not be decided, or "" (e.g. per-CPU freelists unknown). */
	char note[200];
};

/**
 * Say what @p addr is. The order of questions: a task's stack, the
 * kernel image (symbols), a module, a vmalloc area, then RAM through the
 * struct page (slab object, free page, page table, other page). Only
 * failures to read the dump at all are errors; what cannot be told is
 * VMT_KMEM_UNKNOWN with a note.
 */
struct vmt_error *vmt_program_kmem(struct vmt_program *prog, uint64_t addr,
				   struct vmt_kmem *ret);

/** A slab cache as /proc/slabinfo counts it. */
struct vmt_slab_cache {
	/** Address of the struct kmem_cache. */
	uint64_t kmem_cache;
	/** The cache's name. */
	char name[64];
	/** Bytes of an object (kmem_cache.object_size). */
	uint32_t object_size;
	/** Bytes per object in a slab (object_size plus metadata, aligned). */
	uint32_t slot_size;
	/** Objects in a slab (kmem_cache.oo). */
	uint32_t objects_per_slab;
	/** Pages per slab: 1 << order. */
	uint32_t order;
	/** Counts (CONFIG_SLUB_DEBUG keeps them): false when unknown. */
	bool counts_known;
	/**
	 * Objects in use (total_objects minus the free objects of the partial
	 * slabs), objects, and slabs, summed over the nodes' kmem_cache_node
	 * as /proc/slabinfo sums them. @{
	 */
	uint64_t active_objects, total_objects, slabs;
	/** @} */
};

/**
 * Every slab cache, in slab_caches list order. The list head is the
 * slab_caches symbol or, without it, found from the cache of a task's
 * task_struct (its list ring passes through the head in the kernel's
 * data); vmt_program_slab_caches_how() says which. Borrowed, valid as
 * long as @p prog.
 */
struct vmt_error *vmt_program_slab_caches(struct vmt_program *prog,
					  const struct vmt_slab_cache **ret,
					  size_t *nr_ret);

/** The first slab cache named @p name; NOT_FOUND if none. */
struct vmt_error *
vmt_program_slab_cache_by_name(struct vmt_program *prog, const char *name,
			       const struct vmt_slab_cache **ret);

/** How the slab cache list was found ("" before it was). */
const char *vmt_program_slab_caches_how(struct vmt_program *prog);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_KMEM_H */

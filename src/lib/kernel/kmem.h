// What a kernel address is (kmem ADDR): the questions asked in order,
// over what the program has loaded (tasks, modules, vmalloc areas, the
// memmap, per-CPU bases).
#ifndef VMT_KERNEL_KMEM_H
#define VMT_KERNEL_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/memmap.h"
#include "kernel/percpu.h"
#include "kernel/slab.h"
#include "kernel/vmalloc.h"
#include "vmtool/kmem.h"
#include "vmtool/module.h"

/** What kmem_identify() looks through; a part that is missing is NULL/0. */
struct kmem_ctx {
	struct kernel *k;
	/** How slab memory is read (the kernel's memory; a buffer in tests). */
	kread_fn *read;
	void *read_arg;
	/** Tasks, and stacks[i] = tasks[i]'s task->stack (0 if unknown). */
	const struct vmt_task *tasks;
	const uint64_t *stacks;
	size_t nr_tasks;
	/** THREAD_SIZE where a stack's vmalloc area does not tell. */
	uint64_t thread_size;
	const struct vmt_module *mods;
	size_t nr_mods;
	const struct vmalloc_area *areas;
	size_t nr_areas;
	/** Why there are no areas ("" if there are). */
	const char *areas_note;
	struct memmap_walk *memmap;
	const char *memmap_note;
	const struct slab_layout *slab;
	const char *slab_note;
	/** Per-CPU bases and __per_cpu_start, for kmem_cache_cpu. */
	const struct percpu *percpu;
	bool has_per_cpu_start;
	uint64_t per_cpu_start;
	const char *percpu_note;
};

/** Fill @p ret for @p addr (untagged). See vmt_program_kmem(). */
struct vmt_error *kmem_identify(const struct kmem_ctx *c, uint64_t addr,
				struct vmt_kmem *ret);

/**
 * Whether @p object of @p cache's slab @p s (first object slot at
 * @p start) is free: on the slab's freelist, or on the lockless freelist
 * of the CPU that owns the slab (per-CPU bases needed for that). Fills
 * ret->allocated, allocated_known, free_list and note.
 */
void kmem_slab_object_state(const struct kmem_ctx *c,
			    const struct slab_cache *cache,
			    const struct slab_info *s, uint64_t start,
			    uint64_t object, struct vmt_kmem *ret);

#endif

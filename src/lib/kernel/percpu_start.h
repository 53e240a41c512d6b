// Where .data..percpu starts (__per_cpu_start) when no symbol says: a
// dynamic per-CPU pointer (alloc_percpu(), e.g. kmem_cache.cpu_slab) is
// an address in that section's space, and CPU n's copy lies at
// ptr - __per_cpu_start + base[n] (include/asm-generic/percpu.h:
// per_cpu_ptr(ptr, cpu) = ptr + __per_cpu_offset[cpu], and base[n] =
// __per_cpu_start + __per_cpu_offset[n]).
#ifndef VMT_KERNEL_PERCPU_START_H
#define VMT_KERNEL_PERCPU_START_H

#include <stdint.h>

#include "kernel/kread.h"
#include "kernel/percpu.h"

/**
 * Look for __per_cpu_offset[] in [@p from, @p to), nearest @p near first
 * (64K chunks below and above in turn): the first position
 * whose words are base[n] - S for every CPU n with a known base, where S
 * is page-aligned (PERCPU_SECTION aligns it) and lies in
 * [@p image_start, @p image_end). Needs two known bases (a single word is
 * no evidence). Unreadable chunks are skipped. false if not found.
 */
bool percpu_scan_offsets(kread_fn *read, void *arg, uint64_t from,
			 uint64_t to, uint64_t near, const uint64_t *base,
			 unsigned int nr_cpus, uint64_t page_size,
			 uint64_t image_start, uint64_t image_end,
			 uint64_t *array_ret, uint64_t *start_ret);

/**
 * __per_cpu_start: from @p pc (its symbol), else by percpu_scan_offsets()
 * around init_task in the kernel's data; the derived __per_cpu_offset is
 * remembered as a symbol, and explained. NOT_FOUND saying why not.
 */
struct vmt_error *percpu_find_start(struct kernel *k, const struct percpu *pc,
				    uint64_t *ret);

#endif

// The buddy allocator's free lists: zone->free_area[order].free_list[type]
// of every node, each entry a free block's first struct page. The memmap's
// buddy marks say the same; the lists are what tells free pages on a
// kernel whose VMCOREINFO lacks PAGE_BUDDY_MAPCOUNT_VALUE, and a check of
// the marks.
#ifndef VMT_KERNEL_MEMMAP_FREE_H
#define VMT_KERNEL_MEMMAP_FREE_H

#include <stdint.h>

#include "kernel/kread.h"
#include "kernel/memmap.h"
#include "vmcoreinfo/vmcoreinfo.h"

/** Called for each free block: 2^@p order pages from @p pfn. */
typedef struct vmt_error *memmap_free_fn(void *arg, uint64_t pfn,
					 unsigned int order);

/** Where the node data is: VMCOREINFO, and symbols it may lack. */
struct memmap_free_nodes {
	/** contig_page_data (no NUMA), or 0. */
	uint64_t contig_page_data;
	/** node_data[] (NUMA: pointers to each node's pglist_data), or 0. */
	uint64_t node_data;
	/** node_online_map, a bitmap of nodemask_t bytes (NUMA), or 0. */
	uint64_t node_online_map;
};

/**
 * Walk every free list of every online node, bounded (no more entries
 * than @p max_pfn pages can hold) and checked: an entry that is no struct
 * page of the memmap, or a list that does not come back to its head, is a
 * BAD_DATA error naming the list. UNSUPPORTED if VMCOREINFO lacks the
 * zone and free_area layout or neither node symbol is known.
 */
struct vmt_error *memmap_free_lists(const struct vmcoreinfo *vi,
				    const struct memmap_layout *ml,
				    const struct memmap_free_nodes *nodes,
				    kread_fn *read, void *read_arg,
				    uint64_t max_pfn, memmap_free_fn *fn,
				    void *arg);

#endif

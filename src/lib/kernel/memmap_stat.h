// The kernel's own memory counters (what /proc/meminfo prints from):
// vm_zone_stat, vm_node_stat, _totalram_pages and the swap counts, read
// where their symbols and enum values are known.
#ifndef VMT_KERNEL_MEMMAP_STAT_H
#define VMT_KERNEL_MEMMAP_STAT_H

#include "kernel/kernel.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/page.h"

/** The counters; a figure is !known when its symbol or enum is missing. */
struct memmap_counters {
	struct vmt_mem_figure total;
	struct vmt_mem_figure free;
	struct vmt_mem_figure file;
	struct vmt_mem_figure swapcache;
	struct vmt_mem_figure shmem;
	struct vmt_mem_figure anon;
	struct vmt_mem_figure slab;
	struct vmt_mem_figure swap_total;
	struct vmt_mem_figure swap_free;
};

/**
 * Read what can be read. Free pages come from vm_zone_stat, or else from
 * each zone's vm_stat of contig_page_data (VMCOREINFO gives everything
 * for that on a kernel without NUMA). Never fails.
 */
void memmap_read_counters(struct kernel *k, const struct vmcoreinfo *vi,
			  struct memmap_counters *ret);

#endif

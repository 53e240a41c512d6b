// Kernel memory counters. vm_zone_stat[] and vm_node_stat[] are arrays of
// atomic_long_t indexed by enum zone_stat_item and enum node_stat_item
// (mm/vmstat.c); node items named *_B count bytes in memcg but pages in
// the node and global counters (vmstat_item_in_bytes() shifts on update).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "debuginfo/typedb.h"
#include "kernel/memmap_stat.h"

// A sanity bound on enum indexes read from types.
#define MAX_STAT_ITEMS 256

static bool enum_value(struct kernel *k, const char *type, const char *name,
		       uint64_t *ret)
{
	const struct vmt_type *t;

	if (!vmt_error_ok(kernel_find_type(k, type, &t)) ||
	    !(t = type_strip(t)) || t->kind != VMT_TYPE_ENUM)
		return false;
	for (size_t i = 0; i < t->nr_enumerators; i++) {
		if (!strcmp(t->enumerators[i].name, name) &&
		    t->enumerators[i].value >= 0 &&
		    t->enumerators[i].value < MAX_STAT_ITEMS) {
			*ret = (uint64_t)t->enumerators[i].value;
			return true;
		}
	}
	return false;
}

static bool read_long(struct kernel *k, uint64_t addr, uint64_t *ret)
{
	return vmt_error_ok(kernel_read_u64(k, addr, ret));
}

static void set(struct vmt_mem_figure *f, uint64_t pages, const char *source)
{
	// A counter can dip below zero transiently (per-CPU deltas not yet
	// folded); clamp rather than show 2^64.
	f->known = true;
	f->pages = (int64_t)pages < 0 ? 0 : pages;
	f->source = source;
}

// vm_node_stat[@p item] (+ vm_node_stat[@p item2] when given).
static void node_stat(struct kernel *k, uint64_t base, const char *item,
		      const char *item2, struct vmt_mem_figure *f)
{
	uint64_t idx, v, v2 = 0;

	if (!enum_value(k, "enum node_stat_item", item, &idx) ||
	    !read_long(k, base + idx * 8, &v))
		return;
	if (item2) {
		if (!enum_value(k, "enum node_stat_item", item2, &idx) ||
		    !read_long(k, base + idx * 8, &v2))
			return;
	}
	set(f, v + v2, "vm_node_stat");
}

// Sum of zone->vm_stat[NR_FREE_PAGES] over contig_page_data's zones, all
// from VMCOREINFO.
static void free_from_zones(struct kernel *k, const struct vmcoreinfo *vi,
			    struct vmt_mem_figure *f)
{
	uint64_t pgdat, zones, nr_zones_off, zone_size, vm_stat, item;
	uint32_t nr_zones;
	uint64_t sum = 0;

	if (!vmcoreinfo_symbol(vi, "contig_page_data", &pgdat) ||
	    !vmcoreinfo_offset(vi, "pglist_data.node_zones", &zones) ||
	    !vmcoreinfo_offset(vi, "pglist_data.nr_zones", &nr_zones_off) ||
	    !vmcoreinfo_size(vi, "zone", &zone_size) ||
	    !vmcoreinfo_offset(vi, "zone.vm_stat", &vm_stat) ||
	    !vmcoreinfo_number(vi, "NR_FREE_PAGES", &item) ||
	    item >= MAX_STAT_ITEMS ||
	    !vmt_error_ok(kernel_read_u32(k, pgdat + nr_zones_off, &nr_zones)) ||
	    nr_zones > 8)
		return;
	for (uint32_t z = 0; z < nr_zones; z++) {
		uint64_t v;

		if (!read_long(k, pgdat + zones + z * zone_size + vm_stat +
					  item * 8,
			       &v))
			return;
		sum += (int64_t)v < 0 ? 0 : v;
	}
	set(f, sum, "zone.vm_stat of contig_page_data");
}

void memmap_read_counters(struct kernel *k, const struct vmcoreinfo *vi,
			  struct memmap_counters *ret)
{
	uint64_t addr, idx, v;

	memset(ret, 0, sizeof(*ret));
	// _totalram_pages (atomic_long_t) since ca79b0c211af ("mm: convert
	// totalram_pages and totalhigh_pages variables to atomic") (in v5.0).
	if (vmt_error_ok(kernel_symbol(k, "_totalram_pages", &addr)) &&
	    read_long(k, addr, &v))
		set(&ret->total, v, "_totalram_pages");
	else if (vmt_error_ok(kernel_symbol(k, "totalram_pages", &addr)) &&
		 read_long(k, addr, &v))
		set(&ret->total, v, "totalram_pages");

	if (vmt_error_ok(kernel_symbol(k, "vm_zone_stat", &addr)) &&
	    (vmcoreinfo_number(vi, "NR_FREE_PAGES", &idx) ||
	     enum_value(k, "enum zone_stat_item", "NR_FREE_PAGES", &idx)) &&
	    idx < MAX_STAT_ITEMS && read_long(k, addr + idx * 8, &v))
		set(&ret->free, v, "vm_zone_stat");
	else
		free_from_zones(k, vi, &ret->free);

	if (vmt_error_ok(kernel_symbol(k, "vm_node_stat", &addr))) {
		node_stat(k, addr, "NR_FILE_PAGES", NULL, &ret->file);
		node_stat(k, addr, "NR_SWAPCACHE", NULL, &ret->swapcache);
		node_stat(k, addr, "NR_SHMEM", NULL, &ret->shmem);
		node_stat(k, addr, "NR_ANON_MAPPED", NULL, &ret->anon);
		// The slab items gained their _B suffix in 5.9 (byte-sized
		// memcg accounting).
		node_stat(k, addr, "NR_SLAB_RECLAIMABLE_B",
			  "NR_SLAB_UNRECLAIMABLE_B", &ret->slab);
		if (!ret->slab.known)
			node_stat(k, addr, "NR_SLAB_RECLAIMABLE",
				  "NR_SLAB_UNRECLAIMABLE", &ret->slab);
	}
	if (vmt_error_ok(kernel_symbol(k, "total_swap_pages", &addr)) &&
	    read_long(k, addr, &v))
		set(&ret->swap_total, v, "total_swap_pages");
	if (vmt_error_ok(kernel_symbol(k, "nr_swap_pages", &addr)) &&
	    read_long(k, addr, &v))
		set(&ret->swap_free, v, "nr_swap_pages");
}

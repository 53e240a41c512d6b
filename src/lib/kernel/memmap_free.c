// Free lists of the buddy allocator (include/linux/mmzone.h: struct
// pglist_data.node_zones[], struct zone.free_area[NR_PAGE_ORDERS], struct
// free_area.free_list[MIGRATE_TYPES]; a free block's first page is linked
// through page->buddy_list, which shares page->lru's place). Every offset
// comes from VMCOREINFO, which exports them for makedumpfile.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/memmap_free.h"

// More nodes or zones than this is a corrupt count.
#define MAX_NODES 1024
#define MAX_ZONES 8

struct free_layout {
	uint64_t node_zones, nr_zones, zone_size, free_area, nr_orders;
	uint64_t free_area_size, free_list, nr_types, list_size, next, lru;
};

static bool layout_of(const struct vmcoreinfo *vi, struct free_layout *l)
{
	if (!vmcoreinfo_offset(vi, "pglist_data.node_zones", &l->node_zones) ||
	    !vmcoreinfo_offset(vi, "pglist_data.nr_zones", &l->nr_zones) ||
	    !vmcoreinfo_size(vi, "zone", &l->zone_size) ||
	    !vmcoreinfo_offset(vi, "zone.free_area", &l->free_area) ||
	    !vmcoreinfo_length(vi, "zone.free_area", &l->nr_orders) ||
	    !vmcoreinfo_size(vi, "free_area", &l->free_area_size) ||
	    !vmcoreinfo_offset(vi, "free_area.free_list", &l->free_list) ||
	    !vmcoreinfo_length(vi, "free_area.free_list", &l->nr_types) ||
	    !vmcoreinfo_offset(vi, "page.lru", &l->lru))
		return false;
	if (!vmcoreinfo_size(vi, "list_head", &l->list_size))
		l->list_size = 16;
	if (!vmcoreinfo_offset(vi, "list_head.next", &l->next))
		l->next = 0;
	return l->nr_orders && l->nr_orders <= 64 && l->nr_types &&
	       l->nr_types <= 64 && l->zone_size && l->list_size >= 8;
}

struct walk {
	const struct memmap_layout *ml;
	const struct free_layout *l;
	kread_fn *read;
	void *read_arg;
	uint64_t max_pfn;
	uint64_t entries;
	memmap_free_fn *fn;
	void *arg;
};

static struct vmt_error *read_u64(struct walk *w, uint64_t addr, uint64_t *ret)
{
	unsigned char b[8];
	struct vmt_error *err = w->read(w->read_arg, addr, b, 8);

	if (err)
		return err;
	*ret = load64(b, w->ml->big_endian);
	return NULL;
}

static struct vmt_error *walk_list(struct walk *w, uint64_t head,
				   unsigned int order, const char *what)
{
	const struct memmap_layout *ml = w->ml;
	uint64_t entry;
	struct vmt_error *err;

	err = read_u64(w, head + w->l->next, &entry);
	if (err)
		return vmt_error_wrap(err, "%s", what);
	// An unpopulated zone's lists may never have been initialised.
	while (entry && entry != head) {
		uint64_t page = entry - w->l->lru, pfn;

		if (page < ml->vmemmap || (page - ml->vmemmap) % ml->struct_size ||
		    (pfn = (page - ml->vmemmap) / ml->struct_size) >= w->max_pfn)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: entry %#" PRIx64 " is no struct page of the memmap",
						what, entry);
		// Each entry is at least one page: more entries than pages
		// means the list loops without coming back to its head.
		if (++w->entries > w->max_pfn)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: more entries than pages: the list loops (at %#" PRIx64 ")",
						what, entry);
		err = w->fn(w->arg, pfn, order);
		if (err)
			return err;
		err = read_u64(w, entry + w->l->next, &entry);
		if (err)
			return vmt_error_wrap(err, "%s", what);
	}
	return NULL;
}

static struct vmt_error *walk_node(struct walk *w, uint64_t pgdat, int node)
{
	const struct free_layout *l = w->l;
	unsigned char b[4];
	struct vmt_error *err;
	uint32_t nr_zones;

	err = w->read(w->read_arg, pgdat + l->nr_zones, b, 4);
	if (err)
		return vmt_error_wrap(err, "node %d: nr_zones", node);
	nr_zones = load32(b, w->ml->big_endian);
	if (nr_zones > MAX_ZONES)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"node %d: %u zones (at most %d)", node,
					nr_zones, MAX_ZONES);
	for (uint32_t z = 0; z < nr_zones; z++) {
		uint64_t zone = pgdat + l->node_zones + z * l->zone_size;

		for (uint64_t o = 0; o < l->nr_orders; o++) {
			for (uint64_t t = 0; t < l->nr_types; t++) {
				uint64_t head = zone + l->free_area +
						o * l->free_area_size +
						l->free_list + t * l->list_size;
				char what[96];

				snprintf(what, sizeof(what),
					 "free list of node %d zone %u order %" PRIu64
					 " type %" PRIu64,
					 node, z, o, t);
				err = walk_list(w, head, (unsigned int)o, what);
				if (err)
					return err;
			}
		}
	}
	return NULL;
}

struct vmt_error *memmap_free_lists(const struct vmcoreinfo *vi,
				    const struct memmap_layout *ml,
				    const struct memmap_free_nodes *nodes,
				    kread_fn *read, void *read_arg,
				    uint64_t max_pfn, memmap_free_fn *fn,
				    void *arg)
{
	struct free_layout l;
	struct walk w = { .ml = ml, .l = &l, .read = read, .read_arg = read_arg,
			  .max_pfn = max_pfn, .fn = fn, .arg = arg };
	unsigned char mask[MAX_NODES / 8];
	uint64_t size;
	struct vmt_error *err;

	if (!layout_of(vi, &l))
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no free lists: VMCOREINFO lacks the zone and free_area layout");
	if (nodes->contig_page_data)
		return walk_node(&w, nodes->contig_page_data, 0);
	if (!nodes->node_data || !nodes->node_online_map)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no free lists: neither contig_page_data nor node_data is known (a NUMA kernel needs its node_data symbol: kallsyms with data symbols, or -k vmlinux)");
	if (!vmcoreinfo_size(vi, "nodemask_t", &size) || !size ||
	    size > sizeof(mask))
		size = 8;
	err = read(read_arg, nodes->node_online_map, mask, size);
	if (err)
		return vmt_error_wrap(err, "node_online_map");
	for (uint64_t n = 0; n < size * 8; n++) {
		uint64_t pgdat;

		if (!(mask[n / 8] >> (n % 8) & 1))
			continue;
		err = read_u64(&w, nodes->node_data + n * 8, &pgdat);
		if (err)
			return vmt_error_wrap(err, "node_data[%" PRIu64 "]", n);
		if (!pgdat)
			continue;
		err = walk_node(&w, pgdat, (int)n);
		if (err)
			return err;
	}
	return NULL;
}

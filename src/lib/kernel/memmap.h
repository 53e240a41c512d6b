// The memmap: the struct page of every page frame, found through vmemmap
// (arm64 is SPARSEMEM_VMEMMAP), its fields read by VMCOREINFO's
// OFFSET(page.*), and each page put in a class as makedumpfile's dump
// levels see it. Reads go through a kread_fn, so tests can hand the walker
// a memmap laid out in a buffer.
#ifndef VMT_KERNEL_MEMMAP_H
#define VMT_KERNEL_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/layout.h"
#include "base/error.h"
#include "kernel/kread.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/page.h"

struct kernel;

/** Size of the note of memmap_check_vmemmap(). */
#define MEMMAP_NOTE_SIZE 320
/** A member offset the kernel does not have. */
#define MEMMAP_NO_OFFSET UINT32_MAX
/** Set in a class byte of memmap_walk_classify() for PG_hwpoison pages. */
#define MEMMAP_HWPOISON 0x80
/** Set in a class byte for a non-reserved page with _refcount > 1. */
#define MEMMAP_SHARED 0x40
/** The class in a class byte. */
#define MEMMAP_CLASS(byte) ((enum vmt_page_class)((byte) & 0x3f))

/** Where a folio's order is kept (in its first tail page, page[1]). */
enum memmap_order_source {
	MEMMAP_ORDER_NONE,
	/** A byte at OFFSET(page.compound_order) of page[1] (4.16 to 6.5). */
	MEMMAP_ORDER_BYTE,
	/** The low byte of page[1].flags (folio->_flags_1, 6.6+). */
	MEMMAP_ORDER_FLAGS1,
};

/** A page type as VMCOREINFO gives it (NUMBER(PAGE_*_MAPCOUNT_VALUE)). */
struct memmap_page_type {
	bool known;
	uint32_t value;
};

/** How to find and decode struct pages: VMCOREINFO, then types. */
struct memmap_layout {
	unsigned int page_shift;
	uint64_t page_size;
	/** Address of the struct page of PFN 0. */
	uint64_t vmemmap;
	char vmemmap_how[128];
	/** SIZE(page). */
	uint32_t struct_size;
	uint32_t off_flags, off_refcount, off_mapping, off_index, off_private;
	uint32_t off_mapcount, off_compound_head, off_compound_order;
	uint32_t off_compound_dtor;
	/** Bit numbers of page flags; -1 when unknown. */
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab;
	int pg_hwpoison, pg_reserved, pg_hugetlb;
	/** NUMBER(PG_head_mask): the flag of a compound page's head. */
	uint64_t pg_head_mask;
	struct memmap_page_type buddy, slab, offline, hugetlb, table;
	/** HUGETLB_PAGE_DTOR (before 6.6: page[1].compound_dtor). */
	bool has_hugetlb_dtor;
	uint32_t hugetlb_dtor;
	enum memmap_order_source order_source;
	/** A buddy order (page.private of a free head) must be below this. */
	unsigned int max_buddy_order;
	bool big_endian;
	/** OSRELEASE as ARM64_KVER(), 0 if unknown. */
	unsigned int kernel_version;

	/** SPARSEMEM: mem_section, to check vmemmap and find holes. */
	bool has_sections;
	bool sections_extreme;
	uint64_t mem_section;
	uint64_t nr_section_roots;
	uint64_t sections_per_root;
	uint32_t section_struct_size;
	uint32_t off_section_mem_map;
	unsigned int pfn_section_shift;

	/** Flag names by bit ("locked", "lru"), NULL where unknown; owned. */
	char *flag_names[64];
};

/**
 * Build @p ml from VMCOREINFO (SIZE(page), OFFSET(page.*), NUMBER(PG_*),
 * the page-type values, SYMBOL(vmemmap) or VMEMMAP_START and PHYS_OFFSET
 * from @p layout). UNSUPPORTED naming what is missing when the memmap
 * cannot be read at all. Free with memmap_layout_deinit().
 */
struct vmt_error *memmap_layout_init(struct memmap_layout *ml,
				     const struct vmcoreinfo *vi,
				     const struct arm64_layout *layout,
				     bool big_endian);

/**
 * Fill what VMCOREINFO lacks from the kernel's types (BTF or DWARF): the
 * flag names and PG_reserved from enum pageflags, page.index, the page
 * table type from enum pagetype. Never fails: each item is optional.
 */
void memmap_layout_add_types(struct memmap_layout *ml, struct kernel *k);

void memmap_layout_deinit(struct memmap_layout *ml);

/**
 * Check vmemmap against the first present section of mem_section (its
 * section_mem_map encodes the same base). Where they disagree the
 * kernel's own value wins; @p note_ret (may be NULL, MEMMAP_NOTE_SIZE
 * bytes) says what was found.
 */
struct vmt_error *memmap_check_vmemmap(struct memmap_layout *ml,
				       kread_fn *read, void *arg,
				       char *note_ret);

/** Address of the struct page of @p pfn. */
static inline uint64_t memmap_page_address(const struct memmap_layout *ml,
					   uint64_t pfn)
{
	return ml->vmemmap + pfn * ml->struct_size;
}

/** Whether a page of class byte @p cls is excluded at dump level @p level. */
bool memmap_excluded(uint8_t cls, unsigned int level);

/** A free block: 2^order pages from pfn. */
struct memmap_free_block {
	uint64_t pfn;
	unsigned int order;
};

/**
 * A walk over the memmap in increasing PFN order: struct pages are read a
 * memmap page at a time, and a folio or free block found at its head
 * covers its following pages, also across calls.
 */
struct memmap_walk {
	const struct memmap_layout *ml;
	kread_fn *read;
	void *arg;
	/** Struct pages of [block_pfn, block_pfn + block_nr). */
	unsigned char *block;
	size_t block_cap;
	uint64_t block_pfn;
	uint64_t block_nr;
	/** Per struct page of the block: readable. */
	bool *block_ok;
	/** Two struct pages read alone (a head and its page[1]). */
	unsigned char *scratch;
	bool block_valid;
	/** A folio or buddy block covering PFNs up to span_end. */
	uint64_t span_start, span_end;
	uint8_t span_class;
	/** Last head resolved for a tail met without its head. */
	uint64_t tail_head_pfn;
	uint8_t tail_head_class;
	bool tail_head_valid;
	/** Section of the last lookup: present with a memmap, or not. */
	uint64_t section_nr;
	int section_state;
	/**
	 * Free blocks from the free lists, sorted by PFN, for a kernel whose
	 * VMCOREINFO has no buddy mark (memmap_walk_set_free_blocks()).
	 */
	const struct memmap_free_block *free_blocks;
	size_t nr_free_blocks;
	/** Struct pages read and found unreadable (statistics). */
	uint64_t nr_blocks_read;
	uint64_t nr_unreadable;
};

struct vmt_error *memmap_walk_init(struct memmap_walk *w,
				   const struct memmap_layout *ml,
				   kread_fn *read, void *arg);

void memmap_walk_deinit(struct memmap_walk *w);

/**
 * Tell free pages by @p blocks (sorted by PFN; borrowed) instead of the
 * buddy marks VMCOREINFO does not describe.
 */
void memmap_walk_set_free_blocks(struct memmap_walk *w,
				 const struct memmap_free_block *blocks,
				 size_t nr);

/** Forget the carried folio, to start a new pass from a lower PFN. */
void memmap_walk_reset(struct memmap_walk *w);

/**
 * Class bytes (enum vmt_page_class, | MEMMAP_HWPOISON, | MEMMAP_SHARED) of PFNs
 * [@p pfn, @p pfn + @p nr) into @p out. A PFN whose struct page cannot be
 * read is VMT_PAGE_UNKNOWN. Only allocation and I/O failures are errors.
 */
struct vmt_error *memmap_walk_classify(struct memmap_walk *w, uint64_t pfn,
				       uint64_t nr, uint8_t *out);

/**
 * How many PFNs from @p pfn (below @p end) lie in memory sections that
 * have no memmap (all VMT_PAGE_UNKNOWN to memmap_walk_classify): 0 when
 * @p pfn's section has one or the layout knows no sections. A section at
 * a time, so that a claimed range without struct pages costs a step per
 * section, not per page.
 */
uint64_t memmap_walk_memmapless(struct memmap_walk *w, uint64_t pfn,
				uint64_t end);

/**
 * Decode the struct page of @p pfn (its class judged alone, or by its
 * head for a tail page). FAULT if it cannot be read.
 */
struct vmt_error *memmap_read_page(struct memmap_walk *w, uint64_t pfn,
				   struct vmt_page *ret);

/**
 * Whether the section of @p pfn has a memmap (sections unknown: true).
 * Reads mem_section once per section.
 */
bool memmap_pfn_has_memmap(struct memmap_walk *w, uint64_t pfn);

#endif

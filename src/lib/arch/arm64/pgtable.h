// The arm64 page-table walker. It reads descriptors through a callback,
// so it knows nothing of dump formats and tests can feed it tables in memory.
#ifndef VMT_ARM64_PGTABLE_H
#define VMT_ARM64_PGTABLE_H

#include <stdint.h>

#include "arch/arm64/layout.h"
#include "base/bytes.h"
#include "vmtool/program.h"

/** Read @p len bytes of physical memory at @p paddr. */
typedef struct vmt_error *read_phys_fn(void *arg, uint64_t paddr, void *buf,
				       size_t len);

/** Which translation regime to walk. */
enum arm64_table_kind {
	ARM64_TABLE_KERNEL, // TTBR1: swapper_pg_dir
	ARM64_TABLE_USER,   // TTBR0: mm->pgd
};

/**
 * Walk the table whose root (top-level table) is at @p root_paddr.
 * For the kernel, pass layout->swapper_pg_dir_paddr (the walker indexes
 * with the kernel geometry; see kernel_root_offset). Tags and PAC bits are
 * stripped first. Fills @p ret (vaddr, status, paddr,
 * page_size, levels, swap fields). A descriptor that cannot be read gives
 * status EXCLUDED / NOT_IN_DUMP with a note naming level, index and entry;
 * only unexpected failures are returned as errors.
 */
struct vmt_error *arm64_pgtable_walk(const struct arm64_layout *layout,
				     read_phys_fn *read_phys, void *arg,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     struct vmt_translation *ret);

/** Output address of a descriptor at @p level under @p layout's PA mode. */
uint64_t arm64_desc_to_phys(const struct arm64_layout *layout, uint64_t desc);

/**
 * The bytes of the page-table chunk at @p page_paddr (aligned to
 * 1 << geom->map_shift, that many bytes long: the kernel's page size, or
 * less), or NULL if it cannot be read. The pointer needs to stay valid
 * only until the next call.
 */
typedef const uint8_t *map_table_fn(void *arg, uint64_t page_paddr);

/** One regime's walk geometry, computed once (arm64_geom_init). */
struct arm64_geom {
	enum arm64_table_kind kind;
	/**
	 * Output address of a descriptor, for every PA mode:
	 * (desc & oa_mask) | ((desc >> hi_shift) & hi_mask) << hi_pos.
	 */
	uint64_t oa_mask, hi_mask;
	unsigned int hi_shift, hi_pos;
	unsigned int levels;
	unsigned int page_shift;
	/**
	 * Size of what map_table_fn maps (log2): the page size by default; a
	 * caller may set less (a 64 KiB table is read 4 KiB at a time).
	 */
	unsigned int map_shift;
	/** Per walk step, top first: index shift and mask. */
	unsigned int shift[5];
	uint64_t mask[5];
	/** Per walk step: a block descriptor is a valid leaf there. */
	bool block_ok[5];
	/** Whether the geometry is usable (else the fast path declines). */
	bool ok;
};

void arm64_geom_init(struct arm64_geom *geom,
		     const struct arm64_layout *layout,
		     enum arm64_table_kind kind);

/** What arm64_pgtable_lookup() found. */
struct arm64_leaf {
	/** The translated address (page or block base | offset). */
	uint64_t paddr;
	/** Size of the page or block. */
	uint64_t size;
	/** Architectural level of the leaf (3 = page). */
	int level;
	/** Physical address of the leaf descriptor. */
	uint64_t entry_paddr;
};

// Descriptor bits the fast path looks at (ARM ARM D8.3).
#define ARM64_DESC_VALID (UINT64_C(1) << 0)
#define ARM64_DESC_TABLE (UINT64_C(1) << 1)

/** arm64_desc_to_phys() with the geometry's PA mode, inline. */
static inline uint64_t arm64_geom_desc_to_phys(const struct arm64_geom *geom,
					       uint64_t desc)
{
	return (desc & geom->oa_mask) |
	       ((desc >> geom->hi_shift) & geom->hi_mask) << geom->hi_pos;
}

/**
 * The fast path of the walk: true when @p vaddr (already untagged) is
 * mapped by a valid page or block descriptor, with what
 * arm64_pgtable_walk() would report as MAPPED; false for everything else
 * (not mapped, PROT_NONE, swap, invalid, an unreadable table), for which
 * the caller walks with arm64_pgtable_walk() to learn why. Descriptors are
 * read straight from the table pages @p map returns: no copy, no report.
 * Inline, so that a caller's @p map can be inlined into the loop.
 */
static inline bool arm64_pgtable_lookup(const struct arm64_geom *geom,
					map_table_fn *map, void *arg,
					uint64_t root_paddr, uint64_t vaddr,
					struct arm64_leaf *ret)
{
	uint64_t page_mask = (UINT64_C(1) << geom->map_shift) - 1;
	uint64_t table = root_paddr;
	unsigned int last = geom->levels - 1;

	if (!geom->ok || (geom->kind == ARM64_TABLE_KERNEL) != (vaddr >> 63))
		return false;
	for (unsigned int i = 0;; i++) {
		uint64_t entry = table + ((vaddr >> geom->shift[i]) &
					  geom->mask[i]) * 8;
		const uint8_t *page = map(arg, entry & ~page_mask);
		uint64_t desc, size;

		if (!page)
			return false;
		desc = load_le64(page + (entry & page_mask));
		if (!(desc & ARM64_DESC_VALID))
			return false;
		if (i < last && (desc & ARM64_DESC_TABLE)) {
			table = arm64_geom_desc_to_phys(geom, desc);
			continue;
		}
		// A page (last level, type 11) or a block (type 01 where the
		// configuration allows one).
		if (i == last ? !(desc & ARM64_DESC_TABLE) : !geom->block_ok[i])
			return false;
		size = UINT64_C(1) << geom->shift[i];
		ret->paddr = (arm64_geom_desc_to_phys(geom, desc) & ~(size - 1)) |
			     (vaddr & (size - 1));
		ret->size = size;
		ret->level = 4 - (int)geom->levels + (int)i;
		ret->entry_paddr = entry;
		return true;
	}
}

#endif

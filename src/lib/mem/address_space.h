// Virtual memory over a dump: translation with a TLB in front of the walk,
// page-table pages cached, reads across pages, and where each byte lives.
#ifndef VMT_ADDRESS_SPACE_H
#define VMT_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "dump/dump.h"

struct address_space;

/** Counters, for tests and benchmarks. */
struct address_space_stats {
	uint64_t tlb_hits;
	uint64_t tlb_misses;
	/** Walks that ended on a valid leaf read in place (fast path). */
	uint64_t fast_walks;
	/** Full walks (anything but a valid leaf, or a table not readable). */
	uint64_t slow_walks;
	/** Page-table pages read from the dump into the table cache. */
	uint64_t table_loads;
	uint64_t table_load_failures;
	/** Linear-map translations by formula, in confirmed granules. */
	uint64_t linear_formula;
	uint64_t granules_confirmed;
};

struct vmt_error *address_space_create(struct dump *dump,
				       const struct arm64_layout *layout,
				       struct address_space **ret);
void address_space_destroy(struct address_space *as);

/**
 * Translate @p vaddr in the table at @p root_paddr (kernel: pass 0 for
 * swapper_pg_dir). Fills the walk, the file location and, for linear and
 * kimage addresses, the formula result and any disagreement.
 */
struct vmt_error *address_space_vtop(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     struct vmt_translation *ret);

/**
 * The translation reads use: physical address of @p vaddr; FAULT if
 * unmapped. Cached in a TLB; linear-map addresses go by the kernel's
 * formula once the walk has shown that every page of their granule (the
 * 512 pages one 4 KiB chunk of a last-level table maps, or a block)
 * follows it.
 */
struct vmt_error *address_space_translate(struct address_space *as,
					  enum arm64_table_kind kind,
					  uint64_t root_paddr, uint64_t vaddr,
					  uint64_t *paddr_ret);

/**
 * A walk every time: no TLB, no formula (page-table pages still come from
 * the table cache). For benchmarks and tests.
 */
struct vmt_error *address_space_walk_raw(struct address_space *as,
					 enum arm64_table_kind kind,
					 uint64_t root_paddr, uint64_t vaddr,
					 uint64_t *paddr_ret);

/**
 * Whether address_space_translate() may use the linear-map formula (on by
 * default; off for benchmarks that time the walks).
 */
void address_space_set_linear_formula(struct address_space *as, bool on);

/** The counters of @p as. */
const struct address_space_stats *address_space_stats(
	const struct address_space *as);

/** Read virtual memory across pages. */
/**
 * [@p vaddr, +@p len) in place, read-only, when it maps to one physical
 * run that the dump stores as it is (dump_map_phys); else NULL. Valid
 * until the dump is closed.
 */
const void *address_space_map(struct address_space *as,
			      enum arm64_table_kind kind, uint64_t root_paddr,
			      uint64_t vaddr, size_t len);

struct vmt_error *address_space_read(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     void *buf, size_t len);

/** The read_phys_fn over a dump (arg is the struct dump). */
read_phys_fn dump_read_phys_cb;

#endif

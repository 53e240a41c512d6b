// Virtual memory over a dump: translation with a small cache, reads across
// pages, and where each byte lives in the dump file.
#ifndef VMT_ADDRESS_SPACE_H
#define VMT_ADDRESS_SPACE_H

#include <stdint.h>

#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "dump/dump.h"

struct address_space;

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

/** Fast path: physical address of @p vaddr, cached; FAULT if unmapped. */
struct vmt_error *address_space_translate(struct address_space *as,
					  enum arm64_table_kind kind,
					  uint64_t root_paddr, uint64_t vaddr,
					  uint64_t *paddr_ret);

/** Read virtual memory across pages. */
struct vmt_error *address_space_read(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     void *buf, size_t len);

/** The read_phys_fn over a dump (arg is the struct dump). */
read_phys_fn dump_read_phys_cb;

#endif

// The arm64 page-table walker. It reads descriptors through a callback,
// so it knows nothing of dump formats and tests can feed it tables in memory.
#ifndef VMT_ARM64_PGTABLE_H
#define VMT_ARM64_PGTABLE_H

#include <stdint.h>

#include "arch/arm64/layout.h"
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

#endif

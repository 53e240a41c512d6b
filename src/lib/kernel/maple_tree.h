// A read-only walker of the kernel's maple tree (lib/maple_tree.c, 6.1+),
// reading nodes through a callback so tests can build trees in memory.
#ifndef VMT_KERNEL_MAPLE_TREE_H
#define VMT_KERNEL_MAPLE_TREE_H

#include <stdint.h>

#include "kernel/kread.h"

// enum maple_type (include/linux/maple_tree.h)
enum maple_type {
	MAPLE_DENSE = 0,
	MAPLE_LEAF_64 = 1,
	MAPLE_RANGE_64 = 2,
	MAPLE_ARANGE_64 = 3,
};

/**
 * Where things are inside a struct maple_node of each type: byte offsets
 * from the node's start, and counts. maple_layout_default() fills the
 * 64-bit values; a caller may correct offsets from the kernel's types.
 */
struct maple_layout {
	/** Bytes per node (256): node addresses are aligned to it. */
	uint32_t node_size;
	/** Per enum maple_type: number of slots and of pivots. */
	uint32_t slots[4];
	uint32_t pivots[4];
	/** Per type: offset of pivot[0], slot[0], and of metadata end byte. */
	uint32_t pivot_off[4];
	uint32_t slot_off[4];
	uint32_t meta_end_off[4];
};

/** The layout of a 64-bit kernel (MAPLE_NODE_SLOTS 31, RANGE64 16, ARANGE64 10). */
void maple_layout_default(struct maple_layout *ret);

/**
 * Called for each non-NULL entry of the tree, in index order, with the
 * range [@p first, @p last] it covers. A non-NULL return stops the walk
 * and is returned by maple_tree_walk().
 */
typedef struct vmt_error *maple_visit_fn(void *arg, uint64_t first,
					 uint64_t last, uint64_t entry);

/**
 * Visit every entry of a tree whose struct maple_tree.ma_root is
 * @p ma_root. A root that is not a node is a single entry at index 0.
 * Nodes seen twice (a cycle), unknown node types, pivots out of order or
 * a depth beyond MAPLE_HEIGHT_MAX give a BAD_DATA error naming the node.
 */
struct vmt_error *maple_tree_walk(const struct maple_layout *layout,
				  kread_fn *read, void *read_arg,
				  uint64_t ma_root, maple_visit_fn *visit,
				  void *visit_arg);

/** Whether @p entry is an xarray internal entry (a node or reserved value). */
static inline int maple_entry_is_internal(uint64_t entry)
{
	return (entry & 3) == 2;
}

#endif

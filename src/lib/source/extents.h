// Overlaying possibly overlapping ranges into a sorted, disjoint map.
// Used by the flattened reader (later records win) and the ELF reader
// (overlapping PT_LOADs).
#ifndef VMT_SOURCE_EXTENTS_H
#define VMT_SOURCE_EXTENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/** [start, end) mapped to [off, off + end - start) of something. */
struct extent {
	uint64_t start;
	uint64_t end;
	uint64_t off;
	/** Where ranges overlap, the highest prio wins. */
	uint64_t prio;
	/** Caller's tag, copied to the pieces. */
	int kind;
};

/**
 * Resolve @p in (any order, may overlap) into sorted, disjoint extents:
 * each point goes to the covering input of highest prio. Adjacent pieces
 * of the same input are merged. O(n log n).
 *
 * @param[out] ret malloc'd array (NULL if empty); written only on success.
 */
struct vmt_error *extents_overlay(const struct extent *in, size_t nr_in,
				  struct extent **ret, size_t *nr_ret);

/**
 * Index of the extent containing @p addr in sorted, disjoint @p ext, or
 * the index of the first extent after it (nr if none) with *found = 0.
 */
size_t extents_find(const struct extent *ext, size_t nr, uint64_t addr,
		    int *found);

#endif

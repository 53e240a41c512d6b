/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file list.h
 * Walking any linked list in kernel memory, as crash's `list` does.
 */
#ifndef VMTOOL_LIST_H
#define VMTOOL_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** Options of vmt_program_list(). Zero-initialize, then set. */
struct vmt_list_options {
	/**
	 * Offset of the next pointer (an embedded struct list_head, or a
	 * "next" member) inside each entry: entry addresses are node
	 * addresses minus this.
	 */
	uint64_t offset;
	/**
	 * The start address is a list head (a struct list_head outside the
	 * entries, not listed itself); otherwise it is the first entry, and
	 * the walk ends back at it or at a NULL next pointer.
	 */
	bool head;
	/** Stop after this many entries (0: the library's bound, 1 << 24). */
	uint64_t max;
};

/**
 * The entries of the list at @p start in list order (entry addresses). A
 * cycle that does not pass through the start, an unreadable node or too
 * many entries give an error naming the node; @p ret and @p nr_ret then
 * still hold the entries found before it. free(*ret) in every case.
 */
struct vmt_error *vmt_program_list(struct vmt_program *prog, uint64_t start,
				   const struct vmt_list_options *opts,
				   uint64_t **ret, size_t *nr_ret);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_LIST_H */

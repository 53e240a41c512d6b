// Walking a kernel list_head ring, bounded and cycle-checked, through a
// kread_fn so that tests can build lists in a buffer.
#ifndef VMT_KERNEL_LIST_H
#define VMT_KERNEL_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kread.h"

/** Called with each node of a walk; return false to stop there. */
typedef bool list_visit_fn(void *arg, uint64_t node);

/**
 * Visit the nodes of the list_head ring through @p start (a list head, or
 * any node: the walk ends when it comes back to @p start, which is not
 * visited). Every step checks that next->prev points back, which also
 * rules out a cycle that misses @p start. At most @p max nodes.
 * BAD_DATA naming the node where a link is broken, a node is NULL or the
 * ring is longer than @p max; a FAULT wrapped likewise if a node cannot
 * be read. Nodes before the error have been visited.
 */
struct vmt_error *list_walk(kread_fn *read, void *arg, uint64_t start,
			    size_t max, list_visit_fn *visit,
			    void *visit_arg);

/** Read @p node's next and prev pointers (list_head: next at 0, prev at 8). */
struct vmt_error *list_node_read(kread_fn *read, void *arg, uint64_t node,
				 uint64_t *next_ret, uint64_t *prev_ret);

#endif

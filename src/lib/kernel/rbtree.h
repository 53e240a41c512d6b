// In-order walks of the kernel's red-black trees (lib/rbtree.c), read
// through a callback so tests can build trees in a buffer.
#ifndef VMT_KERNEL_RBTREE_H
#define VMT_KERNEL_RBTREE_H

#include <stdint.h>

#include "kernel/kread.h"

/** Called for each node (the address of its struct rb_node). */
typedef struct vmt_error *rbtree_visit_fn(void *arg, uint64_t node);

/**
 * Visit the nodes of the tree whose root node is @p root (rb_root.rb_node;
 * 0 for an empty tree) in key order. A path deeper than any red-black
 * tree can be (a cycle) or more than @p max nodes is BAD_DATA naming @p what
 * and the node. A visitor's error stops the walk and is returned.
 */
struct vmt_error *rbtree_walk(kread_fn *read, void *arg, uint64_t root,
			      uint64_t max, const char *what,
			      rbtree_visit_fn *visit, void *visit_arg);

#endif

// Walks of linked lists in kernel memory (struct list_head and any struct
// with a next pointer), bounded and cycle-checked, read through a callback.
#ifndef VMT_KERNEL_LIST_H
#define VMT_KERNEL_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kread.h"

/** Called with the address of each list node (its next pointer). */
typedef struct vmt_error *list_visit_fn(void *arg, uint64_t node);

/**
 * Follow next pointers (the first 8 bytes of each node) from @p start.
 * With @p start_is_node false, @p start is a circular list's head (a
 * struct list_head not inside an entry): every node after it is visited
 * until the walk returns to it, and a NULL next pointer is BAD_DATA. With
 * @p start_is_node true, @p start is itself the first node: it is visited,
 * and the walk ends when it returns to @p start or reaches NULL (crash's
 * `list` without -H). More than @p max nodes, or a cycle that does not pass
 * through @p start, is BAD_DATA naming @p what and the node. A visitor's
 * error stops the walk and is returned.
 */
struct vmt_error *list_walk(kread_fn *read, void *arg, uint64_t start,
			    bool start_is_node, uint64_t max, const char *what,
			    list_visit_fn *visit, void *visit_arg);

#endif

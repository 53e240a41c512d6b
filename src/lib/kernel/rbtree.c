// In-order walk of a struct rb_node tree, bounded by depth and count.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>

#include "base/bytes.h"
#include "kernel/rbtree.h"

// struct rb_node { unsigned long __rb_parent_color; struct rb_node
// *rb_right; struct rb_node *rb_left; } (include/linux/rbtree_types.h),
// unchanged since the tree's introduction.
#define RB_RIGHT 8
#define RB_LEFT 16
// A red-black tree's height is at most 2 * log2(n + 1): 128 covers any
// tree that fits a 64-bit address space.
#define MAX_DEPTH 128

static struct vmt_error *child(kread_fn *read, void *arg, uint64_t node,
			       uint64_t off, const char *what,
			       uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = read(arg, node + off, b, 8);

	if (err)
		return vmt_error_wrap(err, "%s: rb_node %#" PRIx64, what, node);
	*ret = load_le64(b);
	return NULL;
}

struct vmt_error *rbtree_walk(kread_fn *read, void *arg, uint64_t root,
			      uint64_t max, const char *what,
			      rbtree_visit_fn *visit, void *visit_arg)
{
	uint64_t stack[MAX_DEPTH], node = root, seen = 0;
	unsigned int depth = 0;
	struct vmt_error *err;

	for (;;) {
		// Go down the left spine, remembering the way back.
		while (node) {
			if (depth == MAX_DEPTH)
				return vmt_error_format(VMT_ERROR_BAD_DATA,
							"%s: rb-tree deeper than %d at node %#" PRIx64 " (a cycle)",
							what, MAX_DEPTH, node);
			stack[depth++] = node;
			err = child(read, arg, node, RB_LEFT, what, &node);
			if (err)
				return err;
		}
		if (!depth)
			return NULL;
		node = stack[--depth];
		if (++seen > max)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: more than %" PRIu64 " rb-tree nodes, at %#" PRIx64,
						what, max, node);
		err = visit(visit_arg, node);
		if (err)
			return err;
		err = child(read, arg, node, RB_RIGHT, what, &node);
		if (err)
			return err;
	}
}

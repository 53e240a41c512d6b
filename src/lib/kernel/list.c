// A list_head ring: struct list_head { next; prev; } (include/linux/types.h;
// VMCOREINFO OFFSET(list_head.next)=0, OFFSET(list_head.prev)=8).
#include <inttypes.h>

#include "base/bytes.h"
#include "base/error.h"
#include "kernel/list.h"

struct vmt_error *list_node_read(kread_fn *read, void *arg, uint64_t node,
				 uint64_t *next_ret, uint64_t *prev_ret)
{
	uint8_t buf[16];
	struct vmt_error *err = read(arg, node, buf, sizeof(buf));

	if (err)
		return vmt_error_wrap(err, "list_head at %#" PRIx64, node);
	*next_ret = load_le64(buf);
	*prev_ret = load_le64(buf + 8);
	return NULL;
}

struct vmt_error *list_walk(kread_fn *read, void *arg, uint64_t start,
			    size_t max, list_visit_fn *visit,
			    void *visit_arg)
{
	uint64_t cur = start, next, prev, next_next;
	struct vmt_error *err;
	size_t n = 0;

	err = list_node_read(read, arg, start, &next, &prev);
	if (err)
		return err;
	while (next != start) {
		if (!next)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"list_head at %#" PRIx64
						": next is NULL",
						cur);
		err = list_node_read(read, arg, next, &next_next, &prev);
		if (err)
			return vmt_error_wrap(err, "next of %#" PRIx64, cur);
		// A node entered twice would need two different prevs, so
		// this check also ends any cycle that does not pass start.
		if (prev != cur)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"list_head at %#" PRIx64
						": prev is %#" PRIx64
						", not %#" PRIx64
						" which points at it",
						next, prev, cur);
		if (n++ >= max)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"list through %#" PRIx64
						": more than %zu entries",
						start, max);
		if (!visit(visit_arg, next))
			return NULL;
		cur = next;
		next = next_next;
	}
	return NULL;
}

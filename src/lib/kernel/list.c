// Linked-list walks with Brent's cycle detection: constant memory, and a
// cycle that misses the start is found within twice its length.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>

#include "base/bytes.h"
#include "kernel/list.h"

struct vmt_error *list_walk(kread_fn *read, void *arg, uint64_t start,
			    bool start_is_node, uint64_t max, const char *what,
			    list_visit_fn *visit, void *visit_arg)
{
	uint64_t pos, tortoise = start, count = 0, power = 1, lambda = 0;
	struct vmt_error *err;
	uint8_t b[8];

	if (start_is_node) {
		if (!start)
			return NULL;
		err = visit(visit_arg, start);
		if (err)
			return err;
		count = 1;
	}
	err = read(arg, start, b, 8);
	if (err)
		return vmt_error_wrap(err, "%s: next pointer of %#" PRIx64,
				      what, start);
	pos = load_le64(b);
	while (pos != start) {
		if (!pos) {
			if (start_is_node)
				return NULL;
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: NULL next pointer after %" PRIu64 " nodes (a list_head list is circular)",
						what, count);
		}
		if (pos == tortoise && count)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: node %#" PRIx64 " comes again without reaching %#" PRIx64 " (a cycle)",
						what, pos, start);
		if (++count > max)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: more than %" PRIu64 " nodes, at %#" PRIx64,
						what, max, pos);
		err = visit(visit_arg, pos);
		if (err)
			return err;
		if (++lambda == power) {
			tortoise = pos;
			power *= 2;
			lambda = 0;
		}
		err = read(arg, pos, b, 8);
		if (err)
			return vmt_error_wrap(err, "%s: next pointer of node %#" PRIx64,
					      what, pos);
		pos = load_le64(b);
	}
	return NULL;
}

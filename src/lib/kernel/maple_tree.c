// Maple tree walker. Facts from include/linux/maple_tree.h and
// lib/maple_tree.c (6.12, unchanged in this respect since 6.1):
// - ma_root is NULL (empty), an entry for index 0 alone, or an encoded node
//   pointer with MAPLE_ROOT_NODE (0x2) set, i.e. xa_is_node() (low bits 10,
//   above 4096);
// - an encoded node (maple_enode) is the 256-byte aligned node address with
//   the maple_type in bits 3..6 (mte_node_type) and flags in bits 0..2;
// - slot i of a range node covers [pivot[i-1] + 1, pivot[i]], the first
//   from the node's min, and a slot past the pivots ends at the node's max;
// - ma_data_end() gives the last used slot from pivots and metadata; a
//   zero pivot after slot 0 stands for the node's max.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/maple_tree.h"

#define MAPLE_NODE_MASK 255ULL
#define MAPLE_NODE_TYPE_SHIFT 3
#define MAPLE_NODE_TYPE_MASK 0xfULL
#define MAPLE_HEIGHT_MAX 31
// More nodes than any real mm could have (each holds up to 16 VMAs and
// vm.max_map_count defaults to 65530): stop a corrupt tree early.
#define MAPLE_MAX_NODES (1U << 20)
#define MAPLE_MAX_NODE_SIZE 1024

void maple_layout_default(struct maple_layout *ret)
{
	// struct maple_node: parent pointer, then per type
	//   dense:      slot[31]
	//   range_64:   pivot[15] slot[16], metadata in the last slot's bytes
	//   arange_64:  pivot[9] slot[10] gap[10] metadata
	static const struct maple_layout l = {
		.node_size = 256,
		.slots = { 31, 16, 16, 10 },
		.pivots = { 0, 15, 15, 9 },
		.pivot_off = { 8, 8, 8, 8 },
		.slot_off = { 8, 128, 128, 80 },
		.meta_end_off = { 0, 248, 248, 240 },
	};

	*ret = l;
}

struct walk {
	const struct maple_layout *l;
	kread_fn *read;
	void *read_arg;
	maple_visit_fn *visit;
	void *visit_arg;
	// Open-addressed set of node addresses already visited.
	uint64_t *seen;
	size_t seen_cap;
	size_t nr_seen;
};

static struct vmt_error *seen_add(struct walk *w, uint64_t node)
{
	size_t i;

	if (w->nr_seen >= MAPLE_MAX_NODES)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"maple tree: more than %u nodes at node %#" PRIx64,
					MAPLE_MAX_NODES, node);
	if (2 * (w->nr_seen + 1) > w->seen_cap) {
		size_t cap = w->seen_cap ? 2 * w->seen_cap : 64;
		uint64_t *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return &vmt_enomem;
		for (i = 0; i < w->seen_cap; i++) {
			uint64_t v = w->seen[i];
			size_t j;

			if (!v)
				continue;
			for (j = (v >> 8) & (cap - 1); tab[j]; j = (j + 1) & (cap - 1))
				;
			tab[j] = v;
		}
		free(w->seen);
		w->seen = tab;
		w->seen_cap = cap;
	}
	for (i = (node >> 8) & (w->seen_cap - 1); w->seen[i];
	     i = (i + 1) & (w->seen_cap - 1)) {
		if (w->seen[i] == node)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"maple tree: node %#" PRIx64
						" reached twice (cycle)",
						node);
	}
	w->seen[i] = node;
	w->nr_seen++;
	return NULL;
}

static const char *const type_names[] = {
	"maple_dense", "maple_leaf_64", "maple_range_64", "maple_arange_64",
};

// ma_data_end() of lib/maple_tree.c: the last used slot.
static struct vmt_error *data_end(const struct maple_layout *l,
				  enum maple_type type, uint64_t node,
				  const uint8_t *buf, uint64_t max,
				  unsigned int *ret)
{
	unsigned int npiv = l->pivots[type], end;
	uint64_t last_piv;

	if (type == MAPLE_DENSE) {
		*ret = l->slots[type] - 1;
		return NULL;
	}
	if (type == MAPLE_ARANGE_64) {
		end = buf[l->meta_end_off[type]];
	} else {
		last_piv = load_le64(buf + l->pivot_off[type] + 8 * (npiv - 1));
		if (!last_piv)
			end = buf[l->meta_end_off[type]];
		else if (last_piv == max)
			end = npiv - 1;
		else
			end = npiv;
	}
	if (end >= l->slots[type])
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"maple tree: %s node %#" PRIx64
					": data end %u beyond %u slots",
					type_names[type], node, end,
					l->slots[type]);
	*ret = end;
	return NULL;
}

static struct vmt_error *walk_node(struct walk *w, uint64_t enode,
				   uint64_t min, uint64_t max, int depth)
{
	const struct maple_layout *l = w->l;
	uint64_t node = enode & ~MAPLE_NODE_MASK;
	uint64_t type64 = (enode >> MAPLE_NODE_TYPE_SHIFT) & MAPLE_NODE_TYPE_MASK;
	enum maple_type type;
	uint8_t buf[MAPLE_MAX_NODE_SIZE];
	struct vmt_error *err;
	unsigned int end = 0, i;
	uint64_t first;

	if (depth > MAPLE_HEIGHT_MAX)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"maple tree: node %#" PRIx64
					" deeper than %d levels",
					node, MAPLE_HEIGHT_MAX);
	if (type64 > MAPLE_ARANGE_64)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"maple tree: encoded node %#" PRIx64
					" has unknown type %" PRIu64,
					enode, type64);
	type = (enum maple_type)type64;
	err = seen_add(w, node);
	if (err)
		return err;
	err = w->read(w->read_arg, node, buf, l->node_size);
	if (err)
		return vmt_error_wrap(err, "maple tree: %s node %#" PRIx64,
				      type_names[type], node);
	err = data_end(l, type, node, buf, max, &end);
	if (err)
		return err;

	first = min;
	for (i = 0; i <= end; i++) {
		uint64_t slot = load_le64(buf + l->slot_off[type] + 8 * i);
		uint64_t last;

		if (type == MAPLE_DENSE) {
			// One index per slot.
			if (min + i > max || min + i < min)
				break;
			if (slot) {
				err = w->visit(w->visit_arg, min + i, min + i,
					       slot);
				if (err)
					return err;
			}
			continue;
		}
		// A pivot past the data is 0 or absent: the slot ends at the
		// node's max (mas_safe_pivot(), and 6.1's mas_logical_pivot()).
		last = i < l->pivots[type] ?
			       load_le64(buf + l->pivot_off[type] + 8 * i) :
			       max;
		if (!last && i)
			last = max;
		if (last < first || last > max)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"maple tree: %s node %#" PRIx64
						" [%#" PRIx64 ", %#" PRIx64
						"]: pivot[%u] = %#" PRIx64
						" out of order",
						type_names[type], node, min,
						max, i, last);
		if (slot) {
			if (type == MAPLE_LEAF_64)
				err = w->visit(w->visit_arg, first, last, slot);
			else
				err = walk_node(w, slot, first, last,
						depth + 1);
			if (err)
				return err;
		}
		if (last == max)
			break;
		first = last + 1;
	}
	return NULL;
}

struct vmt_error *maple_tree_walk(const struct maple_layout *layout,
				  kread_fn *read, void *read_arg,
				  uint64_t ma_root, maple_visit_fn *visit,
				  void *visit_arg)
{
	struct walk w = {
		.l = layout,
		.read = read,
		.read_arg = read_arg,
		.visit = visit,
		.visit_arg = visit_arg,
	};
	struct vmt_error *err;
	int t;

	if (layout->node_size == 0 || layout->node_size > MAPLE_MAX_NODE_SIZE)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"maple tree: node size %u",
					layout->node_size);
	for (t = 0; t < 4; t++) {
		if (!layout->slots[t] || layout->pivots[t] >= layout->slots[t] ||
		    layout->slot_off[t] + 8ULL * layout->slots[t] > layout->node_size ||
		    layout->pivot_off[t] + 8ULL * layout->pivots[t] > layout->node_size ||
		    layout->meta_end_off[t] >= layout->node_size)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"maple tree: bad layout of %s",
						type_names[t]);
	}
	if (!ma_root)
		return NULL;
	// xa_is_node(): internal entry above 4096.
	if (!maple_entry_is_internal(ma_root) || ma_root <= 4096)
		return visit(visit_arg, 0, 0, ma_root);
	err = walk_node(&w, ma_root & ~2ULL, 0, UINT64_MAX, 1);
	free(w.seen);
	return err;
}

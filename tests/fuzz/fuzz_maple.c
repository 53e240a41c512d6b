// The maple-tree walker (mm->mm_mt) over random memory behind the node
// pointers: node types, pivots, metadata, cycles, depth. Whatever it
// visits must come in index order without overlap.
//
// Input: a mode byte, a root choice, a stop-after count, then the memory
// at BASE holding the nodes.
#include <inttypes.h>

#include "fuzz.h"
#include "kernel/maple_tree.h"

#define BASE 0xffff000010000000ULL

struct image {
	const uint8_t *data;
	size_t size;
};

static struct vmt_error *read_image(void *arg, uint64_t addr, void *buf,
				    size_t len)
{
	const struct image *im = arg;

	if (addr < BASE || addr - BASE > im->size ||
	    len > im->size - (addr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "%#" PRIx64 " not mapped", addr);
	memcpy(buf, im->data + (addr - BASE), len);
	return NULL;
}

struct order {
	bool any;
	uint64_t last;
	unsigned int nr, stop_after;
};

static struct vmt_error *visit(void *arg, uint64_t first, uint64_t last,
			       uint64_t entry)
{
	struct order *o = arg;

	FUZZ_ASSERT(entry != 0);
	FUZZ_ASSERT(first <= last);
	FUZZ_ASSERT(!o->any || (o->last != UINT64_MAX && first > o->last));
	o->any = true;
	o->last = last;
	if (++o->nr == o->stop_after)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"visitor stops after %u entries", o->nr);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t mode = fuzz_u8(&in), node = fuzz_u8(&in), type = fuzz_u8(&in);
	struct order o = { .stop_after = fuzz_u8(&in) };
	struct maple_layout l;
	struct image im;
	uint64_t root;

	maple_layout_default(&l);
	if (mode & 1) {
		// Some kernels' struct maple_node is larger (debug options).
		l.node_size = 256u << (mode >> 1 & 1);
	}
	// mte_mk_root(mt_mk_node(node, type)), or a raw root value.
	root = mode & 4 ? fuzz_u64(&in) :
			  (BASE + 256ULL * node) | (uint64_t)(type & 0xf) << 3 | 6;
	im.data = in.data;
	im.size = in.size;
	fuzz_check_error(maple_tree_walk(&l, read_image, &im, root, visit, &o));
	return 0;
}

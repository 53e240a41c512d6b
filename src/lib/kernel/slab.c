// SLUB (mm/slub.c). A slab is one (compound) page whose struct slab
// overlays its struct page: slab_cache names the kmem_cache, objects of
// kmem_cache.size bytes follow each other from the page's first byte (the
// object a caller sees starts red_left_pad bytes in, with SLAB_RED_ZONE),
// freelist is the first free object, and each free object holds the next
// one at kmem_cache.offset. The CPU that owns a slab (kmem_cache_cpu.slab,
// the slab then frozen) hands its free objects out from its own lockless
// freelist, kmem_cache_cpu.freelist.
//
// struct slab split from struct page in Linux kernel commit d122019bf061
// ("mm: Split slab into its own type") (in v5.17); before, the same
// members are struct page's, which is read instead.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/typedb.h"
#include "kernel/layout.h"
#include "kernel/list.h"
#include "kernel/slab.h"

// A cache list longer than this is corrupt.
#define MAX_CACHES 65536
// MAX_NUMNODES is at most 1 << 10.
#define MAX_NODES 1024
// Partial slabs walked per node before giving up (a huge machine has
// thousands; a corrupt list is cycle-checked anyway).
#define MAX_PARTIAL (1u << 22)

static struct vmt_error *bitfield(struct kernel *k, const char *type,
				  const char *member,
				  struct slab_bitfield *ret)
{
	const struct vmt_type_member *m;
	const struct vmt_type *t;
	struct vmt_error *err;
	char name[64];

	snprintf(name, sizeof(name), "struct %s", type);
	err = kernel_find_type(k, name, &t);
	if (!err)
		err = type_member(type_strip(t), member, &ret->bit_offset, &m);
	if (err)
		return vmt_error_wrap(err, "%s.%s", type, member);
	ret->bits = m->bit_size;
	if (!ret->bits) {
		const struct vmt_type *mt = type_strip(m->type);

		ret->bits = mt ? (unsigned int)mt->size * 8 : 0;
	}
	if (!ret->bits || ret->bits > 32 || ret->bit_offset % 64 + ret->bits > 64)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s.%s: a %u-bit field at bit %" PRIu64,
					type, member, ret->bits,
					ret->bit_offset);
	return NULL;
}

// A kmem_cache is allocated only up to node[nr_node_ids] (SLUB sizes the
// kmem_cache cache so): entries past it belong to the next object. The
// nodes that can have slabs are online ones, which VMCOREINFO's
// node_online_map lists: count up to its last set bit.
static unsigned int online_nodes(struct kernel *k, unsigned int max)
{
	uint64_t map, words[MAX_NODES / 64];
	unsigned int last = 0;
	size_t n = 1;

	if (!vmt_error_ok(kernel_symbol(k, "node_online_map", &map)))
		return max;
	if (max > 64)
		n = (max + 63) / 64;
	for (size_t i = 0; i < n; i++)
		if (!vmt_error_ok(kernel_read_u64(k, map + 8 * i, &words[i])))
			return max;
	for (unsigned int bit = 0; bit < max; bit++)
		if (words[bit / 64] >> (bit % 64) & 1)
			last = bit + 1;
	return last ? last : max;
}

struct vmt_error *slab_layout_init(struct kernel *k, struct slab_layout *l)
{
	const char *slab_type = "slab", *cpu_slab_member = "slab";
	struct vmt_error *err;
	uint64_t node_bytes, dummy;

	memset(l, 0, sizeof(*l));
	if (!kernel_has_member(k, "kmem_cache", "cpu_slab")) {
		const struct vmt_type *t;

		// Say which: no type information for it (a dump without
		// vmlinux or full BTF), or another allocator.
		err = kernel_find_type(k, "struct kmem_cache", &t);
		if (err)
			return err;
		if (t->kind == VMT_TYPE_FWD)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"struct kmem_cache is only declared in the type information: its members are unknown");
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"struct kmem_cache has no member cpu_slab: not the SLUB allocator (SLAB and SLOB are not supported)");
	}
	// Before 5.17 the slab's members are struct page's, and
	// kmem_cache_cpu.slab was .page.
	if (!vmt_error_ok(kernel_member_offset(k, "slab", "slab_cache",
					       &dummy))) {
		slab_type = "page";
		cpu_slab_member = "page";
	}
	if ((err = layout_offset(k, "kmem_cache", "cpu_slab",
				 &l->kc_cpu_slab)) ||
	    (err = layout_offset(k, "kmem_cache", "size", &l->kc_size)) ||
	    (err = layout_offset(k, "kmem_cache", "object_size",
				 &l->kc_object_size)) ||
	    (err = layout_offset(k, "kmem_cache", "offset", &l->kc_offset)) ||
	    (err = layout_offset(k, "kmem_cache", "name", &l->kc_name)) ||
	    (err = layout_offset(k, "kmem_cache", "list", &l->kc_list)) ||
	    (err = layout_offset(k, "kmem_cache", "oo", &l->kc_oo)) ||
	    (err = layout_offset(k, "kmem_cache", "red_left_pad",
				 &l->kc_red_left_pad)) ||
	    (err = kernel_member(k, "kmem_cache", "node", &l->kc_node,
				 &node_bytes)) ||
	    (err = layout_offset(k, slab_type, "slab_cache", &l->sl_cache)) ||
	    (err = layout_offset(k, slab_type, "freelist", &l->sl_freelist)) ||
	    (err = layout_offset(k, slab_type, "slab_list", &l->sl_list)) ||
	    (err = bitfield(k, slab_type, "inuse", &l->sl_inuse)) ||
	    (err = bitfield(k, slab_type, "objects", &l->sl_objects)) ||
	    (err = bitfield(k, slab_type, "frozen", &l->sl_frozen)) ||
	    (err = layout_offset(k, "kmem_cache_cpu", "freelist",
				 &l->cc_freelist)) ||
	    (err = layout_offset(k, "kmem_cache_cpu", cpu_slab_member,
				 &l->cc_slab)) ||
	    (err = layout_offset(k, "kmem_cache_node", "partial",
				 &l->kn_partial)) ||
	    (err = layout_offset(k, "kmem_cache_node", "nr_partial",
				 &l->kn_nr_partial)))
		return err;
	l->nr_nodes = node_bytes / 8 < MAX_NODES ? (unsigned int)(node_bytes / 8) :
						    MAX_NODES;
	l->nr_nodes = online_nodes(k, l->nr_nodes);
	l->has_random = vmt_error_ok(
		kernel_member_offset(k, "kmem_cache", "random", &l->kc_random));
	l->has_node_counts =
		vmt_error_ok(kernel_member_offset(k, "kmem_cache_node",
						  "nr_slabs", &l->kn_nr_slabs)) &&
		vmt_error_ok(kernel_member_offset(k, "kmem_cache_node",
						  "total_objects",
						  &l->kn_total_objects));
	return NULL;
}

static bool printable_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

struct vmt_error *slab_read_cache(const struct slab_layout *l,
				  kread_fn *read, void *arg, uint64_t cache,
				  struct slab_cache *ret)
{
	struct vmt_error *err;
	uint64_t name;
	uint32_t oo;
	char buf[64];

	memset(ret, 0, sizeof(*ret));
	ret->cache = cache;
	if ((err = kread_u32(read, arg, cache + l->kc_size, &ret->size)) ||
	    (err = kread_u32(read, arg, cache + l->kc_object_size,
			     &ret->object_size)) ||
	    (err = kread_u32(read, arg, cache + l->kc_offset, &ret->offset)) ||
	    (err = kread_u32(read, arg, cache + l->kc_red_left_pad,
			     &ret->red_left_pad)) ||
	    (err = kread_u32(read, arg, cache + l->kc_oo, &oo)) ||
	    (err = kread_u64(read, arg, cache + l->kc_cpu_slab,
			     &ret->cpu_slab)) ||
	    (err = kread_u64(read, arg, cache + l->kc_name, &name)))
		return vmt_error_wrap(err, "kmem_cache at %#" PRIx64, cache);
	if (l->has_random) {
		err = kread_u64(read, arg, cache + l->kc_random, &ret->random);
		if (err)
			return vmt_error_wrap(err, "kmem_cache at %#" PRIx64,
					      cache);
		ret->hardened = true;
	}
	// struct kmem_cache_order_objects: order << OO_SHIFT (16) | objects.
	ret->oo_objects = oo & 0xffff;
	ret->oo_order = oo >> 16;
	// The free pointer lies in the slot (inside the object, or after it).
	if (!ret->size || ret->object_size > ret->size ||
	    (uint64_t)ret->offset + 8 > ret->size)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kmem_cache at %#" PRIx64
					": size %" PRIu32 ", object_size %" PRIu32
					", offset %" PRIu32 " are inconsistent",
					cache, ret->size, ret->object_size,
					ret->offset);
	// The name is a C string elsewhere; a short one fits a page's tail.
	err = read(arg, name, buf, sizeof(buf));
	if (err) {
		size_t got = 0;

		vmt_error_destroy(err);
		while (got < sizeof(buf) - 1 &&
		       vmt_error_ok(read(arg, name + got, buf + got, 1)) &&
		       buf[got])
			got++;
		buf[got] = '\0';
	}
	buf[sizeof(buf) - 1] = '\0';
	if (!printable_name(buf))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"kmem_cache at %#" PRIx64
					": name at %#" PRIx64 " is not a name",
					cache, name);
	snprintf(ret->name, sizeof(ret->name), "%s", buf);
	return NULL;
}

static unsigned int bits_of(const uint8_t *s, const struct slab_bitfield *f)
{
	uint64_t word = load_le64(s + f->bit_offset / 64 * 8);

	return (unsigned int)(word >> (f->bit_offset % 64) &
			      ((UINT64_C(1) << f->bits) - 1));
}

struct vmt_error *slab_read(const struct slab_layout *l, kread_fn *read,
			    void *arg, uint64_t slab, struct slab_info *ret)
{
	const struct slab_bitfield *fields[] = { &l->sl_inuse, &l->sl_objects,
						 &l->sl_frozen };
	uint8_t s[128];
	uint64_t need = 0;
	struct vmt_error *err;

	// struct slab is one struct page (64 bytes on arm64): read what the
	// members span at once.
	need = l->sl_cache + 8;
	if (l->sl_freelist + 8 > need)
		need = l->sl_freelist + 8;
	for (size_t i = 0; i < 3; i++)
		if (fields[i]->bit_offset / 64 * 8 + 8 > need)
			need = fields[i]->bit_offset / 64 * 8 + 8;
	if (need > sizeof(s))
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"struct slab members beyond %zu bytes",
					sizeof(s));
	err = read(arg, slab, s, need);
	if (err)
		return vmt_error_wrap(err, "struct slab at %#" PRIx64, slab);
	ret->slab = slab;
	ret->cache = load_le64(s + l->sl_cache);
	ret->freelist = load_le64(s + l->sl_freelist);
	ret->inuse = bits_of(s, &l->sl_inuse);
	ret->objects = bits_of(s, &l->sl_objects);
	ret->frozen = bits_of(s, &l->sl_frozen) != 0;
	return NULL;
}

uint64_t slab_decode_free_pointer(const struct slab_cache *c,
				  uint64_t stored, uint64_t ptr_addr)
{
	if (!c->hardened)
		return stored;
	return stored ^ c->random ^ __builtin_bswap64(ptr_addr);
}

bool slab_object_at(const struct slab_cache *c, uint64_t start,
		    unsigned int objects, uint64_t addr,
		    struct slab_object *ret)
{
	uint64_t index;

	if (addr < start || !c->size)
		return false;
	index = (addr - start) / c->size;
	if (index >= objects)
		return false;
	ret->index = (unsigned int)index;
	ret->object = start + index * c->size + c->red_left_pad;
	// In the left red zone (SLAB_RED_ZONE): still this object's slot.
	ret->offset = addr >= ret->object ? addr - ret->object : 0;
	return true;
}

struct vmt_error *slab_freelist_walk(const struct slab_cache *c,
				     kread_fn *read, void *arg, uint64_t head,
				     uint64_t start, uint64_t end,
				     unsigned int max, uint64_t object,
				     bool *found, unsigned int *count)
{
	uint64_t obj = head, prev = 0;

	*found = false;
	*count = 0;
	while (obj) {
		uint64_t stored;
		struct vmt_error *err;

		// Each free object is an object of this slab; max bounds a
		// cycle.
		if (obj < start + c->red_left_pad || obj >= end ||
		    (obj - start - c->red_left_pad) % c->size)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"freelist of slab %#" PRIx64
						": %#" PRIx64 " (after %#" PRIx64
						") is not an object of it",
						start, obj, prev);
		if (*count >= max)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"freelist of slab %#" PRIx64
						": more than %u objects (a cycle)",
						start, max);
		++*count;
		if (obj == object)
			*found = true;
		err = kread_u64(read, arg, obj + c->offset, &stored);
		if (err)
			return vmt_error_wrap(err, "free object %#" PRIx64, obj);
		prev = obj;
		obj = slab_decode_free_pointer(c, stored, obj + c->offset);
	}
	return NULL;
}

struct cache_list_ctx {
	const struct slab_layout *l;
	bool (*is_head)(void *arg, uint64_t node);
	void *is_head_arg;
	uint64_t *caches;
	size_t nr, cap;
	uint64_t head;
	size_t nr_heads, head_index;
};

static struct vmt_error *visit_cache(void *arg, uint64_t node)
{
	struct cache_list_ctx *c = arg;

	if (c->is_head && c->is_head(c->is_head_arg, node)) {
		c->head = node;
		c->head_index = c->nr;
		c->nr_heads++;
		return NULL;
	}
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 128;
		uint64_t *n = realloc(c->caches, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		c->caches = n;
		c->cap = cap;
	}
	c->caches[c->nr++] = node - c->l->kc_list;
	return NULL;
}

struct vmt_error *slab_cache_list(const struct slab_layout *l, kread_fn *read,
				  void *arg, uint64_t start,
				  bool (*is_head)(void *arg, uint64_t node),
				  void *is_head_arg, uint64_t **ret,
				  size_t *nr_ret, uint64_t *head_ret)
{
	struct cache_list_ctx c = { l, is_head, is_head_arg, NULL, 0, 0,
				    0, 0, 0 };
	struct vmt_error *err;

	err = list_walk(read, arg, start, false, MAX_CACHES, "kmem_cache list",
			visit_cache, &c);
	if (!err && is_head && c.nr_heads != 1)
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "kmem_cache list through %#" PRIx64
				       ": %zu list heads, want one",
				       start, c.nr_heads);
	if (err) {
		free(c.caches);
		return vmt_error_wrap(err, "kmem_cache list");
	}
	// Started from a cache: it is on the list too. In list order (from
	// the head): the caches walked after the head, start, then the ones
	// walked before the head.
	if (is_head) {
		uint64_t *n = malloc((c.nr + 1) * sizeof(*n));
		size_t after = c.nr - c.head_index;

		if (!n) {
			free(c.caches);
			return &vmt_enomem;
		}
		memcpy(n, c.caches + c.head_index, after * sizeof(*n));
		n[after] = start - l->kc_list;
		memcpy(n + after + 1, c.caches, c.head_index * sizeof(*n));
		free(c.caches);
		c.caches = n;
		c.nr++;
	}
	*ret = c.caches;
	*nr_ret = c.nr;
	if (head_ret)
		*head_ret = is_head ? c.head : start;
	return NULL;
}

struct partial_ctx {
	const struct slab_layout *l;
	kread_fn *read;
	void *arg;
	uint64_t free;
};

static struct vmt_error *visit_partial(void *arg, uint64_t node)
{
	struct partial_ctx *c = arg;
	struct slab_info s;
	struct vmt_error *err;

	err = slab_read(c->l, c->read, c->arg, node - c->l->sl_list, &s);
	if (err)
		return err;
	if (s.objects > s.inuse)
		c->free += s.objects - s.inuse;
	return NULL;
}

struct vmt_error *slab_cache_counts(const struct slab_layout *l,
				    kread_fn *read, void *arg, uint64_t cache,
				    struct slab_counts *ret)
{
	struct vmt_error *err;

	memset(ret, 0, sizeof(*ret));
	if (!l->has_node_counts)
		return NULL; // CONFIG_SLUB_DEBUG off: no counts kept
	for (unsigned int i = 0; i < l->nr_nodes; i++) {
		struct partial_ctx pc = { l, read, arg, 0 };
		uint64_t node, slabs, objects;

		err = kread_u64(read, arg, cache + l->kc_node + 8 * i, &node);
		if (err)
			return vmt_error_wrap(err, "kmem_cache at %#" PRIx64,
					      cache);
		if (!node)
			continue;
		if ((err = kread_u64(read, arg, node + l->kn_nr_slabs,
				     &slabs)) ||
		    (err = kread_u64(read, arg, node + l->kn_total_objects,
				     &objects)))
			return vmt_error_wrap(err,
					      "kmem_cache_node at %#" PRIx64,
					      node);
		err = list_walk(read, arg, node + l->kn_partial, false,
				MAX_PARTIAL, "partial slabs", visit_partial,
				&pc);
		if (err)
			return vmt_error_wrap(err,
					      "partial slabs of kmem_cache_node %#" PRIx64,
					      node);
		ret->slabs += slabs;
		ret->total_objects += objects;
		ret->free_objects += pc.free;
	}
	ret->known = true;
	return NULL;
}

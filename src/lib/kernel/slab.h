// SLUB slab caches and objects (mm/slub.c, mm/slab.h): the kmem_cache of
// a slab, where its objects lie, and whether one is allocated, read
// through a kread_fn so that tests can build slabs in a buffer.
#ifndef VMT_KERNEL_SLAB_H
#define VMT_KERNEL_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/kread.h"

/** A bitfield of a struct: bit offset from the struct's start, width. */
struct slab_bitfield {
	uint64_t bit_offset;
	unsigned int bits;
};

/** Byte offsets of what is read (struct slab, or struct page before 5.17). */
struct slab_layout {
	// struct kmem_cache
	uint64_t kc_cpu_slab, kc_size, kc_object_size, kc_offset, kc_name;
	uint64_t kc_list, kc_oo, kc_red_left_pad, kc_node;
	/** Entries of kmem_cache.node[] (MAX_NUMNODES). */
	unsigned int nr_nodes;
	/** CONFIG_SLAB_FREELIST_HARDENED: kmem_cache.random. */
	bool has_random;
	uint64_t kc_random;
	// struct slab (5.17+) or struct page
	uint64_t sl_cache, sl_freelist, sl_list;
	struct slab_bitfield sl_inuse, sl_objects, sl_frozen;
	// struct kmem_cache_cpu
	uint64_t cc_freelist, cc_slab;
	// struct kmem_cache_node (counts need CONFIG_SLUB_DEBUG)
	uint64_t kn_partial, kn_nr_partial;
	bool has_node_counts;
	uint64_t kn_nr_slabs, kn_total_objects;
};

/** What is read of one struct kmem_cache. */
struct slab_cache {
	uint64_t cache;
	char name[64];
	uint32_t size, object_size, offset, red_left_pad;
	/** kmem_cache.oo: objects per slab and page order of a slab. */
	uint32_t oo_objects, oo_order;
	bool hardened;
	uint64_t random;
	/** The __percpu pointer to the kmem_cache_cpu of every CPU. */
	uint64_t cpu_slab;
};

/** What is read of one struct slab. */
struct slab_info {
	uint64_t slab;
	uint64_t cache;
	uint64_t freelist;
	unsigned int inuse, objects;
	bool frozen;
};

/** The offsets from the kernel's types. UNSUPPORTED for SLAB/SLOB. */
struct vmt_error *slab_layout_init(struct kernel *k, struct slab_layout *l);

struct vmt_error *slab_read_cache(const struct slab_layout *l,
				  kread_fn *read, void *arg, uint64_t cache,
				  struct slab_cache *ret);

struct vmt_error *slab_read(const struct slab_layout *l, kread_fn *read,
			    void *arg, uint64_t slab, struct slab_info *ret);

/**
 * The free pointer stored at @p ptr_addr, decoded: with
 * CONFIG_SLAB_FREELIST_HARDENED it is ptr ^ random ^ swab(ptr_addr)
 * (freelist_ptr() / freelist_ptr_decode() of mm/slub.c).
 */
uint64_t slab_decode_free_pointer(const struct slab_cache *c,
				  uint64_t stored, uint64_t ptr_addr);

/**
 * Follow the freelist from @p head (a plain pointer: slab->freelist or a
 * kmem_cache_cpu's freelist) through the objects' free pointers. Every
 * object must lie in [@p start, @p end) on an object boundary (as a
 * pointer of @p start's slab); at most @p max objects. Sets *@p found if
 * @p object is on it and *@p count to the objects walked. BAD_DATA
 * naming the object whose pointer leads astray.
 */
struct vmt_error *slab_freelist_walk(const struct slab_cache *c,
				     kread_fn *read, void *arg, uint64_t head,
				     uint64_t start, uint64_t end,
				     unsigned int max, uint64_t object,
				     bool *found, unsigned int *count);

/** The object of @p c's slab starting at @p start that holds @p addr. */
struct slab_object {
	unsigned int index;
	uint64_t object;
	/** @p addr - object: may exceed object_size (padding, debug data). */
	uint64_t offset;
};

/** false when @p addr is past the last object (the slab's tail). */
bool slab_object_at(const struct slab_cache *c, uint64_t start,
		    unsigned int objects, uint64_t addr,
		    struct slab_object *ret);

/**
 * The kmem_cache list through @p start (slab_caches or any cache's list
 * node): each cache address, in order, into a new array (free()).
 * @p is_head tells the list head (not a cache) when @p start is a cache.
 */
struct vmt_error *slab_cache_list(const struct slab_layout *l, kread_fn *read,
				  void *arg, uint64_t start,
				  bool (*is_head)(void *arg, uint64_t node),
				  void *is_head_arg, uint64_t **ret,
				  size_t *nr_ret, uint64_t *head_ret);

/** /proc/slabinfo's counts of one cache (get_slabinfo() of mm/slub.c). */
struct slab_counts {
	bool known;
	uint64_t slabs, total_objects, free_objects;
};

/**
 * Sum the cache's kmem_cache_node counts: nr_slabs, total_objects, and
 * the free objects of the partial slabs (objects - inuse).
 */
struct vmt_error *slab_cache_counts(const struct slab_layout *l,
				    kread_fn *read, void *arg, uint64_t cache,
				    struct slab_counts *ret);

#endif

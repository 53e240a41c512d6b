// SLUB slabs laid out in a buffer: struct slab's bitfields, the object
// holding an address, free pointers (plain and hardened), freelist cycles,
// per-CPU freelists, the kmem_cache list and /proc/slabinfo's counts, and
// finding __per_cpu_offset by its values.
#include <stdint.h>

#include "testutil_mem.h"
#include "kernel/kmem.h"
#include "kernel/percpu_start.h"
#include "kernel/slab.h"

#define BASE 0xffff000040000000ULL
#define SIZE (1 << 20)
#define CACHE (BASE + 0x1000)	 // struct kmem_cache
#define CACHE2 (BASE + 0x1400)
#define CACHE3 (BASE + 0x1800)
#define HEAD (BASE + 0x100)	 // slab_caches
#define NAME (BASE + 0x200)
#define SLAB (BASE + 0x2000)	 // struct slab
#define SLAB2 (BASE + 0x2100)
#define NODE (BASE + 0x3000)	 // kmem_cache_node
#define OBJS (BASE + 0x10000)	 // the slab's memory
#define CPU_SLAB 0xffff800081000000ULL // __percpu pointer
#define PER_CPU_START 0xffff800080fff000ULL
#define CPU0 (BASE + 0x8000)	 // base[0]: CPU 0's unit
#define CPU1 (BASE + 0x9000)
#define OBJ_SIZE 64
#define NR_OBJS 8
#define RANDOM 0x5a5a1234deadbeefULL

static struct vmt_fake_mem mem;

// An arbitrary layout (not the kernel's): the code must use the offsets.
static const struct slab_layout layout = {
	.kc_cpu_slab = 0, .kc_size = 8, .kc_object_size = 12, .kc_offset = 16,
	.kc_name = 24, .kc_list = 32, .kc_oo = 48, .kc_red_left_pad = 52,
	.kc_node = 64, .nr_nodes = 2, .has_random = true, .kc_random = 56,
	.sl_cache = 8, .sl_freelist = 24, .sl_list = 32,
	.sl_inuse = { 48 * 8, 16 }, .sl_objects = { 48 * 8 + 16, 15 },
	.sl_frozen = { 48 * 8 + 31, 1 },
	.cc_freelist = 0, .cc_slab = 16,
	.kn_partial = 16, .kn_nr_partial = 8, .has_node_counts = true,
	.kn_nr_slabs = 32, .kn_total_objects = 40,
};

static void setup(void)
{
	vmt_fake_mem_alloc(&mem, BASE, SIZE);
}

static void teardown(void)
{
	vmt_fake_mem_free(&mem);
}

static uint64_t obj(int i)
{
	return OBJS + (uint64_t)i * OBJ_SIZE;
}

static void put_cache(uint64_t cache, const char *name, bool hardened)
{
	vmt_fake_mem_put64(&mem, cache + layout.kc_cpu_slab, CPU_SLAB);
	vmt_fake_mem_put32(&mem, cache + layout.kc_size, OBJ_SIZE);
	vmt_fake_mem_put32(&mem, cache + layout.kc_object_size, 56);
	vmt_fake_mem_put32(&mem, cache + layout.kc_offset, 32);
	vmt_fake_mem_put64(&mem, cache + layout.kc_name, NAME + (cache - CACHE));
	vmt_fake_mem_puts(&mem, NAME + (cache - CACHE), name);
	vmt_fake_mem_put32(&mem, cache + layout.kc_oo, 0 << 16 | NR_OBJS);
	vmt_fake_mem_put64(&mem, cache + layout.kc_random, hardened ? RANDOM : 0);
}

// The free pointer of free object @p from, leading to @p to, as
// freelist_ptr() stores it.
static void put_free(const struct slab_cache *c, uint64_t from, uint64_t to)
{
	uint64_t at = from + c->offset;

	vmt_fake_mem_put64(&mem, at, c->hardened ?
					 to ^ c->random ^ __builtin_bswap64(at) :
					 to);
}

static void put_slab(uint64_t slab, uint64_t freelist, unsigned int inuse,
		     bool frozen)
{
	vmt_fake_mem_put64(&mem, slab + layout.sl_cache, CACHE);
	vmt_fake_mem_put64(&mem, slab + layout.sl_freelist, freelist);
	vmt_fake_mem_put64(&mem, slab + 48, (uint64_t)inuse | NR_OBJS << 16 |
					       (uint64_t)frozen << 31);
}

START_TEST(reads_a_cache_and_a_slabs_bitfields)
{
	struct slab_cache c;
	struct slab_info s;

	put_cache(CACHE, "task_struct", true);
	put_slab(SLAB, obj(1), 5, true);
	vmt_ck_no_err(slab_read_cache(&layout, vmt_fake_mem_read, &mem, CACHE, &c));
	ck_assert_str_eq(c.name, "task_struct");
	ck_assert_uint_eq(c.size, OBJ_SIZE);
	ck_assert_uint_eq(c.object_size, 56);
	ck_assert_uint_eq(c.oo_objects, NR_OBJS);
	ck_assert(c.hardened);
	ck_assert_uint_eq(c.random, RANDOM);
	vmt_ck_no_err(slab_read(&layout, vmt_fake_mem_read, &mem, SLAB, &s));
	ck_assert_uint_eq(s.cache, CACHE);
	ck_assert_uint_eq(s.freelist, obj(1));
	ck_assert_uint_eq(s.inuse, 5);
	ck_assert_uint_eq(s.objects, NR_OBJS);
	ck_assert(s.frozen);
	// A free pointer offset past the slot is corrupt.
	vmt_fake_mem_put32(&mem, CACHE + layout.kc_offset, OBJ_SIZE - 4);
	vmt_ck_err(slab_read_cache(&layout, vmt_fake_mem_read, &mem, CACHE, &c),
		   VMT_ERROR_BAD_DATA);
	// So is a name that is not one.
	vmt_fake_mem_put32(&mem, CACHE + layout.kc_offset, 32);
	vmt_fake_mem_puts(&mem, NAME, "\x01\x02");
	vmt_ck_err(slab_read_cache(&layout, vmt_fake_mem_read, &mem, CACHE, &c),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(finds_the_object_holding_an_address)
{
	struct slab_cache c = { .size = OBJ_SIZE, .object_size = 56 };
	struct slab_object o;

	ck_assert(slab_object_at(&c, OBJS, NR_OBJS, obj(3) + 10, &o));
	ck_assert_uint_eq(o.index, 3);
	ck_assert_uint_eq(o.object, obj(3));
	ck_assert_uint_eq(o.offset, 10);
	ck_assert(!slab_object_at(&c, OBJS, NR_OBJS, obj(NR_OBJS), &o));
	ck_assert(!slab_object_at(&c, OBJS, NR_OBJS, OBJS - 1, &o));
	// SLAB_RED_ZONE: the object starts red_left_pad bytes into its slot.
	c.red_left_pad = 16;
	ck_assert(slab_object_at(&c, OBJS, NR_OBJS, obj(2) + 20, &o));
	ck_assert_uint_eq(o.object, obj(2) + 16);
	ck_assert_uint_eq(o.offset, 4);
}
END_TEST

static void walks_freelist(bool hardened)
{
	struct slab_cache c;
	unsigned int n;
	bool found;

	put_cache(CACHE, "c", hardened);
	vmt_ck_no_err(slab_read_cache(&layout, vmt_fake_mem_read, &mem, CACHE, &c));
	put_free(&c, obj(1), obj(3));
	put_free(&c, obj(3), obj(6));
	put_free(&c, obj(6), 0);
	vmt_ck_no_err(slab_freelist_walk(&c, vmt_fake_mem_read, &mem, obj(1), OBJS,
					 obj(NR_OBJS), NR_OBJS, obj(6), &found,
					 &n));
	ck_assert(found);
	ck_assert_uint_eq(n, 3);
	vmt_ck_no_err(slab_freelist_walk(&c, vmt_fake_mem_read, &mem, obj(1), OBJS,
					 obj(NR_OBJS), NR_OBJS, obj(2), &found,
					 &n));
	ck_assert(!found);
	// A cycle 6 -> 1 ends at the bound.
	put_free(&c, obj(6), obj(1));
	vmt_ck_err(slab_freelist_walk(&c, vmt_fake_mem_read, &mem, obj(1), OBJS,
				      obj(NR_OBJS), NR_OBJS, obj(2), &found,
				      &n),
		   VMT_ERROR_BAD_DATA);
	// A pointer out of the slab, or between objects, is corrupt.
	put_free(&c, obj(6), obj(NR_OBJS));
	vmt_ck_err(slab_freelist_walk(&c, vmt_fake_mem_read, &mem, obj(1), OBJS,
				      obj(NR_OBJS), NR_OBJS, obj(2), &found,
				      &n),
		   VMT_ERROR_BAD_DATA);
	put_free(&c, obj(6), obj(2) + 8);
	vmt_ck_err(slab_freelist_walk(&c, vmt_fake_mem_read, &mem, obj(1), OBJS,
				      obj(NR_OBJS), NR_OBJS, obj(2), &found,
				      &n),
		   VMT_ERROR_BAD_DATA);
}

START_TEST(walks_a_plain_freelist)
{
	walks_freelist(false);
}
END_TEST

// CONFIG_SLAB_FREELIST_HARDENED: ptr ^ random ^ swab(where it is stored).
START_TEST(walks_a_hardened_freelist)
{
	struct slab_cache c = { .hardened = true, .random = RANDOM };
	uint64_t at = obj(1) + 32;

	ck_assert_uint_eq(slab_decode_free_pointer(&c, obj(3) ^ RANDOM ^
						       __builtin_bswap64(at),
						   at),
			  obj(3));
	walks_freelist(true);
}
END_TEST

// Free objects are on the slab's freelist, or, for the slab a CPU owns,
// on that CPU's kmem_cache_cpu freelist.
START_TEST(tells_allocated_from_free_through_cpu_freelists)
{
	uint64_t bases[2] = { CPU0, CPU1 };
	struct percpu pc = { .nr_cpus = 2, .base = bases, .nr_bases = 2 };
	struct kmem_ctx ctx = { .read = vmt_fake_mem_read, .read_arg = &mem,
				.slab = &layout, .percpu = &pc,
				.has_per_cpu_start = true,
				.per_cpu_start = PER_CPU_START };
	uint64_t cc1 = CPU_SLAB - PER_CPU_START + CPU1;
	struct slab_cache c;
	struct slab_info s;
	struct vmt_kmem k;

	put_cache(CACHE, "c", true);
	vmt_ck_no_err(slab_read_cache(&layout, vmt_fake_mem_read, &mem, CACHE, &c));
	put_slab(SLAB, obj(1), 6, true);
	put_free(&c, obj(1), 0);
	// CPU 1 owns the slab; its lockless freelist holds object 4.
	vmt_fake_mem_put64(&mem, cc1 + layout.cc_slab, SLAB);
	vmt_fake_mem_put64(&mem, cc1 + layout.cc_freelist, obj(4));
	put_free(&c, obj(4), 0);
	vmt_ck_no_err(slab_read(&layout, vmt_fake_mem_read, &mem, SLAB, &s));

	memset(&k, 0, sizeof(k));
	kmem_slab_object_state(&ctx, &c, &s, OBJS, obj(1), &k);
	ck_assert(k.allocated_known && !k.allocated);
	ck_assert_str_eq(k.free_list, "slab freelist");
	memset(&k, 0, sizeof(k));
	kmem_slab_object_state(&ctx, &c, &s, OBJS, obj(4), &k);
	ck_assert(k.allocated_known && !k.allocated);
	ck_assert_str_eq(k.free_list, "cpu 1 freelist");
	memset(&k, 0, sizeof(k));
	kmem_slab_object_state(&ctx, &c, &s, OBJS, obj(5), &k);
	ck_assert(k.allocated_known && k.allocated);

	// Without per-CPU data, an object of a frozen (CPU-owned) slab that
	// is not on the slab's list cannot be told.
	ctx.percpu = NULL;
	memset(&k, 0, sizeof(k));
	kmem_slab_object_state(&ctx, &c, &s, OBJS, obj(4), &k);
	ck_assert(!k.allocated_known);
	ck_assert_msg(k.note[0], "a note says why");
	// A slab no CPU owns (not frozen): not on its list means allocated.
	put_slab(SLAB, obj(1), 6, false);
	vmt_ck_no_err(slab_read(&layout, vmt_fake_mem_read, &mem, SLAB, &s));
	memset(&k, 0, sizeof(k));
	kmem_slab_object_state(&ctx, &c, &s, OBJS, obj(4), &k);
	ck_assert(k.allocated_known && k.allocated);
}
END_TEST

static bool is_head(void *arg, uint64_t node)
{
	(void)arg;
	return node == HEAD;
}

START_TEST(lists_caches_from_any_cache_in_list_order)
{
	uint64_t ring[] = { HEAD, CACHE + layout.kc_list,
			    CACHE2 + layout.kc_list, CACHE3 + layout.kc_list };
	uint64_t *caches, head;
	size_t n;

	vmt_fake_mem_ring(&mem, ring, 4);
	vmt_ck_no_err(slab_cache_list(&layout, vmt_fake_mem_read, &mem,
				      CACHE2 + layout.kc_list, is_head, NULL,
				      &caches, &n, &head));
	ck_assert_uint_eq(head, HEAD);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(caches[0], CACHE);
	ck_assert_uint_eq(caches[1], CACHE2);
	ck_assert_uint_eq(caches[2], CACHE3);
	free(caches);
	vmt_ck_no_err(slab_cache_list(&layout, vmt_fake_mem_read, &mem, HEAD,
				      NULL, NULL, &caches, &n, NULL));
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(caches[2], CACHE3);
	free(caches);
}
END_TEST

// /proc/slabinfo: active = total_objects - free objects of partial slabs.
START_TEST(counts_like_slabinfo)
{
	uint64_t ring[] = { NODE + layout.kn_partial, SLAB + layout.sl_list,
			    SLAB2 + layout.sl_list };
	struct slab_counts counts;

	put_slab(SLAB, 0, 5, false);
	put_slab(SLAB2, 0, 7, false);
	vmt_fake_mem_ring(&mem, ring, 3);
	vmt_fake_mem_put64(&mem, CACHE + layout.kc_node, NODE);
	vmt_fake_mem_put64(&mem, CACHE + layout.kc_node + 8, 0);
	vmt_fake_mem_put64(&mem, NODE + layout.kn_nr_slabs, 4);
	vmt_fake_mem_put64(&mem, NODE + layout.kn_total_objects, 4 * NR_OBJS);
	vmt_ck_no_err(slab_cache_counts(&layout, vmt_fake_mem_read, &mem, CACHE,
					&counts));
	ck_assert(counts.known);
	ck_assert_uint_eq(counts.slabs, 4);
	ck_assert_uint_eq(counts.total_objects, 32);
	ck_assert_uint_eq(counts.free_objects, (8 - 5) + (8 - 7));
}
END_TEST

// __per_cpu_offset[n] = base[n] - __per_cpu_start, found by its values.
START_TEST(finds_per_cpu_offset_by_its_values)
{
	uint64_t bases[3] = { 0xffff00000ff0c000ULL, 0, 0xffff00000ff4a000ULL };
	uint64_t start = 0xffff800080a03000ULL, array, found;
	uint64_t at = BASE + 0x20008;

	vmt_fake_mem_put64(&mem, at, bases[0] - start);
	vmt_fake_mem_put64(&mem, at + 8, 0x1234);
	vmt_fake_mem_put64(&mem, at + 16, bases[2] - start);
	// A decoy matching CPU 0 only.
	vmt_fake_mem_put64(&mem, BASE + 0x10000, bases[0] - start);
	ck_assert(percpu_scan_offsets(vmt_fake_mem_read, &mem, BASE, BASE + SIZE,
				      BASE + 0x40000, bases, 3, 4096,
				      0xffff800080000000ULL,
				      0xffff800090000000ULL, &array, &found));
	ck_assert_uint_eq(array, at);
	ck_assert_uint_eq(found, start);
	// The section start must be page aligned and in the image.
	ck_assert(!percpu_scan_offsets(vmt_fake_mem_read, &mem, BASE, BASE + SIZE,
				       BASE + 0x40000, bases, 3, 4096,
				       0xffff800090000000ULL,
				       0xffff8000a0000000ULL, &array, &found));
	// One known base is no evidence.
	bases[2] = 0;
	ck_assert(!percpu_scan_offsets(vmt_fake_mem_read, &mem, BASE, BASE + SIZE,
				       BASE + 0x40000, bases, 3, 4096,
				       0xffff800080000000ULL,
				       0xffff800090000000ULL, &array, &found));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reads_a_cache_and_a_slabs_bitfields);
	tcase_add_test(tc, finds_the_object_holding_an_address);
	tcase_add_test(tc, walks_a_plain_freelist);
	tcase_add_test(tc, walks_a_hardened_freelist);
	tcase_add_test(tc, tells_allocated_from_free_through_cpu_freelists);
	tcase_add_test(tc, lists_caches_from_any_cache_in_list_order);
	tcase_add_test(tc, counts_like_slabinfo);
	tcase_add_test(tc, finds_per_cpu_offset_by_its_values);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

// Maple trees built by hand in a buffer, laid out as lib/maple_tree.c does
// on 64-bit (256-byte nodes; range_64: pivot[15] at 8, slot[16] at 128,
// metadata end at 248; arange_64: pivot[9] at 8, slot[10] at 80, metadata
// end at 240; dense: slot[31] at 8), walked with maple_tree_walk().
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/maple_tree.h"

#define BASE 0xffff000010000000ULL
#define NR_NODES 16
#define ULONG_MAX_ UINT64_MAX

static uint8_t mem[NR_NODES * 256];

static struct vmt_error *mem_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	if (addr < BASE || addr - BASE > sizeof(mem) ||
	    len > sizeof(mem) - (addr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "test: %#llx not mapped",
				       (unsigned long long)addr);
	memcpy(buf, mem + (addr - BASE), len);
	return NULL;
}

static uint64_t node_addr(int i)
{
	return BASE + 256ULL * i;
}

// mt_mk_node(): address | type << 3 | MAPLE_ENODE_NULL
static uint64_t enode(int i, enum maple_type type)
{
	return node_addr(i) | (uint64_t)type << 3 | 4;
}

// mte_mk_root()
static uint64_t root_of(int i, enum maple_type type)
{
	return enode(i, type) | 2;
}

static void put64(int node, unsigned int off, uint64_t v)
{
	memcpy(mem + 256 * node + off, &v, 8);
}

static void set_pivot(int node, enum maple_type t, int i, uint64_t v)
{
	(void)t;
	put64(node, 8 + 8 * i, v);
}

static void set_slot(int node, enum maple_type t, int i, uint64_t v)
{
	put64(node, (t == MAPLE_ARANGE_64 ? 80 : t == MAPLE_DENSE ? 8 : 128) +
			    8 * i,
	      v);
}

static void set_end(int node, enum maple_type t, unsigned char end)
{
	mem[256 * node + (t == MAPLE_ARANGE_64 ? 240 : 248)] = end;
}

struct seen {
	int nr;
	uint64_t first[64], last[64], entry[64];
	int stop_after;
};

static struct vmt_error *record(void *arg, uint64_t first, uint64_t last,
				uint64_t entry)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nr, 64);
	s->first[s->nr] = first;
	s->last[s->nr] = last;
	s->entry[s->nr] = entry;
	s->nr++;
	if (s->stop_after && s->nr == s->stop_after)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT, "stop");
	return NULL;
}

static struct maple_layout layout;

static void setup(void)
{
	memset(mem, 0, sizeof(mem));
	maple_layout_default(&layout);
}

#define ENTRY(n) (0xffff0000a0000000ULL + 0x1000ULL * (n))

static void ck_range(const struct seen *s, int i, uint64_t first,
		     uint64_t last, uint64_t entry)
{
	ck_assert_int_lt(i, s->nr);
	ck_assert_uint_eq(s->first[i], first);
	ck_assert_uint_eq(s->last[i], last);
	ck_assert_uint_eq(s->entry[i], entry);
}

START_TEST(empty_tree_has_no_entries)
{
	struct seen s = { 0 };

	setup();
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL, 0, record, &s));
	ck_assert_int_eq(s.nr, 0);
}
END_TEST

START_TEST(root_that_is_an_entry_covers_index_zero)
{
	struct seen s = { 0 };

	setup();
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL, ENTRY(7),
				      record, &s));
	ck_assert_int_eq(s.nr, 1);
	ck_range(&s, 0, 0, 0, ENTRY(7));
}
END_TEST

START_TEST(leaf_root_with_metadata_end_and_ranges_at_both_edges)
{
	struct seen s = { 0 };

	setup();
	// [0, 0xfff] A, [0x1000, 0x1fff] NULL, [0x2000, 0x2fff] B,
	// [0x3000, ULONG_MAX] C: 4 slots, end in metadata = 3.
	set_pivot(0, MAPLE_LEAF_64, 0, 0xfff);
	set_pivot(0, MAPLE_LEAF_64, 1, 0x1fff);
	set_pivot(0, MAPLE_LEAF_64, 2, 0x2fff);
	set_pivot(0, MAPLE_LEAF_64, 3, ULONG_MAX_);
	set_slot(0, MAPLE_LEAF_64, 0, ENTRY(1));
	set_slot(0, MAPLE_LEAF_64, 2, ENTRY(2));
	set_slot(0, MAPLE_LEAF_64, 3, ENTRY(3));
	set_end(0, MAPLE_LEAF_64, 3);
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_LEAF_64), record, &s));
	ck_assert_int_eq(s.nr, 3);
	ck_range(&s, 0, 0, 0xfff, ENTRY(1));
	ck_range(&s, 1, 0x2000, 0x2fff, ENTRY(2));
	ck_range(&s, 2, 0x3000, ULONG_MAX_, ENTRY(3));
}
END_TEST

START_TEST(full_leaf_uses_implied_last_pivot)
{
	struct seen s = { 0 };
	int i;

	setup();
	// 15 pivots 0x10, 0x20, ... 0xf0 (last != max): slot 15 covers
	// [0xf1, ULONG_MAX]; no metadata (its byte belongs to slot 15).
	for (i = 0; i < 15; i++)
		set_pivot(0, MAPLE_LEAF_64, i, 0x10 * (i + 1));
	for (i = 0; i < 16; i++)
		set_slot(0, MAPLE_LEAF_64, i, ENTRY(i + 1));
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_LEAF_64), record, &s));
	ck_assert_int_eq(s.nr, 16);
	ck_range(&s, 0, 0, 0x10, ENTRY(1));
	ck_range(&s, 1, 0x11, 0x20, ENTRY(2));
	ck_range(&s, 14, 0xe1, 0xf0, ENTRY(15));
	ck_range(&s, 15, 0xf1, ULONG_MAX_, ENTRY(16));
}
END_TEST

START_TEST(leaf_whose_last_pivot_is_max)
{
	struct seen s = { 0 };
	int i;

	setup();
	// 15 pivots, the 15th equal to max: ma_data_end() = 14, slot 15 unused
	// (it holds garbage that must be ignored).
	for (i = 0; i < 14; i++)
		set_pivot(0, MAPLE_LEAF_64, i, 0x100 * (i + 1));
	set_pivot(0, MAPLE_LEAF_64, 14, ULONG_MAX_);
	for (i = 0; i < 16; i++)
		set_slot(0, MAPLE_LEAF_64, i, ENTRY(i + 1));
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_LEAF_64), record, &s));
	ck_assert_int_eq(s.nr, 15);
	ck_range(&s, 14, 0xe01, ULONG_MAX_, ENTRY(15));
}
END_TEST

START_TEST(range_root_with_leaf_children)
{
	struct seen s = { 0 };

	setup();
	// root range_64: [0, 0x7fff] -> leaf 1, [0x8000, ULONG_MAX] -> leaf 2
	// (pivot[1] left 0: a zero pivot after slot 0 means the node's max)
	set_pivot(0, MAPLE_RANGE_64, 0, 0x7fff);
	set_slot(0, MAPLE_RANGE_64, 0, enode(1, MAPLE_LEAF_64));
	set_slot(0, MAPLE_RANGE_64, 1, enode(2, MAPLE_LEAF_64));
	set_end(0, MAPLE_RANGE_64, 1);
	// leaf 1: [0, 0x3fff] NULL, [0x4000, 0x7fff] A
	set_pivot(1, MAPLE_LEAF_64, 0, 0x3fff);
	set_pivot(1, MAPLE_LEAF_64, 1, 0x7fff);
	set_slot(1, MAPLE_LEAF_64, 1, ENTRY(1));
	set_end(1, MAPLE_LEAF_64, 1);
	// leaf 2: [0x8000, 0x8fff] B, [0x9000, ULONG_MAX - 1] NULL,
	// [ULONG_MAX, ULONG_MAX] C
	set_pivot(2, MAPLE_LEAF_64, 0, 0x8fff);
	set_pivot(2, MAPLE_LEAF_64, 1, ULONG_MAX_ - 1);
	set_pivot(2, MAPLE_LEAF_64, 2, ULONG_MAX_);
	set_slot(2, MAPLE_LEAF_64, 0, ENTRY(2));
	set_slot(2, MAPLE_LEAF_64, 2, ENTRY(3));
	set_end(2, MAPLE_LEAF_64, 2);
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_RANGE_64), record, &s));
	ck_assert_int_eq(s.nr, 3);
	ck_range(&s, 0, 0x4000, 0x7fff, ENTRY(1));
	ck_range(&s, 1, 0x8000, 0x8fff, ENTRY(2));
	ck_range(&s, 2, ULONG_MAX_, ULONG_MAX_, ENTRY(3));
}
END_TEST

START_TEST(arange_root_uses_metadata_end)
{
	struct seen s = { 0 };

	setup();
	// arange_64 root (an mm's tree is MT_FLAGS_ALLOC_RANGE): 3 children;
	// stale pivots past the end must be ignored.
	set_pivot(0, MAPLE_ARANGE_64, 0, 0xffff);
	set_pivot(0, MAPLE_ARANGE_64, 1, 0xfffff);
	set_pivot(0, MAPLE_ARANGE_64, 2, ULONG_MAX_);
	set_pivot(0, MAPLE_ARANGE_64, 3, 0x123);	// stale
	set_slot(0, MAPLE_ARANGE_64, 0, enode(1, MAPLE_LEAF_64));
	set_slot(0, MAPLE_ARANGE_64, 1, enode(2, MAPLE_LEAF_64));
	set_slot(0, MAPLE_ARANGE_64, 2, enode(3, MAPLE_LEAF_64));
	set_slot(0, MAPLE_ARANGE_64, 3, enode(9, MAPLE_LEAF_64));	// stale
	set_end(0, MAPLE_ARANGE_64, 2);
	set_pivot(1, MAPLE_LEAF_64, 0, 0xffff);
	set_slot(1, MAPLE_LEAF_64, 0, ENTRY(1));
	set_end(1, MAPLE_LEAF_64, 0);
	set_pivot(2, MAPLE_LEAF_64, 0, 0x1ffff);
	set_pivot(2, MAPLE_LEAF_64, 1, 0xfffff);
	set_slot(2, MAPLE_LEAF_64, 1, ENTRY(2));
	set_end(2, MAPLE_LEAF_64, 1);
	set_pivot(3, MAPLE_LEAF_64, 0, 0x100fff);
	set_pivot(3, MAPLE_LEAF_64, 1, ULONG_MAX_);
	set_slot(3, MAPLE_LEAF_64, 0, ENTRY(3));
	set_end(3, MAPLE_LEAF_64, 1);
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_ARANGE_64), record, &s));
	ck_assert_int_eq(s.nr, 3);
	ck_range(&s, 0, 0, 0xffff, ENTRY(1));
	ck_range(&s, 1, 0x20000, 0xfffff, ENTRY(2));
	ck_range(&s, 2, 0x100000, 0x100fff, ENTRY(3));
}
END_TEST

START_TEST(dense_child_has_one_index_per_slot)
{
	struct seen s = { 0 };

	setup();
	// range root: [0, 99] -> dense node 1, [100, ULONG_MAX] NULL
	set_pivot(0, MAPLE_RANGE_64, 0, 99);
	set_slot(0, MAPLE_RANGE_64, 0, enode(1, MAPLE_DENSE));
	set_end(0, MAPLE_RANGE_64, 1);
	set_slot(1, MAPLE_DENSE, 0, ENTRY(1));
	set_slot(1, MAPLE_DENSE, 5, ENTRY(2));
	set_slot(1, MAPLE_DENSE, 30, ENTRY(3));
	vmt_ck_no_err(maple_tree_walk(&layout, mem_read, NULL,
				      root_of(0, MAPLE_RANGE_64), record, &s));
	ck_assert_int_eq(s.nr, 3);
	ck_range(&s, 0, 0, 0, ENTRY(1));
	ck_range(&s, 1, 5, 5, ENTRY(2));
	ck_range(&s, 2, 30, 30, ENTRY(3));
}
END_TEST

START_TEST(cycle_to_an_ancestor_is_an_error)
{
	struct seen s = { 0 };

	setup();
	// node 0 -> node 1 -> node 0 again
	set_pivot(0, MAPLE_RANGE_64, 0, 0xffff);
	set_slot(0, MAPLE_RANGE_64, 0, enode(1, MAPLE_RANGE_64));
	set_end(0, MAPLE_RANGE_64, 0);
	set_pivot(1, MAPLE_RANGE_64, 0, 0xffff);
	set_slot(1, MAPLE_RANGE_64, 0, enode(0, MAPLE_RANGE_64));
	set_end(1, MAPLE_RANGE_64, 0);
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   root_of(0, MAPLE_RANGE_64), record, &s),
		   VMT_ERROR_BAD_DATA);
	ck_assert_int_eq(s.nr, 0);
}
END_TEST

START_TEST(self_loop_in_every_slot_terminates)
{
	struct seen s = { 0 };
	int i;

	setup();
	for (i = 0; i < 15; i++)
		set_pivot(0, MAPLE_RANGE_64, i, 0x100 * (i + 1));
	for (i = 0; i < 16; i++)
		set_slot(0, MAPLE_RANGE_64, i, enode(0, MAPLE_RANGE_64));
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   root_of(0, MAPLE_RANGE_64), record, &s),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(unknown_node_type_is_an_error)
{
	struct seen s = { 0 };

	setup();
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   node_addr(0) | 5 << 3 | 2, record, &s),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(pivots_out_of_order_are_an_error)
{
	struct seen s = { 0 };

	setup();
	set_pivot(0, MAPLE_LEAF_64, 0, 0x2000);
	set_pivot(0, MAPLE_LEAF_64, 1, 0x1000);
	set_pivot(0, MAPLE_LEAF_64, 2, ULONG_MAX_);
	set_slot(0, MAPLE_LEAF_64, 0, ENTRY(1));
	set_slot(0, MAPLE_LEAF_64, 1, ENTRY(2));
	set_end(0, MAPLE_LEAF_64, 2);
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   root_of(0, MAPLE_LEAF_64), record, &s),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(metadata_end_beyond_slots_is_an_error)
{
	struct seen s = { 0 };

	setup();
	set_end(0, MAPLE_ARANGE_64, 10);
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   root_of(0, MAPLE_ARANGE_64), record, &s),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(unreadable_child_keeps_the_fault)
{
	struct seen s = { 0 };
	struct vmt_error *err;

	setup();
	set_pivot(0, MAPLE_RANGE_64, 0, 0xffff);
	set_slot(0, MAPLE_RANGE_64, 0, 0xffff0000dead0000ULL | MAPLE_LEAF_64 << 3);
	set_end(0, MAPLE_RANGE_64, 1);
	err = maple_tree_walk(&layout, mem_read, NULL,
			      root_of(0, MAPLE_RANGE_64), record, &s);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_FAULT);
	ck_assert_uint_eq(err->address, 0xffff0000dead0000ULL);
	ck_assert_ptr_nonnull(strstr(err->message, "0xffff0000dead0000"));
	vmt_error_destroy(err);
}
END_TEST

START_TEST(visitor_error_stops_the_walk)
{
	struct seen s = { .stop_after = 2 };

	setup();
	set_pivot(0, MAPLE_LEAF_64, 0, 1);
	set_pivot(0, MAPLE_LEAF_64, 1, 2);
	set_pivot(0, MAPLE_LEAF_64, 2, ULONG_MAX_);
	set_slot(0, MAPLE_LEAF_64, 0, ENTRY(1));
	set_slot(0, MAPLE_LEAF_64, 1, ENTRY(2));
	set_slot(0, MAPLE_LEAF_64, 2, ENTRY(3));
	set_end(0, MAPLE_LEAF_64, 2);
	vmt_ck_err(maple_tree_walk(&layout, mem_read, NULL,
				   root_of(0, MAPLE_LEAF_64), record, &s),
		   VMT_ERROR_INVALID_ARGUMENT);
	ck_assert_int_eq(s.nr, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("maple_tree");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, empty_tree_has_no_entries);
	tcase_add_test(tc, root_that_is_an_entry_covers_index_zero);
	tcase_add_test(tc, leaf_root_with_metadata_end_and_ranges_at_both_edges);
	tcase_add_test(tc, full_leaf_uses_implied_last_pivot);
	tcase_add_test(tc, leaf_whose_last_pivot_is_max);
	tcase_add_test(tc, range_root_with_leaf_children);
	tcase_add_test(tc, arange_root_uses_metadata_end);
	tcase_add_test(tc, dense_child_has_one_index_per_slot);
	tcase_add_test(tc, cycle_to_an_ancestor_is_an_error);
	tcase_add_test(tc, self_loop_in_every_slot_terminates);
	tcase_add_test(tc, unknown_node_type_is_an_error);
	tcase_add_test(tc, pivots_out_of_order_are_an_error);
	tcase_add_test(tc, metadata_end_beyond_slots_is_an_error);
	tcase_add_test(tc, unreadable_child_keeps_the_fault);
	tcase_add_test(tc, visitor_error_stops_the_walk);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

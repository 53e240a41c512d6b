// list_walk() and rbtree_walk() over lists and trees laid out in a buffer:
// ends, cycles that miss the start, NULL pointers, bounds.
#include <stdint.h>

#include "testutil.h"
#include "kernel/list.h"
#include "kernel/rbtree.h"

#define BASE 0xffff000020000000ULL
#define NODE(i) (BASE + 64ULL * (i))

static uint8_t bytes[64 * 64];
static struct vmt_fake_mem mem = { BASE, bytes, sizeof(bytes) };

struct seen {
	uint64_t nodes[64];
	int nr;
};

static struct vmt_error *record(void *arg, uint64_t node)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nr, 64);
	s->nodes[s->nr++] = node;
	return NULL;
}

static void setup(void)
{
	memset(bytes, 0, sizeof(bytes));
}

// A circular list: head -> 1 -> 2 -> 3 -> head.
static void make_ring(int nr)
{
	for (int i = 0; i < nr; i++)
		vmt_fake_mem_put64(&mem, NODE(i), NODE((i + 1) % nr));
}

START_TEST(list_from_head_visits_entries_not_head)
{
	struct seen s = { 0 };

	make_ring(4);
	vmt_ck_no_err(list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 100,
				"test", record, &s));
	ck_assert_int_eq(s.nr, 3);
	ck_assert_uint_eq(s.nodes[0], NODE(1));
	ck_assert_uint_eq(s.nodes[2], NODE(3));
}
END_TEST

START_TEST(list_from_node_includes_it_and_ends_at_null)
{
	struct seen s = { 0 };

	vmt_fake_mem_put64(&mem, NODE(5), NODE(7));
	vmt_fake_mem_put64(&mem, NODE(7), 0);
	vmt_ck_no_err(list_walk(vmt_fake_mem_read, &mem, NODE(5), true, 100,
				"test", record, &s));
	ck_assert_int_eq(s.nr, 2);
	ck_assert_uint_eq(s.nodes[0], NODE(5));
	ck_assert_uint_eq(s.nodes[1], NODE(7));
}
END_TEST

START_TEST(list_head_with_null_next_is_corrupt)
{
	struct seen s = { 0 };

	vmt_fake_mem_put64(&mem, NODE(0), NODE(1));
	vmt_fake_mem_put64(&mem, NODE(1), 0);
	vmt_ck_err(list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 100,
			     "test", record, &s), VMT_ERROR_BAD_DATA);
	ck_assert_int_eq(s.nr, 1);
}
END_TEST

START_TEST(list_cycle_missing_the_start_stops)
{
	struct seen s = { 0 };

	// head -> 1 -> 2 -> ... -> 9 -> 4 (back into the middle).
	for (int i = 0; i < 9; i++)
		vmt_fake_mem_put64(&mem, NODE(i), NODE(i + 1));
	vmt_fake_mem_put64(&mem, NODE(9), NODE(4));
	vmt_ck_err(list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 1000,
			     "test", record, &s), VMT_ERROR_BAD_DATA);
	// Each node once, and the cycle found within twice its length.
	ck_assert_int_le(s.nr, 9 + 2 * 6);
}
END_TEST

START_TEST(list_self_loop_stops)
{
	struct seen s = { 0 };

	vmt_fake_mem_put64(&mem, NODE(0), NODE(1));
	vmt_fake_mem_put64(&mem, NODE(1), NODE(1));
	vmt_ck_err(list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 1000,
			     "test", record, &s), VMT_ERROR_BAD_DATA);
	ck_assert_int_le(s.nr, 2);
}
END_TEST

START_TEST(list_longer_than_max_stops)
{
	struct seen s = { 0 };

	make_ring(20);
	vmt_ck_err(list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 5,
			     "test", record, &s), VMT_ERROR_BAD_DATA);
	ck_assert_int_eq(s.nr, 5);
}
END_TEST

START_TEST(list_unreadable_node_fails_naming_it)
{
	struct seen s = { 0 };
	struct vmt_error *err;

	vmt_fake_mem_put64(&mem, NODE(0), 0xdead0000ULL);
	err = list_walk(vmt_fake_mem_read, &mem, NODE(0), false, 100, "test",
			record, &s);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_FAULT);
	ck_assert_ptr_nonnull(strstr(err->message, "0xdead0000"));
	vmt_error_destroy(err);
}
END_TEST

// rb_node: parent_color at 0, rb_right at 8, rb_left at 16.
static void rb_set(int node, int left, int right)
{
	vmt_fake_mem_put64(&mem, NODE(node) + 16, left < 0 ? 0 : NODE(left));
	vmt_fake_mem_put64(&mem, NODE(node) + 8, right < 0 ? 0 : NODE(right));
}

START_TEST(rbtree_in_order)
{
	struct seen s = { 0 };

	//        4
	//      2   6
	//     1 3 5 7
	rb_set(4, 2, 6);
	rb_set(2, 1, 3);
	rb_set(6, 5, 7);
	for (int i = 1; i <= 7; i += 2)
		rb_set(i, -1, -1);
	vmt_ck_no_err(rbtree_walk(vmt_fake_mem_read, &mem, NODE(4), 100,
				  "test", record, &s));
	ck_assert_int_eq(s.nr, 7);
	for (int i = 0; i < 7; i++)
		ck_assert_uint_eq(s.nodes[i], NODE(i + 1));
}
END_TEST

START_TEST(rbtree_empty)
{
	struct seen s = { 0 };

	vmt_ck_no_err(rbtree_walk(vmt_fake_mem_read, &mem, 0, 100, "test",
				  record, &s));
	ck_assert_int_eq(s.nr, 0);
}
END_TEST

START_TEST(rbtree_cycle_is_corrupt)
{
	struct seen s = { 0 };

	rb_set(1, 2, -1);
	rb_set(2, 1, -1); // left child points back up
	vmt_ck_err(rbtree_walk(vmt_fake_mem_read, &mem, NODE(1), 100, "test",
			       record, &s), VMT_ERROR_BAD_DATA);
	ck_assert_int_eq(s.nr, 0);
}
END_TEST

START_TEST(rbtree_right_cycle_is_bounded)
{
	struct seen s = { 0 };

	rb_set(1, -1, 1); // its own right child
	vmt_ck_err(rbtree_walk(vmt_fake_mem_read, &mem, NODE(1), 10, "test",
			       record, &s), VMT_ERROR_BAD_DATA);
	ck_assert_int_eq(s.nr, 10);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("walks");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, list_from_head_visits_entries_not_head);
	tcase_add_test(tc, list_from_node_includes_it_and_ends_at_null);
	tcase_add_test(tc, list_head_with_null_next_is_corrupt);
	tcase_add_test(tc, list_cycle_missing_the_start_stops);
	tcase_add_test(tc, list_self_loop_stops);
	tcase_add_test(tc, list_longer_than_max_stops);
	tcase_add_test(tc, list_unreadable_node_fails_naming_it);
	tcase_add_test(tc, rbtree_in_order);
	tcase_add_test(tc, rbtree_empty);
	tcase_add_test(tc, rbtree_cycle_is_corrupt);
	tcase_add_test(tc, rbtree_right_cycle_is_bounded);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

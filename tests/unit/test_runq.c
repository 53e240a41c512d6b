// runq_read() over runqueues laid out in a buffer: fair trees with task
// groups and delayed entities, real-time priority lists with a group,
// deadline trees with a server entity, and broken queues.
#include <stdint.h>

#include "testutil.h"
#include "kernel/runq.h"

#define BASE 0xffff000010000000ULL
#define MEM_SIZE 0x20000
#define RQ (BASE + 0x1000)
#define GROUP_CFS_RQ (BASE + 0x3000)
#define GROUP_RT_RQ (BASE + 0x3800)
#define SERVER (BASE + 0x4000)
// Tasks at BASE + 0x8000 + 0x400 * i.
#define TASK(i) (BASE + 0x8000 + 0x400ULL * (i))
// A group's sched_entity / sched_rt_entity, outside any task.
#define GROUP_SE (BASE + 0x5000)
#define GROUP_RT_SE (BASE + 0x5400)

static uint8_t bytes[MEM_SIZE];
static struct vmt_fake_mem mem = { BASE, bytes, sizeof(bytes) };

static const struct runq_layout layout = {
	.rq_curr = 0,
	.rq_nr_running = 8,
	.rq_cfs = 0x40,
	.rq_rt = 0x100,
	.rq_dl = 0x800,
	.cfs_tasks_timeline = 0x10,
	.rt_active = 0,
	.rt_queue = 0x10,
	.rt_nr_prio = 4,
	.dl_root = 0,
	.task_se = 0x100,
	.task_rt = 0x200,
	.task_dl = 0x300,
	.task_pid = 0x10,
	.task_comm = 0x20,
	.task_prio = 0x30,
	.se_run_node = 0,
	.se_my_q = 0x28,
	.has_se_my_q = true,
	.se_sched_delayed = 0x30,
	.has_se_sched_delayed = true,
	.rt_se_run_list = 0,
	.rt_se_my_q = 0x18,
	.has_rt_se_my_q = true,
	.dl_se_rb_node = 0,
	.dl_se_dl_server_bit = 0x28 * 8 + 3,
	.has_dl_se_dl_server = true,
};

static void put32(uint64_t addr, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		bytes[addr - BASE + i] = (uint8_t)(v >> (8 * i));
}

static void make_task(int i, int pid, int prio, const char *comm)
{
	put32(TASK(i) + layout.task_pid, (uint32_t)pid);
	put32(TASK(i) + layout.task_prio, (uint32_t)prio);
	memcpy(&bytes[TASK(i) + layout.task_comm - BASE], comm,
	       strlen(comm) + 1);
}

// rb_node: parent_color at 0, rb_right at 8, rb_left at 16.
static void rb_set(uint64_t node, uint64_t left, uint64_t right)
{
	vmt_fake_mem_put64(&mem, node + 8, right);
	vmt_fake_mem_put64(&mem, node + 16, left);
}

static uint64_t se_node(int i)
{
	return TASK(i) + layout.task_se + layout.se_run_node;
}

static uint64_t rt_node(int i)
{
	return TASK(i) + layout.task_rt + layout.rt_se_run_list;
}

static uint64_t dl_node(int i)
{
	return TASK(i) + layout.task_dl + layout.dl_se_rb_node;
}

static uint64_t rt_queue_head(uint64_t rt_rq, int prio)
{
	return rt_rq + layout.rt_active + layout.rt_queue + 16ULL * prio;
}

// A circular list_head list: head -> nodes... -> head (next pointers only).
static void make_list(uint64_t head, const uint64_t *nodes, int n)
{
	uint64_t prev = head;

	for (int i = 0; i < n; i++) {
		vmt_fake_mem_put64(&mem, prev, nodes[i]);
		prev = nodes[i];
	}
	vmt_fake_mem_put64(&mem, prev, head);
}

// Every priority list of @p rt_rq empty (pointing at itself).
static void empty_rt(uint64_t rt_rq)
{
	for (unsigned int p = 0; p < layout.rt_nr_prio; p++)
		make_list(rt_queue_head(rt_rq, (int)p), NULL, 0);
}

static void setup(void)
{
	memset(bytes, 0, sizeof(bytes));
	for (int i = 0; i < 12; i++)
		make_task(i, 100 + i, 120, "task");
	make_task(0, 7, 120, "running");
	vmt_fake_mem_put64(&mem, RQ + layout.rq_curr, TASK(0));
	empty_rt(RQ + layout.rq_rt);
}

static struct vmt_error *read_rq(struct vmt_runq *rq)
{
	memset(rq, 0, sizeof(*rq));
	return runq_read(vmt_fake_mem_read, &mem, &layout, 3, RQ, rq);
}

START_TEST(empty_runqueue_has_current_only)
{
	struct vmt_runq rq;

	vmt_ck_no_err(read_rq(&rq));
	ck_assert_uint_eq(rq.cpu, 3);
	ck_assert_uint_eq(rq.curr, TASK(0));
	ck_assert_int_eq(rq.curr_pid, 7);
	ck_assert_str_eq(rq.curr_comm, "running");
	ck_assert_uint_eq(rq.nr_entries, 0);
	ck_assert_uint_eq(rq.cfs_root, RQ + 0x40 + 0x10);
	ck_assert_uint_eq(rq.rt_array, RQ + 0x100);
	ck_assert_uint_eq(rq.dl_root, RQ + 0x800);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(cfs_tree_in_vruntime_order_with_a_group)
{
	struct vmt_runq rq;
	uint64_t group_node = GROUP_SE + layout.se_run_node;

	// Root tree: task 2 at the root, task 1 left, the group right; the
	// group's own tree holds task 3 and (left of it) task 4.
	vmt_fake_mem_put64(&mem, RQ + layout.rq_cfs + layout.cfs_tasks_timeline,
			   se_node(2));
	rb_set(se_node(2), se_node(1), group_node);
	vmt_fake_mem_put64(&mem, GROUP_SE + layout.se_my_q, GROUP_CFS_RQ);
	vmt_fake_mem_put64(&mem, GROUP_CFS_RQ + layout.cfs_tasks_timeline,
			   se_node(3));
	rb_set(se_node(3), se_node(4), 0);
	make_task(4, 104, 139, "nice19");
	// Task 1 slept and waits to be picked (delayed dequeue).
	bytes[TASK(1) + layout.task_se + layout.se_sched_delayed - BASE] = 1;
	vmt_ck_no_err(read_rq(&rq));
	ck_assert_uint_eq(rq.nr_entries, 4);
	ck_assert_int_eq(rq.entries[0].pid, 101);
	ck_assert(rq.entries[0].delayed);
	ck_assert_int_eq(rq.entries[1].pid, 102);
	ck_assert(!rq.entries[1].delayed);
	ck_assert_uint_eq(rq.entries[1].queue, RQ + layout.rq_cfs);
	ck_assert_uint_eq(rq.entries[1].depth, 0);
	ck_assert_int_eq(rq.entries[2].pid, 104);
	ck_assert_int_eq(rq.entries[2].prio, 139);
	ck_assert_str_eq(rq.entries[2].comm, "nice19");
	ck_assert_uint_eq(rq.entries[2].queue, GROUP_CFS_RQ);
	ck_assert_uint_eq(rq.entries[2].depth, 1);
	ck_assert_int_eq(rq.entries[3].pid, 103);
	ck_assert_uint_eq(rq.entries[3].task, TASK(3));
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(rq.entries[i].sched_class, VMT_SCHED_CFS);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(rt_lists_by_priority_with_a_group)
{
	struct vmt_runq rq;
	uint64_t rt_rq = RQ + layout.rq_rt;
	uint64_t p1[] = { rt_node(5), GROUP_RT_SE + layout.rt_se_run_list };
	uint64_t p3[] = { rt_node(6) };
	uint64_t g0[] = { rt_node(7), rt_node(8) };

	make_task(5, 105, 1, "rt1");
	make_task(6, 106, 3, "rt3");
	make_task(7, 107, 0, "grp-a");
	make_task(8, 108, 0, "grp-b");
	make_list(rt_queue_head(rt_rq, 1), p1, 2);
	make_list(rt_queue_head(rt_rq, 3), p3, 1);
	vmt_fake_mem_put64(&mem, GROUP_RT_SE + layout.rt_se_my_q, GROUP_RT_RQ);
	empty_rt(GROUP_RT_RQ);
	make_list(rt_queue_head(GROUP_RT_RQ, 0), g0, 2);
	vmt_ck_no_err(read_rq(&rq));
	ck_assert_uint_eq(rq.nr_entries, 4);
	ck_assert_int_eq(rq.entries[0].pid, 105);
	ck_assert_int_eq(rq.entries[1].pid, 107);
	ck_assert_uint_eq(rq.entries[1].queue, GROUP_RT_RQ);
	ck_assert_uint_eq(rq.entries[1].depth, 1);
	ck_assert_int_eq(rq.entries[2].pid, 108);
	ck_assert_int_eq(rq.entries[3].pid, 106);
	ck_assert_uint_eq(rq.entries[3].queue, rt_rq);
	ck_assert_uint_eq(rq.entries[3].depth, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(rq.entries[i].sched_class, VMT_SCHED_RT);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(dl_tree_skips_server_entities)
{
	struct vmt_runq rq;
	uint64_t server_bit = layout.dl_se_dl_server_bit;

	make_task(9, 109, -1, "dl");
	vmt_fake_mem_put64(&mem, RQ + layout.rq_dl + layout.dl_root,
			   SERVER + layout.dl_se_rb_node);
	rb_set(SERVER, dl_node(9), 0);
	bytes[SERVER + server_bit / 8 - BASE] =
		(uint8_t)(1 << (server_bit % 8));
	vmt_ck_no_err(read_rq(&rq));
	ck_assert_uint_eq(rq.nr_entries, 1);
	ck_assert_int_eq(rq.entries[0].sched_class, VMT_SCHED_DL);
	ck_assert_int_eq(rq.entries[0].pid, 109);
	ck_assert_int_eq(rq.entries[0].prio, -1);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(classes_come_dl_rt_cfs)
{
	struct vmt_runq rq;
	uint64_t p0[] = { rt_node(5) };

	vmt_fake_mem_put64(&mem, RQ + layout.rq_cfs + layout.cfs_tasks_timeline,
			   se_node(2));
	make_list(rt_queue_head(RQ + layout.rq_rt, 0), p0, 1);
	vmt_fake_mem_put64(&mem, RQ + layout.rq_dl + layout.dl_root,
			   dl_node(9));
	vmt_ck_no_err(read_rq(&rq));
	ck_assert_uint_eq(rq.nr_entries, 3);
	ck_assert_int_eq(rq.entries[0].sched_class, VMT_SCHED_DL);
	ck_assert_int_eq(rq.entries[1].sched_class, VMT_SCHED_RT);
	ck_assert_int_eq(rq.entries[2].sched_class, VMT_SCHED_CFS);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(cyclic_group_is_corrupt_and_keeps_what_was_read)
{
	struct vmt_runq rq;
	uint64_t group_node = GROUP_SE + layout.se_run_node;

	// The root tree: task 1, then a group whose queue is the root cfs_rq
	// itself (a cycle through my_q).
	vmt_fake_mem_put64(&mem, RQ + layout.rq_cfs + layout.cfs_tasks_timeline,
			   se_node(1));
	rb_set(se_node(1), 0, group_node);
	vmt_fake_mem_put64(&mem, GROUP_SE + layout.se_my_q, RQ + layout.rq_cfs);
	vmt_ck_err(read_rq(&rq), VMT_ERROR_BAD_DATA);
	ck_assert_uint_ge(rq.nr_entries, 1);
	ck_assert_int_eq(rq.entries[0].pid, 101);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(cyclic_rt_list_is_corrupt)
{
	struct vmt_runq rq;
	uint64_t head = rt_queue_head(RQ + layout.rq_rt, 2);

	// 5 -> 6 -> 5: never back to the head.
	vmt_fake_mem_put64(&mem, head, rt_node(5));
	vmt_fake_mem_put64(&mem, rt_node(5), rt_node(6));
	vmt_fake_mem_put64(&mem, rt_node(6), rt_node(5));
	vmt_ck_err(read_rq(&rq), VMT_ERROR_BAD_DATA);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(unreadable_task_names_it)
{
	struct vmt_runq rq;
	struct vmt_error *err;

	// A tree node far outside the buffer.
	vmt_fake_mem_put64(&mem, RQ + layout.rq_cfs + layout.cfs_tasks_timeline,
			   BASE + 0x1000000);
	err = read_rq(&rq);
	ck_assert(err);
	ck_assert_int_eq(err->code, VMT_ERROR_FAULT);
	ck_assert_msg(strstr(err->message, "CPU 3"), "%s", err->message);
	vmt_error_destroy(err);
	vmt_runq_deinit(&rq);
}
END_TEST

START_TEST(without_groups_every_entity_is_a_task)
{
	struct runq_layout l = layout;
	struct vmt_runq rq;

	// A kernel without CONFIG_FAIR_GROUP_SCHED has no my_q: the word
	// there is whatever follows, and must not be followed.
	l.has_se_my_q = false;
	vmt_fake_mem_put64(&mem, RQ + layout.rq_cfs + layout.cfs_tasks_timeline,
			   se_node(2));
	vmt_fake_mem_put64(&mem, TASK(2) + layout.task_se + layout.se_my_q,
			   BASE + 0x1000000);
	memset(&rq, 0, sizeof(rq));
	vmt_ck_no_err(runq_read(vmt_fake_mem_read, &mem, &l, 0, RQ, &rq));
	ck_assert_uint_eq(rq.nr_entries, 1);
	ck_assert_int_eq(rq.entries[0].pid, 102);
	vmt_runq_deinit(&rq);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runq");
	TCase *tc = tcase_create("runq");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, empty_runqueue_has_current_only);
	tcase_add_test(tc, cfs_tree_in_vruntime_order_with_a_group);
	tcase_add_test(tc, rt_lists_by_priority_with_a_group);
	tcase_add_test(tc, dl_tree_skips_server_entities);
	tcase_add_test(tc, classes_come_dl_rt_cfs);
	tcase_add_test(tc, cyclic_group_is_corrupt_and_keeps_what_was_read);
	tcase_add_test(tc, cyclic_rt_list_is_corrupt);
	tcase_add_test(tc, unreadable_task_names_it);
	tcase_add_test(tc, without_groups_every_entity_is_a_task);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

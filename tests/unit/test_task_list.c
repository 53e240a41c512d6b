// task_list() over a fake struct kernel: task_structs laid out by hand in
// a buffer with made-up member offsets. Checks list order, the fields
// taken from each task, and that cyclic lists end with a warning.
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/task.h"

#define MEM_BASE 0xffff800081000000ULL
#define MEM_SIZE (256 * 1024)
#define TASK(i) (MEM_BASE + 0x10000 + 0x200ULL * (i))
#define SIGNAL(i) (MEM_BASE + 0x30000 + 0x100ULL * (i))
#define STACK(i) (0xffff800090000000ULL + 0x4000ULL * (i))

struct kernel {
	uint8_t mem[MEM_SIZE];
	bool have_init_task_symbol;
	uint64_t init_task_at; // where the symbol points, if not TASK(0)
	int nr_warnings;
	char last_warning[512];
};

#include "testutil_kernel.h"

static const struct vmt_fake_member members[] = {
	{ "task_struct", "__state", 0x04, 4 },
	{ "task_struct", "tasks", 0x10, 16 },
	{ "task_struct", "pid", 0x20, 4 },
	{ "task_struct", "tgid", 0x24, 4 },
	{ "task_struct", "comm", 0x30, 16 },
	{ "task_struct", "exit_state", 0x40, 4 },
	{ "task_struct", "flags", 0x44, 4 },
	{ "task_struct", "mm", 0x48, 8 },
	{ "task_struct", "real_parent", 0x50, 8 },
	{ "task_struct", "signal", 0x58, 8 },
	{ "task_struct", "thread_node", 0x60, 16 },
	{ "task_struct", "stack", 0x70, 8 },
	{ "task_struct", "on_cpu", 0x78, 4 },
	{ "task_struct", "cpu", 0x7c, 4 },
	{ "signal_struct", "thread_head", 0x08, 16 },
	{ "rq", "curr", 0x08, 8 },
	{ "rq", "idle", 0x10, 8 },
};

struct vmt_error *kernel_symbol(struct kernel *k, const char *name,
				uint64_t *ret)
{
	if (!strcmp(name, "init_task") && k->have_init_task_symbol) {
		*ret = k->init_task_at ? k->init_task_at : TASK(0);
		return NULL;
	}
	if (!strcmp(name, "init_uts_ns")) {
		*ret = MEM_BASE + 0x3f000;
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no symbol %s", name);
}

struct vmt_error *kernel_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret)
{
	return vmt_fake_member_find(members,
				    sizeof(members) / sizeof(members[0]), type,
				    member, offset_ret, size_ret);
}

bool kernel_has_member(struct kernel *k, const char *type, const char *member)
{
	uint64_t o, s;
	struct vmt_error *err = kernel_member(k, type, member, &o, &s);

	vmt_error_destroy(err);
	return !err;
}

uint64_t kernel_page_size(struct kernel *k)
{
	return 4096;
}

static struct vmt_cpu_regs regs[2] = { { .sp = STACK(3) + 0x3f80 } };
static size_t nr_regs = 1;

void kernel_cpu_regs(struct kernel *k, const struct vmt_cpu_regs **ret,
		     size_t *nr_ret)
{
	*ret = regs;
	*nr_ret = nr_regs;
}

void kernel_warn(struct kernel *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->last_warning, sizeof(k->last_warning), fmt, ap);
	va_end(ap);
	k->nr_warnings++;
}

// A derived symbol is remembered with how it was found; the fake keeps
// the explanation where the warnings go, so tests can read it.
void kernel_add_derived_symbol(struct kernel *k, const char *name,
			       uint64_t addr, const char *how)
{
	snprintf(k->last_warning, sizeof(k->last_warning), "%s at %#" PRIx64 ": %s",
		 name, addr, how);
	k->nr_warnings++;
}

void kernel_add_derived_object(struct kernel *k, const char *name,
			       uint64_t addr, const char *type,
			       const char *how)
{
	(void)type;
	kernel_add_derived_symbol(k, name, addr, how);
}

static struct kernel *K;
static struct task_cpu *cpus;
static unsigned int nr_cpus;

// task_list() with nothing but memory (no per-CPU areas, no stacks).
static struct vmt_error *list(struct vmt_task **t, size_t *n,
			      struct vmt_error **broken)
{
	static const struct task_list_input none;

	free(cpus);
	cpus = NULL;
	return task_list(K, &none, t, n, &cpus, &nr_cpus, broken);
}

static void put(uint64_t addr, const void *v, size_t len)
{
	memcpy(K->mem + (addr - MEM_BASE), v, len);
}

static void put64(uint64_t addr, uint64_t v)
{
	put(addr, &v, 8);
}

static void put32(uint64_t addr, uint32_t v)
{
	put(addr, &v, 4);
}

static void list_link(uint64_t a, uint64_t b)
{
	put64(a, b);     // a->next = b
	put64(b + 8, a); // b->prev = a
}

static void make_task(int i, int pid, int tgid, const char *comm,
		      uint32_t state, uint32_t exit_state, uint64_t mm,
		      int parent, int sig)
{
	char c[16] = { 0 };

	strncpy(c, comm, 15);
	put32(TASK(i) + 0x20, pid);
	put32(TASK(i) + 0x24, tgid);
	put(TASK(i) + 0x30, c, 16);
	put32(TASK(i) + 0x04, state);
	put32(TASK(i) + 0x40, exit_state);
	put64(TASK(i) + 0x48, mm);
	put64(TASK(i) + 0x50, TASK(parent));
	put64(TASK(i) + 0x58, SIGNAL(sig));
	put64(TASK(i) + 0x70, STACK(i)); // 16K each (THREAD_SIZE)
	put32(TASK(i) + 0x7c, i % 2);
}

// init_task (0), kthreadd (1, pid 2), init (2, pid 1) with thread 3
// (pid 7) and zombie child 4 (pid 9).
static void setup(void)
{
	K = calloc(1, sizeof(*K));
	ck_assert_ptr_nonnull(K);
	K->have_init_task_symbol = true;
	nr_regs = 1;
	regs[0].sp = STACK(3) + 0x3f80;
	make_task(0, 0, 0, "swapper/0", 0, 0, 0, 0, 0);
	make_task(1, 2, 2, "kthreadd", 1, 0, 0, 0, 1);
	make_task(2, 1, 1, "init", 1, 0, 0xffff000012340000ULL, 0, 2);
	make_task(3, 7, 1, "init-thread", 0x402, 0, 0xffff000012340000ULL, 0,
		  2);
	make_task(4, 9, 9, "zombie", 0x80, 0x20, 0, 2, 4);
	// processes: init_task -> kthreadd -> init -> zombie -> init_task
	list_link(TASK(0) + 0x10, TASK(1) + 0x10);
	list_link(TASK(1) + 0x10, TASK(2) + 0x10);
	list_link(TASK(2) + 0x10, TASK(4) + 0x10);
	list_link(TASK(4) + 0x10, TASK(0) + 0x10);
	// thread lists: each signal's thread_head
	for (int s = 0; s <= 4; s++)
		list_link(SIGNAL(s) + 8, SIGNAL(s) + 8);
	list_link(SIGNAL(0) + 8, TASK(0) + 0x60);
	list_link(TASK(0) + 0x60, SIGNAL(0) + 8);
	list_link(SIGNAL(1) + 8, TASK(1) + 0x60);
	list_link(TASK(1) + 0x60, SIGNAL(1) + 8);
	list_link(SIGNAL(2) + 8, TASK(2) + 0x60);
	list_link(TASK(2) + 0x60, TASK(3) + 0x60);
	list_link(TASK(3) + 0x60, SIGNAL(2) + 8);
	list_link(SIGNAL(4) + 8, TASK(4) + 0x60);
	list_link(TASK(4) + 0x60, SIGNAL(4) + 8);
}

static void teardown(void)
{
	free(K);
	free(cpus);
	cpus = NULL;
}

START_TEST(processes_then_threads_with_their_fields)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	vmt_ck_no_err(list(&t, &n, &broken));
	ck_assert_ptr_null(broken);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(t[0].pid, 0);
	ck_assert_str_eq(t[0].comm, "swapper/0");
	ck_assert(t[0].kthread);
	ck_assert_int_eq(t[1].pid, 2);
	ck_assert_int_eq(t[1].ppid, 0);
	ck_assert_int_eq(t[1].state, 'S');
	ck_assert_int_eq(t[2].pid, 1);
	ck_assert(!t[2].kthread);
	ck_assert_int_eq(t[3].pid, 7);
	ck_assert_int_eq(t[3].tgid, 1);
	ck_assert_int_eq(t[3].state, 'I');
	ck_assert_int_eq(t[2].cpu, 0);
	// regs[0].sp is inside task 3's stack: it runs on CPU 0 (its
	// task->cpu 1 is not a CPU of this one-note dump)
	ck_assert(t[3].oncpu);
	ck_assert_int_eq(t[3].cpu, 0);
	ck_assert(!t[2].oncpu);
	ck_assert_uint_eq(nr_cpus, 1);
	ck_assert_uint_eq(cpus[0].task, TASK(3));
	ck_assert_int_eq(cpus[0].note, 0);
	ck_assert_int_eq(t[4].pid, 9);
	ck_assert_int_eq(t[4].ppid, 1);
	ck_assert_int_eq(t[4].state, 'Z');
	ck_assert_uint_eq(t[4].task, TASK(4));
	ck_assert_int_eq(K->nr_warnings, 0);
	free(t);
	teardown();
}
END_TEST

START_TEST(cycle_in_the_process_list_stops_with_a_warning)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	// zombie -> kthreadd again instead of back to init_task
	put64(TASK(4) + 0x10, TASK(1) + 0x10);
	vmt_ck_no_err(list(&t, &n, &broken));
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(K->nr_warnings, 1);
	ck_assert_ptr_nonnull(strstr(K->last_warning, "cycle"));
	// The list is incomplete, and the reason names the entry.
	ck_assert_ptr_nonnull(broken);
	ck_assert_ptr_nonnull(strstr(broken->message, "cycle"));
	vmt_error_destroy(broken);
	free(t);
	teardown();
}
END_TEST

START_TEST(cycle_in_a_thread_list_stops_with_a_warning)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	// init's thread loops onto itself
	put64(TASK(3) + 0x60, TASK(3) + 0x60);
	vmt_ck_no_err(list(&t, &n, &broken));
	ck_assert_uint_eq(n, 5);
	ck_assert_int_ge(K->nr_warnings, 1);
	ck_assert_ptr_nonnull(strstr(K->last_warning, "cycle"));
	ck_assert_ptr_nonnull(broken);
	vmt_error_destroy(broken);
	free(t);
	teardown();
}
END_TEST

START_TEST(broken_next_pointer_cuts_the_list)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	put64(TASK(2) + 0x10, 0xffff0000dead0010ULL);
	vmt_ck_no_err(list(&t, &n, &broken));
	// init_task, kthreadd, init and its thread; the rest is unreachable
	ck_assert_uint_eq(n, 4);
	ck_assert_int_ge(K->nr_warnings, 1);
	// The reason names the pointer that could not be followed.
	ck_assert_ptr_nonnull(broken);
	ck_assert_ptr_nonnull(strstr(broken->message, "ffff0000dead00"));
	vmt_error_destroy(broken);
	free(t);
	teardown();
}
END_TEST

START_TEST(init_task_found_by_scanning_without_its_symbol)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	K->have_init_task_symbol = false;
	vmt_ck_no_err(list(&t, &n, &broken));
	ck_assert_ptr_null(broken);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(t[0].task, TASK(0));
	ck_assert_ptr_nonnull(strstr(K->last_warning, "scanning"));
	free(t);
	teardown();
}
END_TEST

START_TEST(no_init_task_anywhere_is_not_found)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	K->have_init_task_symbol = false;
	put(TASK(0) + 0x30, "swapper/X", 10);
	vmt_ck_err(list(&t, &n, &broken), VMT_ERROR_NOT_FOUND);
	teardown();
}
END_TEST

// A task on the list that cannot be read is skipped; the list is
// incomplete and says which task.
START_TEST(unreadable_task_is_skipped_and_named)
{
	struct vmt_task *t;
	struct vmt_error *broken;
	size_t n;

	setup();
	// kthreadd's list entry leads to a task outside memory, whose own
	// next pointer leads back to init's.
	put64(TASK(0) + 0x10, 0xffff800080000010ULL);
	vmt_ck_no_err(list(&t, &n, &broken));
	ck_assert_ptr_nonnull(broken);
	ck_assert_ptr_nonnull(strstr(broken->message, "ffff800080000000"));
	ck_assert_uint_eq(n, 1);
	vmt_error_destroy(broken);
	free(t);
	teardown();
}
END_TEST

// Two CPUs with per-CPU runqueues at UNIT(c) + RQ_OFF: rq->curr at +8,
// rq->idle at +0x10. CPU 1's idle task (task 5) is on no task list.
#define UNIT(c) (MEM_BASE + 0x38000 + 0x1000ULL * (c))
#define RQ_OFF 0x100
#define IRQ_STACK(c) (0xffff8000a0000000ULL + 0x10000ULL * (c))

static uint64_t bases[2];
static struct percpu pc2;
static uint64_t cpu_stack_lows[2][KSTACK_KINDS];
static struct kernel_stacks ks2;

static void setup_smp(uint64_t curr0, uint64_t curr1)
{
	setup();
	make_task(5, 0, 0, "swapper/1", 0, 0, 0, 0, 0);
	put32(TASK(5) + 0x7c, 1);
	bases[0] = UNIT(0);
	bases[1] = UNIT(1);
	memset(&pc2, 0, sizeof(pc2));
	pc2.nr_cpus = 2;
	pc2.nr_bases = 2;
	pc2.base = bases;
	put64(UNIT(0) + RQ_OFF + 0x08, curr0);
	put64(UNIT(0) + RQ_OFF + 0x10, TASK(0));
	put64(UNIT(1) + RQ_OFF + 0x08, curr1);
	put64(UNIT(1) + RQ_OFF + 0x10, TASK(5));
	memset(&ks2, 0, sizeof(ks2));
	memset(cpu_stack_lows, 0, sizeof(cpu_stack_lows));
	cpu_stack_lows[0][KSTACK_IRQ] = IRQ_STACK(0);
	cpu_stack_lows[1][KSTACK_IRQ] = IRQ_STACK(1);
	ks2.nr_cpus = 2;
	ks2.cpu = cpu_stack_lows;
	ks2.thread_size = 0x4000;
	ks2.size[KSTACK_IRQ] = 0x4000;
	nr_regs = 2;
}

static struct vmt_error *list_smp(struct vmt_task **t, size_t *n)
{
	struct task_list_input in = {
		.thread_size = 0x4000, .percpu = &pc2, .have_runqueues = true,
		.runqueues_offset = RQ_OFF, .stacks = &ks2,
	};

	struct vmt_error *err, *broken = NULL;

	free(cpus);
	cpus = NULL;
	err = task_list(K, &in, t, n, &cpus, &nr_cpus, &broken);
	// These lists are whole.
	ck_assert_ptr_null(broken);
	return err;
}

static const struct vmt_task *by_task(const struct vmt_task *t, size_t n,
				      uint64_t task)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].task == task)
			return &t[i];
	return NULL;
}

// Exactly one task marked per CPU, and it is cpus[c].task.
static void one_per_cpu(const struct vmt_task *t, size_t n)
{
	for (unsigned int c = 0; c < nr_cpus; c++) {
		int marked = 0;

		for (size_t i = 0; i < n; i++)
			if (t[i].oncpu && t[i].cpu == (int)c) {
				marked++;
				ck_assert_uint_eq(t[i].task, cpus[c].task);
			}
		ck_assert_msg(marked == 1, "CPU %u: %d tasks", c, marked);
	}
}

START_TEST(idle_tasks_of_other_cpus_come_from_the_runqueues)
{
	struct vmt_task *t;
	size_t n;

	setup_smp(TASK(0), TASK(5));
	regs[0].sp = STACK(0) + 0x3e00;
	regs[1].sp = STACK(5) + 0x3e00;
	vmt_ck_no_err(list_smp(&t, &n));
	ck_assert_uint_eq(n, 6);
	// right after init_task, as crash lists it
	ck_assert_str_eq(t[1].comm, "swapper/1");
	ck_assert_uint_eq(nr_cpus, 2);
	ck_assert_uint_eq(cpus[0].task, TASK(0));
	ck_assert_uint_eq(cpus[1].task, TASK(5));
	ck_assert_int_eq(cpus[1].note, 1);
	ck_assert_ptr_nonnull(strstr(cpus[1].how, "rq->curr"));
	one_per_cpu(t, n);
	free(t);
	teardown();
}
END_TEST

// Without init_task there is no list: the error gives the cause.
START_TEST(unreadable_init_task_is_an_error_with_its_cause)
{
	struct vmt_task *t;
	struct vmt_error *broken, *err;
	size_t n;

	setup();
	K->init_task_at = 0xffff800080000000ULL;
	err = list(&t, &n, &broken);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "init_task"));
	ck_assert_ptr_nonnull(strstr(err->message, "not mapped"));
	vmt_error_destroy(err);
	teardown();
}
END_TEST

START_TEST(a_cpu_on_its_irq_stack_takes_rq_curr)
{
	struct vmt_task *t;
	size_t n;

	setup_smp(TASK(0), TASK(2));
	regs[0].sp = STACK(0) + 0x3e00;
	regs[1].sp = IRQ_STACK(1) + 0x3f00;
	vmt_ck_no_err(list_smp(&t, &n));
	ck_assert_uint_eq(cpus[1].task, TASK(2));
	ck_assert_ptr_nonnull(strstr(cpus[1].how, "rq->curr"));
	ck_assert(by_task(t, n, TASK(2))->oncpu);
	ck_assert_int_eq(by_task(t, n, TASK(2))->cpu, 1);
	ck_assert(!by_task(t, n, TASK(5))->oncpu);
	one_per_cpu(t, n);
	free(t);
	teardown();
}
END_TEST

START_TEST(registers_win_over_rq_curr_during_a_switch)
{
	struct vmt_task *t;
	size_t n;

	// rq->curr of CPU 0 is already kthreadd, the registers still on
	// init_task's stack
	setup_smp(TASK(1), TASK(5));
	regs[0].sp = STACK(0) + 0x3e00;
	regs[1].sp = STACK(5) + 0x3e00;
	vmt_ck_no_err(list_smp(&t, &n));
	ck_assert_uint_eq(cpus[0].task, TASK(0));
	ck_assert_ptr_nonnull(strstr(cpus[0].how, "switch in progress"));
	ck_assert(!by_task(t, n, TASK(1))->oncpu);
	one_per_cpu(t, n);
	free(t);
	teardown();
}
END_TEST

START_TEST(notes_are_matched_to_cpus_by_their_stacks)
{
	struct vmt_task *t;
	size_t n;

	// note 0 is CPU 1's (on its IRQ stack), note 1 is CPU 0's
	setup_smp(TASK(2), TASK(5));
	regs[0].sp = IRQ_STACK(1) + 0x100;
	regs[1].sp = STACK(2) + 0x3e00;
	vmt_ck_no_err(list_smp(&t, &n));
	ck_assert_int_eq(cpus[0].note, 1);
	ck_assert_int_eq(cpus[1].note, 0);
	ck_assert_uint_eq(cpus[0].task, TASK(2));
	ck_assert_uint_eq(cpus[1].task, TASK(5));
	one_per_cpu(t, n);
	free(t);
	teardown();
}
END_TEST

START_TEST(without_runqueues_or_registers_a_cpu_has_no_guess)
{
	struct vmt_task *t;
	size_t n;

	setup_smp(TASK(0), TASK(5));
	bases[1] = 0; // CPU 1's per-CPU area unknown
	regs[0].sp = STACK(0) + 0x3e00;
	regs[1].sp = IRQ_STACK(1) + 0x100;
	vmt_ck_no_err(list_smp(&t, &n));
	ck_assert_uint_eq(cpus[1].task, 0);
	ck_assert_ptr_nonnull(strstr(cpus[1].how, "unknown"));
	for (size_t i = 0; i < n; i++)
		ck_assert(!t[i].oncpu || t[i].task == TASK(0));
	free(t);
	teardown();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("task_list");
	TCase *tc = tcase_create("walk");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, processes_then_threads_with_their_fields);
	tcase_add_test(tc, cycle_in_the_process_list_stops_with_a_warning);
	tcase_add_test(tc, cycle_in_a_thread_list_stops_with_a_warning);
	tcase_add_test(tc, broken_next_pointer_cuts_the_list);
	tcase_add_test(tc, init_task_found_by_scanning_without_its_symbol);
	tcase_add_test(tc, no_init_task_anywhere_is_not_found);
	tcase_add_test(tc, unreadable_task_is_skipped_and_named);
	tcase_add_test(tc, unreadable_init_task_is_an_error_with_its_cause);
	tcase_add_test(tc, idle_tasks_of_other_cpus_come_from_the_runqueues);
	tcase_add_test(tc, a_cpu_on_its_irq_stack_takes_rq_curr);
	tcase_add_test(tc, registers_win_over_rq_curr_during_a_switch);
	tcase_add_test(tc, notes_are_matched_to_cpus_by_their_stacks);
	tcase_add_test(tc, without_runqueues_or_registers_a_cpu_has_no_guess);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

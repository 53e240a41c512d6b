// percpu_load() over a fake struct kernel: the CPU count from nr_cpu_ids or
// the NT_PRSTATUS notes, the bases from __per_cpu_offset, and the bases
// derived from the runqueues (a task's se.cfs_rq->rq) when the symbols are
// missing, as on Debian's kernel without CONFIG_KALLSYMS_ALL.
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/percpu.h"

#define MEM_BASE 0xffff000010000000ULL
#define MEM_SIZE (512 * 1024)
#define TASK(i) (MEM_BASE + 0x1000 + 0x400ULL * (i))
#define CFS_RQ(i) (MEM_BASE + 0x10000 + 0x100ULL * (i))
// The per-CPU units, 64K apart; runqueues at offset 0x2040 in each.
#define UNIT(c) (MEM_BASE + 0x40000 + 0x10000ULL * (c))
#define RUNQUEUES_OFF 0x2040ULL
#define PERCPU_START 0xffff800080700000ULL // link address of .data..percpu
#define OFFSETS (MEM_BASE + 0x800)
#define NR_CPU_IDS (MEM_BASE + 0x900)

struct kernel {
	uint8_t mem[MEM_SIZE];
	bool symbols;       // __per_cpu_offset, __per_cpu_start, nr_cpu_ids
	bool fair_group;    // se.cfs_rq and cfs_rq.rq exist
	size_t nr_regs;
};

static const struct {
	const char *type, *member;
	uint64_t off, size;
} members[] = {
	{ "task_struct", "tasks", 0x10, 16 },
	{ "task_struct", "cpu", 0x30, 4 },
	{ "task_struct", "se.cfs_rq", 0x80, 8 },
	{ "cfs_rq", "rq", 0x40, 8 },
	{ "rq", "cpu", 0x100, 4 },
};

struct vmt_error *kernel_read(struct kernel *k, uint64_t vaddr, void *buf,
			      size_t len)
{
	if (vaddr < MEM_BASE || vaddr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (vaddr - MEM_BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, vaddr,
				       "fake: %#llx not mapped",
				       (unsigned long long)vaddr);
	memcpy(buf, k->mem + (vaddr - MEM_BASE), len);
	return NULL;
}

struct vmt_error *kernel_read_u64(struct kernel *k, uint64_t vaddr,
				  uint64_t *ret)
{
	return kernel_read(k, vaddr, ret, 8);
}

struct vmt_error *kernel_read_u32(struct kernel *k, uint64_t vaddr,
				  uint32_t *ret)
{
	return kernel_read(k, vaddr, ret, 4);
}

struct vmt_error *kernel_symbol(struct kernel *k, const char *name,
				uint64_t *ret)
{
	if (k->symbols && !strcmp(name, "__per_cpu_offset"))
		*ret = OFFSETS;
	else if (k->symbols && !strcmp(name, "__per_cpu_start"))
		*ret = PERCPU_START;
	else if (k->symbols && !strcmp(name, "__per_cpu_end"))
		*ret = PERCPU_START + 0x10000;
	else if (k->symbols && !strcmp(name, "runqueues"))
		*ret = PERCPU_START + RUNQUEUES_OFF;
	else if (k->symbols && !strcmp(name, "nr_cpu_ids"))
		*ret = NR_CPU_IDS;
	else
		return vmt_error_format(VMT_ERROR_NOT_FOUND, "no symbol %s",
					name);
	return NULL;
}

struct vmt_error *kernel_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret)
{
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if (!k->fair_group && (!strcmp(members[i].member, "se.cfs_rq") ||
				       !strcmp(members[i].member, "rq")))
			continue;
		if (!strcmp(members[i].type, type) &&
		    !strcmp(members[i].member, member)) {
			*offset_ret = members[i].off;
			*size_ret = members[i].size;
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no %s.%s", type, member);
}

struct vmt_error *kernel_type_size(struct kernel *k, const char *type,
				   uint64_t *ret)
{
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no type %s", type);
}

struct vmt_error *kernel_section_var(struct kernel *k, const char *section,
				     const char *name, uint64_t *offset_ret,
				     uint64_t *size_ret)
{
	if (!strcmp(section, ".data..percpu") && !strcmp(name, "runqueues")) {
		*offset_ret = RUNQUEUES_OFF;
		*size_ret = 0x1000;
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no %s in %s", name,
				section);
}

static const struct vmt_cpu_regs regs[3];

void kernel_cpu_regs(struct kernel *k, const struct vmt_cpu_regs **ret,
		     size_t *nr_ret)
{
	*ret = regs;
	*nr_ret = k->nr_regs;
}

static struct kernel *K;

static void put64(uint64_t addr, uint64_t v)
{
	memcpy(K->mem + (addr - MEM_BASE), &v, 8);
}

static void put32(uint64_t addr, uint32_t v)
{
	memcpy(K->mem + (addr - MEM_BASE), &v, 4);
}

// Tasks 0..5 on a circular tasks list from task 0 (init_task); task i
// last ran on CPU cpus[i], its se.cfs_rq is CFS_RQ(i) whose rq is that
// CPU's runqueues.
static void setup(int nr_cpus, const int *cpus, int nr_tasks)
{
	K = calloc(1, sizeof(*K));
	ck_assert_ptr_nonnull(K);
	K->symbols = false;
	K->fair_group = true;
	K->nr_regs = (size_t)nr_cpus;
	for (int c = 0; c < nr_cpus; c++) {
		put32(UNIT(c) + RUNQUEUES_OFF + 0x100, (uint32_t)c);
		put64(OFFSETS + 8 * c, UNIT(c) - PERCPU_START);
	}
	put32(NR_CPU_IDS, (uint32_t)nr_cpus);
	for (int i = 0; i < nr_tasks; i++) {
		int next = (i + 1) % nr_tasks;

		put32(TASK(i) + 0x30, (uint32_t)cpus[i]);
		put64(TASK(i) + 0x80, CFS_RQ(i));
		put64(CFS_RQ(i) + 0x40, UNIT(cpus[i]) + RUNQUEUES_OFF);
		put64(TASK(i) + 0x10, TASK(next) + 0x10);
		put64(TASK(next) + 0x18, TASK(i) + 0x10);
	}
}

START_TEST(bases_from_per_cpu_offset_symbols)
{
	static const int cpus[] = { 0, 1, 1 };
	struct percpu *pc;
	uint64_t a;

	setup(3, cpus, 3);
	K->symbols = true;
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->nr_cpus, 3);
	ck_assert_ptr_nonnull(strstr(pc->cpus_how, "nr_cpu_ids"));
	ck_assert_int_eq(pc->source, PERCPU_FROM_OFFSETS);
	ck_assert_uint_eq(pc->nr_bases, 3);
	for (unsigned int c = 0; c < 3; c++)
		ck_assert_uint_eq(pc->base[c], UNIT(c));
	vmt_ck_no_err(percpu_var_addr(K, pc, "runqueues", 2, &a));
	ck_assert_uint_eq(a, UNIT(2) + RUNQUEUES_OFF);
	vmt_ck_err(percpu_addr(pc, 3, 0, &a), VMT_ERROR_NOT_FOUND);
	percpu_destroy(pc);
	free(K);
}
END_TEST

START_TEST(bases_derived_from_the_runqueues_without_symbols)
{
	static const int cpus[] = { 0, 0, 1, 0, 1, 0 };
	struct percpu *pc;
	uint64_t a;

	setup(2, cpus, 6);
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->nr_cpus, 2);
	ck_assert_ptr_nonnull(strstr(pc->cpus_how, "NT_PRSTATUS"));
	ck_assert_int_eq(pc->source, PERCPU_FROM_RUNQUEUES);
	ck_assert_uint_eq(pc->nr_bases, 2);
	ck_assert_uint_eq(pc->base[0], UNIT(0));
	ck_assert_uint_eq(pc->base[1], UNIT(1));
	// the first task found on each CPU is the witness
	ck_assert_uint_eq(pc->witness[0], TASK(0));
	ck_assert_uint_eq(pc->witness[1], TASK(2));
	ck_assert_uint_eq(pc->runqueues_offset, RUNQUEUES_OFF);
	vmt_ck_no_err(percpu_var_addr(K, pc, "runqueues", 1, &a));
	ck_assert_uint_eq(a, UNIT(1) + RUNQUEUES_OFF);
	percpu_destroy(pc);
	free(K);
}
END_TEST

START_TEST(derivation_agrees_with_the_symbols)
{
	static const int cpus[] = { 0, 2, 1, 0 };
	struct percpu *a, *b;

	setup(3, cpus, 4);
	K->symbols = true;
	vmt_ck_no_err(percpu_load(K, TASK(0), &a));
	vmt_ck_no_err(percpu_load_derived(K, TASK(0), &b));
	ck_assert_int_eq(b->source, PERCPU_FROM_RUNQUEUES);
	for (unsigned int c = 0; c < 3; c++)
		ck_assert_uint_eq(a->base[c], b->base[c]);
	percpu_destroy(a);
	percpu_destroy(b);
	free(K);
}
END_TEST

START_TEST(a_cpu_without_a_task_stays_unknown)
{
	static const int cpus[] = { 0, 0, 0 };
	struct percpu *pc;
	uint64_t a;
	struct vmt_error *err;

	setup(2, cpus, 3);
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->nr_bases, 1);
	ck_assert_uint_eq(pc->base[1], 0);
	err = percpu_addr(pc, 1, 0, &a);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "CPU 1"));
	vmt_error_destroy(err);
	percpu_destroy(pc);
	free(K);
}
END_TEST

START_TEST(a_wrong_rq_cpu_is_not_believed)
{
	static const int cpus[] = { 0, 1 };
	struct percpu *pc;

	setup(2, cpus, 2);
	// CPU 1's runqueue claims to be CPU 0's
	put32(UNIT(1) + RUNQUEUES_OFF + 0x100, 0);
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->base[0], UNIT(0));
	ck_assert_uint_eq(pc->base[1], 0);
	percpu_destroy(pc);
	free(K);
}
END_TEST

START_TEST(without_fair_group_sched_it_says_why)
{
	static const int cpus[] = { 0, 1 };
	struct percpu *pc;

	setup(2, cpus, 2);
	K->fair_group = false;
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->nr_bases, 0);
	ck_assert_int_eq(pc->source, PERCPU_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(pc->how, "unknown"));
	ck_assert_ptr_nonnull(strstr(pc->how, "se.cfs_rq"));
	percpu_destroy(pc);
	free(K);
}
END_TEST

START_TEST(a_cyclic_task_list_ends)
{
	static const int cpus[] = { 0, 0, 0, 0 };
	struct percpu *pc;

	setup(2, cpus, 4);
	// task 3 -> task 1: a cycle that never returns to init_task
	put64(TASK(3) + 0x10, TASK(1) + 0x10);
	vmt_ck_no_err(percpu_load(K, TASK(0), &pc));
	ck_assert_uint_eq(pc->nr_bases, 1);
	percpu_destroy(pc);
	free(K);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("percpu");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, bases_from_per_cpu_offset_symbols);
	tcase_add_test(tc, bases_derived_from_the_runqueues_without_symbols);
	tcase_add_test(tc, derivation_agrees_with_the_symbols);
	tcase_add_test(tc, a_cpu_without_a_task_stays_unknown);
	tcase_add_test(tc, a_wrong_rq_cpu_is_not_believed);
	tcase_add_test(tc, without_fair_group_sched_it_says_why);
	tcase_add_test(tc, a_cyclic_task_list_ends);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

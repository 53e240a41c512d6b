// Per-CPU areas, current tasks and stack facts of the real dumps in
// $VMTOOL_SHARED_DUMPS, against what the guests' kernels were: each CPU's
// per-CPU base equals the System.map's runqueues + __per_cpu_offset[cpu]
// (truth/kernel_symbols_derived.txt, read in the dump), whether found
// through the symbols or derived from the runqueues (Debian's kernel, no
// KALLSYMS_ALL), and __per_cpu_start (symbol, or derived from ksoftirqd's
// smp_hotplug_thread on every set); one current task per CPU of
// truth/cpuinfo.txt,
// each with a named first frame; THREAD_SIZE 16K on these kernels (no
// KASAN; 4K pages, or 64K without VMAP_STACK).
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "program_internal.h"
#include "vmtool/stack.h"

static const char *dumps_dir;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	buf[fread(buf, 1, (size_t)len, f)] = '\0';
	fclose(f);
	return buf;
}

// The runtime address of @p name in truth/kernel_symbols_derived.txt.
static bool truth_symbol(const char *set, const char *name, uint64_t *ret)
{
	char path[4096], *text, *line, *save = NULL;
	bool found = false;

	snprintf(path, sizeof(path), "%s/%s/truth/kernel_symbols_derived.txt",
		 dumps_dir, set);
	text = slurp(path);
	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char n[128];
		uint64_t link, runtime;

		if (sscanf(line, "%127s %" SCNx64 " %" SCNx64, n, &link,
			   &runtime) == 3 &&
		    !strcmp(n, name)) {
			*ret = runtime;
			found = true;
		}
	}
	free(text);
	return found;
}

static unsigned int truth_cpus(const char *set)
{
	char path[4096], *text, *p;
	unsigned int n = 0;

	snprintf(path, sizeof(path), "%s/%s/truth/cpuinfo.txt", dumps_dir,
		 set);
	text = slurp(path);
	for (p = text; p && (p = strstr(p, "processor")); p++)
		if (p == text || p[-1] == '\n')
			n++;
	free(text);
	return n;
}

static void check_set(const char *set, int *checked)
{
	const struct kernel_stacks *ks;
	const struct vmt_task *tasks;
	const struct percpu *pc;
	struct percpu *derived;
	struct vmt_program *prog;
	uint64_t runqueues, offsets, init_task, rq_off, size;
	unsigned int nr_cpus, want_cpus = truth_cpus(set);
	char path[4096];
	const char *p = path;
	size_t n;

	if (!vmt_shared_dump_file(set, path, sizeof(path)))
		return;
	(*checked)++;
	vmt_ck_no_err(vmt_program_open(&p, 1, NULL, &prog));
	vmt_ck_no_err(vmt_program_nr_cpus(prog, &nr_cpus));
	ck_assert_uint_eq(nr_cpus, want_cpus);

	// Per-CPU bases against the System.map.
	vmt_ck_no_err(program_percpu(prog, &pc));
	ck_assert_uint_eq(pc->nr_bases, nr_cpus);
	vmt_ck_no_err(percpu_var_offset(&prog->kernel, "runqueues", &rq_off,
					&size));
	ck_assert(truth_symbol(set, "runqueues", &runqueues));
	ck_assert(truth_symbol(set, "__per_cpu_offset", &offsets));
	for (unsigned int c = 0; c < nr_cpus; c++) {
		uint64_t off;

		vmt_ck_no_err(vmt_program_read_virt(prog, offsets + 8 * c, &off,
						    8));
		ck_assert_msg(pc->base[c] + rq_off == runqueues + off,
			      "%s: CPU %u: runqueues at %#" PRIx64
			      ", System.map says %#" PRIx64,
			      set, c, pc->base[c] + rq_off, runqueues + off);
	}
	// __per_cpu_start, for pointers from alloc_percpu(): from its symbol
	// or derived from ksoftirqd's smp_hotplug_thread (Debian).
	ck_assert_msg(pc->section_start == runqueues - rq_off,
		      "%s: __per_cpu_start %#" PRIx64 " (%s), System.map %#" PRIx64,
		      set, pc->section_start, pc->start_how, runqueues - rq_off);
	for (unsigned int c = 0; c < nr_cpus; c++) {
		uint64_t a;

		vmt_ck_no_err(vmt_program_per_cpu_ptr(prog, runqueues, c, &a));
		ck_assert_uint_eq(a, pc->base[c] + rq_off);
	}
	// __per_cpu_start derived from ksoftirqd, also where the symbol is.
	vmt_ck_no_err(task_find_init_task(&prog->kernel, &init_task));
	vmt_ck_no_err(percpu_load(&prog->kernel, init_task, &derived));
	percpu_derive_start(&prog->kernel, derived, init_task);
	ck_assert_msg(derived->section_start == pc->section_start,
		      "%s: derived __per_cpu_start %#" PRIx64 ": %s", set,
		      derived->section_start, derived->start_how);
	percpu_destroy(derived);
	// The bases from the runqueues need CONFIG_FAIR_GROUP_SCHED
	// (se.cfs_rq): Debian's kernel has it (and no __per_cpu_offset
	// symbol), the small k612 kernels do not: then it says so.
	vmt_ck_no_err(percpu_load_derived(&prog->kernel, init_task, &derived));
	if (kernel_has_member(&prog->kernel, "task_struct", "se.cfs_rq")) {
		ck_assert_msg(derived->source == PERCPU_FROM_RUNQUEUES,
			      "%s: %s", set, derived->how);
		for (unsigned int c = 0; c < nr_cpus; c++)
			ck_assert_uint_eq(derived->base[c], pc->base[c]);
	} else {
		ck_assert_int_eq(derived->source, PERCPU_UNKNOWN);
		ck_assert_msg(strstr(derived->how, "se.cfs_rq"), "%s: %s", set,
			      derived->how);
	}
	percpu_destroy(derived);

	vmt_ck_no_err(program_stacks(prog, &ks));
	ck_assert_uint_eq(ks->thread_size, 16384);
	ck_assert(ks->have_pt_regs);
	for (unsigned int c = 0; c < nr_cpus; c++)
		ck_assert_msg(ks->cpu[c][KSTACK_IRQ],
			      "%s: no IRQ stack for CPU %u", set, c);

	// One current task per CPU, with a named first frame.
	vmt_ck_no_err(vmt_program_tasks(prog, &tasks, &n));
	for (unsigned int c = 0; c < nr_cpus; c++) {
		const struct vmt_task *t;
		struct vmt_backtrace *bt;
		size_t marked = 0;

		vmt_ck_no_err(vmt_program_cpu_task(prog, c, &t, NULL));
		ck_assert(t->oncpu);
		ck_assert_int_eq(t->cpu, (int)c);
		for (size_t i = 0; i < n; i++)
			marked += tasks[i].oncpu && tasks[i].cpu == (int)c;
		ck_assert_uint_eq(marked, 1);
		vmt_ck_no_err(vmt_program_backtrace(prog, t, 0, &bt));
		ck_assert_int_eq(bt->cpu, (int)c);
		ck_assert_uint_gt(bt->nr_frames, 2);
		ck_assert_int_eq(bt->frames[0].kind, VMT_FRAME_PC);
		ck_assert_ptr_nonnull(bt->frames[0].symbol);
		ck_assert_msg(bt->end == VMT_BT_END_STACK_TOP ||
				      bt->end == VMT_BT_END_USER_ENTRY,
			      "%s: CPU %u: trace ends %s %s", set, c,
			      bt->end_name, bt->reason);
		vmt_backtrace_destroy(bt);
	}
	vmt_program_destroy(prog);
}

START_TEST(per_cpu_areas_and_current_tasks_match_the_guests)
{
	static const char *const sets[] = { "debian61-kaslr", "k612-4k-va52",
					    "k612-64k-va52",
					    "k612-4k-va48-oops" };
	int checked = 0;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		check_set(sets[i], &checked);
	ck_assert_int_gt(checked, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps to check, skipping\n");
		return 77;
	}
	s = suite_create("stack_real");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, per_cpu_areas_and_current_tasks_match_the_guests);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

// Per-CPU data: the CPU count and each CPU's per-CPU base (see percpu.h).
//
// Two ways to the bases:
// - the symbols __per_cpu_start and __per_cpu_offset (kallsyms with
//   CONFIG_KALLSYMS_ALL, or a vmlinux): base[n] = __per_cpu_start +
//   __per_cpu_offset[n];
// - without them (Debian: no CONFIG_KALLSYMS_ALL, so kallsyms has text
//   symbols only), from the scheduler. set_task_rq() (kernel/sched/
//   sched.h, CONFIG_FAIR_GROUP_SCHED) points every task's se.cfs_rq at
//   its task group's cfs_rq of the task's CPU, and each cfs_rq's rq field
//   at that CPU's struct rq, which is the per-CPU variable runqueues
//   (DEFINE_PER_CPU_SHARED_ALIGNED(struct rq, runqueues), kernel/sched/
//   core.c). So a task whose task->cpu is n leads to CPU n's runqueues,
//   checked by rq->cpu == n, and base[n] = that address minus runqueues'
//   offset in .data..percpu, which BTF's DATASEC gives (pahole encodes
//   per-CPU variables there).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/percpu.h"

#define PERCPU_SECTION ".data..percpu"
// Entries followed on init_task.tasks while looking for a task of each
// CPU; a cycle that avoids the head is caught by Brent's method.
#define MAX_WALK (1U << 20)

void percpu_destroy(struct percpu *pc)
{
	if (!pc)
		return;
	free(pc->base);
	free(pc->possible);
	free(pc->online);
	free(pc->witness);
	free(pc);
}

struct vmt_error *percpu_var_offset(struct kernel *k, const char *name,
				    uint64_t *offset_ret, uint64_t *size_ret)
{
	uint64_t addr, start, end, off, size;
	struct vmt_error *err;

	// A per-CPU symbol's address is its link address in .data..percpu.
	if (vmt_error_ok(kernel_symbol(k, name, &addr)) &&
	    vmt_error_ok(kernel_symbol(k, "__per_cpu_start", &start)) &&
	    vmt_error_ok(kernel_symbol(k, "__per_cpu_end", &end)) &&
	    addr >= start && addr < end) {
		*offset_ret = addr - start;
		*size_ret = 0;
		if (vmt_error_ok(kernel_section_var(k, PERCPU_SECTION, name,
						    &off, &size)) &&
		    off == addr - start)
			*size_ret = size;
		return NULL;
	}
	err = kernel_section_var(k, PERCPU_SECTION, name, offset_ret,
				 size_ret);
	if (err)
		return vmt_error_wrap(err,
				      "per-CPU variable %s: no symbol inside __per_cpu_start..__per_cpu_end",
				      name);
	return NULL;
}

struct vmt_error *percpu_addr(const struct percpu *pc, unsigned int cpu,
			      uint64_t offset, uint64_t *ret)
{
	if (cpu >= pc->nr_cpus)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"CPU %u: the kernel has %u CPUs", cpu,
					pc->nr_cpus);
	if (!pc->base[cpu])
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"CPU %u: per-CPU area unknown (%s)",
					cpu, pc->how);
	*ret = pc->base[cpu] + offset;
	return NULL;
}

struct vmt_error *percpu_var_addr(struct kernel *k, const struct percpu *pc,
				  const char *name, unsigned int cpu,
				  uint64_t *ret)
{
	uint64_t off, size;
	struct vmt_error *err = percpu_var_offset(k, name, &off, &size);

	if (!err)
		err = percpu_addr(pc, cpu, off, ret);
	return err;
}

// Read a struct cpumask (NR_CPUS bits: its size comes from the types) at
// symbol @p name into @p bits[nr]; false if anything is missing.
static bool read_mask(struct kernel *k, const char *name, bool *bits,
		      unsigned int nr, unsigned int *highest_ret)
{
	uint64_t addr, size, word;
	unsigned int highest = 0;
	bool any = false;

	if (!vmt_error_ok(kernel_symbol(k, name, &addr)) ||
	    !vmt_error_ok(kernel_type_size(k, "cpumask", &size)) || !size ||
	    size > PERCPU_MAX_CPUS / 8)
		return false;
	for (uint64_t i = 0; i < (size + 7) / 8; i++) {
		if (!vmt_error_ok(kernel_read_u64(k, addr + 8 * i, &word)))
			return false;
		for (unsigned int b = 0; b < 64 && word; b++) {
			unsigned int cpu = (unsigned int)(64 * i + b);

			if (!(word & (UINT64_C(1) << b)))
				continue;
			word &= ~(UINT64_C(1) << b);
			if (cpu < nr)
				bits[cpu] = true;
			highest = cpu;
			any = true;
		}
	}
	if (highest_ret)
		*highest_ret = any ? highest + 1 : 0;
	return true;
}

// The CPU count: nr_cpu_ids, else the possible mask, else the dump's
// NT_PRSTATUS notes (one per CPU that was online).
static unsigned int count_cpus(struct kernel *k, char *how, size_t how_size)
{
	const struct vmt_cpu_regs *regs;
	bool scratch[1] = { false };
	unsigned int highest;
	uint64_t addr;
	uint32_t n;
	size_t nr_regs;

	kernel_cpu_regs(k, &regs, &nr_regs);
	if (vmt_error_ok(kernel_symbol(k, "nr_cpu_ids", &addr)) &&
	    vmt_error_ok(kernel_read_u32(k, addr, &n)) && n >= 1 &&
	    n <= PERCPU_MAX_CPUS) {
		snprintf(how, how_size,
			 "symbol nr_cpu_ids (%zu NT_PRSTATUS notes)", nr_regs);
		return n;
	}
	if (read_mask(k, "__cpu_possible_mask", scratch, 0, &highest) &&
	    highest >= 1) {
		snprintf(how, how_size,
			 "highest CPU in __cpu_possible_mask + 1 (%zu NT_PRSTATUS notes)",
			 nr_regs);
		return highest;
	}
	if (nr_regs && nr_regs <= PERCPU_MAX_CPUS) {
		snprintf(how, how_size,
			 "NT_PRSTATUS notes in the dump (no nr_cpu_ids or __cpu_possible_mask symbol)");
		return (unsigned int)nr_regs;
	}
	snprintf(how, how_size,
		 "unknown: no nr_cpu_ids or __cpu_possible_mask symbol and no NT_PRSTATUS note");
	return 0;
}

// Member offsets of the runqueue derivation.
struct rq_layout {
	uint64_t tasks, cpu, cpu_size, se_cfs_rq, cfs_rq_rq, rq_cpu;
	uint64_t runqueues; // offset in .data..percpu
};

static struct vmt_error *rq_layout_init(struct kernel *k, struct rq_layout *l)
{
	struct vmt_error *err;
	uint64_t size;

	if ((err = kernel_member(k, "task_struct", "tasks", &l->tasks,
				 &size)))
		return err;
	// 5.16+ task_struct.cpu; before, thread_info.cpu inside the task.
	err = kernel_member(k, "task_struct", "cpu", &l->cpu, &l->cpu_size);
	if (err) {
		vmt_error_destroy(err);
		err = kernel_member(k, "task_struct", "thread_info.cpu",
				    &l->cpu, &l->cpu_size);
	}
	if (err)
		return err;
	// se.cfs_rq and cfs_rq.rq exist with CONFIG_FAIR_GROUP_SCHED only.
	if ((err = kernel_member(k, "task_struct", "se.cfs_rq", &l->se_cfs_rq,
				 &size)) ||
	    (err = kernel_member(k, "cfs_rq", "rq", &l->cfs_rq_rq, &size)) ||
	    (err = kernel_member(k, "rq", "cpu", &l->rq_cpu, &size)))
		return err;
	return percpu_var_offset(k, "runqueues", &l->runqueues, &size);
}

// If task @p task ran last on a CPU whose base is unknown, find that
// CPU's runqueue through se.cfs_rq->rq and set the base.
static void base_from_task(struct kernel *k, const struct rq_layout *l,
			   struct percpu *pc, uint64_t task)
{
	uint64_t cfs_rq, rq;
	uint32_t cpu, rq_cpu;

	if (!vmt_error_ok(kernel_read_u32(k, task + l->cpu, &cpu)) ||
	    cpu >= pc->nr_cpus || pc->base[cpu] ||
	    !vmt_error_ok(kernel_read_u64(k, task + l->se_cfs_rq, &cfs_rq)) ||
	    !cfs_rq ||
	    !vmt_error_ok(kernel_read_u64(k, cfs_rq + l->cfs_rq_rq, &rq)) ||
	    !rq || rq % 8 || rq < l->runqueues ||
	    !vmt_error_ok(kernel_read_u32(k, rq + l->rq_cpu, &rq_cpu)) ||
	    rq_cpu != cpu)
		return;
	pc->base[cpu] = rq - l->runqueues;
	pc->witness[cpu] = task;
	pc->nr_bases++;
}

// Walk init_task.tasks (processes; every kernel thread is one) until each
// CPU has a base.
static void bases_from_runqueues(struct kernel *k, struct percpu *pc,
				 uint64_t init_task)
{
	struct rq_layout l;
	struct vmt_error *err;
	uint64_t head, pos, saved;
	unsigned int power = 1, lam = 0, n;

	if (!init_task) {
		snprintf(pc->how, sizeof(pc->how),
			 "unknown: no __per_cpu_offset symbol, and no init_task to find the runqueues from");
		return;
	}
	err = rq_layout_init(k, &l);
	if (err) {
		snprintf(pc->how, sizeof(pc->how),
			 "unknown: no __per_cpu_offset symbol; runqueues not reachable: %s",
			 err->message);
		vmt_error_destroy(err);
		return;
	}
	pc->runqueues_offset = l.runqueues;
	base_from_task(k, &l, pc, init_task);
	head = init_task + l.tasks;
	saved = head;
	err = kernel_read_u64(k, head, &pos);
	for (n = 0; !err && pos && pos != head && n < MAX_WALK &&
		    pc->nr_bases < pc->nr_cpus; n++) {
		base_from_task(k, &l, pc, pos - l.tasks);
		if (pos == saved)
			break; // a cycle that does not pass the head
		if (++lam == power) {
			saved = pos;
			power *= 2;
			lam = 0;
		}
		err = kernel_read_u64(k, pos, &pos);
	}
	vmt_error_destroy(err);
	snprintf(pc->how, sizeof(pc->how),
		 "derived: runqueues (BTF DATASEC offset %#" PRIx64
		 ") of each CPU = se.cfs_rq->rq of a task with task->cpu == n and rq->cpu == n (set_task_rq(), CONFIG_FAIR_GROUP_SCHED)",
		 l.runqueues);
	if (pc->nr_bases)
		pc->source = PERCPU_FROM_RUNQUEUES;
}

// Offsets of the chain from a per-CPU kthread to its smp_hotplug_thread.
struct smpboot_layout {
	uint64_t tasks, comm, kthread, kthread_data, td_cpu, td_ht, ht_store;
	uint64_t ksoftirqd; // offset in .data..percpu
};

static struct vmt_error *smpboot_layout_init(struct kernel *k,
					     struct smpboot_layout *l)
{
	struct vmt_error *err;
	uint64_t size;

	// The task's struct kthread: task->worker_private since 5.17,
	// task->set_child_tid before (kernel/kthread.c to_kthread()).
	err = kernel_member(k, "task_struct", "worker_private", &l->kthread,
			    &size);
	if (err) {
		vmt_error_destroy(err);
		err = kernel_member(k, "task_struct", "set_child_tid",
				    &l->kthread, &size);
	}
	if (!err)
		err = kernel_member(k, "task_struct", "tasks", &l->tasks,
				    &size);
	if (!err)
		err = kernel_member(k, "task_struct", "comm", &l->comm, &size);
	if (!err)
		err = kernel_member(k, "kthread", "data", &l->kthread_data,
				    &size);
	if (!err)
		err = kernel_member(k, "smpboot_thread_data", "cpu", &l->td_cpu,
				    &size);
	if (!err)
		err = kernel_member(k, "smpboot_thread_data", "ht", &l->td_ht,
				    &size);
	if (!err)
		err = kernel_member(k, "smp_hotplug_thread", "store",
				    &l->ht_store, &size);
	if (!err)
		err = percpu_var_offset(k, "ksoftirqd", &l->ksoftirqd, &size);
	return err;
}

// __per_cpu_start from ksoftirqd/N, if it is that thread: see below.
static bool start_from_task(struct kernel *k, const struct smpboot_layout *l,
			    struct percpu *pc, uint64_t task)
{
	uint64_t kthread, td, ht, store, copy;
	uint32_t cpu;
	char comm[16];

	if (!vmt_error_ok(kernel_read(k, task + l->comm, comm, sizeof(comm))) ||
	    strncmp(comm, "ksoftirqd/", 10) ||
	    !vmt_error_ok(kernel_read_u64(k, task + l->kthread, &kthread)) ||
	    !kthread ||
	    !vmt_error_ok(kernel_read_u64(k, kthread + l->kthread_data, &td)) ||
	    !td || !vmt_error_ok(kernel_read_u32(k, td + l->td_cpu, &cpu)) ||
	    cpu >= pc->nr_cpus || !pc->base[cpu] ||
	    !vmt_error_ok(kernel_read_u64(k, td + l->td_ht, &ht)) || !ht ||
	    !vmt_error_ok(kernel_read_u64(k, ht + l->ht_store, &store)) ||
	    store < l->ksoftirqd ||
	    !vmt_error_ok(kernel_read_u64(k, pc->base[cpu] + l->ksoftirqd,
					  &copy)) ||
	    copy != task)
		return false;
	pc->section_start = store - l->ksoftirqd;
	snprintf(pc->start_how, sizeof(pc->start_how),
		 "derived: ksoftirqd/%u's smp_hotplug_thread.store (&ksoftirqd) minus ksoftirqd's DATASEC offset %#" PRIx64,
		 cpu, l->ksoftirqd);
	return true;
}

// __per_cpu_start without its symbol, for pointers to per-CPU data that
// are not static variables (alloc_percpu()). The per-CPU kthreads of
// smpboot keep the static address of their per-CPU task pointer:
// spawn_ksoftirqd() registers softirq_threads with .store = &ksoftirqd
// (kernel/softirq.c), and each thread's struct kthread has as data its
// struct smpboot_thread_data, whose ht is that smp_hotplug_thread
// (kernel/smpboot.c). &ksoftirqd minus ksoftirqd's offset in
// .data..percpu is __per_cpu_start; checked by CPU N's copy of
// ksoftirqd holding ksoftirqd/N itself.
void percpu_derive_start(struct kernel *k, struct percpu *pc,
			 uint64_t init_task)
{
	struct smpboot_layout l;
	struct vmt_error *err;
	uint64_t head, pos, saved;
	unsigned int power = 1, lam = 0, n;

	pc->section_start = 0;
	if (!init_task || !pc->nr_bases) {
		snprintf(pc->start_how, sizeof(pc->start_how),
			 "unknown: no __per_cpu_start symbol, and %s",
			 init_task ? "no per-CPU area" : "no init_task");
		return;
	}
	err = smpboot_layout_init(k, &l);
	if (err) {
		snprintf(pc->start_how, sizeof(pc->start_how),
			 "unknown: no __per_cpu_start symbol; ksoftirqd's smp_hotplug_thread not reachable: %s",
			 err->message);
		vmt_error_destroy(err);
		return;
	}
	head = init_task + l.tasks;
	saved = head;
	err = kernel_read_u64(k, head, &pos);
	for (n = 0; !err && pos && pos != head && n < MAX_WALK; n++) {
		if (start_from_task(k, &l, pc, pos - l.tasks))
			return;
		if (pos == saved)
			break;
		if (++lam == power) {
			saved = pos;
			power *= 2;
			lam = 0;
		}
		err = kernel_read_u64(k, pos, &pos);
	}
	vmt_error_destroy(err);
	snprintf(pc->start_how, sizeof(pc->start_how),
		 "unknown: no __per_cpu_start symbol, and no ksoftirqd/N thread whose CPU's copy of ksoftirqd points back at it");
}

struct vmt_error *percpu_ptr(const struct percpu *pc, uint64_t ptr,
			     unsigned int cpu, uint64_t *ret)
{
	if (!pc->section_start)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"per-CPU pointer %#" PRIx64 ": __per_cpu_start %s",
					ptr, pc->start_how);
	return percpu_addr(pc, cpu, ptr - pc->section_start, ret);
}

// base[n] = __per_cpu_start + __per_cpu_offset[n] for the possible CPUs.
static bool bases_from_offsets(struct kernel *k, struct percpu *pc)
{
	uint64_t offsets, start, off;

	if (!vmt_error_ok(kernel_symbol(k, "__per_cpu_offset", &offsets)) ||
	    !vmt_error_ok(kernel_symbol(k, "__per_cpu_start", &start)))
		return false;
	for (unsigned int c = 0; c < pc->nr_cpus; c++) {
		// An impossible CPU's offset is never set (still 0).
		if (pc->have_masks && !pc->possible[c])
			continue;
		if (!vmt_error_ok(kernel_read_u64(k, offsets + 8 * c, &off)))
			continue;
		pc->base[c] = start + off;
		pc->nr_bases++;
	}
	snprintf(pc->how, sizeof(pc->how),
		 "symbols: __per_cpu_start + __per_cpu_offset[cpu] (array at %#" PRIx64 ")",
		 offsets);
	if (!pc->nr_bases)
		return false;
	pc->source = PERCPU_FROM_OFFSETS;
	return true;
}

static struct vmt_error *load(struct kernel *k, uint64_t init_task,
			      bool symbols, struct percpu **ret)
{
	struct percpu *pc = calloc(1, sizeof(*pc));
	unsigned int nr;

	if (!pc)
		return &vmt_enomem;
	nr = count_cpus(k, pc->cpus_how, sizeof(pc->cpus_how));
	pc->nr_cpus = nr;
	pc->base = calloc(nr ? nr : 1, sizeof(*pc->base));
	pc->possible = calloc(nr ? nr : 1, sizeof(*pc->possible));
	pc->online = calloc(nr ? nr : 1, sizeof(*pc->online));
	pc->witness = calloc(nr ? nr : 1, sizeof(*pc->witness));
	if (!pc->base || !pc->possible || !pc->online || !pc->witness) {
		percpu_destroy(pc);
		return &vmt_enomem;
	}
	pc->have_masks =
		read_mask(k, "__cpu_possible_mask", pc->possible, nr, NULL) &&
		read_mask(k, "__cpu_online_mask", pc->online, nr, NULL);
	if (!nr)
		snprintf(pc->how, sizeof(pc->how),
			 "unknown: the number of CPUs is unknown");
	else if (!symbols || !bases_from_offsets(k, pc))
		bases_from_runqueues(k, pc, init_task);
	if (symbols && vmt_error_ok(kernel_symbol(k, "__per_cpu_start",
						  &pc->section_start)))
		snprintf(pc->start_how, sizeof(pc->start_how),
			 "symbol __per_cpu_start");
	else
		percpu_derive_start(k, pc, init_task);
	*ret = pc;
	return NULL;
}

struct vmt_error *percpu_load(struct kernel *k, uint64_t init_task,
			      struct percpu **ret)
{
	return load(k, init_task, true, ret);
}

struct vmt_error *percpu_load_derived(struct kernel *k, uint64_t init_task,
				      struct percpu **ret)
{
	return load(k, init_task, false, ret);
}

// The per-CPU facts of a program: loaded once, shown by `explain`, and the
// public per-CPU calls.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kernel/task.h"
#include "program_internal.h"

struct vmt_error *program_percpu(struct vmt_program *prog,
				 const struct percpu **ret)
{
	struct vmt_error *err;
	uint64_t init_task = 0;

	if (!prog->percpu_loaded) {
		if (prog->layout_err)
			return vmt_error_format(prog->layout_err->code,
						"no arm64 layout: %s",
						prog->layout_err->message);
		// Without init_task the runqueues cannot be derived; the
		// symbols may still give the bases.
		err = task_find_init_task(&prog->kernel, &init_task);
		if (err) {
			vmt_error_destroy(err);
			init_task = 0;
		}
		err = percpu_load(&prog->kernel, init_task, &prog->percpu);
		if (err)
			return err;
		prog->percpu_loaded = true;
	}
	*ret = prog->percpu;
	return NULL;
}

// The pid and comm of the task at @p addr, for explain ("" if unknown).
static void describe_task(struct vmt_program *prog, uint64_t addr, char *buf,
			  size_t size)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n;

	buf[0] = '\0';
	err = vmt_program_tasks(prog, &tasks, &n);
	if (err) {
		vmt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (tasks[i].task == addr)
			snprintf(buf, size, " (pid %d, %s)", tasks[i].pid,
				 tasks[i].comm);
}

void program_explain_percpu(struct vmt_program *prog)
{
	const struct percpu *pc;
	struct vmt_layout_item *item;
	struct vmt_error *err = program_percpu(prog, &pc);

	if (err) {
		vmt_error_destroy(err);
		return;
	}
	item = program_explain_item(prog, "cpus");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%u", pc->nr_cpus);
		item->kind = VMT_LAYOUT_NUMBER;
		item->number = pc->nr_cpus;
		snprintf(item->source, sizeof(item->source), "%s",
			 pc->cpus_how);
	}
	item = program_explain_item(prog, "per-CPU areas");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%u of %u CPUs",
			 pc->nr_bases, pc->nr_cpus);
		snprintf(item->source, sizeof(item->source), "%.*s",
			 (int)sizeof(item->source) - 1,
			 pc->source == PERCPU_FROM_RUNQUEUES ?
				 "derived: no __per_cpu_offset symbol; CPU n's runqueues found from a task that last ran on CPU n (per-CPU base items)" :
				 pc->how);
	}
	item = program_explain_item(prog, "__per_cpu_start");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%#" PRIx64,
			 pc->section_start);
		item->kind = VMT_LAYOUT_ADDRESS;
		item->number = pc->section_start;
		snprintf(item->source, sizeof(item->source), "%.*s",
			 (int)sizeof(item->source) - 1, pc->start_how);
	}
	if (pc->source != PERCPU_FROM_RUNQUEUES)
		return;
	item = program_explain_item(prog, "per-CPU rule");
	if (item) {
		snprintf(item->value, sizeof(item->value),
			 "runqueues at +%#" PRIx64, pc->runqueues_offset);
		snprintf(item->source, sizeof(item->source),
			 "set_task_rq() (kernel/sched/sched.h, FAIR_GROUP_SCHED): task->se.cfs_rq->rq = cpu_rq(task->cpu); offset from BTF DATASEC .data..percpu");
	}
	for (unsigned int c = 0; c < pc->nr_cpus; c++) {
		char who[64];

		item = program_explain_item(prog, "per-CPU base");
		if (!item)
			return;
		snprintf(item->value, sizeof(item->value), "cpu%u %#" PRIx64, c,
			 pc->base[c]);
		if (!pc->base[c]) {
			snprintf(item->source, sizeof(item->source),
				 "unknown: no task on the task list last ran on CPU %u with a runqueue whose rq->cpu is %u",
				 c, c);
			continue;
		}
		describe_task(prog, pc->witness[c], who, sizeof(who));
		snprintf(item->source, sizeof(item->source),
			 "runqueues - %#" PRIx64 "; rq = se.cfs_rq->rq of task %#" PRIx64 "%s, rq->cpu == %u",
			 pc->runqueues_offset, pc->witness[c], who, c);
	}
}

struct vmt_error *vmt_program_nr_cpus(struct vmt_program *prog,
				      unsigned int *ret)
{
	const struct percpu *pc;
	struct vmt_error *err = program_percpu(prog, &pc);

	if (err)
		return err;
	if (!pc->nr_cpus)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"number of CPUs: %s", pc->cpus_how);
	*ret = pc->nr_cpus;
	return NULL;
}

struct vmt_error *vmt_program_per_cpu_address(struct vmt_program *prog,
					      const char *name,
					      unsigned int cpu, uint64_t *ret)
{
	const struct percpu *pc;
	struct vmt_error *err = program_percpu(prog, &pc);

	if (!err)
		err = percpu_var_addr(&prog->kernel, pc, name, cpu, ret);
	return err;
}

struct vmt_error *vmt_program_per_cpu_ptr(struct vmt_program *prog,
					  uint64_t ptr, unsigned int cpu,
					  uint64_t *ret)
{
	const struct percpu *pc;
	struct vmt_error *err = program_percpu(prog, &pc);

	if (!err)
		err = percpu_ptr(pc, ptr, cpu, ret);
	return err;
}

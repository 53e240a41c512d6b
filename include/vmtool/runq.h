/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file runq.h
 * Each CPU's runqueue as crash's `runq` shows it: the task running there
 * and the tasks queued in its deadline, real-time and fair classes.
 */
#ifndef VMTOOL_RUNQ_H
#define VMTOOL_RUNQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** The scheduling class whose queue holds a task. */
enum vmt_sched_class {
	/** Deadline (rq->dl.root, an rb-tree ordered by deadline). */
	VMT_SCHED_DL,
	/** Real-time (rq->rt.active: a list per priority). */
	VMT_SCHED_RT,
	/** Fair (rq->cfs.tasks_timeline, an rb-tree ordered by vruntime). */
	VMT_SCHED_CFS,
};

/** "dl", "rt" or "cfs". */
const char *vmt_sched_class_name(enum vmt_sched_class sched_class);

/** A task queued on a runqueue (the running task is not queued). */
struct vmt_runq_entry {
	enum vmt_sched_class sched_class; ///< The class queuing it.
	/** The task_struct. */
	uint64_t task;
	int pid;		///< task->pid.
	char comm[16];		///< task->comm.
	/** task->prio: 0-99 real-time, 100-139 fair (nice -20..19). */
	int prio;
	/**
	 * The cfs_rq or rt_rq the task is queued on: the CPU's own, or a task
	 * group's (group scheduling).
	 */
	uint64_t queue;
	/** Task groups between the CPU's runqueue and the task (0: none). */
	unsigned int depth;
	/**
	 * Fair class: the task slept but stays in the tree until it is picked
	 * (delayed dequeue, se->sched_delayed, Linux 6.12+): not runnable.
	 */
	bool delayed;
};

/** One CPU's runqueue. */
struct vmt_runq {
	unsigned int cpu;	///< The CPU.
	/** This CPU's struct rq (per-CPU variable runqueues). */
	uint64_t rq;
	/** rq->curr, its pid and comm. */
	uint64_t curr;
	int curr_pid;		///< rq->curr->pid.
	char curr_comm[16];	///< rq->curr->comm.
	/** rq->nr_running. */
	uint32_t nr_running;
	/** &rq->rt.active (struct rt_prio_array). */
	uint64_t rt_array;
	/** &rq->cfs.tasks_timeline (struct rb_root_cached). */
	uint64_t cfs_root;
	/** &rq->dl.root (struct rb_root_cached). */
	uint64_t dl_root;
	/**
	 * Queued tasks: deadline in deadline order, then real-time by
	 * priority (each priority's list in order), then fair in vruntime
	 * order; a task group's tasks where its entity stands.
	 */
	struct vmt_runq_entry *entries;
	size_t nr_entries;	///< How many entries.
};

/**
 * CPU @p cpu's runqueue. Its address comes from the per-CPU variable
 * `runqueues` (see vmt_program_per_cpu_address()); NOT_FOUND naming what is
 * missing when it cannot be found. A broken queue (unreadable node, a
 * cycle) gives an error naming it while @p ret still holds what was read
 * before it; release @p ret with vmt_runq_deinit() in every case once it
 * was passed in.
 */
struct vmt_error *vmt_program_runq(struct vmt_program *prog, unsigned int cpu,
				   struct vmt_runq *ret);

/** Free what vmt_program_runq() put in @p rq; accepts a zeroed one. */
void vmt_runq_deinit(struct vmt_runq *rq);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_RUNQ_H */

// The scheduler's per-CPU runqueues (kernel/sched/sched.h struct rq): the
// running task and the queued tasks of the deadline, real-time and fair
// classes, descending into task groups. Read through a kread_fn with the
// member offsets in a struct runq_layout, so tests can build queues in a
// buffer.
#ifndef VMT_KERNEL_RUNQ_H
#define VMT_KERNEL_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/kread.h"
#include "vmtool/runq.h"

/** Task groups nest; deeper than this is taken for a cycle. */
#define RUNQ_MAX_GROUP_DEPTH 32
/** Most entities believed in one CPU's queues, all groups together. */
#define RUNQ_MAX_ENTITIES (1U << 20)

/** Byte offsets of what the walk reads (has_* false when absent). */
struct runq_layout {
	// struct rq
	uint64_t rq_curr, rq_nr_running, rq_cfs, rq_rt, rq_dl;
	// struct cfs_rq: an rb_root_cached, whose rb_root.rb_node is first.
	uint64_t cfs_tasks_timeline;
	// struct rt_rq: .active is a struct rt_prio_array, whose queue[] holds
	// rt_nr_prio list_heads (MAX_RT_PRIO).
	uint64_t rt_active, rt_queue;
	unsigned int rt_nr_prio;
	// struct dl_rq
	uint64_t dl_root;
	// struct task_struct
	uint64_t task_se, task_rt, task_dl, task_pid, task_comm, task_prio;
	// struct sched_entity: my_q (CONFIG_FAIR_GROUP_SCHED), sched_delayed
	// (a byte, 6.12+).
	uint64_t se_run_node, se_my_q, se_sched_delayed;
	bool has_se_my_q, has_se_sched_delayed;
	// struct sched_rt_entity: my_q (CONFIG_RT_GROUP_SCHED).
	uint64_t rt_se_run_list, rt_se_my_q;
	bool has_rt_se_my_q;
	// struct sched_dl_entity: the dl_server bitfield (6.8+), in bits.
	uint64_t dl_se_rb_node, dl_se_dl_server_bit;
	bool has_dl_se_dl_server;
};

/** Fill @p l from the kernel's types; an error names the missing member. */
struct vmt_error *runq_layout_init(struct kernel *k, struct runq_layout *l);

/**
 * Read the runqueue at @p rq (CPU @p cpu's struct rq) into @p ret (zeroed
 * by the caller). A broken tree or list is an error naming it, with the
 * entries read before it kept in @p ret.
 */
struct vmt_error *runq_read(kread_fn *read, void *arg,
			    const struct runq_layout *l, unsigned int cpu,
			    uint64_t rq, struct vmt_runq *ret);

#endif

// The tasks queued on one CPU's runqueue, class by class (kernel/sched/):
// - deadline: rq->dl.root, an rb-tree of sched_dl_entity.rb_node;
// - real-time: rq->rt.active, one list of sched_rt_entity.run_list per
//   priority (struct rt_prio_array);
// - fair: rq->cfs.tasks_timeline, an rb-tree of sched_entity.run_node.
// A group entity (se->my_q / rt_se->my_q set) stands for a task group's own
// queue on this CPU, which is read in its place. The running task is not
// queued (set_next_entity() takes it out of the tree): it is rq->curr.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/typedb.h"
#include "kernel/list.h"
#include "kernel/rbtree.h"
#include "kernel/runq.h"

// sizeof(struct list_head), unchanged since it exists.
#define LIST_HEAD_SIZE 16

const char *vmt_sched_class_name(enum vmt_sched_class sched_class)
{
	switch (sched_class) {
	case VMT_SCHED_DL:
		return "dl";
	case VMT_SCHED_RT:
		return "rt";
	default:
		return "cfs";
	}
}

void vmt_runq_deinit(struct vmt_runq *rq)
{
	if (!rq)
		return;
	free(rq->entries);
	rq->entries = NULL;
	rq->nr_entries = 0;
}

static struct vmt_error *off(struct kernel *k, const char *type,
			     const char *member, uint64_t *ret)
{
	struct vmt_error *err = kernel_member_offset(k, type, member, ret);

	if (err)
		return vmt_error_wrap(err, "runqueues need %s.%s", type,
				      member);
	return NULL;
}

// An optional member: false (and no error) when the kernel lacks it.
static bool opt_off(struct kernel *k, const char *type, const char *member,
		    uint64_t *ret)
{
	return vmt_error_ok(kernel_member_offset(k, type, member, ret));
}

// The bit offset of bitfield @p member of struct @p type, if it has one.
static bool opt_bit(struct kernel *k, const char *type, const char *member,
		    uint64_t *ret)
{
	const struct vmt_type *t;
	char name[64];

	snprintf(name, sizeof(name), "struct %s", type);
	if (!vmt_error_ok(kernel_find_type(k, name, &t)))
		return false;
	return vmt_error_ok(type_member(t, member, ret, NULL));
}

struct vmt_error *runq_layout_init(struct kernel *k, struct runq_layout *l)
{
	uint64_t queue_size = 0, off_unused;
	struct vmt_error *err;

	memset(l, 0, sizeof(*l));
	if ((err = off(k, "rq", "curr", &l->rq_curr)) ||
	    (err = off(k, "rq", "nr_running", &l->rq_nr_running)) ||
	    (err = off(k, "rq", "cfs", &l->rq_cfs)) ||
	    (err = off(k, "rq", "rt", &l->rq_rt)) ||
	    (err = off(k, "rq", "dl", &l->rq_dl)) ||
	    (err = off(k, "cfs_rq", "tasks_timeline",
		       &l->cfs_tasks_timeline)) ||
	    (err = off(k, "rt_rq", "active", &l->rt_active)) ||
	    (err = off(k, "rt_prio_array", "queue", &l->rt_queue)) ||
	    (err = off(k, "dl_rq", "root", &l->dl_root)) ||
	    (err = off(k, "task_struct", "se", &l->task_se)) ||
	    (err = off(k, "task_struct", "rt", &l->task_rt)) ||
	    (err = off(k, "task_struct", "dl", &l->task_dl)) ||
	    (err = off(k, "task_struct", "pid", &l->task_pid)) ||
	    (err = off(k, "task_struct", "comm", &l->task_comm)) ||
	    (err = off(k, "task_struct", "prio", &l->task_prio)) ||
	    (err = off(k, "sched_entity", "run_node", &l->se_run_node)) ||
	    (err = off(k, "sched_rt_entity", "run_list",
		       &l->rt_se_run_list)) ||
	    (err = off(k, "sched_dl_entity", "rb_node", &l->dl_se_rb_node)))
		return err;
	err = kernel_member(k, "rt_prio_array", "queue", &off_unused,
			    &queue_size);
	if (err)
		return vmt_error_wrap(err, "runqueues need rt_prio_array.queue");
	l->rt_nr_prio = (unsigned int)(queue_size / LIST_HEAD_SIZE);
	if (!l->rt_nr_prio || l->rt_nr_prio > 4096)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"rt_prio_array.queue has %" PRIu64 " bytes: not an array of list_heads",
					queue_size);
	l->has_se_my_q = opt_off(k, "sched_entity", "my_q", &l->se_my_q);
	// Since Linux kernel commit 152e11f6df29 ("sched/fair: Implement
	// delayed dequeue") (in v6.12) a task that sleeps may stay in the
	// tree, marked se->sched_delayed, until it is picked.
	l->has_se_sched_delayed = opt_off(k, "sched_entity", "sched_delayed",
					  &l->se_sched_delayed);
	l->has_rt_se_my_q = opt_off(k, "sched_rt_entity", "my_q",
				    &l->rt_se_my_q);
	// Since Linux kernel commit 63ba8422f876 ("sched/deadline: Introduce
	// deadline servers") (in v6.8) the deadline tree may hold a server
	// entity (rq->fair_server) that is no task's, marked dl_server.
	l->has_dl_se_dl_server = opt_bit(k, "sched_dl_entity", "dl_server",
					 &l->dl_se_dl_server_bit);
	return NULL;
}

struct walk {
	kread_fn *read;
	void *arg;
	const struct runq_layout *l;
	unsigned int cpu;
	struct vmt_runq *out;
	size_t cap;
	// Entities seen on this CPU, all queues and groups together.
	uint64_t seen;
	// The queue being walked, for the entries found in it.
	uint64_t queue;
	unsigned int depth;
};

static struct vmt_error *read_u64(struct walk *w, uint64_t addr,
				  const char *what, uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = w->read(w->arg, addr, b, 8);

	if (err)
		return vmt_error_wrap(err, "CPU %u runqueue: %s at %#" PRIx64,
				      w->cpu, what, addr);
	*ret = load_le64(b);
	return NULL;
}

static struct vmt_error *count_entity(struct walk *w, uint64_t entity)
{
	if (++w->seen > RUNQ_MAX_ENTITIES)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"CPU %u runqueue: more than %u queued entities, at %#" PRIx64,
					w->cpu, RUNQ_MAX_ENTITIES, entity);
	return NULL;
}

// Add the task at @p task, queued in class @p cls.
static struct vmt_error *add_task(struct walk *w, enum vmt_sched_class cls,
				  uint64_t task, bool delayed)
{
	const struct runq_layout *l = w->l;
	struct vmt_runq_entry *e;
	struct vmt_error *err;
	uint8_t b[4];

	if (w->out->nr_entries == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct vmt_runq_entry *n = realloc(w->out->entries,
						   cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		w->out->entries = n;
		w->cap = cap;
	}
	e = &w->out->entries[w->out->nr_entries];
	memset(e, 0, sizeof(*e));
	e->sched_class = cls;
	e->task = task;
	e->queue = w->queue;
	e->depth = w->depth;
	e->delayed = delayed;
	if ((err = w->read(w->arg, task + l->task_pid, b, 4)))
		goto fail;
	e->pid = (int32_t)load_le32(b);
	if ((err = w->read(w->arg, task + l->task_prio, b, 4)))
		goto fail;
	e->prio = (int32_t)load_le32(b);
	if ((err = w->read(w->arg, task + l->task_comm, e->comm,
			   sizeof(e->comm) - 1)))
		goto fail;
	e->comm[sizeof(e->comm) - 1] = '\0';
	w->out->nr_entries++;
	return NULL;
fail:
	return vmt_error_wrap(err, "CPU %u runqueue: %s task %#" PRIx64,
			      w->cpu, vmt_sched_class_name(cls), task);
}

static struct vmt_error *walk_cfs(struct walk *w, uint64_t cfs_rq);
static struct vmt_error *walk_rt(struct walk *w, uint64_t rt_rq);

// A node of a fair tree: a task's sched_entity, or a task group's.
static struct vmt_error *visit_cfs(void *arg, uint64_t node)
{
	struct walk *w = arg;
	const struct runq_layout *l = w->l;
	uint64_t se = node - l->se_run_node, my_q = 0;
	struct vmt_error *err;
	uint8_t delayed = 0;

	if ((err = count_entity(w, se)))
		return err;
	if (l->has_se_my_q &&
	    (err = read_u64(w, se + l->se_my_q, "sched_entity.my_q", &my_q)))
		return err;
	if (my_q) {
		uint64_t queue = w->queue;

		w->depth++;
		err = walk_cfs(w, my_q);
		w->depth--;
		w->queue = queue;
		return err;
	}
	if (l->has_se_sched_delayed) {
		err = w->read(w->arg, se + l->se_sched_delayed, &delayed, 1);
		if (err)
			return vmt_error_wrap(err,
					      "CPU %u runqueue: sched_entity %#" PRIx64 " sched_delayed",
					      w->cpu, se);
	}
	return add_task(w, VMT_SCHED_CFS, se - l->task_se, delayed != 0);
}

static struct vmt_error *walk_cfs(struct walk *w, uint64_t cfs_rq)
{
	uint64_t root;
	struct vmt_error *err;
	char what[96];

	if (w->depth > RUNQ_MAX_GROUP_DEPTH)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"CPU %u runqueue: task groups nested deeper than %d at cfs_rq %#" PRIx64 " (a cycle)",
					w->cpu, RUNQ_MAX_GROUP_DEPTH, cfs_rq);
	err = read_u64(w, cfs_rq + w->l->cfs_tasks_timeline,
		       "cfs_rq.tasks_timeline", &root);
	if (err)
		return err;
	w->queue = cfs_rq;
	snprintf(what, sizeof(what), "CPU %u cfs_rq %#" PRIx64, w->cpu,
		 cfs_rq);
	return rbtree_walk(w->read, w->arg, root, RUNQ_MAX_ENTITIES, what,
			   visit_cfs, w);
}

// A node of a real-time priority list: a task's sched_rt_entity, or a
// task group's.
static struct vmt_error *visit_rt(void *arg, uint64_t node)
{
	struct walk *w = arg;
	const struct runq_layout *l = w->l;
	uint64_t rt_se = node - l->rt_se_run_list, my_q = 0;
	struct vmt_error *err;

	if ((err = count_entity(w, rt_se)))
		return err;
	if (l->has_rt_se_my_q &&
	    (err = read_u64(w, rt_se + l->rt_se_my_q, "sched_rt_entity.my_q",
			    &my_q)))
		return err;
	if (my_q) {
		uint64_t queue = w->queue;

		w->depth++;
		err = walk_rt(w, my_q);
		w->depth--;
		w->queue = queue;
		return err;
	}
	return add_task(w, VMT_SCHED_RT, rt_se - l->task_rt, false);
}

static struct vmt_error *walk_rt(struct walk *w, uint64_t rt_rq)
{
	uint64_t queue = rt_rq + w->l->rt_active + w->l->rt_queue;
	struct vmt_error *err;
	char what[96];

	if (w->depth > RUNQ_MAX_GROUP_DEPTH)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"CPU %u runqueue: task groups nested deeper than %d at rt_rq %#" PRIx64 " (a cycle)",
					w->cpu, RUNQ_MAX_GROUP_DEPTH, rt_rq);
	// Every priority's list, not only those the bitmap marks: a dump
	// taken mid-update may disagree with it, and the lists are the truth.
	for (unsigned int prio = 0; prio < w->l->rt_nr_prio; prio++) {
		w->queue = rt_rq;
		snprintf(what, sizeof(what), "CPU %u rt_rq %#" PRIx64 " queue[%u]",
			 w->cpu, rt_rq, prio);
		err = list_walk(w->read, w->arg, queue + prio * LIST_HEAD_SIZE,
				false, RUNQ_MAX_ENTITIES, what, visit_rt, w);
		if (err)
			return err;
	}
	return NULL;
}

// A node of the deadline tree: a task's sched_dl_entity or a server's.
static struct vmt_error *visit_dl(void *arg, uint64_t node)
{
	struct walk *w = arg;
	const struct runq_layout *l = w->l;
	uint64_t dl_se = node - l->dl_se_rb_node;
	struct vmt_error *err;
	uint8_t b;

	if ((err = count_entity(w, dl_se)))
		return err;
	if (l->has_dl_se_dl_server) {
		uint64_t bit = l->dl_se_dl_server_bit;

		err = w->read(w->arg, dl_se + bit / 8, &b, 1);
		if (err)
			return vmt_error_wrap(err,
					      "CPU %u runqueue: sched_dl_entity %#" PRIx64 " dl_server",
					      w->cpu, dl_se);
		// A server runs the tasks of another class: no task of its own.
		if (b >> (bit % 8) & 1)
			return NULL;
	}
	return add_task(w, VMT_SCHED_DL, dl_se - l->task_dl, false);
}

struct vmt_error *runq_read(kread_fn *read, void *arg,
			    const struct runq_layout *l, unsigned int cpu,
			    uint64_t rq, struct vmt_runq *ret)
{
	struct walk w = { .read = read, .arg = arg, .l = l, .cpu = cpu,
			  .out = ret };
	struct vmt_error *err;
	uint64_t root;
	char what[64];
	uint8_t b[4];

	ret->cpu = cpu;
	ret->rq = rq;
	ret->rt_array = rq + l->rq_rt + l->rt_active;
	ret->cfs_root = rq + l->rq_cfs + l->cfs_tasks_timeline;
	ret->dl_root = rq + l->rq_dl + l->dl_root;
	if ((err = read_u64(&w, rq + l->rq_curr, "rq->curr", &ret->curr)))
		return err;
	if ((err = read(arg, rq + l->rq_nr_running, b, 4)))
		return vmt_error_wrap(err, "CPU %u runqueue: rq->nr_running",
				      cpu);
	ret->nr_running = load_le32(b);
	if (ret->curr) {
		if ((err = read(arg, ret->curr + l->task_pid, b, 4)) ||
		    (err = read(arg, ret->curr + l->task_comm, ret->curr_comm,
				sizeof(ret->curr_comm) - 1)))
			return vmt_error_wrap(err,
					      "CPU %u runqueue: rq->curr %#" PRIx64,
					      cpu, ret->curr);
		ret->curr_pid = (int32_t)load_le32(b);
	}
	if ((err = read_u64(&w, ret->dl_root, "dl_rq.root", &root)))
		return err;
	w.queue = rq + l->rq_dl;
	snprintf(what, sizeof(what), "CPU %u dl_rq %#" PRIx64, cpu, w.queue);
	if ((err = rbtree_walk(read, arg, root, RUNQ_MAX_ENTITIES, what,
			       visit_dl, &w)))
		return err;
	if ((err = walk_rt(&w, rq + l->rq_rt)))
		return err;
	return walk_cfs(&w, rq + l->rq_cfs);
}

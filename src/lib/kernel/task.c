// The task list: processes on init_task.tasks, each process's threads, and
// per task what ps needs. Struct layouts are chosen from the types present
// (task_struct.__state or .state, signal_struct.thread_head or
// task_struct.thread_group, task_struct.cpu or thread_info.cpu).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/stack.h"
#include "kernel/task.h"

// include/linux/sched.h
#define PF_KTHREAD 0x00200000U

// A bound on every list walk: more tasks than PID_MAX_LIMIT (4M) would be
// a corrupt list, and 1 << 20 is far above any dump we read.
#define MAX_TASKS (1U << 20)
// And on all of them together: every entry of every list is a task, so the
// lists of a real kernel hold about as many entries as it has tasks (each
// thread is on its process's list, each process on init_task's). Without
// it, a million processes each leading to the same long thread list would
// be walked a million times.
#define MAX_LIST_STEPS (4U * MAX_TASKS)
// Breakages warned about one by one; more are counted.
#define MAX_BROKEN_WARNINGS 20
// THREAD_SIZE when nothing better is known: 1 << MIN_THREAD_SHIFT
// (arch/arm64/include/asm/memory.h).
#define ARM64_MIN_THREAD_SIZE 16384

struct task_layout {
	uint64_t tasks, pid, tgid, comm, state, state_size, exit_state;
	uint64_t flags, mm, real_parent, signal, stack;
	bool has_thread_head;
	uint64_t thread_head, thread_node; // signal_struct, task_struct
	uint64_t thread_group;
	bool has_cpu, has_stack;
	uint64_t cpu;
};

static struct vmt_error *member(struct kernel *k, const char *type,
				const char *name, uint64_t *off,
				uint64_t *size)
{
	struct vmt_error *err = kernel_member(k, type, name, off, size);

	if (err)
		return vmt_error_wrap(err, "%s.%s", type, name);
	return NULL;
}

static struct vmt_error *task_layout_init(struct kernel *k,
					  struct task_layout *l)
{
	struct vmt_error *err;
	uint64_t size;

	memset(l, 0, sizeof(*l));
	if ((err = member(k, "task_struct", "tasks", &l->tasks, &size)) ||
	    (err = member(k, "task_struct", "pid", &l->pid, &size)) ||
	    (err = member(k, "task_struct", "tgid", &l->tgid, &size)) ||
	    (err = member(k, "task_struct", "comm", &l->comm, &size)) ||
	    (err = member(k, "task_struct", "exit_state", &l->exit_state,
			  &size)) ||
	    (err = member(k, "task_struct", "flags", &l->flags, &size)) ||
	    (err = member(k, "task_struct", "mm", &l->mm, &size)) ||
	    (err = member(k, "task_struct", "real_parent", &l->real_parent,
			  &size)) ||
	    (err = member(k, "task_struct", "signal", &l->signal, &size)))
		return err;
	// 5.14 renamed state to __state (and made it unsigned int).
	if (kernel_has_member(k, "task_struct", "__state"))
		err = member(k, "task_struct", "__state", &l->state,
			     &l->state_size);
	else
		err = member(k, "task_struct", "state", &l->state,
			     &l->state_size);
	if (err)
		return err;
	// 6.7 moved threads to signal->thread_head / task->thread_node.
	if (kernel_has_member(k, "signal_struct", "thread_head") &&
	    kernel_has_member(k, "task_struct", "thread_node")) {
		l->has_thread_head = true;
		if ((err = member(k, "signal_struct", "thread_head",
				  &l->thread_head, &size)) ||
		    (err = member(k, "task_struct", "thread_node",
				  &l->thread_node, &size)))
			return err;
	} else if ((err = member(k, "task_struct", "thread_group",
				 &l->thread_group, &size))) {
		return err;
	}
	// THREAD_INFO_IN_TASK kernels have task_struct.cpu (5.16+), older
	// ones thread_info.cpu inside the task.
	if (kernel_has_member(k, "task_struct", "cpu"))
		l->has_cpu = vmt_error_ok(kernel_member(k, "task_struct", "cpu", &l->cpu,
					    &size));
	else
		l->has_cpu = vmt_error_ok(kernel_member(k, "task_struct",
					    "thread_info.cpu", &l->cpu,
					    &size));
	l->has_stack = vmt_error_ok(kernel_member(k, "task_struct", "stack", &l->stack,
				      &size));
	return NULL;
}

static struct vmt_error *read_uint(struct kernel *k, uint64_t addr,
				   uint64_t size, uint64_t *ret)
{
	struct vmt_error *err;
	uint32_t v32;

	if (size == 8)
		return kernel_read_u64(k, addr, ret);
	err = kernel_read_u32(k, addr, &v32);
	if (err)
		return err;
	*ret = size == 4 ? v32 : size == 2 ? (v32 & 0xffff) : (v32 & 0xff);
	return NULL;
}

// Open-addressed set of task addresses seen, to stop on cycles.
struct addr_set {
	uint64_t *tab;
	size_t cap, nr;
};

// 1 if added, 0 if already there, -1 out of memory.
static int addr_set_add(struct addr_set *s, uint64_t a)
{
	size_t i;

	if (2 * (s->nr + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256, j;
		uint64_t *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -1;
		for (j = 0; j < s->cap; j++) {
			if (!s->tab[j])
				continue;
			for (i = (s->tab[j] >> 6) & (cap - 1); tab[i];
			     i = (i + 1) & (cap - 1))
				;
			tab[i] = s->tab[j];
		}
		free(s->tab);
		s->tab = tab;
		s->cap = cap;
	}
	for (i = (a >> 6) & (s->cap - 1); s->tab[i]; i = (i + 1) & (s->cap - 1))
		if (s->tab[i] == a)
			return 0;
	s->tab[i] = a;
	s->nr++;
	return 1;
}

struct walk {
	struct kernel *k;
	struct task_layout l;
	struct addr_set seen;
	struct vmt_task *tasks;
	size_t nr, cap;
	const struct vmt_cpu_regs *regs;
	size_t nr_regs;
	uint64_t thread_size;
	// The first thing that cut a list short or dropped a task.
	struct vmt_error *broken;
	size_t nr_broken;
	// List entries followed, by every walk together.
	size_t steps;
	const struct task_list_input *in;
	// Per CPU: rq->curr and rq->idle (0 unknown).
	unsigned int nr_cpus;
	uint64_t *rq_curr, *rq_idle;
};

// Something broke the walk at @p err (consumed): warn, and keep the first
// as the reason the list is incomplete.
static void walk_broken(struct walk *w, struct vmt_error *err)
{
	if (w->nr_broken++ < MAX_BROKEN_WARNINGS)
		kernel_warn(w->k, "%s", err->message);
	if (!w->broken)
		w->broken = err;
	else
		vmt_error_destroy(err);
}

// Whether the walks may follow one more entry; when not, the walk is
// broken (once).
static bool step_allowed(struct walk *w, const char *what, uint64_t head)
{
	if (w->steps < MAX_LIST_STEPS) {
		w->steps++;
		return true;
	}
	if (w->steps++ == MAX_LIST_STEPS)
		walk_broken(w, vmt_error_format(VMT_ERROR_BAD_DATA,
				"%s at %#" PRIx64 ": the task lists hold more than %u entries in all, stopped",
				what, head, MAX_LIST_STEPS));
	return false;
}

static struct vmt_error *read_task(struct walk *w, uint64_t task,
				   struct vmt_task *t)
{
	struct kernel *k = w->k;
	const struct task_layout *l = &w->l;
	struct vmt_error *err;
	uint64_t state, parent;
	uint32_t pid, tgid, exit_state, flags, ppid;

	memset(t, 0, sizeof(*t));
	t->task = task;
	if ((err = kernel_read_u32(k, task + l->pid, &pid)) ||
	    (err = kernel_read_u32(k, task + l->tgid, &tgid)) ||
	    (err = kernel_read(k, task + l->comm, t->comm,
			       sizeof(t->comm))) ||
	    (err = read_uint(k, task + l->state, l->state_size, &state)) ||
	    (err = kernel_read_u32(k, task + l->exit_state, &exit_state)) ||
	    (err = kernel_read_u32(k, task + l->flags, &flags)) ||
	    (err = kernel_read_u64(k, task + l->mm, &t->mm)) ||
	    (err = kernel_read_u64(k, task + l->real_parent, &parent)))
		return vmt_error_wrap(err, "task_struct at %#" PRIx64, task);
	t->comm[sizeof(t->comm) - 1] = '\0';
	t->pid = (int)pid;
	t->tgid = (int)tgid;
	t->state = task_state_char(state, exit_state);
	// PF_KTHREAD, not a missing mm: an exited task (a zombie) has no mm
	// either. Older kernels leave PF_KTHREAD off the idle tasks (6.12's
	// init_task sets it in init/init_task.c): pid 0 says it there.
	t->kthread = (flags & PF_KTHREAD) || pid == 0;
	// /proc's ppid: real_parent's tgid (init_task is its own parent).
	ppid = 0;
	if (parent && parent != task) {
		err = kernel_read_u32(k, parent + l->tgid, &ppid);
		if (err) {
			kernel_warn(k, "task %#" PRIx64 " (pid %d): real_parent %#" PRIx64 " unreadable",
				    task, t->pid, parent);
			vmt_error_destroy(err);
			ppid = 0;
		}
	}
	t->ppid = (int)ppid;
	t->cpu = -1;
	if (l->has_cpu && vmt_error_ok(kernel_read_u32(k, task + l->cpu, &pid)))
		t->cpu = (int)pid;
	if (l->has_stack &&
	    !vmt_error_ok(kernel_read_u64(k, task + l->stack, &t->stack)))
		t->stack = 0;
	return NULL;
}

// Add the task at @p task (once). A task that cannot be read is returned
// in *@p unreadable (the caller decides whether the walk goes on).
static struct vmt_error *add_task(struct walk *w, uint64_t task,
				  struct vmt_error **unreadable)
{
	struct vmt_error *err;
	int r;

	*unreadable = NULL;
	r = addr_set_add(&w->seen, task);
	if (r < 0)
		return &vmt_enomem;
	if (r == 0)
		return NULL;
	if (w->nr == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 128;
		struct vmt_task *n = realloc(w->tasks, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		w->tasks = n;
		w->cap = cap;
	}
	err = read_task(w, task, &w->tasks[w->nr]);
	if (err) {
		if (err->code == VMT_ERROR_NO_MEMORY)
			return err;
		*unreadable = err;
		return NULL;
	}
	w->nr++;
	return NULL;
}

// add_task() for a task found on a list: one that cannot be read is
// skipped (it must not hide the others), and the list is incomplete.
static struct vmt_error *add_listed_task(struct walk *w, uint64_t task)
{
	struct vmt_error *unreadable, *err = add_task(w, task, &unreadable);

	if (unreadable)
		walk_broken(w, vmt_error_wrap(unreadable, "skipped a task"));
	return err;
}

// Walk a circular list from @p head (its own address) calling
// add_listed_task() on each entry's container (entry - @p off). A read
// error, a repeated entry, a NULL pointer or MAX_TASKS entries stop it
// and make the task list incomplete.
static struct vmt_error *walk_list(struct walk *w, uint64_t head,
				   uint64_t off, const char *what,
				   uint64_t skip)
{
	struct addr_set seen = { 0 };
	struct vmt_error *err = NULL;
	uint64_t pos, prev = head;
	size_t n;

	err = kernel_read_u64(w->k, head, &pos);
	for (n = 0; !err && pos != head; n++) {
		int r;

		if (!step_allowed(w, what, head))
			break;
		if (n >= MAX_TASKS) {
			walk_broken(w, vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s at %#" PRIx64 ": more than %u entries, stopped",
					what, head, MAX_TASKS));
			break;
		}
		r = addr_set_add(&seen, pos);
		if (r < 0) {
			free(seen.tab);
			return &vmt_enomem;
		}
		if (r == 0) {
			walk_broken(w, vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s at %#" PRIx64 ": entry %#" PRIx64
					" (the next of %#" PRIx64 ") repeats (cycle), stopped",
					what, head, pos, prev));
			break;
		}
		if (!pos) {
			walk_broken(w, vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s at %#" PRIx64 ": NULL next pointer at %#" PRIx64
					", stopped",
					what, head, prev));
			break;
		}
		if (pos - off != skip) {
			err = add_listed_task(w, pos - off);
			if (err) {
				free(seen.tab);
				return err;
			}
		}
		prev = pos;
		err = kernel_read_u64(w->k, pos, &pos);
	}
	free(seen.tab);
	if (err)
		walk_broken(w, vmt_error_wrap(err, "%s at %#" PRIx64
					      ": reading the next pointer at %#" PRIx64
					      "; list cut short",
					      what, head, prev));
	return NULL;
}

// Add the threads of process @p leader (the leader first).
static struct vmt_error *add_threads(struct walk *w, uint64_t leader)
{
	const struct task_layout *l = &w->l;
	struct vmt_error *err;
	uint64_t signal;

	err = add_listed_task(w, leader);
	if (err)
		return err;
	if (!l->has_thread_head)
		return walk_list(w, leader + l->thread_group, l->thread_group,
				 "thread_group", leader);
	err = kernel_read_u64(w->k, leader + l->signal, &signal);
	if (err) {
		walk_broken(w, vmt_error_wrap(err, "task_struct at %#" PRIx64
					      ": signal (its threads) unreadable",
					      leader));
		return NULL;
	}
	// A dead leader may have no signal_struct any more.
	if (!signal)
		return NULL;
	return walk_list(w, signal + l->thread_head, l->thread_node,
			 "signal->thread_head", leader);
}

// Whether a task_struct at @p task looks like init_task: pid 0, no mm, and
// a tasks list whose first entry points back.
static bool looks_like_init_task(struct kernel *k,
				 const struct task_layout *l, uint64_t task)
{
	uint64_t next, prev, mm;
	uint32_t pid;

	if (!vmt_error_ok(kernel_read_u32(k, task + l->pid, &pid)) || pid != 0)
		return false;
	if (!vmt_error_ok(kernel_read_u64(k, task + l->mm, &mm)) || mm != 0)
		return false;
	if (!vmt_error_ok(kernel_read_u64(k, task + l->tasks, &next)) || !next)
		return false;
	if (!vmt_error_ok(kernel_read_u64(k, next + 8, &prev)))
		return false;
	return prev == task + l->tasks;
}

// Without CONFIG_KALLSYMS_ALL (Debian) kallsyms has no data symbols. The
// comm "swapper/0" (init_idle() names the boot CPU's idle task so) sits in
// the kernel's .data, which init_uts_ns (VMCOREINFO) also is in: scan from
// there, 64K at a time, downwards then upwards.
static struct vmt_error *scan_init_task(struct kernel *k,
					const struct task_layout *l,
					uint64_t *ret)
{
	static const char want[] = "swapper/0";
	enum { CHUNK = 65536, OVERLAP = 16, BELOW = 64 << 20, ABOVE = 16 << 20 };
	static const char *const anchors[] = { "init_uts_ns", "_sdata",
					       "_stext" };
	uint64_t anchor = 0, start, addr;
	char *buf;
	size_t i;
	int dir;

	for (i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		struct vmt_error *err = kernel_symbol(k, anchors[i], &anchor);

		if (!err)
			break;
		vmt_error_destroy(err);
		anchor = 0;
	}
	if (!anchor)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"init_task: no symbol, and no init_uts_ns, _sdata or _stext to search from");
	buf = malloc(CHUNK + OVERLAP);
	if (!buf)
		return &vmt_enomem;
	start = anchor & ~(uint64_t)(CHUNK - 1);
	for (dir = -1; dir <= 1; dir += 2) {
		uint64_t lim = dir < 0 ? BELOW : ABOVE;
		uint64_t d;

		for (d = dir < 0 ? 0 : CHUNK; d < lim; d += CHUNK) {
			struct vmt_error *err;
			char *p, *end;

			addr = dir < 0 ? start - d : start + d;
			err = kernel_read(k, addr, buf, CHUNK + OVERLAP);
			if (err) {
				vmt_error_destroy(err);
				continue;
			}
			end = buf + CHUNK + OVERLAP - sizeof(want);
			for (p = buf; p <= end;) {
				uint64_t task;

				p = memmem(p, end + sizeof(want) - p, want,
					   sizeof(want));
				if (!p)
					break;
				task = addr + (uint64_t)(p - buf) - l->comm;
				if (looks_like_init_task(k, l, task)) {
					free(buf);
					char how[200];

					snprintf(how, sizeof(how),
						 "no symbol; found by scanning kernel data near %s for comm \"swapper/0\" with pid 0 and a consistent tasks list",
						 anchors[i]);
					kernel_add_derived_object(k, "init_task",
								  task, "task_struct",
								  how);
					*ret = task;
					return NULL;
				}
				p++;
			}
		}
	}
	free(buf);
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"init_task: no symbol, and no task_struct named \"swapper/0\" within %d MiB below or %d MiB above %s (%#" PRIx64 ")",
				BELOW >> 20, ABOVE >> 20, anchors[i], anchor);
}

struct vmt_error *task_find_init_task(struct kernel *k, uint64_t *ret)
{
	struct task_layout l;
	struct vmt_error *err;

	err = kernel_symbol(k, "init_task", ret);
	if (!err)
		return NULL;
	vmt_error_destroy(err);
	err = task_layout_init(k, &l);
	if (err)
		return vmt_error_wrap(err, "init_task");
	return scan_init_task(k, &l, ret);
}

// Each CPU's rq->curr and rq->idle, from the per-CPU runqueues. The idle
// tasks of the CPUs other than the boot one are on no task list: add them
// (after init_task, as crash lists them).
static void read_runqueues(struct walk *w)
{
	const struct task_list_input *in = w->in;
	const struct percpu *pc = in->percpu;
	uint64_t curr_off, idle_off, size, rq;

	if (!pc || !in->have_runqueues ||
	    !vmt_error_ok(kernel_member(w->k, "rq", "curr", &curr_off, &size)) ||
	    !vmt_error_ok(kernel_member(w->k, "rq", "idle", &idle_off, &size)))
		return;
	for (unsigned int c = 0; c < w->nr_cpus && c < pc->nr_cpus; c++) {
		if (!pc->base[c])
			continue;
		rq = pc->base[c] + in->runqueues_offset;
		if (!vmt_error_ok(kernel_read_u64(w->k, rq + curr_off,
						  &w->rq_curr[c])))
			w->rq_curr[c] = 0;
		if (!vmt_error_ok(kernel_read_u64(w->k, rq + idle_off,
						  &w->rq_idle[c])))
			w->rq_idle[c] = 0;
	}
	for (unsigned int c = 0; c < w->nr_cpus; c++) {
		struct vmt_error *unreadable;

		if (!w->rq_idle[c])
			continue;
		// Idle tasks are found by a guess at the per-CPU layout: one
		// that does not read is not a broken list.
		vmt_error_destroy(add_task(w, w->rq_idle[c], &unreadable));
		vmt_error_destroy(unreadable);
	}
}

// The task whose kernel stack holds @p sp, or NULL.
static struct vmt_task *stack_owner(struct walk *w, uint64_t sp)
{
	for (size_t i = 0; i < w->nr; i++) {
		uint64_t low = w->tasks[i].stack;

		if (low && sp >= low && sp - low < w->thread_size)
			return &w->tasks[i];
	}
	return NULL;
}

static struct vmt_task *task_at(struct walk *w, uint64_t task)
{
	for (size_t i = 0; i < w->nr; i++)
		if (w->tasks[i].task == task)
			return &w->tasks[i];
	return NULL;
}

// Which CPU each NT_PRSTATUS note belongs to. Notes come in CPU order,
// one per CPU that saved its registers (a capture kernel drops empty
// ones): a note whose sp lies on a CPU's own IRQ/overflow/SDEI stack, or
// on the stack of a CPU's rq->curr, is that CPU's; else its task's
// task->cpu; else its place. If that gives two notes one CPU, the order
// decides for all.
static void map_notes(struct walk *w, int *note_of_cpu)
{
	size_t n = w->nr_regs < PERCPU_MAX_CPUS ? w->nr_regs : PERCPU_MAX_CPUS;
	int *cand = calloc(n ? n : 1, sizeof(*cand));
	bool clash = false;

	for (unsigned int c = 0; c < w->nr_cpus; c++)
		note_of_cpu[c] = -1;
	if (!cand)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t sp = w->regs[i].sp;
		const struct vmt_task *t;
		enum kstack_kind kind;
		unsigned int c;

		cand[i] = (int)i;
		if (w->in->stacks &&
		    kernel_stacks_cpu_stack(w->in->stacks, sp, &c, &kind)) {
			cand[i] = (int)c;
			continue;
		}
		t = stack_owner(w, sp);
		if (!t)
			continue;
		for (c = 0; c < w->nr_cpus; c++)
			if (w->rq_curr[c] == t->task)
				break;
		if (c < w->nr_cpus)
			cand[i] = (int)c;
		else if (t->cpu >= 0)
			cand[i] = t->cpu;
	}
	for (size_t i = 0; i < n; i++) {
		if (cand[i] < 0 || (unsigned int)cand[i] >= w->nr_cpus)
			clash = true;
		for (size_t j = 0; j < i; j++)
			if (cand[j] == cand[i])
				clash = true;
	}
	for (size_t i = 0; i < n; i++) {
		int c = clash ? (int)i : cand[i];

		if (c >= 0 && (unsigned int)c < w->nr_cpus)
			note_of_cpu[c] = (int)i;
	}
	free(cand);
}

// The one task current on each CPU (see task.h).
static void find_current(struct walk *w, struct task_cpu *cpus)
{
	const struct percpu *pc = w->in->percpu;
	int *note_of_cpu = calloc(w->nr_cpus ? w->nr_cpus : 1, sizeof(int));

	if (!note_of_cpu)
		return;
	map_notes(w, note_of_cpu);
	for (size_t i = 0; i < w->nr; i++)
		w->tasks[i].oncpu = false;
	for (unsigned int c = 0; c < w->nr_cpus; c++) {
		struct task_cpu *cpu = &cpus[c];
		int note = note_of_cpu[c];
		struct vmt_task *owner = NULL, *curr = NULL, *t = NULL;

		cpu->note = note;
		// rq->curr may be on no list (an exiting task): add it
		// first, as adding may move the array.
		if (w->rq_curr[c] && !task_at(w, w->rq_curr[c])) {
			struct vmt_error *unreadable;

			vmt_error_destroy(add_task(w, w->rq_curr[c],
						   &unreadable));
			vmt_error_destroy(unreadable);
		}
		if (w->rq_curr[c])
			curr = task_at(w, w->rq_curr[c]);
		if (note >= 0)
			owner = stack_owner(w, w->regs[note].sp);
		if (owner) {
			// The registers are the truth of what ran; rq->curr
			// is set before the switch to it completes.
			t = owner;
			if (curr && curr != owner)
				snprintf(cpu->how, sizeof(cpu->how),
					 "its stack holds CPU %u's sp (NT_PRSTATUS); rq->curr is pid %d (%s): a switch in progress",
					 c, curr->pid, curr->comm);
			else
				snprintf(cpu->how, sizeof(cpu->how),
					 "its stack holds CPU %u's sp (NT_PRSTATUS)%s",
					 c, curr ? " and it is rq->curr" : "");
		} else if (curr) {
			t = curr;
			snprintf(cpu->how, sizeof(cpu->how), "rq->curr of CPU %u%s",
				 c, note >= 0 ? " (its sp is on no task stack: an IRQ or other per-CPU stack)" :
						" (no registers for this CPU)");
		} else if (pc && pc->have_masks && !pc->online[c]) {
			snprintf(cpu->how, sizeof(cpu->how),
				 "none: CPU %u is not in __cpu_online_mask", c);
		} else {
			snprintf(cpu->how, sizeof(cpu->how),
				 "unknown: no runqueue for CPU %u (%s) and %s", c,
				 pc && !pc->base[c] ? "per-CPU area unknown" :
						      "no rq.curr",
				 note >= 0 ? "its sp is on no task's stack" :
					     "no registers");
		}
		if (!t)
			continue;
		t->oncpu = true;
		t->cpu = (int)c;
		cpu->task = t->task;
	}
	free(note_of_cpu);
}

struct vmt_error *task_list(struct kernel *k, const struct task_list_input *in,
			    struct vmt_task **ret, size_t *nr_ret,
			    struct task_cpu **cpus_ret,
			    unsigned int *nr_cpus_ret,
			    struct vmt_error **broken_ret)
{
	struct walk w = { .k = k, .in = in };
	struct vmt_error *err, *unreadable;
	uint64_t init_task = in->init_task, head, pos, prev;
	struct addr_set procs = { 0 };
	struct task_cpu *cpus = NULL;
	size_t n;

	err = task_layout_init(k, &w.l);
	if (err)
		return vmt_error_wrap(err, "task list");
	kernel_cpu_regs(k, &w.regs, &w.nr_regs);
	w.thread_size = in->thread_size ? in->thread_size :
					  ARM64_MIN_THREAD_SIZE;
	w.nr_cpus = in->percpu ? in->percpu->nr_cpus :
				 (unsigned int)(w.nr_regs < PERCPU_MAX_CPUS ?
							w.nr_regs :
							PERCPU_MAX_CPUS);
	w.rq_curr = calloc(w.nr_cpus ? w.nr_cpus : 1, sizeof(uint64_t));
	w.rq_idle = calloc(w.nr_cpus ? w.nr_cpus : 1, sizeof(uint64_t));
	cpus = calloc(w.nr_cpus ? w.nr_cpus : 1, sizeof(*cpus));
	if (!w.rq_curr || !w.rq_idle || !cpus) {
		err = &vmt_enomem;
		goto out;
	}
	if (!init_task)
		err = task_find_init_task(k, &init_task);
	if (err)
		goto out;

	// Without init_task there is no list at all: that is the error,
	// with its cause.
	err = add_task(&w, init_task, &unreadable);
	if (!err && unreadable)
		err = vmt_error_wrap(unreadable, "task list: reading init_task");
	if (err)
		goto out;
	read_runqueues(&w);

	// Processes: init_task.tasks; each with its threads.
	head = init_task + w.l.tasks;
	prev = head;
	err = kernel_read_u64(k, head, &pos);
	for (n = 0; !err && pos != head; n++) {
		int r;

		if (!step_allowed(&w, "init_task.tasks", head))
			break;
		r = addr_set_add(&procs, pos);
		if (r < 0) {
			err = &vmt_enomem;
			break;
		}
		if (r == 0 || n >= MAX_TASKS || !pos) {
			walk_broken(&w, vmt_error_format(VMT_ERROR_BAD_DATA,
					"init_task.tasks at %#" PRIx64 ": %s at %#" PRIx64
					" (the next of %#" PRIx64 "), stopped",
					head,
					r == 0 ? "entry repeats (cycle)" :
					!pos ? "NULL next pointer" :
					       "too many entries",
					pos, prev));
			break;
		}
		err = add_threads(&w, pos - w.l.tasks);
		if (err)
			break;
		prev = pos;
		err = kernel_read_u64(k, pos, &pos);
		if (err) {
			walk_broken(&w, vmt_error_wrap(err,
					"init_task.tasks at %#" PRIx64
					": reading the next pointer at %#" PRIx64
					"; list cut short",
					head, prev));
			err = NULL;
			break;
		}
	}
	// init_task.tasks itself unreadable: no process but init_task.
	if (err && err->code != VMT_ERROR_NO_MEMORY && !w.broken &&
	    prev == head) {
		walk_broken(&w, vmt_error_wrap(err, "init_task.tasks at %#" PRIx64,
					       head));
		err = NULL;
	}
	if (!err)
		find_current(&w, cpus);
out:
	free(procs.tab);
	free(w.seen.tab);
	free(w.rq_curr);
	free(w.rq_idle);
	if (!err && w.nr_broken > MAX_BROKEN_WARNINGS)
		kernel_warn(k, "task list: %zu more breaks not shown",
			    w.nr_broken - MAX_BROKEN_WARNINGS);
	if (err) {
		vmt_error_destroy(w.broken);
		free(cpus);
		free(w.tasks);
		return err;
	}
	*ret = w.tasks;
	*nr_ret = w.nr;
	*broken_ret = w.broken;
	*cpus_ret = cpus;
	*nr_cpus_ret = w.nr_cpus;
	return NULL;
}

// Kernel stacks and backtraces (see stack.h).
//
// Sizes (arch/arm64/include/asm/memory.h): MIN_THREAD_SHIFT is 14, plus 1
// with generic or software-tag KASAN; THREAD_SIZE is 1 << MIN_THREAD_SHIFT
// unless CONFIG_VMAP_STACK with pages larger than that, then PAGE_SIZE.
// IRQ_STACK_SIZE = THREAD_SIZE, OVERFLOW_STACK_SIZE = 4K, SDEI_STACK_SIZE
// = IRQ_STACK_SIZE (asm/sdei.h). The per-CPU stacks: irq_stack_ptr
// (arch/arm64/kernel/irq.c), overflow_stack (traps.c, VMAP_STACK only),
// sdei_stack_normal_ptr / sdei_stack_critical_ptr (sdei.c).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/stack.h"

#define MIN_THREAD_SHIFT 14
#define OVERFLOW_STACK_SIZE 4096

const char *kstack_kind_name(enum kstack_kind kind)
{
	static const char *const names[] = {
		[KSTACK_TASK] = "task",
		[KSTACK_IRQ] = "irq",
		[KSTACK_OVERFLOW] = "overflow",
		[KSTACK_SDEI_NORMAL] = "sdei_normal",
		[KSTACK_SDEI_CRITICAL] = "sdei_critical",
	};

	return (unsigned int)kind < KSTACK_KINDS ? names[kind] : "?";
}

void kernel_stacks_destroy(struct kernel_stacks *ks)
{
	if (!ks)
		return;
	free(ks->cpu);
	free(ks);
}

static bool symbol(struct kernel *k, const char *name, uint64_t *ret)
{
	return vmt_error_ok(kernel_symbol(k, name, ret));
}

// THREAD_SIZE. KASAN: its instrumentation hooks are text symbols
// (mm/kasan/generic.c __asan_load8, sw_tags.c __hwasan_load8_noabort).
// VMAP_STACK: whether a task's stack is in the vmalloc area, else
// whether the per-CPU overflow_stack (defined only with VMAP_STACK)
// exists.
static void thread_size(struct kernel *k, struct kernel_stacks *ks,
			uint64_t init_task)
{
	uint64_t page = kernel_page_size(k), a, next, tasks, stack;
	unsigned int shift = MIN_THREAD_SHIFT;
	const char *vmap_how;
	bool kasan, vmap;
	int known = -1;

	kasan = symbol(k, "__asan_load8", &a) ||
		symbol(k, "__asan_load8_noabort", &a) ||
		symbol(k, "__hwasan_load8_noabort", &a);
	if (kasan)
		shift++;
	if (init_task && ks->have_task_stack &&
	    vmt_error_ok(kernel_member_offset(k, "task_struct", "tasks",
					      &tasks)) &&
	    vmt_error_ok(kernel_read_u64(k, init_task + tasks, &next)) &&
	    next != init_task + tasks &&
	    vmt_error_ok(kernel_read_u64(k, next - tasks + ks->task_stack,
					 &stack)) &&
	    stack)
		known = kernel_is_vmalloc(k, stack);
	if (known >= 0) {
		vmap = known;
		vmap_how = vmap ?
			"VMAP_STACK: a task's stack is in the vmalloc area" :
			"no VMAP_STACK: a task's stack is in the linear map";
	} else {
		uint64_t off, size;

		vmap = vmt_error_ok(percpu_var_offset(k, "overflow_stack",
						      &off, &size));
		vmap_how = vmap ? "VMAP_STACK: per-CPU overflow_stack exists" :
				  "no VMAP_STACK: no per-CPU overflow_stack";
	}
	ks->thread_size = UINT64_C(1) << shift;
	if (vmap && page > ks->thread_size)
		ks->thread_size = page;
	snprintf(ks->thread_size_how, sizeof(ks->thread_size_how),
		 "%s; %s; %" PRIu64 " KiB pages (asm/memory.h THREAD_SHIFT)",
		 kasan ? "KASAN (MIN_THREAD_SHIFT 15)" :
			 "no KASAN (MIN_THREAD_SHIFT 14)",
		 vmap_how, page >> 10);
}

static bool member(struct kernel *k, const char *type, const char *name,
		   uint64_t *off)
{
	return vmt_error_ok(kernel_member_offset(k, type, name, off));
}

static void pt_regs_layout(struct kernel *k, struct kernel_stacks *ks)
{
	struct arm64_pt_regs_layout *l = &ks->pt_regs;

	ks->have_pt_regs =
		vmt_error_ok(kernel_type_size(k, "pt_regs", &l->size)) &&
		member(k, "pt_regs", "regs", &l->regs) &&
		member(k, "pt_regs", "sp", &l->sp) &&
		member(k, "pt_regs", "pc", &l->pc) &&
		member(k, "pt_regs", "pstate", &l->pstate) &&
		member(k, "pt_regs", "stackframe", &l->stackframe);
	// Later kernels: struct frame_record_meta {record; type}.
	l->meta = ks->have_pt_regs &&
		  member(k, "pt_regs", "stackframe.type", &l->meta_type);
}

// Each CPU's IRQ, overflow and SDEI stacks.
static void cpu_stacks(struct kernel *k, const struct percpu *pc,
		       struct kernel_stacks *ks)
{
	static const struct {
		const char *var;
		enum kstack_kind kind;
		bool pointer; // the variable holds the stack's address
	} vars[] = {
		{ "irq_stack_ptr", KSTACK_IRQ, true },
		{ "overflow_stack", KSTACK_OVERFLOW, false },
		{ "sdei_stack_normal_ptr", KSTACK_SDEI_NORMAL, true },
		{ "sdei_stack_critical_ptr", KSTACK_SDEI_CRITICAL, true },
	};
	uint64_t off, size, addr, low;

	ks->size[KSTACK_TASK] = ks->thread_size;
	ks->size[KSTACK_IRQ] = ks->thread_size;
	ks->size[KSTACK_OVERFLOW] = OVERFLOW_STACK_SIZE;
	ks->size[KSTACK_SDEI_NORMAL] = ks->thread_size;
	ks->size[KSTACK_SDEI_CRITICAL] = ks->thread_size;
	if (!pc || !pc->nr_cpus) {
		snprintf(ks->cpu_how, sizeof(ks->cpu_how),
			 "unknown: the CPUs are unknown");
		return;
	}
	ks->cpu = calloc(pc->nr_cpus, sizeof(*ks->cpu));
	if (!ks->cpu)
		return;
	ks->nr_cpus = pc->nr_cpus;
	for (size_t v = 0; v < sizeof(vars) / sizeof(vars[0]); v++) {
		if (!vmt_error_ok(percpu_var_offset(k, vars[v].var, &off,
						    &size)))
			continue;
		if (vars[v].kind == KSTACK_OVERFLOW && size)
			ks->size[KSTACK_OVERFLOW] = size;
		for (unsigned int c = 0; c < pc->nr_cpus; c++) {
			if (!vmt_error_ok(percpu_addr(pc, c, off, &addr)))
				continue;
			low = addr;
			if (vars[v].pointer &&
			    !vmt_error_ok(kernel_read_u64(k, addr, &low)))
				low = 0;
			ks->cpu[c][vars[v].kind] = low;
		}
	}
	snprintf(ks->cpu_how, sizeof(ks->cpu_how), "%s",
		 pc->nr_bases ?
			 "per-CPU irq_stack_ptr, overflow_stack, sdei_stack_*_ptr" :
			 "unknown: the per-CPU areas are unknown");
}

struct vmt_error *kernel_stacks_load(struct kernel *k, const struct percpu *pc,
				     uint64_t init_task,
				     struct kernel_stacks **ret)
{
	struct kernel_stacks *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return &vmt_enomem;
	ks->have_task_stack =
		member(k, "task_struct", "stack", &ks->task_stack);
	ks->have_cpu_context =
		member(k, "task_struct", "thread.cpu_context.fp",
		       &ks->ctx_fp) &&
		member(k, "task_struct", "thread.cpu_context.sp",
		       &ks->ctx_sp) &&
		member(k, "task_struct", "thread.cpu_context.pc",
		       &ks->ctx_pc);
	thread_size(k, ks, init_task);
	pt_regs_layout(k, ks);
	cpu_stacks(k, pc, ks);
	if (!symbol(k, "__entry_text_start", &ks->entry_start) ||
	    !symbol(k, "__entry_text_end", &ks->entry_end) ||
	    ks->entry_end <= ks->entry_start)
		ks->entry_start = ks->entry_end = 0;
	if (!symbol(k, "_stext", &ks->text_start) ||
	    !symbol(k, "_etext", &ks->text_end))
		ks->text_start = ks->text_end = 0;
	if (!symbol(k, "_sinittext", &ks->inittext_start) ||
	    !symbol(k, "_einittext", &ks->inittext_end))
		ks->inittext_start = ks->inittext_end = 0;
	ks->pac_mask = kernel_pac_mask(k);
	*ret = ks;
	return NULL;
}

struct vmt_error *kernel_task_stack(struct kernel *k,
				    const struct kernel_stacks *ks,
				    uint64_t task, uint64_t *ret)
{
	struct vmt_error *err;

	if (!ks->have_task_stack)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"task_struct has no member stack");
	err = kernel_read_u64(k, task + ks->task_stack, ret);
	if (err)
		return vmt_error_wrap(err, "task %#" PRIx64 ": stack", task);
	return NULL;
}

bool kernel_stacks_is_text(const struct kernel_stacks *ks, uint64_t addr)
{
	return (addr >= ks->text_start && addr < ks->text_end) ||
	       (addr >= ks->inittext_start && addr < ks->inittext_end);
}

struct unwind_arg {
	struct kernel *k;
	const struct kernel_stacks *ks;
};

static struct vmt_error *unwind_read(void *arg, uint64_t addr, void *buf,
				     size_t len)
{
	struct unwind_arg *a = arg;

	return kernel_read(a->k, addr, buf, len);
}

static bool unwind_func(void *arg, uint64_t addr, uint64_t *start)
{
	struct unwind_arg *a = arg;
	const char *name;

	if (a->ks->text_end && !kernel_stacks_is_text(a->ks, addr))
		return false;
	return vmt_error_ok(kernel_symbol_by_addr(a->k, addr, start, &name));
}

// The exception vectors and entry code: el1h_64_irq and the like live in
// .entry.text (entry.S); without its bounds, the names (5.12+ el1h_64_*,
// el0t_64_*, el0t_32_*; before, el1_sync, el0_irq, ...).
static bool entry_name(const char *name)
{
	static const char *const old[] = {
		"el1_sync", "el1_irq", "el1_fiq", "el1_error", "el0_sync",
		"el0_irq", "el0_fiq", "el0_error", "el0_sync_compat",
		"el0_irq_compat", "el0_fiq_compat", "el0_error_compat",
	};
	const char *p = name;

	if (p[0] == 'e' && p[1] == 'l' && (p[2] == '0' || p[2] == '1') &&
	    (p[3] == 't' || p[3] == 'h') && p[4] == '_') {
		p += 5;
		if (!strncmp(p, "64_", 3) || !strncmp(p, "32_", 3)) {
			p += 3;
			return !strcmp(p, "sync") || !strcmp(p, "irq") ||
			       !strcmp(p, "fiq") || !strcmp(p, "error");
		}
		return false;
	}
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++)
		if (!strcmp(name, old[i]))
			return true;
	return false;
}

static bool unwind_entry(void *arg, uint64_t addr)
{
	struct unwind_arg *a = arg;
	uint64_t start;
	const char *name;

	if (a->ks->entry_end)
		return addr >= a->ks->entry_start && addr < a->ks->entry_end;
	// A return address into the entry code: look up addr - 1.
	return vmt_error_ok(kernel_symbol_by_addr(a->k, addr - 1, &start,
						  &name)) &&
	       entry_name(name);
}

void kernel_bt_deinit(struct kernel_bt *bt)
{
	arm64_unwind_result_deinit(&bt->res);
}

static void add_stack(struct kernel_bt *bt, uint64_t low, uint64_t size,
		      enum kstack_kind kind)
{
	if (!low || bt->nr_stacks >= KSTACK_KINDS)
		return;
	bt->stacks[bt->nr_stacks++] = (struct arm64_stack){
		.low = low, .high = low + size, .name = kstack_kind_name(kind)
	};
}

struct vmt_error *kernel_backtrace(struct kernel *k,
				   const struct kernel_stacks *ks,
				   const struct kernel_bt_request *req,
				   struct kernel_bt *ret)
{
	struct unwind_arg arg = { .k = k, .ks = ks };
	struct arm64_unwind_params p = { 0 };
	struct arm64_unwind_start start = { 0 };
	struct vmt_error *err;
	uint64_t stack;

	memset(ret, 0, sizeof(*ret));
	err = kernel_task_stack(k, ks, req->task, &stack);
	if (err)
		return err;
	if (!stack && !req->regs) {
		ret->no_stack = true;
		snprintf(ret->start_how, sizeof(ret->start_how),
			 "none: task->stack is NULL (an exited task's stack is freed)");
		return NULL;
	}
	add_stack(ret, stack, ks->thread_size, KSTACK_TASK);
	if (req->cpu >= 0 && (unsigned int)req->cpu < ks->nr_cpus)
		for (int kind = KSTACK_IRQ; kind < KSTACK_KINDS; kind++)
			add_stack(ret, ks->cpu[req->cpu][kind], ks->size[kind],
				  (enum kstack_kind)kind);
	p.read = unwind_read;
	p.arg = &arg;
	p.pac_mask = ks->pac_mask;
	p.stacks = ret->stacks;
	p.nr_stacks = ret->nr_stacks;
	p.func = unwind_func;
	if (ks->have_pt_regs) {
		p.pt_regs = &ks->pt_regs;
		p.is_entry = unwind_entry;
		// task_pt_regs(task): the top of the task stack.
		if (stack && ks->pt_regs.size < ks->thread_size)
			p.final_fp = stack + ks->thread_size -
				     ks->pt_regs.size + ks->pt_regs.stackframe;
	}
	if (req->regs) {
		start.has_regs = true;
		memcpy(start.regs.x, req->regs->x, sizeof(start.regs.x));
		start.regs.sp = req->regs->sp;
		start.regs.pc = req->regs->pc;
		start.regs.pstate = req->regs->pstate;
		snprintf(ret->start_how, sizeof(ret->start_how),
			 "registers of CPU %d (NT_PRSTATUS)", req->cpu);
	} else {
		if (!ks->have_cpu_context)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"task_struct has no thread.cpu_context");
		if ((err = kernel_read_u64(k, req->task + ks->ctx_fp,
					   &start.fp)) ||
		    (err = kernel_read_u64(k, req->task + ks->ctx_sp,
					   &start.sp)) ||
		    (err = kernel_read_u64(k, req->task + ks->ctx_pc,
					   &start.pc)))
			return vmt_error_wrap(err,
					      "task %#" PRIx64 ": thread.cpu_context",
					      req->task);
		snprintf(ret->start_how, sizeof(ret->start_how), "%s",
			 req->cpu >= 0 ? "thread.cpu_context (no registers for its CPU)" :
					 "thread.cpu_context (saved at its last switch)");
	}
	return arm64_unwind(&p, &start, &ret->res);
}

// Backtraces of a program's tasks: the public calls of vmtool/stack.h over
// kernel/stack.c, with symbols as /proc/PID/stack shows them.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "program_internal.h"
#include "vmtool/stack.h"

// bt -f shows at most this many bytes of a frame with no frame above.
#define LAST_FRAME_WORDS 0x200

struct vmt_error *program_stacks(struct vmt_program *prog,
				 const struct kernel_stacks **ret)
{
	const struct percpu *pc = NULL;
	struct vmt_error *err;
	uint64_t init_task = 0;

	if (!prog->stacks_loaded) {
		err = program_percpu(prog, &pc);
		if (err)
			return err;
		err = task_find_init_task(&prog->kernel, &init_task);
		if (err) {
			vmt_error_destroy(err);
			init_task = 0;
		}
		err = kernel_stacks_load(&prog->kernel, pc, init_task,
					 &prog->stacks);
		if (err)
			return err;
		prog->stacks_loaded = true;
	}
	*ret = prog->stacks;
	return NULL;
}

void program_task_input(struct vmt_program *prog, struct task_list_input *ret)
{
	const struct kernel_stacks *ks;
	const struct percpu *pc;
	uint64_t size;

	memset(ret, 0, sizeof(*ret));
	if (vmt_error_ok(program_percpu(prog, &pc))) {
		ret->percpu = pc;
		ret->have_runqueues = vmt_error_ok(percpu_var_offset(
			&prog->kernel, "runqueues", &ret->runqueues_offset,
			&size));
	}
	if (vmt_error_ok(program_stacks(prog, &ks))) {
		ret->stacks = ks;
		ret->thread_size = ks->thread_size;
	}
}

void program_explain_stacks(struct vmt_program *prog)
{
	const struct kernel_stacks *ks;
	const struct vmt_task *tasks;
	struct vmt_layout_item *item;
	size_t n;

	if (!vmt_error_ok(program_stacks(prog, &ks)))
		return;
	item = program_explain_item(prog, "THREAD_SIZE");
	if (item) {
		snprintf(item->value, sizeof(item->value), "%" PRIu64,
			 ks->thread_size);
		item->kind = VMT_LAYOUT_NUMBER;
		item->number = ks->thread_size;
		snprintf(item->source, sizeof(item->source), "%s",
			 ks->thread_size_how);
	}
	if (!vmt_error_ok(vmt_program_tasks(prog, &tasks, &n)))
		return;
	for (unsigned int c = 0; c < prog->nr_cpu_tasks; c++) {
		const struct vmt_task *t = NULL;
		const char *how;

		item = program_explain_item(prog, "current task");
		if (!item)
			return;
		if (!vmt_error_ok(vmt_program_cpu_task(prog, c, &t, &how)))
			t = NULL;
		if (t)
			snprintf(item->value, sizeof(item->value),
				 "cpu%u pid %d %s", c, t->pid, t->comm);
		else
			snprintf(item->value, sizeof(item->value), "cpu%u none",
				 c);
		snprintf(item->source, sizeof(item->source), "%s",
			 prog->cpu_tasks[c].how);
	}
}

struct vmt_error *vmt_program_cpu_task(struct vmt_program *prog,
				       unsigned int cpu,
				       const struct vmt_task **ret,
				       const char **how_ret)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n;

	err = vmt_program_tasks(prog, &tasks, &n);
	if (err)
		return err;
	if (cpu >= prog->nr_cpu_tasks)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"CPU %u: the dump has %u CPUs", cpu,
					prog->nr_cpu_tasks);
	if (how_ret)
		*how_ret = prog->cpu_tasks[cpu].how;
	for (size_t i = 0; i < n; i++) {
		if (prog->cpu_tasks[cpu].task &&
		    tasks[i].task == prog->cpu_tasks[cpu].task) {
			*ret = &tasks[i];
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "CPU %u: current task %s",
				cpu, prog->cpu_tasks[cpu].how);
}

// A symbol for code address @p addr (looked up there): the kernel's text,
// or a module's (a symbol inside the module area). False for anything
// else, so that a stray value is not named after the last symbol below it.
static bool code_symbol(struct vmt_program *prog,
			const struct kernel_stacks *ks, uint64_t addr,
			struct vmt_symbol *sym, uint64_t *off)
{
	bool kernel_text = !ks->text_end || kernel_stacks_is_text(ks, addr);

	if (!vmt_error_ok(vmt_program_symbol_by_addr(prog, addr, sym, off)))
		return false;
	// Kernel text, or a module's code (modules may live in the vmalloc
	// region as well as the module region: their symbols say which).
	return kernel_text ||
	       (sym->module && (sym->type == 't' || sym->type == 'T'));
}

// The module a symbol belongs to, NULL for the kernel.
static const char *symbol_module(const struct vmt_symbol *sym)
{
	return sym->module;
}

// Name @p pc as /proc/PID/stack does: a return address by the function
// of pc - 1, the offset of pc itself. @p exact: pc is an instruction
// that was executing (a CPU's or an exception's pc).
static void symbolize(struct vmt_program *prog, const struct kernel_stacks *ks,
		      uint64_t pc, bool exact, const char **name,
		      uint64_t *offset, uint64_t *size, const char **module)
{
	struct vmt_symbol sym;
	uint64_t off;

	*name = NULL;
	*offset = *size = 0;
	*module = NULL;
	if (!pc || !code_symbol(prog, ks, exact ? pc : pc - 1, &sym, &off))
		return;
	*name = sym.name;
	*offset = pc - sym.address;
	*size = sym.size;
	*module = symbol_module(&sym);
}

static enum vmt_bt_end end_of(enum arm64_unwind_end end)
{
	switch (end) {
	case ARM64_END_FINAL:
		return VMT_BT_END_STACK_TOP;
	case ARM64_END_USER:
		return VMT_BT_END_USER_ENTRY;
	case ARM64_END_USER_MODE:
		return VMT_BT_END_USER_MODE;
	case ARM64_END_ZERO:
		return VMT_BT_END_ZERO_FP;
	case ARM64_END_LIMIT:
		return VMT_BT_END_LIMIT;
	case ARM64_END_BROKEN:
		break;
	}
	return VMT_BT_END_BROKEN;
}

// The backtrace as vmtool/stack.h gives it; the strings it points to
// live in one allocation after it.
struct backtrace_box {
	struct vmt_backtrace bt;
	char start[160];
	char reason[256];
};

void vmt_backtrace_destroy(struct vmt_backtrace *bt)
{
	if (!bt)
		return;
	free(bt->frames);
	free(bt);
}

// The request for @p task: the CPU it is current on and that CPU's
// registers, if any.
static void bt_request(struct vmt_program *prog, const struct vmt_task *task,
		       struct kernel_bt_request *req)
{
	const struct vmt_cpu_regs *regs;
	size_t nr_regs;

	memset(req, 0, sizeof(*req));
	req->task = task->task;
	req->cpu = -1;
	vmt_program_cpu_regs(prog, &regs, &nr_regs);
	for (unsigned int c = 0; c < prog->nr_cpu_tasks; c++) {
		const struct task_cpu *tc = &prog->cpu_tasks[c];

		if (tc->task != task->task)
			continue;
		req->cpu = (int)c;
		if (tc->note >= 0 && (size_t)tc->note < nr_regs)
			req->regs = &regs[tc->note];
		break;
	}
}

static void frame_from(struct vmt_program *prog, const struct kernel_stacks *ks,
		       const struct kernel_bt *kbt, const struct arm64_frame *a,
		       struct vmt_frame *f)
{
	bool exact = a->kind == ARM64_FRAME_PC;
	struct vmt_symbol sym;
	uint64_t off;

	memset(f, 0, sizeof(*f));
	f->kind = a->kind == ARM64_FRAME_PC ? VMT_FRAME_PC :
		  a->kind == ARM64_FRAME_LR ? VMT_FRAME_LR :
		  a->kind == ARM64_FRAME_RETURN ? VMT_FRAME_RETURN :
						  VMT_FRAME_SAVED;
	f->pc = a->pc;
	f->raw_pc = a->raw_pc;
	f->sp = a->sp;
	f->fp = a->fp;
	// The saved pc is a return address into __switch_to, except for a
	// task that never ran: ret_from_fork, at its first instruction.
	if (a->kind == ARM64_FRAME_SAVED &&
	    code_symbol(prog, ks, a->pc, &sym, &off) && off == 0)
		exact = true;
	// A CPU in user mode: its pc is a user address.
	if (!(a->user && a->kind == ARM64_FRAME_PC))
		symbolize(prog, ks, a->pc, exact, &f->symbol, &f->offset,
			  &f->size, &f->module);
	if (a->stack >= 0 && (size_t)a->stack < kbt->nr_stacks)
		f->stack = kbt->stacks[a->stack].name;
	f->has_regs = a->has_regs;
	f->user = a->user;
	f->regs_addr = a->regs_addr;
	memcpy(f->regs.x, a->regs.x, sizeof(f->regs.x));
	f->regs.sp = a->regs.sp;
	f->regs.pc = a->regs.pc;
	f->regs.pstate = a->regs.pstate;
}

// The words of each frame: up to the next frame's sp on the same stack.
static void frame_words(struct vmt_backtrace *bt)
{
	for (size_t i = 0; i < bt->nr_frames; i++) {
		struct vmt_frame *f = &bt->frames[i];
		const struct vmt_stack_range *s = NULL;
		uint64_t end;

		for (size_t j = 0; j < bt->nr_stacks; j++)
			if (f->sp >= bt->stacks[j].low &&
			    f->sp < bt->stacks[j].high)
				s = &bt->stacks[j];
		if (!s || f->user)
			continue;
		end = f->sp + LAST_FRAME_WORDS < s->high ?
			      f->sp + LAST_FRAME_WORDS :
			      s->high;
		for (size_t j = i + 1; j < bt->nr_frames; j++) {
			const struct vmt_frame *n = &bt->frames[j];

			if (n->sp == f->sp)
				continue;
			if (n->sp > f->sp && n->sp <= s->high)
				end = n->sp;
			break;
		}
		f->words_start = f->sp;
		f->words_end = end;
	}
}

struct vmt_error *vmt_program_backtrace(struct vmt_program *prog,
					const struct vmt_task *task,
					unsigned int flags,
					struct vmt_backtrace **ret)
{
	const struct kernel_stacks *ks;
	struct kernel_bt_request req;
	struct backtrace_box *box;
	struct kernel_bt kbt;
	struct vmt_error *err;

	if (flags)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"backtrace: unknown flags %#x", flags);
	err = program_stacks(prog, &ks);
	if (err)
		return err;
	bt_request(prog, task, &req);
	err = kernel_backtrace(&prog->kernel, ks, &req, &kbt);
	if (err)
		return vmt_error_wrap(err, "pid %d (%s)", task->pid,
				      task->comm);
	box = calloc(1, sizeof(*box));
	if (box && kbt.res.nr)
		box->bt.frames = calloc(kbt.res.nr, sizeof(*box->bt.frames));
	if (!box || (kbt.res.nr && !box->bt.frames)) {
		free(box);
		kernel_bt_deinit(&kbt);
		return &vmt_enomem;
	}
	box->bt.task = task;
	box->bt.cpu = req.cpu;
	snprintf(box->start, sizeof(box->start), "%s", kbt.start_how);
	snprintf(box->reason, sizeof(box->reason), "%s", kbt.res.reason);
	box->bt.start = box->start;
	box->bt.reason = box->reason;
	box->bt.end = kbt.no_stack ? VMT_BT_END_NO_STACK : end_of(kbt.res.end);
	box->bt.end_name = kbt.no_stack ? "no_stack" :
					  arm64_unwind_end_name(kbt.res.end);
	for (size_t i = 0; i < kbt.nr_stacks && i < 8; i++) {
		box->bt.stacks[i].name = kbt.stacks[i].name;
		box->bt.stacks[i].low = kbt.stacks[i].low;
		box->bt.stacks[i].high = kbt.stacks[i].high;
		box->bt.nr_stacks++;
	}
	for (size_t i = 0; i < kbt.res.nr; i++)
		frame_from(prog, ks, &kbt, &kbt.res.frames[i],
			   &box->bt.frames[i]);
	box->bt.nr_frames = kbt.res.nr;
	frame_words(&box->bt);
	kernel_bt_deinit(&kbt);
	*ret = &box->bt;
	return NULL;
}

struct text_list {
	struct vmt_stack_text *v;
	size_t nr, cap;
};

static struct vmt_error *text_push(struct text_list *l,
				   const struct vmt_stack_text *t)
{
	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct vmt_stack_text *n = realloc(l->v, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->nr++] = *t;
	return NULL;
}

// Scan [@p from, @p to) of stack @p name a page at a time (an unreadable
// page is skipped).
static struct vmt_error *scan_text(struct vmt_program *prog,
				   const struct kernel_stacks *ks,
				   const char *name, uint64_t from,
				   uint64_t to, struct text_list *l)
{
	uint8_t buf[4096];
	bool be = prog->dump->big_endian;

	from &= ~UINT64_C(7);
	while (from < to) {
		uint64_t chunk = 4096 - (from & 4095);
		struct vmt_error *err;

		if (chunk > to - from)
			chunk = to - from;
		err = kernel_read(&prog->kernel, from, buf, chunk);
		if (err) {
			vmt_error_destroy(err);
			from += chunk;
			continue;
		}
		for (uint64_t o = 0; o + 8 <= chunk; o += 8) {
			struct vmt_stack_text t = { .addr = from + o };
			uint64_t v = load64(buf + o, be);

			t.value = arm64_strip_pac(v, ks->pac_mask);
			if (!(t.value >> 55 & 1))
				continue;
			symbolize(prog, ks, t.value, false, &t.symbol,
				  &t.offset, &t.size, &t.module);
			if (!t.symbol)
				continue;
			t.stack = name;
			err = text_push(l, &t);
			if (err)
				return err;
		}
		from += chunk;
	}
	return NULL;
}

struct vmt_error *vmt_program_stack_text(struct vmt_program *prog,
					 const struct vmt_task *task,
					 struct vmt_stack_text **ret,
					 size_t *nr_ret)
{
	const struct kernel_stacks *ks;
	struct kernel_bt_request req;
	struct text_list l = { 0 };
	struct vmt_error *err;
	uint64_t sp = 0, stack;

	err = program_stacks(prog, &ks);
	if (err)
		return err;
	bt_request(prog, task, &req);
	err = kernel_task_stack(&prog->kernel, ks, task->task, &stack);
	if (err)
		return err;
	if (req.regs)
		sp = req.regs->sp;
	else if (ks->have_cpu_context &&
		 !vmt_error_ok(kernel_read_u64(&prog->kernel,
					       task->task + ks->ctx_sp, &sp)))
		sp = 0;
	// A per-CPU stack holding the sp first (the rest of it is stale),
	// then the task's.
	if (req.cpu >= 0 && (unsigned int)req.cpu < ks->nr_cpus) {
		for (int kind = KSTACK_IRQ; !err && kind < KSTACK_KINDS;
		     kind++) {
			uint64_t low = ks->cpu[req.cpu][kind];

			if (low && sp >= low && sp - low < ks->size[kind])
				err = scan_text(prog, ks,
						kstack_kind_name(kind), sp,
						low + ks->size[kind], &l);
		}
	}
	if (!err && stack)
		err = scan_text(prog, ks, "task",
				sp >= stack && sp - stack < ks->thread_size ?
					sp : stack,
				stack + ks->thread_size, &l);
	if (err) {
		free(l.v);
		return err;
	}
	*ret = l.v;
	*nr_ret = l.nr;
	return NULL;
}

void vmt_source_lines_free(struct vmt_source_line *lines, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free((char *)lines[i].function);
		free((char *)lines[i].file);
	}
	free(lines);
}

struct vmt_error *vmt_program_source_lines(struct vmt_program *prog,
					   uint64_t pc, bool is_return,
					   struct vmt_source_line **ret,
					   size_t *nr_ret)
{
	struct dwarf_src_line *lines;
	struct vmt_source_line *out;
	struct vmt_error *err;
	size_t n;

	err = debuginfo_source_lines(&prog->di, is_return ? pc - 1 : pc,
				     &lines, &n);
	if (err)
		return err;
	out = calloc(n, sizeof(*out));
	if (!out) {
		dwarf_src_lines_free(lines, n);
		return &vmt_enomem;
	}
	// Hand the strings over. Assembly has no DW_TAG_subprogram: name
	// it by its symbol.
	for (size_t i = 0; i < n; i++) {
		struct vmt_symbol sym;
		uint64_t off;
		char *name;

		if (!strcmp(lines[i].function, "??") &&
		    vmt_error_ok(debuginfo_symbol_by_addr(
			    &prog->di, is_return ? pc - 1 : pc, &sym, &off)) &&
		    (name = strdup(sym.name))) {
			free(lines[i].function);
			lines[i].function = name;
		}
		out[i].function = lines[i].function;
		out[i].file = lines[i].file;
		out[i].line = lines[i].line;
		out[i].inlined = lines[i].inlined;
		lines[i].function = lines[i].file = NULL;
	}
	dwarf_src_lines_free(lines, n);
	*ret = out;
	*nr_ret = n;
	return NULL;
}

// arm64 frame-record unwinding.
//
// AAPCS64 keeps a chain of 16-byte frame records {x29, x30} with x29
// pointing at the newest; the kernel builds with frame pointers on arm64
// (arch/arm64/kernel/stacktrace.c unwinds this chain). The rules here are
// the kernel's (asm/stacktrace/common.h): a record must be 8-byte aligned
// and lie inside a known stack; on one stack each record lies above the
// previous; a trace may move to another stack (IRQ stack -> task stack)
// but never back to one it left. So every step either moves up or moves
// on, and a loop cannot happen.
//
// Exception frames. kernel_entry (arch/arm64/kernel/entry.S) saves the
// interrupted registers in a struct pt_regs on the stack and points x29
// at pt_regs::stackframe before calling the C handler, so the handler's
// record has the entry code (el1h_64_irq, el0t_64_sync, ...) as return
// address and pt_regs::stackframe as previous record. Until 6.12 that
// embedded record holds {interrupted x29, interrupted pc} for an
// exception from EL1 and {0, 0} from EL0; in later kernels (the 6.13
// cycle's asm/stacktrace/frame.h) it is a struct frame_record_meta: a
// zeroed record and a type, FRAME_META_TYPE_PT_REGS (2) from EL1 and
// FRAME_META_TYPE_FINAL (1) from EL0 or at a task's first frame (the
// layout comes from the types, so both are read). Either way the
// pt_regs sits at the record's address minus offsetof(pt_regs,
// stackframe); an EL1 exception frame is accepted when its saved x29/pc
// match the record (or the meta type says PT_REGS).
//
// The starting registers of a CPU. The function at pc may not have stored
// its frame record (a leaf never does; a prologue may not have run): then
// its caller is only in x30, and x29 still points at the caller's record,
// whose return address is the caller's caller. x30 is taken as a frame
// when it is code, lies in another function than pc, and differs from
// the return address in the record at x29 (if pc's function had stored
// its record, that record's return address would be x30 itself, or x30
// would point back into pc's function after a call returned). Direct
// recursion of a leaf into itself is the case this misses.
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/unwind.h"
#include "base/bytes.h"

#define DEFAULT_MAX_FRAMES 4096
#define MAX_STACKS 16
#define FRAME_META_TYPE_FINAL 1
#define FRAME_META_TYPE_PT_REGS 2

const char *arm64_unwind_end_name(enum arm64_unwind_end end)
{
	switch (end) {
	case ARM64_END_FINAL:
		return "stack_top";
	case ARM64_END_USER:
		return "user_entry";
	case ARM64_END_USER_MODE:
		return "user_mode";
	case ARM64_END_ZERO:
		return "zero_fp";
	case ARM64_END_BROKEN:
		return "broken";
	case ARM64_END_LIMIT:
		return "limit";
	}
	return "unknown";
}

void arm64_unwind_result_deinit(struct arm64_unwind_result *res)
{
	free(res->frames);
	memset(res, 0, sizeof(*res));
}

uint64_t arm64_strip_pac(uint64_t addr, uint64_t pac_mask)
{
	// The PAC of a kernel pointer sits in the bits above the VA size,
	// bit 55 (which selects TTBR1) excepted, so a kernel address keeps
	// bit 55 set (pointer_auth.h: ptrauth_strip_kernel_insn_pac()).
	if (addr & (UINT64_C(1) << 55))
		return addr | pac_mask;
	return addr;
}

bool arm64_pstate_user(uint64_t pstate)
{
	// PSR_MODE_MASK 0xf == PSR_MODE_EL0t, for AArch64 and AArch32
	// (asm/ptrace.h user_mode(), compat_user_mode()).
	return (pstate & 0xf) == 0;
}

struct unwinder {
	const struct arm64_unwind_params *p;
	struct arm64_unwind_result *res;
	size_t cap, max;
	// Per stack: the lowest address the next record may use there, and
	// whether the trace has left it.
	uint64_t floor[MAX_STACKS];
	bool left[MAX_STACKS];
	int cur; // stack of the last record, -1 before the first
};

static int find_stack(const struct arm64_unwind_params *p, uint64_t addr,
		      uint64_t len)
{
	for (size_t i = 0; i < p->nr_stacks && i < MAX_STACKS; i++) {
		const struct arm64_stack *s = &p->stacks[i];

		if (addr >= s->low && addr < s->high &&
		    len <= s->high - addr)
			return (int)i;
	}
	return -1;
}

static struct vmt_error *push(struct unwinder *u, const struct arm64_frame *f)
{
	struct arm64_unwind_result *res = u->res;

	if (res->nr == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 32;
		struct arm64_frame *n = realloc(res->frames, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		res->frames = n;
		u->cap = cap;
	}
	res->frames[res->nr++] = *f;
	return NULL;
}

static void broken(struct unwinder *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void broken(struct unwinder *u, const char *fmt, ...)
{
	va_list ap;

	u->res->end = ARM64_END_BROKEN;
	va_start(ap, fmt);
	vsnprintf(u->res->reason, sizeof(u->res->reason), fmt, ap);
	va_end(ap);
}

static bool read_u64s(const struct arm64_unwind_params *p, uint64_t addr,
		      uint64_t *v, size_t n)
{
	uint8_t buf[8 * 40];
	struct vmt_error *err;

	if (n > 40)
		return false;
	err = p->read(p->arg, addr, buf, 8 * n);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = load64(buf + 8 * i, p->big_endian);
	return true;
}

static bool read_regs(const struct arm64_unwind_params *p, uint64_t addr,
		      struct arm64_regs *r)
{
	const struct arm64_pt_regs_layout *l = p->pt_regs;

	return read_u64s(p, addr + l->regs, r->x, 31) &&
	       read_u64s(p, addr + l->sp, &r->sp, 1) &&
	       read_u64s(p, addr + l->pc, &r->pc, 1) &&
	       read_u64s(p, addr + l->pstate, &r->pstate, 1);
}

// The return address in the record at @p fp, if readable.
static bool record_lr(const struct arm64_unwind_params *p, uint64_t fp,
		      uint64_t *lr)
{
	uint64_t rec[2];

	if (!fp || fp % 8 || find_stack(p, fp, 16) < 0 ||
	    !read_u64s(p, fp, rec, 2))
		return false;
	*lr = arm64_strip_pac(rec[1], p->pac_mask);
	return true;
}

// The frame of pc of registers @p r, then x30 when pc's function had not
// stored its frame record (see the comment at the top).
static struct vmt_error *push_regs_frames(struct unwinder *u,
					  const struct arm64_regs *r)
{
	const struct arm64_unwind_params *p = u->p;
	struct arm64_frame f = { .kind = ARM64_FRAME_PC };
	uint64_t lr = arm64_strip_pac(r->x[30], p->pac_mask);
	uint64_t pc = arm64_strip_pac(r->pc, p->pac_mask);
	uint64_t pc_func, lr_func, saved;
	struct vmt_error *err;
	bool pc_known;

	f.pc = pc;
	f.raw_pc = r->pc;
	f.sp = r->sp;
	f.fp = r->x[29];
	f.stack = find_stack(p, r->sp, 1);
	err = push(u, &f);
	if (err || !p->func)
		return err;
	pc_known = p->func(p->arg, pc, &pc_func);
	if (!lr || !p->func(p->arg, lr - 1, &lr_func) ||
	    (pc_known && lr_func == pc_func) ||
	    (record_lr(p, r->x[29], &saved) && saved == lr))
		return NULL;
	f.kind = ARM64_FRAME_LR;
	f.pc = lr;
	f.raw_pc = r->x[30];
	return push(u, &f);
}

// Exception frame check for the record at @p fp reached from frame
// @p from (whose pc is in entry code): the pt_regs around it, decoded
// into @p from. Returns false if it is not one.
static bool exception_at(struct unwinder *u, uint64_t fp,
			 const uint64_t rec[2], struct arm64_frame *from)
{
	const struct arm64_unwind_params *p = u->p;
	const struct arm64_pt_regs_layout *l = p->pt_regs;
	struct arm64_regs r;
	uint64_t regs, type;

	if (!l || fp < l->stackframe)
		return false;
	regs = fp - l->stackframe;
	if (find_stack(p, regs, l->size) < 0 || !read_regs(p, regs, &r))
		return false;
	if (l->meta) {
		if (rec[0] || rec[1] ||
		    !read_u64s(p, regs + l->meta_type, &type, 1) ||
		    type != FRAME_META_TYPE_PT_REGS)
			return false;
	} else if (arm64_pstate_user(r.pstate)) {
		// From EL0 kernel_entry leaves the record zeroed.
		if (rec[0] || rec[1])
			return false;
	} else if (rec[0] != r.x[29] ||
		   arm64_strip_pac(rec[1], p->pac_mask) !=
			   arm64_strip_pac(r.pc, p->pac_mask)) {
		return false;
	}
	from->has_regs = true;
	from->regs_addr = regs;
	from->regs = r;
	from->user = arm64_pstate_user(r.pstate);
	return true;
}

// Whether the record at @p fp may be used next; else end the trace.
static bool record_ok(struct unwinder *u, uint64_t fp, int *stack_ret)
{
	const struct arm64_unwind_params *p = u->p;
	int s;

	if (fp % 8) {
		broken(u, "frame pointer %#" PRIx64 " is not 8-byte aligned",
		       fp);
		return false;
	}
	s = find_stack(p, fp, 16);
	if (s < 0) {
		broken(u, "frame record at %#" PRIx64 " is outside the task's stacks",
		       fp);
		return false;
	}
	if (s != u->cur && u->left[s]) {
		broken(u, "frame record at %#" PRIx64 " goes back to the %s stack, already left",
		       fp, p->stacks[s].name);
		return false;
	}
	if (s == u->cur && fp < u->floor[s]) {
		broken(u, "frame record at %#" PRIx64 " is not above the previous one (%#" PRIx64 ") on the %s stack",
		       fp, u->floor[s] - 16, p->stacks[s].name);
		return false;
	}
	if (s != u->cur && u->cur >= 0)
		u->left[u->cur] = true;
	u->cur = s;
	*stack_ret = s;
	return true;
}

// Whether the trace, now at record @p fp below the last frame, is at the
// task's final record (in task_pt_regs): a kernel thread's first frame,
// or, when the last frame is entry code from user mode, the user entry.
static bool at_final(struct unwinder *u, uint64_t fp)
{
	const struct arm64_unwind_params *p = u->p;
	const struct arm64_pt_regs_layout *l = p->pt_regs;
	struct arm64_frame *last = &u->res->frames[u->res->nr - 1];
	struct arm64_regs r;

	if (!p->final_fp || fp != p->final_fp)
		return false;
	u->res->end = ARM64_END_FINAL;
	if (l && p->is_entry && p->is_entry(p->arg, last->pc) &&
	    fp >= l->stackframe && read_regs(p, fp - l->stackframe, &r) &&
	    arm64_pstate_user(r.pstate)) {
		last->has_regs = true;
		last->user = true;
		last->regs_addr = fp - l->stackframe;
		last->regs = r;
		u->res->end = ARM64_END_USER;
	}
	return true;
}

struct vmt_error *arm64_unwind(const struct arm64_unwind_params *params,
			       const struct arm64_unwind_start *start,
			       struct arm64_unwind_result *ret)
{
	struct unwinder u = { .p = params, .res = ret, .cur = -1 };
	struct arm64_frame f;
	struct vmt_error *err;
	uint64_t fp;

	memset(ret, 0, sizeof(*ret));
	u.max = params->max_frames ? params->max_frames : DEFAULT_MAX_FRAMES;
	if (start->has_regs) {
		if (arm64_pstate_user(start->regs.pstate)) {
			memset(&f, 0, sizeof(f));
			f.kind = ARM64_FRAME_PC;
			f.pc = f.raw_pc = start->regs.pc;
			f.sp = start->regs.sp;
			f.fp = start->regs.x[29];
			f.stack = -1;
			f.has_regs = true;
			f.user = true;
			f.regs = start->regs;
			ret->end = ARM64_END_USER_MODE;
			return push(&u, &f);
		}
		err = push_regs_frames(&u, &start->regs);
		fp = start->regs.x[29];
	} else {
		memset(&f, 0, sizeof(f));
		f.kind = ARM64_FRAME_SAVED;
		f.raw_pc = start->pc;
		f.pc = arm64_strip_pac(start->pc, params->pac_mask);
		f.sp = start->sp;
		f.fp = start->fp;
		f.stack = find_stack(params, start->sp, 1);
		err = push(&u, &f);
		fp = start->fp;
	}
	while (!err) {
		struct arm64_frame *last = &ret->frames[ret->nr - 1];
		uint64_t rec[2];
		int s;

		if (ret->nr >= u.max) {
			ret->end = ARM64_END_LIMIT;
			break;
		}
		if (!fp) {
			ret->end = ARM64_END_ZERO;
			break;
		}
		if (at_final(&u, fp))
			break;
		if (!record_ok(&u, fp, &s))
			break;
		if (!read_u64s(params, fp, rec, 2)) {
			broken(&u, "frame record at %#" PRIx64 " is unreadable",
			       fp);
			break;
		}
		u.floor[s] = fp + 16;
		if (params->pt_regs && params->is_entry &&
		    params->is_entry(params->arg, last->pc) &&
		    exception_at(&u, fp, rec, last)) {
			struct arm64_regs r = last->regs;
			int rs = find_stack(params, last->regs_addr, 1);

			if (last->user) {
				ret->end = ARM64_END_USER;
				break;
			}
			// The interrupted frames lie above the pt_regs.
			if (rs >= 0 && last->regs_addr + params->pt_regs->size >
					       u.floor[rs])
				u.floor[rs] = last->regs_addr +
					      params->pt_regs->size;
			err = push_regs_frames(&u, &r);
			fp = r.x[29];
			continue;
		}
		if (params->pt_regs && params->pt_regs->meta && !rec[0] &&
		    !rec[1]) {
			// A meta record not reached from entry code.
			uint64_t type;

			if (exception_at(&u, fp, rec, last) && !last->user) {
				struct arm64_regs r = last->regs;

				err = push_regs_frames(&u, &r);
				fp = r.x[29];
				continue;
			}
			if (last->user) {
				ret->end = ARM64_END_USER;
				break;
			}
			if (fp >= params->pt_regs->stackframe &&
			    read_u64s(params,
				      fp - params->pt_regs->stackframe +
					      params->pt_regs->meta_type,
				      &type, 1) &&
			    type == FRAME_META_TYPE_FINAL) {
				ret->end = ARM64_END_FINAL;
				break;
			}
		}
		memset(&f, 0, sizeof(f));
		f.kind = ARM64_FRAME_RETURN;
		f.raw_pc = rec[1];
		f.pc = arm64_strip_pac(rec[1], params->pac_mask);
		f.sp = fp + 16;
		f.fp = rec[0];
		f.stack = s;
		if (!f.pc) {
			broken(&u, "frame record at %#" PRIx64 " has a zero return address",
			       fp);
			break;
		}
		err = push(&u, &f);
		fp = rec[0];
	}
	if (err) {
		arm64_unwind_result_deinit(ret);
		return err;
	}
	return NULL;
}

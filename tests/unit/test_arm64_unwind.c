// arm64_unwind() over synthetic stacks held in a buffer: a plain chain, a
// saved context, exception frames from EL1 and EL0 (6.12 records and the
// later metadata records), an IRQ-stack -> task-stack crossing, chains
// that loop, go down, leave the stacks or come back to a stack already
// left, signed (PAC) return addresses, and a leaf function on a CPU.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "arch/arm64/unwind.h"

#define MEM 0xffff000080000000ULL
#define MEM_SIZE 0x20000
#define TASK_LOW MEM
#define TASK_HIGH (MEM + 0x4000)
#define IRQ_LOW (MEM + 0x10000)
#define IRQ_HIGH (MEM + 0x14000)
// Functions are 0x100 bytes each from TEXT; entry code is function 0x80+.
#define TEXT 0xffff800010000000ULL
#define FN(i, off) (TEXT + 0x100ULL * (i) + (off))
#define ENTRY_FN 0x80
#define PAC_MASK 0xffff000000000000ULL // GENMASK(63, 48)
// 6.12's struct pt_regs: regs[31], sp, pc, pstate, orig_x0, syscallno,
// sdei_ttbr1, pmr_save, stackframe[2], lockdep_hardirqs, exit_rcu.
#define PT_SIZE 0x150
#define PT_STACKFRAME 0x130
#define FINAL_FP (TASK_HIGH - PT_SIZE + PT_STACKFRAME)

static uint8_t mem[MEM_SIZE];

static struct vmt_error *rd(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (addr < MEM || addr - MEM > MEM_SIZE || len > MEM_SIZE - (addr - MEM))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr, "%#" PRIx64,
				       addr);
	memcpy(buf, mem + (addr - MEM), len);
	return NULL;
}

static bool func(void *arg, uint64_t addr, uint64_t *start)
{
	(void)arg;
	if (addr < TEXT || addr >= TEXT + 0x10000)
		return false;
	*start = addr & ~0xffULL;
	return true;
}

static bool entry(void *arg, uint64_t addr)
{
	(void)arg;
	return addr >= FN(ENTRY_FN, 0) && addr < FN(ENTRY_FN + 0x10, 0);
}

static void put64(uint64_t addr, uint64_t v)
{
	memcpy(mem + (addr - MEM), &v, 8);
}

// A frame record {fp, lr} at @p at.
static void record(uint64_t at, uint64_t fp, uint64_t lr)
{
	put64(at, fp);
	put64(at + 8, lr);
}

static const struct arm64_pt_regs_layout pt_612 = {
	.size = PT_SIZE, .regs = 0, .sp = 0xf8, .pc = 0x100, .pstate = 0x108,
	.stackframe = PT_STACKFRAME,
};

static const struct arm64_pt_regs_layout pt_meta = {
	.size = PT_SIZE + 8, .regs = 0, .sp = 0xf8, .pc = 0x100,
	.pstate = 0x108, .stackframe = PT_STACKFRAME, .meta = true,
	.meta_type = PT_STACKFRAME + 16,
};

static struct arm64_stack stacks[2];

static void params(struct arm64_unwind_params *p, bool irq)
{
	memset(p, 0, sizeof(*p));
	p->read = rd;
	p->pac_mask = PAC_MASK;
	stacks[0] = (struct arm64_stack){ TASK_LOW, TASK_HIGH, "task" };
	stacks[1] = (struct arm64_stack){ IRQ_LOW, IRQ_HIGH, "irq" };
	p->stacks = stacks;
	p->nr_stacks = irq ? 2 : 1;
	p->pt_regs = &pt_612;
	p->is_entry = entry;
	p->func = func;
	p->final_fp = FINAL_FP;
}

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	// the final record of the task (kernel_entry / copy_thread zero it)
	record(FINAL_FP, 0, 0);
}

// A pt_regs at @p at with the interrupted x29, x30, sp, pc, pstate; its
// stackframe as kernel_entry leaves it in 6.12.
static void pt_regs(uint64_t at, uint64_t x29, uint64_t x30, uint64_t sp,
		    uint64_t pc, uint64_t pstate)
{
	for (int i = 0; i < 29; i++)
		put64(at + 8 * i, 0x1000 + i);
	put64(at + 8 * 29, x29);
	put64(at + 8 * 30, x30);
	put64(at + 0xf8, sp);
	put64(at + 0x100, pc);
	put64(at + 0x108, pstate);
	if ((pstate & 0xf) == 0)
		record(at + PT_STACKFRAME, 0, 0);
	else
		record(at + PT_STACKFRAME, x29, pc);
}

static void check_pcs(const struct arm64_unwind_result *r,
		      const uint64_t *want, size_t n)
{
	ck_assert_msg(r->nr == n, "%zu frames, want %zu (end %s: %s)", r->nr,
		      n, arm64_unwind_end_name(r->end), r->reason);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(r->frames[i].pc == want[i],
			      "frame %zu: pc %#" PRIx64 ", want %#" PRIx64, i,
			      r->frames[i].pc, want[i]);
}

// A sleeping task: cpu_context {fp, sp, pc} then three records up to a
// kernel thread's final record.
START_TEST(plain_chain_from_a_saved_context)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	uint64_t want[] = { FN(1, 0x40), FN(2, 0x10), FN(3, 0x24),
			    FN(4, 0x8) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d40, FN(2, 0x10));
	record(TASK_LOW + 0x3d40, TASK_LOW + 0x3e00, FN(3, 0x24));
	record(TASK_LOW + 0x3e00, FINAL_FP, FN(4, 0x8));
	s.pc = FN(1, 0x40);
	s.sp = TASK_LOW + 0x3d00;
	s.fp = TASK_LOW + 0x3d00;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 4);
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	ck_assert_str_eq(arm64_unwind_end_name(r.end), "stack_top");
	ck_assert_int_eq(r.frames[0].kind, ARM64_FRAME_SAVED);
	ck_assert_int_eq(r.frames[1].kind, ARM64_FRAME_RETURN);
	ck_assert_uint_eq(r.frames[1].sp, TASK_LOW + 0x3d10);
	ck_assert_uint_eq(r.frames[1].fp, TASK_LOW + 0x3d40);
	ck_assert_int_eq(r.frames[3].stack, 0);
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(signed_return_addresses_are_stripped)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	// PAC bits in [63:56] and [54:48]; bit 55 stays set
	uint64_t signed_lr = (FN(2, 0x10) & ~PAC_MASK) | 0x3a80000000000000ULL |
			     (1ULL << 55) | 0x0012000000000000ULL;
	uint64_t want[] = { FN(1, 0x40), FN(2, 0x10), FN(3, 0x24) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d40, signed_lr);
	record(TASK_LOW + 0x3d40, FINAL_FP, FN(3, 0x24) ^ 0x5500000000000000ULL);
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3d00;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 3);
	ck_assert_uint_eq(r.frames[1].raw_pc, signed_lr);
	ck_assert_uint_eq(arm64_strip_pac(signed_lr, PAC_MASK), FN(2, 0x10));
	// a user address (bit 55 clear) is left alone
	ck_assert_uint_eq(arm64_strip_pac(0x0000ffff12345678ULL, PAC_MASK),
			  0x0000ffff12345678ULL);
	arm64_unwind_result_deinit(&r);
}
END_TEST

// A CPU stopped in a leaf function (fn 5) called from fn 6 without a
// frame record: x29 still points at fn 6's record, whose return address
// is fn 7: the trace is fn 5 (pc), fn 6 (lr), fn 7, ...
START_TEST(leaf_function_on_a_cpu_takes_the_link_register)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { .has_regs = true };
	struct arm64_unwind_result r;
	uint64_t want[] = { FN(5, 0xc), FN(6, 0x14), FN(7, 0x30),
			    FN(8, 0x4) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3c00, TASK_LOW + 0x3c80, FN(7, 0x30));
	record(TASK_LOW + 0x3c80, FINAL_FP, FN(8, 0x4));
	s.regs.pc = FN(5, 0xc);
	s.regs.sp = TASK_LOW + 0x3c00;
	s.regs.x[29] = TASK_LOW + 0x3c00;
	// signed: a PAC in [63:56] and [54:48], bit 55 kept
	s.regs.x[30] = (FN(6, 0x14) & ~PAC_MASK) | 0x3d80000000000000ULL |
		       0x0042000000000000ULL;
	s.regs.pstate = 0x60000005; // EL1h
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 4);
	ck_assert_int_eq(r.frames[0].kind, ARM64_FRAME_PC);
	ck_assert_int_eq(r.frames[1].kind, ARM64_FRAME_LR);
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	arm64_unwind_result_deinit(&r);
}
END_TEST

// The same registers once the function stored its record: x29 points at
// its own record holding x30, so x30 is not a frame of its own; nor is an
// x30 back inside pc's function (a call that returned).
START_TEST(non_leaf_on_a_cpu_does_not_repeat_the_link_register)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { .has_regs = true };
	struct arm64_unwind_result r;
	uint64_t want[] = { FN(5, 0xc), FN(6, 0x14), FN(7, 0x30) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3c00, TASK_LOW + 0x3c80, FN(6, 0x14));
	record(TASK_LOW + 0x3c80, FINAL_FP, FN(7, 0x30));
	s.regs.pc = FN(5, 0xc);
	s.regs.sp = s.regs.x[29] = TASK_LOW + 0x3c00;
	s.regs.x[30] = FN(6, 0x14);
	s.regs.pstate = 0x5;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 3);
	arm64_unwind_result_deinit(&r);
	s.regs.x[30] = FN(5, 0x8); // returned from a call in fn 5
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 3);
	arm64_unwind_result_deinit(&r);
}
END_TEST

// An EL1 exception (6.12 layout): handler fn 9 returns into entry code;
// its record's previous fp is pt_regs::stackframe = {x29, elr}. The
// trace shows the entry frame with the registers, then the interrupted
// pc (fn 10, a leaf), its lr (fn 11), and goes on from the interrupted x29.
START_TEST(exception_frame_from_el1)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	uint64_t regs = TASK_LOW + 0x3800;
	uint64_t want[] = { FN(1, 0x40), FN(9, 0x20), FN(ENTRY_FN, 0x64),
			    FN(10, 0x4), FN(11, 0x18), FN(12, 0xa0),
			    FN(13, 0x14) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3700, TASK_LOW + 0x3740, FN(9, 0x20));
	record(TASK_LOW + 0x3740, regs + PT_STACKFRAME, FN(ENTRY_FN, 0x64));
	pt_regs(regs, TASK_LOW + 0x3a00, FN(11, 0x18), TASK_LOW + 0x3a00,
		FN(10, 0x4), 0x61400005);
	record(TASK_LOW + 0x3a00, TASK_LOW + 0x3b00, FN(12, 0xa0));
	record(TASK_LOW + 0x3b00, FINAL_FP, FN(13, 0x14));
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3700;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 7);
	ck_assert(r.frames[2].has_regs);
	ck_assert(!r.frames[2].user);
	ck_assert_uint_eq(r.frames[2].regs_addr, regs);
	ck_assert_uint_eq(r.frames[2].regs.pc, FN(10, 0x4));
	ck_assert_uint_eq(r.frames[2].regs.x[0], 0x1000);
	ck_assert_uint_eq(r.frames[2].regs.pstate, 0x61400005);
	ck_assert_int_eq(r.frames[3].kind, ARM64_FRAME_PC);
	ck_assert_uint_eq(r.frames[3].sp, TASK_LOW + 0x3a00);
	ck_assert_int_eq(r.frames[4].kind, ARM64_FRAME_LR);
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	arm64_unwind_result_deinit(&r);
}
END_TEST

// A syscall: el0t_64_sync's handler record points at the final record
// inside task_pt_regs, which holds the user registers: the trace ends
// there with them.
START_TEST(user_entry_ends_with_the_user_registers)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	uint64_t regs = TASK_HIGH - PT_SIZE;
	uint64_t want[] = { FN(1, 0x40), FN(9, 0x20), FN(ENTRY_FN + 1, 0x14c) };

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d40, FN(9, 0x20));
	record(TASK_LOW + 0x3d40, FINAL_FP, FN(ENTRY_FN + 1, 0x14c));
	pt_regs(regs, 0xfffff000, 0x400100, 0xfffff000, 0x400200, 0x0);
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3d00;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 3);
	ck_assert_int_eq(r.end, ARM64_END_USER);
	ck_assert_str_eq(arm64_unwind_end_name(r.end), "user_entry");
	ck_assert(r.frames[2].has_regs);
	ck_assert(r.frames[2].user);
	ck_assert_uint_eq(r.frames[2].regs.pc, 0x400200);
	ck_assert_uint_eq(r.frames[2].regs.sp, 0xfffff000);
	arm64_unwind_result_deinit(&r);
}
END_TEST

// Later kernels: pt_regs::stackframe is {0, 0, type}; PT_REGS (2) for an
// exception from EL1, FINAL (1) at the task's first frame.
START_TEST(metadata_records_of_later_kernels)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	uint64_t regs = TASK_LOW + 0x3800;
	uint64_t want[] = { FN(1, 0x40), FN(9, 0x20), FN(ENTRY_FN, 0x64),
			    FN(10, 0x4), FN(12, 0xa0) };

	reset();
	params(&p, false);
	p.pt_regs = &pt_meta;
	put64(FINAL_FP + 16, 1);
	record(TASK_LOW + 0x3700, TASK_LOW + 0x3740, FN(9, 0x20));
	record(TASK_LOW + 0x3740, regs + PT_STACKFRAME, FN(ENTRY_FN, 0x64));
	pt_regs(regs, TASK_LOW + 0x3a00, FN(12, 0xa0), TASK_LOW + 0x3a00,
		FN(10, 0x4), 0x5);
	record(regs + PT_STACKFRAME, 0, 0);
	put64(regs + PT_STACKFRAME + 16, 2);
	// fn 10 stored its record: x29's return address is x30
	record(TASK_LOW + 0x3a00, FINAL_FP, FN(12, 0xa0));
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3700;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 5);
	ck_assert(r.frames[2].has_regs);
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	arm64_unwind_result_deinit(&r);
	// the wrong type is not an exception frame: the zero record's
	// return address ends the trace as broken
	put64(regs + PT_STACKFRAME + 16, 7);
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_ptr_nonnull(strstr(r.reason, "zero return address"));
	arm64_unwind_result_deinit(&r);
}
END_TEST

// An interrupt handled on the IRQ stack: the first records lie there,
// then call_on_irq_stack's record leads back to the task stack.
START_TEST(irq_stack_to_task_stack)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { .has_regs = true };
	struct arm64_unwind_result r;
	uint64_t want[] = { FN(20, 0x8), FN(21, 0x10), FN(22, 0x20),
			    FN(23, 0x30), FN(24, 0x40) };

	reset();
	params(&p, true);
	record(IRQ_LOW + 0x3f00, IRQ_LOW + 0x3f40, FN(21, 0x10));
	record(IRQ_LOW + 0x3f40, TASK_LOW + 0x3e00, FN(22, 0x20));
	record(TASK_LOW + 0x3e00, TASK_LOW + 0x3e80, FN(23, 0x30));
	record(TASK_LOW + 0x3e80, FINAL_FP, FN(24, 0x40));
	s.regs.pc = FN(20, 0x8);
	s.regs.sp = s.regs.x[29] = IRQ_LOW + 0x3f00;
	s.regs.x[30] = FN(20, 0x4);
	s.regs.pstate = 0x5;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	check_pcs(&r, want, 5);
	ck_assert_int_eq(r.frames[0].stack, 1);
	ck_assert_int_eq(r.frames[2].stack, 1);
	ck_assert_int_eq(r.frames[3].stack, 0);
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	arm64_unwind_result_deinit(&r);
	// without the IRQ stack among the stacks, the first record is
	// outside them
	params(&p, false);
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_ptr_nonnull(strstr(r.reason, "outside"));
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(going_back_to_a_stack_already_left_breaks)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { .has_regs = true };
	struct arm64_unwind_result r;

	reset();
	params(&p, true);
	record(IRQ_LOW + 0x3f00, TASK_LOW + 0x3e00, FN(21, 0x10));
	record(TASK_LOW + 0x3e00, IRQ_LOW + 0x3f80, FN(22, 0x20));
	record(IRQ_LOW + 0x3f80, FINAL_FP, FN(23, 0x30));
	s.regs.pc = FN(20, 0x8);
	s.regs.sp = s.regs.x[29] = IRQ_LOW + 0x3f00;
	s.regs.pstate = 0x5;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_ptr_nonnull(strstr(r.reason, "already left"));
	ck_assert_uint_eq(r.nr, 3);
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(a_loop_ends_with_a_reason)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d40, FN(2, 0x10));
	record(TASK_LOW + 0x3d40, TASK_LOW + 0x3d00, FN(3, 0x24)); // back
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3d00;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_ptr_nonnull(strstr(r.reason, "0xffff000080003d00"));
	ck_assert_ptr_nonnull(strstr(r.reason, "not above"));
	ck_assert_uint_eq(r.nr, 3);
	arm64_unwind_result_deinit(&r);
	// a record pointing at itself
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d00, FN(2, 0x10));
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_uint_eq(r.nr, 2);
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(a_chain_leaving_the_stack_ends_with_a_reason)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;

	reset();
	params(&p, false);
	record(TASK_LOW + 0x3d00, TASK_LOW + 0x3d40, FN(2, 0x10));
	record(TASK_LOW + 0x3d40, 0xffff0000deadbee0ULL, FN(3, 0x24));
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x3d00;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_BROKEN);
	ck_assert_ptr_nonnull(strstr(r.reason, "0xffff0000deadbee0"));
	ck_assert_ptr_nonnull(strstr(r.reason, "outside"));
	ck_assert_uint_eq(r.nr, 3);
	arm64_unwind_result_deinit(&r);
	// misaligned
	record(TASK_LOW + 0x3d40, TASK_LOW + 0x3e04, FN(3, 0x24));
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_ptr_nonnull(strstr(r.reason, "aligned"));
	arm64_unwind_result_deinit(&r);
	// a record straddling the top of the stack
	record(TASK_LOW + 0x3d40, TASK_HIGH - 8, FN(3, 0x24));
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_ptr_nonnull(strstr(r.reason, "outside"));
	arm64_unwind_result_deinit(&r);
	// without a final record: a zero fp ends it
	record(TASK_LOW + 0x3d40, 0, FN(3, 0x24));
	p.final_fp = 0;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_ZERO);
	ck_assert_uint_eq(r.nr, 3);
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(a_cpu_in_user_mode_has_no_kernel_frame)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { .has_regs = true };
	struct arm64_unwind_result r;

	reset();
	params(&p, false);
	s.regs.pc = 0x400abc;
	s.regs.sp = 0xfffffff0000;
	s.regs.pstate = 0x80000000; // EL0t
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_USER_MODE);
	ck_assert_uint_eq(r.nr, 1);
	ck_assert(r.frames[0].user);
	ck_assert_uint_eq(r.frames[0].regs.pc, 0x400abc);
	arm64_unwind_result_deinit(&r);
}
END_TEST

START_TEST(the_frame_limit_holds)
{
	struct arm64_unwind_params p;
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r;
	uint64_t at = TASK_LOW + 0x100;

	reset();
	params(&p, false);
	for (int i = 0; i < 100; i++, at += 16)
		record(at, at + 16, FN(2, 0x10));
	record(at, FINAL_FP, FN(3, 0x10));
	s.pc = FN(1, 0x40);
	s.sp = s.fp = TASK_LOW + 0x100;
	p.max_frames = 50;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_LIMIT);
	ck_assert_uint_eq(r.nr, 50);
	arm64_unwind_result_deinit(&r);
	p.max_frames = 0;
	vmt_ck_no_err(arm64_unwind(&p, &s, &r));
	ck_assert_int_eq(r.end, ARM64_END_FINAL);
	ck_assert_uint_eq(r.nr, 102);
	arm64_unwind_result_deinit(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arm64_unwind");
	TCase *tc = tcase_create("unwind");

	tcase_add_test(tc, plain_chain_from_a_saved_context);
	tcase_add_test(tc, signed_return_addresses_are_stripped);
	tcase_add_test(tc, leaf_function_on_a_cpu_takes_the_link_register);
	tcase_add_test(tc, non_leaf_on_a_cpu_does_not_repeat_the_link_register);
	tcase_add_test(tc, exception_frame_from_el1);
	tcase_add_test(tc, user_entry_ends_with_the_user_registers);
	tcase_add_test(tc, metadata_records_of_later_kernels);
	tcase_add_test(tc, irq_stack_to_task_stack);
	tcase_add_test(tc, going_back_to_a_stack_already_left_breaks);
	tcase_add_test(tc, a_loop_ends_with_a_reason);
	tcase_add_test(tc, a_chain_leaving_the_stack_ends_with_a_reason);
	tcase_add_test(tc, a_cpu_in_user_mode_has_no_kernel_frame);
	tcase_add_test(tc, the_frame_limit_holds);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

// The arm64 frame-record unwinder (arch/arm64/unwind.c) over random stack
// memory: frame records, exception frames (pt_regs, 6.12 records and the
// metadata records of 6.13+), a task stack and an IRQ stack, signed
// return addresses. It must end on any input (records that loop, go down,
// leave the stacks or return to one already left) with a bounded number
// of frames, each inside a stack it was given, and never fail but for
// memory.
//
// Input: a flags byte (bit 0: start from CPU registers, else a saved
// context; bit 1: IRQ stack too; bit 2: big-endian; bit 3: metadata
// records; bit 4: no pt_regs decoding; bit 5: no PAC mask), the start
// registers (pc, sp, fp, lr, pstate as u64), a u16 frame limit, then the
// memory: the task stack (16K at TASK_LOW) and the IRQ stack after it.
#include <inttypes.h>

#include "fuzz.h"
#include "arch/arm64/unwind.h"

#define MEM 0xffff000080000000ULL
#define STACK_SIZE 0x4000ULL
#define TASK_LOW MEM
#define IRQ_LOW (MEM + STACK_SIZE)
// Functions are 0x100 bytes each from TEXT; entry code is 0x80 of them on.
#define TEXT 0xffff800010000000ULL
#define ENTRY_LOW (TEXT + 0x8000)
#define ENTRY_HIGH (TEXT + 0x9000)
// 6.12's struct pt_regs (see test_arm64_unwind.c).
#define PT_SIZE 0x150
#define PT_STACKFRAME 0x130

struct mem {
	const uint8_t *data;
	size_t size;
};

static struct vmt_error *rd(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = arg;

	if (addr < MEM || addr - MEM > m->size || len > m->size - (addr - MEM))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "%#" PRIx64 " not in the stacks", addr);
	memcpy(buf, m->data + (addr - MEM), len);
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
	return addr >= ENTRY_LOW && addr < ENTRY_HIGH;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct arm64_pt_regs_layout pt_612 = {
		.size = PT_SIZE, .regs = 0, .sp = 0xf8, .pc = 0x100,
		.pstate = 0x108, .stackframe = PT_STACKFRAME,
	};
	static const struct arm64_pt_regs_layout pt_meta = {
		.size = PT_SIZE + 8, .regs = 0, .sp = 0xf8, .pc = 0x100,
		.pstate = 0x108, .stackframe = PT_STACKFRAME, .meta = true,
		.meta_type = PT_STACKFRAME + 16,
	};
	struct fuzz_input in = { data, size };
	uint8_t flags = fuzz_u8(&in);
	struct arm64_stack stacks[2] = {
		{ TASK_LOW, TASK_LOW + STACK_SIZE, "task" },
		{ IRQ_LOW, IRQ_LOW + STACK_SIZE, "irq" },
	};
	struct arm64_unwind_params p = {
		.read = rd,
		.big_endian = flags & 4,
		.pac_mask = flags & 32 ? 0 : 0xffff000000000000ULL,
		.stacks = stacks,
		.nr_stacks = flags & 2 ? 2 : 1,
		.pt_regs = flags & 16 ? NULL : flags & 8 ? &pt_meta : &pt_612,
		.is_entry = entry,
		.func = func,
	};
	struct arm64_unwind_start s = { 0 };
	struct arm64_unwind_result r = { 0 };
	struct vmt_error *err;
	struct mem m;
	size_t limit;

	if (flags & 1) {
		s.has_regs = true;
		s.regs.pc = fuzz_u64(&in);
		s.regs.sp = fuzz_u64(&in);
		s.regs.x[29] = fuzz_u64(&in);
		s.regs.x[30] = fuzz_u64(&in);
		s.regs.pstate = fuzz_u64(&in);
	} else {
		s.pc = fuzz_u64(&in);
		s.sp = fuzz_u64(&in);
		s.fp = fuzz_u64(&in);
		fuzz_u64(&in);
		fuzz_u64(&in);
	}
	limit = fuzz_u8(&in);
	limit |= (size_t)fuzz_u8(&in) << 8;
	p.max_frames = limit;
	// The task's final record: its pt_regs at the top of the task stack.
	p.final_fp = TASK_LOW + STACK_SIZE - PT_SIZE + PT_STACKFRAME;
	m.data = in.data;
	m.size = in.size;
	p.arg = &m;
	err = arm64_unwind(&p, &s, &r);
	if (err) {
		// Only memory may fail the unwinder.
		FUZZ_ASSERT(err->code == VMT_ERROR_NO_MEMORY);
		vmt_error_destroy(err);
		return 0;
	}
	FUZZ_ASSERT(r.nr <= (limit ? limit : 4096) + 2);
	FUZZ_ASSERT(memchr(r.reason, '\0', sizeof(r.reason)));
	if (r.end == ARM64_END_BROKEN)
		FUZZ_ASSERT(r.reason[0]);
	FUZZ_ASSERT(arm64_unwind_end_name(r.end)[0]);
	for (size_t i = 0; i < r.nr; i++) {
		const struct arm64_frame *f = &r.frames[i];

		FUZZ_ASSERT(f->stack >= -1 && f->stack < (int)p.nr_stacks);
		if (f->stack >= 0)
			FUZZ_ASSERT(f->sp >= stacks[f->stack].low &&
				    f->sp <= stacks[f->stack].high);
	}
	arm64_unwind_result_deinit(&r);
	return 0;
}

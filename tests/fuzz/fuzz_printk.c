// The kernel log readers (kernel/printk_ring.c, printk_logbuf.c) and the
// record formatter over a random memory image read through kread_fn, as
// `log` reads a dump: the lockless ring (descriptor and info arrays, the
// text data ring with wrapped blocks) and the pre-5.10 log_buf. They must
// end on any input, allocate by what memory holds, and return records
// whose texts are what they claim; every record must format.
//
// Input: a flags byte (bit 0: log_buf instead of the ring; bits 1-5 the
// format's time, wallclock, level, caller and dict), for log_buf its
// buf_len, first_idx, next_idx (u32) and first_seq (u64), then the memory
// at BASE. The ring's struct printk_ringbuffer is at BASE; the layouts are
// test_printk.c's (not the kernel's: the readers follow what they are
// given).
#include <inttypes.h>

#include "fuzz.h"
#include "kernel/printk.h"

#define BASE 0xffff800010000000ULL

static const struct printk_ring_layout ring = {
	.rb_desc_ring = 8,
	.rb_text_data_ring = 64,
	.dr_count_bits = 4,
	.dr_descs = 16,
	.dr_infos = 24,
	.dr_head_id = 40,
	.dr_tail_id = 32,
	.desc_size = 32,
	.desc_state_var = 16,
	.desc_text_blk_lpos = 0,
	.lpos_begin = 8,
	.lpos_next = 0,
	.info_size = 96,
	.info_seq = 8,
	.info_ts_nsec = 0,
	.info_text_len = 20,
	.info_caller_id = 16,
	.info_facility = 22,
	.info_flags_level = 23,
	.flags_shift = 0,
	.flags_bits = 5,
	.level_shift = 5,
	.level_bits = 3,
	.has_dev_info = true,
	.info_dev_info = 28,
	.dev_subsystem = 48,
	.subsystem_len = 16,
	.dev_device = 0,
	.device_len = 48,
	.data_size_bits = 12,
	.data_data = 0,
	.data_head_lpos = 16,
	.data_tail_lpos = 24,
	.atomic_counter = 0,
};

static const struct printk_log_layout log_buf = {
	.hdr_size = 20,
	.ts_nsec = 0,
	.len = 8,
	.text_len = 10,
	.dict_len = 12,
	.facility = 14,
	.flags_level = 15,
	.flags_shift = 0,
	.flags_bits = 5,
	.level_shift = 5,
	.level_bits = 3,
	.has_caller_id = true,
	.caller_id = 16,
};

struct mem {
	const uint8_t *data;
	size_t size;
};

static struct vmt_error *rd(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = arg;

	if (addr < BASE || addr - BASE > m->size ||
	    len > m->size - (addr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "%#" PRIx64 " not mapped", addr);
	memcpy(buf, m->data + (addr - BASE), len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t flags = fuzz_u8(&in);
	struct vmt_log_format fmt = {
		.time = flags & 2,
		.wallclock = flags & 4,
		.boot_time_nsec = 1700000000LL * 1000000000LL,
		.level = flags & 8,
		.caller = flags & 16,
		.dict = flags & 32,
	};
	struct printk_result res = { 0 };
	struct printk_log_buf lb = { 0 };
	struct vmt_error *err;
	struct mem m;

	if (flags & 1) {
		lb.buf = BASE;
		lb.buf_len = fuzz_u32(&in);
		lb.first_idx = fuzz_u32(&in);
		lb.next_idx = fuzz_u32(&in);
		lb.first_seq = fuzz_u64(&in);
	}
	m.data = in.data;
	m.size = in.size;
	if (flags & 1)
		err = printk_log_buf_parse(&log_buf, rd, &m, &lb, &res);
	else
		err = printk_ring_parse(&ring, rd, &m, BASE, &res);
	if (err) {
		fuzz_check_error(err);
		return 0;
	}
	FUZZ_ASSERT(res.nr <= res.cap || !res.cap);
	FUZZ_ASSERT(memchr(res.damage, '\0', sizeof(res.damage)));
	if (res.nr_damaged)
		FUZZ_ASSERT(res.damage[0]);
	for (size_t i = 0; i < res.nr; i++) {
		const struct vmt_log_record *r = &res.records[i];
		char caller[16], *text = NULL;

		FUZZ_ASSERT(r->text && strlen(r->text) <= r->text_len);
		FUZZ_ASSERT(r->level <= 7);
		// Sequence order.
		if (i)
			FUZZ_ASSERT(r->seq > res.records[i - 1].seq);
		FUZZ_ASSERT(strlen(vmt_log_caller(r, caller)) < sizeof(caller));
		err = vmt_log_format_record(r, &fmt, &text);
		if (err) {
			FUZZ_ASSERT(err->code == VMT_ERROR_NO_MEMORY);
			vmt_error_destroy(err);
			continue;
		}
		FUZZ_ASSERT(text);
		free(text);
	}
	printk_result_deinit(&res);
	return 0;
}

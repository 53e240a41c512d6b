// The kernel log parsers on rings built in a buffer by a writer that does
// what the kernel's does (kernel/printk/printk_ringbuffer.c: desc_reserve,
// desc_push_tail, data_alloc, data_push_tail; printk.c log_store before
// 5.10): wrapped data blocks, reused descriptors, data-less records, the
// pre-5.10 log_buf, and each kind of damage, which must leave the sound
// records, count the damage, name the descriptor and terminate.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/printk.h"

#define BASE 0xffff800010000000ULL
#define MEM_SIZE 0x80000
#define RB BASE
#define DESCS (BASE + 0x1000)
#define INFOS (BASE + 0x10000)
#define DATA (BASE + 0x40000)
#define LOG_BUF (BASE + 0x60000)

#define ID_MASK (~(3ULL << 62))
#define SV(id, state) (((uint64_t)(state) << 62) | ((id) & ID_MASK))
#define ST_RESERVED 0
#define ST_COMMITTED 1
#define ST_FINALIZED 2
#define ST_REUSABLE 3

static uint8_t mem[MEM_SIZE];
// One unreadable range, as an excluded page would be.
static uint64_t hole_lo, hole_hi;

static struct vmt_error *mem_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	(void)arg;
	if (addr < BASE || addr - BASE > MEM_SIZE ||
	    len > MEM_SIZE - (addr - BASE) ||
	    (addr < hole_hi && addr + len > hole_lo))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "test: %#llx not readable",
				       (unsigned long long)addr);
	memcpy(buf, mem + (addr - BASE), len);
	return NULL;
}

static void put(uint64_t addr, uint64_t v, size_t n)
{
	ck_assert(addr >= BASE && addr + n <= BASE + MEM_SIZE);
	for (size_t i = 0; i < n; i++)
		mem[addr - BASE + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(uint64_t addr, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)mem[addr - BASE + i] << (8 * i);
	return v;
}

// Not the kernel's offsets: the parser must follow the layout it is given.
static const struct printk_ring_layout L = {
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

#define MAX_SEQ 1024

// A writer of the ring, and what it wrote (the oracle).
struct sim {
	uint64_t count, size;
	unsigned int count_bits, size_bits;
	uint64_t head_id, tail_id, head_lpos, tail_lpos, seq;
	int wrapped_blocks;
	// Per sequence number: its descriptor id, lpos and text.
	struct {
		uint64_t id, begin, next;
		char text[160];
	} rec[MAX_SEQ];
};

static uint64_t desc_addr(const struct sim *s, uint64_t id)
{
	return DESCS + (id & (s->count - 1)) * L.desc_size;
}

static uint64_t info_addr(const struct sim *s, uint64_t id)
{
	return INFOS + (id & (s->count - 1)) * L.info_size;
}

static void sim_header(const struct sim *s)
{
	uint64_t dr = RB + L.rb_desc_ring, tr = RB + L.rb_text_data_ring;

	put(dr + L.dr_count_bits, s->count_bits, 4);
	put(dr + L.dr_descs, DESCS, 8);
	put(dr + L.dr_infos, INFOS, 8);
	put(dr + L.dr_head_id, s->head_id, 8);
	put(dr + L.dr_tail_id, s->tail_id, 8);
	put(tr + L.data_size_bits, s->size_bits, 4);
	put(tr + L.data_data, DATA, 8);
	put(tr + L.data_head_lpos, s->head_lpos, 8);
	put(tr + L.data_tail_lpos, s->tail_lpos, 8);
}

static void set_state(const struct sim *s, uint64_t id, int state)
{
	put(desc_addr(s, id) + L.desc_state_var, SV(id, state), 8);
}

static void put_lpos(const struct sim *s, uint64_t id, uint64_t begin,
		     uint64_t next)
{
	uint64_t d = desc_addr(s, id) + L.desc_text_blk_lpos;

	put(d + L.lpos_begin, begin, 8);
	put(d + L.lpos_next, next, 8);
}

static uint64_t lpos_next_of(const struct sim *s, uint64_t id)
{
	return get(desc_addr(s, id) + L.desc_text_blk_lpos + L.lpos_next, 8);
}

// As _DEFINE_PRINTKRB(): the last descriptor is the initial head and tail
// (reusable, no data); the first info's seq is -count.
static void sim_init(struct sim *s, unsigned int count_bits,
		     unsigned int size_bits)
{
	memset(mem, 0, sizeof(mem));
	hole_lo = hole_hi = 0;
	memset(s, 0, sizeof(*s));
	s->count_bits = count_bits;
	s->size_bits = size_bits;
	s->count = 1ULL << count_bits;
	s->size = 1ULL << size_bits;
	ck_assert(DESCS + s->count * L.desc_size <= INFOS);
	ck_assert(INFOS + s->count * L.info_size <= DATA);
	ck_assert(DATA + s->size <= LOG_BUF);
	s->head_id = s->tail_id = (0 - (s->count + 1)) & ID_MASK;
	s->head_lpos = s->tail_lpos = 0 - s->size;
	set_state(s, s->head_id, ST_REUSABLE);
	put_lpos(s, s->head_id, 1, 1);
	put(info_addr(s, 0) + L.info_seq, 0 - s->count, 8);
	sim_header(s);
}

// data_push_tail(): make the blocks before @p lpos reusable.
static void data_push(struct sim *s, uint64_t lpos)
{
	while ((int64_t)(lpos - s->tail_lpos) > 0) {
		uint64_t id = get(DATA + (s->tail_lpos & (s->size - 1)), 8);

		ck_assert_uint_ne(s->tail_lpos, s->head_lpos);
		set_state(s, id, ST_REUSABLE);
		s->tail_lpos = lpos_next_of(s, id);
	}
}

// desc_push_tail(): free the tail descriptor (its data first).
static void desc_push(struct sim *s)
{
	uint64_t begin = get(desc_addr(s, s->tail_id) + L.desc_text_blk_lpos +
			     L.lpos_begin, 8);

	if (!(begin & 1))
		data_push(s, lpos_next_of(s, s->tail_id));
	set_state(s, s->tail_id, ST_REUSABLE);
	s->tail_id = (s->tail_id + 1) & ID_MASK;
}

struct opts {
	int level, facility;
	uint32_t caller;
	const char *subsystem, *device;
	/** 0: finalized; -1: reserved; else the state. */
	int state;
};

// prb_reserve() + writing + prb_final_commit() of one record.
static uint64_t sim_add_opts(struct sim *s, const char *text,
			     const struct opts *o)
{
	uint64_t id = (s->head_id + 1) & ID_MASK, begin, next, len, size;
	uint64_t info = info_addr(s, 0);
	bool wrapped = false;

	ck_assert_uint_lt(s->seq, MAX_SEQ);
	if (((id - s->count) & ID_MASK) == s->tail_id)
		desc_push(s);
	len = strlen(text);
	if (!len) {
		begin = next = 3;
	} else {
		size = (len + 8 + 7) & ~7ULL;
		begin = s->head_lpos;
		next = begin + size;
		if (begin >> s->size_bits != next >> s->size_bits) {
			next = ((next >> s->size_bits) << s->size_bits) + size;
			wrapped = true;
			s->wrapped_blocks++;
		}
		data_push(s, next - s->size);
		put(DATA + (begin & (s->size - 1)), id, 8);
		if (wrapped)
			put(DATA, id, 8);
		memcpy(mem + (DATA - BASE) + (wrapped ? 0 : begin & (s->size - 1)) +
			       8,
		       text, len);
		s->head_lpos = next;
	}
	info = info_addr(s, id);
	memset(mem + (info - BASE), 0, L.info_size);
	put(info + L.info_seq, s->seq, 8);
	put(info + L.info_ts_nsec, 1000000 * s->seq + 123456789, 8);
	put(info + L.info_text_len, len, 2);
	put(info + L.info_facility, (uint64_t)o->facility, 1);
	put(info + L.info_flags_level, (uint64_t)(o->level << 5 | 2), 1);
	put(info + L.info_caller_id, o->caller, 4);
	if (o->subsystem)
		memcpy(mem + (info - BASE) + L.info_dev_info + L.dev_subsystem,
		       o->subsystem, strlen(o->subsystem));
	if (o->device)
		memcpy(mem + (info - BASE) + L.info_dev_info + L.dev_device,
		       o->device, strlen(o->device));
	put_lpos(s, id, begin, next);
	set_state(s, id, o->state < 0 ? ST_RESERVED :
			 o->state ? o->state : ST_FINALIZED);
	s->rec[s->seq].id = id;
	s->rec[s->seq].begin = begin;
	s->rec[s->seq].next = next;
	snprintf(s->rec[s->seq].text, sizeof(s->rec[0].text), "%s", text);
	s->head_id = id;
	s->seq++;
	sim_header(s);
	return id;
}

static uint64_t sim_add(struct sim *s, const char *text)
{
	struct opts o = { .level = 6, .caller = 1 };

	return sim_add_opts(s, text, &o);
}

// The oracle: a record is in the ring while its id lies between tail_id
// and head_id and its data block (if any) is not behind tail_lpos.
static bool sim_alive(const struct sim *s, uint64_t seq)
{
	uint64_t id = s->rec[seq].id;

	if (((id - s->tail_id) & ID_MASK) > ((s->head_id - s->tail_id) & ID_MASK))
		return false;
	return s->rec[seq].begin == 3 ||
	       s->rec[seq].begin - s->tail_lpos <= s->head_lpos - s->tail_lpos;
}

static void parse(struct printk_result *res)
{
	vmt_ck_no_err(printk_ring_parse(&L, mem_read, NULL, RB, res));
}

// The parsed records are exactly the live ones, in order, with their text.
static void check_against_oracle(const struct sim *s,
				 const struct printk_result *res,
				 size_t expect_damaged)
{
	size_t i = 0;

	for (uint64_t seq = 0; seq < s->seq; seq++) {
		if (!sim_alive(s, seq))
			continue;
		ck_assert_msg(i < res->nr, "record %llu missing",
			      (unsigned long long)seq);
		ck_assert_uint_eq(res->records[i].seq, seq);
		ck_assert_str_eq(res->records[i].text, s->rec[seq].text);
		ck_assert_uint_eq(res->records[i].text_len,
				  strlen(s->rec[seq].text));
		ck_assert_uint_eq(res->records[i].ts_nsec,
				  1000000 * seq + 123456789);
		i++;
	}
	ck_assert_uint_eq(res->nr, i);
	ck_assert_uint_eq(res->nr_damaged, expect_damaged);
}

static void fill(struct sim *s, int n)
{
	for (int i = 0; i < n; i++) {
		char text[64];

		// Varying lengths so blocks end everywhere in the ring.
		snprintf(text, sizeof(text), "record %d %.*s", i, i % 37,
			 "abcdefghijklmnopqrstuvwxyz0123456789!");
		sim_add(s, text);
	}
}

START_TEST(reads_a_fresh_ring_in_order)
{
	struct printk_result res;
	struct sim s;

	sim_init(&s, 6, 12);
	fill(&s, 10);
	parse(&res);
	ck_assert_uint_eq(res.nr, 10);
	check_against_oracle(&s, &res, 0);
	ck_assert_uint_eq(res.records[0].level, 6);
	ck_assert_uint_eq(res.records[0].flags, 2);
	ck_assert(res.records[0].has_caller_id);
	ck_assert_uint_eq(res.records[0].caller_id, 1);
	ck_assert_ptr_null(res.records[0].subsystem);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_an_empty_ring)
{
	struct printk_result res;
	struct sim s;

	sim_init(&s, 4, 10);
	parse(&res);
	ck_assert_uint_eq(res.nr, 0);
	ck_assert_uint_eq(res.nr_damaged, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_wrapped_data_blocks_and_reused_descriptors)
{
	struct printk_result res;
	struct sim s;
	int wrapped_alive = 0;

	// 16 descriptors, 512 bytes of data: both rings wrap many times.
	sim_init(&s, 4, 9);
	fill(&s, 300);
	ck_assert_int_gt(s.wrapped_blocks, 5);
	ck_assert_uint_gt(s.seq, 4 * s.count);
	for (uint64_t seq = 0; seq < s.seq; seq++)
		if (sim_alive(&s, seq) &&
		    s.rec[seq].begin >> s.size_bits != s.rec[seq].next >> s.size_bits)
			wrapped_alive++;
	parse(&res);
	check_against_oracle(&s, &res, 0);
	ck_assert_uint_gt(res.nr, 3);
	// Keep going until a wrapping block is among the live ones.
	for (int i = 0; i < 64 && !wrapped_alive; i++) {
		printk_result_deinit(&res);
		sim_add(&s, "a longer record that has to wrap around the ring sooner or later");
		for (uint64_t seq = 0; seq < s.seq; seq++)
			if (sim_alive(&s, seq) &&
			    s.rec[seq].begin >> s.size_bits !=
				    s.rec[seq].next >> s.size_bits)
				wrapped_alive++;
		parse(&res);
		check_against_oracle(&s, &res, 0);
	}
	ck_assert_int_gt(wrapped_alive, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(skips_the_descriptor_being_reserved)
{
	struct printk_result res;
	struct sim s;
	uint64_t id;

	sim_init(&s, 4, 10);
	fill(&s, 40);
	// A writer moved head_id but has not yet written the descriptor,
	// which still carries the id of the previous wrap (and is reusable).
	id = (s.head_id + 1) & ID_MASK;
	if (((id - s.count) & ID_MASK) == s.tail_id)
		desc_push(&s);
	s.head_id = id;
	sim_header(&s);
	ck_assert_uint_eq(get(desc_addr(&s, id) + L.desc_state_var, 8) & ID_MASK,
			  (id - s.count) & ID_MASK);
	parse(&res);
	check_against_oracle(&s, &res, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_committed_but_not_reserved_or_reusable_records)
{
	struct printk_result res;
	struct sim s;
	struct opts committed = { .level = 4, .state = ST_COMMITTED };
	struct opts reserved = { .level = 4, .state = -1 };

	sim_init(&s, 5, 11);
	fill(&s, 3);
	sim_add_opts(&s, "committed, could still be extended", &committed);
	sim_add_opts(&s, "reserved: the writer is still at it", &reserved);
	parse(&res);
	ck_assert_uint_eq(res.nr, 4);
	ck_assert_str_eq(res.records[3].text,
			 "committed, could still be extended");
	ck_assert_uint_eq(res.nr_damaged, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_data_less_records)
{
	struct printk_result res;
	struct sim s;
	uint64_t id;

	sim_init(&s, 5, 11);
	sim_add(&s, "before");
	sim_add(&s, ""); // an empty line: EMPTY_LINE_LPOS, no data block
	id = sim_add(&s, "lost");
	sim_add(&s, "after");
	// A record whose data was lost: FAILED_LPOS (dmesg skips it).
	put_lpos(&s, id, 1, 1);
	parse(&res);
	ck_assert_uint_eq(res.nr, 3);
	ck_assert_str_eq(res.records[0].text, "before");
	ck_assert_str_eq(res.records[1].text, "");
	ck_assert_uint_eq(res.records[1].text_len, 0);
	ck_assert_uint_eq(res.records[1].seq, 1);
	ck_assert_str_eq(res.records[2].text, "after");
	ck_assert_uint_eq(res.records[2].seq, 3);
	ck_assert_uint_eq(res.nr_lost, 1);
	ck_assert_uint_eq(res.nr_damaged, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_levels_callers_and_dev_info)
{
	struct printk_result res;
	struct sim s;
	struct opts o = { .level = 3, .facility = 1, .caller = 0x80000001,
			  .subsystem = "virtio", .device = "+virtio:virtio0" };
	char buf[16];

	sim_init(&s, 5, 11);
	sim_add_opts(&s, "virtio_blk virtio0: [vda] 1179648 512-byte blocks", &o);
	parse(&res);
	ck_assert_uint_eq(res.nr, 1);
	ck_assert_uint_eq(res.records[0].level, 3);
	ck_assert_uint_eq(res.records[0].facility, 1);
	ck_assert_str_eq(vmt_log_caller(&res.records[0], buf), "C1");
	ck_assert_str_eq(res.records[0].subsystem, "virtio");
	ck_assert_str_eq(res.records[0].device, "+virtio:virtio0");
	printk_result_deinit(&res);
}
END_TEST

// ---- damage: each kind skips the bad descriptor, counts it, names it ----

static struct sim ds;

static void damaged_setup(void)
{
	sim_init(&ds, 4, 10);
	fill(&ds, 40);
}

// The record with this sequence number, alive in the ring.
static uint64_t live_id(uint64_t seq)
{
	ck_assert(sim_alive(&ds, seq));
	return ds.rec[seq].id;
}

// Everything but record @p bad_seq was read, and the damage names @p what.
static void expect_one_skipped(uint64_t bad_seq, const char *what)
{
	struct printk_result res;
	size_t alive = 0;

	parse(&res);
	for (uint64_t seq = 0; seq < ds.seq; seq++)
		alive += sim_alive(&ds, seq);
	ck_assert_uint_eq(res.nr, alive - 1);
	for (size_t i = 0; i < res.nr; i++)
		ck_assert_uint_ne(res.records[i].seq, bad_seq);
	ck_assert_uint_eq(res.nr_damaged, 1);
	ck_assert_msg(strstr(res.damage, what), "damage \"%s\" lacks \"%s\"",
		      res.damage, what);
	printk_result_deinit(&res);
}

static void desc_name(uint64_t id, char *buf, size_t size)
{
	snprintf(buf, size, "desc[%llu]",
		 (unsigned long long)(id & (ds.count - 1)));
}

START_TEST(damage_unaligned_lpos)
{
	uint64_t seq = ds.seq - 5, id = live_id(seq);
	char name[32];

	put_lpos(&ds, id, ds.rec[seq].begin + 3, ds.rec[seq].next);
	desc_name(id, name, sizeof(name));
	expect_one_skipped(seq, name);
}
END_TEST

START_TEST(damage_lpos_beyond_the_head)
{
	uint64_t seq = ds.seq - 4, id = live_id(seq);

	put_lpos(&ds, id, ds.head_lpos + 4096, ds.head_lpos + 4096 + 64);
	expect_one_skipped(seq, "live range");
}
END_TEST

START_TEST(damage_lpos_wraps_apart)
{
	uint64_t seq = ds.seq - 3, id = live_id(seq);

	// next three wraps after begin: not a block the kernel could write.
	put_lpos(&ds, id, ds.rec[seq].begin,
		 ds.rec[seq].begin + 3 * ds.size + 16);
	expect_one_skipped(seq, "desc[");
}
END_TEST

START_TEST(damage_text_len_past_the_block)
{
	uint64_t seq = ds.seq - 2, id = live_id(seq);

	put(info_addr(&ds, id) + L.info_text_len, 600, 2);
	expect_one_skipped(seq, "text_len past");
}
END_TEST

START_TEST(damage_block_id_mismatch)
{
	uint64_t seq = ds.seq - 6, id = live_id(seq);
	uint64_t begin = ds.rec[seq].begin, next = ds.rec[seq].next;
	bool wrapped = begin >> ds.size_bits != next >> ds.size_bits;

	put(DATA + (wrapped ? 0 : begin & (ds.size - 1)), id + 1, 8);
	expect_one_skipped(seq, "carries id");
}
END_TEST

START_TEST(damage_sequence_number_of_another_descriptor)
{
	uint64_t seq = ds.seq - 7, id = live_id(seq);

	put(info_addr(&ds, id) + L.info_seq, seq + 1, 8);
	expect_one_skipped(seq, "belongs to another");
}
END_TEST

START_TEST(damage_state_var_with_a_foreign_id)
{
	uint64_t seq = ds.seq - 8, id = live_id(seq);
	char name[32];

	put(desc_addr(&ds, id) + L.desc_state_var, SV(id + 5 * ds.count + 3,
						      ST_FINALIZED), 8);
	desc_name(id, name, sizeof(name));
	expect_one_skipped(seq, name);
}
END_TEST

START_TEST(damage_odd_data_less_lpos)
{
	uint64_t seq = ds.seq - 9, id = live_id(seq);

	put_lpos(&ds, id, 1, 3);
	expect_one_skipped(seq, "neither lost nor empty");
}
END_TEST

START_TEST(damage_ids_out_of_range_reads_the_last_count)
{
	struct printk_result res;

	// tail_id far behind head_id: at most count ids are walked.
	ds.tail_id = (ds.head_id - 1000 * ds.count) & ID_MASK;
	sim_header(&ds);
	parse(&res);
	ck_assert_uint_eq(res.nr_damaged, 1);
	ck_assert_msg(strstr(res.damage, "more than the 16 descriptors"), "%s",
		      res.damage);
	ck_assert_uint_gt(res.nr, 0);
	ck_assert_uint_le(res.nr, ds.count);
	ck_assert_uint_eq(res.records[res.nr - 1].seq, ds.seq - 1);
	for (size_t i = 0; i < res.nr; i++)
		ck_assert_str_eq(res.records[i].text,
				 ds.rec[res.records[i].seq].text);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_unreadable_descriptors_end_quietly)
{
	struct printk_result res;

	hole_lo = DESCS;
	hole_hi = DESCS + ds.count * L.desc_size;
	parse(&res);
	ck_assert_uint_eq(res.nr, 0);
	ck_assert_uint_gt(res.nr_damaged, 0);
	ck_assert_msg(strstr(res.damage, "unreadable"), "%s", res.damage);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_one_unreadable_data_page)
{
	struct printk_result res;
	size_t alive = 0;

	uint64_t seq = ds.seq - 1;

	// A hole under a record's text (one that does not wrap): that one
	// is skipped.
	while (ds.rec[seq].begin >> ds.size_bits !=
	       ds.rec[seq].next >> ds.size_bits)
		seq--;
	ck_assert(sim_alive(&ds, seq));
	hole_lo = DATA + (ds.rec[seq].begin & (ds.size - 1)) + 8;
	hole_hi = hole_lo + 1;
	parse(&res);
	for (uint64_t q = 0; q < ds.seq; q++)
		alive += sim_alive(&ds, q);
	ck_assert_uint_eq(res.nr, alive - 1);
	ck_assert_uint_eq(res.nr_damaged, 1);
	for (size_t i = 0; i < res.nr; i++)
		ck_assert_uint_ne(res.records[i].seq, seq);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_count_bits_beyond_any_kernel_is_an_error)
{
	struct printk_result res;

	put(RB + L.rb_desc_ring + L.dr_count_bits, 60, 4);
	vmt_ck_err(printk_ring_parse(&L, mem_read, NULL, RB, &res),
		   VMT_ERROR_BAD_DATA);
	put(RB + L.rb_desc_ring + L.dr_count_bits, ds.count_bits, 4);
	put(RB + L.rb_text_data_ring + L.data_size_bits, 40, 4);
	vmt_ck_err(printk_ring_parse(&L, mem_read, NULL, RB, &res),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(damage_layout_outside_its_struct_is_an_error)
{
	struct printk_ring_layout bad = L;
	struct printk_result res;

	bad.info_caller_id = bad.info_size;
	vmt_ck_err(printk_ring_parse(&bad, mem_read, NULL, RB, &res),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(damage_unreadable_ring_is_an_error)
{
	struct printk_result res;

	vmt_ck_err(printk_ring_parse(&L, mem_read, NULL, BASE + MEM_SIZE, &res),
		   VMT_ERROR_FAULT);
}
END_TEST

// ---- formatting, as record_print_text() ----

static struct vmt_log_record rec(const char *text)
{
	struct vmt_log_record r = {
		.seq = 7,
		.ts_nsec = 42213515123ULL,
		.level = 6,
		.facility = 0,
		.has_caller_id = true,
		.caller_id = 123,
		.text = text,
		.text_len = strlen(text),
	};

	return r;
}

static void expect_format(const struct vmt_log_record *r,
			  const struct vmt_log_format *f, const char *want)
{
	char *got;

	vmt_ck_no_err(vmt_log_format_record(r, f, &got));
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(formats_like_dmesg)
{
	struct vmt_log_record r = rec("Bye!");
	struct vmt_log_format f = { .time = true };

	expect_format(&r, &f, "[   42.213515] Bye!\n");
	r.ts_nsec = 123456789012345ULL;
	expect_format(&r, &f, "[123456.789012] Bye!\n");
}
END_TEST

START_TEST(formats_each_line_with_the_prefix)
{
	struct vmt_log_record r = rec("Call trace:\n panic+0x0/0x10\n");
	struct vmt_log_format f = { .time = true };

	// A text ending in a newline ends with an empty prefixed line.
	expect_format(&r, &f,
		      "[   42.213515] Call trace:\n"
		      "[   42.213515]  panic+0x0/0x10\n"
		      "[   42.213515] \n");
	r = rec("");
	expect_format(&r, &f, "[   42.213515] \n");
}
END_TEST

START_TEST(formats_level_caller_and_no_time)
{
	struct vmt_log_record r = rec("two\nlines");
	struct vmt_log_format f = { .time = true, .level = true, .caller = true };

	expect_format(&r, &f,
		      "<6>[   42.213515][  T123] two\n"
		      "<6>[   42.213515][  T123] lines\n");
	f = (struct vmt_log_format){ .level = true };
	r.facility = 1;
	r.level = 5;
	expect_format(&r, &f, "<13>two\n<13>lines\n");
	f = (struct vmt_log_format){ .caller = true };
	r.caller_id = 0x80000001;
	expect_format(&r, &f, "[    C1] two\n[    C1] lines\n");
	f = (struct vmt_log_format){ 0 };
	expect_format(&r, &f, "two\nlines\n");
	r.has_caller_id = false;
	f.caller = true;
	expect_format(&r, &f, "two\nlines\n");
}
END_TEST

START_TEST(formats_wall_clock_and_dictionary)
{
	struct vmt_log_record r = rec("virtio_blk virtio0: ready");
	struct vmt_log_format f = { .time = true, .wallclock = true,
				    .boot_time_nsec = 1795252244759288000LL,
				    .dict = true };

	r.subsystem = "virtio";
	r.device = "+virtio:virtio0";
	expect_format(&r, &f,
		      "[Sat Nov 21 09:11:26 2026] virtio_blk virtio0: ready\n"
		      " SUBSYSTEM=virtio\n"
		      " DEVICE=+virtio:virtio0\n");
}
END_TEST

// ---- log_buf (3.5 - 5.9) ----

// struct printk_log of 5.4 with CONFIG_PRINTK_CALLER on arm64
// (__packed __aligned(4)).
static const struct printk_log_layout LL = {
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

struct lsim {
	struct printk_log_buf lb;
	uint64_t next_seq;
	char text[MAX_SEQ][64];
};

static uint32_t log_next(const struct lsim *s, uint32_t idx)
{
	uint32_t len = (uint32_t)get(LOG_BUF + idx + LL.len, 2);

	return len ? idx + len : (uint32_t)get(LOG_BUF + LL.len, 2);
}

static bool log_has_space(const struct lsim *s, uint32_t size)
{
	uint32_t free;

	if (s->lb.next_idx > s->lb.first_idx || s->lb.first_seq == s->next_seq)
		free = s->lb.buf_len - s->lb.next_idx > s->lb.first_idx ?
			       s->lb.buf_len - s->lb.next_idx :
			       s->lb.first_idx;
	else
		free = s->lb.first_idx - s->lb.next_idx;
	return free >= size + LL.hdr_size;
}

// log_store() of 5.4.
static void lsim_add(struct lsim *s, const char *text, const char *dict)
{
	uint32_t text_len = (uint32_t)strlen(text);
	uint32_t dict_len = dict ? (uint32_t)strlen(dict) + 1 : 0;
	uint32_t size = (uint32_t)LL.hdr_size + text_len + dict_len;
	uint64_t at;

	size += (uint32_t)(-size & 3);
	while (s->lb.first_seq < s->next_seq && !log_has_space(s, size)) {
		s->lb.first_idx = log_next(s, s->lb.first_idx);
		s->lb.first_seq++;
	}
	if (s->lb.next_idx + size + LL.hdr_size > s->lb.buf_len) {
		memset(mem + (LOG_BUF - BASE) + s->lb.next_idx, 0, LL.hdr_size);
		s->lb.next_idx = 0;
	}
	at = LOG_BUF + s->lb.next_idx;
	put(at + LL.ts_nsec, 1000 * s->next_seq, 8);
	put(at + LL.len, size, 2);
	put(at + LL.text_len, text_len, 2);
	put(at + LL.dict_len, dict_len, 2);
	put(at + LL.facility, 0, 1);
	put(at + LL.flags_level, 4 << 5 | 2, 1);
	put(at + LL.caller_id, 0x80000000 | 1, 4);
	memcpy(mem + (at - BASE) + LL.hdr_size, text, text_len);
	if (dict) {
		// "KEY=value" pairs separated by NULs (the last one too here).
		memcpy(mem + (at - BASE) + LL.hdr_size + text_len, dict,
		       dict_len);
		for (uint32_t i = 0; i < dict_len; i++)
			if (mem[at - BASE + LL.hdr_size + text_len + i] == '|')
				mem[at - BASE + LL.hdr_size + text_len + i] = 0;
	}
	snprintf(s->text[s->next_seq], sizeof(s->text[0]), "%s", text);
	s->lb.next_idx += size;
	s->next_seq++;
}

static void lsim_init(struct lsim *s, uint32_t len)
{
	memset(mem, 0, sizeof(mem));
	hole_lo = hole_hi = 0;
	memset(s, 0, sizeof(*s));
	s->lb.buf = LOG_BUF;
	s->lb.buf_len = len;
}

START_TEST(reads_log_buf_across_its_wrap)
{
	struct printk_result res;
	struct lsim s;

	lsim_init(&s, 1024);
	// Until the used part wraps around the end of the buffer.
	for (int i = 0; i < 100 || s.lb.first_idx < s.lb.next_idx; i++) {
		char text[64];

		ck_assert_int_lt(i, 300);
		snprintf(text, sizeof(text), "old format %d %.*s", i, i % 29,
			 "abcdefghijklmnopqrstuvwxyz012");
		lsim_add(&s, text, NULL);
	}
	ck_assert_uint_gt(s.lb.first_idx, s.lb.next_idx); // wrapped
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, s.next_seq - s.lb.first_seq);
	for (size_t i = 0; i < res.nr; i++) {
		uint64_t seq = s.lb.first_seq + i;

		ck_assert_uint_eq(res.records[i].seq, seq);
		ck_assert_str_eq(res.records[i].text, s.text[seq]);
		ck_assert_uint_eq(res.records[i].ts_nsec, 1000 * seq);
		ck_assert_uint_eq(res.records[i].level, 4);
		ck_assert(res.records[i].has_caller_id);
		ck_assert_uint_eq(res.records[i].caller_id, 0x80000001);
	}
	ck_assert_ptr_null(res.records[0].subsystem);
	ck_assert_uint_eq(res.nr_damaged, 0);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(reads_log_buf_dictionaries_and_no_caller_ids)
{
	struct printk_log_layout l = LL;
	struct printk_result res;
	struct lsim s;

	lsim_init(&s, 512);
	lsim_add(&s, "no caller", NULL);
	lsim_add(&s, "with a dictionary", "SUBSYSTEM=pci|DEVICE=+pci:0000:00:01.0");
	l.has_caller_id = false;
	vmt_ck_no_err(printk_log_buf_parse(&l, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, 2);
	ck_assert(!res.records[0].has_caller_id);
	ck_assert_ptr_null(res.records[0].subsystem);
	ck_assert_str_eq(res.records[1].text, "with a dictionary");
	ck_assert_str_eq(res.records[1].subsystem, "pci");
	ck_assert_str_eq(res.records[1].device, "+pci:0000:00:01.0");
	printk_result_deinit(&res);
	// An empty buffer.
	lsim_init(&s, 512);
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, 0);
	printk_result_deinit(&res);
}
END_TEST

static void lsim_fill(struct lsim *s)
{
	lsim_init(s, 1024);
	for (int i = 0; i < 60 || s->lb.first_idx < s->lb.next_idx; i++) {
		char text[48];

		ck_assert_int_lt(i, 300);

		snprintf(text, sizeof(text), "record %d %.*s", i, i % 23,
			 "abcdefghijklmnopqrstuvw");
		lsim_add(s, text, NULL);
	}
	ck_assert_uint_gt(s->lb.first_idx, s->lb.next_idx);
}

// The index of the @p n-th record from first_idx.
static uint32_t lsim_index(const struct lsim *s, int n)
{
	uint32_t idx = s->lb.first_idx;

	for (int i = 0; i < n; i++) {
		idx = log_next(s, idx);
		if (!get(LOG_BUF + idx + LL.len, 2))
			idx = 0;
	}
	return idx;
}

START_TEST(damage_log_buf_len_past_the_buffer_keeps_the_records_before)
{
	struct printk_result res;
	struct lsim s;

	lsim_fill(&s);
	put(LOG_BUF + lsim_index(&s, 5) + LL.len, 0xfff0, 2);
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, 5);
	ck_assert_uint_eq(res.nr_damaged, 1);
	ck_assert_msg(strstr(res.damage, "does not hold"), "%s", res.damage);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_log_buf_text_len_past_its_record)
{
	struct printk_result res;
	struct lsim s;

	lsim_fill(&s);
	put(LOG_BUF + lsim_index(&s, 3) + LL.text_len, 500, 2);
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, 3);
	ck_assert_uint_eq(res.nr_damaged, 1);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_log_buf_wrap_marker_where_none_can_be)
{
	struct printk_result res;
	struct lsim s;
	uint32_t idx;

	lsim_fill(&s);
	// A zero len after the wrap: the walk would go around again.
	idx = lsim_index(&s, (int)(s.next_seq - s.lb.first_seq) - 2);
	ck_assert_uint_lt(idx, s.lb.next_idx);
	put(LOG_BUF + idx + LL.len, 0, 2);
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, s.next_seq - s.lb.first_seq - 2);
	ck_assert_uint_eq(res.nr_damaged, 1);
	ck_assert_msg(strstr(res.damage, "second wrap"), "%s", res.damage);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_log_buf_record_crossing_next_idx)
{
	struct printk_result res;
	struct lsim s;
	uint32_t idx;

	lsim_fill(&s);
	idx = lsim_index(&s, (int)(s.next_seq - s.lb.first_seq) - 1);
	put(LOG_BUF + idx + LL.len, (uint32_t)get(LOG_BUF + idx + LL.len, 2) + 8, 2);
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, s.next_seq - s.lb.first_seq - 1);
	ck_assert_uint_eq(res.nr_damaged, 1);
	printk_result_deinit(&res);
}
END_TEST

START_TEST(damage_log_buf_indexes_outside_the_buffer_is_an_error)
{
	struct printk_result res;
	struct lsim s;

	lsim_fill(&s);
	s.lb.first_idx = s.lb.buf_len + 4;
	vmt_ck_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res),
		   VMT_ERROR_BAD_DATA);
}
END_TEST

START_TEST(damage_log_buf_unreadable_stops_with_what_was_read)
{
	struct printk_result res;
	struct lsim s;

	lsim_fill(&s);
	hole_lo = LOG_BUF + lsim_index(&s, 4);
	hole_hi = hole_lo + 1;
	vmt_ck_no_err(printk_log_buf_parse(&LL, mem_read, NULL, &s.lb, &res));
	ck_assert_uint_eq(res.nr, 4);
	ck_assert_uint_eq(res.nr_damaged, 1);
	printk_result_deinit(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("printk");
	TCase *ring = tcase_create("ring");
	TCase *damage = tcase_create("damage");
	TCase *format = tcase_create("format");
	TCase *logbuf = tcase_create("log_buf");

	tcase_add_test(ring, reads_a_fresh_ring_in_order);
	tcase_add_test(ring, reads_an_empty_ring);
	tcase_add_test(ring, reads_wrapped_data_blocks_and_reused_descriptors);
	tcase_add_test(ring, skips_the_descriptor_being_reserved);
	tcase_add_test(ring, reads_committed_but_not_reserved_or_reusable_records);
	tcase_add_test(ring, reads_data_less_records);
	tcase_add_test(ring, reads_levels_callers_and_dev_info);
	suite_add_tcase(s, ring);

	tcase_add_checked_fixture(damage, damaged_setup, NULL);
	tcase_add_test(damage, damage_unaligned_lpos);
	tcase_add_test(damage, damage_lpos_beyond_the_head);
	tcase_add_test(damage, damage_lpos_wraps_apart);
	tcase_add_test(damage, damage_text_len_past_the_block);
	tcase_add_test(damage, damage_block_id_mismatch);
	tcase_add_test(damage, damage_sequence_number_of_another_descriptor);
	tcase_add_test(damage, damage_state_var_with_a_foreign_id);
	tcase_add_test(damage, damage_odd_data_less_lpos);
	tcase_add_test(damage, damage_ids_out_of_range_reads_the_last_count);
	tcase_add_test(damage, damage_unreadable_descriptors_end_quietly);
	tcase_add_test(damage, damage_one_unreadable_data_page);
	tcase_add_test(damage, damage_count_bits_beyond_any_kernel_is_an_error);
	tcase_add_test(damage, damage_layout_outside_its_struct_is_an_error);
	tcase_add_test(damage, damage_unreadable_ring_is_an_error);
	suite_add_tcase(s, damage);

	tcase_add_test(format, formats_like_dmesg);
	tcase_add_test(format, formats_each_line_with_the_prefix);
	tcase_add_test(format, formats_level_caller_and_no_time);
	tcase_add_test(format, formats_wall_clock_and_dictionary);
	suite_add_tcase(s, format);

	tcase_add_test(logbuf, reads_log_buf_across_its_wrap);
	tcase_add_test(logbuf, reads_log_buf_dictionaries_and_no_caller_ids);
	tcase_add_test(logbuf, damage_log_buf_len_past_the_buffer_keeps_the_records_before);
	tcase_add_test(logbuf, damage_log_buf_text_len_past_its_record);
	tcase_add_test(logbuf, damage_log_buf_wrap_marker_where_none_can_be);
	tcase_add_test(logbuf, damage_log_buf_record_crossing_next_idx);
	tcase_add_test(logbuf, damage_log_buf_indexes_outside_the_buffer_is_an_error);
	tcase_add_test(logbuf, damage_log_buf_unreadable_stops_with_what_was_read);
	suite_add_tcase(s, logbuf);
	return vmt_ck_run(s);
}

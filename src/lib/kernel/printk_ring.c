// The lockless printk ring buffer, read as prb_read_valid() would on a
// stopped machine. Since Linux kernel commit b6cf8b3f3312 ("printk: add
// lockless ringbuffer") and 896fbe20b4e2 ("printk: use the lockless
// ringbuffer") (in v5.10), with the dictionary as dev_printk_info since
// 74caba7f2a06 ("printk: move dictionary keys to dev_printk_info") (also
// v5.10). Facts used (kernel/printk/printk_ringbuffer.[ch]):
// - a descriptor's state_var holds its id in the low 62 bits and its state
//   (reserved 0, committed 1, finalized 2, reusable 3) in the top two;
//   descriptor and info of id (and of seq) live at index id & (count - 1);
// - the live ids run from tail_id to head_id; the descriptor being reserved
//   at the head may still carry the id of the previous wrap;
// - a data block at lpos begin is an unsigned long id then the text; a
//   block whose next lpos is in the following wrap starts at index 0; lpos
//   values are aligned to the id size; begin and next both odd mean no data
//   block: 0x3/0x3 is an empty line, 0x1/0x1 lost data (dmesg skips it).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/printk_parse.h"

#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK (~((uint64_t)3 << DESC_FLAGS_SHIFT))
#define DESC_COMMITTED 1
#define DESC_FINALIZED 2
#define FAILED_LPOS 0x1ULL
#define EMPTY_LINE_LPOS 0x3ULL
#define ID_SIZE 8 // sizeof(unsigned long) on arm64

// log_buf_len is at most 1 << 31 (LOG_BUF_LEN_MAX) and a descriptor serves
// 1 << PRB_AVGBITS (32) bytes of it.
#define MAX_SIZE_BITS 31
#define MAX_COUNT_BITS (MAX_SIZE_BITS - 5)
// No printk_info or prb_desc comes near this; it bounds a corrupt SIZE().
#define MAX_STRUCT_SIZE 4096
// The smallest page size (arm64 4K granule): a read that fails fails for
// the rest of its page.
#define MIN_PAGE_SIZE 4096

struct ring {
	const struct printk_ring_layout *l;
	kread_fn *read;
	void *arg;
	uint64_t count;
	uint64_t descs, infos;
	uint64_t head_id, tail_id;
	uint64_t size;
	uint64_t data;
	uint64_t head_lpos, tail_lpos;
	struct kwindow descw, infow, dataw;
	uint8_t *info;
	char *text;
	// Set by read_record() when the descriptor cannot be read.
	bool desc_unreadable;
};

static struct vmt_error *read_u64(struct ring *r, uint64_t addr,
				  uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = r->read(r->arg, addr, b, 8);

	if (err)
		return err;
	*ret = load_le64(b);
	return NULL;
}

static struct vmt_error *read_u32(struct ring *r, uint64_t addr,
				  uint32_t *ret)
{
	uint8_t b[4];
	struct vmt_error *err = r->read(r->arg, addr, b, 4);

	if (err)
		return err;
	*ret = load_le32(b);
	return NULL;
}

// Whether every member lies inside its struct, so that reads of a
// descriptor or an info (sized by the layout) cover what is used.
static bool layout_sound(const struct printk_ring_layout *l)
{
	const uint64_t lim = MAX_STRUCT_SIZE;

	if (l->desc_size > lim || l->info_size > lim)
		return false;
	if (l->desc_state_var + l->atomic_counter + 8 > l->desc_size ||
	    l->desc_text_blk_lpos + 16 > l->desc_size ||
	    l->lpos_begin + 8 > 16 || l->lpos_next + 8 > 16)
		return false;
	if (l->info_seq + 8 > l->info_size ||
	    l->info_ts_nsec + 8 > l->info_size ||
	    l->info_text_len + 2 > l->info_size ||
	    l->info_caller_id + 4 > l->info_size ||
	    l->info_facility >= l->info_size ||
	    l->info_flags_level >= l->info_size ||
	    l->flags_shift + l->flags_bits > 8 ||
	    l->level_shift + l->level_bits > 8)
		return false;
	if (l->has_dev_info &&
	    (l->info_dev_info + l->dev_subsystem + l->subsystem_len >
		     l->info_size ||
	     l->info_dev_info + l->dev_device + l->device_len > l->info_size))
		return false;
	return l->atomic_counter <= 8;
}

// The ring's own fields: counts, arrays and positions.
static struct vmt_error *read_header(struct ring *r, uint64_t rb)
{
	const struct printk_ring_layout *l = r->l;
	uint64_t dr = rb + l->rb_desc_ring, tr = rb + l->rb_text_data_ring;
	uint32_t count_bits, size_bits;
	struct vmt_error *err;

	err = read_u32(r, dr + l->dr_count_bits, &count_bits);
	if (!err)
		err = read_u64(r, dr + l->dr_descs, &r->descs);
	if (!err)
		err = read_u64(r, dr + l->dr_infos, &r->infos);
	if (!err)
		err = read_u64(r, dr + l->dr_head_id + l->atomic_counter,
			       &r->head_id);
	if (!err)
		err = read_u64(r, dr + l->dr_tail_id + l->atomic_counter,
			       &r->tail_id);
	if (!err)
		err = read_u32(r, tr + l->data_size_bits, &size_bits);
	if (!err)
		err = read_u64(r, tr + l->data_data, &r->data);
	if (!err)
		err = read_u64(r, tr + l->data_head_lpos + l->atomic_counter,
			       &r->head_lpos);
	if (!err)
		err = read_u64(r, tr + l->data_tail_lpos + l->atomic_counter,
			       &r->tail_lpos);
	if (err)
		return vmt_error_wrap(err, "printk ring buffer at %#" PRIx64,
				      rb);
	if (count_bits > MAX_COUNT_BITS || size_bits < 4 ||
	    size_bits > MAX_SIZE_BITS)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"printk ring buffer at %#" PRIx64
					": count_bits %u or size_bits %u out of range (at most %u and 4..%u)",
					rb, count_bits, size_bits,
					MAX_COUNT_BITS, MAX_SIZE_BITS);
	if (!r->descs || !r->infos || !r->data)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"printk ring buffer at %#" PRIx64
					": NULL descs, infos or data",
					rb);
	if (!layout_sound(l))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"printk ring layout: a member of prb_desc (%" PRIu64
					" bytes) or printk_info (%" PRIu64
					" bytes) lies outside it",
					l->desc_size, l->info_size);
	r->count = 1ULL << count_bits;
	r->size = 1ULL << size_bits;
	r->head_id &= DESC_ID_MASK;
	r->tail_id &= DESC_ID_MASK;
	return NULL;
}

// Where a data block lies (offset in the ring and size), as get_data():
// NULL, or why the block cannot be one the kernel wrote.
static const char *block_of(struct ring *r, uint64_t begin, uint64_t next,
			    uint64_t *off_ret, uint64_t *size_ret)
{
	uint64_t mask = r->size - 1;

	if (begin % ID_SIZE || next % ID_SIZE)
		return "lpos not aligned to the id size";
	// Live data lies in the last DATA_SIZE bytes before head_lpos.
	if (r->head_lpos - begin > r->size || r->head_lpos - next > r->size ||
	    next - begin > r->size || next == begin)
		return "lpos outside the data ring's live range";
	if (begin / r->size == next / r->size) {
		*off_ret = begin & mask;
		*size_ret = next - begin;
	} else if ((begin + r->size) / r->size == next / r->size) {
		// A wrapping block keeps its data at the start of the ring.
		*off_ret = 0;
		*size_ret = next & mask;
	} else {
		return "begin and next lpos more than one wrap apart";
	}
	if (*size_ret < ID_SIZE)
		return "data block smaller than its id";
	return NULL;
}

static struct vmt_error *read_record(struct ring *r, uint64_t id,
				     struct printk_result *res)
{
	const struct printk_ring_layout *l = r->l;
	uint64_t idx = id & (r->count - 1);
	uint8_t desc[32], idb[ID_SIZE];
	uint64_t sv, begin, next, off, size, blk_id;
	struct vmt_log_record rec = { 0 };
	const char *subsystem = NULL, *device = NULL;
	size_t subsystem_len = 0, device_len = 0;
	uint16_t text_len;
	const char *why;
	struct vmt_error *err;
	uint8_t byte;

	// state_var and text_blk_lpos (the members this needs) of descs[idx].
	err = kwindow_read(&r->descw, r->descs + idx * l->desc_size +
			   l->desc_state_var + l->atomic_counter, desc, 8);
	if (!err)
		err = kwindow_read(&r->descw, r->descs + idx * l->desc_size +
				   l->desc_text_blk_lpos, desc + 8, 16);
	if (err) {
		printk_result_damage(res, "desc[%" PRIu64 "] (id %#" PRIx64
				     "): unreadable: %s", idx, id,
				     err->message);
		vmt_error_destroy(err);
		r->desc_unreadable = true;
		return NULL;
	}
	sv = load_le64(desc);
	if ((sv & DESC_ID_MASK) != id) {
		// Not yet reserved again (the head being reserved): no record.
		if ((sv & DESC_ID_MASK) == ((id - r->count) & DESC_ID_MASK))
			return NULL;
		printk_result_damage(res, "desc[%" PRIu64 "]: state_var id %#"
				     PRIx64 ", expected %#" PRIx64
				     " (tail_id %#" PRIx64 ", head_id %#"
				     PRIx64 ")", idx, sv & DESC_ID_MASK, id,
				     r->tail_id, r->head_id);
		return NULL;
	}
	if (sv >> DESC_FLAGS_SHIFT != DESC_COMMITTED &&
	    sv >> DESC_FLAGS_SHIFT != DESC_FINALIZED)
		return NULL;
	begin = load_le64(desc + 8 + l->lpos_begin);
	next = load_le64(desc + 8 + l->lpos_next);

	err = kwindow_read(&r->infow, r->infos + idx * l->info_size, r->info,
			   l->info_size);
	if (err) {
		printk_result_damage(res, "info[%" PRIu64 "] (id %#" PRIx64
				     "): unreadable: %s", idx, id,
				     err->message);
		vmt_error_destroy(err);
		return NULL;
	}
	rec.seq = load_le64(r->info + l->info_seq);
	if ((rec.seq & (r->count - 1)) != idx) {
		printk_result_damage(res, "desc[%" PRIu64 "] (id %#" PRIx64
				     "): sequence number %" PRIu64
				     " belongs to another descriptor",
				     idx, id, rec.seq);
		return NULL;
	}
	rec.ts_nsec = load_le64(r->info + l->info_ts_nsec);
	text_len = load_le16(r->info + l->info_text_len);
	rec.facility = r->info[l->info_facility];
	byte = r->info[l->info_flags_level];
	rec.flags = printk_bits(byte, l->flags_shift, l->flags_bits);
	rec.level = printk_bits(byte, l->level_shift, l->level_bits);
	rec.has_caller_id = true;
	rec.caller_id = load_le32(r->info + l->info_caller_id);
	if (l->has_dev_info) {
		subsystem = (const char *)r->info + l->info_dev_info +
			    l->dev_subsystem;
		subsystem_len = strnlen(subsystem, l->subsystem_len);
		device = (const char *)r->info + l->info_dev_info +
			 l->dev_device;
		device_len = strnlen(device, l->device_len);
	}

	if ((begin & 1) && (next & 1)) {
		if (begin == EMPTY_LINE_LPOS && next == EMPTY_LINE_LPOS)
			return printk_result_add(res, &rec, "", 0, subsystem,
						 subsystem_len, device,
						 device_len);
		if (begin != FAILED_LPOS || next != FAILED_LPOS)
			printk_result_damage(res, "desc[%" PRIu64 "] (id %#"
					     PRIx64 "): data-less lpos %#"
					     PRIx64 "/%#" PRIx64
					     " is neither lost nor empty",
					     idx, id, begin, next);
		else
			res->nr_lost++;
		return NULL;
	}
	why = block_of(r, begin, next, &off, &size);
	if (!why && size - ID_SIZE < text_len)
		why = "text_len past the end of its data block";
	if (why) {
		printk_result_damage(res, "desc[%" PRIu64 "] (id %#" PRIx64
				     ", seq %" PRIu64 "): %s (lpos %#" PRIx64
				     "..%#" PRIx64 ", text_len %u, data ring %#"
				     PRIx64 " bytes, head_lpos %#" PRIx64 ")",
				     idx, id, rec.seq, why, begin, next,
				     text_len, r->size, r->head_lpos);
		return NULL;
	}
	err = kwindow_read(&r->dataw, r->data + off, idb, ID_SIZE);
	if (!err && text_len)
		err = kwindow_read(&r->dataw, r->data + off + ID_SIZE, r->text,
				   text_len);
	if (err) {
		printk_result_damage(res, "desc[%" PRIu64 "] (id %#" PRIx64
				     "): data block at %#" PRIx64
				     " unreadable: %s", idx, id, r->data + off,
				     err->message);
		vmt_error_destroy(err);
		return NULL;
	}
	// data_alloc() writes the descriptor's id at the block it fills
	// (also at index 0 for a wrapping block): another id means the block
	// was overwritten or the lpos is wild.
	blk_id = load_le64(idb);
	if (blk_id != id) {
		printk_result_damage(res, "desc[%" PRIu64 "] (id %#" PRIx64
				     ", seq %" PRIu64 "): its data block at lpos %#"
				     PRIx64 " carries id %#" PRIx64,
				     idx, id, rec.seq, begin, blk_id);
		return NULL;
	}
	return printk_result_add(res, &rec, r->text, text_len, subsystem,
				 subsystem_len, device, device_len);
}

struct vmt_error *printk_ring_parse(const struct printk_ring_layout *l,
				    kread_fn *read, void *arg, uint64_t rb,
				    struct printk_result *ret)
{
	struct printk_result res = { 0 };
	struct ring r = { .l = l, .read = read, .arg = arg };
	struct vmt_error *err;
	uint64_t n, id;

	err = read_header(&r, rb);
	if (err)
		return err;
	r.info = malloc(l->info_size);
	r.text = malloc(UINT16_MAX + 1);
	err = r.info && r.text ? NULL : &vmt_enomem;
	if (!err)
		err = kwindow_init(&r.descw, read, arg, r.descs,
				   r.descs + r.count * l->desc_size);
	if (!err)
		err = kwindow_init(&r.infow, read, arg, r.infos,
				   r.infos + r.count * l->info_size);
	if (!err)
		err = kwindow_init(&r.dataw, read, arg, r.data,
				   r.data + r.size);
	if (err)
		goto out;
	// tail_id .. head_id, never more ids than descriptors.
	n = ((r.head_id - r.tail_id) & DESC_ID_MASK) + 1;
	id = r.tail_id;
	if (n > r.count) {
		printk_result_damage(&res, "tail_id %#" PRIx64 " and head_id %#"
				     PRIx64 " are %" PRIu64
				     " ids apart, more than the %" PRIu64
				     " descriptors: reading the last %" PRIu64,
				     r.tail_id, r.head_id, n - 1, r.count,
				     r.count);
		n = r.count;
		id = (r.head_id - r.count + 1) & DESC_ID_MASK;
	}
	for (uint64_t i = 0; i < n && !err; i++, id = (id + 1) & DESC_ID_MASK) {
		uint64_t addr, skip;

		r.desc_unreadable = false;
		err = read_record(&r, id, &res);
		if (err || !r.desc_unreadable)
			continue;
		// The rest of an unreadable page of descriptors is unreadable
		// too: count it without reading it, so that a huge claimed
		// ring of missing pages costs one read per page, not one per
		// descriptor.
		addr = r.descs + (id & (r.count - 1)) * l->desc_size;
		// (Only a descriptor within one page says its page failed.)
		if (!l->desc_size ||
		    (addr ^ (addr + l->desc_size - 1)) >= MIN_PAGE_SIZE)
			continue;
		skip = ((addr | (MIN_PAGE_SIZE - 1)) + 1 - addr) /
		       l->desc_size - 1;
		if (skip > n - 1 - i)
			skip = n - 1 - i;
		if (skip > r.count - 1 - (id & (r.count - 1)))
			skip = r.count - 1 - (id & (r.count - 1));
		res.nr_damaged += skip;
		i += skip;
		id = (id + skip) & DESC_ID_MASK;
	}
	if (!err)
		printk_result_sort(&res);
out:
	kwindow_deinit(&r.descw);
	kwindow_deinit(&r.infow);
	kwindow_deinit(&r.dataw);
	free(r.info);
	free(r.text);
	if (err) {
		printk_result_deinit(&res);
		return err;
	}
	*ret = res;
	return NULL;
}

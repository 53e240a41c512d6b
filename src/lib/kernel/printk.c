// Finding the kernel log in a dump: which format, where, and its layout
// (VMCOREINFO first: the kernel exports the ring's layout there for
// exactly this; types only for what it leaves out).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debuginfo/typedb.h"
#include "kernel/printk.h"

// Counts where the layout values came from, for the source text.
struct layout_src {
	struct kernel *k;
	const struct vmcoreinfo *vi;
	int from_vmcoreinfo, from_types;
	const char *missing;
};

static bool get_offset(struct layout_src *s, const char *type,
		       const char *member, uint64_t *ret)
{
	char key[96];

	snprintf(key, sizeof(key), "%s.%s", type, member);
	if (vmcoreinfo_offset(s->vi, key, ret)) {
		s->from_vmcoreinfo++;
		return true;
	}
	if (vmt_error_ok(kernel_member_offset(s->k, type, member, ret))) {
		s->from_types++;
		return true;
	}
	return false;
}

static bool get_size(struct layout_src *s, const char *type, uint64_t *ret)
{
	if (vmcoreinfo_size(s->vi, type, ret)) {
		s->from_vmcoreinfo++;
		return true;
	}
	if (vmt_error_ok(kernel_type_size(s->k, type, ret))) {
		s->from_types++;
		return true;
	}
	return false;
}

// A required offset: remember the first one missing.
static void need_offset(struct layout_src *s, const char *type,
			const char *member, uint64_t *ret)
{
	static char missing[96];

	if (!get_offset(s, type, member, ret) && !s->missing) {
		snprintf(missing, sizeof(missing), "OFFSET(%s.%s)", type,
			 member);
		s->missing = missing;
	}
}

static void need_size(struct layout_src *s, const char *type, uint64_t *ret)
{
	static char missing[96];

	if (!get_size(s, type, ret) && !s->missing) {
		snprintf(missing, sizeof(missing), "SIZE(%s)", type);
		s->missing = missing;
	}
}

// A bitfield (or byte) member of a struct from the types: its byte, shift
// and width. VMCOREINFO never exports these.
static bool type_bits(struct kernel *k, const char *type, const char *member,
		      uint64_t *byte_ret, unsigned int *shift_ret,
		      unsigned int *bits_ret)
{
	const struct vmt_type_member *m;
	const struct vmt_type *t;
	uint64_t bit_offset;
	unsigned int bits;
	char name[96];

	snprintf(name, sizeof(name), "struct %s", type);
	if (!vmt_error_ok(kernel_find_type(k, name, &t)) ||
	    !vmt_error_ok(type_member(t, member, &bit_offset, &m)))
		return false;
	bits = m->bit_size ? m->bit_size : 8;
	if (bit_offset % 8 + bits > 8)
		return false;
	*byte_ret = bit_offset / 8;
	*shift_ret = bit_offset % 8;
	*bits_ret = bits;
	return true;
}

bool printk_bits_from_types(struct kernel *k, const char *type,
			    struct printk_bits *ret)
{
	struct printk_bits b;
	uint64_t fl_byte;
	unsigned int s, n;

	if (!type_bits(k, type, "facility", &b.facility, &s, &n) || s || n != 8 ||
	    !type_bits(k, type, "flags", &fl_byte, &b.flags_shift,
		       &b.flags_bits) ||
	    !type_bits(k, type, "level", &b.flags_level, &b.level_shift,
		       &b.level_bits) ||
	    fl_byte != b.flags_level)
		return false;
	*ret = b;
	return true;
}

// facility (u8), then flags:5 and level:3 sharing the next byte, right
// after text_len (printk_info, 5.10+) or dict_len (printk_log, 3.5+): the
// layout every such kernel has. Where VMCOREINFO shows exactly those two
// bytes there (the next member where it should be), that layout is taken
// without loading types; else the types decide.
static const char *facility_level(struct kernel *k, const char *type,
				  uint64_t after, bool two_bytes_there,
				  struct printk_bits *ret)
{
	if (!two_bytes_there && printk_bits_from_types(k, type, ret))
		return "the types";
	ret->facility = after;
	ret->flags_level = after + 1;
	ret->flags_shift = 0;
	ret->flags_bits = 5;
	ret->level_shift = 5;
	ret->level_bits = 3;
	return two_bytes_there ?
		       "the two bytes VMCOREINFO leaves between its members (u8 facility; u8 flags:5, level:3)" :
		       "the layout of 5.10+ (no type has them)";
}

struct vmt_error *printk_ring_layout_init(struct kernel *k,
					  const struct vmcoreinfo *vi,
					  struct printk_ring_layout *ret,
					  char *how, size_t how_size)
{
	struct layout_src s = { .k = k, .vi = vi };
	struct printk_ring_layout l = { 0 };
	struct printk_bits bits;
	const char *fl;

	need_offset(&s, "printk_ringbuffer", "desc_ring", &l.rb_desc_ring);
	need_offset(&s, "printk_ringbuffer", "text_data_ring",
		    &l.rb_text_data_ring);
	need_offset(&s, "prb_desc_ring", "count_bits", &l.dr_count_bits);
	need_offset(&s, "prb_desc_ring", "descs", &l.dr_descs);
	need_offset(&s, "prb_desc_ring", "infos", &l.dr_infos);
	need_offset(&s, "prb_desc_ring", "head_id", &l.dr_head_id);
	need_offset(&s, "prb_desc_ring", "tail_id", &l.dr_tail_id);
	need_size(&s, "prb_desc", &l.desc_size);
	need_offset(&s, "prb_desc", "state_var", &l.desc_state_var);
	need_offset(&s, "prb_desc", "text_blk_lpos", &l.desc_text_blk_lpos);
	need_offset(&s, "prb_data_blk_lpos", "begin", &l.lpos_begin);
	need_offset(&s, "prb_data_blk_lpos", "next", &l.lpos_next);
	need_size(&s, "printk_info", &l.info_size);
	need_offset(&s, "printk_info", "seq", &l.info_seq);
	need_offset(&s, "printk_info", "ts_nsec", &l.info_ts_nsec);
	need_offset(&s, "printk_info", "text_len", &l.info_text_len);
	need_offset(&s, "printk_info", "caller_id", &l.info_caller_id);
	need_offset(&s, "prb_data_ring", "size_bits", &l.data_size_bits);
	need_offset(&s, "prb_data_ring", "data", &l.data_data);
	need_offset(&s, "prb_data_ring", "head_lpos", &l.data_head_lpos);
	need_offset(&s, "prb_data_ring", "tail_lpos", &l.data_tail_lpos);
	// atomic_long_t is { s64 counter; } on every 64-bit kernel.
	if (!get_offset(&s, "atomic_long_t", "counter", &l.atomic_counter))
		l.atomic_counter = 0;
	if (s.missing)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"printk ring layout: %s is not in VMCOREINFO and no type gives it",
					s.missing);
	l.has_dev_info =
		get_offset(&s, "printk_info", "dev_info", &l.info_dev_info) &&
		get_offset(&s, "dev_printk_info", "subsystem",
			   &l.dev_subsystem) &&
		get_offset(&s, "dev_printk_info", "device", &l.dev_device);
	if (l.has_dev_info &&
	    !vmcoreinfo_length(vi, "printk_info_subsystem", &l.subsystem_len))
		l.subsystem_len = 16; // char subsystem[PRINTK_INFO_SUBSYSTEM_LEN]
	if (l.has_dev_info &&
	    !vmcoreinfo_length(vi, "printk_info_device", &l.device_len))
		l.device_len = 48; // char device[PRINTK_INFO_DEVICE_LEN]
	fl = facility_level(k, "printk_info", l.info_text_len + 2,
			    l.info_caller_id == l.info_text_len + 4, &bits);
	l.info_facility = bits.facility;
	l.info_flags_level = bits.flags_level;
	l.flags_shift = bits.flags_shift;
	l.flags_bits = bits.flags_bits;
	l.level_shift = bits.level_shift;
	l.level_bits = bits.level_bits;
	snprintf(how, how_size,
		 "%d values from VMCOREINFO SIZE/OFFSET lines, %d from the types; facility and level from %s",
		 s.from_vmcoreinfo, s.from_types, fl);
	*ret = l;
	return NULL;
}

struct vmt_error *printk_log_layout_init(struct kernel *k,
					 const struct vmcoreinfo *vi,
					 struct printk_log_layout *ret,
					 char *how, size_t how_size)
{
	// "struct log" until Linux kernel commit 62e32ac3505a ("printk:
	// rename struct log to struct printk_log") (in v3.11).
	static const char *const names[] = { "printk_log", "log" };
	struct layout_src s = { .k = k, .vi = vi };
	struct printk_log_layout l = { 0 };
	struct printk_bits bits;
	const char *name = NULL, *fl;

	for (size_t i = 0; i < 2 && !name; i++) {
		s.missing = NULL;
		s.from_vmcoreinfo = s.from_types = 0;
		need_size(&s, names[i], &l.hdr_size);
		need_offset(&s, names[i], "ts_nsec", &l.ts_nsec);
		need_offset(&s, names[i], "len", &l.len);
		need_offset(&s, names[i], "text_len", &l.text_len);
		need_offset(&s, names[i], "dict_len", &l.dict_len);
		if (!s.missing)
			name = names[i];
	}
	if (!name)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"log_buf layout: %s is not in VMCOREINFO and no type gives it",
					s.missing);
	// caller_id follows the flags byte with CONFIG_PRINTK_CALLER (5.1+),
	// which is how SIZE() grows past it.
	l.has_caller_id = get_offset(&s, name, "caller_id", &l.caller_id);
	if (!l.has_caller_id && l.hdr_size >= l.dict_len + 8) {
		l.has_caller_id = true;
		l.caller_id = l.dict_len + 4;
	}
	fl = facility_level(k, name, l.dict_len + 2,
			    l.hdr_size >= l.dict_len + 4 &&
				    (!l.has_caller_id ||
				     l.caller_id == l.dict_len + 4),
			    &bits);
	l.facility = bits.facility;
	l.flags_level = bits.flags_level;
	l.flags_shift = bits.flags_shift;
	l.flags_bits = bits.flags_bits;
	l.level_shift = bits.level_shift;
	l.level_bits = bits.level_bits;
	snprintf(how, how_size,
		 "struct %s: %d values from VMCOREINFO SIZE/OFFSET lines, %d from the types; facility and level from %s",
		 name, s.from_vmcoreinfo, s.from_types, fl);
	*ret = l;
	return NULL;
}

// A symbol from VMCOREINFO's SYMBOL() lines first (no kallsyms to
// decode), else any source.
static bool find_symbol(struct kernel *k, const struct vmcoreinfo *vi,
			const char *name, uint64_t *ret)
{
	return vmcoreinfo_symbol(vi, name, ret) ||
	       vmt_error_ok(kernel_symbol(k, name, ret));
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

static struct vmt_error *load_ring(struct kernel *k,
				   const struct vmcoreinfo *vi, uint64_t prb,
				   struct printk_result *res, char *source,
				   size_t source_size)
{
	struct printk_ring_layout l;
	char how[256];
	uint64_t rb, rb_static = 0;
	struct vmt_error *err;

	err = printk_ring_layout_init(k, vi, &l, how, sizeof(how));
	if (err)
		return err;
	err = kernel_read_u64(k, prb, &rb);
	if (err)
		return vmt_error_wrap(err, "prb at %#" PRIx64, prb);
	err = printk_ring_parse(&l, kread, k, rb, res);
	if (err)
		return err;
	// prb points at the static ring until setup_log_buf() installs a
	// bigger one (log_buf_len= or many CPUs).
	if (!find_symbol(k, vi, "printk_rb_static", &rb_static))
		rb_static = 0;
	snprintf(source, source_size,
		 "printk ring buffer at %#" PRIx64 " (prb -> %s); layout: %s",
		 rb, rb == rb_static ? "printk_rb_static" :
		 rb_static ? "the ring setup_log_buf() allocated" :
		 "a ring; printk_rb_static unknown",
		 how);
	return NULL;
}

static struct vmt_error *load_log_buf(struct kernel *k,
				      const struct vmcoreinfo *vi,
				      uint64_t log_buf,
				      struct printk_result *res, char *source,
				      size_t source_size)
{
	struct printk_log_layout l;
	struct printk_log_buf lb = { 0 };
	uint64_t len_addr, first_addr, next_addr, seq_addr;
	char how[256];
	struct vmt_error *err;

	err = printk_log_layout_init(k, vi, &l, how, sizeof(how));
	if (!err && (!find_symbol(k, vi, "log_buf_len", &len_addr) ||
		     !find_symbol(k, vi, "log_first_idx", &first_addr) ||
		     !find_symbol(k, vi, "log_next_idx", &next_addr)))
		err = vmt_error_format(VMT_ERROR_NOT_FOUND,
				       "log_buf_len, log_first_idx or log_next_idx is in neither VMCOREINFO nor the symbols");
	if (!err)
		err = kernel_read_u64(k, log_buf, &lb.buf);
	if (!err)
		err = kernel_read_u32(k, len_addr, &lb.buf_len);
	if (!err)
		err = kernel_read_u32(k, first_addr, &lb.first_idx);
	if (!err)
		err = kernel_read_u32(k, next_addr, &lb.next_idx);
	if (err)
		return vmt_error_wrap(err, "log_buf");
	// The first record's number is not in VMCOREINFO; kallsyms may have it.
	if (vmt_error_ok(kernel_symbol(k, "log_first_seq", &seq_addr)))
		vmt_error_ok(kernel_read_u64(k, seq_addr, &lb.first_seq));
	err = printk_log_buf_parse(&l, kread, k, &lb, res);
	if (err)
		return err;
	snprintf(source, source_size,
		 "log_buf at %#" PRIx64 " (%u bytes, records from index %u to %u%s); layout: %s",
		 lb.buf, lb.buf_len, lb.first_idx, lb.next_idx,
		 lb.first_seq ? "" : ", numbered from 0", how);
	return NULL;
}

struct vmt_error *printk_load(struct kernel *k, const struct vmcoreinfo *vi,
			      struct printk_result *res, struct vmt_log *ret,
			      char *source, size_t source_size)
{
	uint64_t addr;
	struct vmt_error *err;

	memset(ret, 0, sizeof(*ret));
	if (find_symbol(k, vi, "prb", &addr)) {
		err = load_ring(k, vi, addr, res, source, source_size);
		ret->format = "printk_ringbuffer";
	} else if (find_symbol(k, vi, "log_buf", &addr)) {
		err = load_log_buf(k, vi, addr, res, source, source_size);
		ret->format = "log_buf";
	} else {
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"no kernel log: neither prb (5.10+) nor log_buf is in VMCOREINFO or the symbols");
	}
	if (err)
		return vmt_error_wrap(err, "kernel log");
	if (res->nr_damaged)
		kernel_warn(k, "kernel log: %zu damaged record%s skipped, the first: %s",
			    res->nr_damaged, res->nr_damaged == 1 ? "" : "s",
			    res->damage);
	ret->records = res->records;
	ret->nr_records = res->nr;
	ret->source = source;
	ret->nr_lost = res->nr_lost;
	ret->nr_damaged = res->nr_damaged;
	return NULL;
}

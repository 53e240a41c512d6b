// The kernel log: the lockless printk ring buffer (Linux 5.10+) and the
// variable-length log_buf (3.5 - 5.9). The parsers read through kread_fn
// and know only the offsets they are given, so a test or a fuzzer can hand
// them a ring laid out in a buffer.
#ifndef VMT_KERNEL_PRINTK_H
#define VMT_KERNEL_PRINTK_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/kread.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/log.h"

/**
 * Byte offsets and sizes of the ring buffer's structures
 * (kernel/printk/printk_ringbuffer.h), as VMCOREINFO or BTF give them.
 */
struct printk_ring_layout {
	/** struct printk_ringbuffer: desc_ring, text_data_ring. */
	uint64_t rb_desc_ring;
	uint64_t rb_text_data_ring;
	/** struct prb_desc_ring: count_bits, descs, infos, head_id, tail_id. */
	uint64_t dr_count_bits;
	uint64_t dr_descs;
	uint64_t dr_infos;
	uint64_t dr_head_id;
	uint64_t dr_tail_id;
	/** struct prb_desc: its size (the array stride), state_var, text_blk_lpos. */
	uint64_t desc_size;
	uint64_t desc_state_var;
	uint64_t desc_text_blk_lpos;
	/** struct prb_data_blk_lpos: begin, next. */
	uint64_t lpos_begin;
	uint64_t lpos_next;
	/** struct printk_info: its size (the array stride) and members. */
	uint64_t info_size;
	uint64_t info_seq;
	uint64_t info_ts_nsec;
	uint64_t info_text_len;
	uint64_t info_caller_id;
	/** The byte holding the u8 facility. */
	uint64_t info_facility;
	/** The byte holding the bitfields flags:5 and level:3, and their bits. */
	uint64_t info_flags_level;
	unsigned int flags_shift, flags_bits;
	unsigned int level_shift, level_bits;
	/** struct printk_info.dev_info, and dev_printk_info's two strings. */
	bool has_dev_info;
	uint64_t info_dev_info;
	uint64_t dev_subsystem;
	uint64_t subsystem_len;
	uint64_t dev_device;
	uint64_t device_len;
	/** struct prb_data_ring: size_bits, data, head_lpos, tail_lpos. */
	uint64_t data_size_bits;
	uint64_t data_data;
	uint64_t data_head_lpos;
	uint64_t data_tail_lpos;
	/** atomic_long_t.counter. */
	uint64_t atomic_counter;
};

/**
 * Offsets of struct printk_log (the record header of log_buf,
 * kernel/printk/printk.c before 5.10).
 */
struct printk_log_layout {
	uint64_t hdr_size;
	uint64_t ts_nsec;
	uint64_t len;
	uint64_t text_len;
	uint64_t dict_len;
	uint64_t facility;
	uint64_t flags_level;
	unsigned int flags_shift, flags_bits;
	unsigned int level_shift, level_bits;
	bool has_caller_id;
	uint64_t caller_id;
};

/** Where log_buf lives, read from the kernel's variables. */
struct printk_log_buf {
	uint64_t buf;
	uint32_t buf_len;
	uint32_t first_idx;
	uint32_t next_idx;
	/** Sequence number of the record at first_idx (0 when unknown). */
	uint64_t first_seq;
};

/** The records read, and what was wrong (owned; printk_result_deinit()). */
struct printk_result {
	struct vmt_log_record *records;
	size_t nr;
	size_t cap;
	size_t nr_lost;
	size_t nr_damaged;
	/** What was wrong with the first damaged descriptor or header. */
	char damage[256];
};

void printk_result_deinit(struct printk_result *res);

/**
 * Read every record of the ring buffer at @p rb: committed and finalized
 * descriptors between tail_id and head_id whose state_var carries their
 * id, data blocks that wrap, data-less records; in sequence order. A
 * descriptor that is not sound is skipped and counted in nr_damaged (the
 * first described in damage); every loop is bounded by the ring's size.
 * Error only when the ring itself (its counts or arrays) cannot be used.
 *
 * @param[out] ret Written only on success.
 */
struct vmt_error *printk_ring_parse(const struct printk_ring_layout *l,
				    kread_fn *read, void *arg, uint64_t rb,
				    struct printk_result *ret);

/**
 * Read the records of log_buf from first_idx to next_idx (a zero len
 * wraps to the start), as log_from_idx()/log_next() before 5.10. A header
 * that is not sound ends the walk (what follows it cannot be found), with
 * the records before it kept and the damage counted.
 *
 * @param[out] ret Written only on success.
 */
struct vmt_error *printk_log_buf_parse(const struct printk_log_layout *l,
				       kread_fn *read, void *arg,
				       const struct printk_log_buf *lb,
				       struct printk_result *ret);

/** Where the facility byte and the flags:5/level:3 byte lie. */
struct printk_bits {
	uint64_t facility;
	uint64_t flags_level;
	unsigned int flags_shift, flags_bits;
	unsigned int level_shift, level_bits;
};

/** The facility and level bits of struct @p type from the types. */
bool printk_bits_from_types(struct kernel *k, const char *type,
			    struct printk_bits *ret);

/**
 * The ring layout from VMCOREINFO's SIZE/OFFSET lines, with BTF (or DWARF)
 * only for what a line does not give. printk_info's facility and level
 * are never exported: the two bytes between text_len and caller_id hold
 * them where VMCOREINFO shows exactly two bytes there, else the types say.
 *
 * @param how Filled with where the values came from.
 */
struct vmt_error *printk_ring_layout_init(struct kernel *k,
					  const struct vmcoreinfo *vi,
					  struct printk_ring_layout *ret,
					  char *how, size_t how_size);

/** The log_buf header layout from VMCOREINFO, types, or the 4.x layout. */
struct vmt_error *printk_log_layout_init(struct kernel *k,
					 const struct vmcoreinfo *vi,
					 struct printk_log_layout *ret,
					 char *how, size_t how_size);

/**
 * Find and read the log of the dump behind @p k: the ring at *prb, else
 * log_buf; a damaged part becomes one warning. @p ret's records and
 * strings are owned by @p res.
 */
struct vmt_error *printk_load(struct kernel *k, const struct vmcoreinfo *vi,
			      struct printk_result *res, struct vmt_log *ret,
			      char *source, size_t source_size);

#endif

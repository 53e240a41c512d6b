// What the two log parsers share (only printk_*.c include this): a
// windowed reader over one kernel array, and the growing record list.
#ifndef VMT_KERNEL_PRINTK_PARSE_H
#define VMT_KERNEL_PRINTK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/printk.h"

// Arrays are read this much at a time: one read per window instead of one
// per descriptor (thousands of them).
#define PRINTK_WINDOW (64 * 1024)

/** A cached window over the kernel array [lo, hi). */
struct kwindow {
	kread_fn *read;
	void *arg;
	uint64_t lo, hi;
	/** The bytes [base, base + len) are in buf. */
	uint64_t base;
	size_t len;
	/** A window starting at bad_base could not be read whole. */
	bool has_bad;
	uint64_t bad_base;
	uint8_t *buf;
};

/** Set up @p w over [@p lo, @p hi); NO_MEMORY if its buffer fails. */
struct vmt_error *kwindow_init(struct kwindow *w, kread_fn *read, void *arg,
			       uint64_t lo, uint64_t hi);
void kwindow_deinit(struct kwindow *w);

/**
 * Copy @p len bytes at @p addr (inside [lo, hi)) into @p out, from the
 * window, loading it when needed; a window that cannot be read whole
 * (an excluded page) falls back to reading just these bytes.
 */
struct vmt_error *kwindow_read(struct kwindow *w, uint64_t addr, void *out,
			       size_t len);

/**
 * Append a record: @p text (@p text_len bytes) and the dictionary strings
 * (NULL or "" for none) are copied into one allocation owned by @p res.
 */
struct vmt_error *printk_result_add(struct printk_result *res,
				    const struct vmt_log_record *rec,
				    const char *text, size_t text_len,
				    const char *subsystem, size_t subsystem_len,
				    const char *device, size_t device_len);

/** Count a damaged descriptor; the first one's description is kept. */
void printk_result_damage(struct printk_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Sort the records by sequence number and drop any that repeat a number
 * (counted as damage).
 */
void printk_result_sort(struct printk_result *res);

/** The bits [shift, shift + bits) of @p byte. */
static inline uint8_t printk_bits(uint8_t byte, unsigned int shift,
				  unsigned int bits)
{
	return (uint8_t)((byte >> shift) & ((1u << bits) - 1));
}

#endif

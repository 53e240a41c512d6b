/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file log.h
 * The kernel log (what dmesg shows) read from the dump: the lockless printk
 * ring buffer of Linux 5.10+ or the variable-length log_buf before it, as
 * records, and the kernel's own text format for them.
 */
#ifndef VMTOOL_LOG_H
#define VMTOOL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** One record of the kernel log. */
struct vmt_log_record {
	/** Sequence number (counts every record the kernel ever stored). */
	uint64_t seq;
	/** local_clock() when it was stored, in nanoseconds since boot. */
	uint64_t ts_nsec;
	/** Syslog level, 0 (KERN_EMERG) .. 7 (KERN_DEBUG). */
	uint8_t level;
	/** Syslog facility: 0 for the kernel, 1 (LOG_USER) for /dev/kmsg. */
	uint8_t facility;
	/** The kernel's internal record flags (LOG_NEWLINE, LOG_CONT, ...). */
	uint8_t flags;
	/** Whether the kernel recorded who called printk (5.1+). */
	bool has_caller_id;
	/**
	 * Who called printk: a thread id, or with bit 31 set the number of
	 * the CPU that printed from interrupt context.
	 */
	uint32_t caller_id;
	/**
	 * The text, without a trailing newline, NUL-terminated; it may hold
	 * newlines (each line is printed with the prefix).
	 */
	const char *text;
	/** Length of text in bytes, the terminating NUL not counted. */
	size_t text_len;
	/** dev_printk() dictionary: its SUBSYSTEM value, or NULL. */
	const char *subsystem;
	/** dev_printk() dictionary: its DEVICE value, or NULL. */
	const char *device;
};

/** The kernel log of a dump. */
struct vmt_log {
	/** Records in sequence order. */
	const struct vmt_log_record *records;
	/** Number of entries in records. */
	size_t nr_records;
	/** "printk_ringbuffer" (5.10+) or "log_buf" (3.5 - 5.9). */
	const char *format;
	/** Where the log and its layout came from, for `explain`-like output. */
	const char *source;
	/**
	 * Records whose text the kernel itself no longer had (data-less
	 * records: lost to a full ring); dmesg skips them too.
	 */
	size_t nr_lost;
	/**
	 * Descriptors or headers that were not sound (damaged memory); each
	 * is skipped and one warning names the first.
	 */
	size_t nr_damaged;
};

/**
 * The kernel log, read once and kept. Borrowed; valid as long as @p prog.
 * NOT_FOUND when the dump has neither a printk ring buffer nor a log_buf
 * (no VMCOREINFO and no symbols naming them).
 */
struct vmt_error *vmt_program_log(struct vmt_program *prog,
				  const struct vmt_log **ret);

/** What vmt_log_format_record() puts before each line. */
struct vmt_log_format {
	/** "[%5lu.%06lu] " from ts_nsec, as the kernel prints it. */
	bool time;
	/**
	 * Instead of @c time, the wall-clock time "[Thu Jan  1 00:00:42
	 * 1970] " (UTC) of boot_time_nsec + ts_nsec, as dmesg -T.
	 */
	bool wallclock;
	/** Wall-clock time at boot, nanoseconds since the Unix epoch. */
	int64_t boot_time_nsec;
	/** "<N>" with N = facility * 8 + level, as the kernel's syslog. */
	bool level;
	/** "[T123]"/"[ C1]" right-aligned in 6, as CONFIG_PRINTK_CALLER. */
	bool caller;
	/** After the text, " SUBSYSTEM=..." and " DEVICE=..." lines. */
	bool dict;
};

/**
 * Format @p rec as the kernel's record_print_text() does: every line of
 * the text with the prefix of @p fmt, each ending in a newline.
 *
 * @param rec The record.
 * @param fmt The prefix wanted; the text alone when every field is false.
 * @param[out] ret New string (free()); written only on success.
 */
struct vmt_error *vmt_log_format_record(const struct vmt_log_record *rec,
					const struct vmt_log_format *fmt,
					char **ret);

/**
 * "T123" or "C1" for a caller id, as the kernel prints it (without the
 * brackets); "" when @p rec has none. @p buf holds at least 16 bytes.
 */
const char *vmt_log_caller(const struct vmt_log_record *rec, char *buf);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_LOG_H */

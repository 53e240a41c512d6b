/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file writer.h
 * Writing a dump (`save`): makedumpfile's kdump-compressed format (header
 * version 6), split sets, the flattened stream, or a filtered ELF, with
 * pages excluded by makedumpfile's dump levels (include/vmtool/page.h
 * names the classes).
 */
#ifndef VMTOOL_WRITER_H
#define VMTOOL_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/page.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** Output formats. */
enum vmt_save_format {
	/** kdump-compressed (makedumpfile's default; crash, libkdumpfile). */
	VMT_SAVE_KDUMP,
	/** An ELF vmcore with the kept pages (makedumpfile -E). */
	VMT_SAVE_ELF,
};

/** Page compression of the kdump format (makedumpfile -c, -l, -p, -z). */
enum vmt_save_compression {
	VMT_SAVE_NONE,
	VMT_SAVE_ZLIB,
	VMT_SAVE_LZO,
	VMT_SAVE_SNAPPY,
	VMT_SAVE_ZSTD,
};

/** Where a save is, for a progress display. */
struct vmt_save_progress {
	/** 1: classifying pages, 2: writing (an ELF or split set may scan twice). */
	unsigned int pass;
	/** Passes this save makes (pass counts up to it). */
	unsigned int nr_passes;
	/** Page frames of [0, max_mapnr) gone through in this pass. */
	uint64_t pfn_done;
	/** Page frames the pass goes through (max_mapnr). */
	uint64_t pfn_total;
	/** Pages written so far. */
	uint64_t pages_written;
	/** Bytes of output written so far, over all files. */
	uint64_t bytes_written;
};

/**
 * Called now and then during a save; return nonzero to stop it (the save
 * then fails with VMT_ERROR_OS, errno EINTR, and leaves no output file).
 */
typedef int vmt_save_progress_fn(void *arg, const struct vmt_save_progress *p);

/** Options of vmt_program_save(). Zero-initialize, then set. */
struct vmt_save_options {
	/** makedumpfile's dump level, 0 to 31 (1 zero, 2 cache, 4 private cache, 8 user, 16 free). */
	unsigned int dump_level;
	/** kdump-compressed (the default) or ELF. */
	enum vmt_save_format format;
	/** How kdump pages are compressed (VMT_SAVE_NONE: not); not for ELF. */
	enum vmt_save_compression compression;
	/**
	 * The output file, or the nr_paths part files of a split set
	 * (kdump format only). Each is written under a temporary name in
	 * its directory and renamed when complete.
	 */
	const char *const *paths;
	/** Number of entries in paths: 1, or the parts of a split set. */
	size_t nr_paths;
	/** Replace existing files. */
	bool force;
	/** Write makedumpfile's flattened stream to fd instead of paths. */
	bool flattened;
	/** With flattened: the open file descriptor the stream goes to. */
	int fd;
	/** Threads compressing pages (0: the calling thread). The output does not depend on it. */
	unsigned int nr_threads;
	/** Called with the progress now and then, or NULL. */
	vmt_save_progress_fn *progress;
	/** Passed to progress as it is. */
	void *progress_arg;
};

/** What a save wrote. */
struct vmt_save_result {
	/** The kernel's page size, in bytes: the unit of the page counts. */
	uint64_t page_size;
	/** Page frames of RAM (bitmap 1). */
	uint64_t ram_pages;
	/** The highest PFN + 1 (the header's max_mapnr). */
	uint64_t max_mapnr;
	/** Pages excluded, per class (hwpoison pages under their class too). */
	uint64_t excluded[VMT_PAGE_CLASS_COUNT];
	/** Pages excluded because PG_hwpoison was set (at every level). */
	uint64_t excluded_hwpoison;
	/** RAM pages the input itself lacked (excluded there, or lost). */
	uint64_t not_in_input;
	/**
	 * Zero-filled pages found with dump level bit 1: stored once and
	 * shared (kdump), or left out (ELF).
	 */
	uint64_t zero_pages;
	/** Pages with a descriptor (kdump, zero pages included) or in a PT_LOAD (ELF). */
	uint64_t kept_pages;
	/** Pages stored compressed. */
	uint64_t compressed_pages;
	/** Pages stored as they are (compression did not make them smaller). */
	uint64_t raw_pages;
	/** Bytes of output, over all files. */
	uint64_t bytes;
};

/**
 * Write the dump @p prog reads, filtered by the memmap's page classes as
 * makedumpfile does at @p opts->dump_level. Memory use does not grow with
 * the dump: pages are classified and written in bounded chunks (the
 * memmap is read twice, and for an ELF with dump level bit 1 every kept
 * page too). @p ret (may be NULL) is written on success.
 */
struct vmt_error *vmt_program_save(struct vmt_program *prog,
				   const struct vmt_save_options *opts,
				   struct vmt_save_result *ret);

/** "none", "zlib", "lzo", "snappy", "zstd". */
const char *vmt_save_compression_name(enum vmt_save_compression c);

/** Whether vmtool was built with @p c. */
bool vmt_save_compression_available(enum vmt_save_compression c);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_WRITER_H */

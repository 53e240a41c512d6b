// Writing dumps: the caller (program_save.c) says which page frames are RAM
// and which to keep, and reads pages; the writers lay out the formats. One
// file per format (kdump_writer.c, elf_writer.c), one per output kind
// (sink.c: a file written under a temporary name, or the flattened
// stream), compression in compress.c on the threads of pool.c.
#ifndef VMT_DUMP_WRITER_H
#define VMT_DUMP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "decompress/decompress.h"
#include "vmtool/writer.h"

/** PFNs the writers ask about at once: a multiple of 64. */
#define WRITER_CHUNK_PFNS (UINT64_C(1) << 18)

/** What a writer needs from its caller. */
struct writer_source {
	/**
	 * Start a pass over the PFNs; classify() then sees increasing
	 * chunks from 0.
	 */
	struct vmt_error *(*begin_pass)(void *arg);
	/**
	 * Bits for PFNs [@p pfn, @p pfn + @p nr), @p pfn a multiple of 64:
	 * @p ram marks RAM (bitmap 1), @p keep the pages to write (a subset).
	 * Both arrays hold (nr + 63) / 64 words, zeroed by the caller.
	 */
	struct vmt_error *(*classify)(void *arg, uint64_t pfn, uint64_t nr,
				      uint64_t *ram, uint64_t *keep);
	/** The page_size bytes of page frame @p pfn (one that keep marks). */
	struct vmt_error *(*read_page)(void *arg, uint64_t pfn, void *buf);
	/** p_vaddr of an ELF PT_LOAD at @p paddr; NULL: p_vaddr = p_paddr. */
	uint64_t (*phys_to_virt)(void *arg, uint64_t paddr);
	void *arg;

	uint32_t page_size;
	uint64_t max_mapnr;
	/** Dump level bit 1: zero-filled pages are shared (kdump) or left out (ELF). */
	bool exclude_zero;
	int dump_level;
	/** The ELF note area to carry (NT_PRSTATUS..., VMCOREINFO); may be empty. */
	const void *notes;
	size_t notes_len;
	/** VMCOREINFO, added as a note when @ref notes has none. */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/** new_utsname: sysname, nodename, release, version, machine, domainname. */
	char utsname[6][65];
	int64_t ts_sec, ts_usec;
	/** kdump sub-header phys_base (arm64: PHYS_OFFSET). */
	uint64_t phys_base;
	uint32_t nr_cpus;
	bool big_endian;
	uint16_t e_machine;
};

/** What the writers report. */
struct writer_stats {
	uint64_t ram_pages;
	uint64_t kept_pages;
	uint64_t zero_pages;
	uint64_t compressed_pages;
	uint64_t raw_pages;
	uint64_t bytes;
};

/** Write @p src as @p opts says (format, compression, outputs, threads). */
struct vmt_error *dump_write(const struct writer_source *src,
			     const struct vmt_save_options *opts,
			     struct writer_stats *ret);

/* sink.c: where output bytes go. */
struct sink;

/**
 * Create a file that becomes @p path when sink_finish() succeeds: until
 * then it has a temporary name beside @p path. Refuses an existing
 * @p path unless @p force.
 */
struct vmt_error *sink_open_file(const char *path, bool force,
				 struct sink **ret);

/** Write the flattened stream to @p fd (its header now). */
struct vmt_error *sink_open_flat(int fd, struct sink **ret);

/**
 * Write @p len bytes at @p off of the (unflattened) output. Writes that
 * follow each other are gathered; bytes never written read as zeros.
 */
struct vmt_error *sink_write(struct sink *s, uint64_t off, const void *data,
			     size_t len);

/** Bytes of output so far (flattened records and header included). */
uint64_t sink_bytes(const struct sink *s);

/**
 * Complete the output at @p size bytes: flush, end the flattened stream,
 * or give the file its name. The sink is freed, also on failure (then
 * the temporary file is removed).
 */
struct vmt_error *sink_finish(struct sink *s, uint64_t size);

/** Drop the output (remove the temporary file); accepts NULL. */
void sink_abort(struct sink *s);

/* compress.c: page compressors, one state per thread. */
struct compressor;

struct vmt_error *compressor_create(enum compression c, size_t page_size,
				    struct compressor **ret);
void compressor_destroy(struct compressor *c);

/** Capacity an output buffer needs for one page. */
size_t compressor_bound(enum compression c, size_t page_size);

/**
 * Compress @p page into @p out (compressor_bound() bytes). *@p len_ret is
 * the compressed size, or 0 when it would not be smaller than the page.
 */
struct vmt_error *compressor_page(struct compressor *c, const void *page,
				  void *out, size_t *len_ret);

/** The kdump flag of @p c (0 for none). */
uint32_t compression_kdump_flag(enum compression c);

/* pool.c: a fixed set of threads running one batch of work at a time. */
struct pool;

/** Work item @p index of a batch, on worker @p worker. */
typedef void pool_fn(void *arg, unsigned int worker, size_t index);

struct vmt_error *pool_create(unsigned int nr_threads, struct pool **ret);
void pool_destroy(struct pool *p);

/** Start items [0, @p n) of @p fn on the workers; returns at once. */
void pool_start(struct pool *p, pool_fn *fn, void *arg, size_t n);

/** Wait until the started batch is done. */
void pool_wait(struct pool *p);

/*
 * The bits of the first pass, kept for the second when they fit in a
 * budget (a chunk with no bit costs nothing): then the second pass does
 * not classify again. Past the budget it does, so memory stays bounded.
 */
struct writer_cache {
	uint64_t nr_chunks;
	uint64_t **ram;
	uint64_t **keep;
	size_t bytes;
	bool complete;
};

struct vmt_error *writer_cache_init(struct writer_cache *c, uint64_t max_mapnr);
void writer_cache_deinit(struct writer_cache *c);

/** Keep chunk @p index's bits (or give up caching past the budget). */
void writer_cache_put(struct writer_cache *c, uint64_t index,
		      const uint64_t *ram, const uint64_t *keep, uint64_t words);

/**
 * The bits of chunk @p index into @p ram and @p keep; false when the cache
 * is incomplete (classify again).
 */
bool writer_cache_get(const struct writer_cache *c, uint64_t index,
		      uint64_t *ram, uint64_t *keep, uint64_t words);

/* Helpers shared by the format writers. */

/** Report progress; an error if the callback asks to stop. */
struct vmt_error *writer_progress(const struct vmt_save_options *opts,
				  unsigned int pass, unsigned int nr_passes,
				  uint64_t pfn_done, uint64_t pfn_total,
				  uint64_t pages, uint64_t bytes);

/**
 * The note area to write: @p src's notes, with a VMCOREINFO note added
 * when they have none. *@p vmcoreinfo_off_ret is the offset of the
 * VMCOREINFO text in it (and *@p vmcoreinfo_len_ret its size), both 0 if
 * there is none. Free the result.
 */
struct vmt_error *writer_notes(const struct writer_source *src,
			       unsigned char **ret, size_t *len_ret,
			       size_t *vmcoreinfo_off_ret,
			       size_t *vmcoreinfo_len_ret);

/** Whether @p len bytes at @p p are all zero. */
bool writer_all_zero(const void *p, size_t len);

void writer_put16(unsigned char *p, uint16_t v, bool be);
void writer_put32(unsigned char *p, uint32_t v, bool be);
void writer_put64(unsigned char *p, uint64_t v, bool be);

struct vmt_error *kdump_write(const struct writer_source *src,
			      const struct vmt_save_options *opts,
			      struct writer_stats *ret);
struct vmt_error *elf_write(const struct writer_source *src,
			    const struct vmt_save_options *opts,
			    struct writer_stats *ret);

#endif

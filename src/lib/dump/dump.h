// A dump: physical memory of the crashed machine plus its notes. Each
// format is one file exporting a `struct dump_format`, listed in probe.c.
#ifndef VMT_DUMP_H
#define VMT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "decompress/decompress.h"
#include "source/source.h"
#include "vmtool/program.h"

/** What a physical page is, in this dump. */
enum dump_page_state {
	DUMP_PAGE_PRESENT,
	DUMP_PAGE_EXCLUDED,   // RAM, filtered out (kdump bitmap 2 clear)
	DUMP_PAGE_NOT_IN_DUMP,// outside RAM / no segment
	DUMP_PAGE_LOST,       // incomplete dump: descriptor offset 0
};

/** Where the byte at a physical address lives. */
struct dump_location {
	enum dump_page_state state;
	/** Index into dump->files. */
	size_t file_index;
	/** File offset of the byte (ELF), or of the page's data (kdump). */
	uint64_t file_offset;
	/** The page is stored compressed; file_offset is its data start. */
	bool compressed;
	enum compression compression;
	/** Bytes stored at file_offset for the page (kdump), 0 for ELF. */
	uint32_t stored_size;
	/** ELF: inside p_memsz but past p_filesz, so zeros not in the file. */
	bool zero_fill;
	/**
	 * Where this answer ends: every byte below run_end (exclusive) has
	 * the same state, file and zero_fill, its file_offset advancing with
	 * the address (an ELF segment, or a hole between segments); 0 when
	 * it describes this page only (kdump). Walks over RAM take a run at
	 * a time.
	 */
	uint64_t run_end;
};

/**
 * The end (exclusive, at most @p limit) of the pages of @p page_size bytes
 * from @p pfn on that share @p loc, the answer for @p pfn's first byte: a
 * page takes the answer of its first byte. pfn + 1 without a run.
 */
static inline uint64_t dump_location_pages_end(const struct dump_location *loc,
					       uint64_t pfn, uint64_t page_size,
					       uint64_t limit)
{
	uint64_t end;

	if (loc->run_end <= pfn * page_size)
		return pfn + 1;
	end = (loc->run_end - 1) / page_size + 1;
	return end < limit ? end : limit;
}

struct dump;

struct dump_format {
	/** "elf", "kdump". */
	const char *name;
	/** Whether @p src holds this format (from content only). */
	bool (*probe)(struct source *src);
	/**
	 * Open the format over @p srcs (more than one only for split sets);
	 * fill @p dump's common fields and dump->priv. Takes ownership of
	 * the sources on success and on failure.
	 */
	struct vmt_error *(*open)(struct dump *dump, struct source **srcs,
				  size_t nr_srcs);
	/** Classify @p paddr. */
	struct vmt_error *(*locate)(struct dump *dump, uint64_t paddr,
				    struct dump_location *ret);
	/**
	 * Read @p len bytes at @p paddr, not crossing a page (block) boundary.
	 * A missing page is a VMT_ERROR_FAULT with the fault kind.
	 */
	struct vmt_error *(*read_page)(struct dump *dump, uint64_t paddr,
				       void *buf, size_t len);
	/**
	 * Optional: read @p len bytes at @p paddr across blocks, for reads
	 * of several blocks at once (dump_read_phys uses it for those).
	 */
	struct vmt_error *(*read_range)(struct dump *dump, uint64_t paddr,
					void *buf, size_t len);
	/**
	 * Optional: fill dump->ram_ranges when first asked (formats whose RAM map
	 * costs a scan); without it, open() fills them.
	 */
	struct vmt_error *(*load_ranges)(struct dump *dump);
	/**
	 * Optional: [@p paddr, +@p len) in place, when the format stores it
	 * as it is and its source is mapped (see dump_map_phys); else NULL.
	 */
	const void *(*map_phys)(struct dump *dump, uint64_t paddr, size_t len);
	void (*close)(struct dump *dump);
};

/**
 * An open dump. Not thread-safe: reads share one page cache and one
 * buffer for compressed data.
 */
struct dump {
	const struct dump_format *format;
	void *priv;
	/** "elf", "kdump", "flattened", "split". */
	const char *format_name;
	/** Bitmask of 1 << enum compression seen in the dump. */
	unsigned int compressions;
	/** Unit of storage: kdump block size, or 4096 for ELF. */
	uint32_t block_size;
	int header_version;
	int dump_level;
	bool big_endian;
	bool incomplete;
	/** e_machine, or EM_AARCH64 guessed for kdump (utsname may lie). */
	uint16_t machine;
	/** utsname.machine from a kdump header, "" if none. */
	char uts_machine[65];
	bool has_timestamp;
	uint64_t timestamp;
	uint32_t header_nr_cpus;
	/** VMCOREINFO note text (not NUL-terminated), or NULL. */
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	const char *vmcoreinfo_origin;
	/** Offset of the VMCOREINFO text in the (first) file, for messages. */
	uint64_t vmcoreinfo_offset;
	/** The note areas as read (ELF PT_NOTEs, kdump notes), for writers. */
	unsigned char *notes;
	size_t notes_len;
	/** NT_PRSTATUS registers, one per note, in note order. */
	struct vmt_cpu_regs *cpus;
	size_t nr_cpus;
	/**
	 * RAM ranges the dump describes, sorted, end exclusive: read them
	 * through dump_ranges(), which builds them on first use (a kdump's
	 * are empty until then; the names say so).
	 */
	struct vmt_phys_range *ram_ranges;
	size_t nr_ram_ranges;
	bool ranges_loaded;
	/**
	 * Blocks brought into the format's cache so far: decompressed (kdump)
	 * or read from the file (ELF). Tests and benchmarks count misses.
	 */
	uint64_t nr_page_loads;
	/** File names, for locations. */
	char **files;
	size_t nr_files;
	/** The files' sizes added up: what the input holds at most. */
	uint64_t input_bytes;
	/** log2 of the page size the PFNs in errors count (the kernel's). */
	unsigned int pfn_shift;
};

/**
 * Open the dump made of @p paths. Detects the format from content;
 * flattened files are reassembled transparently; several files make a
 * split set.
 */
struct vmt_error *dump_open(const char *const *paths, size_t nr_paths,
			    struct dump **ret);

/** Open from sources already made (tests, fuzzers). Takes ownership. */
struct vmt_error *dump_open_sources(struct source **srcs, size_t nr_srcs,
				    struct dump **ret);

/**
 * [@p paddr, +@p len) in place, without a copy: a pointer into the mapped
 * file (an ELF dump's file data), valid until the dump is closed; NULL
 * where the data is not stored as it is (compressed, zero-filled, lost,
 * across segments) or the file is not mapped: then dump_read_phys().
 */
const void *dump_map_phys(struct dump *dump, uint64_t paddr, size_t len);

/** Read @p len bytes of physical memory, across pages. */
struct vmt_error *dump_read_phys(struct dump *dump, uint64_t paddr, void *buf,
				 size_t len);

/**
 * The RAM ranges the dump describes (sorted, end exclusive), built on the
 * first call (a kdump's bitmap 1 is scanned then, chunk by chunk).
 * Borrowed until dump_destroy().
 */
struct vmt_error *dump_ranges(struct dump *dump,
			      const struct vmt_phys_range **ret,
			      size_t *nr_ret);

/**
 * Count the PFNs that errors name in pages of @p page_size bytes (the
 * kernel's PAGESIZE) instead of the dump's blocks. Ignores a size that is
 * not a power of two.
 */
void dump_set_page_size(struct dump *dump, uint64_t page_size);

/** Classify @p paddr. */
struct vmt_error *dump_locate(struct dump *dump, uint64_t paddr,
			      struct dump_location *ret);

void dump_destroy(struct dump *dump);

/**
 * VMCOREINFO is a few KiB (kernel/vmcore_info.c allocates one page for
 * it): a larger one comes from a corrupt header.
 */
#define DUMP_MAX_VMCOREINFO_SIZE (1u << 20)

/**
 * Parse an ELF note area (NT_PRSTATUS, VMCOREINFO) into @p dump. The
 * VMCOREINFO offset it records is relative to the area.
 */
struct vmt_error *dump_parse_notes(struct dump *dump, const void *notes,
				   size_t len, bool big_endian);

extern const struct dump_format dump_format_elf;
extern const struct dump_format dump_format_kdump;

#endif

// `save`: the memmap's page classes and the input's pages, handed to the
// dump writers (dump/writer/). A page is kept when it is RAM, present in
// the input, and no class of the dump level excludes it.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/kdump_format.h"
#include "dump/writer/writer.h"
#include "program_internal.h"
#include "vmtool/writer.h"

// Threads beyond this are a mistake, not a wish.
#define MAX_THREADS 256

struct save_ctx {
	struct vmt_program *prog;
	struct memmap_walk *walk;
	unsigned int level;
	unsigned int shift;
	uint64_t page_size;
	uint8_t *classes;
	int pass;
	// The dump's RAM ranges (dump_ranges()), and the first that may
	// still hold PFNs at or after the cursor.
	const struct vmt_phys_range *ranges;
	size_t nr_ranges;
	size_t range;
	// Every page of the ranges is in the input (a complete ELF): no need
	// to ask the reader page by page.
	bool all_present;
	struct vmt_save_result *res;
};

const char *vmt_save_compression_name(enum vmt_save_compression c)
{
	static const char *const names[] = { "none", "zlib", "lzo", "snappy",
					     "zstd" };

	return (unsigned int)c < sizeof(names) / sizeof(names[0]) ? names[c] :
								      "unknown";
}

static enum compression compression_of(enum vmt_save_compression c)
{
	static const enum compression map[] = {
		COMPRESSION_NONE, COMPRESSION_ZLIB, COMPRESSION_LZO,
		COMPRESSION_SNAPPY, COMPRESSION_ZSTD,
	};

	return (unsigned int)c < sizeof(map) / sizeof(map[0]) ? map[c] :
								COMPRESSION_COUNT;
}

bool vmt_save_compression_available(enum vmt_save_compression c)
{
	enum compression cc = compression_of(c);

	return cc == COMPRESSION_NONE || compression_available(cc);
}

static struct vmt_error *begin_pass(void *arg)
{
	struct save_ctx *c = arg;

	c->pass++;
	c->range = 0;
	if (c->walk)
		memmap_walk_reset(c->walk);
	return NULL;
}

static void range_pfns(const struct save_ctx *c,
		       const struct vmt_phys_range *r, uint64_t *start,
		       uint64_t *end)
{
	*start = r->start >> c->shift;
	*end = (r->end + c->page_size - 1) >> c->shift;
}

// Judge PFNs [s, e) of a range; bits are relative to @p base.
static struct vmt_error *classify_run(struct save_ctx *c, uint64_t base,
				      uint64_t s, uint64_t e, uint64_t *ram,
				      uint64_t *keep)
{
	struct vmt_save_result *res = c->res;
	bool count = c->pass == 1;
	struct vmt_error *err;
	uint8_t *cls = c->classes + (s - base);
	struct dump_location loc;

	if (c->walk) {
		err = memmap_walk_classify(c->walk, s, e - s, cls);
		if (err)
			return err;
	} else {
		memset(cls, VMT_PAGE_UNKNOWN, e - s);
	}
	for (uint64_t p = s, run = s; p < e; p++) {
		uint64_t i = p - base;
		uint8_t b = cls[p - s];

		// One answer of the input for a run of pages (an ELF segment,
		// a hole), one page for a kdump.
		if (p == run) {
			loc = (struct dump_location){ .state = DUMP_PAGE_PRESENT };
			run = e;
			if (!c->all_present) {
				err = dump_locate(c->prog->dump, p << c->shift,
						  &loc);
				if (err)
					return err;
				run = dump_location_pages_end(&loc, p, c->page_size,
							      e);
			}
		}
		if (loc.state == DUMP_PAGE_NOT_IN_DUMP)
			continue;
		ram[i / 64] |= UINT64_C(1) << (i % 64);
		if (count)
			res->ram_pages++;
		if (loc.state != DUMP_PAGE_PRESENT) {
			if (count)
				res->not_in_input++;
			continue;
		}
		if (memmap_excluded(b, c->level)) {
			if (count) {
				res->excluded[MEMMAP_CLASS(b)]++;
				if (b & MEMMAP_HWPOISON)
					res->excluded_hwpoison++;
			}
			continue;
		}
		keep[i / 64] |= UINT64_C(1) << (i % 64);
	}
	return NULL;
}

static struct vmt_error *classify(void *arg, uint64_t pfn, uint64_t nr,
				  uint64_t *ram, uint64_t *keep)
{
	struct save_ctx *c = arg;
	uint64_t end = pfn + nr;

	// Ranges are sorted and chunks come in order: a cursor suffices.
	for (size_t r = c->range; r < c->nr_ranges; r++) {
		uint64_t s, e;
		struct vmt_error *err;

		range_pfns(c, &c->ranges[r], &s, &e);
		if (e <= pfn) {
			c->range = r + 1;
			continue;
		}
		if (s >= end)
			break;
		err = classify_run(c, pfn, s > pfn ? s : pfn, e < end ? e : end,
				   ram, keep);
		if (err)
			return err;
	}
	return NULL;
}

static struct vmt_error *read_page(void *arg, uint64_t pfn, void *buf)
{
	struct save_ctx *c = arg;

	return dump_read_phys(c->prog->dump, pfn << c->shift, buf,
			      (size_t)c->page_size);
}

static uint64_t phys_to_virt(void *arg, uint64_t paddr)
{
	struct save_ctx *c = arg;

	return arm64_phys_to_linear(&c->prog->layout, paddr);
}

// The kernel's utsname (init_uts_ns.name), as makedumpfile copies it;
// else what VMCOREINFO tells.
static void read_utsname(struct vmt_program *prog, char uts[6][65])
{
	uint64_t addr, off;

	memset(uts, 0, 6 * 65);
	if (vmcoreinfo_symbol(&prog->vi, "init_uts_ns", &addr) &&
	    vmcoreinfo_offset(&prog->vi, "uts_namespace.name", &off) &&
	    !prog->layout_err &&
	    vmt_error_ok(kernel_read(&prog->kernel, addr + off, uts, 6 * 65))) {
		for (int i = 0; i < 6; i++)
			uts[i][64] = '\0';
		return;
	}
	memset(uts, 0, 6 * 65);
	snprintf(uts[0], 65, "Linux");
	snprintf(uts[2], 65, "%s", prog->info.osrelease);
	snprintf(uts[4], 65, "%s", prog->info.machine);
}

#define SPARSE_BITMAP_RATIO 64

// An ELF may say a page is zeros without holding it (p_memsz past
// p_filesz), and one cut short loses its tail: claims of its headers. A
// claim of a terabyte in a file of megabytes had save write gigabytes of
// bitmaps and page descriptors for pages nobody has (make check-corrupt,
// seed 1111: v01219, v02140, v04534 ran past the time limit). What save
// writes for such pages (the descriptors of zero fill, the bitmaps past
// the last page the file holds) may not outgrow the file. Bitmaps up to
// that page are the format's due for a sparse machine, but not beyond
// SPARSE_BITMAP_RATIO times the file: 4 GiB of RAM at the top of a 48-bit
// physical space needs bitmaps of twice its size; a wild p_paddr asks for
// thousands of times. A kdump holds its bitmaps and descriptors itself:
// nothing to check.
static struct vmt_error *check_claims(struct save_ctx *c, uint64_t max_mapnr)
{
	struct dump *dump = c->prog->dump;
	uint64_t zero_fill = 0, widest = 0, widest_at = 0, held_end = 0;
	uint64_t bitmaps, cost;
	char fill[160];

	if (dump->format != &dump_format_elf)
		return NULL;
	for (size_t r = 0; r < c->nr_ranges; r++) {
		uint64_t p, e;

		range_pfns(c, &c->ranges[r], &p, &e);
		while (p < e) {
			struct dump_location loc;
			struct vmt_error *err;
			uint64_t n;

			err = dump_locate(dump, p << c->shift, &loc);
			if (err)
				return err;
			n = dump_location_pages_end(&loc, p, c->page_size, e) - p;
			if (loc.state == DUMP_PAGE_PRESENT && loc.zero_fill) {
				zero_fill += n;
				if (n > widest) {
					widest = n;
					widest_at = p << c->shift;
				}
			} else if (loc.state == DUMP_PAGE_PRESENT) {
				held_end = p + n;
			}
			p += n;
		}
	}
	// max_mapnr <= 2^40 (physical addresses below 2^52): no overflow.
	bitmaps = 2 * ((max_mapnr + 7) / 8);
	cost = 2 * ((max_mapnr - held_end + 7) / 8) + KDUMP_PD_SIZE * zero_fill;
	if (cost <= dump->input_bytes) {
		// Then the bitmaps are mostly below held_end: sparse data.
		if (bitmaps / SPARSE_BITMAP_RATIO <= dump->input_bytes)
			return NULL;
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: %" PRIu64 " bytes, but its PT_LOADs put data up to physical %#" PRIx64
					": the output's bitmaps would take %" PRIu64
					" bytes, more than %d times the input",
					dump->files[0], dump->input_bytes,
					held_end << c->shift, bitmaps,
					SPARSE_BITMAP_RATIO);
	}
	snprintf(fill, sizeof(fill),
		 " and %" PRIu64 " pages of zero fill past p_filesz (%" PRIu64
		 " from physical %#" PRIx64 ")", zero_fill, widest, widest_at);
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"%s: %" PRIu64 " bytes, but its PT_LOADs claim RAM up to physical %#" PRIx64
				" (data in the file up to %#" PRIx64 "%s)%s: the output's bitmaps and page descriptors for what it does not hold would take %" PRIu64
				" bytes; save writes at most as much as the input holds",
				dump->files[0], dump->input_bytes,
				max_mapnr << c->shift, held_end << c->shift,
				dump->incomplete ? ", the rest lost past the end of the file" : "",
				zero_fill ? fill : "", cost);
}

static struct vmt_error *check_options(const struct vmt_save_options *o)
{
	if (o->dump_level > 31)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"dump level %u: levels go from 0 to 31",
					o->dump_level);
	if (compression_of(o->compression) == COMPRESSION_COUNT)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"unknown compression %d", (int)o->compression);
	if (!vmt_save_compression_available(o->compression))
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"vmtool was built without %s",
					vmt_save_compression_name(o->compression));
	if (o->format != VMT_SAVE_KDUMP && o->format != VMT_SAVE_ELF)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"unknown output format %d", (int)o->format);
	if (o->flattened && o->nr_paths > 1)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"a flattened stream is one output: it cannot be split");
	if (!o->flattened && !o->nr_paths)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"no output file given");
	if (o->nr_threads > MAX_THREADS)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%u threads: at most %d", o->nr_threads,
					MAX_THREADS);
	return NULL;
}

struct vmt_error *vmt_program_save(struct vmt_program *prog,
				   const struct vmt_save_options *opts,
				   struct vmt_save_result *ret)
{
	struct vmt_save_result res = { 0 };
	struct save_ctx c = { .prog = prog, .res = &res };
	struct writer_source src = { 0 };
	struct writer_stats st = { 0 };
	struct dump *dump = prog->dump;
	struct vmt_error *err;
	uint64_t ts;

	err = check_options(opts);
	if (!err)
		err = dump_ranges(dump, &c.ranges, &c.nr_ranges);
	if (err)
		return err;
	c.page_size = program_page_size(prog);
	// An ELF's ranges are its PT_LOADs (zero-filled tails included); only
	// an incomplete one has pages it lost.
	c.all_present = dump->format == &dump_format_elf && !dump->incomplete;
	c.shift = (unsigned int)__builtin_ctzll(c.page_size);
	c.level = opts->dump_level;
	// Without a memmap only the zero pages of level 1 can be told
	// apart; a level that asks for more cannot be honoured.
	err = program_memmap(prog, &c.walk);
	if (err) {
		if (opts->dump_level & ~1u)
			return vmt_error_wrap(err, "dump level %u needs the memmap",
					      opts->dump_level);
		vmt_error_destroy(err);
		c.walk = NULL;
	}
	c.classes = malloc(WRITER_CHUNK_PFNS);
	if (!c.classes)
		return &vmt_enomem;

	src.begin_pass = begin_pass;
	src.classify = classify;
	src.read_page = read_page;
	src.phys_to_virt = prog->layout_err ? NULL : phys_to_virt;
	src.arg = &c;
	src.page_size = (uint32_t)c.page_size;
	for (size_t r = 0; r < c.nr_ranges; r++) {
		uint64_t s, e;

		range_pfns(&c, &c.ranges[r], &s, &e);
		if (e > src.max_mapnr)
			src.max_mapnr = e;
	}
	err = check_claims(&c, src.max_mapnr);
	if (err) {
		free(c.classes);
		return err;
	}
	src.exclude_zero = opts->dump_level & 1;
	src.dump_level = (int)opts->dump_level;
	src.notes = dump->notes;
	src.notes_len = dump->notes_len;
	src.vmcoreinfo = dump->vmcoreinfo ? dump->vmcoreinfo : prog->vi.raw;
	src.vmcoreinfo_len = dump->vmcoreinfo ? dump->vmcoreinfo_len :
						prog->vi.raw_len;
	read_utsname(prog, src.utsname);
	if (vmcoreinfo_crashtime(&prog->vi, &ts))
		src.ts_sec = (int64_t)ts;
	else if (dump->has_timestamp)
		src.ts_sec = (int64_t)dump->timestamp;
	src.phys_base = prog->layout_err ? 0 : prog->layout.phys_offset.value;
	src.nr_cpus = dump->nr_cpus ? (uint32_t)dump->nr_cpus :
				      dump->header_nr_cpus;
	src.big_endian = dump->big_endian;
	src.e_machine = EM_AARCH64;

	err = dump_write(&src, opts, &st);
	free(c.classes);
	if (err)
		return err;
	res.page_size = c.page_size;
	res.max_mapnr = src.max_mapnr;
	res.zero_pages = st.zero_pages;
	res.kept_pages = st.kept_pages;
	res.compressed_pages = st.compressed_pages;
	res.raw_pages = st.raw_pages;
	res.bytes = st.bytes;
	if (ret)
		*ret = res;
	return NULL;
}

// Shared by the dump-format targets: open sources made over the input
// (source/mem.c), then read what the dump says it holds.
#ifndef VMT_FUZZ_DUMP_H
#define VMT_FUZZ_DUMP_H

#include "fuzz.h"
#include "dump/dump.h"
#include "source/source.h"

// Pages read per range and in all: enough to reach every page state and
// compression, few enough to keep thousands of runs a second.
#define FUZZ_PAGES_PER_RANGE 4
#define FUZZ_MAX_PAGES 64

static inline void fuzz_read_at(struct dump *dump, uint64_t paddr,
				 unsigned char *buf, size_t len)
{
	struct dump_location loc;
	struct vmt_error *err;

	err = dump_locate(dump, paddr, &loc);
	if (!err) {
		FUZZ_ASSERT(loc.state <= DUMP_PAGE_LOST);
		FUZZ_ASSERT(loc.state != DUMP_PAGE_PRESENT ||
			    loc.file_index < dump->nr_files);
	}
	fuzz_check_error(err);
	err = dump_read_phys(dump, paddr, buf, len);
	// A missing page is a fault that carries its address.
	if (err && err->code == VMT_ERROR_FAULT)
		FUZZ_ASSERT(err->address >= paddr && err->address - paddr < len);
	fuzz_check_error(err);
}

// Read the first, middle and last page of each range (and one across the
// end of the first range), then the dump's metadata.
static inline void fuzz_exercise_dump(struct dump *dump)
{
	unsigned char *buf;
	uint64_t bs = dump->block_size;
	const struct vmt_phys_range *ranges = NULL;
	size_t pages = 0, nr_ranges = 0;
	struct vmt_error *err;

	FUZZ_ASSERT(bs && !(bs & (bs - 1)));
	// A kdump's ranges come from bitmap 1, read now: its errors count.
	err = dump_ranges(dump, &ranges, &nr_ranges);
	if (err) {
		fuzz_check_error(err);
		return;
	}
	buf = malloc(2 * bs);
	if (!buf)
		return;
	for (size_t i = 0; i < nr_ranges && pages < FUZZ_MAX_PAGES; i++) {
		const struct vmt_phys_range *r = &ranges[i];
		uint64_t span = r->end - r->start;

		FUZZ_ASSERT(r->start < r->end);
		FUZZ_ASSERT(!i || ranges[i - 1].end <= r->start);
		for (int k = 0; k < FUZZ_PAGES_PER_RANGE; k++, pages++) {
			uint64_t at = r->start + span / FUZZ_PAGES_PER_RANGE * k;

			fuzz_read_at(dump, at & ~(bs - 1), buf, bs);
		}
		// A read that crosses pages and the range's end.
		if (r->end - r->start >= 8)
			fuzz_read_at(dump, r->end - 8, buf, bs);
	}
	fuzz_read_at(dump, 0, buf, 8);
	fuzz_read_at(dump, UINT64_MAX - 7, buf, 8);
	free(buf);
	// What `info` reads.
	if (dump->vmcoreinfo)
		FUZZ_ASSERT(dump->vmcoreinfo_len < (64u << 20));
	for (size_t i = 0; i < dump->nr_cpus; i++)
		(void)dump->cpus[i].pc;
}

// Open a dump over @p nr parts of the input and exercise it.
static inline void fuzz_open_parts(const uint8_t *const *parts,
				   const size_t *sizes, size_t nr)
{
	struct source *srcs[8];
	struct dump *dump = NULL;
	struct vmt_error *err;
	size_t i;

	if (nr > 8)
		return;
	for (i = 0; i < nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "part%zu", i + 1);
		err = source_open_mem(parts[i], sizes[i], name, &srcs[i]);
		if (err) {
			while (i--)
				source_destroy(srcs[i]);
			fuzz_check_error(err);
			return;
		}
	}
	err = dump_open_sources(srcs, nr, &dump);
	if (err) {
		// An error about the input names the part it is about.
		if (err->code == VMT_ERROR_BAD_DATA && err->message)
			FUZZ_ASSERT(strstr(err->message, "part"));
		fuzz_check_error(err);
		return;
	}
	fuzz_exercise_dump(dump);
	dump_destroy(dump);
}

#endif

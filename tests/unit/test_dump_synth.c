// Dump readers on synthetic dumps from mkvmcore: every compressor, block
// size and header version, page states, ELF, flattened and split sets.
// Expected bytes come from mkvmcore's spec formulas (tests/tools/mkvmcore_run.h).
#include <string.h>

#include "testutil.h"
#include "../tools/mkvmcore_run.h"
#include "dump/dump.h"

// Fill dump->ram_ranges (dump_ranges() builds them on first use).
static void load_ranges(struct dump *dump)
{
	const struct vmt_phys_range *ranges;
	size_t nr;

	vmt_ck_no_err(dump_ranges(dump, &ranges, &nr));
	ck_assert_ptr_eq(ranges, dump->ram_ranges);
	ck_assert_uint_eq(nr, dump->nr_ram_ranges);
}

#define RAM 0x40000000ULL
#define RAM_SIZE 0x200000ULL
#define PATTERN 0x1122334455667788ULL

// Blocks at 64K-aligned addresses so one layout fits 4K, 16K and 64K.
#define PAT_ADDR (RAM + 0x10000)
#define ZERO_ADDR (RAM + 0x20000)
#define EXCL_ADDR (RAM + 0x30000)
#define BYADDR_ADDR (RAM + 0x100000)
#define BYADDR_SIZE 0x40000ULL

static const char base_spec[] =
	"vmcoreinfo OSRELEASE=6.1.0\n"
	"vmcoreinfo NUMBER(VA_BITS)=48\n"
	"cpus 2\n"
	"ram 0x40000000 0x200000\n"
	"page 0x40010000 pattern 0x1122334455667788\n"
	"page 0x40020000 zero\n"
	"page 0x40030000 exclude\n"
	"fill 0x40100000 0x40000 pattern-by-address\n";

static struct dump *open_one(const char *path)
{
	const char *paths[] = { path };
	struct dump *dump = NULL;

	vmt_ck_no_err(dump_open(paths, 1, &dump));
	return dump;
}

// Read the page at @p page (size @p bs) and compare it with @p kind.
static void check_page(struct dump *dump, uint64_t page, uint32_t bs,
		       enum mkv_kind kind, uint64_t param, bool big_endian)
{
	uint8_t *buf = malloc(bs);
	long bad;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xee, bs);
	vmt_ck_no_err(dump_read_phys(dump, page, buf, bs));
	bad = mkv_first_bad(buf, bs, kind, param, page, page, big_endian);
	ck_assert_msg(bad < 0, "page %#" PRIx64 ": word %ld is %#" PRIx64,
		      page, bad, bad < 0 ? 0 : mkv_load(buf + bad * 8, big_endian));
	free(buf);
}

// A read of @p paddr must fail with a FAULT of @p fault at that address.
static void check_fault(struct dump *dump, uint64_t paddr,
			enum vmt_fault_kind fault)
{
	uint8_t buf[16];
	struct vmt_error *err = dump_read_phys(dump, paddr, buf, sizeof(buf));

	ck_assert_msg(err, "%#" PRIx64 ": read succeeded, want fault %d",
		      paddr, fault);
	ck_assert_msg(err->code == VMT_ERROR_FAULT && err->fault == fault,
		      "%#" PRIx64 ": code %d fault %d, want fault %d (%s)",
		      paddr, err->code, err->fault, fault, err->message);
	ck_assert_msg(err->address >= (paddr & ~0xffffULL) &&
			      err->address <= paddr + sizeof(buf),
		      "%#" PRIx64 ": fault address %#" PRIx64, paddr,
		      err->address);
	vmt_error_destroy(err);
}

static void check_state(struct dump *dump, uint64_t paddr,
			enum dump_page_state state)
{
	struct dump_location loc;

	vmt_ck_no_err(dump_locate(dump, paddr, &loc));
	ck_assert_msg(loc.state == state, "%#" PRIx64 ": state %d, want %d",
		      paddr, loc.state, state);
}

// Everything base_spec promises, for a dump with blocks of @p bs bytes.
static void check_base_content(struct dump *dump, uint32_t bs, bool big_endian)
{
	uint8_t cross[16];

	check_page(dump, RAM, bs, MKV_DEFAULT, 0, big_endian);
	check_page(dump, PAT_ADDR, bs, MKV_PATTERN, PATTERN, big_endian);
	check_page(dump, ZERO_ADDR, bs, MKV_ZERO, 0, big_endian);
	for (uint64_t a = BYADDR_ADDR; a < BYADDR_ADDR + BYADDR_SIZE; a += bs)
		check_page(dump, a, bs, MKV_BYADDR, 0, big_endian);
	check_page(dump, RAM + RAM_SIZE - bs, bs, MKV_DEFAULT, 0, big_endian);
	check_page(dump, EXCL_ADDR + bs, bs, MKV_DEFAULT, 0, big_endian);

	// A read across the block boundary into the pattern page.
	vmt_ck_no_err(dump_read_phys(dump, PAT_ADDR - 8, cross, sizeof(cross)));
	ck_assert_uint_eq(mkv_load(cross, big_endian),
			  (PAT_ADDR - 8) ^ 0x5a5a5a5a5a5a5a5aULL);
	ck_assert_uint_eq(mkv_load(cross + 8, big_endian), PATTERN);

	check_fault(dump, RAM - 16, VMT_FAULT_NOT_IN_DUMP);
	check_fault(dump, 0, VMT_FAULT_NOT_IN_DUMP);
	check_fault(dump, RAM + RAM_SIZE, VMT_FAULT_NOT_IN_DUMP);
	check_fault(dump, 0x7fff0000000ULL, VMT_FAULT_NOT_IN_DUMP);
	check_state(dump, RAM, DUMP_PAGE_PRESENT);
	check_state(dump, RAM - 1, DUMP_PAGE_NOT_IN_DUMP);
}

static bool vmcoreinfo_has(const struct dump *dump, const char *line)
{
	size_t n = strlen(line);

	for (size_t i = 0; dump->vmcoreinfo && i + n <= dump->vmcoreinfo_len; i++)
		if (memcmp(dump->vmcoreinfo + i, line, n) == 0)
			return true;
	return false;
}

static void check_cpus(const struct dump *dump)
{
	ck_assert_uint_eq(dump->nr_cpus, 2);
	for (size_t cpu = 0; cpu < 2; cpu++) {
		const struct vmt_cpu_regs *r = &dump->cpus[cpu];
		uint64_t tag = 0xc0de000000000000ULL | cpu << 16;

		ck_assert_uint_eq(r->pid, cpu + 1);
		ck_assert_uint_eq(r->x[0], tag);
		ck_assert_uint_eq(r->x[30], tag | 30);
		ck_assert_uint_eq(r->sp, tag | 31);
		ck_assert_uint_eq(r->pc, tag | 32);
		ck_assert_uint_eq(r->pstate, tag | 33);
	}
}

static const char *const comp_names[] = { "none", "zlib", "lzo", "snappy",
					  "zstd", "mixed" };
static const enum compression comp_enum[] = {
	COMPRESSION_NONE, COMPRESSION_ZLIB, COMPRESSION_LZO,
	COMPRESSION_SNAPPY, COMPRESSION_ZSTD, COMPRESSION_COUNT
};
static const uint32_t block_sizes[] = { 4096, 16384, 65536 };

// _i = compressor * 18 + block size * 6 + (header_version - 1).
START_TEST(kdump_every_compressor_block_size_and_version)
{
	int comp = _i / 18, bsi = _i / 6 % 3, version = _i % 6 + 1;
	uint32_t bs = block_sizes[bsi];
	char spec[2048], path[4200];
	struct dump *dump;

	if (comp_enum[comp] != COMPRESSION_COUNT &&
	    !compression_available(comp_enum[comp])) {
		fprintf(stderr, "%s not built in: skipped\n", comp_names[comp]);
		return;
	}
	if (comp == 5)
		for (int c = 2; c <= 4; c++)
			if (!compression_available(comp_enum[c]))
				return;
	snprintf(spec, sizeof(spec),
		 "format kdump\nblock_size %u\nheader_version %d\n"
		 "compression %s\n%s",
		 bs, version, comp_names[comp], base_spec);
	mkv_build(spec, "d", path, sizeof(path));
	dump = open_one(path);
	ck_assert_str_eq(dump->format_name, "kdump");
	ck_assert_uint_eq(dump->block_size, bs);
	ck_assert_int_eq(dump->header_version, version);
	ck_assert(!dump->incomplete);
	ck_assert(!dump->big_endian);
	ck_assert_uint_eq(dump->header_nr_cpus, 2);
	ck_assert_str_eq(dump->uts_machine, "aarch64");
	ck_assert(dump->has_timestamp);
	ck_assert_uint_eq(dump->timestamp, 1700000000);
	if (comp >= 1 && comp <= 4)
		ck_assert_msg(dump->compressions & (1u << comp_enum[comp]),
			      "compressions %#x", dump->compressions);
	if (version >= 3) {
		ck_assert(vmcoreinfo_has(dump, "OSRELEASE=6.1.0\n"));
		ck_assert(vmcoreinfo_has(dump, "NUMBER(VA_BITS)=48\n"));
	} else {
		// Versions 1 and 2 have no offset_vmcoreinfo.
		ck_assert_ptr_null(dump->vmcoreinfo);
	}
	if (version >= 4)
		check_cpus(dump);
	else
		ck_assert_uint_eq(dump->nr_cpus, 0);
	check_base_content(dump, bs, false);
	check_fault(dump, EXCL_ADDR, VMT_FAULT_EXCLUDED);
	check_fault(dump, EXCL_ADDR + bs - 8, VMT_FAULT_EXCLUDED);
	check_state(dump, EXCL_ADDR, DUMP_PAGE_EXCLUDED);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(kdump_locate_reports_compression)
{
	char path[4200];
	struct dump_location loc;
	struct dump *dump;

	mkv_build("format kdump\ncompression zlib\n"
		  "ram 0x40000000 0x100000\n"
		  "page 0x40002000 random 7\n",
		  "d", path, sizeof(path));
	dump = open_one(path);
	vmt_ck_no_err(dump_locate(dump, RAM + 0x1000, &loc));
	ck_assert_int_eq(loc.state, DUMP_PAGE_PRESENT);
	ck_assert(loc.compressed);
	ck_assert_int_eq(loc.compression, COMPRESSION_ZLIB);
	ck_assert_uint_eq(loc.file_index, 0);
	// Random bytes do not compress: stored raw.
	vmt_ck_no_err(dump_locate(dump, RAM + 0x2000, &loc));
	ck_assert_int_eq(loc.state, DUMP_PAGE_PRESENT);
	ck_assert(!loc.compressed);
	ck_assert_uint_ge(loc.file_offset, 4096);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(kdump_big_endian)
{
	char spec[2048], path[4200];
	struct dump *dump;

	snprintf(spec, sizeof(spec),
		 "format kdump\nendian big\nblock_size 16384\n%s", base_spec);
	mkv_build(spec, "d", path, sizeof(path));
	dump = open_one(path);
	ck_assert(dump->big_endian);
	ck_assert_uint_eq(dump->block_size, 16384);
	check_cpus(dump);
	check_base_content(dump, 16384, true);
	check_fault(dump, EXCL_ADDR, VMT_FAULT_EXCLUDED);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(kdump_lost_pages_of_incomplete_dump)
{
	char path[4200];
	struct dump *dump;

	mkv_build("format kdump\nincomplete yes\n"
		  "ram 0x40000000 0x100000\n"
		  "page 0x40004000 lost\n"
		  "page 0x40005000 pattern 0x55\n",
		  "d", path, sizeof(path));
	dump = open_one(path);
	ck_assert(dump->incomplete);
	check_fault(dump, RAM + 0x4000, VMT_FAULT_LOST);
	check_state(dump, RAM + 0x4000, DUMP_PAGE_LOST);
	check_page(dump, RAM + 0x3000, 4096, MKV_DEFAULT, 0, false);
	check_page(dump, RAM + 0x5000, 4096, MKV_PATTERN, 0x55, false);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(kdump_unknown_page_flag_is_an_error)
{
	char path[4200];
	struct dump *dump;
	uint8_t buf[4096];
	struct vmt_error *err;

	mkv_build("format kdump\ncompression none\n"
		  "ram 0x40000000 0x100000\n"
		  "page 0x40005000 flag 0x80\n",
		  "d", path, sizeof(path));
	dump = open_one(path);
	check_page(dump, RAM + 0x4000, 4096, MKV_DEFAULT, 0, false);
	err = dump_read_phys(dump, RAM + 0x5000, buf, sizeof(buf));
	ck_assert_msg(err, "unknown flag 0x80 accepted");
	ck_assert_msg(err->code == VMT_ERROR_BAD_DATA ||
			      err->code == VMT_ERROR_UNSUPPORTED,
		      "code %d: %s", err->code, err->message);
	ck_assert_msg(strstr(err->message, "0x80"), "no flag in: %s",
		      err->message);
	ck_assert_msg(strstr(err->message, "40005"), "no PFN in: %s",
		      err->message);
	vmt_error_destroy(err);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

// The 8-byte word at @p paddr, checked against mkvmcore's default content.
static void check_word(struct dump *dump, uint64_t paddr)
{
	uint8_t w[8];

	vmt_ck_no_err(dump_read_phys(dump, paddr, w, sizeof(w)));
	ck_assert_uint_eq(mkv_load(w, false),
			  mkv_word(MKV_DEFAULT, 0, paddr, paddr));
}

// A working set of kernel pages (4 KiB on arm64 at least), one per block,
// read twice: the second pass must decompress nothing, whatever the block
// size (QEMU writes 64 KiB blocks for a 4 KiB-page kernel). 600 pages: more
// blocks than 8 MiB of 64 KiB blocks (or 256 4 KiB ones) hold, fewer pages
// than 8 MiB of 4 KiB ones.
#define WORKING_SET 600
START_TEST(kdump_working_set_of_pages_hits_on_second_pass)
{
	uint32_t bs = _i ? 65536 : 4096;
	char spec[512], path[4200];
	struct dump *dump;
	uint64_t loads, p;
	uint8_t buf[12288];

	snprintf(spec, sizeof(spec),
		 "format kdump\nblock_size %u\ncompression zlib\n"
		 "ram 0x40000000 %#x\n",
		 bs, WORKING_SET * bs);
	mkv_build(spec, "d", path, sizeof(path));
	dump = open_one(path);
	for (int pass = 0; pass < 2; pass++) {
		loads = dump->nr_page_loads;
		for (uint64_t k = 0; k < WORKING_SET; k++) {
			// A different 4 KiB page of each block.
			p = RAM + k * bs + (k * 4096) % bs + 8 * (k % 512);
			check_word(dump, p);
		}
		if (pass == 0)
			ck_assert_uint_eq(dump->nr_page_loads - loads,
					  WORKING_SET);
	}
	ck_assert_msg(dump->nr_page_loads == loads,
		      "second pass over %d pages in %u-byte blocks decompressed %" PRIu64
		      " blocks again",
		      WORKING_SET, bs, dump->nr_page_loads - loads);
	// Other pages of a block just read, reads across a 4 KiB boundary
	// and one bigger than 4 KiB inside a block: the right bytes.
	p = RAM + (WORKING_SET - 2) * (uint64_t)bs;
	check_word(dump, p + bs - 8);
	check_word(dump, p);
	vmt_ck_no_err(dump_read_phys(dump, p + 4096 - 8, buf, 16));
	ck_assert_int_lt(mkv_first_bad(buf, 16, MKV_DEFAULT, 0, p,
				       p + 4096 - 8, false), 0);
	if (bs > sizeof(buf)) {
		vmt_ck_no_err(dump_read_phys(dump, p + 2048, buf, sizeof(buf)));
		ck_assert_int_lt(mkv_first_bad(buf, sizeof(buf), MKV_DEFAULT,
					       0, p, p + 2048, false), 0);
	}
	// A block's tail after a read of its start only (decompressed as
	// far as the first read needed).
	p = RAM + 3 * (uint64_t)bs;
	vmt_ck_no_err(dump_read_phys(dump, p + bs - 4096, buf, 4096));
	ck_assert_int_lt(mkv_first_bad(buf, 4096, MKV_DEFAULT, 0, p,
				       p + bs - 4096, false), 0);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(elf_content_notes_and_holes)
{
	char spec[2048], path[4200];
	struct dump *dump;
	int big = _i;

	snprintf(spec, sizeof(spec), "format elf\nendian %s\n%s",
		 big ? "big" : "little", base_spec);
	mkv_build(spec, "d", path, sizeof(path));
	dump = open_one(path);
	ck_assert_str_eq(dump->format_name, "elf");
	ck_assert_int_eq(dump->big_endian, big);
	ck_assert_uint_eq(dump->machine, 183);
	ck_assert(!dump->incomplete);
	ck_assert(vmcoreinfo_has(dump, "OSRELEASE=6.1.0\n"));
	check_cpus(dump);
	check_base_content(dump, 4096, big);
	// ELF cannot say "excluded": the page is simply not in a PT_LOAD.
	check_fault(dump, EXCL_ADDR, VMT_FAULT_NOT_IN_DUMP);
	load_ranges(dump);
	ck_assert_uint_eq(dump->nr_ram_ranges, 2);
	ck_assert_uint_eq(dump->ram_ranges[0].start, RAM);
	ck_assert_uint_eq(dump->ram_ranges[0].end, EXCL_ADDR);
	ck_assert_uint_eq(dump->ram_ranges[1].start, EXCL_ADDR + 4096);
	ck_assert_uint_eq(dump->ram_ranges[1].end, RAM + RAM_SIZE);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

START_TEST(elf_memsz_beyond_filesz_reads_zeros)
{
	char path[4200];
	struct dump *dump;
	uint8_t buf[0x2000], zero[0x2000] = { 0 };

	mkv_build("format elf\nelf_memsz_extra 0x2000\nelf_incomplete yes\n"
		  "ram 0x40000000 0x10000\n",
		  "d", path, sizeof(path));
	dump = open_one(path);
	ck_assert(dump->incomplete);
	check_page(dump, RAM + 0xf000, 4096, MKV_DEFAULT, 0, false);
	memset(buf, 0xee, sizeof(buf));
	vmt_ck_no_err(dump_read_phys(dump, RAM + 0x10000, buf, sizeof(buf)));
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	check_fault(dump, RAM + 0x12000, VMT_FAULT_NOT_IN_DUMP);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

// Read [RAM, RAM + RAM_SIZE) page by page into @p out; faults leave 0xee.
static void read_all(struct dump *dump, uint8_t *out)
{
	for (uint64_t off = 0; off < RAM_SIZE; off += 4096) {
		struct vmt_error *err;

		err = dump_read_phys(dump, RAM + off, out + off, 4096);
		if (err) {
			ck_assert_msg(err->code == VMT_ERROR_FAULT, "%#" PRIx64
				      ": %s", (uint64_t)(RAM + off), err->message);
			memset(out + off, 0xee, 4096);
			vmt_error_destroy(err);
		}
	}
}

START_TEST(flattened_gives_same_bytes)
{
	char spec[2048], path[4200], flat[4200];
	uint8_t *a = malloc(RAM_SIZE), *b = malloc(RAM_SIZE);
	struct dump *dump;
	const char *comp = _i ? "mixed" : "zlib";

	if (_i && !(compression_available(COMPRESSION_LZO) &&
		    compression_available(COMPRESSION_SNAPPY) &&
		    compression_available(COMPRESSION_ZSTD)))
		return;
	snprintf(spec, sizeof(spec), "format kdump\ncompression %s\n%s", comp,
		 base_spec);
	mkv_build(spec, "plain", path, sizeof(path));
	snprintf(spec, sizeof(spec),
		 "format kdump\ncompression %s\nflattened yes\nseed %d\n%s",
		 comp, 3 + _i, base_spec);
	mkv_build(spec, "flat", flat, sizeof(flat));

	dump = open_one(path);
	read_all(dump, a);
	dump_destroy(dump);
	dump = open_one(flat);
	ck_assert_str_eq(dump->format_name, "flattened");
	check_base_content(dump, 4096, false);
	check_fault(dump, EXCL_ADDR, VMT_FAULT_EXCLUDED);
	read_all(dump, b);
	dump_destroy(dump);
	ck_assert(memcmp(a, b, RAM_SIZE) == 0);
	free(a);
	free(b);
	mkv_cleanup();
}
END_TEST

static struct vmt_error *open_parts(const char *stem, const int *parts,
				    size_t n, struct dump **ret)
{
	char names[4][4300];
	const char *paths[4];

	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s.%d", stem, parts[i]);
		paths[i] = names[i];
	}
	return dump_open(paths, n, ret);
}

START_TEST(split_gives_same_bytes)
{
	int nr = 2 + _i, order[3] = { 1, 2, 3 }, reverse[3] = { 3, 2, 1 };
	char spec[2048], path[4200], stem[4200];
	uint8_t *a = malloc(RAM_SIZE), *b = malloc(RAM_SIZE);
	struct dump_location loc;
	struct dump *dump;

	snprintf(spec, sizeof(spec), "format kdump\n%s", base_spec);
	mkv_build(spec, "whole", path, sizeof(path));
	snprintf(spec, sizeof(spec), "format kdump\nsplit %d\n%s", nr,
		 base_spec);
	mkv_build(spec, "part", stem, sizeof(stem));

	dump = open_one(path);
	read_all(dump, a);
	dump_destroy(dump);

	vmt_ck_no_err(open_parts(stem, order, nr, &dump));
	ck_assert_str_eq(dump->format_name, "split");
	ck_assert_uint_eq(dump->nr_files, nr);
	check_base_content(dump, 4096, false);
	check_fault(dump, EXCL_ADDR, VMT_FAULT_EXCLUDED);
	read_all(dump, b);
	ck_assert(memcmp(a, b, RAM_SIZE) == 0);
	// The first page is in part 1, the last in part N.
	vmt_ck_no_err(dump_locate(dump, RAM, &loc));
	ck_assert_uint_eq(loc.file_index, 0);
	vmt_ck_no_err(dump_locate(dump, RAM + RAM_SIZE - 4096, &loc));
	ck_assert_uint_eq(loc.file_index, nr - 1);
	dump_destroy(dump);

	// The parts may be given in any order.
	vmt_ck_no_err(open_parts(stem, reverse + (3 - nr), nr, &dump));
	memset(b, 0, RAM_SIZE);
	read_all(dump, b);
	ck_assert(memcmp(a, b, RAM_SIZE) == 0);
	dump_destroy(dump);
	free(a);
	free(b);
	mkv_cleanup();
}
END_TEST

// A wrong set of files is bad data or a bad argument, either is fine.
static void check_set_rejected(struct vmt_error *err, const char *what)
{
	ck_assert_msg(err, "%s: accepted", what);
	ck_assert_msg(err->code == VMT_ERROR_BAD_DATA ||
			      err->code == VMT_ERROR_INVALID_ARGUMENT,
		      "%s: code %d: %s", what, err->code, err->message);
	fprintf(stderr, "%s -> %s\n", what, err->message);
	vmt_error_destroy(err);
}

START_TEST(split_set_must_be_whole_and_one_dump)
{
	static const int missing[] = { 1, 3 }, dup[] = { 1, 1, 2, 3 };
	char spec[2048], stem[4200], other[4200], names[3][4300];
	const char *paths[3];
	struct dump *dump = NULL;

	snprintf(spec, sizeof(spec), "format kdump\nsplit 3\n%s", base_spec);
	mkv_build(spec, "part", stem, sizeof(stem));
	check_set_rejected(open_parts(stem, missing, 2, &dump), "missing part");
	check_set_rejected(open_parts(stem, dup, 4, &dump), "duplicated part");

	// Part 2 of another dump (another time and host) does not belong.
	snprintf(spec, sizeof(spec),
		 "format kdump\nsplit 3\ntimestamp 1800000000\n"
		 "nodename otherhost\n%s", base_spec);
	mkv_build(spec, "other", other, sizeof(other));
	snprintf(names[0], sizeof(names[0]), "%s.1", stem);
	snprintf(names[1], sizeof(names[1]), "%s.2", other);
	snprintf(names[2], sizeof(names[2]), "%s.3", stem);
	for (int i = 0; i < 3; i++)
		paths[i] = names[i];
	check_set_rejected(dump_open(paths, 3, &dump), "foreign part");
	ck_assert_ptr_null(dump);
	mkv_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dump_synth");
	TCase *tc = tcase_create("kdump");
	TCase *elf = tcase_create("elf");
	TCase *sets = tcase_create("sets");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(elf, 60);
	tcase_set_timeout(sets, 60);
	tcase_add_loop_test(tc, kdump_every_compressor_block_size_and_version,
			    0, 6 * 3 * 6);
	tcase_add_test(tc, kdump_locate_reports_compression);
	tcase_add_test(tc, kdump_big_endian);
	tcase_add_test(tc, kdump_lost_pages_of_incomplete_dump);
	tcase_add_test(tc, kdump_unknown_page_flag_is_an_error);
	tcase_add_loop_test(tc, kdump_working_set_of_pages_hits_on_second_pass,
			    0, 2);
	tcase_add_loop_test(elf, elf_content_notes_and_holes, 0, 2);
	tcase_add_test(elf, elf_memsz_beyond_filesz_reads_zeros);
	tcase_add_loop_test(sets, flattened_gives_same_bytes, 0, 2);
	tcase_add_loop_test(sets, split_gives_same_bytes, 0, 2);
	tcase_add_test(sets, split_set_must_be_whole_and_one_dump);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, elf);
	suite_add_tcase(s, sets);
	return vmt_ck_run(s);
}

// Dump readers on corrupt input: every damage must give a clean BAD_DATA
// error naming the file, never a crash (run under ASan/UBSan), plus a
// small mutation test.
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "../tools/mkvmcore_run.h"
#include "dump/dump.h"
#include "source/source.h"

#define RAM 0x40000000ULL
#define RAM_SIZE 0x100000ULL

static const char ram_spec[] =
	"vmcoreinfo OSRELEASE=6.1.0\n"
	"ram 0x40000000 0x100000\n"
	"page 0x40002000 zero\n"
	"page 0x40003000 exclude\n";

// Open @p path and read all of RAM page by page. Returns the first error
// that is not a FAULT (open errors included), or NULL.
static struct vmt_error *open_and_read_all(const char **paths, size_t n)
{
	struct dump *dump = NULL;
	struct vmt_error *err;
	uint8_t buf[4096];

	err = dump_open(paths, n, &dump);
	if (err)
		return err;
	for (uint64_t off = 0; off < RAM_SIZE; off += sizeof(buf)) {
		err = dump_read_phys(dump, RAM + off, buf, sizeof(buf));
		if (err && err->code != VMT_ERROR_FAULT)
			break;
		vmt_error_destroy(err);
		err = NULL;
	}
	dump_destroy(dump);
	return err;
}

// The dump made from @p extra + ram_spec must fail with BAD_DATA and a
// message naming the file.
static void expect_bad_data(const char *extra, const char *what)
{
	char spec[2048], path[4200];
	const char *paths[1] = { path };
	struct vmt_error *err;

	snprintf(spec, sizeof(spec), "%s%s", extra, ram_spec);
	mkv_build(spec, "bad", path, sizeof(path));
	err = open_and_read_all(paths, 1);
	ck_assert_msg(err, "%s: no error", what);
	ck_assert_msg(err->code == VMT_ERROR_BAD_DATA, "%s: code %d: %s", what,
		      err->code, err->message);
	ck_assert_msg(strstr(err->message, "bad"), "%s: file not named: %s",
		      what, err->message);
	fprintf(stderr, "%s -> %s\n", what, err->message);
	vmt_error_destroy(err);
	mkv_cleanup();
}

START_TEST(kdump_truncated_header)
{
	expect_bad_data("format kdump\ncorrupt truncate 200\n", "header");
	expect_bad_data("format kdump\ncorrupt truncate sub_header 20\n",
			"sub-header");
}
END_TEST

START_TEST(kdump_truncated_bitmap)
{
	expect_bad_data("format kdump\ncorrupt truncate bitmap1 100\n",
			"bitmap 1");
	expect_bad_data("format kdump\ncorrupt truncate bitmap2 100\n",
			"bitmap 2");
}
END_TEST

// A kdump file cut short (disk full in the capture kernel, an interrupted
// copy) opens as incomplete: what is there reads, and what is missing is
// lost, with the offset where the file ends.
static void expect_cut_kdump_incomplete(const char *extra, const char *what,
					bool some_read)
{
	char spec[2048], path[4200];
	const char *paths[1] = { path };
	struct dump *dump = NULL;
	struct vmt_error *err;
	uint8_t buf[4096];
	size_t nr_lost = 0, nr_read = 0;

	snprintf(spec, sizeof(spec), "%s%s", extra, ram_spec);
	mkv_build(spec, "cut", path, sizeof(path));
	vmt_ck_no_err(dump_open(paths, 1, &dump));
	ck_assert_msg(dump->incomplete, "%s: opens as complete", what);
	for (uint64_t off = 0; off < RAM_SIZE; off += sizeof(buf)) {
		err = dump_read_phys(dump, RAM + off, buf, sizeof(buf));
		if (!err) {
			nr_read++;
			continue;
		}
		ck_assert_msg(err->code == VMT_ERROR_FAULT, "%s: %s", what,
			      err->message);
		if (err->fault == VMT_FAULT_LOST) {
			ck_assert_msg(strstr(err->message, "ends at") &&
					      strstr(err->message, "cut"),
				      "%s: lost page message: %s", what,
				      err->message);
			nr_lost++;
		}
		vmt_error_destroy(err);
	}
	ck_assert_msg(nr_lost && (nr_read || !some_read),
		      "%s: %zu pages read, %zu lost", what, nr_read, nr_lost);
	dump_destroy(dump);
	mkv_cleanup();
}

START_TEST(kdump_cut_in_descriptors_opens_incomplete)
{
	expect_cut_kdump_incomplete("format kdump\ncorrupt truncate desc 30\n",
				    "descriptor table", false);
}
END_TEST

START_TEST(kdump_cut_in_page_data_opens_incomplete)
{
	expect_cut_kdump_incomplete("format kdump\ncompression zlib\ncorrupt truncate end -100\n",
				    "zlib data", true);
	expect_cut_kdump_incomplete("format kdump\ncompression none\ncorrupt truncate end -100\n",
				    "raw data", true);
}
END_TEST

// ---- ELF headers built here, read from memory ----

#define EH 64
#define PH 56

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

// A little-endian ELF64 core of @p size bytes with @p nr_ph headers of
// type @p type, each covering [@p off, +@p filesz).
static uint8_t *make_elf(size_t size, uint16_t machine, unsigned int nr_ph,
			 uint32_t type, uint64_t off, uint64_t filesz)
{
	uint8_t *d = calloc(1, size);

	ck_assert_ptr_nonnull(d);
	memcpy(d, "\177ELF", 4);
	d[4] = 2;
	d[5] = 1;
	d[6] = 1;
	put16(d + 16, 4);
	put16(d + 18, machine);
	put64(d + 32, EH);
	put16(d + 54, PH);
	put16(d + 56, (uint16_t)nr_ph);
	for (unsigned int i = 0; i < nr_ph; i++) {
		uint8_t *p = d + EH + (size_t)i * PH;

		put32(p, type);
		put64(p + 8, off);
		put64(p + 24, 0x40000000);
		put64(p + 32, filesz);
		put64(p + 40, filesz);
	}
	return d;
}

static struct vmt_error *open_bytes(const uint8_t *d, size_t size,
				    struct dump **ret)
{
	struct source *src;

	vmt_ck_no_err(source_open_mem(d, size, "mem.elf", &src));
	return dump_open_sources(&src, 1, ret);
}

// Each note area is read and parsed: headers that together claim more
// than the file holds are refused at once (400 of them took minutes).
START_TEST(elf_note_headers_together_bounded_by_the_file)
{
	size_t size = 1 << 20;
	uint8_t *d = make_elf(size, 183, 400, 4, 65536, size - 65536);
	struct dump *dump = NULL;
	struct vmt_error *err = open_bytes(d, size, &dump);

	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_ptr_nonnull(strstr(err->message, "mem.elf"));
	ck_assert_ptr_nonnull(strstr(err->message, "PT_NOTE"));
	vmt_error_destroy(err);
	// Two that fit are fine.
	free(d);
	d = make_elf(size, 183, 2, 4, 65536, 4096);
	vmt_ck_no_err(open_bytes(d, size, &dump));
	dump_destroy(dump);
	free(d);
}
END_TEST

// VMCOREINFO is one page in the kernel: an ELF note of more than 1 MiB
// is refused like the kdump sub-header's.
START_TEST(elf_vmcoreinfo_note_bounded)
{
	size_t size = 3 << 20;
	uint8_t *d = make_elf(size, 183, 1, 4, 4096, 2 << 20);
	struct dump *dump = NULL;
	struct vmt_error *err;

	put32(d + 4096, 11);
	put32(d + 4100, (2 << 20) - 32);
	put32(d + 4104, 0);
	memcpy(d + 4108, "VMCOREINFO", 11);
	memset(d + 4120, 'A', (2 << 20) - 32);
	err = open_bytes(d, size, &dump);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_ptr_nonnull(strstr(err->message, "VMCOREINFO"));
	ck_assert_ptr_nonnull(strstr(err->message, "mem.elf"));
	vmt_error_destroy(err);
	free(d);
}
END_TEST

START_TEST(elf_of_another_machine_is_refused_by_name)
{
	uint8_t *d = make_elf(8192, 62, 1, 1, 4096, 4096);
	struct dump *dump = NULL;
	struct vmt_error *err = open_bytes(d, 8192, &dump);

	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "x86-64"));
	ck_assert_ptr_nonnull(strstr(err->message, "mem.elf"));
	vmt_error_destroy(err);
	free(d);
}
END_TEST

// A FIFO would block open() until a writer came: refused without waiting
// (the test case's timeout catches a hang).
START_TEST(fifo_is_refused_without_blocking)
{
	char path[4200];
	const char *paths[1] = { path };
	struct dump *dump = NULL;
	struct vmt_error *err;

	snprintf(path, sizeof(path), "%s/fifo", mkv_tmpdir());
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	err = dump_open(paths, 1, &dump);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "FIFO"));
	vmt_error_destroy(err);
	mkv_cleanup();
}
END_TEST

// Files shorter than any magic: every probe fails to read them and must
// not keep that error (LeakSanitizer checks it under --enable-asan).
START_TEST(files_shorter_than_a_magic_are_an_unknown_format)
{
	static const uint8_t bytes[] = "\177EL";

	for (size_t n = 0; n < 4; n++) {
		struct dump *dump = NULL;
		struct vmt_error *err = open_bytes(bytes, n, &dump);

		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, VMT_ERROR_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(err->message, "mem.elf"));
		vmt_error_destroy(err);
	}
}
END_TEST

// One file whose sub-header says it is a part of a split set that does
// not cover every PFN: the error names the file and what it claims.
START_TEST(lone_split_part_is_named)
{
	char path[4200];
	uint8_t *d;
	size_t size;
	struct vmt_error *err;
	struct dump *dump = NULL;
	uint32_t block_size;

	mkv_build("format kdump\ncpus 1\nram 0x40000000 0x10000\n", "part",
		  path, sizeof(path));
	d = mkv_slurp(path, &size);
	memcpy(&block_size, d + 428, 4);
	put32(d + block_size + 12, 1);		    // split
	put64(d + block_size + 80, 0x40000);	    // start_pfn_64
	put64(d + block_size + 88, 0x40008);	    // end_pfn_64
	err = open_bytes(d, size, &dump);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_ptr_nonnull(strstr(err->message, "mem.elf"));
	ck_assert_ptr_nonnull(strstr(err->message, "split"));
	vmt_error_destroy(err);
	free(d);
	mkv_cleanup();
}
END_TEST

START_TEST(kdump_descriptor_size_over_block)
{
	expect_bad_data("format kdump\ncorrupt desc_size 0x40001 8192\n",
			"size > block");
	expect_bad_data("format kdump\ncorrupt desc_size 0x40001 0xffffffff\n",
			"size 4G");
}
END_TEST

START_TEST(kdump_descriptor_offset_past_eof)
{
	expect_bad_data("format kdump\ncorrupt desc_offset 0x40001 0x10000000\n",
			"offset past EOF");
	expect_bad_data("format kdump\ncorrupt desc_offset 0x40001 0x7ffffffffffffff0\n",
			"offset near INT64_MAX");
}
END_TEST

START_TEST(kdump_bad_compressed_page)
{
	// A zlib page whose descriptor points at the wrong bytes.
	expect_bad_data("format kdump\ncompression zlib\n"
			"corrupt desc_offset 0x40001 4096\n",
			"zlib garbage");
}
END_TEST

START_TEST(flattened_bad_record)
{
	expect_bad_data("format kdump\nflattened yes\ncorrupt flat_record bad\n",
			"record size past the stream");
	expect_bad_data("format kdump\nflattened yes\ncorrupt flat_record negative\n",
			"negative record offset");
	expect_bad_data("format kdump\nflattened yes\ncorrupt truncate 4100\n",
			"stream cut in a record header");
}
END_TEST

START_TEST(elf_truncated)
{
	expect_bad_data("format elf\ncorrupt truncate 40\n", "ELF header");
	expect_bad_data("format elf\ncorrupt truncate phdrs 60\n",
			"program headers");
	expect_bad_data("format elf\ncorrupt truncate notes 20\n", "notes");
}
END_TEST

// A file cut inside PT_LOAD data (a transfer cut short) still opens: it is
// incomplete, what is there reads, and the missing part faults as lost.
START_TEST(elf_truncated_data_reads_as_lost)
{
	char spec[2048], path[4200];
	struct dump *dump = NULL;
	uint8_t buf[4096];
	struct vmt_error *err;
	const char *paths[1] = { path };

	snprintf(spec, sizeof(spec), "format elf\ncorrupt truncate end -5000\n%s",
		 ram_spec);
	mkv_build(spec, "cut", path, sizeof(path));
	vmt_ck_no_err(dump_open(paths, 1, &dump));
	ck_assert(dump->incomplete);
	vmt_ck_no_err(dump_read_phys(dump, RAM, buf, sizeof(buf)));
	err = dump_read_phys(dump, RAM + RAM_SIZE - sizeof(buf), buf,
			     sizeof(buf));
	ck_assert_msg(err && err->code == VMT_ERROR_FAULT &&
			      err->fault == VMT_FAULT_LOST,
		      "the cut page: %s", err ? err->message : "read");
	vmt_error_destroy(err);
	dump_destroy(dump);
	mkv_cleanup();
}
END_TEST

// Memory that runs out still gets a message saying for what: the static
// error is wrapped into a new one (and left alone itself).
START_TEST(out_of_memory_says_for_what)
{
	struct vmt_error *err = vmt_error_wrap(&vmt_enomem, "%s: %d program headers",
					       "vmcore", 7);

	ck_assert_ptr_ne(err, &vmt_enomem);
	ck_assert_int_eq(err->code, VMT_ERROR_NO_MEMORY);
	ck_assert_str_eq(err->message, "vmcore: 7 program headers: out of memory");
	ck_assert_str_eq(vmt_enomem.message, "out of memory");
	vmt_error_destroy(err);
}
END_TEST

// Mutations per format (build with -DFUZZ_ITERS=N for a longer run).
#ifndef FUZZ_ITERS
#define FUZZ_ITERS 100
#endif

// A tiny xorshift so the mutations are the same on every run.
static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static uint64_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

// Open @p data from memory and read all of RAM; errors are fine. Returns
// whether the open succeeded.
static bool open_mem_and_read(const uint8_t *data, size_t size)
{
	struct source *src = NULL;
	struct dump *dump = NULL;
	struct vmt_error *err;
	uint8_t buf[4096];

	err = source_open_mem(data, size, "mutant", &src);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	err = dump_open_sources(&src, 1, &dump);
	if (err) {
		ck_assert_ptr_nonnull(err->message);
		vmt_error_destroy(err);
		return false;
	}
	for (uint64_t off = 0; off < RAM_SIZE; off += sizeof(buf))
		vmt_error_destroy(dump_read_phys(dump, RAM + off, buf,
						 sizeof(buf)));
	dump_destroy(dump);
	return true;
}

// 200 single-byte mutations (100 per format), mostly in the metadata.
START_TEST(single_byte_mutations_do_not_crash)
{
	static const char *const formats[] = { "kdump\ncompression mixed",
					       "elf" };
	char spec[2048], path[4200];

	for (int f = 0; f < 2; f++) {
		uint8_t *orig, *mut;
		size_t size;
		int opened = 0;

		snprintf(spec, sizeof(spec),
			 "format %s\ncpus 1\nram 0x40000000 0x40000\n"
			 "page 0x40002000 zero\npage 0x40003000 exclude\n"
			 "vmcoreinfo OSRELEASE=6.1.0\n",
			 f == 0 && !(compression_available(COMPRESSION_LZO) &&
				     compression_available(COMPRESSION_SNAPPY) &&
				     compression_available(COMPRESSION_ZSTD))
				 ? "kdump\ncompression zlib"
				 : formats[f]);
		mkv_build(spec, "small", path, sizeof(path));
		orig = mkv_slurp(path, &size);
		mut = malloc(size);
		ck_assert_ptr_nonnull(mut);
		ck_assert(open_mem_and_read(orig, size));
		for (int i = 0; i < FUZZ_ITERS; i++) {
			uint64_t r = fuzz_next();
			// A third land in the first 512 bytes (file headers),
			// a third in the first 16K (sub-header, notes,
			// program headers, bitmaps), a third anywhere.
			size_t span = i % 3 == 0 ? 512 : i % 3 == 1 ? 16384 : size;

			if (span > size)
				span = size;
			size_t pos = (size_t)(r % span);

			memcpy(mut, orig, size);
			mut[pos] ^= (uint8_t)(1 + (r >> 32) % 255);
			opened += open_mem_and_read(mut, size);
		}
		// Most bytes are page data: many mutants must still open,
		// or the reads were never exercised.
		fprintf(stderr, "%s: %d of %d mutants opened\n",
			f ? "elf" : "kdump", opened, FUZZ_ITERS);
		ck_assert_int_gt(opened, FUZZ_ITERS / 10);
		free(mut);
		free(orig);
	}
	mkv_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dump_corrupt");
	TCase *tc = tcase_create("corrupt");
	TCase *fuzz = tcase_create("mutations");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(fuzz, 300);
	tcase_add_test(tc, kdump_truncated_header);
	tcase_add_test(tc, elf_truncated_data_reads_as_lost);
	tcase_add_test(tc, kdump_truncated_bitmap);
	tcase_add_test(tc, kdump_cut_in_descriptors_opens_incomplete);
	tcase_add_test(tc, kdump_cut_in_page_data_opens_incomplete);
	tcase_add_test(tc, elf_note_headers_together_bounded_by_the_file);
	tcase_add_test(tc, elf_vmcoreinfo_note_bounded);
	tcase_add_test(tc, elf_of_another_machine_is_refused_by_name);
	tcase_add_test(tc, fifo_is_refused_without_blocking);
	tcase_add_test(tc, files_shorter_than_a_magic_are_an_unknown_format);
	tcase_add_test(tc, lone_split_part_is_named);
	tcase_add_test(tc, out_of_memory_says_for_what);
	tcase_add_test(tc, kdump_descriptor_size_over_block);
	tcase_add_test(tc, kdump_descriptor_offset_past_eof);
	tcase_add_test(tc, kdump_bad_compressed_page);
	tcase_add_test(tc, flattened_bad_record);
	tcase_add_test(tc, elf_truncated);
	tcase_add_test(fuzz, single_byte_mutations_do_not_crash);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, fuzz);
	return vmt_ck_run(s);
}

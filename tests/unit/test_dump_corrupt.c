// Dump readers on corrupt input: every damage must give a clean BAD_DATA
// error naming the file, never a crash (run under ASan/UBSan), plus a
// small mutation test.
#include <string.h>

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

START_TEST(kdump_truncated_descriptors)
{
	expect_bad_data("format kdump\ncorrupt truncate desc 30\n",
			"descriptor table");
}
END_TEST

START_TEST(kdump_truncated_page_data)
{
	expect_bad_data("format kdump\ncompression zlib\ncorrupt truncate end -100\n",
			"zlib data");
	expect_bad_data("format kdump\ncompression none\ncorrupt truncate end -100\n",
			"raw data");
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
	tcase_add_test(tc, kdump_truncated_descriptors);
	tcase_add_test(tc, kdump_truncated_page_data);
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

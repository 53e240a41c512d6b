// The dump writers over a synthetic machine (a fake writer_source): what
// they write reads back through vmtool's readers with the same bytes, for
// every compressor, split sets, the flattened stream and ELF; zero pages
// share one block; a page that does not shrink is stored raw; the output
// does not depend on the number of threads; an interrupted save leaves no
// file; memory stays bounded on a sparse 16 TiB machine.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "dump/dump.h"
#include "dump/kdump_format.h"
#include "dump/writer/writer.h"

#define PS 4096
#define MAX_MAPNR 3000

static char dir[256];

// The machine: RAM is PFNs [16, 1000) and [1500, 2600); every 7th page
// is excluded (free, say); every 11th is zero-filled, every 13th random.
static bool is_ram(uint64_t pfn)
{
	return (pfn >= 16 && pfn < 1000) || (pfn >= 1500 && pfn < 2600);
}

static bool is_excluded(uint64_t pfn)
{
	return pfn % 7 == 3;
}

static void fill(uint64_t pfn, unsigned char *buf)
{
	uint64_t state = pfn * 0x9e3779b97f4a7c15ULL | 1;

	for (size_t i = 0; i < PS / 8; i++) {
		uint64_t w;

		if (pfn % 11 == 0) {
			w = 0;
		} else if (pfn % 13 == 0) {
			state ^= state >> 12;
			state ^= state << 25;
			state ^= state >> 27;
			w = state * 0x2545f4914f6cdd1dULL;
		} else {
			w = (pfn << 32) | (i % 17);
		}
		memcpy(buf + 8 * i, &w, 8);
	}
}

struct fake {
	uint64_t max_mapnr;
	bool sparse; // the 16 TiB machine: RAM only at a few far PFNs
	int passes;
	uint64_t reads;
};

static bool fake_ram(const struct fake *f, uint64_t pfn)
{
	if (f->sparse)
		return pfn == 5 || pfn == (UINT64_C(1) << 31) + 7 ||
		       pfn == f->max_mapnr - 1;
	return is_ram(pfn);
}

static struct vmt_error *fake_begin(void *arg)
{
	struct fake *f = arg;

	f->passes++;
	return NULL;
}

static struct vmt_error *fake_classify(void *arg, uint64_t pfn, uint64_t nr,
				       uint64_t *ram, uint64_t *keep)
{
	struct fake *f = arg;

	if (f->sparse) {
		static const uint64_t at[] = { 5, (UINT64_C(1) << 31) + 7 };

		for (int i = 0; i < 3; i++) {
			uint64_t p = i < 2 ? at[i] : f->max_mapnr - 1;

			if (p >= pfn && p < pfn + nr) {
				ram[(p - pfn) / 64] |= UINT64_C(1) << ((p - pfn) % 64);
				keep[(p - pfn) / 64] |= UINT64_C(1) << ((p - pfn) % 64);
			}
		}
		return NULL;
	}
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t p = pfn + i;

		if (!fake_ram(f, p))
			continue;
		ram[i / 64] |= UINT64_C(1) << (i % 64);
		if (!is_excluded(p))
			keep[i / 64] |= UINT64_C(1) << (i % 64);
	}
	return NULL;
}

static struct vmt_error *fake_read(void *arg, uint64_t pfn, void *buf)
{
	struct fake *f = arg;

	f->reads++;
	fill(pfn, buf);
	return NULL;
}

static const char vmcoreinfo[] = "OSRELEASE=6.12.0-writer\nPAGESIZE=4096\n";

static void source(struct writer_source *src, struct fake *f, bool zero)
{
	memset(src, 0, sizeof(*src));
	src->begin_pass = fake_begin;
	src->classify = fake_classify;
	src->read_page = fake_read;
	src->arg = f;
	src->page_size = PS;
	src->max_mapnr = f->max_mapnr;
	src->exclude_zero = zero;
	src->dump_level = zero ? 17 : 16;
	src->vmcoreinfo = vmcoreinfo;
	src->vmcoreinfo_len = sizeof(vmcoreinfo) - 1;
	strcpy(src->utsname[0], "Linux");
	strcpy(src->utsname[4], "aarch64");
	src->ts_sec = 1700000000;
	src->nr_cpus = 2;
	src->e_machine = 183;
}

static char *path_of(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static void write_dump(const struct vmt_save_options *o, bool zero,
		       struct writer_stats *st)
{
	struct writer_source src;
	struct fake f = { .max_mapnr = MAX_MAPNR };

	source(&src, &f, zero);
	vmt_ck_no_err(dump_write(&src, o, st));
	ck_assert_int_eq(f.passes, 2);
}

// Every PFN reads back as the machine had it, or says why not.
static void check_dump(const char *const *paths, size_t nr, bool elf,
		       bool zero)
{
	unsigned char want[PS], got[PS];
	struct dump *d;
	// The shared zero block of each file.
	uint64_t zero_off[8] = { 0 };
	bool have_zero_off[8] = { false };

	vmt_ck_no_err(dump_open(paths, nr, &d));
	ck_assert_uint_eq(d->vmcoreinfo_len, sizeof(vmcoreinfo) - 1);
	ck_assert(!memcmp(d->vmcoreinfo, vmcoreinfo, d->vmcoreinfo_len));
	for (uint64_t pfn = 0; pfn < MAX_MAPNR; pfn++) {
		struct vmt_error *err = dump_read_phys(d, pfn * PS, got, PS);
		struct dump_location loc;

		fill(pfn, want);
		if (!is_ram(pfn) || is_excluded(pfn) ||
		    (elf && zero && pfn % 11 == 0)) {
			ck_assert_msg(err, "PFN %#lx should not read", (long)pfn);
			ck_assert_int_eq(err->code, VMT_ERROR_FAULT);
			// A kdump file tells an excluded page from a hole.
			if (!elf)
				ck_assert_int_eq(err->fault, is_ram(pfn) ?
							     VMT_FAULT_EXCLUDED :
							     VMT_FAULT_NOT_IN_DUMP);
			vmt_error_destroy(err);
			continue;
		}
		vmt_ck_no_err(err);
		ck_assert_msg(!memcmp(want, got, PS), "PFN %#lx differs",
			      (long)pfn);
		if (elf)
			continue;
		vmt_ck_no_err(dump_locate(d, pfn * PS, &loc));
		if (zero && pfn % 11 == 0) {
			// Every zero page points at one shared block.
			ck_assert(!loc.compressed);
			ck_assert_uint_lt(loc.file_index, 8);
			if (have_zero_off[loc.file_index])
				ck_assert_uint_eq(loc.file_offset,
						  zero_off[loc.file_index]);
			zero_off[loc.file_index] = loc.file_offset;
			have_zero_off[loc.file_index] = true;
		} else if (pfn % 13 == 0 && pfn % 11) {
			// Random bytes do not shrink: stored as they are.
			ck_assert(!loc.compressed);
			ck_assert_uint_eq(loc.stored_size, PS);
		}
	}
	ck_assert_int_eq(d->nr_cpus, 0);
	dump_destroy(d);
}

// Zero-filled pages the machine keeps.
static uint64_t expected_zero(void)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < MAX_MAPNR; p++)
		n += is_ram(p) && !is_excluded(p) && p % 11 == 0;
	return n;
}

// Random (incompressible) pages the machine keeps.
static uint64_t expected_random(void)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < MAX_MAPNR; p++)
		n += is_ram(p) && !is_excluded(p) && p % 13 == 0 && p % 11;
	return n;
}

static const enum vmt_save_compression comps[] = {
	VMT_SAVE_NONE, VMT_SAVE_ZLIB, VMT_SAVE_LZO, VMT_SAVE_SNAPPY, VMT_SAVE_ZSTD,
};

START_TEST(kdump_round_trip_every_compressor)
{
	for (size_t c = 0; c < sizeof(comps) / sizeof(comps[0]); c++) {
		struct vmt_save_options o = { .compression = comps[c] };
		const char *p = path_of("k.kdump");
		struct writer_stats st;

		if (!vmt_save_compression_available(comps[c]))
			continue;
		o.paths = &p;
		o.nr_paths = 1;
		o.force = true;
		for (int zero = 0; zero < 2; zero++) {
			write_dump(&o, zero, &st);
			check_dump(&p, 1, false, zero);
			ck_assert_uint_eq(st.zero_pages, zero ? expected_zero() : 0);
			if (comps[c] == VMT_SAVE_NONE)
				ck_assert_uint_eq(st.compressed_pages, 0);
			else
				ck_assert_uint_gt(st.compressed_pages, 1000);
			ck_assert_uint_ge(st.raw_pages, expected_random());
		}
	}
}
END_TEST

START_TEST(split_sets_cover_every_page_once)
{
	for (size_t n = 2; n <= 5; n += 3) {
		struct vmt_save_options o = { .compression = VMT_SAVE_ZLIB };
		const char *p[5];
		struct writer_stats st;
		uint64_t next = 0;

		for (size_t i = 0; i < n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "s.%zu", i);
			p[i] = strdup(path_of(name));
		}
		o.paths = p;
		o.nr_paths = n;
		o.force = true;
		write_dump(&o, true, &st);
		check_dump(p, n, false, true);
		// The parts' PFN ranges follow each other from 0 to max_mapnr.
		for (size_t i = 0; i < n; i++) {
			unsigned char sh[KDUMP_SH_SIZE];
			uint64_t start, end;
			FILE *f = fopen(p[i], "rb");

			ck_assert_ptr_nonnull(f);
			ck_assert_int_eq(fseek(f, PS, SEEK_SET), 0);
			ck_assert_uint_eq(fread(sh, 1, sizeof(sh), f), sizeof(sh));
			fclose(f);
			memcpy(&start, sh + KDUMP_SH_START_PFN_64, 8);
			memcpy(&end, sh + KDUMP_SH_END_PFN_64, 8);
			ck_assert_uint_eq(start, next);
			ck_assert_uint_le(start, end);
			next = end;
			free((char *)p[i]);
		}
		ck_assert_uint_eq(next, MAX_MAPNR);
	}
}
END_TEST

START_TEST(flattened_stream_reads_as_the_file)
{
	struct vmt_save_options o = { .compression = VMT_SAVE_LZO,
				      .flattened = true };
	const char *p = path_of("f.flat");
	struct writer_stats st;
	int fd;

	if (!vmt_save_compression_available(VMT_SAVE_LZO))
		o.compression = VMT_SAVE_ZLIB;
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	o.fd = fd;
	write_dump(&o, true, &st);
	close(fd);
	check_dump(&p, 1, false, true);
}
END_TEST

START_TEST(elf_round_trip)
{
	struct vmt_save_options o = { .format = VMT_SAVE_ELF };
	const char *p = path_of("e.elf");
	struct writer_stats st;

	o.paths = &p;
	o.nr_paths = 1;
	o.force = true;
	for (int zero = 0; zero < 2; zero++) {
		write_dump(&o, zero, &st);
		check_dump(&p, 1, true, zero);
		ck_assert_uint_eq(st.zero_pages, zero ? expected_zero() : 0);
	}
	// Compression is for the kdump format.
	{
		struct writer_source src;
		struct fake f = { .max_mapnr = MAX_MAPNR };

		o.compression = VMT_SAVE_ZLIB;
		source(&src, &f, false);
		vmt_ck_err(dump_write(&src, &o, &st), VMT_ERROR_INVALID_ARGUMENT);
	}
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(output_does_not_depend_on_threads)
{
	static const unsigned int threads[] = { 0, 1, 3 };
	char *first = NULL;
	size_t first_len = 0;

	for (size_t t = 0; t < 3; t++) {
		struct vmt_save_options o = { .compression = VMT_SAVE_ZLIB,
					      .nr_threads = threads[t] };
		const char *p = path_of("t.kdump");
		struct writer_stats st;
		size_t len;
		char *data;

		o.paths = &p;
		o.nr_paths = 1;
		o.force = true;
		write_dump(&o, true, &st);
		data = slurp(p, &len);
		if (!first) {
			first = data;
			first_len = len;
			continue;
		}
		ck_assert_uint_eq(len, first_len);
		ck_assert_msg(!memcmp(data, first, len),
			      "%u threads wrote other bytes", threads[t]);
		free(data);
	}
	free(first);
}
END_TEST

static int stop_in_pass_2(void *arg, const struct vmt_save_progress *p)
{
	(void)arg;
	return p->pass == 2;
}

// Files in the test folder whose name starts with @p prefix.
static int count_files(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

START_TEST(an_interrupted_save_leaves_no_file)
{
	struct vmt_save_options o = { .compression = VMT_SAVE_ZLIB,
				      .progress = stop_in_pass_2 };
	const char *p[2] = { path_of("int.1"), path_of("int.2") };
	struct writer_source src;
	struct fake f = { .max_mapnr = MAX_MAPNR };

	o.paths = p;
	o.nr_paths = 2;
	source(&src, &f, true);
	vmt_ck_err(dump_write(&src, &o, &(struct writer_stats){ 0 }),
		   VMT_ERROR_OS);
	ck_assert_int_eq(count_files("int."), 0);
	// An existing file is not replaced without force.
	close(open(p[0], O_WRONLY | O_CREAT, 0600));
	o.progress = NULL;
	o.nr_paths = 1;
	vmt_ck_err(dump_write(&src, &o, &(struct writer_stats){ 0 }),
		   VMT_ERROR_INVALID_ARGUMENT);
	ck_assert_int_eq(count_files("int."), 1);
	unlink(p[0]);
}
END_TEST

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

// 2^32 PFNs (16 TiB of 4 KiB pages), three of them RAM: bitmaps of
// 512 MiB each are written a chunk at a time and the memory use hardly
// moves (the file's holes stay holes).
START_TEST(memory_is_bounded_on_a_sparse_16_tib_machine)
{
	struct vmt_save_options o = { .compression = VMT_SAVE_ZSTD,
				      .nr_threads = 2 };
	const char *p = path_of("sparse.kdump");
	struct writer_source src;
	struct fake f = { .max_mapnr = UINT64_C(1) << 32, .sparse = true };
	struct writer_stats st;
	long before = max_rss_kib();
	unsigned char want[PS], got[PS], *page = malloc(PS), hdr[2 * PS];
	uint64_t sub_blocks, bm_blocks, bm2, desc, off;
	uint32_t size, flags;
	struct stat sb;
	int fd;

	if (!vmt_save_compression_available(VMT_SAVE_ZSTD))
		o.compression = VMT_SAVE_ZLIB;
	o.paths = &p;
	o.nr_paths = 1;
	o.force = true;
	source(&src, &f, true);
	vmt_ck_no_err(dump_write(&src, &o, &st));
	fprintf(stderr, "sparse 16 TiB: max RSS %ld KiB before, %ld KiB after\n",
		before, max_rss_kib());
	ck_assert_int_lt(max_rss_kib() - before, 32 * 1024);
	ck_assert_uint_eq(st.kept_pages, 3);
	ck_assert_uint_eq(f.reads, 3);
	ck_assert_int_eq(stat(p, &sb), 0);
	// Holes: far fewer blocks than the 1 GiB of bitmaps.
	ck_assert_int_lt(sb.st_blocks * 512, 64 << 20);
	// Read the second page back by hand (the reader loads whole
	// bitmaps: 1 GiB here).
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	sub_blocks = *(uint32_t *)(hdr + KDUMP_DH_SUB_HDR_SIZE);
	bm_blocks = *(uint32_t *)(hdr + KDUMP_DH_BITMAP_BLOCKS);
	ck_assert_uint_eq(bm_blocks * PS / 2 * 8, UINT64_C(1) << 32);
	ck_assert_uint_eq(*(uint64_t *)(hdr + PS + KDUMP_SH_MAX_MAPNR_64),
			  UINT64_C(1) << 32);
	bm2 = (1 + sub_blocks + bm_blocks / 2) * PS;
	ck_assert_int_eq(pread(fd, got, 1, (off_t)(bm2 + ((UINT64_C(1) << 31) + 7) / 8)), 1);
	ck_assert_uint_eq(got[0], 1 << 7);
	desc = (1 + sub_blocks + bm_blocks) * PS + KDUMP_PD_SIZE;
	ck_assert_int_eq(pread(fd, got, KDUMP_PD_SIZE, (off_t)desc), KDUMP_PD_SIZE);
	memcpy(&off, got + KDUMP_PD_OFFSET, 8);
	memcpy(&size, got + KDUMP_PD_SIZE_FIELD, 4);
	memcpy(&flags, got + KDUMP_PD_FLAGS, 4);
	ck_assert_uint_le(size, PS);
	ck_assert_int_eq(pread(fd, page, size, (off_t)off), (ssize_t)size);
	close(fd);
	fill((UINT64_C(1) << 31) + 7, want);
	vmt_ck_no_err(decompress(flags == KDUMP_COMPRESSED_ZSTD ? COMPRESSION_ZSTD :
				 flags == KDUMP_COMPRESSED_ZLIB ? COMPRESSION_ZLIB :
								  COMPRESSION_NONE,
				 page, size, got, PS));
	ck_assert(!memcmp(got, want, PS));
	free(page);
	unlink(p);
}
END_TEST

static void cleanup_dir(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] != '.')
			unlink(path_of(de->d_name));
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("round trips");
	const char *tmp = getenv("TMPDIR");
	int rc;

	snprintf(dir, sizeof(dir), "%s/vmtool-writer-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, kdump_round_trip_every_compressor);
	tcase_add_test(tc, split_sets_cover_every_page_once);
	tcase_add_test(tc, flattened_stream_reads_as_the_file);
	tcase_add_test(tc, elf_round_trip);
	tcase_add_test(tc, output_does_not_depend_on_threads);
	tcase_add_test(tc, an_interrupted_save_leaves_no_file);
	tcase_add_test(tc, memory_is_bounded_on_a_sparse_16_tib_machine);
	suite_add_tcase(s, tc);
	rc = vmt_ck_run(s);
	cleanup_dir();
	return rc;
}

// The dump readers on the real arm64 dumps of ../shared/dumps: every
// format of a set gives the same bytes, the workload's pages hold what the
// guest reported, VMCOREINFO and registers come out of every format.
// Oracles: the ELF file read through libelf (not our ELF reader), and the
// files in truth/.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
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

#define NR_RANDOM_PAGES 1000
#define PAGE 4096

struct dump_file {
	const char *name;
	const char *format_name;
	enum compression compression;
	uint32_t block_size;
	// makedumpfile level 31: user and cache pages are excluded.
	bool filtered;
};

struct dump_set {
	const char *name;
	struct dump_file files[3];
	size_t nr_files;
};

static const struct dump_set sets[] = {
	{ "debian61-kaslr",
	  { { "vmcore.kdump-zlib", "kdump", COMPRESSION_ZLIB, 65536, false },
	    { "vmcore.mdf-lzo-d31.kdump", "kdump", COMPRESSION_LZO, 4096, true } },
	  2 },
	{ "k612-4k-va52",
	  { { "vmcore.kdump-zlib", "kdump", COMPRESSION_ZLIB, 65536, false } },
	  1 },
	{ "k612-64k-va52",
	  { { "vmcore.kdump-zlib.flat", "flattened", COMPRESSION_ZLIB, 65536,
	      false } },
	  1 },
};
#define NR_SETS (sizeof(sets) / sizeof(sets[0]))

static const char *dumps_dir;
static char cache_dir[PATH_MAX];

static void set_path(char *buf, size_t size, const char *set, const char *file)
{
	int n = snprintf(buf, size, "%s/%s/%s", dumps_dir, set, file);

	// Also used outside tests (fixtures), so no ck_assert here.
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long: %s/%s/%s\n", dumps_dir, set, file);
		exit(EXIT_FAILURE);
	}
}

static void elf_path(char *buf, size_t size, const char *set)
{
	int n = snprintf(buf, size, "%s/%s/vmcore.elf", cache_dir, set);

	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "path too long: %s/%s\n", cache_dir, set);
		exit(EXIT_FAILURE);
	}
}

// Decompress each set's vmcore.elf.xz once into the cache (kept between
// runs; written under a temporary name, then renamed).
static void decompress_elfs(void)
{
	for (size_t i = 0; i < NR_SETS; i++) {
		char xz[PATH_MAX], elf[PATH_MAX], cmd[6 * PATH_MAX + 128];
		int n;
		struct stat st;

		set_path(xz, sizeof(xz), sets[i].name, "vmcore.elf.xz");
		elf_path(elf, sizeof(elf), sets[i].name);
		if (!stat(elf, &st) && st.st_size > 0)
			continue;
		n = snprintf(cmd, sizeof(cmd),
			 "mkdir -p '%s/%s' && xz -dkc '%s' > '%s.tmp.%d' && mv '%s.tmp.%d' '%s'",
			 cache_dir, sets[i].name, xz, elf, (int)getpid(), elf,
			 (int)getpid(), elf);
		if (n < 0 || (size_t)n >= sizeof(cmd) || system(cmd) != 0) {
			fprintf(stderr, "cannot decompress %s\n", xz);
			exit(EXIT_FAILURE);
		}
	}
}

// The ELF's PT_LOADs through libelf: the oracle for physical memory.
struct elf_oracle {
	int fd;
	Elf *elf;
	GElf_Phdr *loads;
	size_t nr_loads;
};

static void oracle_open(struct elf_oracle *o, const char *path)
{
	size_t phnum;

	ck_assert_int_ne(elf_version(EV_CURRENT), EV_NONE);
	o->fd = open(path, O_RDONLY);
	ck_assert_msg(o->fd >= 0, "open %s", path);
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	ck_assert_msg(o->elf, "elf_begin: %s", elf_errmsg(-1));
	ck_assert_int_eq(elf_getphdrnum(o->elf, &phnum), 0);
	o->loads = calloc(phnum, sizeof(*o->loads));
	o->nr_loads = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		ck_assert(gelf_getphdr(o->elf, (int)i, &ph));
		if (ph.p_type == PT_LOAD)
			o->loads[o->nr_loads++] = ph;
	}
	ck_assert_uint_gt(o->nr_loads, 0);
}

static void oracle_close(struct elf_oracle *o)
{
	elf_end(o->elf);
	close(o->fd);
	free(o->loads);
}

// Read a page at @p paddr straight from the ELF file; false if absent.
static bool oracle_read(struct elf_oracle *o, uint64_t paddr, void *buf,
			size_t len)
{
	for (size_t i = 0; i < o->nr_loads; i++) {
		const GElf_Phdr *ph = &o->loads[i];

		if (paddr >= ph->p_paddr && paddr + len <= ph->p_paddr + ph->p_filesz) {
			ssize_t n = pread(o->fd, buf, len,
					  (off_t)(ph->p_offset + paddr - ph->p_paddr));

			ck_assert_int_eq(n, (ssize_t)len);
			return true;
		}
	}
	return false;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	// xorshift64*
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t oracle_random_page(struct elf_oracle *o)
{
	const GElf_Phdr *ph;
	uint64_t pages;

	do {
		ph = &o->loads[rng_next() % o->nr_loads];
		pages = ph->p_filesz / PAGE;
	} while (!pages);
	return ph->p_paddr + rng_next() % pages * PAGE;
}

static struct dump *open_one(const char *path)
{
	struct dump *dump = NULL;

	vmt_ck_no_err(dump_open(&path, 1, &dump));
	return dump;
}

// All dumps of set @p s: [0] the ELF, then sets[s].files.
static size_t open_set(const struct dump_set *s, struct dump **dumps)
{
	char path[PATH_MAX];

	elf_path(path, sizeof(path), s->name);
	dumps[0] = open_one(path);
	for (size_t i = 0; i < s->nr_files; i++) {
		set_path(path, sizeof(path), s->name, s->files[i].name);
		dumps[i + 1] = open_one(path);
	}
	return s->nr_files + 1;
}

static void close_set(struct dump **dumps, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		dump_destroy(dumps[i]);
}

START_TEST(every_format_gives_the_same_bytes)
{
	const struct dump_set *s = &sets[_i];
	struct dump *dumps[4];
	size_t nr = open_set(s, dumps);
	struct elf_oracle o;
	char path[PATH_MAX];
	size_t compared[4] = { 0 }, excluded[4] = { 0 };
	static unsigned char want[PAGE], got[PAGE];

	elf_path(path, sizeof(path), s->name);
	oracle_open(&o, path);
	rng_state = 0x9e3779b97f4a7c15ull + _i;
	for (int n = 0; n < NR_RANDOM_PAGES; n++) {
		uint64_t paddr = oracle_random_page(&o);

		ck_assert(oracle_read(&o, paddr, want, PAGE));
		for (size_t d = 0; d < nr; d++) {
			struct vmt_error *err =
				dump_read_phys(dumps[d], paddr, got, PAGE);

			if (d > 0 && s->files[d - 1].filtered && err &&
			    err->code == VMT_ERROR_FAULT &&
			    err->fault == VMT_FAULT_EXCLUDED) {
				ck_assert_uint_eq(err->address, paddr);
				vmt_error_destroy(err);
				excluded[d]++;
				continue;
			}
			ck_assert_msg(!err, "%s %s: %s", s->name,
				      dumps[d]->files[0], err ? err->message : "");
			ck_assert_msg(!memcmp(want, got, PAGE),
				      "%s: %s differs from the ELF at %#" PRIx64,
				      s->name, dumps[d]->files[0], paddr);
			compared[d]++;
		}
	}
	for (size_t d = 0; d < nr; d++) {
		printf("%s %s: %zu pages equal, %zu excluded\n", s->name,
		       dumps[d]->files[0], compared[d], excluded[d]);
		// Even level 31 keeps kernel pages: most pages must compare.
		ck_assert_uint_ge(compared[d], NR_RANDOM_PAGES / 10);
	}
	oracle_close(&o);
	close_set(dumps, nr);
}
END_TEST

struct workload_page {
	uint64_t pa;
	uint64_t word;
	char tag[64];
};

static size_t read_workload(const char *set, struct workload_page **ret)
{
	char path[PATH_MAX], line[512];
	struct workload_page *pages = NULL;
	size_t nr = 0;
	FILE *f;

	set_path(path, sizeof(path), set, "truth/workload_va_pa.tsv");
	f = fopen(path, "r");
	ck_assert_msg(f, "open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char region[64], va[32], pfn[32], pa[32], flags[16], word[32],
			tag[64];
		int pid, idx;

		if (sscanf(line, "%d %63s %d %31s %31s %31s %15s %31s %63s", &pid,
			   region, &idx, va, pfn, pa, flags, word, tag) != 9)
			continue;
		if (!strtoull(pfn, NULL, 0))
			continue;   // not present in the guest
		pages = realloc(pages, (nr + 1) * sizeof(*pages));
		pages[nr].pa = strtoull(pa, NULL, 0);
		pages[nr].word = strtoull(word, NULL, 0);
		snprintf(pages[nr].tag, sizeof(pages[nr].tag), "%s", tag);
		nr++;
	}
	fclose(f);
	ck_assert_uint_gt(nr, 10);
	*ret = pages;
	return nr;
}

START_TEST(workload_pages_read_or_are_excluded)
{
	const struct dump_set *s = &sets[_i];
	struct dump *dumps[4];
	size_t nr = open_set(s, dumps);
	struct workload_page *pages;
	size_t nr_pages = read_workload(s->name, &pages);

	for (size_t p = 0; p < nr_pages; p++) {
		for (size_t d = 0; d < nr; d++) {
			uint64_t paddr = pages[p].pa + 64, word;
			struct vmt_error *err =
				dump_read_phys(dumps[d], paddr, &word, 8);
			struct dump_location loc;
			char tag[64] = { 0 };

			if (d > 0 && s->files[d - 1].filtered) {
				ck_assert_msg(err && err->code == VMT_ERROR_FAULT &&
						      err->fault == VMT_FAULT_EXCLUDED,
					      "%s: workload page %#" PRIx64 " (%s) not reported as excluded: %s",
					      dumps[d]->files[0], pages[p].pa,
					      pages[p].tag,
					      err ? err->message : "read fine");
				ck_assert_uint_eq(err->address, paddr);
				ck_assert_msg(strstr(err->message, "excluded"),
					      "%s", err->message);
				vmt_error_destroy(err);
				vmt_ck_no_err(dump_locate(dumps[d], paddr, &loc));
				ck_assert_int_eq(loc.state, DUMP_PAGE_EXCLUDED);
				continue;
			}
			ck_assert_msg(!err, "%s: %s", dumps[d]->files[0],
				      err ? err->message : "");
			ck_assert_msg(word == pages[p].word,
				      "%s: word at %#" PRIx64 " is %#" PRIx64 ", want %#" PRIx64,
				      dumps[d]->files[0], paddr, word,
				      pages[p].word);
			vmt_ck_no_err(dump_read_phys(dumps[d], pages[p].pa, tag,
						     strlen(pages[p].tag)));
			// The table writes spaces of the tag as '_'.
			for (char *c = tag; *c; c++)
				*c = *c == ' ' ? '_' : *c;
			ck_assert_str_eq(tag, pages[p].tag);
			vmt_ck_no_err(dump_locate(dumps[d], paddr, &loc));
			ck_assert_int_eq(loc.state, DUMP_PAGE_PRESENT);
		}
	}
	free(pages);
	close_set(dumps, nr);
}
END_TEST

static size_t trimmed_len(const char *text, size_t len)
{
	while (len && (text[len - 1] == '\0' || text[len - 1] == '\n'))
		len--;
	return len;
}

START_TEST(vmcoreinfo_and_registers_from_every_format)
{
	const struct dump_set *s = &sets[_i];
	struct dump *dumps[4];
	size_t nr = open_set(s, dumps), want_len;
	char path[PATH_MAX], *want;
	FILE *f;

	set_path(path, sizeof(path), s->name, "truth/vmcoreinfo_from_dump.txt");
	f = fopen(path, "r");
	ck_assert_msg(f, "open %s", path);
	want = calloc(1, 1 << 20);
	want_len = trimmed_len(want, fread(want, 1, (1 << 20) - 1, f));
	fclose(f);
	ck_assert_uint_gt(want_len, 100);

	for (size_t d = 0; d < nr; d++) {
		const struct dump *dump = dumps[d];

		ck_assert_msg(dump->vmcoreinfo, "%s: no VMCOREINFO", dump->files[0]);
		ck_assert_uint_eq(trimmed_len(dump->vmcoreinfo, dump->vmcoreinfo_len),
				  want_len);
		ck_assert(!memcmp(dump->vmcoreinfo, want, want_len));
		ck_assert_str_eq(dump->vmcoreinfo_origin,
				 d ? "kdump sub-header" : "ELF note");
		ck_assert_uint_eq(dump->nr_cpus, 2);
		ck_assert_uint_eq(dump->machine, 183);   // EM_AARCH64
		// QEMU numbers its NT_PRSTATUS pids from 1.
		ck_assert_uint_eq(dump->cpus[0].pid, 1);
		ck_assert_uint_eq(dump->cpus[1].pid, 2);
		for (size_t c = 0; c < 2; c++) {
			// Kernel addresses: the top 12 bits are set.
			ck_assert_uint_eq(dump->cpus[c].pc >> 52, 0xfff);
			ck_assert_uint_eq(dump->cpus[c].sp >> 52, 0xfff);
			ck_assert(!memcmp(&dump->cpus[c], &dumps[0]->cpus[c],
					  sizeof(dump->cpus[c])));
		}
	}
	free(want);
	close_set(dumps, nr);
}
END_TEST

START_TEST(header_facts_of_every_format)
{
	const struct dump_set *s = &sets[_i];
	struct dump *dumps[4];
	size_t nr = open_set(s, dumps);

	// truth/iomem.txt: System RAM 40000000-4fffffff in every set.
	for (size_t d = 0; d < nr; d++) {
		load_ranges(dumps[d]);
		ck_assert_uint_eq(dumps[d]->nr_ram_ranges, 1);
		ck_assert_uint_eq(dumps[d]->ram_ranges[0].start, 0x40000000);
		ck_assert_uint_eq(dumps[d]->ram_ranges[0].end, 0x50000000);
		ck_assert(!dumps[d]->incomplete);
		ck_assert(!dumps[d]->big_endian);
	}
	ck_assert_str_eq(dumps[0]->format_name, "elf");
	ck_assert_str_eq(dumps[0]->uts_machine, "");
	for (size_t i = 0; i < s->nr_files; i++) {
		const struct dump *dump = dumps[i + 1];

		ck_assert_str_eq(dump->format_name, s->files[i].format_name);
		ck_assert_uint_eq(dump->block_size, s->files[i].block_size);
		ck_assert_int_eq(dump->header_version, 6);
		ck_assert_uint_eq(dump->header_nr_cpus, 2);
		ck_assert_msg(dump->compressions & 1u << s->files[i].compression,
			      "%s: compressions %#x", dump->files[0],
			      dump->compressions);
		ck_assert_int_eq(dump->dump_level, s->files[i].filtered ? 31 : 1);
		ck_assert_str_eq(dump->uts_machine,
				 s->files[i].filtered ? "aarch64" : "Unknown");
	}
	close_set(dumps, nr);
}
END_TEST

START_TEST(a_cached_page_is_not_decompressed_twice)
{
	const struct dump_set *s = &sets[_i];
	char path[PATH_MAX];
	struct dump *dump;
	struct dump_location loc;
	uint64_t a, b, loads, paddr = 0x40000000;

	set_path(path, sizeof(path), s->name, s->files[0].name);
	dump = open_one(path);
	// Uncompressed pages are read from the file directly; find a
	// compressed one.
	for (;; paddr += dump->block_size) {
		ck_assert_uint_lt(paddr, 0x50000000);
		vmt_ck_no_err(dump_locate(dump, paddr, &loc));
		if (loc.state == DUMP_PAGE_PRESENT && loc.compressed)
			break;
	}
	ck_assert_uint_eq(dump->nr_page_loads, 0);
	vmt_ck_no_err(dump_read_phys(dump, paddr, &a, 8));
	loads = dump->nr_page_loads;
	ck_assert_uint_eq(loads, 1);
	// A small read decompresses the page only as far as it needs; a
	// read further in decompresses the rest, once: then it is whole.
	vmt_ck_no_err(dump_read_phys(dump, paddr + dump->block_size - 8, &b,
				     8));
	ck_assert_uint_le(dump->nr_page_loads, 2);
	loads = dump->nr_page_loads;
	vmt_ck_no_err(dump_read_phys(dump, paddr + 0x100, &b, 8));
	vmt_ck_no_err(dump_read_phys(dump, paddr, &b, 8));
	ck_assert_uint_eq(a, b);
	ck_assert_uint_eq(dump->nr_page_loads, loads);
	// Memory stays bounded: reading all of RAM evicts, then re-reads.
	for (uint64_t p = 0x40000000; p < 0x50000000; p += dump->block_size) {
		struct vmt_error *err = dump_read_phys(dump, p, &b, 8);

		ck_assert(!err || err->code == VMT_ERROR_FAULT);
		vmt_error_destroy(err);
	}
	ck_assert_uint_gt(dump->nr_page_loads, 256);
	loads = dump->nr_page_loads;
	vmt_ck_no_err(dump_read_phys(dump, paddr, &b, 8));
	ck_assert_uint_eq(dump->nr_page_loads, loads + 1);
	ck_assert_uint_eq(a, b);
	dump_destroy(dump);
}
END_TEST

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static size_t put_record(unsigned char *out, uint64_t off, const void *data,
			 uint64_t size)
{
	put_be64(out, off);
	put_be64(out + 8, size);
	memcpy(out + 16, data, size);
	return 16 + size;
}

// Re-flatten a real kdump file with records in random order, garbage
// records that later ones override, and duplicates (makedumpfile
// IMPLEMENTATION: records place data at offsets; the last write wins).
START_TEST(flattened_records_in_any_order_read_like_the_file)
{
	const struct dump_set *s = &sets[_i];
	char path[PATH_MAX];
	unsigned char *file, *stream, *garbage, *page_a, *page_b;
	size_t file_size, len = 4096, nr_chunks = 0;
	struct { uint64_t off, size; } *chunks;
	struct source *src;
	struct dump *plain, *flat;
	size_t compared = 0;
	FILE *f;

	set_path(path, sizeof(path), s->name, s->files[0].name);
	f = fopen(path, "rb");
	ck_assert(f);
	fseek(f, 0, SEEK_END);
	file_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	file = malloc(file_size);
	ck_assert_uint_eq(fread(file, 1, file_size, f), file_size);
	fclose(f);

	// Header, garbage (<= 200 x 64 KiB), chunks + headers, duplicates.
	stream = calloc(1, 4096 + 200 * (16 + 65536) + 2 * file_size +
				   16 * (file_size + 100) + 16);
	garbage = malloc(65536);
	chunks = calloc(file_size + 1, sizeof(*chunks));
	memcpy(stream, "makedumpfile", 12);
	put_be64(stream + 16, 1);
	put_be64(stream + 24, 1);
	rng_state = 0x1234567 + _i;
	for (int g = 0; g < 200; g++) {
		uint64_t off = rng_next() % file_size, size = 1 + rng_next() % 65536;

		if (size > file_size - off)
			size = file_size - off;
		for (uint64_t b = 0; b < size; b++)
			garbage[b] = (unsigned char)rng_next();
		len += put_record(stream + len, off, garbage, size);
	}
	for (uint64_t off = 0; off < file_size;) {
		uint64_t size = 1 + rng_next() % 131072;

		if (size > file_size - off)
			size = file_size - off;
		chunks[nr_chunks].off = off;
		chunks[nr_chunks++].size = size;
		off += size;
	}
	for (size_t i = nr_chunks - 1; i > 0; i--) {
		size_t j = rng_next() % (i + 1);
		uint64_t o = chunks[i].off, z = chunks[i].size;

		chunks[i] = chunks[j];
		chunks[j].off = o;
		chunks[j].size = z;
	}
	for (size_t i = 0; i < nr_chunks; i++)
		len += put_record(stream + len, chunks[i].off,
				  file + chunks[i].off, chunks[i].size);
	for (size_t i = 0; i < nr_chunks / 4; i++)
		len += put_record(stream + len, chunks[i].off,
				  file + chunks[i].off, chunks[i].size);
	put_be64(stream + len, UINT64_MAX);
	put_be64(stream + len + 8, UINT64_MAX);
	len += 16;

	vmt_ck_no_err(source_open_mem(stream, len, "shuffled.flat", &src));
	vmt_ck_no_err(dump_open_sources(&src, 1, &flat));
	ck_assert_str_eq(flat->format_name, "flattened");
	plain = open_one(path);
	load_ranges(plain);
	page_a = malloc(plain->block_size);
	page_b = malloc(plain->block_size);
	for (uint64_t p = plain->ram_ranges[0].start; p < plain->ram_ranges[0].end;
	     p += plain->block_size) {
		struct dump_location la, lb;

		vmt_ck_no_err(dump_locate(plain, p, &la));
		vmt_ck_no_err(dump_locate(flat, p, &lb));
		ck_assert_int_eq(la.state, lb.state);
		if (la.state != DUMP_PAGE_PRESENT)
			continue;
		vmt_ck_no_err(dump_read_phys(plain, p, page_a, plain->block_size));
		vmt_ck_no_err(dump_read_phys(flat, p, page_b, plain->block_size));
		ck_assert_msg(!memcmp(page_a, page_b, plain->block_size),
			      "page at %#" PRIx64 " differs", p);
		compared++;
	}
	printf("%s: shuffled flattened copy (%zu records): %zu pages equal\n",
	       s->files[0].name, nr_chunks + nr_chunks / 4 + 200, compared);
	ck_assert_uint_gt(compared, 1000);
	dump_destroy(flat);
	dump_destroy(plain);
	free(page_a);
	free(page_b);
	free(chunks);
	free(garbage);
	free(stream);
	free(file);
}
END_TEST

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Not a pass/fail bound (sanitizers skew it): prints the reader's time
// next to a bare inflate of the same pages.
START_TEST(time_to_read_every_present_page)
{
	const struct dump_set *s = &sets[0];
	char path[PATH_MAX];
	struct dump *dump;
	unsigned char *page, *cbuf;
	double t0, t_read, t_bare;
	struct dump_location *locs;
	size_t nr_pages = 0;
	int fd;

	set_path(path, sizeof(path), s->name, s->files[0].name);
	dump = open_one(path);
	load_ranges(dump);
	page = malloc(dump->block_size);
	cbuf = malloc(dump->block_size);
	t0 = now();
	for (uint64_t p = dump->ram_ranges[0].start; p < dump->ram_ranges[0].end;
	     p += dump->block_size) {
		vmt_ck_no_err(dump_read_phys(dump, p, page, dump->block_size));
		nr_pages++;
	}
	t_read = now() - t0;
	dump_destroy(dump);

	// The bare loop gets the page locations beforehand, untimed.
	dump = open_one(path);
	load_ranges(dump);
	locs = calloc(nr_pages, sizeof(*locs));
	for (size_t i = 0; i < nr_pages; i++)
		vmt_ck_no_err(dump_locate(dump, dump->ram_ranges[0].start +
							 i * dump->block_size,
					  &locs[i]));
	fd = open(path, O_RDONLY);
	t0 = now();
	for (size_t i = 0; i < nr_pages; i++) {
		uLongf out = dump->block_size;

		ck_assert_int_eq(pread(fd, cbuf, locs[i].stored_size,
				       (off_t)locs[i].file_offset),
				 (ssize_t)locs[i].stored_size);
		if (locs[i].compressed)
			ck_assert_int_eq(uncompress(page, &out, cbuf,
						    locs[i].stored_size), Z_OK);
	}
	t_bare = now() - t0;
	close(fd);
	printf("%s %s: %zu pages of %u bytes: reader %.3f s, bare pread+inflate %.3f s (%.2fx)\n",
	       s->name, s->files[0].name, nr_pages, dump->block_size, t_read,
	       t_bare, t_read / t_bare);
	free(locs);
	free(page);
	free(cbuf);
	dump_destroy(dump);
}
END_TEST

int main(void)
{
	const char *cache = getenv("VMTOOL_CACHE");
	Suite *suite;
	TCase *tc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps, skipping\n");
		return 77;
	}
	suite = suite_create("dump_real");
	tc = tcase_create("real dumps");
	snprintf(cache_dir, sizeof(cache_dir), "%s",
		 cache && *cache ? cache : "/tmp/vmtool-cache");
	decompress_elfs();

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, every_format_gives_the_same_bytes, 0, NR_SETS);
	tcase_add_loop_test(tc, workload_pages_read_or_are_excluded, 0, NR_SETS);
	tcase_add_loop_test(tc, vmcoreinfo_and_registers_from_every_format, 0,
			    NR_SETS);
	tcase_add_loop_test(tc, header_facts_of_every_format, 0, NR_SETS);
	tcase_add_loop_test(tc, a_cached_page_is_not_decompressed_twice, 0,
			    NR_SETS);
	// The two sets stored unflattened.
	tcase_add_loop_test(tc, flattened_records_in_any_order_read_like_the_file,
			    0, 2);
	tcase_add_test(tc, time_to_read_every_present_page);
	suite_add_tcase(suite, tc);
	return vmt_ck_run(suite);
}

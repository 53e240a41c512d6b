// Translation on the real arm64 dumps of ../shared/dumps (skips without
// them): the banner through its kernel VA, every kimage symbol against
// VA - kimage_voffset, every present workload page through its linear-map
// VA. The truth files were written by the guest itself.
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "arch/arm64/layout.h"
#include "dump/dump.h"
#include "mem/address_space.h"
#include "vmcoreinfo/vmcoreinfo.h"

static const char *const sets[] = {
	"debian61-kaslr",
	"k612-4k-va52",
	"k612-64k-va52",
};

#define NR_SETS (sizeof(sets) / sizeof(sets[0]))

static const char *dumps_dir;
static char cache_dir[PATH_MAX];

struct opened {
	struct dump *dump;
	struct vmcoreinfo vi;
	struct arm64_layout layout;
	struct address_space *as;
};

static void open_set_ov(const char *set, const char *const *ov, size_t nov,
			struct opened *o)
{
	char elf[PATH_MAX + 64];
	const char *paths[1] = { elf };

	snprintf(elf, sizeof(elf), "%s/%s/vmcore.elf", cache_dir, set);
	vmt_ck_no_err(dump_open(paths, 1, &o->dump));
	ck_assert_msg(o->dump->vmcoreinfo, "%s: no VMCOREINFO note", set);
	vmt_ck_no_err(vmcoreinfo_parse(o->dump->vmcoreinfo,
				       o->dump->vmcoreinfo_len, &o->vi));
	vmt_ck_no_err(arm64_layout_init(&o->layout, &o->vi, ov, nov));
	vmt_ck_no_err(address_space_create(o->dump, &o->layout, &o->as));
}

static void open_set(const char *set, struct opened *o)
{
	open_set_ov(set, NULL, 0, o);
}

static void close_set(struct opened *o)
{
	address_space_destroy(o->as);
	arm64_layout_deinit(&o->layout);
	vmcoreinfo_deinit(&o->vi);
	dump_destroy(o->dump);
}

static FILE *open_truth(const char *set, const char *name)
{
	char path[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/truth/%s", dumps_dir, set, name);
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	return f;
}

struct sym {
	char name[128];
	uint64_t runtime;
};

// kernel_symbols_derived.txt: "name link_addr runtime_addr type".
static size_t read_symbols(const char *set, struct sym *syms, size_t max)
{
	FILE *f = open_truth(set, "kernel_symbols_derived.txt");
	char line[512];
	size_t n = 0;

	while (n < max && fgets(line, sizeof(line), f)) {
		char name[128], type[8];
		uint64_t link, runtime;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%127s %" SCNx64 " %" SCNx64 " %7s", name, &link,
			   &runtime, type) != 4)
			continue;
		snprintf(syms[n].name, sizeof(syms[n].name), "%s", name);
		syms[n].runtime = runtime;
		n++;
	}
	fclose(f);
	ck_assert_uint_gt(n, 10);
	return n;
}

static uint64_t sym_value(const struct sym *syms, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(syms[i].name, name) == 0)
			return syms[i].runtime;
	}
	ck_abort_msg("no symbol %s", name);
	return 0;
}

START_TEST(banner_reads_through_kernel_va)
{
	const char *set = sets[_i];
	struct sym syms[256];
	size_t n = read_symbols(set, syms, 256);
	struct opened o;
	char version[1024], banner[1024];
	FILE *f = open_truth(set, "version.txt");
	size_t len;

	ck_assert(fgets(version, sizeof(version), f));
	fclose(f);
	len = strcspn(version, "\n");
	open_set(set, &o);
	memset(banner, 0, sizeof(banner));
	vmt_ck_no_err(address_space_read(o.as, ARM64_TABLE_KERNEL, 0,
					 sym_value(syms, n, "linux_banner"),
					 banner, len + 1));
	ck_assert_msg(memcmp(banner, version, len) == 0 && banner[len] == '\n',
		      "%s: banner \"%.*s\"", set, (int)len, banner);
	close_set(&o);
}
END_TEST

START_TEST(kimage_symbols_walk_to_va_minus_kimage_voffset)
{
	const char *set = sets[_i];
	struct sym syms[256];
	size_t n = read_symbols(set, syms, 256);
	// The init sections (text, data, the per-CPU template) lie between
	// _sinittext and _sdata; free_initmem() unmaps them after boot.
	// Before 6.x the head (_text up to _stext) is not mapped either.
	uint64_t init_begin = sym_value(syms, n, "_sinittext");
	uint64_t init_end = sym_value(syms, n, "_sdata");
	uint64_t text = sym_value(syms, n, "_text");
	uint64_t stext = sym_value(syms, n, "_stext");
	size_t unmapped = 0;
	struct opened o;
	size_t checked = 0;

	open_set(set, &o);
	ck_assert_uint_eq(o.layout.swapper_pg_dir_paddr,
			  sym_value(syms, n, "swapper_pg_dir") -
				  o.layout.kimage_voffset.value);
	for (size_t i = 0; i < n; i++) {
		uint64_t va = syms[i].runtime;
		struct vmt_translation t;

		vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0,
						 va, &t));
		if (t.status == VMT_VTOP_NOT_MAPPED &&
		    ((va >= init_begin && va < init_end) ||
		     (va >= text && va < stext) ||
		     strcmp(syms[i].name, "_end") == 0)) {
			unmapped++;
			continue;
		}
		ck_assert_msg(t.status == VMT_VTOP_MAPPED,
			      "%s: %s %#" PRIx64 ": status %d %s", set,
			      syms[i].name, va, t.status, t.note);
		ck_assert_msg(t.paddr == va - o.layout.kimage_voffset.value,
			      "%s: %s %#" PRIx64 " -> %#" PRIx64 ", want %#" PRIx64,
			      set, syms[i].name, va, t.paddr,
			      va - o.layout.kimage_voffset.value);
		ck_assert_str_eq(t.region, "kimage");
		ck_assert(t.has_formula_paddr && t.formula_paddr == t.paddr);
		ck_assert_msg(!t.note[0], "%s", t.note);
		ck_assert(t.has_file_offset && t.file);
		checked++;
	}
	ck_assert_uint_gt(checked, n - 8);
	ck_assert_uint_eq(checked + unmapped, n);
	close_set(&o);
}
END_TEST

START_TEST(workload_pages_through_linear_map)
{
	const char *set = sets[_i];
	FILE *f = open_truth(set, "workload_va_pa.tsv");
	struct opened o;
	char line[512];
	size_t checked = 0;

	open_set(set, &o);
	while (fgets(line, sizeof(line), f)) {
		char region[64], flags[16];
		unsigned int pid, idx;
		uint64_t uva, pfn, pa, word, got, lva, walk_pa;
		struct vmt_translation t;

		if (sscanf(line, "%u %63s %u %" SCNx64 " %" SCNx64 " %" SCNx64
				 " %15s %" SCNx64,
			   &pid, region, &idx, &uva, &pfn, &pa, flags,
			   &word) != 8 || !pfn)
			continue;
		// the kernel's __phys_to_virt
		lva = (pa - o.layout.phys_offset.value) |
		      o.layout.page_offset.value;
		vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0,
						 lva + 64, &t));
		ck_assert_msg(t.status == VMT_VTOP_MAPPED && t.paddr == pa + 64,
			      "%s: linear %#" PRIx64 " (pa %#" PRIx64 "): status %d paddr %#" PRIx64 " %s",
			      set, lva, pa, t.status, t.paddr, t.note);
		ck_assert_str_eq(t.region, "linear");
		ck_assert(t.has_formula_paddr && t.formula_paddr == pa + 64);
		vmt_ck_no_err(address_space_translate(o.as, ARM64_TABLE_KERNEL,
						      0, lva + 64, &walk_pa));
		ck_assert_uint_eq(walk_pa, pa + 64);
		vmt_ck_no_err(address_space_read(o.as, ARM64_TABLE_KERNEL, 0,
						 lva + 64, &got, sizeof(got)));
		ck_assert_msg(got == word, "%s: %s[%u] word %#" PRIx64 ", want %#" PRIx64,
			      set, region, idx, got, word);
		checked++;
	}
	fclose(f);
	ck_assert_uint_gt(checked, 30);
	close_set(&o);
}
END_TEST

// Reads that cross pages go through one translation per page.
START_TEST(read_across_pages_matches_physical)
{
	const char *set = sets[_i];
	struct opened o;
	uint64_t page, va, pa;
	uint8_t *a, *b;

	open_set(set, &o);
	page = o.layout.page_size;
	// a span across three pages of the image ending in swapper_pg_dir
	// (the init pages after it are unmapped from the kimage range)
	pa = o.layout.swapper_pg_dir_paddr - 2 * page + 100;
	va = arm64_phys_to_linear(&o.layout, pa);
	a = malloc(2 * page);
	b = malloc(2 * page);
	vmt_ck_no_err(address_space_read(o.as, ARM64_TABLE_KERNEL, 0, va, a,
					 2 * page));
	vmt_ck_no_err(dump_read_phys(o.dump, pa, b, 2 * page));
	ck_assert(memcmp(a, b, 2 * page) == 0);
	// same bytes through the kimage alias
	vmt_ck_no_err(address_space_read(o.as, ARM64_TABLE_KERNEL, 0,
					 pa + o.layout.kimage_voffset.value, a,
					 2 * page));
	ck_assert(memcmp(a, b, 2 * page) == 0);
	// a user address has no translation in swapper_pg_dir
	{
		struct vmt_error *err = address_space_translate(
			o.as, ARM64_TABLE_KERNEL, 0, 0x400000, &pa);

		ck_assert(err && err->code == VMT_ERROR_FAULT);
		vmt_error_destroy(err);
	}
	free(a);
	free(b);
	close_set(&o);
}
END_TEST

// A wrong PHYS_OFFSET override: the walk still finds the truth and the
// translation says the linear formula disagrees.
START_TEST(walk_vs_formula_disagreement_is_noted)
{
	static const char *const ov[] = { "PHYS_OFFSET=0x40200000" };
	const char *set = sets[_i];
	struct opened o;
	struct vmt_translation t;
	uint64_t va;
	char want[96];

	open_set_ov(set, ov, 1, &o);
	// the true linear address of PA 0x40400000 (DRAM at 0x40000000)
	va = o.layout.page_offset.value + 0x400000;
	vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0, va, &t));
	ck_assert_int_eq(t.status, VMT_VTOP_MAPPED);
	ck_assert_uint_eq(t.paddr, 0x40400000);
	ck_assert(t.has_formula_paddr);
	ck_assert_uint_eq(t.formula_paddr, 0x40600000);
	snprintf(want, sizeof(want), "walk %#" PRIx64, t.paddr);
	ck_assert_msg(strstr(t.note, want) && strstr(t.note, "linear formula 0x40600000"),
		      "%s", t.note);
	ck_assert(t.has_file_offset);
	close_set(&o);
}
END_TEST

// makedumpfile level 31 excludes the workload's user pages: their linear
// addresses still walk, and the status says the data was filtered out.
START_TEST(excluded_pages_in_filtered_kdump)
{
	char path[PATH_MAX + 128];
	const char *paths[1] = { path };
	struct opened o;
	FILE *f = open_truth("debian61-kaslr", "workload_va_pa.tsv");
	char line[512];
	size_t excluded = 0;
	struct sym syms[256];
	size_t n = read_symbols("debian61-kaslr", syms, 256);
	struct vmt_translation t;

	snprintf(path, sizeof(path), "%s/debian61-kaslr/vmcore.mdf-lzo-d31.kdump",
		 dumps_dir);
	vmt_ck_no_err(dump_open(paths, 1, &o.dump));
	vmt_ck_no_err(vmcoreinfo_parse(o.dump->vmcoreinfo, o.dump->vmcoreinfo_len,
				       &o.vi));
	vmt_ck_no_err(arm64_layout_init(&o.layout, &o.vi, NULL, 0));
	vmt_ck_no_err(address_space_create(o.dump, &o.layout, &o.as));
	while (fgets(line, sizeof(line), f)) {
		char region[64];
		unsigned int pid, idx;
		uint64_t uva, pfn, pa;

		if (sscanf(line, "%u %63s %u %" SCNx64 " %" SCNx64 " %" SCNx64,
			   &pid, region, &idx, &uva, &pfn, &pa) != 6 || !pfn ||
		    strcmp(region, "anon_256M") != 0)
			continue;
		vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0,
						 arm64_phys_to_linear(&o.layout, pa),
						 &t));
		ck_assert_int_eq(t.status, VMT_VTOP_EXCLUDED);
		ck_assert(t.has_paddr && t.paddr == pa);
		excluded++;
	}
	fclose(f);
	ck_assert_uint_gt(excluded, 0);
	vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0,
					 sym_value(syms, n, "linux_banner"), &t));
	ck_assert_int_eq(t.status, VMT_VTOP_MAPPED);
	ck_assert(t.has_file_offset && t.file_offset_compressed);
	close_set(&o);
}
END_TEST

// Decompress each set's vmcore.elf.xz once (kept between runs).
static int prepare(void)
{
	for (size_t i = 0; i < NR_SETS; i++) {
		char xz[PATH_MAX + 64], elf[PATH_MAX + 64];
		char cmd[8 * PATH_MAX];
		struct stat st;
		int r;

		snprintf(elf, sizeof(elf), "%s/%s/vmcore.elf", cache_dir, sets[i]);
		if (stat(elf, &st) == 0)
			continue;
		snprintf(xz, sizeof(xz), "%s/%s/vmcore.elf.xz", dumps_dir, sets[i]);
		r = snprintf(cmd, sizeof(cmd),
			     "mkdir -p '%s/%s' && xz -dkc '%s' > '%s.tmp.%d' && mv '%s.tmp.%d' '%s'",
			     cache_dir, sets[i], xz, elf, (int)getpid(), elf,
			     (int)getpid(), elf);
		if (r < 0 || (size_t)r >= sizeof(cmd) || system(cmd) != 0) {
			fprintf(stderr, "cannot decompress %s\n", xz);
			return -1;
		}
	}
	return 0;
}

// A working set of 16,384 distinct kernel pages (the linear map of RAM,
// shuffled, and the kernel image): the second pass reads no page-table
// page from the dump, and every translation, by TLB, walk or linear-map
// formula, is the one the full walk gives.
#define WORKING_SET 16384

START_TEST(working_set_translates_without_thrashing)
{
	const char *set = sets[_i];
	const struct vmt_phys_range *ranges;
	size_t nr_ranges, n = 0;
	uint64_t *va = calloc(WORKING_SET, sizeof(*va));
	uint64_t *walked = calloc(WORKING_SET, sizeof(*walked));
	uint64_t page, step, x = 0x9e3779b97f4a7c15ull;
	const struct address_space_stats *st;
	size_t unmapped = 0;
	struct opened o;

	ck_assert(va && walked);
	open_set(set, &o);
	page = o.layout.page_size;
	vmt_ck_no_err(dump_ranges(o.dump, &ranges, &nr_ranges));
	ck_assert_uint_ge(nr_ranges, 1);
	// Every n-th page of RAM so that the set spans all of it.
	step = (ranges[0].end - ranges[0].start) / page / (WORKING_SET - 1024);
	if (!step)
		step = 1;
	for (uint64_t pa = ranges[0].start; pa < ranges[0].end && n < WORKING_SET - 1024;
	     pa += step * page, n++)
		va[n] = arm64_phys_to_linear(&o.layout, pa) + 8 * (n % 512);
	for (uint64_t k = 0; k < 1024 && n < WORKING_SET; k++)
		va[n++] = o.layout.kimage_start.value + k * page + 16;
	for (size_t i = n; i > 1; i--) {
		size_t j;
		uint64_t t;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		j = (size_t)(x % i);
		t = va[i - 1], va[i - 1] = va[j], va[j] = t;
	}
	// The reference: the full walk (what vtop reports).
	for (size_t i = 0; i < n; i++) {
		struct vmt_translation t;

		vmt_ck_no_err(address_space_vtop(o.as, ARM64_TABLE_KERNEL, 0,
						 va[i], &t));
		walked[i] = t.has_paddr && t.status == VMT_VTOP_MAPPED ?
				    t.paddr : UINT64_MAX;
	}
	close_set(&o);

	for (size_t i = 0; i < n; i++)
		unmapped += walked[i] == UINT64_MAX;
	// TLB and walks only, then with the linear-map formula: two passes.
	for (int formula = 0; formula < 2; formula++) {
		uint64_t loads, misses, hits;

		open_set(set, &o);
		address_space_set_linear_formula(o.as, formula);
		st = address_space_stats(o.as);
		for (int pass = 0; pass < 2; pass++) {
			loads = st->table_loads;
			misses = st->tlb_misses;
			hits = st->tlb_hits;
			for (size_t i = 0; i < n; i++) {
				uint64_t pa = UINT64_MAX;
				struct vmt_error *err = address_space_translate(
					o.as, ARM64_TABLE_KERNEL, 0, va[i], &pa);

				if (err) {
					ck_assert_uint_eq(walked[i], UINT64_MAX);
					vmt_error_destroy(err);
					continue;
				}
				ck_assert_msg(pa == walked[i],
					      "%s: %#" PRIx64 " -> %#" PRIx64
					      ", the walk says %#" PRIx64 " (formula %d, pass %d)",
					      set, va[i], pa, walked[i], formula, pass);
			}
			if (pass == 1) {
				ck_assert_msg(st->table_loads == loads,
					      "%s: pass 2 read %" PRIu64
					      " page-table pages again (formula %d)",
					      set, st->table_loads - loads, formula);
				// Unmapped addresses walk every time (errors
				// are not cached); beyond those, a few
				// conflict misses at most.
				ck_assert_msg((st->tlb_misses - misses - unmapped) * 100 <=
						      st->tlb_misses - misses +
							      st->tlb_hits - hits,
					      "%s: %" PRIu64 " TLB misses in pass 2 (%zu unmapped), formula %d",
					      set, st->tlb_misses - misses, unmapped,
					      formula);
			}
		}
		if (formula)
			ck_assert_uint_gt(st->linear_formula, 0);
		close_set(&o);
	}
	free(va);
	free(walked);
}
END_TEST

int main(void)
{
	const char *cache = getenv("VMTOOL_CACHE");
	Suite *s;
	TCase *tc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		fprintf(stderr, "VMTOOL_SHARED_DUMPS not set: no real dumps, skipping\n");
		return 77;
	}
	snprintf(cache_dir, sizeof(cache_dir), "%s",
		 cache && *cache ? cache : "/tmp/vmtool-cache");
	if (prepare())
		return EXIT_FAILURE;
	s = suite_create("arm64_real");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, banner_reads_through_kernel_va, 0, NR_SETS);
	tcase_add_loop_test(tc, kimage_symbols_walk_to_va_minus_kimage_voffset, 0,
			    NR_SETS);
	tcase_add_loop_test(tc, workload_pages_through_linear_map, 0, NR_SETS);
	tcase_add_loop_test(tc, read_across_pages_matches_physical, 0, NR_SETS);
	tcase_add_loop_test(tc, walk_vs_formula_disagreement_is_noted, 0, NR_SETS);
	tcase_add_test(tc, excluded_pages_in_filtered_kdump);
	tcase_add_loop_test(tc, working_set_translates_without_thrashing, 0,
			    NR_SETS);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

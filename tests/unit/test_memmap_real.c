// The memmap of the real dumps in $VMTOOL_SHARED_DUMPS: every workload
// page the guest's pagemap called a file or shared page (bit 61, "f" in
// truth/workload_va_pa.tsv) is page cache, every other one user data; the
// memmap's counts agree with the kernel's own counters read from the same
// dump (within the per-CPU deltas not yet folded into them), its total
// with MemTotal, and every file of a set gives the same classes.
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "program_internal.h"
#include "vmtool/page.h"
#include "vmtool/program.h"

// vm_stat_diff may hold up to stat_threshold (at most 125) pages per CPU
// per zone that the global counters do not show yet.
#define COUNTER_SLACK 256

static const char *dumps_dir;

static uint64_t diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

// MemTotal of truth/meminfo.txt in pages, 0 if absent.
static uint64_t mem_total(const char *setdir, uint64_t page_size)
{
	char path[4200], line[256];
	uint64_t kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/truth/meminfo.txt", setdir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %" SCNu64 " kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024 / page_size;
}

// Returns the number of mismatches.
static int check_workload(struct vmt_program *prog, const char *setdir,
			  const char *file, int *checked)
{
	char path[4200], line[512];
	uint64_t ps = vmt_program_dump_info(prog)->page_size;
	int bad = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/truth/workload_va_pa.tsv", setdir);
	f = fopen(path, "r");
	ck_assert_msg(f, "%s: unreadable", path);
	while (fgets(line, sizeof(line), f)) {
		char region[64], flags[16];
		unsigned long long pa;
		enum vmt_page_class want;
		struct vmt_page pg;
		struct vmt_error *err;

		if (sscanf(line, "%*s %63s %*s %*s %*s %llx %15s", region, &pa,
			   flags) != 3 || !pa)
			continue;
		want = strchr(flags, 'f') ? VMT_PAGE_CACHE : VMT_PAGE_USER;
		err = vmt_program_page(prog, pa / ps, &pg);
		if (err) {
			fprintf(stderr, "%s: %s page %#llx: %s\n", file, region,
				pa, err->message);
			vmt_error_destroy(err);
			bad++;
			continue;
		}
		(*checked)++;
		if (pg.cls != want) {
			fprintf(stderr, "%s: %s page %#llx is %s, want %s\n", file,
				region, pa, vmt_page_class_name(pg.cls),
				vmt_page_class_name(want));
			bad++;
		}
	}
	fclose(f);
	return bad;
}

static int check_counters(const char *file, const struct vmt_meminfo *mi,
			  uint64_t truth_total)
{
	const struct vmt_mem_usage *u = &mi->usage;
	uint64_t total = u->ram_pages - u->pages[VMT_PAGE_UNKNOWN] -
			 u->pages[VMT_PAGE_RESERVED];
	int bad = 0;

	// totalram_pages never changes after boot: the memmap's count of
	// pages that are not reserved must be it exactly.
	if (mi->counter_total.known && mi->counter_total.pages != total) {
		fprintf(stderr, "%s: memmap total %" PRIu64 ", _totalram_pages %" PRIu64 "\n",
			file, total, mi->counter_total.pages);
		bad++;
	}
	if (!mi->counter_total.known && truth_total && truth_total != total) {
		fprintf(stderr, "%s: memmap total %" PRIu64 ", MemTotal %" PRIu64 " pages\n",
			file, total, truth_total);
		bad++;
	}
	if (mi->counter_free.known &&
	    diff(mi->counter_free.pages, u->pages[VMT_PAGE_FREE]) > COUNTER_SLACK) {
		fprintf(stderr, "%s: memmap free %" PRIu64 ", counter %" PRIu64 "\n", file,
			u->pages[VMT_PAGE_FREE], mi->counter_free.pages);
		bad++;
	}
	if (mi->counter_file.known &&
	    diff(mi->counter_file.pages, u->pages[VMT_PAGE_CACHE] +
						 u->pages[VMT_PAGE_CACHE_PRIVATE]) >
		    COUNTER_SLACK) {
		fprintf(stderr, "%s: memmap cache %" PRIu64 ", NR_FILE_PAGES %" PRIu64 "\n",
			file, u->pages[VMT_PAGE_CACHE], mi->counter_file.pages);
		bad++;
	}
	if (mi->counter_anon.known &&
	    diff(mi->counter_anon.pages, u->pages[VMT_PAGE_USER]) > COUNTER_SLACK) {
		fprintf(stderr, "%s: memmap user %" PRIu64 ", NR_ANON_MAPPED %" PRIu64 "\n",
			file, u->pages[VMT_PAGE_USER], mi->counter_anon.pages);
		bad++;
	}
	return bad;
}

struct free_set {
	struct memmap_free_block *b;
	size_t n, cap;
	uint64_t pages;
};

static struct vmt_error *add_block(void *arg, uint64_t pfn, unsigned int order)
{
	struct free_set *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->b = realloc(f->b, f->cap * sizeof(*f->b));
		ck_assert_ptr_nonnull(f->b);
	}
	f->b[f->n].pfn = pfn;
	f->b[f->n++].order = order;
	f->pages += UINT64_C(1) << order;
	return NULL;
}

static int cmp_block(const void *a, const void *b)
{
	const struct memmap_free_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static struct vmt_error *kread_prog(void *arg, uint64_t addr, void *buf,
				    size_t len)
{
	return vmt_program_read_virt(arg, addr, buf, len);
}

// The free lists against the buddy marks: the same blocks, and classes
// from the lists (as on a kernel without the marks) equal to the marks'.
// Returns the mismatches; *@p checked counts the sets compared.
static int check_free_lists(struct vmt_program *prog, const char *file,
			    int *checked)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(prog);
	struct memmap_free_nodes nodes;
	struct free_set f = { 0 };
	struct memmap_layout ml;
	struct memmap_walk *w, w2;
	struct vmt_error *err;
	uint8_t *a, *b;
	int bad = 0;

	vmt_ck_no_err(program_memmap(prog, &w));
	program_free_nodes(prog, &nodes);
	err = memmap_free_lists(&prog->vi, w->ml, &nodes, kread_prog, prog,
				UINT64_C(1) << 40, add_block, &f);
	if (err) {
		// A NUMA kernel without data symbols (Debian's) names no node.
		ck_assert_int_eq(err->code, VMT_ERROR_UNSUPPORTED);
		fprintf(stderr, "%s: free lists not compared: %s\n", file, err->message);
		vmt_error_destroy(err);
		return 0;
	}
	(*checked)++;
	qsort(f.b, f.n, sizeof(*f.b), cmp_block);
	ml = *w->ml;
	memset(ml.flag_names, 0, sizeof(ml.flag_names));
	ml.buddy.known = false;
	vmt_ck_no_err(memmap_walk_init(&w2, &ml, kread_prog, prog));
	memmap_walk_set_free_blocks(&w2, f.b, f.n);
	memmap_walk_reset(w);
	for (size_t r = 0; r < info->nr_phys_ranges; r++) {
		uint64_t pfn = info->phys_ranges[r].start / info->page_size;
		uint64_t end = info->phys_ranges[r].end / info->page_size;

		a = malloc(end - pfn);
		b = malloc(end - pfn);
		ck_assert(a && b);
		vmt_ck_no_err(memmap_walk_classify(w, pfn, end - pfn, a));
		vmt_ck_no_err(memmap_walk_classify(&w2, pfn, end - pfn, b));
		for (uint64_t i = 0; i < end - pfn; i++) {
			if ((MEMMAP_CLASS(a[i]) == VMT_PAGE_FREE) !=
			    (MEMMAP_CLASS(b[i]) == VMT_PAGE_FREE) && bad++ < 10)
				fprintf(stderr, "%s: PFN %#" PRIx64 ": buddy marks say %s, free lists %s\n",
					file, pfn + i,
					vmt_page_class_name(MEMMAP_CLASS(a[i])),
					vmt_page_class_name(MEMMAP_CLASS(b[i])));
		}
		free(a);
		free(b);
	}
	fprintf(stderr, "%s: free lists: %zu blocks, %" PRIu64 " pages, %d pages judged otherwise by the buddy marks\n",
		file, f.n, f.pages, bad);
	memmap_walk_deinit(&w2);
	free(f.b);
	return bad;
}

START_TEST(memmap_matches_the_guest)
{
	int files = 0, pages = 0, bad = 0, lists = 0;
	struct dirent *de;
	DIR *top = opendir(dumps_dir);

	ck_assert_msg(top, "%s: unreadable", dumps_dir);
	while ((de = readdir(top))) {
		uint64_t first[VMT_PAGE_CLASS_COUNT] = { 0 };
		bool have_first = false;
		char setdir[4096];
		struct dirent *fe;
		DIR *sd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(setdir, sizeof(setdir), "%s/%s", dumps_dir, de->d_name);
		sd = opendir(setdir);
		if (!sd)
			continue;
		while ((fe = readdir(sd))) {
			struct vmt_program_options opts = { 0 };
			struct vmt_program *prog;
			struct vmt_meminfo mi;
			struct vmt_error *err;
			char path[8200];
			const char *p = path;

			if (strncmp(fe->d_name, "vmcore.", 7) ||
			    strstr(fe->d_name, ".xz"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", setdir, fe->d_name);
			vmt_ck_no_err(vmt_program_open(&p, 1, &opts, &prog));
			files++;
			err = vmt_program_meminfo(prog, &mi);
			if (err) {
				fprintf(stderr, "%s: %s\n", path, err->message);
				vmt_error_destroy(err);
				bad++;
				vmt_program_destroy(prog);
				continue;
			}
			ck_assert_uint_eq(mi.usage.pages[VMT_PAGE_UNKNOWN], 0);
			bad += check_counters(path, &mi,
					      mem_total(setdir, mi.page_size));
			if (!have_first) {
				memcpy(first, mi.usage.pages, sizeof(first));
				have_first = true;
			} else if (memcmp(first, mi.usage.pages, sizeof(first))) {
				fprintf(stderr, "%s: classes differ from another file of the set\n",
					path);
				bad++;
			}
			bad += check_workload(prog, setdir, path, &pages);
			bad += check_free_lists(prog, path, &lists);
			vmt_program_destroy(prog);
		}
		closedir(sd);
	}
	closedir(top);
	fprintf(stderr, "test_memmap_real: %d dump files, %d workload pages, %d mismatches\n",
		files, pages, bad);
	ck_assert_int_gt(files, 0);
	ck_assert_int_gt(pages, 0);
	ck_assert_int_gt(lists, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps to check, skipping\n");
		return 77;
	}
	s = suite_create("memmap_real");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, memmap_matches_the_guest);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

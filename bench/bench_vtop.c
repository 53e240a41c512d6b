// Translation and small reads by kernel virtual address on a real dump,
// through the library, timed in-process; peer_kdumpfile.c times the same
// passes over the same address file with libkdumpfile's C API.
//
// usage:
//   bench_vtop lists SET_DIR DUMP OUTDIR
//     Write OUTDIR/distinct.txt: DISTINCT kernel pages (about 80 % linear
//     map, 10 % kernel image, 10 % vmalloc), each mapped and present in
//     DUMP, one address per page at a random 8-byte offset, shuffled; and
//     OUTDIR/reused.txt: REUSED addresses cycling over 768 such pages (the
//     stream a command reading structures makes).
//   bench_vtop run DUMP ADDR_FILE [PASSES [OPS]]
//     Time each operation over the whole file, PASSES times, with a fresh
//     dump and address space for each operation (pass 1 starts with every
//     library cache empty; the OS page cache is warm for every run alike):
//       translate      address_space_translate (TLB, walk, linear formula)
//       translate_walk the same with the linear formula off
//       walk_raw       address_space_walk_raw: a walk every time, no TLB
//       read8          address_space_read of 8 bytes
//       linear         address_space_translate over the file's linear-map
//                      addresses only (conversions in bulk reads)
//     OPS (comma-separated names) picks some of them; PASSES may be 0
//     (open only: the baseline of an instruction count). Prints one JSON
//     object: seconds per pass, counts, and per pass the page-table pages
//     and dump blocks read.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/arm64/layout.h"
#include "dump/dump.h"
#include "mem/address_space.h"
#include "vmcoreinfo/vmcoreinfo.h"

#define DISTINCT 16384
#define REUSED 1000000
#define POOL 768
#define MAX_PASSES 8

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(struct vmt_error *err, const char *what)
	__attribute__((noreturn));
static void die(struct vmt_error *err, const char *what)
{
	fprintf(stderr, "bench_vtop: %s: %s\n", what,
		err ? err->message : "failed");
	exit(1);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

struct ctx {
	struct dump *dump;
	struct vmcoreinfo vi;
	struct arm64_layout layout;
	struct address_space *as;
};

static void ctx_open(struct ctx *c, const char *path)
{
	struct vmt_error *err;

	memset(c, 0, sizeof(*c));
	err = dump_open(&path, 1, &c->dump);
	if (err)
		die(err, path);
	if (!c->dump->vmcoreinfo)
		die(NULL, "dump has no VMCOREINFO");
	err = vmcoreinfo_parse(c->dump->vmcoreinfo, c->dump->vmcoreinfo_len,
			       &c->vi);
	if (!err)
		err = arm64_layout_init(&c->layout, &c->vi, NULL, 0);
	if (!err)
		err = address_space_create(c->dump, &c->layout, &c->as);
	if (err)
		die(err, "layout");
}

static void ctx_close(struct ctx *c)
{
	address_space_destroy(c->as);
	arm64_layout_deinit(&c->layout);
	vmcoreinfo_deinit(&c->vi);
	dump_destroy(c->dump);
}

// ---- lists ----

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static void push(struct vec *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 4096;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (!v->v)
			die(&vmt_enomem, "list");
	}
	v->v[v->n++] = x;
}

// Mapped, and its page present in the dump (readable).
static bool usable(struct ctx *c, uint64_t va)
{
	struct dump_location loc;
	struct vmt_error *err;
	uint64_t pa;

	err = address_space_translate(c->as, ARM64_TABLE_KERNEL, 0, va, &pa);
	if (!err)
		err = dump_locate(c->dump, pa, &loc);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	return loc.state == DUMP_PAGE_PRESENT;
}

static void shuffle(uint64_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng() % i);
		uint64_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

// Up to @p want usable pages of [@p start, @p end), sampled evenly.
static void sample_range(struct ctx *c, struct vec *out, uint64_t start,
			 uint64_t end, size_t want)
{
	uint64_t page = c->layout.page_size;
	struct vec cand = { 0 };

	for (uint64_t va = start; va < end && va >= start; va += page)
		push(&cand, va);
	shuffle(cand.v, cand.n);
	for (size_t i = 0; i < cand.n && want; i++) {
		if (usable(c, cand.v[i])) {
			push(out, cand.v[i]);
			want--;
		}
	}
	free(cand.v);
}

static void write_list(const char *path, const uint64_t *v, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die(NULL, path);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%#" PRIx64 "\n", v[i]);
	if (fclose(f))
		die(NULL, path);
}

static int cmd_lists(const char *set_dir, const char *path, const char *outdir)
{
	struct vec pages = { 0 }, lin = { 0 };
	const struct vmt_phys_range *ranges;
	size_t nr_ranges;
	struct ctx c;
	char file[4096], line[512];
	uint64_t page, *out;
	size_t want_lin;
	FILE *f;

	ctx_open(&c, path);
	page = c.layout.page_size;
	// vmalloc: pages of the areas vmallocinfo listed
	snprintf(file, sizeof(file), "%s/truth/vmallocinfo.txt", set_dir);
	f = fopen(file, "r");
	if (f) {
		struct vec areas = { 0 };

		while (fgets(line, sizeof(line), f) && areas.n < 4096) {
			uint64_t s, e;

			if ((strstr(line, "vmalloc") || strstr(line, "vmap")) &&
			    sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) == 2) {
				push(&areas, s);
				push(&areas, e);
			}
		}
		fclose(f);
		for (size_t i = 0; i + 1 < areas.n && pages.n < DISTINCT / 10;
		     i += 2)
			sample_range(&c, &pages, areas.v[i], areas.v[i + 1], 8);
		free(areas.v);
	}
	// kernel image
	sample_range(&c, &pages, c.layout.kimage_start.value,
		     c.layout.kimage_end.value, DISTINCT / 10);
	// linear map: the dump's RAM through __phys_to_virt
	want_lin = DISTINCT - pages.n;
	{
		struct vmt_error *err;

		err = dump_ranges(c.dump, &ranges, &nr_ranges);

		if (err)
			die(err, "RAM ranges");
	}
	for (size_t r = 0; r < nr_ranges; r++) {
		const struct vmt_phys_range *rg = &ranges[r];

		for (uint64_t pa = (rg->start + page - 1) & ~(page - 1);
		     pa + page <= rg->end; pa += page)
			push(&lin, arm64_phys_to_linear(&c.layout, pa));
	}
	shuffle(lin.v, lin.n);
	for (size_t i = 0; i < lin.n && want_lin; i++) {
		if (usable(&c, lin.v[i])) {
			push(&pages, lin.v[i]);
			want_lin--;
		}
	}
	shuffle(pages.v, pages.n);
	out = calloc(pages.n > REUSED ? pages.n : REUSED, sizeof(*out));
	if (!out)
		die(&vmt_enomem, "lists");
	for (size_t i = 0; i < pages.n; i++)
		out[i] = pages.v[i] + (rng() % page & ~UINT64_C(7));
	snprintf(file, sizeof(file), "%s/distinct.txt", outdir);
	write_list(file, out, pages.n);
	for (size_t i = 0; i < REUSED && pages.n; i++) {
		size_t pool = pages.n < POOL ? pages.n : POOL;

		out[i] = pages.v[(i * 7919) % pool] + (i & 0x3f8);
	}
	snprintf(file, sizeof(file), "%s/reused.txt", outdir);
	write_list(file, out, pages.n ? REUSED : 0);
	printf("{\"distinct\": %zu, \"reused\": %d, \"pool\": %zu, \"page_size\": %" PRIu64 "}\n",
	       pages.n, pages.n ? REUSED : 0,
	       pages.n < POOL ? pages.n : (size_t)POOL, page);
	free(out);
	free(pages.v);
	free(lin.v);
	ctx_close(&c);
	return 0;
}

// ---- run ----

static uint64_t *load_list(const char *path, size_t *nr_ret)
{
	FILE *f = fopen(path, "r");
	struct vec v = { 0 };
	char line[128];

	if (!f)
		die(NULL, path);
	while (fgets(line, sizeof(line), f))
		push(&v, strtoull(line, NULL, 16));
	fclose(f);
	*nr_ret = v.n;
	return v.v;
}

enum op { OP_TRANSLATE, OP_TRANSLATE_WALK, OP_WALK_RAW, OP_READ8, OP_LINEAR };

static const char *const op_names[] = { "translate", "translate_walk",
					"walk_raw", "read8", "linear" };

static void run_op(const char *path, const uint64_t *addrs, size_t n,
		   int passes, enum op op)
{
	double secs[MAX_PASSES];
	uint64_t tables[MAX_PASSES], blocks[MAX_PASSES], sum = 0;
	size_t fail = 0;
	struct ctx c;

	ctx_open(&c, path);
	if (op == OP_TRANSLATE_WALK)
		address_space_set_linear_formula(c.as, false);
	for (int p = 0; p < passes; p++) {
		uint64_t t0 = address_space_stats(c.as)->table_loads;
		uint64_t b0 = c.dump->nr_page_loads;
		double start = now();

		for (size_t i = 0; i < n; i++) {
			struct vmt_error *err;
			uint64_t pa = 0;

			switch (op) {
			case OP_WALK_RAW:
				err = address_space_walk_raw(
					c.as, ARM64_TABLE_KERNEL, 0, addrs[i],
					&pa);
				break;
			case OP_READ8:
				err = address_space_read(c.as,
							 ARM64_TABLE_KERNEL, 0,
							 addrs[i], &pa, 8);
				break;
			default:
				err = address_space_translate(
					c.as, ARM64_TABLE_KERNEL, 0, addrs[i],
					&pa);
				break;
			}
			if (err) {
				fail += p == 0;
				vmt_error_destroy(err);
			}
			sum += pa;
		}
		secs[p] = now() - start;
		tables[p] = address_space_stats(c.as)->table_loads - t0;
		blocks[p] = c.dump->nr_page_loads - b0;
	}
	printf("\"%s\": {\"n\": %zu, \"fail\": %zu, \"secs\": [", op_names[op],
	       n, fail);
	for (int p = 0; p < passes; p++)
		printf("%s%.6f", p ? ", " : "", secs[p]);
	printf("], \"table_loads\": [");
	for (int p = 0; p < passes; p++)
		printf("%s%" PRIu64, p ? ", " : "", tables[p]);
	printf("], \"block_loads\": [");
	for (int p = 0; p < passes; p++)
		printf("%s%" PRIu64, p ? ", " : "", blocks[p]);
	printf("]}");
	ctx_close(&c);
	if (sum == 42)
		putchar(' '); // keep the results alive
}

static int cmd_run(const char *path, const char *list, int passes,
		   const char *ops)
{
	size_t n, nlin = 0;
	uint64_t *addrs = load_list(list, &n), *lin;
	struct ctx c;

	// The linear-map subset, classified by the dump's own layout.
	ctx_open(&c, path);
	lin = malloc((n ? n : 1) * sizeof(*lin));
	if (!lin)
		die(&vmt_enomem, "list");
	for (size_t i = 0; i < n; i++)
		if (arm64_classify(&c.layout, addrs[i]) == ARM64_REGION_LINEAR)
			lin[nlin++] = addrs[i];
	ctx_close(&c);
	printf("{\"tool\": \"vmtool\", \"n\": %zu", n);
	for (int op = OP_TRANSLATE; op <= OP_LINEAR; op++) {
		char want[64];

		snprintf(want, sizeof(want), ",%s,", op_names[op]);
		if (ops) {
			char have[256];

			snprintf(have, sizeof(have), ",%s,", ops);
			if (!strstr(have, want))
				continue;
		}
		printf(", ");
		if (op == OP_LINEAR)
			run_op(path, lin, nlin, passes, op);
		else
			run_op(path, addrs, n, passes, op);
	}
	printf("}\n");
	free(addrs);
	free(lin);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "lists"))
		return cmd_lists(argv[2], argv[3], argv[4]);
	if (argc >= 4 && argc <= 6 && !strcmp(argv[1], "run")) {
		int passes = argc >= 5 ? atoi(argv[4]) : 2;

		if (passes < 0 || passes > MAX_PASSES) {
			fprintf(stderr, "bench_vtop: PASSES is 0 to %d\n",
				MAX_PASSES);
			return 2;
		}
		return cmd_run(argv[2], argv[3], passes,
			       argc == 6 ? argv[5] : NULL);
	}
	fprintf(stderr, "usage: bench_vtop lists SET_DIR DUMP OUTDIR\n"
			"       bench_vtop run DUMP ADDR_FILE [PASSES [OPS]]\n");
	return 2;
}

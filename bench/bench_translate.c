// Translation speed on a real dump: 1,000,000 mixed kernel addresses
// (linear-map pages of the workload, kernel-image symbols, vmalloc pages)
// through address_space_translate, plus the uncached walk for reference.
//
// usage: bench_translate [SET_DIR [DUMP [ADDR_OUT]]]
//   SET_DIR defaults to $VMTOOL_SHARED_DUMPS/debian61-kaslr; DUMP (any
//   format) to $VMTOOL_CACHE (or /tmp/vmtool-cache)/<set>/vmcore.elf, which
//   must exist (the real-dump tests decompress it there). ADDR_OUT, if
//   given, receives the first PEER_ADDRS addresses of the stream, one hex
//   address per line, so that peers translate the very same ones.
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "dump/dump.h"
#include "mem/address_space.h"
#include "vmcoreinfo/vmcoreinfo.h"

#define POOL_MAX 768
#define ROUNDS 1000000
#define PEER_ADDRS 100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct vmt_error *err, const char *what)
{
	fprintf(stderr, "bench_translate: %s: %s\n", what,
		err ? err->message : "failed");
	vmt_error_destroy(err);
	return 1;
}

struct pool {
	uint64_t va[POOL_MAX];
	size_t n;
	size_t per_kind[3];
};

// Keep @p va if it translates; @p kind indexes per_kind for the report.
static void pool_try(struct pool *p, struct address_space *as, uint64_t va,
		     int kind, size_t limit)
{
	uint64_t pa;
	struct vmt_error *err;

	if (p->n >= POOL_MAX || p->per_kind[kind] >= limit)
		return;
	err = address_space_translate(as, ARM64_TABLE_KERNEL, 0, va, &pa);
	if (err) {
		vmt_error_destroy(err);
		return;
	}
	p->va[p->n++] = va;
	p->per_kind[kind]++;
}

// The i-th address of the benchmark stream: pool pages in a scattered
// order, at varying offsets inside the first KiB of each.
static uint64_t stream_addr(const struct pool *p, size_t i)
{
	return p->va[(i * 7919) % p->n] + (i & 0x3f8);
}

int main(int argc, char **argv)
{
	const char *shared = getenv("VMTOOL_SHARED_DUMPS");
	const char *cache = getenv("VMTOOL_CACHE");
	char set_dir[PATH_MAX], elf[2 * PATH_MAX + 64], path[PATH_MAX + 64], line[512];
	const char *paths[1] = { elf };
	const char *set_name;
	struct dump *dump;
	struct vmcoreinfo vi;
	struct arm64_layout layout;
	struct address_space *as;
	struct vmt_error *err;
	struct pool pool = { .n = 0 };
	uint64_t sum = 0, pa;
	double t0, t1;
	FILE *f;

	if (argc > 1)
		snprintf(set_dir, sizeof(set_dir), "%s", argv[1]);
	else if (shared && *shared)
		snprintf(set_dir, sizeof(set_dir), "%s/debian61-kaslr", shared);
	else {
		fprintf(stderr, "usage: bench_translate SET_DIR [VMCORE_ELF] (or set VMTOOL_SHARED_DUMPS)\n");
		return 2;
	}
	set_name = strrchr(set_dir, '/') ? strrchr(set_dir, '/') + 1 : set_dir;
	if (argc > 2)
		snprintf(elf, sizeof(elf), "%s", argv[2]);
	else
		snprintf(elf, sizeof(elf), "%s/%s/vmcore.elf",
			 cache && *cache ? cache : "/tmp/vmtool-cache", set_name);

	err = dump_open(paths, 1, &dump);
	if (err)
		return fail(err, "open");
	if (!dump->vmcoreinfo)
		return fail(NULL, "dump has no VMCOREINFO");
	err = vmcoreinfo_parse(dump->vmcoreinfo, dump->vmcoreinfo_len, &vi);
	if (err)
		return fail(err, "VMCOREINFO");
	err = arm64_layout_init(&layout, &vi, NULL, 0);
	if (err)
		return fail(err, "layout");
	err = address_space_create(dump, &layout, &as);
	if (err)
		return fail(err, "address space");

	// linear: the workload's present pages through __phys_to_virt
	snprintf(path, sizeof(path), "%s/truth/workload_va_pa.tsv", set_dir);
	f = fopen(path, "r");
	if (!f)
		return fail(NULL, path);
	while (fgets(line, sizeof(line), f)) {
		char region[64];
		unsigned int pid, idx;
		uint64_t uva, pfn, ppa;

		if (sscanf(line, "%u %63s %u %" SCNx64 " %" SCNx64 " %" SCNx64,
			   &pid, region, &idx, &uva, &pfn, &ppa) == 6 && pfn)
			pool_try(&pool, as, arm64_phys_to_linear(&layout, ppa) + 64,
				 0, POOL_MAX / 3);
	}
	fclose(f);
	// kimage: data symbols, and the pages after each
	snprintf(path, sizeof(path), "%s/truth/kernel_symbols_derived.txt", set_dir);
	f = fopen(path, "r");
	if (!f)
		return fail(NULL, path);
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		uint64_t link, va;

		if (line[0] != '#' &&
		    sscanf(line, "%127s %" SCNx64 " %" SCNx64, name, &link, &va) == 3)
			for (int k = 0; k < 4; k++)
				pool_try(&pool, as, va + (uint64_t)k * layout.page_size,
					 1, POOL_MAX / 3);
	}
	fclose(f);
	// vmalloc: pages of the vmalloc'd areas
	snprintf(path, sizeof(path), "%s/truth/vmallocinfo.txt", set_dir);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			uint64_t start, end;

			if (!strstr(line, "vmalloc") && !strstr(line, "vmap"))
				continue;
			if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) != 2)
				continue;
			for (uint64_t va = start; va < end && va - start < 64 * layout.page_size;
			     va += layout.page_size)
				pool_try(&pool, as, va + 8, 2, POOL_MAX / 3);
		}
		fclose(f);
	}
	if (!pool.n)
		return fail(NULL, "no translatable addresses found");

	if (argc > 3) {
		f = fopen(argv[3], "w");
		if (!f)
			return fail(NULL, argv[3]);
		for (size_t i = 0; i < PEER_ADDRS; i++)
			fprintf(f, "%#" PRIx64 "\n", stream_addr(&pool, i));
		if (fclose(f))
			return fail(NULL, argv[3]);
	}

	t0 = now();
	for (size_t i = 0; i < ROUNDS; i++) {
		uint64_t va = stream_addr(&pool, i);

		err = address_space_translate(as, ARM64_TABLE_KERNEL, 0, va, &pa);
		if (err)
			return fail(err, "translate");
		sum += pa;
	}
	t1 = now();
	printf("%s: %zu addresses (linear %zu, kimage %zu, vmalloc/vmap %zu), %d levels\n",
	       set_name, pool.n, pool.per_kind[0], pool.per_kind[1],
	       pool.per_kind[2], layout.kernel_levels);
	printf("cached translate: %d in %.3f s = %.1f M translations/s (checksum %#" PRIx64 ")\n",
	       ROUNDS, t1 - t0, ROUNDS / (t1 - t0) / 1e6, sum);

	// the miss path: a full walk each time
	t0 = now();
	for (size_t i = 0; i < ROUNDS / 10; i++) {
		struct vmt_translation t;

		err = arm64_pgtable_walk(&layout, dump_read_phys_cb, dump,
					 ARM64_TABLE_KERNEL,
					 layout.swapper_pg_dir_paddr,
					 pool.va[i % pool.n], &t);
		if (err)
			return fail(err, "walk");
		sum += t.paddr;
	}
	t1 = now();
	printf("uncached walk: %d in %.3f s = %.2f M walks/s\n", ROUNDS / 10,
	       t1 - t0, ROUNDS / 10 / (t1 - t0) / 1e6);

	address_space_destroy(as);
	arm64_layout_deinit(&layout);
	vmcoreinfo_deinit(&vi);
	dump_destroy(dump);
	return sum == 42; // keep the loops alive
}

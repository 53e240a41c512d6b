// bench_save [-r ROUNDS] DUMP: `save -d 31 -z` against the bare cost of
// its work, on one dump. Bare: one pass of the memmap over RAM (the page
// classes), then for each page level 31 keeps: read it, test it for zeros,
// ZSTD_compress() it at level 1 into a buffer (no file, no descriptors,
// no second pass). Save: vmt_program_save() to a temporary file, on the
// calling thread, then with --num-threads 2. Medians of ROUNDS (default 3).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "program_internal.h"
#include "vmtool/vmtool.h"

#define CHUNK 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// CPU seconds of the process (all threads), user + system.
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(struct vmt_error *err, const char *what)
{
	fprintf(stderr, "bench_save: %s: %s\n", what, err->message);
	exit(1);
}

#ifdef HAVE_ZSTD
// The bare work; returns the pages compressed.
static uint64_t bare(struct vmt_program *prog, uint64_t *bytes_ret)
{
	struct memmap_walk *w;
	struct vmt_error *err = program_memmap(prog, &w);
	uint64_t ps = w->ml->page_size, n = 0, bytes = 0;
	unsigned int shift = w->ml->page_shift;
	size_t cap = ZSTD_compressBound(ps);
	unsigned char *page = malloc(ps), *out = malloc(cap);
	uint8_t *cls = malloc(CHUNK);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	if (err)
		die(err, "memmap");
	memmap_walk_reset(w);
	for (size_t r = 0; r < prog->dump->nr_ranges; r++) {
		uint64_t pfn = prog->dump->ranges[r].start >> shift;
		uint64_t end = (prog->dump->ranges[r].end + ps - 1) >> shift;

		for (; pfn < end; pfn += CHUNK) {
			uint64_t nr = end - pfn < CHUNK ? end - pfn : CHUNK;

			err = memmap_walk_classify(w, pfn, nr, cls);
			if (err)
				die(err, "classify");
			for (uint64_t i = 0; i < nr; i++) {
				bool zero = true;

				if (memmap_excluded(cls[i], 31))
					continue;
				err = dump_read_phys(prog->dump, (pfn + i) << shift,
						     page, ps);
				if (err)
					die(err, "read");
				for (uint64_t k = 0; k < ps / 8 && zero; k++)
					zero = !((uint64_t *)page)[k];
				if (zero)
					continue;
				bytes += ZSTD_compressCCtx(cctx, out, cap, page, ps, 1);
				n++;
			}
		}
	}
	ZSTD_freeCCtx(cctx);
	free(page);
	free(out);
	free(cls);
	*bytes_ret = bytes;
	return n;
}
#endif

static double timed_save(const char *path, const char *out, unsigned int threads,
			 struct vmt_save_result *r, double *cpu_ret)
{
	struct vmt_save_options o = {
		.dump_level = 31,
		.compression = VMT_SAVE_ZSTD,
		.paths = &out,
		.nr_paths = 1,
		.force = true,
		.nr_threads = threads,
	};
	struct vmt_program *prog;
	struct vmt_error *err;
	double t0;

	err = vmt_program_open(&path, 1, NULL, &prog);
	if (err)
		die(err, path);
	t0 = now();
	*cpu_ret = cpu();
	err = vmt_program_save(prog, &o, r);
	*cpu_ret = cpu() - *cpu_ret;
	t0 = now() - t0;
	if (err)
		die(err, "save");
	vmt_program_destroy(prog);
	return t0;
}

int main(int argc, char **argv)
{
	int rounds = 3, opt;
	const char *path, *tmp = getenv("TMPDIR");
	char out[4096];

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || rounds < 1 || rounds > 100) {
		fprintf(stderr, "usage: bench_save [-r ROUNDS] DUMP\n");
		return 2;
	}
	path = argv[optind];
	snprintf(out, sizeof(out), "%s/bench-save-%d.kdump",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid());
#ifndef HAVE_ZSTD
	fprintf(stderr, "bench_save: built without zstd\n");
	return 0;
#else
	{
		double tb[100], t0[100], t2[100], cb[100], c0[100], c2[100];
		double b, s0, s2, bc, s0c, s2c;
		uint64_t pages = 0, bytes = 0;
		struct vmt_save_result r;

		for (int i = 0; i < rounds; i++) {
			struct vmt_program *prog;
			struct vmt_error *err = vmt_program_open(&path, 1, NULL, &prog);
			double t;

			if (err)
				die(err, path);
			t = now();
			cb[i] = cpu();
			pages = bare(prog, &bytes);
			cb[i] = cpu() - cb[i];
			tb[i] = now() - t;
			vmt_program_destroy(prog);
			t0[i] = timed_save(path, out, 0, &r, &c0[i]);
			t2[i] = timed_save(path, out, 2, &r, &c2[i]);
		}
		unlink(out);
		b = median(tb, rounds);
		s0 = median(t0, rounds);
		s2 = median(t2, rounds);
		bc = median(cb, rounds);
		s0c = median(c0, rounds);
		s2c = median(c2, rounds);
		printf("dump: %s\n", path);
		printf("kept pages: %" PRIu64 " (%" PRIu64 " zstd-compressed, %" PRIu64
		       " zero) of %" PRIu64 " RAM pages; output %.1f MB\n",
		       r.kept_pages, pages, r.zero_pages, r.ram_pages,
		       r.bytes / 1048576.0);
		printf("bare (classify once, read + zstd the kept pages): median of %d: %.3f s wall, %.3f s CPU\n",
		       rounds, b, bc);
		printf("save -d 31 -z: median of %d: %.3f s wall = %.1f MB/s of RAM, %.3f s CPU\n",
		       rounds, s0, r.ram_pages * (double)r.page_size / 1048576.0 / s0,
		       s0c);
		printf("ratio save/bare: %.2f wall, %.2f CPU\n", s0 / b, s0c / bc);
		printf("save -d 31 -z --num-threads 2: median of %d: %.3f s wall, %.3f s CPU\n",
		       rounds, s2, s2c);
		printf("ratio save --num-threads 2/bare: %.2f wall, %.2f CPU\n", s2 / b,
		       s2c / bc);
		(void)bytes;
		return 0;
	}
#endif
}

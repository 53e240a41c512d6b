// Sequential read of every present page of a dump through the library
// (dump_read_phys, block by block over dump_ranges()), against the floor:
// pread of the same stored bytes and a bare zlib uncompress() (or LZO
// decompress) of each, at the offsets dump_locate() reports.
//
// usage: bench_read [-r ROUNDS] DUMP
// Prints figures only; exits non-zero when the dump cannot be read or the
// two paths disagree on the bytes.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif

#include "dump/dump.h"

// One stored block, as dump_locate() places it.
struct stored {
	uint64_t file_offset;
	uint32_t stored_size;
	enum compression compression; // COMPRESSION_NONE: stored as is
};

struct plan {
	uint64_t *paddr;
	struct stored *where;
	size_t n;
	size_t skipped; // excluded, lost, not in dump
	size_t zero_fill;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct vmt_error *err, const char *what)
{
	fprintf(stderr, "bench_read: %s: %s\n", what,
		err ? err->message : "failed");
	vmt_error_destroy(err);
	return 1;
}

// A checksum both paths compute the same way, so neither can skip work.
static uint64_t mix(uint64_t sum, const unsigned char *p, size_t len)
{
	uint64_t w;

	for (size_t i = 0; i + 8 <= len; i += 512) {
		memcpy(&w, p + i, 8);
		sum = (sum ^ w) * 0x100000001b3ull;
	}
	return sum;
}

// Every block of the dump's ranges that is present, with where it is.
static struct vmt_error *plan_build(struct dump *dump, struct plan *ret)
{
	uint64_t bs = dump->block_size;
	struct plan p = { 0 };
	size_t cap = 0;
	const struct vmt_phys_range *ranges;
	size_t nr_ranges;
	struct vmt_error *err = dump_ranges(dump, &ranges, &nr_ranges);

	if (err)
		return err;

	for (size_t r = 0; r < nr_ranges; r++) {
		uint64_t start = (ranges[r].start + bs - 1) / bs * bs;

		for (uint64_t pa = start; pa + bs <= ranges[r].end; pa += bs) {
			struct dump_location loc;

			err = dump_locate(dump, pa, &loc);

			if (err)
				return err;
			if (loc.state != DUMP_PAGE_PRESENT) {
				p.skipped++;
				continue;
			}
			if (loc.zero_fill) {
				p.zero_fill++;
				continue;
			}
			if (p.n == cap) {
				cap = cap ? 2 * cap : 4096;
				p.paddr = realloc(p.paddr, cap * sizeof(*p.paddr));
				p.where = realloc(p.where, cap * sizeof(*p.where));
				if (!p.paddr || !p.where)
					return &vmt_enomem;
			}
			p.paddr[p.n] = pa;
			p.where[p.n].file_offset = loc.file_offset;
			p.where[p.n].stored_size = loc.compressed ? loc.stored_size
								  : (uint32_t)bs;
			p.where[p.n].compression = loc.compressed ? loc.compression
								  : COMPRESSION_NONE;
			p.n++;
		}
	}
	*ret = p;
	return NULL;
}

static struct vmt_error *run_library(struct dump *dump, const struct plan *p,
				     unsigned char *buf, uint64_t *sum_ret)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct vmt_error *err = dump_read_phys(dump, p->paddr[i], buf,
						       dump->block_size);

		if (err)
			return err;
		sum = mix(sum, buf, dump->block_size);
	}
	*sum_ret = sum;
	return NULL;
}

static int run_bare(int fd, const struct plan *p, uint32_t bs,
		    unsigned char *in, unsigned char *out, uint64_t *sum_ret)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct stored *s = &p->where[i];
		ssize_t got = pread(fd, in, s->stored_size, (off_t)s->file_offset);

		if (got != (ssize_t)s->stored_size) {
			fprintf(stderr, "bench_read: pread at %#" PRIx64 ": %s\n",
				s->file_offset, got < 0 ? strerror(errno) : "short read");
			return 1;
		}
		if (s->compression == COMPRESSION_ZLIB) {
			uLongf len = bs;

			if (uncompress(out, &len, in, s->stored_size) != Z_OK || len != bs) {
				fprintf(stderr, "bench_read: zlib failed at %#" PRIx64 "\n",
					s->file_offset);
				return 1;
			}
			sum = mix(sum, out, bs);
#ifdef HAVE_LZO
		} else if (s->compression == COMPRESSION_LZO) {
			lzo_uint len = bs;

			if (lzo1x_decompress_safe(in, s->stored_size, out, &len, NULL) != LZO_E_OK ||
			    len != bs) {
				fprintf(stderr, "bench_read: lzo failed at %#" PRIx64 "\n",
					s->file_offset);
				return 1;
			}
			sum = mix(sum, out, bs);
#endif
		} else if (s->compression == COMPRESSION_NONE) {
			sum = mix(sum, in, bs);
		} else {
			fprintf(stderr, "bench_read: no bare decompressor for %s\n",
				compression_name(s->compression));
			return 1;
		}
	}
	*sum_ret = sum;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = 3, fd;
	const char *path;
	struct dump *dump;
	struct vmt_error *err;
	struct plan plan;
	unsigned char *buf, *in;
	uint64_t sum_lib = 0, sum_bare = 0;
	double t_lib[16], t_bare[16], t0, mb;
	size_t by_comp[COMPRESSION_COUNT] = { 0 };
	struct rusage ru;

	if (argc == 4 && !strcmp(argv[1], "-r")) {
		rounds = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || rounds < 1 || rounds > 16) {
		fprintf(stderr, "usage: bench_read [-r ROUNDS(1-16)] DUMP\n");
		return 2;
	}
	path = argv[1];
#ifdef HAVE_LZO
	if (lzo_init() != LZO_E_OK)
		return fail(NULL, "lzo_init");
#endif
	err = dump_open(&path, 1, &dump);
	if (err)
		return fail(err, "open");
	err = plan_build(dump, &plan);
	if (err)
		return fail(err, "locate");
	for (size_t i = 0; i < plan.n; i++)
		by_comp[plan.where[i].compression]++;
	buf = malloc(dump->block_size);
	in = malloc(2 * (size_t)dump->block_size);
	if (!buf || !in)
		return fail(&vmt_enomem, "buffers");
	fd = open(dump->files[0], O_RDONLY);
	if (fd < 0) {
		perror(dump->files[0]);
		return 1;
	}
	mb = (double)plan.n * dump->block_size / (1 << 20);
	printf("file: %s\nformat: %s, block %u, %zu present blocks (%.1f MiB; zlib %zu, lzo %zu, stored %zu), %zu not present, %zu zero-filled\n",
	       path, dump->format_name, dump->block_size, plan.n, mb,
	       by_comp[COMPRESSION_ZLIB], by_comp[COMPRESSION_LZO],
	       by_comp[COMPRESSION_NONE], plan.skipped, plan.zero_fill);
	if (dump->nr_files != 1 || strcmp(dump->format_name, "flattened") == 0) {
		printf("bare: not measured (format %s: offsets are not file offsets)\n",
		       dump->format_name);
		rounds = 0;
	}
	// Alternate the two paths so the OS page cache helps both the same.
	for (int r = 0; r < rounds; r++) {
		uint64_t s;

		t0 = now();
		if (run_bare(fd, &plan, dump->block_size, in, buf, &s))
			return 1;
		t_bare[r] = now() - t0;
		sum_bare = s;
		// A fresh dump each round: its page cache starts empty.
		dump_destroy(dump);
		err = dump_open(&path, 1, &dump);
		if (err)
			return fail(err, "open");
		t0 = now();
		err = run_library(dump, &plan, buf, &s);
		if (err)
			return fail(err, "library read");
		t_lib[r] = now() - t0;
		sum_lib = s;
	}
	if (rounds) {
		if (sum_lib != sum_bare) {
			fprintf(stderr, "bench_read: the library and the bare path read different bytes\n");
			return 1;
		}
		qsort(t_lib, (size_t)rounds, sizeof(double), cmp_double);
		qsort(t_bare, (size_t)rounds, sizeof(double), cmp_double);
		printf("library: median of %d: %.3f s = %.0f MiB/s (%" PRIu64 " block loads)\n",
		       rounds, t_lib[rounds / 2], mb / t_lib[rounds / 2],
		       dump->nr_page_loads);
		printf("bare pread+decompress: median of %d: %.3f s = %.0f MiB/s\n",
		       rounds, t_bare[rounds / 2], mb / t_bare[rounds / 2]);
		printf("ratio library/bare: %.2f\n", t_lib[rounds / 2] / t_bare[rounds / 2]);
	} else {
		t0 = now();
		err = run_library(dump, &plan, buf, &sum_lib);
		if (err)
			return fail(err, "library read");
		t0 = now() - t0;
		printf("library: %.3f s = %.0f MiB/s\n", t0, mb / t0);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
	close(fd);
	free(buf);
	free(in);
	free(plan.paddr);
	free(plan.where);
	dump_destroy(dump);
	return 0;
}

// What this machine charges for the operations every dump reader is made
// of, so that a ratio can be read against its floor: a system call, a
// pread of 8 bytes and of a page from a file in the OS page cache, the
// first touch of fresh anonymous memory (a new cache slot, a new buffer),
// and the first touch of a page of a file mapping (what a reader that
// mmaps its dump pays per page), one page per fault and with the kernel's
// fault-around. On a virtual machine whose page faults trap to the host,
// a first touch costs many times a pread: a first pass over distinct
// pages is then bound by faults for every reader alike.
//
//   bench_floor FILE [PAGES]   one JSON line, nanoseconds per operation
//
// FILE should be in the OS page cache (run it after a reader has read it).
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

// xorshift: the same page order on every run.
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	size_t pages = argc > 2 ? (size_t)strtoul(argv[2], NULL, 0) : 4096;
	uint64_t *offs, seed = 0x9E3779B97F4A7C15u, sink = 0, x;
	size_t file_pages, half;
	unsigned char *buf, *anon, *map;
	struct stat st;
	double t;
	int fd;

	if (argc < 2 || argc > 3 || !pages) {
		fprintf(stderr, "usage: bench_floor FILE [PAGES]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(argv[1]);
	file_pages = (size_t)(st.st_size / PAGE);
	half = file_pages / 2;
	// Random pages from the first half for the random figures; the second
	// half for the sequential mapping, so that no figure meets a page an
	// earlier one mapped.
	if (half < 2 * pages) {
		fprintf(stderr, "bench_floor: %s: %zu pages; need %zu\n",
			argv[1], file_pages, 4 * pages);
		return 1;
	}
	offs = malloc(pages * sizeof(*offs));
	buf = malloc(PAGE);
	if (!offs || !buf)
		die("malloc");
	memset(buf, 0, PAGE);
	for (size_t i = 0; i < pages; i++)
		offs[i] = (next_rand(&seed) % half) * PAGE;

	// Bring every page used below into the OS page cache first: the
	// figures are the costs of a warm cache.
	for (size_t i = 0; i < pages; i++) {
		if (pread(fd, buf, PAGE, (off_t)offs[i]) != PAGE ||
		    pread(fd, buf, PAGE, (off_t)((half + i) * PAGE)) != PAGE)
			die("pread");
	}
	printf("{\"pages\": %zu", pages);

	t = now();
	for (size_t i = 0; i < pages; i++)
		sink += (uint64_t)getppid();
	printf(", \"syscall_ns\": %.1f", (now() - t) / (double)pages * 1e9);

	t = now();
	for (size_t i = 0; i < pages; i++) {
		if (pread(fd, &x, 8, (off_t)(offs[i] + 8)) != 8)
			die("pread");
		sink += x;
	}
	printf(", \"pread8_ns\": %.1f", (now() - t) / (double)pages * 1e9);

	t = now();
	for (size_t i = 0; i < pages; i++) {
		if (pread(fd, buf, PAGE, (off_t)offs[i]) != PAGE)
			die("pread");
		sink += buf[8];
	}
	printf(", \"pread_page_ns\": %.1f", (now() - t) / (double)pages * 1e9);

	anon = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap");
	t = now();
	for (size_t i = 0; i < pages; i++)
		anon[i * PAGE] = (unsigned char)i;
	printf(", \"anon_first_touch_ns\": %.1f",
	       (now() - t) / (double)pages * 1e9);
	t = now();
	for (size_t i = 0; i < pages; i++)
		anon[i * PAGE] += 1;
	printf(", \"anon_touched_ns\": %.1f", (now() - t) / (double)pages * 1e9);
	munmap(anon, pages * PAGE);

	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	if (madvise(map, half * PAGE, MADV_RANDOM) < 0)
		die("madvise");
	t = now();
	for (size_t i = 0; i < pages; i++)
		sink += map[offs[i] + 8];
	printf(", \"map_first_touch_random_ns\": %.1f",
	       (now() - t) / (double)pages * 1e9);
	t = now();
	for (size_t i = 0; i < pages; i++)
		sink += map[offs[i] + 16];
	printf(", \"map_touched_ns\": %.1f", (now() - t) / (double)pages * 1e9);
	t = now();
	for (size_t i = 0; i < pages; i++)
		sink += map[(half + i) * PAGE];
	printf(", \"map_first_touch_sequential_ns\": %.1f",
	       (now() - t) / (double)pages * 1e9);
	munmap(map, (size_t)st.st_size);
	close(fd);
	printf("}\n");
	free(offs);
	free(buf);
	// Keep the loads alive.
	return sink == 42 ? 3 : 0;
}

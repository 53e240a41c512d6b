// Guest workload for make-dump-set.sh: lays out user memory whose physical
// placement and content are known, then reports it from /proc/self/pagemap.
//
// Built static for aarch64 (aarch64-linux-gnu-gcc -static -O1 -pthread).
// usage: workload DIR   (DIR: a tmpfs folder for the two mapped files)
//
// Every touched page starts with the ASCII tag "WLTAG:<region>:<idx>:<pid>"
// (NUL-padded), and every other 64-bit word w of the page holds
// 0x574C000000000000 | region << 40 | idx << 20 | w, so the word at byte
// offset 64 is word 8.  Report lines (one write() each, stdout):
//   WLINFO <key> <value...>
//   WLREGION <pid> <name> id=<id> base=<va> npages=<n> size=<bytes>
//   WLPAGE <pid> <name> <idx> <va> <pfn> <pa> <flags> <word_at_off64> <tag>
//   WLCHILDDONE <pid> / WLDONE <pid>
// flags: p present, s swapped, f file page or shared anonymous, x exclusive
// (pagemap bits 63, 62, 61, 56; Documentation/admin-guide/mm/pagemap.rst);
// "-" when not present, and then the page is not read (reading would map it).
// Open files (for `files`): the two mapped files, an unlinked file, a UNIX
// socket pair, the pipe to the child and a duplicate at fd 100 (WLINFO fds).
// When done the workload creates DIR/wl.done and every task pauses forever.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_MAGIC 0x574C000000000000ULL
#define ANCHOR_MAX 65536 // the largest page size (64K): anchors hold one page

static long page_size;
static int pagemap_fd = -1;

// .data and .bss anchors: page-aligned for any page size up to 64K.
static unsigned char anchor_data[ANCHOR_MAX] __attribute__((aligned(ANCHOR_MAX))) = { 1 };
static unsigned char anchor_bss[ANCHOR_MAX] __attribute__((aligned(ANCHOR_MAX)));

static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	// one write() per line: parent and child share the output file offset
	if (write(1, buf, (size_t)n) < 0)
		_exit(3);
}

static void die(const char *what)
{
	out("WLERROR %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void fill_page(void *page, unsigned region, unsigned idx, int pid)
{
	uint64_t *w = page;
	size_t n = (size_t)page_size / 8;
	char tag[48];

	for (size_t i = 0; i < n; i++)
		w[i] = WL_MAGIC | (uint64_t)region << 40 | (uint64_t)idx << 20 | i;
	memset(tag, 0, sizeof(tag));
	snprintf(tag, sizeof(tag), "WLTAG:%u:%u:%d", region, idx, pid);
	memcpy(page, tag, sizeof(tag));
}

static void report_region(const char *name, unsigned id, uintptr_t base, unsigned npages)
{
	int pid = getpid();

	out("WLREGION %d %s id=%u base=0x%016lx npages=%u size=0x%lx\n", pid, name, id,
	    (unsigned long)base, npages, (unsigned long)npages * page_size);
	for (unsigned i = 0; i < npages; i++) {
		uintptr_t va = base + (uintptr_t)i * page_size;
		uint64_t e = 0;
		off_t off = (off_t)(va / page_size) * 8;

		if (pread(pagemap_fd, &e, 8, off) != 8)
			die("pread pagemap");
		int present = (int)(e >> 63 & 1);
		uint64_t pfn = present ? (e & ((1ULL << 55) - 1)) : 0;
		char flags[8];
		int k = 0;
		if (present)
			flags[k++] = 'p';
		if (e >> 62 & 1)
			flags[k++] = 's';
		if (present && (e >> 61 & 1))
			flags[k++] = 'f';
		if (present && (e >> 56 & 1))
			flags[k++] = 'x';
		if (!k)
			flags[k++] = '-';
		flags[k] = 0;
		if (!present) {
			out("WLPAGE %d %s %u 0x%016lx 0x0 0x0000000000000000 %s 0x0000000000000000 -\n",
			    pid, name, i, (unsigned long)va, flags);
			continue;
		}
		const volatile uint64_t *p = (const volatile uint64_t *)va;
		char tag[49];
		memcpy(tag, (const void *)va, 48);
		tag[48] = 0;
		if (strncmp(tag, "WLTAG:", 6) != 0)
			strcpy(tag, "-");
		out("WLPAGE %d %s %u 0x%016lx 0x%lx 0x%016lx %s 0x%016lx %s\n", pid, name, i,
		    (unsigned long)va, (unsigned long)pfn, (unsigned long)(pfn * page_size), flags,
		    (unsigned long)p[8], tag);
	}
}

static void *map_hint(uintptr_t hint, unsigned npages, const char *name, unsigned id)
{
	void *p = mmap((void *)hint, (size_t)npages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die(name);
	out("WLINFO mmap hint=0x%016lx got=0x%016lx honoured=%d\n", (unsigned long)hint,
	    (unsigned long)p, hint != 0 && (uintptr_t)p == hint);
	for (unsigned i = 0; i < npages; i++)
		fill_page((char *)p + (size_t)i * page_size, id, i, getpid());
	return p;
}

static void *thread_main(void *arg)
{
	prctl(PR_SET_NAME, "wl-thread");
	for (;;)
		pause();
	return arg;
}

static int make_file(const char *dir, const char *name, unsigned id, unsigned npages, char *path,
		     size_t pathsz)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	// file content written through write(): its tag carries pid 0
	void *buf = aligned_alloc((size_t)page_size, (size_t)page_size);
	if (!buf)
		die("aligned_alloc");
	for (unsigned i = 0; i < npages; i++) {
		fill_page(buf, id, i, 0);
		if (write(fd, buf, (size_t)page_size) != page_size)
			die("write file");
	}
	free(buf);
	return fd;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[256];
	int pid = getpid();
	int ready[2];

	page_size = sysconf(_SC_PAGESIZE);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap_fd < 0)
		die("open /proc/self/pagemap");
	out("WLINFO pid %d\n", pid);
	out("WLINFO pagesize %ld\n", page_size);
	out("WLINFO argv0 %s\n", argv[0]);

	// 1: tmpfs file mapped shared, every page written through the mapping
	int fds = make_file(dir, "wl_shared_file", 1, 4, path, sizeof(path));
	unsigned char *fsh = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fds, 0);
	if (fsh == MAP_FAILED)
		die("mmap shared file");
	for (unsigned i = 0; i < 4; i++)
		fill_page(fsh + i * page_size, 1, i, pid);

	// 2: tmpfs file mapped private: pages 0-1 only read (page cache, tag pid 0),
	// pages 2-3 written (private copies, region 102)
	int fdp = make_file(dir, "wl_private_file", 2, 4, path, sizeof(path));
	unsigned char *fpr = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fdp, 0);
	if (fpr == MAP_FAILED)
		die("mmap private file");
	volatile unsigned char sink = 0;
	sink += fpr[0];
	sink += fpr[page_size];
	for (unsigned i = 2; i < 4; i++)
		fill_page(fpr + i * page_size, 102, i, pid);

	// 3-7: anonymous regions at fixed hints (1<<50 honoured only by 52-bit kernels)
	void *a256m = map_hint(0x10000000UL, 3, "anon_256M", 3);
	void *a256g = map_hint(0x4000000000UL, 3, "anon_256G", 4);
	void *a18t = map_hint(0x123456000000UL, 3, "anon_18T", 5);
	void *a126t = map_hint(0x7e0000000000UL, 3, "anon_126T", 6);
	void *a2_50 = map_hint(1UL << 50, 2, "anon_hint_2_50", 7);
	out("WLINFO high_va_above_2_48 %d\n", (uintptr_t)a2_50 >= (1UL << 48));

	// 8: 64 pages, every other one touched
	unsigned char *sparse = mmap(NULL, 64 * page_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sparse == MAP_FAILED)
		die("mmap sparse");
	out("WLINFO mmap hint=0x%016lx got=0x%016lx honoured=0\n", 0UL, (unsigned long)sparse);
	for (unsigned i = 0; i < 64; i += 2)
		fill_page(sparse + i * page_size, 8, i, pid);

	// 9: heap (brk), 3 whole pages
	unsigned char *heap_raw = malloc(4 * page_size);
	if (!heap_raw)
		die("malloc");
	unsigned char *heap = (unsigned char *)(((uintptr_t)heap_raw + page_size - 1) &
						~(uintptr_t)(page_size - 1));
	for (unsigned i = 0; i < 3; i++)
		fill_page(heap + i * page_size, 9, i, pid);

	// 10: stack: one whole page inside main's frame, which lives for ever
	unsigned char stack_raw[2 * ANCHOR_MAX];
	unsigned char *stack = (unsigned char *)(((uintptr_t)stack_raw + page_size - 1) &
						 ~(uintptr_t)(page_size - 1));
	fill_page(stack, 10, 0, pid);

	// 12, 13: .data and .bss anchors
	fill_page(anchor_data, 12, 0, pid);
	fill_page(anchor_bss, 13, 0, pid);
	out("WLINFO anchor_data 0x%016lx\n", (unsigned long)anchor_data);
	out("WLINFO anchor_bss 0x%016lx\n", (unsigned long)anchor_bss);

	// open files of every kind the fd table can hold, for `files`: an
	// unlinked file ("(deleted)"), a UNIX socket pair, and a duplicate at
	// fd 100, past the 64 fds a task's embedded fd table holds, so the
	// table was reallocated (the pipe below adds pipe:[ino])
	snprintf(path, sizeof(path), "%s/wl_deleted_file", dir);
	int fdd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fdd < 0 || unlink(path) != 0)
		die("deleted file");
	// a kernel without CONFIG_NET (the small self-built ones) has no sockets
	int sv[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		out("WLINFO socketpair: %s\n", strerror(errno));
	if (dup2(fds, 100) != 100)
		die("dup2 100");
	out("WLINFO fds shared=%d private=%d deleted=%d sockets=%d,%d dup_of_shared=100\n", fds, fdp,
	    fdd, sv[0], sv[1]);

	// 11: shared anonymous region: page 0 written by the parent, page 1 by the child
	unsigned char *shm = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap shm");
	fill_page(shm, 11, 0, pid);

	if (pipe(ready) != 0)
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		int cpid = getpid();
		prctl(PR_SET_NAME, "wl-child");
		close(pagemap_fd);
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
		if (pagemap_fd < 0)
			die("child pagemap");
		fill_page(shm + page_size, 11, 1, cpid);
		unsigned char *cp = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (cp == MAP_FAILED)
			die("child mmap");
		fill_page(cp, 90, 0, cpid);
		report_region("child_private", 90, (uintptr_t)cp, 1);
		report_region("shm_anon", 11, (uintptr_t)shm, 2);
		out("WLCHILDDONE %d\n", cpid);
		if (write(ready[1], "c", 1) != 1)
			die("child ready");
		for (;;)
			pause();
	}
	out("WLINFO child %d\n", (int)child);
	char c;
	if (read(ready[0], &c, 1) != 1)
		die("wait child");

	pthread_t th;
	int terr = pthread_create(&th, NULL, thread_main, NULL);
	out("WLINFO thread_created %d\n", terr == 0);

	report_region("file_shared", 1, (uintptr_t)fsh, 4);
	report_region("file_private", 2, (uintptr_t)fpr, 4);
	report_region("anon_256M", 3, (uintptr_t)a256m, 3);
	report_region("anon_256G", 4, (uintptr_t)a256g, 3);
	report_region("anon_18T", 5, (uintptr_t)a18t, 3);
	report_region("anon_126T", 6, (uintptr_t)a126t, 3);
	report_region("anon_hint_2_50", 7, (uintptr_t)a2_50, 2);
	report_region("anon_sparse64", 8, (uintptr_t)sparse, 64);
	report_region("heap", 9, (uintptr_t)heap, 3);
	report_region("stack", 10, (uintptr_t)stack, 1);
	report_region("shm_anon", 11, (uintptr_t)shm, 2);
	report_region("anchor_data", 12, (uintptr_t)anchor_data, 1);
	report_region("anchor_bss", 13, (uintptr_t)anchor_bss, 1);
	out("WLDONE %d\n", pid);

	snprintf(path, sizeof(path), "%s/wl.done", dir);
	int dfd = open(path, O_WRONLY | O_CREAT, 0600);
	if (dfd >= 0)
		close(dfd);
	(void)sink;
	for (;;)
		pause();
}

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/bigmem.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

#define HUGE_PAGE ((size_t)2 << 20)
#ifdef __SANITIZE_ADDRESS__
// Under ASan every block comes from malloc, where overflows are caught.
#define BIGMEM_MIN SIZE_MAX
#else
// From this size on a huge page is cheaper than the 4 KiB faults it
// replaces: on the 2-CPU virtual machine of bench/results/2026-12-07*, a
// first touch costs ~12 us per 4 KiB page and ~180 us per 2 MiB huge
// page, even at 16 pages (64 KiB); twice that leaves room for machines
// where faults are cheaper, and bounds the memory a huge page leaves
// unused to 15/16 of it.
#define BIGMEM_MIN ((size_t)128 << 10)
#endif

// Before every block: how it was obtained and how much it can hold.
struct bigmem_head {
	void *base;      // the mapping, or NULL from malloc
	size_t map_len;  // the mapping's length
	size_t cap;      // usable bytes after the head
	size_t len;      // bytes asked for (what realloc copies)
};

#define HEAD_SIZE ((sizeof(struct bigmem_head) + 15) / 16 * 16)

static struct bigmem_head *head_of(void *p)
{
	return (struct bigmem_head *)((char *)p - HEAD_SIZE);
}

static void *map_huge(size_t len)
{
	size_t want, map_len;
	char *base, *start;
	struct bigmem_head *h;

	if (len > SIZE_MAX - HEAD_SIZE - 2 * HUGE_PAGE)
		return NULL;
	want = (len + HEAD_SIZE + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	// Room to align the start to a huge page; the slack goes back.
	map_len = want + HUGE_PAGE;
	base = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (start > base)
		munmap(base, (size_t)(start - base));
	if (start + want < base + map_len)
		munmap(start + want, (size_t)(base + map_len - (start + want)));
#ifdef MADV_HUGEPAGE
	// Only advice: where huge pages are off, 4 KiB pages as before.
	madvise(start, want, MADV_HUGEPAGE);
#endif
	h = (struct bigmem_head *)start;
	h->base = start;
	h->map_len = want;
	h->cap = want - HEAD_SIZE;
	h->len = len;
	return start + HEAD_SIZE;
}

static void *alloc(size_t len, bool zero)
{
	struct bigmem_head *h;

	if (len > SIZE_MAX - HEAD_SIZE)
		return NULL;
	if (len >= BIGMEM_MIN)
		return map_huge(len); // zero from the kernel
	h = zero ? calloc(1, HEAD_SIZE + len) : malloc(HEAD_SIZE + len);
	if (!h)
		return NULL;
	h->base = NULL;
	h->map_len = 0;
	h->cap = h->len = len;
	return (char *)h + HEAD_SIZE;
}

void *bigmem_alloc(size_t len)
{
	return alloc(len, false);
}

void *bigmem_calloc(size_t len)
{
	return alloc(len, true);
}

void *bigmem_realloc(void *p, size_t len)
{
	struct bigmem_head *h;
	size_t old_len;
	void *n;

	if (!p)
		return bigmem_alloc(len);
	h = head_of(p);
	old_len = h->len;
	if (len <= h->cap) {
		h->len = len;
		return p;
	}
	if (len > SIZE_MAX - HEAD_SIZE)
		return NULL;
	if (!h->base && len < BIGMEM_MIN) {
		h = realloc(h, HEAD_SIZE + len);
		if (!h)
			return NULL;
		h->cap = h->len = len;
		return (char *)h + HEAD_SIZE;
	}
	// Grown step by step (a table read ahead in chunks): double, so
	// that the copies add up to no more than the final size.
	n = map_huge(len > SIZE_MAX / 2 || len >= 2 * h->cap ? len : 2 * h->cap);
	if (!n)
		return NULL;
	memcpy(n, p, old_len);
	head_of(n)->len = len;
	bigmem_free(p);
	return n;
}

void bigmem_free(void *p)
{
	struct bigmem_head *h;

	if (!p)
		return;
	h = head_of(p);
	if (h->base)
		munmap(h->base, h->map_len);
	else
		free(h);
}

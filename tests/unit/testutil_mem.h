// More for testutil.h's fake kernel memory (struct vmt_fake_mem): an
// allocated buffer, 32-bit words, strings, list_head rings, and a reader
// with an unreadable hole.
#ifndef VMT_TESTUTIL_MEM_H
#define VMT_TESTUTIL_MEM_H

#include "testutil.h"

// @p size zeroed bytes at @p base; free with vmt_fake_mem_free().
static inline void vmt_fake_mem_alloc(struct vmt_fake_mem *m, uint64_t base,
				      size_t size)
{
	m->base = base;
	m->size = size;
	m->bytes = calloc(1, size);
	ck_assert_ptr_nonnull(m->bytes);
}

static inline void vmt_fake_mem_free(struct vmt_fake_mem *m)
{
	free(m->bytes);
	m->bytes = NULL;
}

// The bytes at @p addr (@p len of them must be inside the buffer).
static inline uint8_t *vmt_fake_mem_at(struct vmt_fake_mem *m, uint64_t addr,
				       size_t len)
{
	ck_assert_msg(addr >= m->base && addr - m->base + len <= m->size,
		      "test memory: %#llx out of the buffer",
		      (unsigned long long)addr);
	return m->bytes + (addr - m->base);
}

static inline void vmt_fake_mem_put32(struct vmt_fake_mem *m, uint64_t addr,
				      uint32_t v)
{
	uint8_t *p = vmt_fake_mem_at(m, addr, 4);

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

// A NUL-terminated string at @p addr.
static inline void vmt_fake_mem_puts(struct vmt_fake_mem *m, uint64_t addr,
				     const char *s)
{
	memcpy(vmt_fake_mem_at(m, addr, strlen(s) + 1), s, strlen(s) + 1);
}

// A list_head at @p node pointing at @p next and @p prev.
static inline void vmt_fake_mem_list(struct vmt_fake_mem *m, uint64_t node,
				     uint64_t next, uint64_t prev)
{
	vmt_fake_mem_put64(m, node, next);
	vmt_fake_mem_put64(m, node + 8, prev);
}

// Link the list_heads @p nodes into a ring in that order.
static inline void vmt_fake_mem_ring(struct vmt_fake_mem *m,
				     const uint64_t *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vmt_fake_mem_list(m, nodes[i], nodes[(i + 1) % n],
				  nodes[(i + n - 1) % n]);
}

// vmt_fake_mem_read() with [start, end) unreadable (a page not in the dump).
struct vmt_fake_hole {
	struct vmt_fake_mem *mem;
	uint64_t start, end;
};

static inline struct vmt_error *vmt_fake_hole_read(void *arg, uint64_t addr,
						   void *buf, size_t len)
{
	const struct vmt_fake_hole *h = arg;

	if (addr < h->end && addr + len > h->start)
		return vmt_error_fault(VMT_FAULT_EXCLUDED, addr,
				       "test memory: %#llx in the hole",
				       (unsigned long long)addr);
	return vmt_fake_mem_read(h->mem, addr, buf, len);
}

#endif

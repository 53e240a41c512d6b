// Helpers shared by the Check suites.
#ifndef VMT_TESTUTIL_H
#define VMT_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmtool/error.h"
#include "base/error.h"

// Fail the test with the error's message if @p expr returned an error.
#define vmt_ck_no_err(expr)                                                   \
	do {                                                                  \
		struct vmt_error *_err = (expr);                              \
		ck_assert_msg(!_err, "%s: %s", #expr,                         \
			      _err ? _err->message : "");                     \
	} while (0)

// Fail unless @p expr returned an error of @p code; the error is freed.
#define vmt_ck_err(expr, expected_code)                                       \
	do {                                                                  \
		struct vmt_error *_err = (expr);                              \
		ck_assert_msg(_err, "%s: expected an error", #expr);          \
		ck_assert_msg(_err->code == (expected_code),                  \
			      "%s: code %d, want %d (%s)", #expr, _err->code, \
			      (int)(expected_code), _err->message);           \
		vmt_error_destroy(_err);                                      \
	} while (0)

// Run @p s; exit status 0 only if every test passed.
static inline int vmt_ck_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// Directory of ../shared/dumps, or NULL (tests then skip with exit 77).
static inline const char *vmt_shared_dumps(void)
{
	const char *dir = getenv("VMTOOL_SHARED_DUMPS");

	return dir && *dir ? dir : NULL;
}

// A kernel address space made of one zeroed buffer, for the walkers that
// read through a kread_fn: vmt_fake_read() faults outside [base, base +
// size) and inside the hole [hole_start, hole_end) (an unreadable page).
struct vmt_fake_mem {
	uint64_t base;
	size_t size;
	uint8_t *buf;
	uint64_t hole_start, hole_end;
};

static inline void vmt_fake_init(struct vmt_fake_mem *m, uint64_t base,
				 size_t size)
{
	m->base = base;
	m->size = size;
	m->buf = calloc(1, size);
	m->hole_start = m->hole_end = 0;
	ck_assert_ptr_nonnull(m->buf);
}

static inline void vmt_fake_deinit(struct vmt_fake_mem *m)
{
	free(m->buf);
	m->buf = NULL;
}

static inline struct vmt_error *vmt_fake_read(void *arg, uint64_t addr,
					      void *buf, size_t len)
{
	struct vmt_fake_mem *m = arg;

	if (addr < m->base || addr - m->base > m->size ||
	    len > m->size - (addr - m->base) ||
	    (addr < m->hole_end && addr + len > m->hole_start))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "test: %#llx not mapped",
				       (unsigned long long)addr);
	memcpy(buf, m->buf + (addr - m->base), len);
	return NULL;
}

static inline uint8_t *vmt_fake_at(struct vmt_fake_mem *m, uint64_t addr,
				   size_t len)
{
	ck_assert_msg(addr >= m->base && addr - m->base + len <= m->size,
		      "test: %#llx outside the fake memory",
		      (unsigned long long)addr);
	return m->buf + (addr - m->base);
}

static inline void vmt_fake_put64(struct vmt_fake_mem *m, uint64_t addr,
				  uint64_t v)
{
	uint8_t *p = vmt_fake_at(m, addr, 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void vmt_fake_put32(struct vmt_fake_mem *m, uint64_t addr,
				  uint32_t v)
{
	uint8_t *p = vmt_fake_at(m, addr, 4);

	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void vmt_fake_puts(struct vmt_fake_mem *m, uint64_t addr,
				 const char *s)
{
	memcpy(vmt_fake_at(m, addr, strlen(s) + 1), s, strlen(s) + 1);
}

// A list_head at @p node pointing at @p next and @p prev.
static inline void vmt_fake_list(struct vmt_fake_mem *m, uint64_t node,
				 uint64_t next, uint64_t prev)
{
	vmt_fake_put64(m, node, next);
	vmt_fake_put64(m, node + 8, prev);
}

// Link @p nodes (list_head addresses) into a ring in that order.
static inline void vmt_fake_ring(struct vmt_fake_mem *m, const uint64_t *nodes,
				 size_t n)
{
	for (size_t i = 0; i < n; i++)
		vmt_fake_list(m, nodes[i], nodes[(i + 1) % n],
			      nodes[(i + n - 1) % n]);
}

#endif

// Large working arrays: contents survive growth across the malloc/mapping
// boundary, calloc'd memory is zero, sizes at the edges work.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/bigmem.h"

static void fill(unsigned char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		p[i] = (unsigned char)(i * 7 + 3);
}

static void check_filled(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + 3))
			ck_abort_msg("byte %zu is %u", i, p[i]);
}

START_TEST(growth_keeps_contents)
{
	// From a small block past the huge-page threshold and on, in the
	// steps a table read ahead in chunks takes.
	unsigned char *p = NULL;
	size_t len = 0;

	for (size_t want = 4096; want <= ((size_t)9 << 20); want += want / 2) {
		unsigned char *n = bigmem_realloc(p, want);

		ck_assert_ptr_nonnull(n);
		p = n;
		fill(p, len, want);
		len = want;
		check_filled(p, len);
	}
	// Shrinking keeps the head of the block.
	p = bigmem_realloc(p, 100);
	ck_assert_ptr_nonnull(p);
	check_filled(p, 100);
	bigmem_free(p);
}
END_TEST

START_TEST(calloc_is_zero)
{
	static const size_t sizes[] = { 1, 4096, ((size_t)1 << 20) - 1,
					(size_t)1 << 20, ((size_t)2 << 20) + 1,
					(size_t)5 << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = bigmem_calloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		for (size_t k = 0; k < sizes[i]; k += 509)
			ck_assert_uint_eq(p[k], 0);
		ck_assert_uint_eq(p[sizes[i] - 1], 0);
		// Writable to the last byte.
		memset(p, 0xa5, sizes[i]);
		bigmem_free(p);
	}
	bigmem_free(NULL);
}
END_TEST

// Sizes whose bookkeeping would wrap around are refused before any
// allocator sees them.
START_TEST(impossible_sizes_fail)
{
	void *p = bigmem_alloc(64);

	ck_assert_ptr_null(bigmem_alloc(SIZE_MAX - 8));
	ck_assert_ptr_null(bigmem_calloc(SIZE_MAX));
	ck_assert_ptr_null(bigmem_realloc(p, SIZE_MAX - 8));
	bigmem_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bigmem");
	TCase *tc = tcase_create("bigmem");

	tcase_add_test(tc, growth_keeps_contents);
	tcase_add_test(tc, calloc_is_zero);
	tcase_add_test(tc, impossible_sizes_fail);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

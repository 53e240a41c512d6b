// Prefix decompression (decompress_prefix) against the libraries' whole
// pages: our LZO1X decoder on what liblzo2 writes (its fast and its best
// compressor, so every instruction kind appears), zlib stopped early, and
// corrupt input that must fail cleanly (run under ASan/UBSan).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif

#include "testutil.h"
#include "decompress/decompress.h"

#define PAGE 4096

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

// Pages that exercise literals and matches of every length and distance.
static void make_page(int kind, uint8_t *p, size_t size)
{
	switch (kind % 7) {
	case 0: // incompressible
		for (size_t i = 0; i < size; i++)
			p[i] = (uint8_t)rng();
		break;
	case 1: // zeros: one long match
		memset(p, 0, size);
		break;
	case 2: // a short period: overlapping matches
		for (size_t i = 0; i < size; i++)
			p[i] = (uint8_t)(i % 3);
		break;
	case 3: // words like a kernel page: pointers and small integers
		for (size_t i = 0; i + 8 <= size; i += 8) {
			uint64_t w = rng() % 4 ? 0xffff000012340000ull + (rng() % 64) * 8 :
						 rng() % 100;

			memcpy(p + i, &w, 8);
		}
		break;
	case 4: // long literal runs between far repeats
		for (size_t i = 0; i < size; i++)
			p[i] = i % 1500 < 700 ? (uint8_t)rng() : p[i % 700];
		break;
	case 5: // text
		for (size_t i = 0; i < size; i++)
			p[i] = "the quick brown fox jumps over the lazy dog "[
				(i * 7 + rng() % 3) % 44];
		break;
	default: // a random mix of runs and noise
		for (size_t i = 0; i < size;) {
			size_t n = 1 + rng() % 300;
			uint8_t b = (uint8_t)rng();

			for (size_t k = 0; k < n && i < size; k++, i++)
				p[i] = rng() % 4 ? b : (uint8_t)rng();
		}
		break;
	}
}

#ifdef HAVE_LZO
static void check_lzo(const uint8_t *page, size_t size, const uint8_t *c,
		      size_t clen)
{
	uint8_t *out = malloc(size);
	size_t produced;

	ck_assert_ptr_nonnull(out);
	for (size_t want = 1; want <= size; want += 1 + want / 7) {
		memset(out, 0xcc, size);
		ck_assert_int_eq(lzo1x_decode_prefix(c, clen, out, size, want,
						     &produced),
				 0);
		ck_assert_uint_ge(produced, want);
		ck_assert_uint_le(produced, size);
		ck_assert_msg(!memcmp(out, page, produced),
			      "prefix of %zu (want %zu) differs", produced, want);
	}
	ck_assert_int_eq(lzo1x_decode_prefix(c, clen, out, size, size,
					     &produced),
			 0);
	ck_assert_uint_eq(produced, size);
	ck_assert(!memcmp(out, page, size));
	free(out);
}

START_TEST(lzo_prefixes_match_liblzo2)
{
	static uint8_t wrk1[LZO1X_1_MEM_COMPRESS];
	static uint8_t wrk999[LZO1X_999_MEM_COMPRESS];
	uint8_t page[PAGE], c[2 * PAGE];

	ck_assert_int_eq(lzo_init(), LZO_E_OK);
	for (int kind = 0; kind < 70; kind++) {
		lzo_uint clen = sizeof(c);

		make_page(kind, page, PAGE);
		ck_assert_int_eq(lzo1x_1_compress(page, PAGE, c, &clen, wrk1),
				 LZO_E_OK);
		check_lzo(page, PAGE, c, clen);
		clen = sizeof(c);
		ck_assert_int_eq(lzo1x_999_compress(page, PAGE, c, &clen,
						    wrk999),
				 LZO_E_OK);
		check_lzo(page, PAGE, c, clen);
	}
}
END_TEST

START_TEST(lzo_corrupt_input_fails_cleanly)
{
	static uint8_t wrk1[LZO1X_1_MEM_COMPRESS];
	uint8_t page[PAGE], c[2 * PAGE], bad[2 * PAGE], out[PAGE];
	size_t produced;

	for (int kind = 0; kind < 14; kind++) {
		lzo_uint clen = sizeof(c);

		make_page(kind, page, PAGE);
		ck_assert_int_eq(lzo1x_1_compress(page, PAGE, c, &clen, wrk1),
				 LZO_E_OK);
		// Cut short anywhere: an error or a shorter prefix, never a
		// read past the input.
		for (size_t cut = 0; cut < clen; cut += 1 + cut / 5) {
			uint8_t *copy = malloc(cut ? cut : 1);

			memcpy(copy, c, cut);
			if (lzo1x_decode_prefix(copy, cut, out, PAGE, PAGE,
						&produced) == 0)
				ck_assert_uint_le(produced, PAGE);
			free(copy);
		}
		// Bytes flipped: whatever comes out stays inside the page.
		for (int round = 0; round < 200; round++) {
			memcpy(bad, c, clen);
			for (int k = 0; k < 3; k++)
				bad[rng() % clen] = (uint8_t)rng();
			if (lzo1x_decode_prefix(bad, clen, out, PAGE, PAGE,
						&produced) == 0)
				ck_assert_uint_le(produced, PAGE);
		}
	}
	// Noise.
	for (int round = 0; round < 2000; round++) {
		size_t n = 1 + rng() % 64;

		for (size_t i = 0; i < n; i++)
			bad[i] = (uint8_t)rng();
		if (lzo1x_decode_prefix(bad, n, out, PAGE, PAGE, &produced) == 0)
			ck_assert_uint_le(produced, PAGE);
	}
}
END_TEST
#endif

START_TEST(zlib_prefixes_match_the_page)
{
	uint8_t page[PAGE], out[PAGE], c[2 * PAGE];
	struct decompress_ctx *ctx;
	size_t produced;

	vmt_ck_no_err(decompress_ctx_create(&ctx));
	for (int kind = 0; kind < 21; kind++) {
		uLongf clen = sizeof(c);

		make_page(kind, page, PAGE);
		ck_assert_int_eq(compress2(c, &clen, page, PAGE, 1), Z_OK);
		for (size_t want = 1; want <= PAGE; want += 1 + want / 3) {
			vmt_ck_no_err(decompress_prefix(ctx, COMPRESSION_ZLIB, c,
							clen, out, PAGE, want,
							&produced));
			ck_assert_uint_ge(produced, want);
			ck_assert(!memcmp(out, page, produced));
		}
		vmt_ck_no_err(decompress_with(ctx, COMPRESSION_ZLIB, c, clen,
					      out, PAGE));
		ck_assert(!memcmp(out, page, PAGE));
		// A page that is one byte short is an error, early or not.
		vmt_ck_err(decompress_with(ctx, COMPRESSION_ZLIB, c, clen, out,
					   PAGE - 1),
			   VMT_ERROR_BAD_DATA);
		vmt_ck_err(decompress_prefix(ctx, COMPRESSION_ZLIB, c, clen / 2,
					     out, PAGE, PAGE, &produced),
			   VMT_ERROR_BAD_DATA);
	}
	decompress_ctx_destroy(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decompress");
	TCase *tc = tcase_create("prefix");

	tcase_set_timeout(tc, 120);
#ifdef HAVE_LZO
	tcase_add_test(tc, lzo_prefixes_match_liblzo2);
	tcase_add_test(tc, lzo_corrupt_input_fails_cleanly);
#endif
	tcase_add_test(tc, zlib_prefixes_match_the_page);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}

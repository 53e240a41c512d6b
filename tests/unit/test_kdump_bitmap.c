// The on-demand kdump bitmap against a naive count over the same bits:
// test, rank and runs across chunk boundaries, with and without holes the
// source reports, and the popcount variants against each other.
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "dump/kdump_bitmap.h"
#include "source/source.h"

// A source over a buffer that knows its holes: 4 KiB blocks of zeros.
struct holey {
	struct source src;
	const uint8_t *data;
	unsigned next_data_calls;
};

static struct vmt_error *holey_read(struct source *src, void *buf, size_t len,
				    uint64_t off)
{
	struct holey *h = (struct holey *)src;

	memcpy(buf, h->data + off, len);
	return NULL;
}

static uint64_t holey_next_data(struct source *src, uint64_t off)
{
	struct holey *h = (struct holey *)src;

	h->next_data_calls++;
	for (uint64_t b = off / 4096 * 4096; b < src->size; b += 4096) {
		uint64_t end = b + 4096 < src->size ? b + 4096 : src->size;

		for (uint64_t i = b > off ? b : off; i < end; i++)
			if (h->data[i])
				return b > off ? b : off;
	}
	return src->size;
}

static void holey_destroy(struct source *src)
{
	(void)src;
}

static const struct source_ops holey_ops = {
	.read = holey_read,
	.next_data = holey_next_data,
	.destroy = holey_destroy,
};

static bool naive_test(const uint8_t *bits, uint64_t n)
{
	return bits[n / 8] >> (n % 8) & 1;
}

// Bits: three chunks and a bit (chunks are 2^19 bits), sparse and dense
// stretches, whole zero blocks (holes), and a tail past nbits that must
// not count.
#define NBITS ((UINT64_C(3) << 19) + 4097)
#define OFF 777

static uint8_t *make_bits(size_t *size_ret)
{
	size_t size = OFF + (NBITS + 7) / 8 + 64;
	uint8_t *buf = calloc(1, size);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	ck_assert_ptr_nonnull(buf);
	for (uint64_t n = 0; n < NBITS; n++) {
		uint64_t region = n >> 15;
		bool set;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (region % 4) {
		case 0: // dense
			set = x % 8 != 0;
			break;
		case 1: // a hole
			set = false;
			break;
		case 2: // sparse
			set = x % 61 == 0;
			break;
		default: // long runs
			set = (n >> 9) & 1;
			break;
		}
		if (set)
			buf[OFF + n / 8] |= (uint8_t)(1 << (n % 8));
	}
	// Garbage after the last bit that counts.
	memset(buf + OFF + (NBITS + 7) / 8, 0xff, 64);
	buf[OFF + NBITS / 8] |= 0xff << (NBITS % 8);
	*size_ret = size;
	return buf;
}

static void check_against_naive(bool use_holes)
{
	size_t size;
	uint8_t *buf = make_bits(&size);
	struct holey h = { .data = buf };
	struct source mem = { 0 };
	struct source *src;
	struct kdump_bitmap bm;
	uint64_t want = 0;

	if (use_holes) {
		h.src.ops = &holey_ops;
		h.src.name = "holey";
		h.src.size = size;
		src = &h.src;
	} else {
		vmt_ck_no_err(source_open_mem(buf, size, "plain", &src));
		mem = *src;
	}
	vmt_ck_no_err(kdump_bitmap_init(&bm, src, OFF, NBITS, true, "2nd"));
	ck_assert_uint_eq(bm.nr_chunks, 4);
	// Rank at every bit of a few windows, and at strides everywhere; in
	// an order that moves back and forth across chunks.
	for (uint64_t n = 0; n <= NBITS; n++) {
		bool near_edge = n % (UINT64_C(1) << 19) < 700 ||
				 n % (UINT64_C(1) << 19) > (UINT64_C(1) << 19) - 700 ||
				 n > NBITS - 700;

		if (near_edge || n % 997 == 0) {
			uint64_t r;
			bool t;

			vmt_ck_no_err(kdump_bitmap_rank(&bm, n, &r));
			ck_assert_msg(r == want, "rank(%llu) = %llu, want %llu",
				      (unsigned long long)n,
				      (unsigned long long)r,
				      (unsigned long long)want);
			vmt_ck_no_err(kdump_bitmap_test(&bm, n, &t));
			ck_assert_int_eq(t, n < NBITS && naive_test(buf + OFF, n));
		}
		if (n < NBITS)
			want += naive_test(buf + OFF, n);
	}
	// Runs: every run of set bits, in order.
	{
		uint64_t from = 0, n = 0;

		while (from < NBITS) {
			uint64_t s, e;

			vmt_ck_no_err(kdump_bitmap_next_run(&bm, from, &s, &e));
			while (n < NBITS && !naive_test(buf + OFF, n))
				n++;
			ck_assert_uint_eq(s, n);
			if (s >= NBITS)
				break;
			while (n < NBITS && naive_test(buf + OFF, n))
				n++;
			ck_assert_uint_eq(e, n);
			from = e;
		}
	}
	if (use_holes)
		ck_assert_uint_gt(h.next_data_calls, 0);
	kdump_bitmap_deinit(&bm);
	if (!use_holes)
		source_destroy(src);
	(void)mem;
	free(buf);
}

START_TEST(rank_test_and_runs_match_a_naive_count)
{
	check_against_naive(false);
}
END_TEST

START_TEST(holes_are_skipped_and_read_as_zeros)
{
	check_against_naive(true);
}
END_TEST

// A source that is one hole: never read.
static struct vmt_error *hole_read(struct source *src, void *buf, size_t len,
				   uint64_t off)
{
	(void)src, (void)buf, (void)len, (void)off;
	ck_abort_msg("a hole was read");
	return NULL;
}

static uint64_t hole_next_data(struct source *src, uint64_t off)
{
	(void)off;
	return src->size;
}

static const struct source_ops hole_ops = {
	.read = hole_read,
	.next_data = hole_next_data,
	.destroy = holey_destroy,
};

START_TEST(a_claimed_size_costs_no_reads_and_bounded_memory)
{
	// 2^40 bits (128 GiB of bitmap: 4 PiB of 4 KiB pages), all hole:
	// the rank at the end and the runs read nothing, and the chunks grow
	// so that there are at most 2^17 of them.
	struct source src = { .ops = &hole_ops, .name = "claim",
			      .size = (UINT64_C(1) << 37) + 4096 };
	struct kdump_bitmap bm;
	uint64_t r, s, e;
	bool t;

	vmt_ck_no_err(kdump_bitmap_init(&bm, &src, 4096, UINT64_C(1) << 40,
					true, "2nd"));
	ck_assert_uint_le(bm.nr_chunks, UINT64_C(1) << 17);
	vmt_ck_no_err(kdump_bitmap_rank(&bm, (UINT64_C(1) << 40) - 1, &r));
	ck_assert_uint_eq(r, 0);
	vmt_ck_no_err(kdump_bitmap_next_run(&bm, 0, &s, &e));
	ck_assert_uint_eq(s, UINT64_C(1) << 40);
	ck_assert_uint_eq(bm.chunk_reads, 1); // the last chunk, for rank
	vmt_ck_no_err(kdump_bitmap_test(&bm, 12345, &t));
	ck_assert(!t);
	kdump_bitmap_deinit(&bm);
}
END_TEST

START_TEST(popcount_variants_agree)
{
	uint64_t w[257], x = 12345;
	uint64_t want = 0;

	for (int i = 0; i < 257; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		w[i] = i % 5 ? x : (i % 2 ? ~UINT64_C(0) : 0);
		for (int b = 0; b < 64; b++)
			want += w[i] >> b & 1;
	}
	ck_assert_uint_eq(kdump_popcount_words(w, 257), want);
	ck_assert_uint_eq(kdump_popcount_words_portable(w, 257), want);
	ck_assert_uint_eq(kdump_popcount_words(w, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kdump_bitmap");
	TCase *tc = tcase_create("bitmap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rank_test_and_runs_match_a_naive_count);
	tcase_add_test(tc, holes_are_skipped_and_read_as_zeros);
	tcase_add_test(tc, a_claimed_size_costs_no_reads_and_bounded_memory);
	tcase_add_test(tc, popcount_variants_agree);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
